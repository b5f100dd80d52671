"""SWIM membership: finding dead members by probing, and telling everyone by gossip.

A night watchman on a ward does not listen to every patient at once: each
round he checks one bed at random; if the patient does not answer, he asks
two colleagues to try too (the call may simply not have been heard), and
only then raises the alarm. SWIM (Das, Gupta and Motivala, "SWIM: Scalable
Weakly-consistent Infection-style process group Membership protocol",
DSN 2002) works like that: every protocol period ``period_s`` each member
**pings** one random member; without an ack within ``ping_timeout_s`` it asks
``k`` others to **ping-req** the target; without any ack by ``probe_timeout_s``
it declares the target failed. The news is not multicast: it rides
(**piggybacks**) on the pings and acks the protocol sends anyway, each update
a bounded number of times (infection style).

With ``suspicion=True`` the first verdict is only **suspect**: the suspected
member, when the rumour reaches it, **refutes** it by gossiping ``alive`` with
a higher **incarnation** number; a suspicion not refuted within
``suspicion_timeout_s`` becomes **dead**. This trades detection time for
fewer live members declared dead when messages are lost.

:func:`probe_failure_probability` and :func:`expected_first_detection_s` are
the closed forms the page prints beside the measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from labsupport.checks import check_int, check_number, check_probability, out_of_range
from labsupport.seeds import Seed
from labsupport.sim import Node, Simulation

__all__ = ["Update", "Ping", "PingReq", "SwimNode", "SwimRun", "run_swim", "probe_failure_probability",
           "expected_first_detection_s"]

_RANK = {"alive": 0, "suspect": 1, "dead": 2}


class Update(NamedTuple):
    """A membership rumour: ``member`` is ``status`` ("alive", "suspect", "dead") at ``incarnation``."""

    member: str
    status: str
    incarnation: int


class Ping(NamedTuple):
    """A probe (and its ack): the updates piggybacked on it."""

    updates: tuple[Update, ...]


class PingReq(NamedTuple):
    """Ask a helper to probe ``target`` for the sender."""

    target: str
    updates: tuple[Update, ...]


def _overrides(new: Update, old: Update) -> bool:
    """SWIM's precedence: dead beats all; otherwise the higher incarnation, then suspect over alive."""
    if old.status == "dead":
        return False
    if new.status == "dead":
        return True
    return (new.incarnation, _RANK[new.status]) > (old.incarnation, _RANK[old.status])


