"""Systems Manager Run Command rate control: rolling a command out to a fleet safely.

A building manager changing every lock in a tower does not send fifty
locksmiths at once: one goes first, and if the new locks jam, the work stops
before every door is broken. Run Command offers the same two dials when it
sends one command to many managed nodes: **max concurrency**, how many nodes
run the command at the same time, and **max errors**, how many failures are
tolerated before it stops sending the command to further nodes.

Documented behaviour (AWS Systems Manager User Guide, "Using targets and rate
controls to send commands to a fleet", send-commands-multiple.html; SendCommand
API reference; "Understanding command statuses", monitor-commands.html):

* Both settings take an absolute number or a percentage of the target set.
  MaxConcurrency matches ``^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`` (at
  least 1), MaxErrors ``^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`` (0
  allowed); defaults 50 and 0.
* "If you specify 3, for example, the system stops sending the command when
  the fourth error is received. If you specify 0, then the system stops
  sending the command to additional [nodes] after the first error result is
  returned. If you send a command to 50 [nodes] and set max-errors to 10%, then
  the system stops sending the command to additional [nodes] when the sixth
  error is received." The threshold must be *exceeded*, not reached.
* "Invocations that are already running a command when max-errors is reached
  are allowed to complete, but some of these invocations may fail as well."
  Only ``max_concurrency=1`` guarantees no more than max-errors failures.
* Failed and Execution Timed Out count against MaxErrors; "Delivery timeouts
  don't count against the parent command's MaxErrors limit".
* Ramp-up: "The queueing system delivers the command to a single [node] and
  waits until the initial invocation completes before sending the command to
  two more [nodes]. The system exponentially sends commands to more [nodes]
  until the value of max-concurrency is met."

Our choices where the documentation is silent:

* A percentage is turned into a count by rounding **down**; for concurrency
  the result is at least 1 (the rule CloudFormation StackSets document for
  their own percentages). The documented examples (10% of 50 -> 5) are exact.
* The ramp-up is modelled as TCP slow start: the window starts at 1 and grows
  by one with every completed invocation until it reaches max concurrency,
  which reproduces "one, then two more" and doubles each round.
* A node that is unreachable occupies its slot until ``delivery_timeout_s``.

Why invocations and not messages: delivering a command takes milliseconds and
running it tens of seconds, and what rate control decides is how many
invocations are in flight and when the error threshold stops the rollout. Each
invocation is therefore a simpy process that lasts its run time and reports back
at once; modelling the delivery as kernel messages (:mod:`labsupport.sim`) would
add delays three orders of magnitude smaller than the ones that matter.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import simpy

from labsupport.seeds import Seed, derive_rng
from labsupport.checks import check_int, check_number, check_probability, out_of_range

__all__ = ["STATUSES", "resolve_rate", "Invocation", "RolloutResult", "run_rollout", "expected_blast_radius",
           "expected_errors", "rollout_waves"]

STATUSES = ("Success", "Failed", "DeliveryTimedOut", "NotSent")
_CONCURRENCY = re.compile(r"[1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%")
_ERRORS = re.compile(r"[1-9][0-9]*|0|[1-9][0-9]%|[0-9]%|100%")


def resolve_rate(value: int | str, n_targets: int, *, name: str) -> int:
    """Turn a MaxConcurrency (``name="max_concurrency"``) or MaxErrors value into a count for ``n_targets``.

    Examples
    --------
    >>> resolve_rate("10%", 50, name="max_errors"), resolve_rate("10%", 25, name="max_errors")
    (5, 2)
    >>> resolve_rate("1%", 30, name="max_concurrency"), resolve_rate(0, 30, name="max_errors")
    (1, 0)
    >>> resolve_rate("0%", 30, name="max_concurrency")
    Traceback (most recent call last):
    ValueError: max_concurrency='0%' is not valid; choose a whole number >= 1 or a percentage 1%..100%
    """
    if name not in ("max_concurrency", "max_errors"):
        raise ValueError(f"name={name!r}; choose 'max_concurrency' or 'max_errors'")
    check_int("n_targets", n_targets, low=1)
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    pattern, valid = ((_CONCURRENCY, "a whole number >= 1 or a percentage 1%..100%") if name == "max_concurrency"
                      else (_ERRORS, "a whole number >= 0 or a percentage 0%..100%"))
    if not isinstance(text, str) or len(text) > 7 or not pattern.fullmatch(text):
        raise out_of_range(name, value, valid, why="is not valid")
    if not text.endswith("%"):
        return int(text)
    count = int(text[:-1]) * n_targets // 100  # round down (our choice; see the module notes)
    return max(1, count) if name == "max_concurrency" else count


@dataclass(frozen=True)
class Invocation:
    """The command on one node: when it was sent and finished, and how it ended."""

    node: int
    sent_s: float | None
    finished_s: float | None
    status: str


@dataclass(frozen=True)
class RolloutResult:
    """One rollout: settings, every invocation, and the numbers that matter."""

    n_targets: int
    max_concurrency: int
    max_errors: int
    ramp_up: bool
    invocations: tuple[Invocation, ...]
    stopped_at_s: float | None  # when the error threshold was exceeded (None: never)

    @property
    def errors(self) -> int:
        return sum(i.status == "Failed" for i in self.invocations)

    @property
    def blast_radius(self) -> int:
        """Nodes the command was sent to (all that could have been harmed)."""
        return sum(i.sent_s is not None for i in self.invocations)

    @property
    def duration_s(self) -> float:
        return max((i.finished_s for i in self.invocations if i.finished_s is not None), default=0.0)


def run_rollout(n_targets: int = 50, max_concurrency: int | str = 50, max_errors: int | str = 0, *,
                failure_probability: float = 0.0, unreachable_probability: float = 0.0,
                mean_duration_s: float = 30.0, deterministic_duration: bool = False,
                delivery_timeout_s: float = 120.0, ramp_up: bool = True, seed: Seed = None) -> RolloutResult:
    """Send one command to ``n_targets`` nodes with Run Command's rate controls, on simpy.

    Each node independently fails the command with ``failure_probability`` or is
    unreachable with ``unreachable_probability``; a run takes an exponential time
    with mean ``mean_duration_s`` (exactly that long if ``deterministic_duration``).

    Examples
    --------
    A command that fails everywhere, 50 nodes, 10 at a time, max errors 2, no ramp-up:
    the third error stops it, and the nine others in flight finish (and fail).

    >>> r = run_rollout(50, 10, 2, failure_probability=1.0, ramp_up=False, seed=1)
    >>> r.errors, r.blast_radius
    (12, 12)
    >>> run_rollout(50, 10, 2, ramp_up=True, failure_probability=1.0, seed=1).blast_radius
    5
    """
    c = resolve_rate(max_concurrency, n_targets, name="max_concurrency")
    e = resolve_rate(max_errors, n_targets, name="max_errors")
    check_probability("failure_probability", failure_probability)
    check_probability("unreachable_probability", unreachable_probability)
    if failure_probability + unreachable_probability > 1:
        raise ValueError("failure_probability + unreachable_probability must not exceed 1")
    for name, v in (("mean_duration_s", mean_duration_s), ("delivery_timeout_s", delivery_timeout_s)):
        check_number(name, v, low=0, low_open=True)
    outcome_rng, duration_rng = derive_rng(seed, "ssm:outcome"), derive_rng(seed, "ssm:duration")

    def draw_fate():
        """The next node's outcome and run time: drawn in node order from two streams of their own, so settings
        never change a node's fate (only nodes the command is sent to need theirs)."""
        u, d = outcome_rng.random(), duration_rng.expovariate(1 / mean_duration_s)
        fate = "Failed" if u < failure_probability else (
            "DeliveryTimedOut" if u < failure_probability + unreachable_probability else "Success")
        return fate, delivery_timeout_s if fate == "DeliveryTimedOut" else (
            mean_duration_s if deterministic_duration else d)

    env = simpy.Environment()
    state = {"window": 1 if ramp_up else c, "in_flight": 0, "next": 0, "errors": 0, "stopped": None}
    records: dict[int, Invocation] = {}
    wake = [env.event()]

    def invoke(node, fate, took_s):
        sent = env.now
        yield env.timeout(took_s)
        records[node] = Invocation(node, sent, env.now, fate)
        state["in_flight"] -= 1
        if ramp_up and state["window"] < c:
            state["window"] += 1
        if fate == "Failed":
            state["errors"] += 1
            if state["errors"] > e and state["stopped"] is None:
                state["stopped"] = env.now
        if not wake[0].triggered:
            wake[0].succeed()

    def dispatcher():
        while state["next"] < n_targets and state["stopped"] is None:
            while state["in_flight"] < state["window"] and state["next"] < n_targets:
                env.process(invoke(state["next"], *draw_fate()))
                state["in_flight"] += 1
                state["next"] += 1
            wake[0] = env.event()
            yield wake[0]

    env.process(dispatcher())
    env.run()
    invocations = tuple(records[i] if i in records else Invocation(i, None, None, "NotSent") for i in range(n_targets))
    return RolloutResult(n_targets, c, e, ramp_up, invocations, state["stopped"])


