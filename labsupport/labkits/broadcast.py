"""The kit for Lab 10: a client that broadcasts values, a course of faults, and the checks a run must pass.

A town crier at each of a few market squares: a client hands one crier a
value, and the news must reach every square, even while roads are cut
(partitions) and some letters go astray (loss), without flooding the
roads with letters. Students write the crier, a :class:`~labsupport.sim.Node`
subclass built as ``node_class(name, peers)`` with plain handlers:

* ``on_broadcast(msg)``: the client hands over ``msg.payload``, an int;
  answer with ``self.reply(msg, "broadcast_ok")``;
* ``on_read(msg)``: answer with ``self.reply(msg, "read_ok", values)``,
  every value this node knows (a list, set or tuple of ints);
* handlers for the messages the nodes send each other, and timers.

:func:`run_broadcast` runs such a class under a nemesis schedule: the client
broadcasts each value once (again every ``retry_s`` until acknowledged),
and reads every node every ``PEEK_S`` during the run (and a value's node right
after its first broadcast), and once more after the network heals and settles
(retrying that last read until answered). It watches
each value arrive at each node (inside any message's payload, as the int it
is), counts the messages the nodes send each other, and stops a run that
reaches ``max_messages``. :func:`check_broadcast` then says which property
broke, on which schedule and seed, and how to replay it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labsupport.checks import check_int, check_method, check_number, check_type
from labsupport.labkits.protocol import PropertyFailure, lab_node, protocol_lab
from labsupport.sim import Node, Simulation, Uniform
from labsupport.sim.nemesis import Nemesis

__all__ = ["CLIENT", "BroadcastRun", "run_broadcast", "check_broadcast", "schedule_code"]

CLIENT = "c"
RETRY_S = 0.5  # seconds between the client's retries of an unanswered broadcast or read
STEP_S = 0.1  # seconds between checks of the message cap
PEEK_S = 0.5  # seconds between the client's reads of every node during the run (never retried)


@dataclass(frozen=True)
class BroadcastRun:
    """What one run of a broadcast protocol did, as the lab's client and network saw it.

    ``sent[v]`` is when the client first broadcast value ``v``; ``acked[v]`` when a
    ``broadcast_ok`` came back; ``learned[node][v]`` when ``v`` first reached ``node``;
    ``reads[node]`` is ``(time, values)`` of the node's answer to the final read, ``peeks``
    the ``(node, time, values)`` answers to the reads during the run;
    ``messages`` counts the messages the nodes sent each other; ``stopped_s`` is when the
    run was stopped for reaching ``max_messages`` (None if it was not).
    """

    schedule: Nemesis | None
    seed: int
    node_class: str
    nodes: tuple
    sent: dict
    acked: dict
    learned: dict
    reads: dict
    peeks: tuple
    messages: int
    heal_s: float
    read_s: float
    stopped_s: float | None
    trace: tuple = field(repr=False)

    def latencies(self) -> dict:
        """For each value, seconds from the first node having it to the last (None if one never did).

        Counted from the first node, not from the client's first try, so a broadcast lost on its
        way from the client does not count against the nodes.
        """
        out = {}
        for value in self.sent:
            times = [self.learned[n].get(value) for n in self.nodes]
            out[value] = None if None in times else max(times) - min(times)
        return out

    def _underived(self) -> list[str]:
        """Reads that reported a value before it reached the node in a message: it was not sent, it was taken."""
        answers = [(node, at, values) for node, (at, values) in self.reads.items()] + list(self.peeks)
        for node, at, values in sorted(answers, key=lambda answer: answer[1]):
            unseen = sorted(v for v in values if self.learned[node].get(v, at + 1) > at)
            if unseen:
                return [f"derived: {node} reported {len(unseen)} value(s) at {at:.2f} s that had not reached it in "
                        f"a message (e.g. {unseen[0]}); a node knows only what it was sent"]
        return []

    def problems(self, *, budget: int | None = None, latency_s: float | None = None) -> list[str]:
        """Each broken property, as ``"name: what happened"`` (empty if the run kept them all)."""
        found = []
        if self.stopped_s is not None:
            found.append(f"budget: the nodes sent {self.messages} messages by {self.stopped_s:.1f} s, the cap; "
                         "the run was stopped (does a node forward what it has already seen?)")
        elif budget is not None and self.messages > budget:
            found.append(f"budget: the nodes sent {self.messages} messages; the budget is {budget}")
        unacked = sorted(set(self.sent) - set(self.acked))
        if unacked:
            found.append(f"acknowledged: {len(unacked)} broadcast(s) never got broadcast_ok (e.g. {unacked[0]})")
        everything = set(self.sent)
        for node in self.nodes:
            if node not in self.reads:
                found.append(f"delivered: {node} never answered the read at {self.read_s:.1f} s, after the "
                             f"network healed (at {self.heal_s:.1f} s)")
                continue
            at, values = self.reads[node]
            missing = sorted(everything - set(values))
            if missing:
                found.append(f"delivered: {node}'s read at {at:.2f} s, after the network healed (at "
                             f"{self.heal_s:.1f} s), lacks {len(missing)} of {len(everything)} values "
                             f"(e.g. {missing[0]})")
        found += self._underived()
        if latency_s is not None and self.stopped_s is None:
            slow = {v: t for v, t in self.latencies().items() if t is None or t > latency_s}
            if slow:
                value = min(slow, key=lambda v: self.sent[v])
                took = "never reached every node" if slow[value] is None else f"took {slow[value]:.2f} s"
                found.append(f"latency: {len(slow)} value(s) took longer than {latency_s} s from the first node "
                             f"to every node (e.g. {value}, broadcast at {self.sent[value]:.2f} s, {took})")
        return found


def schedule_code(schedule) -> str:
    """Python that rebuilds ``schedule`` (for a replay in the notebook).

    Examples
    --------
    >>> schedule_code(None)
    'None'
    """
    if schedule is None:
        return "None"
    return "Nemesis([" + ", ".join(repr(fault) for fault in schedule.faults) + "])"


def check_broadcast(run: BroadcastRun, *, budget: int | None = None, latency_s: float | None = None) -> None:
    """Raise :class:`~labsupport.labkits.protocol.PropertyFailure` naming every broken property.

    The message gives the schedule and seed, and the call that replays the run in the notebook.
    """
    check_type("run (from run_broadcast)", run, BroadcastRun)
    found = run.problems(budget=budget, latency_s=latency_s)
    if found:
        lines = "\n".join(f"  - {line}" for line in found)
        shown = "no faults" if run.schedule is None else "; ".join(
            line.strip() for line in str(run.schedule).splitlines())
        call = f"replay({run.node_class}, {schedule_code(run.schedule)}, seed={run.seed})"
        raise PropertyFailure(f"{len(found)} property(ies) broken with seed {run.seed} on schedule [{shown}]:\n"
                              f"{lines}\nReplay it in the notebook: {call}")


def _values_in(payload, wanted: set, found: list, depth: int = 0) -> None:
    kind = type(payload)
    if kind is int:
        if payload in wanted:
            found.append(payload)
    elif kind is str:
        if payload.isdecimal() and len(payload) < 12 and int(payload) in wanted:
            found.append(int(payload))
    elif depth < 20 and isinstance(payload, (list, tuple, set, frozenset)):
        for item in payload:
            _values_in(item, wanted, found, depth + 1)
    elif depth < 20 and isinstance(payload, dict):
        for key, item in payload.items():
            _values_in(key, wanted, found, depth + 1)
            _values_in(item, wanted, found, depth + 1)


class _Client(Node):
    """Broadcasts each planned value to its node until acknowledged; then reads every node once."""

    def __init__(self, name, plan, servers, read_s):
        super().__init__(name)
        self.plan, self.servers, self.read_s = plan, servers, read_s
        self.sent, self.acked, self.reads, self.asked, self.peeks = {}, {}, {}, {}, []

    def start(self):
        for at_s, value, node in self.plan:
            self.set_timer(at_s, self._broadcast, value, node)
        for k in range(1, int(self.read_s / PEEK_S)):
            self.set_timer(k * PEEK_S, self._peek)
        self.set_timer(self.read_s, self._read)

    def _peek(self):
        for node in self.servers:
            self.asked[self.send(node, "read").msg_id] = ("peek", node)

    def _broadcast(self, value, node):
        if value in self.acked:
            return
        first = value not in self.sent
        self.sent.setdefault(value, self.now)
        self.asked[self.send(node, "broadcast", value).msg_id] = value
        if first:  # a read right behind it, which may overtake it: can the node report what it has not got?
            self.asked[self.send(node, "read").msg_id] = ("peek", node)
        self.set_timer(RETRY_S, self._broadcast, value, node)

    def on_broadcast_ok(self, msg):
        value = self.asked.pop(msg.reply_to, None)
        if value is not None:
            self.acked.setdefault(value, self.now)

    def _read(self):
        missing = [node for node in self.servers if node not in self.reads]
        for node in missing:
            self.asked[self.send(node, "read").msg_id] = node
        if missing:
            self.set_timer(RETRY_S, self._read)

    def on_read_ok(self, msg):
        node = self.asked.pop(msg.reply_to, None)
        payload = msg.payload
        values = payload if isinstance(payload, (list, tuple, set, frozenset)) else ()
        answer = (self.now, tuple(sorted(v for v in values if type(v) is int)))
        if node == ("peek", msg.src):
            self.peeks.append((msg.src, *answer))
        elif node == msg.src and node not in self.reads:
            self.reads[node] = answer


@protocol_lab
def run_broadcast(node_class, schedule=None, *, seed=None, nodes: int = 5, values: int = 20,
                  duration_s: float = 4.0, settle_s: float = 2.0, max_messages: int = 5000) -> BroadcastRun:
    """Run ``node_class`` on ``nodes`` nodes under ``schedule`` (a Nemesis, or None for no faults).

    The client broadcasts ``values`` distinct ints at seeded random times in
    ``[0, duration_s)``, each to a random node; ``settle_s`` after the later of
    ``duration_s`` and the schedule's ``heal_s`` it reads every node.

    Examples
    --------
    >>> from labsupport.sim import Node
    >>> class Lonely(Node):
    ...     def __init__(self, name, peers):
    ...         super().__init__(name)
    ...         self.values = set()
    ...     def on_broadcast(self, msg):
    ...         self.values.add(msg.payload)
    ...         self.reply(msg, "broadcast_ok")
    ...     def on_read(self, msg):
    ...         self.reply(msg, "read_ok", sorted(self.values))
    >>> run = run_broadcast(Lonely, nodes=1, values=3, seed=1)
    >>> run.problems()
    []
    >>> len(run_broadcast(Lonely, nodes=2, values=3, seed=1).problems())
    2
    """
    check_method("node_class (a subclass of Node)", check_type("node_class", node_class, type), "deliver", "msg")
    check_int("nodes", nodes, low=1, high=26)
    check_int("values", values, low=1, high=1000)
    check_number("duration_s", duration_s, low=0.0, high=600.0)
    check_number("settle_s", settle_s, low=0.0, high=600.0)
    check_int("max_messages", max_messages, low=1)
    if schedule is not None:
        check_type("schedule", schedule, Nemesis)
    sim = Simulation(seed=seed, latency=Uniform(0.005, 0.025))
    names = tuple(f"n{i}" for i in range(1, nodes + 1))
    rng = sim.rng("broadcast-workload")
    plan = sorted((rng.uniform(0.0, duration_s), value, rng.choice(names))
                  for value in rng.sample(range(1000, 10000), values))
    heal_s = 0.0 if schedule is None else float(schedule.heal_s)
    read_s = max(duration_s, heal_s) + settle_s
    learned = {name: {} for name in names}
    sent = [0]
    wanted = {value for _, value, _ in plan}

    class Watched(lab_node(node_class)):
        def send(self, dst, kind, payload=None, *, reply_to=None):
            if dst != CLIENT:
                if sent[0] >= max_messages:
                    return None  # the run stops at the next step: a message over the cap is not sent
                sent[0] += 1
            return super().send(dst, kind, payload, reply_to=reply_to)

        def deliver(self, msg):
            found: list = []
            _values_in(msg.payload, wanted, found)
            mine = learned[self.name]
            for value in found:
                mine.setdefault(value, self.now)
            return super().deliver(msg)

    Watched.__name__ = Watched.__qualname__ = node_class.__name__
    for name in names:
        sim.add(Watched(name, [peer for peer in names if peer != name]))
    client = sim.add(_Client(CLIENT, plan, names, read_s))
    if schedule is not None:
        schedule.apply(sim)
    stopped_s, now, end_s = None, 0.0, read_s + 4 * RETRY_S
    while now < end_s:
        now = min(end_s, round(now + STEP_S, 9))
        sim.run(until=now)
        if sent[0] >= max_messages:
            stopped_s = now
            break
    return BroadcastRun(schedule, sim.seed, node_class.__name__, names, dict(client.sent), dict(client.acked), learned,
                        dict(client.reads), tuple(client.peeks), sent[0], heal_s, read_s, stopped_s, tuple(sim.trace))