class SwimNode(Node):
    """One member of a SWIM group; ``declared`` lists its own verdicts as ``(time, member, status)``.

    Examples
    --------
    >>> from labsupport.sim import Simulation
    >>> sim = Simulation(seed=1, latency=0.01)
    >>> a, b = (sim.add(SwimNode(x, ["a", "b"], period_s=1.0, ping_timeout_s=0.2, probe_timeout_s=0.8, k=1,
    ...                          suspicion=True, suspicion_timeout_s=3.0, retransmit=3)) for x in "ab")
    >>> sim.crash("b", at=2.5)
    >>> sim.run(until=8.0)
    >>> a.declared
    [(3.8, 'b', 'suspect'), (6.8, 'b', 'dead')]
    """

    def __init__(self, name: str, members: list[str], *, period_s: float, ping_timeout_s: float,
                 probe_timeout_s: float, k: int, suspicion: bool, suspicion_timeout_s: float, retransmit: int):
        super().__init__(name)
        self.others = [m for m in members if m != name]
        self.period_s = check_number("period_s", period_s, low=0, low_open=True)
        self.probe_timeout_s = check_number("probe_timeout_s", probe_timeout_s, low=0, high=period_s)
        self.ping_timeout_s = check_number("ping_timeout_s", ping_timeout_s, low=0, high=probe_timeout_s)
        self.k, self.suspicion = check_int("k", k, low=0), bool(suspicion)
        self.suspicion_timeout_s = check_number("suspicion_timeout_s", suspicion_timeout_s, low=0)
        self.retransmit = check_int("retransmit", retransmit, low=1)
        self.incarnation = 0
        self.view = {m: Update(m, "alive", 0) for m in self.others}
        self.pending: dict[str, list] = {}  # member -> [update, sends left]
        self.declared: list[tuple[float, str, str]] = []
        self.dead_at: dict[str, float] = {}  # when this member first held each member dead
        self.probes: list[tuple[float, str, bool]] = []  # (time, target, acked)

    def start(self) -> None:
        self._rng = self.sim.rng(f"swim/{self.name}")
        self.set_timer(self.period_s, self._period)

    # -- gossip --------------------------------------------------------
    def _outgoing(self) -> tuple[Update, ...]:
        chosen = sorted(self.pending.items(), key=lambda kv: -kv[1][1])[:8]
        for member, entry in chosen:
            entry[1] -= 1
            if entry[1] <= 0:
                del self.pending[member]
        return tuple(entry[0] for _, entry in chosen)

    def learn(self, updates) -> None:
        """Merge piggybacked updates; refute a suspicion of ourselves."""
        for u in updates:
            if u.member == self.name:
                if u.status == "suspect" and u.incarnation >= self.incarnation:
                    self.incarnation = u.incarnation + 1
                    self._spread(Update(self.name, "alive", self.incarnation))
            elif _overrides(u, self.view[u.member]):
                self._accept(u)

    def _accept(self, u: Update) -> None:
        self.view[u.member] = u
        self._spread(u)
        if u.status == "dead":
            self.dead_at.setdefault(u.member, self.now)
        if u.status == "suspect":
            self.set_timer(self.suspicion_timeout_s, self._confirm, u)

    def _spread(self, u: Update) -> None:
        self.pending[u.member] = [u, self.retransmit]

    def _declare(self, u: Update) -> None:
        self.declared.append((self.now, u.member, u.status))
        self.log(f"{u.status} {u.member}")
        self._accept(u)

    def _confirm(self, u: Update) -> None:
        if self.view[u.member] == u:  # still suspected at that incarnation: nobody refuted it
            self._declare(Update(u.member, "dead", u.incarnation))

    # -- probing -------------------------------------------------------
    def _period(self):
        self.set_timer(self.period_s, self._period)
        live = [m for m in self.others if self.view[m].status != "dead"]
        if not live:
            return
        target = self._rng.choice(live)
        reply = yield from self.wait(self.request(target, "ping", Ping(self._outgoing())), self.ping_timeout_s)
        if reply is None:
            helpers = self._rng.sample([m for m in live if m != target], min(self.k, len(live) - 1))
            events = self.multicast(helpers, "ping_req", PingReq(target, self._outgoing()))
            rest_s = self.probe_timeout_s - self.ping_timeout_s
            got = (yield from self.collect(events, 1, rest_s)) if events else (yield self.sleep(rest_s)) or []
            reply = got[0] if got else None
        self.probes.append((self.now, target, reply is not None))
        if reply is not None:
            self.learn(reply.payload.updates)
        elif self.view[target].status == "alive":
            status = "suspect" if self.suspicion else "dead"
            self._declare(Update(target, status, self.view[target].incarnation))

    def on_ping(self, msg) -> None:
        self.learn(msg.payload.updates)
        self.reply(msg, "ack", Ping(self._outgoing()))

    def on_ack(self, msg) -> None:  # an ack that came after its prober gave up
        self.learn(msg.payload.updates)

    def on_ping_req(self, msg):
        self.learn(msg.payload.updates)
        reply = yield from self.wait(self.request(msg.payload.target, "ping", Ping(self._outgoing())),
                                     self.ping_timeout_s)
        if reply is not None:
            self.learn(reply.payload.updates)
            self.reply(msg, "ack", Ping(self._outgoing()))


@dataclass(frozen=True)
class SwimRun:
    """What one SWIM run measured.

    Attributes
    ----------
    probes_of_live, failed_probes_of_live : int
        Probes whose target was up, and those of them that got no ack (message loss).
    false_dead : int
        (observer, member) pairs in which a member that was up was marked dead (first-hand or by gossip).
    first_detection_s : float or None
        From the crash until the first member suspected (or declared) the crashed one.
    all_dead_s : float or None
        From the crash until every live member held it dead.
    messages : int
    """

    probes_of_live: int
    failed_probes_of_live: int
    false_dead: int
    first_detection_s: float | None
    all_dead_s: float | None
    messages: int


