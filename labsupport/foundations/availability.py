"""Availability: nines, error budgets, redundancy and service topologies.

A shop with one till is open only while that till works; with two tills it
stays open until both break at once. Chaining parts multiplies their
availabilities (**serial**), duplicating a part multiplies their
*unavailabilities* (**parallel**), and a real service is a graph of both: a
request from the users reaches the data if *some* path of working components
connects them. This module gives the closed forms, an exact evaluator and a
Monte Carlo estimator for such graphs, and a small illustrative web service.

Conventions
-----------
* An availability is a probability in ``[0, 1]``; components fail
  independently (no common-mode failures: a shared power feed or a bad deploy
  breaks this assumption, and the numbers become optimistic).
* Time: a year is the Julian year of **365.25 days**; a month is a twelfth of
  it, **30.4375 days** (so twelve monthly budgets add up to the yearly one).
  :func:`error_budget_minutes` instead takes an explicit window in days
  (30 by default, the usual SLO window).
* In a topology graph, a node with an ``availability`` attribute is a
  component that can fail; a node without one (the ``entry`` and ``exit``
  nodes, junctions) is always up.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import networkx as nx

from labsupport.checks import check_int, check_number, check_probability
from labsupport.seeds import Seed, as_rng

__all__ = [
    "YEAR_S",
    "MONTH_S",
    "nines",
    "loss_nines",
    "downtime_per_year",
    "downtime_per_month",
    "error_budget_minutes",
    "serial",
    "parallel",
    "k_of_n",
    "steady_state",
    "single_points_of_failure",
    "graph_availability",
    "AvailabilityEstimate",
    "simulate_graph_availability",
    "EXAMPLE_AVAILABILITY",
    "TIERS",
    "example_topology",
]

YEAR_S = 365.25 * 86400.0  # seconds in a Julian year
MONTH_S = YEAR_S / 12  # seconds in an average month (30.4375 days)
MAX_EXACT_COMPONENTS = 18


def _all(name: str, values: tuple) -> list[float]:
    if not values:
        raise ValueError(f"{name}: give at least one availability")
    return [check_probability(f"{name}[{i}]", a) for i, a in enumerate(values)]


def nines(a: float) -> float:
    """Number of nines of availability ``a``: ``-log10(1 - a)``.

    Rounded to 10 decimals to hide binary noise (0.999 is not exactly
    representable); ``a = 1`` gives ``inf``.

    Examples
    --------
    >>> nines(0.999)
    3.0
    >>> nines(0.995)
    2.30103
    """
    return loss_nines(1.0 - check_probability("a", a))


def loss_nines(loss_probability: float) -> float:
    """Nines of a failure (or loss) probability: ``-log10(p)``; 1e-11 is eleven nines.

    The one rounding for every "nines" in the book: 10 decimals, which hides
    binary noise; ``p = 0`` gives ``inf``. Durability (Chapter 3) counts the
    nines of the probability of losing an object in a year.

    Examples
    --------
    >>> loss_nines(1e-11), loss_nines(0.001), loss_nines(0.0)
    (11.0, 3.0, inf)
    """
    p = check_probability("loss_probability", loss_probability)
    return math.inf if p == 0.0 else round(-math.log10(p), 10)


def downtime_per_year(a: float) -> float:
    """Expected downtime in seconds per year (365.25 days) at availability ``a``.

    Examples
    --------
    >>> round(downtime_per_year(0.9999) / 60, 2)  # four nines: about 52.6 minutes
    52.6
    """
    return (1.0 - check_probability("a", a)) * YEAR_S


def downtime_per_month(a: float) -> float:
    """Expected downtime in seconds per average month (30.4375 days) at availability ``a``.

    Examples
    --------
    >>> round(downtime_per_month(0.999) / 60, 2)  # three nines: about 43.8 minutes
    43.83
    """
    return (1.0 - check_probability("a", a)) * MONTH_S


def error_budget_minutes(slo: float, days: float = 30) -> float:
    """Minutes of failure an SLO allows over a window of ``days``: ``(1 - slo) * days * 1440``.

    Examples
    --------
    >>> round(error_budget_minutes(0.999), 2)
    43.2
    >>> round(error_budget_minutes(0.9999, days=7), 3)
    1.008
    """
    return (1.0 - check_probability("slo", slo)) * check_number("days", days, low=0, low_open=True) * 1440.0


def serial(*a: float) -> float:
    """Availability of parts that must *all* be up: the product of their availabilities.

    Examples
    --------
    >>> round(serial(0.99, 0.99, 0.999), 6)
    0.97912
    """
    return math.prod(_all("a", a))


def parallel(*a: float) -> float:
    """Availability of redundant copies, *any one* of which suffices: ``1 - prod(1 - a_i)``.

    Examples
    --------
    >>> round(parallel(0.99, 0.99), 6)
    0.9999
    """
    return 1.0 - math.prod(1.0 - x for x in _all("a", a))


def k_of_n(k: int, n: int, a: float) -> float:
    """Probability that at least ``k`` of ``n`` independent copies (each up with ``a``) are up.

    The binomial tail ``sum_{j=k..n} C(n, j) a^j (1-a)^(n-j)``, each term
    computed in log space (no overflow for large ``n``) and summed with
    :func:`math.fsum` (all terms are positive, so there is no cancellation).

    Examples
    --------
    >>> round(k_of_n(2, 3, 0.99), 6)  # a majority quorum of three
    0.999702
    >>> k_of_n(1, 2, 0.9) == round(parallel(0.9, 0.9), 12)
    True
    """
    check_int("k", k, low=0, high=check_int("n", n, low=1))
    a = check_probability("a", a)
    if a in (0.0, 1.0) or k == 0:
        return 1.0 if (k == 0 or a == 1.0) else 0.0
    la, lb = math.log(a), math.log1p(-a)
    lg = math.lgamma
    terms = (
        math.exp(lg(n + 1) - lg(j + 1) - lg(n - j + 1) + j * la + (n - j) * lb)
        for j in range(k, n + 1)
    )
    return round(min(1.0, math.fsum(terms)), 12)


def steady_state(mttf: float, mttr: float) -> float:
    """Long-run availability of a part that fails and is repaired: ``mttf / (mttf + mttr)``.

    ``mttf`` (mean time to failure) and ``mttr`` (mean time to repair) are in
    the same unit, whatever it is.

    Examples
    --------
    >>> round(steady_state(mttf=999.0, mttr=1.0), 6)
    0.999
    """
    mttf = check_number("mttf", mttf, low=0, low_open=True)
    mttr = check_number("mttr", mttr, low=0)
    return mttf / (mttf + mttr)


# --- service topologies -------------------------------------------------------


def _components(G: nx.DiGraph, entry: Hashable, exit: Hashable) -> dict[Hashable, float]:
    """Check the graph and return ``{component: availability}`` for the nodes that can fail."""
    for name, node in (("entry", entry), ("exit", exit)):
        if node not in G:
            raise ValueError(f"{name}={node!r} is not a node of the graph G")
    if entry == exit:
        raise ValueError(f"entry and exit are the same node {entry!r}; choose two different nodes")
    return {
        v: check_probability(f"G.nodes[{v!r}]['availability']", d["availability"])
        for v, d in G.nodes(data=True)
        if "availability" in d
    }


def _reaches(G: nx.DiGraph, entry: Hashable, exit: Hashable, down: set) -> bool:
    """Is there a path from entry to exit that avoids every node in ``down``?"""
    if entry in down or exit in down:
        return False
    seen, frontier = {entry}, [entry]
    while frontier:
        v = frontier.pop()
        if v == exit:
            return True
        for w in G.neighbors(v):
            if w not in seen and w not in down:
                seen.add(w)
                frontier.append(w)
    return False


def single_points_of_failure(G: nx.DiGraph, entry: Hashable, exit: Hashable) -> list:
    """Components whose failure alone disconnects ``exit`` from ``entry``, sorted.

    Algorithm: remove each component in turn and ask :func:`networkx.has_path`
    whether ``exit`` is still reachable from ``entry``.

    Notes
    -----
    ``O(C (V + E))`` for ``C`` components; the question is structural, so a
    component with availability 1.0 is still listed if it is a cut vertex.

    Examples
    --------
    >>> G = example_topology({"web": 2})
    >>> single_points_of_failure(G, "users", "data")
    ['db1', 'dns1', 'lb1', 'storage1']
    """
    comps = _components(G, entry, exit)
    if not nx.has_path(G, entry, exit):
        raise ValueError(f"exit={exit!r} is unreachable from entry={entry!r} even with every component up")
    spofs = [c for c in comps
             if c in (entry, exit) or not nx.has_path(nx.restricted_view(G, [c], []), entry, exit)]
    return sorted(spofs, key=str)


def graph_availability(G: nx.DiGraph, entry: Hashable, exit: Hashable) -> float:
    """Exact probability that a path of working components joins ``entry`` to ``exit``.

    Algorithm: enumerate up/down states one component at a time (factoring,
    ``A = a_c A(c up) + (1 - a_c) A(c down)``), cutting a branch short as
    soon as the fate of the request is settled: 0 if even the undecided
    components all up cannot connect, 1 if the components already up connect.

    Notes
    -----
    Worst case ``O(2^C (V + E))`` for ``C`` components, so more than 18
    components raises ValueError; use :func:`simulate_graph_availability`.

    Examples
    --------
    >>> G = example_topology({"web": 2, "db": 2})
    >>> round(graph_availability(G, "users", "data"), 6)
    0.999175
    """
    comps = _components(G, entry, exit)
    if len(comps) > MAX_EXACT_COMPONENTS:
        raise ValueError(
            f"G has {len(comps)} components with an availability; exact enumeration is limited "
            f"to {MAX_EXACT_COMPONENTS}: use simulate_graph_availability for larger graphs"
        )
    order = sorted(comps, key=str)

    def factor(i: int, down: set) -> float:
        if not _reaches(G, entry, exit, down):
            return 0.0
        undecided = set(order[i:])
        if _reaches(G, entry, exit, down | undecided):
            return 1.0
        c = order[i]
        a = comps[c]
        return a * factor(i + 1, down) + (1.0 - a) * factor(i + 1, down | {c})

    return factor(0, set())


@dataclass(frozen=True)
class AvailabilityEstimate:
    """A Monte Carlo estimate: ``availability`` +- ``standard_error`` from ``trials`` draws."""

    availability: float
    standard_error: float
    trials: int
    successes: int


def simulate_graph_availability(
    G: nx.DiGraph, entry: Hashable, exit: Hashable, *, trials: int = 10_000, seed: Seed = None
) -> AvailabilityEstimate:
    """Estimate graph availability by drawing component states ``trials`` times.

    Each trial fails every component independently with probability
    ``1 - availability`` and checks for a working path; the standard error is
    the binomial ``sqrt(p (1 - p) / trials)`` (0 when every trial agrees).

    Examples
    --------
    >>> G = example_topology({"web": 2})
    >>> est = simulate_graph_availability(G, "users", "data", trials=2000, seed=1)
    >>> abs(est.availability - graph_availability(G, "users", "data")) < 4 * est.standard_error + 1e-3
    True
    """
    comps = _components(G, entry, exit)
    check_int("trials", trials, low=1)
    rng = as_rng(seed)
    order = sorted(comps, key=str)
    ok = 0
    for _ in range(trials):
        down = {c for c in order if rng.random() >= comps[c]}
        ok += _reaches(G, entry, exit, down)
    p = ok / trials
    return AvailabilityEstimate(p, math.sqrt(p * (1 - p) / trials), trials, ok)


TIERS = ("dns", "lb", "web", "db", "storage")
#: Illustrative per-component availabilities, NOT published SLAs: round numbers
#: of the right order of magnitude for a managed DNS, a load balancer node, a
#: single web server, a database instance and a durable storage volume.
EXAMPLE_AVAILABILITY = {"dns": 0.9999, "lb": 0.9995, "web": 0.99, "db": 0.995, "storage": 0.9999}


def example_topology(
    redundancy: Mapping[str, int] | None = None,
    availability: Mapping[str, float] | None = None,
) -> nx.DiGraph:
    """A small web service: users -> DNS -> load balancer(s) -> web servers -> database -> storage -> data.

    Parameters
    ----------
    redundancy : mapping tier -> copies, optional
        Copies per tier among :data:`TIERS` (missing tiers get 1). Copies are
        named ``f"{tier}{i}"`` from 1; ``db1`` is the primary and ``db2...``
        standbys (failover is assumed instant). Every copy of a tier connects
        to every copy of the next, so the service is a series of parallel tiers.
    availability : mapping tier -> availability, optional
        Overrides of :data:`EXAMPLE_AVAILABILITY` (illustrative values only).

    Examples
    --------
    >>> G = example_topology({"web": 3})
    >>> sorted(v for v in G if v.startswith("web"))
    ['web1', 'web2', 'web3']
    """
    redundancy = dict(redundancy or {})
    avail = dict(EXAMPLE_AVAILABILITY)
    for name, given in (("redundancy", redundancy), ("availability", dict(availability or {}))):
        unknown = sorted(set(given) - set(TIERS))
        if unknown:
            raise ValueError(f"{name} has unknown tiers {unknown}; choose among {list(TIERS)}")
    for tier, a in dict(availability or {}).items():
        avail[tier] = check_probability(f"availability[{tier!r}]", a)
    G = nx.DiGraph()
    previous = ["users"]
    G.add_node("users")
    for tier in TIERS:
        copies = redundancy.get(tier, 1)
        check_int(f"redundancy[{tier!r}]", copies, low=1)
        layer = [f"{tier}{i}" for i in range(1, copies + 1)]
        G.add_nodes_from(layer, availability=avail[tier], tier=tier)
        G.add_edges_from((u, v) for u in previous for v in layer)
        previous = layer
    G.add_edges_from((u, "data") for u in previous)
    return G