def _check_theory_args(n, c, e, q):
    check_int("n", n, low=1)
    check_int("concurrency", c, low=1)
    check_int("errors_allowed", e, low=0)
    check_probability("failure_probability", q, open_low=True)


def _stop_pmf(n, e, q):
    """P(the (e+1)-th failure is the t-th completion), t = e+1..n (a negative binomial)."""
    return {t: math.comb(t - 1, e) * q ** (e + 1) * (1 - q) ** (t - 1 - e) for t in range(e + 1, n + 1)}


def expected_blast_radius(n: int, concurrency: int, errors_allowed: int, *, failure_probability: float) -> float:
    """Expected number of nodes that receive the command, without ramp-up.

    While targets remain, ``concurrency`` invocations are always in flight. If
    the ``(e+1)``-th failure is the ``T``-th invocation to complete, the command
    has been sent to ``min(n, T + concurrency - 1)`` nodes when it stops; ``T``
    is negative-binomial because outcomes are independent of durations. If fewer
    than ``e+1`` of all ``n`` fail, every node is reached.

    Examples
    --------
    >>> expected_blast_radius(50, 10, 2, failure_probability=1.0)    # always fails: e + 1 errors, plus c - 1 in flight
    12.0
    >>> round(expected_blast_radius(50, 1, 0, failure_probability=0.1), 3)  # one at a time: a truncated geometric
    9.948
    """
    _check_theory_args(n, concurrency, errors_allowed, failure_probability)
    pmf = _stop_pmf(n, errors_allowed, failure_probability)
    stopped = sum(p * min(n, t + concurrency - 1) for t, p in pmf.items())
    return stopped + n * (1 - sum(pmf.values()))