def run_swim(n: int, *, loss: float = 0.0, suspicion: bool = True, crash_at_s: float | None = None,
             duration_s: float = 60.0, period_s: float = 1.0, k: int = 3, suspicion_timeout_s: float = 6.0,
             seed: Seed = None) -> SwimRun:
    """Run a SWIM group of ``n`` members for ``duration_s``; crash ``s0`` at ``crash_at_s`` (None: nobody).

    Probes wait ``0.2 * period_s`` for a direct ack and ``0.8 * period_s`` in all;
    each update is piggybacked ``ceil(3 * log2 n)`` times.

    Examples
    --------
    >>> run = run_swim(16, crash_at_s=10.5, duration_s=30, seed=3)
    >>> run.first_detection_s, run.all_dead_s, run.false_dead
    (1.3, 9.51, 0)
    """
    check_int("n", n, low=2)
    check_probability("loss", loss, open_high=True)
    check_number("duration_s", duration_s, low=0, low_open=True)
    check_number("period_s", period_s, low=0, low_open=True)
    check_int("k", k, low=0)
    check_number("suspicion_timeout_s", suspicion_timeout_s, low=0)
    if crash_at_s is not None and not 0 <= check_number("crash_at_s", crash_at_s) < duration_s:
        raise out_of_range("crash_at_s", crash_at_s, f"0 <= crash_at_s < duration_s={duration_s}")
    names = [f"s{i}" for i in range(n)]
    sim = Simulation(seed=seed, latency=period_s / 100, loss=loss)
    nodes = [sim.add(SwimNode(m, names, period_s=period_s, ping_timeout_s=0.2 * period_s,
                              probe_timeout_s=0.8 * period_s, k=k, suspicion=bool(suspicion),
                              suspicion_timeout_s=suspicion_timeout_s,
                              retransmit=math.ceil(3 * math.log2(n))))
             for m in names]
    if crash_at_s is not None:
        sim.crash("s0", at=crash_at_s)
    sim.run(until=duration_s)
    down_s = math.inf if crash_at_s is None else crash_at_s
    up = lambda m, t: m != "s0" or t < down_s  # noqa: E731  (was the member up at time t?)
    probes = [(t, m, ok) for node in nodes for t, m, ok in node.probes if up(m, t - 0.8 * period_s)]
    false_dead = sum(up(m, t) for node in nodes for m, t in node.dead_at.items())
    first = all_dead = None
    if crash_at_s is not None:
        seen = [t for node in nodes[1:] for t, m, _ in node.declared if m == "s0" and t >= down_s]
        first = round(min(seen) - down_s, 6) if seen else None
        deaths = [node.dead_at.get("s0") for node in nodes[1:]]
        all_dead = None if None in deaths else round(max(deaths) - down_s, 6)
    return SwimRun(len(probes), sum(not ok for _, _, ok in probes), false_dead, first, all_dead,
                   len(sim.events("send")))


def probe_failure_probability(loss: float, k: int = 3) -> float:
    """The chance that one probe of a live member gets no ack when each message is lost with ``loss``.

    The direct probe needs a ping and an ack, each of the ``k`` indirect ones
    four messages (ping-req, ping, ack, ack), all independent:
    ``(1 - (1 - loss)**2) * (1 - (1 - loss)**4)**k``.

    Examples
    --------
    >>> round(probe_failure_probability(0.1, 3), 6)
    0.007728
    >>> probe_failure_probability(0.0, 3)
    0.0
    """
    check_probability("loss", loss)
    check_int("k", k, low=0)
    return (1 - (1 - loss) ** 2) * (1 - (1 - loss) ** 4) ** k


def expected_first_detection_s(n: int, *, period_s: float = 1.0, probe_timeout_s: float = 0.8,
                               to_next_round_s: float = 0.5) -> float:
    """Expected time from a crash until some member suspects it, with random probe targets.

    In each period each of the ``n - 1`` survivors picks the crashed member
    with probability ``1 / (n - 1)``, so some survivor picks it with
    ``q = 1 - (1 - 1/(n - 1))**(n - 1)`` (about ``1 - 1/e``, as in the SWIM
    paper); the wait is ``to_next_round_s``, then ``1/q - 1`` empty periods
    on average, then the probe's own ``probe_timeout_s``.

    Examples
    --------
    >>> round(expected_first_detection_s(16), 3)
    1.851
    """
    check_int("n", n, low=2)
    check_number("period_s", period_s, low=0, low_open=True)
    check_number("probe_timeout_s", probe_timeout_s, low=0)
    check_number("to_next_round_s", to_next_round_s, low=0)
    q = 1 - (1 - 1 / (n - 1)) ** (n - 1)
    return to_next_round_s + (1 / q - 1) * period_s + probe_timeout_s
