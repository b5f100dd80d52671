"""Availability arithmetic and topologies agree with closed forms and with each other."""

import math
from itertools import product

import networkx as nx
import pytest
from hypothesis import given, settings, strategies as st

from labsupport.foundations.availability import (
    MONTH_S,
    TIERS,
    YEAR_S,
    downtime_per_month,
    downtime_per_year,
    error_budget_minutes,
    example_topology,
    graph_availability,
    k_of_n,
    nines,
    parallel,
    serial,
    simulate_graph_availability,
    single_points_of_failure,
    steady_state,
)

probs = st.floats(min_value=0.0, max_value=1.0)
avail = st.floats(min_value=0.5, max_value=0.9999)


def chain(values):
    """users -> c0 -> c1 -> ... -> data."""
    G = nx.DiGraph()
    names = [f"c{i}" for i in range(len(values))]
    for name, a in zip(names, values):
        G.add_node(name, availability=a)
    nx.add_path(G, ["users", *names, "data"])
    return G


def tier(values):
    """users -> each copy -> data."""
    G = nx.DiGraph()
    for i, a in enumerate(values):
        G.add_node(f"c{i}", availability=a)
        G.add_edges_from([("users", f"c{i}"), (f"c{i}", "data")])
    return G


def test_units_and_nines():
    assert nines(0.999) == 3.0 and nines(0.99999) == 5.0 and nines(1.0) == math.inf
    assert YEAR_S == 365.25 * 86400 and MONTH_S * 12 == YEAR_S
    assert downtime_per_year(0.999) == pytest.approx(31557.6)
    assert downtime_per_month(0.999) == pytest.approx(2629.8)
    assert error_budget_minutes(0.999) == pytest.approx(43.2)
    assert error_budget_minutes(0.99, days=1) == pytest.approx(14.4)
    assert steady_state(mttf=99.0, mttr=1.0) == pytest.approx(0.99)


@settings(max_examples=60, deadline=None)
@given(st.lists(probs, min_size=1, max_size=6))
def test_serial_parallel_closed_forms(values):
    assert serial(*values) == pytest.approx(math.prod(values))
    assert parallel(*values) == pytest.approx(1 - math.prod(1 - a for a in values))
    assert serial(*values) <= min(values) + 1e-12
    assert parallel(*values) >= max(values) - 1e-12


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.data(), probs)
def test_k_of_n_binomial(n, data, a):
    k = data.draw(st.integers(0, n))
    brute = sum(math.comb(n, j) * a**j * (1 - a) ** (n - j) for j in range(k, n + 1))
    assert k_of_n(k, n, a) == pytest.approx(brute, abs=1e-12)
    assert k_of_n(1, n, a) == pytest.approx(parallel(*[a] * n), abs=1e-12)
    assert k_of_n(n, n, a) == pytest.approx(serial(*[a] * n), abs=1e-12)


def test_k_of_n_large_n_is_sane():
    value = k_of_n(500, 1000, 0.5)
    assert 0.5 < value < 0.52  # P(X >= n/2) for a fair binomial, just above one half
    assert k_of_n(2000, 2000, 0.9999) == pytest.approx(0.9999**2000)


@settings(max_examples=40, deadline=None)
@given(st.lists(probs, min_size=1, max_size=8))
def test_exact_matches_serial_and_parallel(values):
    assert graph_availability(chain(values), "users", "data") == pytest.approx(serial(*values), abs=1e-12)
    assert graph_availability(tier(values), "users", "data") == pytest.approx(parallel(*values), abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.fixed_dictionaries({t: st.integers(1, 3) for t in TIERS}),
       st.fixed_dictionaries({t: avail for t in TIERS}))
def test_example_topology_is_series_of_parallel_tiers(redundancy, availability):
    G = example_topology(redundancy, availability)
    expected = serial(*(parallel(*[availability[t]] * redundancy[t]) for t in TIERS))
    assert graph_availability(G, "users", "data") == pytest.approx(expected, abs=1e-12)


