"""Leases and fencing tokens on the kernel: who may act, judged by clocks that drift and processes that stop.

A lease is a lock that expires: a hotel key card that stops opening the
door at noon on the day you leave, so that a guest who vanishes does not
keep the room for ever (Gray and Cheriton, "Leases", SOSP 1989). Its safety
rests on time, and the holder and the lock service measure time with
different clocks. The card reader's clock and the guest's watch must agree
well enough that the guest leaves before the reader lets the next guest in.

Two things go wrong, and this module runs both:

- **drift and skew**: the holder counts its lease on its own clock; if that
  clock runs slow, or jumps back, it still believes it holds the lease after
  the service has given it to someone else. The cure is to shorten the lease
  on the holder's side by the drift bound, and to count it with a local
  (monotonic) timer rather than by comparing wall-clock readings.
- **a pause**: a holder checks its lease, then stops (a garbage-collection
  pause, a VM migration) and acts after waking with the lease long gone. No
  check by the holder can prevent it. The cure is a **fencing token**: the
  service numbers its grants, the holder sends its number with every write,
  and the storage rejects a number lower than one it has already seen
  (Kleppmann, *Designing Data-Intensive Applications*, 2017, chapter 8).

Notes
-----
The lock service grants the lease of ``lease_s`` on its own clock, timed from
when the request arrives; the holder starts its own count when it sends the
request, so its belief never starts before the grant. With one-way delay
``L``, holder drift ``d_h`` and service drift ``d_s``, the holder's belief
outlasts the service's lease by
``local_lease_s / (1 + d_h) - lease_s / (1 + d_s) - 2 L`` (negative: a gap).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from labsupport.checks import check_number
from labsupport.seeds import Seed
from labsupport.sim import Node, Simulation, TraceEvent
from labsupport.sim.clock import check_drift
from labsupport.sim.nemesis import Nemesis, Skew

__all__ = ["Grant", "Write", "FencedStorage", "LeaseRun", "run_lease", "safe_local_lease_s", "theory_overlap_s"]


class Grant(NamedTuple):
    """The lock service's answer: the fencing token (grants are numbered 1, 2, ...) and the lease length."""

    token: int
    lease_s: float


class Write(NamedTuple):
    """A write to the storage, carrying the writer's fencing token."""

    value: Any
    token: int


class LockService(Node):
    """Grants one lease at a time, for ``lease_s`` on its own clock; later requests wait their turn."""

    def __init__(self, name: str, *, lease_s: float):
        super().__init__(name)
        self.lease_s, self.token, self.holder = lease_s, 0, None
        self.waiting: list = []
        self.grants: list[tuple[str, int, float]] = []  # (holder, token, real time of the grant)
        self.expiries: list[tuple[int, float]] = []  # (token, real time the lease ran out here)

    def on_acquire(self, msg) -> None:
        if self.holder is None:
            self.grant(msg)
        else:
            self.waiting.append(msg)

    def grant(self, msg) -> None:
        self.token += 1
        self.holder = msg.src
        self.grants.append((msg.src, self.token, self.now))
        self.reply(msg, "granted", Grant(self.token, self.lease_s))
        self.set_local_timer(self.lease_s, self.expire, self.token)

    def expire(self, token: int) -> None:
        if token == self.token:
            self.expiries.append((token, self.now))
            self.holder = None
            if self.waiting:
                self.grant(self.waiting.pop(0))


class FencedStorage(Node):
    """Stores one value; with ``fencing`` it rejects a write whose token is lower than one already seen."""

    def __init__(self, name: str, *, fencing: bool):
        super().__init__(name)
        self.fencing, self.highest, self.value = fencing, 0, None
        self.log: list[tuple[float, str, int, Any, bool]] = []  # (time, writer, token, value, accepted)

    def on_write(self, msg) -> None:
        write = msg.payload
        accepted = not (self.fencing and write.token < self.highest)
        if accepted:
            self.highest, self.value = max(self.highest, write.token), write.value
        self.log.append((self.now, msg.src, write.token, write.value, accepted))
        self.reply(msg, "ok" if accepted else "rejected", None)


