"""Target selection policies: how a load balancer picks the server for one request.

A policy is any object with one method::

    choose(targets, state, rng) -> target

``targets`` is a non-empty sequence of candidate targets (already filtered to
the healthy ones, in a fixed order), ``state`` is a :class:`BalancerState`
(what the balancer knows: in-flight requests per target and the request's
key) and ``rng`` is a :class:`random.Random` to draw from; never use the
module-level ``random`` functions. A policy may keep its own memory between
calls (round robin remembers whose turn it is). That is the whole interface,
so a student's class plugs in wherever these do::

    class FirstTarget:
        name = "first"
        def choose(self, targets, state, rng):
            return targets[0]

In :func:`~labsupport.availability.load_balancing.farm.run_farm` the targets are server
indices ``0 .. n-1`` and ``state.outstanding`` is a list, so write
``state.outstanding[target]`` and the policy works there and in a
:class:`~labsupport.availability.load_balancing.health.TargetGroup` alike.

Where AWS does this: an Application Load Balancer target group offers
``round_robin`` (the default), ``least_outstanding_requests`` and
``weighted_random`` (Elastic Load Balancing User Guide, "Edit target group
attributes for your Application Load Balancer", section *Routing algorithm*).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from labsupport.checks import check_int, check_number, check_type, out_of_range

__all__ = [
    "Target", "BalancerState", "Policy",
    "RoundRobin", "RandomChoice", "WeightedRoundRobin", "WeightedRandom",
    "LeastOutstandingRequests", "PowerOfChoices", "ConsistentHashAffinity",
    "POLICY_NAMES", "make_policy",
]

Target = Hashable


class BalancerState:
    """What a balancer node knows when it picks a target; read it, do not change it.

    Attributes
    ----------
    outstanding : Mapping or Sequence
        ``outstanding[target]`` is the number of requests the balancer has sent
        to ``target`` that have not completed yet (queued plus in service).
    key : hashable or None
        The request's routing key (a client or session id), for affinity policies.

    Examples
    --------
    >>> BalancerState([0, 2, 1]).outstanding[1]
    2
    """

    __slots__ = ("outstanding", "key")

    def __init__(self, outstanding: Mapping | Sequence | None = None, key: Hashable = None):
        self.outstanding = defaultdict(int) if outstanding is None else outstanding
        self.key = key


@runtime_checkable
class Policy(Protocol):
    """The policy interface: one ``choose`` method (see the module docstring)."""

    def choose(self, targets: Sequence[Target], state: BalancerState,
               rng: random.Random) -> Target: ...


def _require(targets: Sequence[Target]) -> int:
    n = len(targets)
    if n == 0:  # TargetGroup.route returns NoHealthyTarget before calling a policy
        raise out_of_range("targets", targets, "at least one candidate target", why="is empty")
    return n


class RoundRobin:
    """Each candidate in turn, in a fixed order (the ALB default, ``round_robin``).

    Examples
    --------
    >>> rr, rng = RoundRobin(), random.Random(0)
    >>> [rr.choose("abc", BalancerState(), rng) for _ in range(4)]
    ['a', 'b', 'c', 'a']
    """

    name = "round_robin"

    def __init__(self) -> None:
        self._turn = 0

    def choose(self, targets, state, rng):
        n = _require(targets)
        target = targets[self._turn % n]
        self._turn += 1
        return target


class RandomChoice:
    """A uniformly random candidate, ignoring load.

    Examples
    --------
    >>> RandomChoice().choose("abc", BalancerState(), random.Random(1))
    'a'
    """

    name = "random"

    def choose(self, targets, state, rng):
        return targets[int(rng.random() * _require(targets))]


def _check_weights(weights: Mapping[Target, float]) -> dict[Target, float]:
    if not check_type("weights", weights, Mapping):
        raise out_of_range("weights", weights, "a mapping target -> weight >= 0", why="is empty")
    for target, w in weights.items():
        check_number(f"weights[{target!r}]", w, low=0)
    return dict(weights)


def _weights_of(weights: dict, targets: Sequence[Target]) -> list[float]:
    try:
        ws = [weights[t] for t in targets]
    except KeyError as missing:
        raise ValueError(f"target {missing.args[0]!r} has no weight; give every target a "
                         "weight >= 0") from None
    if sum(ws) <= 0:
        raise ValueError("every candidate target has weight 0; give at least one a weight > 0")
    return ws


class WeightedRoundRobin:
    """Round robin in proportion to weights, interleaved smoothly.

    Each call adds every candidate's weight to its credit, picks the candidate
    with the most credit and charges it the total weight, so weights 5:1:1
    give ``a a b a c a a`` rather than ``a a a a a b c``.

    Examples
    --------
    >>> wrr, rng = WeightedRoundRobin({"a": 5, "b": 1, "c": 1}), random.Random(0)
    >>> "".join(wrr.choose("abc", BalancerState(), rng) for _ in range(7))
    'aabacaa'
    """

    name = "weighted_round_robin"

    def __init__(self, weights: Mapping[Target, float]):
        self.weights = _check_weights(weights)
        self._members: tuple = ()
        self._credit: dict[Target, float] = {}

    def choose(self, targets, state, rng):
        _require(targets)
        ws = _weights_of(self.weights, targets)
        if tuple(targets) != self._members:   # candidate set changed: start afresh
            self._members = tuple(targets)
            self._credit = dict.fromkeys(targets, 0.0)
        credit = self._credit
        best = None
        for target, w in zip(targets, ws):
            credit[target] += w
            if best is None or credit[target] > credit[best]:
                best = target
        credit[best] -= sum(ws)
        return best


class WeightedRandom:
    """A random candidate with probability proportional to its weight (ALB ``weighted_random``).

    Examples
    --------
    >>> wr, rng = WeightedRandom({"a": 3, "b": 1}), random.Random(2)
    >>> picks = [wr.choose("ab", BalancerState(), rng) for _ in range(1000)]
    >>> round(picks.count("a") / 1000, 1)
    0.8
    """

    name = "weighted_random"

    def __init__(self, weights: Mapping[Target, float]):
        self.weights = _check_weights(weights)

    def choose(self, targets, state, rng):
        _require(targets)
        return rng.choices(targets, weights=_weights_of(self.weights, targets))[0]


class LeastOutstandingRequests:
    """The candidate with the fewest in-flight requests (ALB ``least_outstanding_requests``).

    AWS documents the rule ("routes requests to the targets with the lowest
    number of in progress requests") but not how ties are broken; here a tie
    is broken uniformly at random, so idle targets share the work evenly.
    O(number of candidates) per request.

    Examples
    --------
    >>> LeastOutstandingRequests().choose("abc", BalancerState({"a": 3, "b": 0, "c": 1}),
    ...                                   random.Random(0))
    'b'
    """

    name = "least_outstanding_requests"

    def choose(self, targets, state, rng):
        _require(targets)
        return _least_outstanding(targets, state.outstanding, rng)


def _least_outstanding(targets, outstanding, rng):
    low, best = math.inf, []
    for target in targets:
        count = outstanding[target]
        if count < low:
            low, best = count, [target]
        elif count == low:
            best.append(target)
    return best[0] if len(best) == 1 else best[int(rng.random() * len(best))]


class PowerOfChoices:
    """Sample ``d`` distinct candidates at random and take the one with fewest in-flight requests.

    With ``d = 2`` this is "the power of two choices" (Mitzenmacher, IEEE TPDS
    2001): close to least-outstanding-requests while looking at only two
    targets. Ties go to the first sampled, which is itself random. If ``d`` is
    at least the number of candidates (e.g. after health checks removed some),
    all candidates are compared.

    Examples
    --------
    >>> p2c, rng = PowerOfChoices(2), random.Random(3)
    >>> state = BalancerState({"a": 5, "b": 0, "c": 5, "d": 5})
    >>> picks = [p2c.choose("abcd", state, rng) for _ in range(1000)]
    >>> round(picks.count("b") / 1000, 1)   # the idle target is seen (and taken) half the time
    0.5
    """

    name = "power_of_choices"

    def __init__(self, d: int = 2):
        check_int("d", d, low=1)  # and <= the number of targets
        self.d = d
        self.name = f"power_of_{d}"

    def choose(self, targets, state, rng):
        n = _require(targets)
        outstanding, d = state.outstanding, self.d
        if d >= n:
            return _least_outstanding(targets, outstanding, rng)
        if d == 2:
            i = int(rng.random() * n)
            j = int(rng.random() * (n - 1))
            a, b = targets[i], targets[j + (j >= i)]
            return b if outstanding[b] < outstanding[a] else a
        return min((targets[i] for i in rng.sample(range(n), d)), key=outstanding.__getitem__)


def _ring_point(label: str) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "big")


class ConsistentHashAffinity:
    """Stickiness by request key: a minimal hash ring over the candidates.

    Each candidate owns ``vnodes`` points on a 64-bit ring; a request goes to
    the owner of the first point clockwise from the hash of ``state.key``. The
    same key reaches the same target while the candidate set is unchanged, and
    when a target leaves only its keys move. (The full consistent-hashing
    mechanism lives in its own module; this one is private to load balancing.)

    Examples
    --------
    >>> ch, rng = ConsistentHashAffinity(), random.Random(0)
    >>> first = ch.choose("abc", BalancerState(key="user-42"), rng)
    >>> all(ch.choose("abc", BalancerState(key="user-42"), rng) == first for _ in range(5))
    True
    """

    name = "consistent_hash"

    def __init__(self, vnodes: int = 64):
        check_int("vnodes", vnodes, low=1)
        self.vnodes = vnodes
        self._members: tuple = ()
        self._points: list[int] = []
        self._owners: list[Target] = []

    def choose(self, targets, state, rng):
        _require(targets)
        if state.key is None:
            raise ValueError("ConsistentHashAffinity needs a request key: state.key is None")
        if tuple(targets) != self._members:
            self._members = tuple(targets)
            ring = sorted((_ring_point(f"{t!r}#{v}"), i)
                          for i, t in enumerate(self._members) for v in range(self.vnodes))
            self._points = [p for p, _ in ring]
            self._owners = [self._members[i] for _, i in ring]
        i = bisect.bisect(self._points, _ring_point(repr(state.key))) % len(self._points)
        return self._owners[i]


POLICY_NAMES = ("round_robin", "random", "least_outstanding_requests", "power_of_two",
                "consistent_hash")


def make_policy(name: str):
    """A fresh policy from its name, one of :data:`POLICY_NAMES`.

    Examples
    --------
    >>> make_policy("power_of_two").name
    'power_of_2'
    """
    factories = {"round_robin": RoundRobin, "random": RandomChoice,
                 "least_outstanding_requests": LeastOutstandingRequests,
                 "power_of_two": lambda: PowerOfChoices(2),
                 "consistent_hash": ConsistentHashAffinity}
    if name not in factories:
        raise ValueError(f"policy name {name!r} is unknown; choose one of {POLICY_NAMES}")
    return factories[name]()