def expected_errors(n: int, concurrency: int, errors_allowed: int, *, failure_probability: float) -> float:
    """Expected number of failed invocations, without ramp-up (the stop's own ``e+1`` plus failures in flight).

    Examples
    --------
    >>> expected_errors(50, 10, 2, failure_probability=1.0), expected_errors(50, 1, 2, failure_probability=0.5)
    (12.0, 3.0)
    """
    _check_theory_args(n, concurrency, errors_allowed, failure_probability)
    q, e = failure_probability, errors_allowed
    pmf = _stop_pmf(n, e, q)
    stopped = sum(p * (e + 1 + q * min(concurrency - 1, n - t)) for t, p in pmf.items())
    never = sum(k * math.comb(n, k) * q ** k * (1 - q) ** (n - k) for k in range(min(e, n) + 1))
    return stopped + never


def rollout_waves(n: int, concurrency: int, *, ramp_up: bool = True) -> list[int]:
    """Sizes of the successive waves when every invocation takes the same time and none fails.

    The rollout then lasts ``len(waves)`` times the invocation time.

    Examples
    --------
    >>> rollout_waves(50, 10), rollout_waves(50, 10, ramp_up=False)
    ([1, 2, 4, 8, 10, 10, 10, 5], [10, 10, 10, 10, 10])
    """
    _check_theory_args(n, concurrency, 0, 1.0)
    waves, window, left = [], 1 if ramp_up else concurrency, n
    while left:
        size = min(window, left)
        waves.append(size)
        left -= size
        window = min(concurrency, window + size) if ramp_up else window
    return waves