class Holder(Node):
    """Acquires the lease at ``start_s`` and, while it believes it holds it, writes every ``every_s``.

    It counts its lease as ``local_lease_s`` on its own clock from the moment
    it asked: with a local timer, or (``by_clock``) by comparing readings of
    its clock, which a skew can jump. Each write follows its check by
    ``compute_s`` (preparing the write). With ``pause_s``, the first check
    at or after ``pause_at_s`` is followed at once by a pause of the node
    (a garbage-collection stall, :meth:`Simulation.pause`): the danger.
    """

    def __init__(self, name: str, *, start_s: float, local_lease_s: float, every_s: float,
                 compute_s: float, by_clock: bool = False, pause_at_s: float = 0.0, pause_s: float = 0.0):
        super().__init__(name)
        self.start_s, self.local_lease_s, self.every_s = start_s, local_lease_s, every_s
        self.compute_s, self.by_clock = compute_s, by_clock
        self.pause_at_s, self.pause_s = pause_at_s, pause_s
        self.token, self.timer_over, self.until = 0, False, 0.0
        self.first_s: float | None = None  # real time of the grant's arrival
        self.end_s: float | None = None  # real time its belief ended (timer fired, or first failed check)

    def believes(self) -> bool:
        if self.by_clock:
            if self.clock() >= self.until and self.end_s is None:
                self.end_s = self.now
            return self.end_s is None
        return not self.timer_over

    def over(self) -> None:
        self.timer_over = True
        if not self.by_clock:
            self.end_s = self.now

    def start(self):
        yield self.sleep(self.start_s)
        self.until = self.clock() + self.local_lease_s
        self.set_local_timer(self.local_lease_s, self.over)
        reply = yield self.request("lock", "acquire", None)
        self.token, self.first_s = reply.payload.token, self.now
        n = 0
        while self.believes():
            if self.pause_s and self.now >= self.pause_at_s:
                self.sim.pause(self.name, duration_s=self.pause_s)  # right after a successful check
                self.pause_s = 0.0
            yield self.sleep(self.compute_s)  # preparing the write; the lease was valid at the check
            n += 1
            self.send("storage", "write", Write(f"{self.name}{n}", self.token))
            yield self.sleep(self.every_s)


@dataclass(frozen=True)
class LeaseRun:
    """One run: the grants, each holder's belief, the storage's log, and the trace.

    Attributes
    ----------
    grants : tuple
        ``(holder, token, granted_s)`` in order.
    expiries : tuple
        ``(token, expired_s)``: when each lease ran out at the lock service.
    beliefs : dict
        For each holder that got the lease, ``(first_s, end_s)``: when the
        grant arrived and when its belief ended (real time; the timer fired,
        or a check of its clock first failed).
    log : tuple
        ``(time_s, writer, token, value, accepted)`` for every write the storage received.
    stale_accepted : int
        Writes the storage accepted from a holder whose lease had already been granted to another.
    final_value : Any
    final_stale : bool
        Whether the write that left ``final_value`` was such a stale write.
    trace : tuple of TraceEvent
    """

    grants: tuple[tuple[str, int, float], ...]
    expiries: tuple[tuple[int, float], ...]
    beliefs: dict[str, tuple[float, float]]
    log: tuple[tuple[float, str, int, Any, bool], ...]
    stale_accepted: int
    final_value: Any
    final_stale: bool
    trace: tuple[TraceEvent, ...]

    @property
    def overlap_s(self) -> float:
        """How long both holders believed they held the lease (negative: the gap between them)."""
        (first, _, _), (second, _, _) = self.grants[0], self.grants[1]
        return self.beliefs[first][1] - self.beliefs[second][0]