def test_bridge_network_exact():
    # The classic bridge: two paths a-d and b-e, plus a cross link c between them.
    G = nx.DiGraph()
    for v in "abcde":
        G.add_node(v, availability=0.9)
    G.add_edges_from([("s", "a"), ("s", "b"), ("a", "d"), ("b", "e"), ("a", "c"), ("c", "e"),
                      ("d", "t"), ("e", "t")])
    p = 0.9
    # brute force over all 2^5 states with networkx, independently of the factoring code
    brute = 0.0
    for states in product([0, 1], repeat=5):
        up = {v for v, s in zip("abcde", states) if s}
        weight = math.prod(p if s else 1 - p for s in states)
        H = G.subgraph(up | {"s", "t"})
        brute += weight * nx.has_path(H, "s", "t")
    assert graph_availability(G, "s", "t") == pytest.approx(brute, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_monte_carlo_within_four_standard_errors(seed):
    G = example_topology({"lb": 2, "web": 2}, {t: 0.9 for t in TIERS})
    exact = graph_availability(G, "users", "data")
    est = simulate_graph_availability(G, "users", "data", trials=4000, seed=seed)
    assert est.standard_error > 0
    assert abs(est.availability - exact) < 4 * est.standard_error
    assert est == simulate_graph_availability(G, "users", "data", trials=4000, seed=seed)


@settings(max_examples=25, deadline=None)
@given(st.fixed_dictionaries({t: st.integers(1, 2) for t in TIERS}),
       st.fixed_dictionaries({t: avail for t in TIERS}),
       st.sampled_from(TIERS))
def test_redundant_copy_never_lowers_availability(redundancy, availability, grow):
    before = graph_availability(example_topology(redundancy, availability), "users", "data")
    more = {**redundancy, grow: redundancy[grow] + 1}
    after = graph_availability(example_topology(more, availability), "users", "data")
    assert after >= before - 1e-15
    assert after > before  # availabilities < 1, so a copy strictly helps


@settings(max_examples=20, deadline=None)
@given(st.fixed_dictionaries({t: st.integers(1, 3) for t in TIERS}))
def test_spofs_are_exactly_the_single_copy_tiers(redundancy):
    spofs = single_points_of_failure(example_topology(redundancy), "users", "data")
    expected = sorted(f"{t}1" for t in TIERS if redundancy[t] == 1)
    assert spofs == expected


def test_spof_includes_failable_entry_and_excludes_bypassed_nodes():
    G = nx.DiGraph([("u", "a"), ("a", "d"), ("u", "b"), ("b", "c"), ("c", "d")])
    nx.set_node_attributes(G, 0.9, "availability")
    assert single_points_of_failure(G, "u", "d") == ["d", "u"]
    G.remove_edge("u", "a")
    assert single_points_of_failure(G, "u", "d") == ["b", "c", "d", "u"]


def test_bad_input_names_the_parameter():
    G = example_topology()
    with pytest.raises(ValueError, match=r"a\[1\]=1.2"):
        serial(0.9, 1.2)
    with pytest.raises(ValueError, match="a="):
        nines(-0.1)
    with pytest.raises(ValueError, match="slo="):
        error_budget_minutes(1.5)
    with pytest.raises(ValueError, match="k=4"):
        k_of_n(4, 3, 0.9)
    with pytest.raises(ValueError, match="entry="):
        graph_availability(G, "nobody", "data")
    with pytest.raises(ValueError, match="exit="):
        single_points_of_failure(G, "users", "nowhere")
    with pytest.raises(ValueError, match="entry="):
        simulate_graph_availability(G, "nobody", "data", trials=10, seed=0)
    G.nodes["web1"]["availability"] = 1.5
    with pytest.raises(ValueError, match="availability"):
        graph_availability(G, "users", "data")
    with pytest.raises(ValueError, match="redundancy"):
        example_topology({"cache": 2})
    with pytest.raises(ValueError, match="mttf"):
        steady_state(0, 1)


def test_exact_refuses_large_graphs_and_points_to_monte_carlo():
    G = tier([0.9] * 19)
    with pytest.raises(ValueError, match="simulate_graph_availability"):
        graph_availability(G, "users", "data")
    est = simulate_graph_availability(G, "users", "data", trials=200, seed=0)
    assert est.availability == 1.0