def run_lease(*, lease_s: float = 2.0, local_lease_s: float | None = None, holder_drift: float = 0.0,
              service_drift: float = 0.0, skew_s: float = 0.0, by_clock: bool = False,
              pause_s: float = 0.0, fencing: bool = False, latency_s: float = 0.001,
              every_s: float = 0.01, seed: Seed = None) -> LeaseRun:
    """Holder ``a`` takes the lease at 0 s; holder ``b`` asks at 90 % of the lease and gets it when ``a``'s expires.

    ``a``'s clock runs at ``1 + holder_drift`` and, at half the lease, jumps
    by ``skew_s``; the service's runs at ``1 + service_drift``. With
    ``pause_s`` > 0, ``a`` stops for that long just after its first check at
    or after half its lease. Both write to one storage, every ``every_s``,
    fenced or not. ``b`` holds for one lease.

    Examples
    --------
    A paused holder's late write overwrites its successor's, unless fenced:

    >>> run = run_lease(pause_s=3.0, seed=1)
    >>> run.stale_accepted, run.final_value, run.final_stale
    (1, 'a92', True)
    >>> fenced = run_lease(pause_s=3.0, fencing=True, seed=1)
    >>> fenced.stale_accepted, fenced.final_value, fenced.final_stale
    (0, 'b164', False)
    """
    lease_s = check_number("lease_s", lease_s, low=0, low_open=True)
    local = lease_s if local_lease_s is None else check_number("local_lease_s", local_lease_s, low=0, low_open=True)
    check_number("pause_s", pause_s, low=0)
    check_number("skew_s", skew_s)
    check_drift("holder_drift", holder_drift)
    check_drift("service_drift", service_drift)
    every_s = check_number("every_s", every_s, low=0, low_open=True)
    sim = Simulation(seed=seed, latency=check_number("latency_s", latency_s, low=0))
    sim.add(LockService("lock", lease_s=lease_s))
    sim.add(FencedStorage("storage", fencing=fencing))
    compute_s = every_s / 10
    sim.add(Holder("a", start_s=0.0, local_lease_s=local, every_s=every_s, compute_s=compute_s, by_clock=by_clock,
                   pause_at_s=lease_s / 2, pause_s=pause_s))
    sim.add(Holder("b", start_s=0.9 * lease_s, local_lease_s=lease_s, every_s=every_s, compute_s=compute_s))
    sim.set_clock("a", drift=holder_drift)
    sim.set_clock("lock", drift=service_drift)
    half = lease_s / 2
    if skew_s:  # a's reading jumps by skew_s: from then it reads true time plus its old error plus skew_s
        Nemesis([Skew(node="a", at_s=half, offset_s=half * holder_drift + skew_s)]).apply(sim)
    sim.run(until=3 * lease_s + pause_s)
    lock, storage = sim.nodes["lock"], sim.nodes["storage"]
    granted = {token: when for _, token, when in lock.grants}
    stale = [ok and token + 1 in granted and t > granted[token + 1] for t, _, token, _, ok in storage.log]
    last = max((i for i, entry in enumerate(storage.log) if entry[4]), default=None)
    beliefs = {n: (sim.nodes[n].first_s, sim.nodes[n].end_s) for n in ("a", "b") if sim.nodes[n].first_s is not None}
    return LeaseRun(tuple(lock.grants), tuple(lock.expiries), beliefs, tuple(storage.log), sum(stale), storage.value,
                    last is not None and stale[last], tuple(sim.trace))


def safe_local_lease_s(lease_s: float, drift_bound: float) -> float:
    """The longest lease a holder may count on its own clock, if every clock's drift is within ``drift_bound``.

    The holder's count lasts at most ``local / (1 - drift_bound)`` real
    seconds; the service's lease at least ``lease_s / (1 + drift_bound)``.

    Examples
    --------
    >>> round(safe_local_lease_s(10.0, 0.01), 4)
    9.802
    """
    lease_s = check_number("lease_s", lease_s, low=0, low_open=True)
    drift_bound = check_number("drift_bound", drift_bound, low=0, high=1, high_open=True)
    return lease_s * (1 - drift_bound) / (1 + drift_bound)


def theory_overlap_s(lease_s: float, local_lease_s: float, *, holder_drift: float = 0.0,
                     service_drift: float = 0.0, latency_s: float = 0.001, skew_s: float = 0.0,
                     by_clock: bool = False) -> float:
    """How long the holder believes after its successor's grant (negative: a gap), from the Notes' formula.

    A skew moves a belief counted ``by_clock`` by ``-skew_s``; a local timer ignores it.

    Examples
    --------
    >>> round(theory_overlap_s(2.0, 2.0, holder_drift=-0.01, latency_s=0.001), 4)
    0.0182
    """
    lease_s = check_number("lease_s", lease_s, low=0, low_open=True)
    local_lease_s = check_number("local_lease_s", local_lease_s, low=0, low_open=True)
    latency_s = check_number("latency_s", latency_s, low=0)
    skew_s = check_number("skew_s", skew_s)
    holder_drift = check_drift("holder_drift", holder_drift)
    service_drift = check_drift("service_drift", service_drift)
    held = local_lease_s / (1 + holder_drift) - (skew_s / (1 + holder_drift) if by_clock else 0)
    return held - lease_s / (1 + service_drift) - 2 * latency_s
