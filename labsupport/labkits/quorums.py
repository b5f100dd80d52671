"""The kit for Lab 3: replicas, a coordinator skeleton and workloads to test your quorum code on.

Students write the coordinator, the part that decides whom to ask and when
to answer; the kit provides the rest of the bench. A :class:`TagReplica` is
a deliberately simple replica: it keeps, for each key, the value with the
highest **tag** ``(counter, writer)`` it has seen (tags compare as tuples,
so a larger counter wins and the writer's name breaks ties). A
:class:`LabCoordinator` runs a script of reads and writes and records them
in the simulation's history; subclasses supply ``write(key, value)`` and
``read(key)`` as generators that use the kernel's ``multicast`` and
``collect``. The ``run_*`` functions build a cluster around a coordinator
class and return what happened.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, NamedTuple

from labsupport.checks import check_int, check_number
from labsupport.seeds import Seed
from labsupport.sim import Constant, History, LogNormal, Node, Simulation, TraceEvent

__all__ = ["INITIAL", "Tagged", "TagWrite", "TagReplica", "LabCoordinator", "PrimaryCoordinator", "AnyReplicaCoordinator",
           "LabRun", "run_workload", "run_schedule", "run_inversion", "run_repair", "run_slow_replica"]

class Tagged(NamedTuple):
    """A value with its tag ``(counter, writer)``: the payload of a ``value`` answer.

    It is a tuple too, so ``tag, value = reply.payload`` works as well as ``reply.payload.tag``.
    """

    tag: tuple[int, str]
    value: Any


class TagWrite(NamedTuple):
    """Payload of ``write``: store ``value`` under ``key`` if ``tag`` is higher (a plain ``(key, tag, value)`` works too)."""

    key: str
    tag: tuple[int, str]
    value: Any


INITIAL = Tagged((0, ""), None)  # the (tag, value) of a key nobody has written


class TagReplica(Node):
    """Keeps the highest-tagged ``(tag, value)`` per key; answers ``read`` and ``write`` messages.

    ``read`` (payload: key) is answered with a ``value`` message carrying
    ``Tagged(tag, value)``; ``write`` (payload: ``TagWrite(key, tag, value)``
    or the plain tuple ``(key, tag, value)``) stores the value if its tag is
    higher than the stored one and is answered with ``ack``.
    """

    def __init__(self, name: str):
        super().__init__(name)
        self.store: dict[str, tuple[tuple[int, str], Any]] = {}

    def on_read(self, msg):
        self.reply(msg, "value", Tagged(*self.store.get(msg.payload, INITIAL)))

    def on_write(self, msg):
        write = TagWrite(*msg.payload)
        stored_tag, _ = self.store.get(write.key, INITIAL)
        if write.tag > stored_tag:
            self.store[write.key] = (write.tag, write.value)
        self.reply(msg, "ack", write.tag)


class LabCoordinator(Node):
    """Runs ``script`` (rows ``(at_s, kind, key, value)``) and records each operation in the history.

    Attributes a subclass uses: ``replicas`` (names), ``r``, ``w``,
    ``timeout_s`` and ``counter`` (for making tags). ``write`` should return
    ``"ok"``; ``read`` the value read.

    Examples
    --------
    >>> LabCoordinator("c", ["r1", "r2", "r3"], r=2, w=2).timeout_s
    1.0
    """

    def __init__(self, name: str, replicas, *, r: int, w: int, script=(), timeout_s: float = 1.0):
        super().__init__(name)
        check_int("r", r, low=1)
        check_int("w", w, low=1)
        check_number("timeout_s", timeout_s, low=0, low_open=True)
        if not 1 <= r <= len(replicas) or not 1 <= w <= len(replicas):
            raise ValueError(f"r={r}, w={w}: choose 1 <= r, w <= N={len(replicas)}")
        self.replicas, self.r, self.w, self.timeout_s = tuple(replicas), r, w, timeout_s
        self.script, self.counter = tuple(script), 0

    def start(self):
        history = self.sim.history
        for at_s, kind, key, value in self.script:
            if at_s > self.now:
                yield self.sleep(at_s - self.now)
            op = history.invoke(self.name, kind, value if kind == "write" else None, at=self.now, key=key)
            call = self.write(key, value) if kind == "write" else self.read(key)
            result = (yield from call) if inspect.isgenerator(call) else call
            history.complete(op, result, at=self.now)

    def write(self, key, value):  # pragma: no cover - subclasses implement it
        raise NotImplementedError("write(key, value) must be a generator that returns 'ok'")

    def read(self, key):  # pragma: no cover - subclasses implement it
        raise NotImplementedError("read(key) must be a generator that returns the value read")


class PrimaryCoordinator(LabCoordinator):
    """Everything goes to the first replica only: one copy, so trivially linearizable (and not fault tolerant)."""

    def write(self, key, value):
        self.counter += 1
        yield self.request(self.replicas[0], "write", TagWrite(key, (self.counter, self.name), value))
        return "ok"

    def read(self, key):
        reply = yield self.request(self.replicas[0], "read", key)
        return reply.payload.value


class AnyReplicaCoordinator(LabCoordinator):
    """Writes wait for W acks, but a read asks one replica chosen at random: stale reads are common.

    Examples
    --------
    >>> run_slow_replica(AnyReplicaCoordinator, "write")   # waits for W = 2 of 3: one fast round trip
    0.002
    """

    def write(self, key, value):
        self.counter += 1
        events = self.multicast(self.replicas, "write", TagWrite(key, (self.counter, self.name), value))
        yield from self.collect(events, self.w, self.timeout_s)
        return "ok"

    def read(self, key):
        if not hasattr(self, "_rng"):
            self._rng = self.sim.rng(f"any-replica:{self.name}")
        reply = yield self.request(self._rng.choice(self.replicas), "read", key)
        return reply.payload.value


@dataclass(frozen=True)
class LabRun:
    """What a lab workload did: the client history, the trace, and each replica's final store."""

    history: History
    trace: tuple[TraceEvent, ...]
    stores: dict[str, dict]


def _bench(coordinator, scripts, *, n: int, r: int, w: int, seed: int, latency) -> tuple[Simulation, list[str]]:
    sim = Simulation(seed=seed, latency=latency)
    replicas = [f"r{i + 1}" for i in range(n)]
    for name in replicas:
        sim.add(TagReplica(name))
    for name, script in scripts.items():
        sim.add(coordinator(name, replicas, r=r, w=w, script=script))
    return sim, replicas


def _finish(sim: Simulation, replicas) -> LabRun:
    return LabRun(sim.history, tuple(sim.trace), {name: dict(sim.nodes[name].store) for name in replicas})


def run_workload(coordinator, *, n: int = 3, r: int = 2, w: int = 2, seed: Seed = None, writes: int = 5,
                 readers: int = 3, reads: int = 6, median_delay_s: float = 0.001, sigma: float = 2.0) -> LabRun:
    """A writer writes 1..``writes`` to ``x`` while ``readers`` clients read it, at random times.

    One-way delays are log-normal (median ``median_delay_s``, shape ``sigma``):
    mostly quick, sometimes very slow, which is when quorums misbehave.

    Examples
    --------
    >>> run = run_workload(PrimaryCoordinator, seed=1)
    >>> len(run.history), sorted({op.client for op in run.history})
    (23, ['reader1', 'reader2', 'reader3', 'writer'])
    """
    check_int("n", n, low=1)
    for name, count in (("writes", writes), ("readers", readers), ("reads", reads)):
        check_int(name, count, low=0)
    check_number("median_delay_s", median_delay_s, low=0, low_open=True)
    check_number("sigma", sigma, low=0)
    rng_sim = Simulation(seed=seed).rng("lab-schedule")
    span = 5 * median_delay_s * writes
    times = sorted(rng_sim.uniform(0, span) for _ in range(writes))
    scripts = {"writer": [(t, "write", "x", v) for v, t in enumerate(times, 1)]}
    for i in range(readers):
        scripts[f"reader{i + 1}"] = sorted((rng_sim.uniform(0, span), "read", "x", None) for _ in range(reads))
    sim, replicas = _bench(coordinator, scripts, n=n, r=r, w=w, seed=seed, latency=LogNormal(median_delay_s, sigma))
    sim.run()
    return _finish(sim, replicas)


def run_schedule(coordinator, scripts, *, n: int = 3, r: int = 2, w: int = 2, delays_s=None,
                 preload=None) -> LabRun:
    """Run your own schedule: ``scripts`` maps client names to script rows; delays are constant.

    ``delays_s`` maps ``(a, b)`` pairs to one-way delays in seconds (both
    directions; 1 ms otherwise); ``preload`` maps replica names to the
    ``(tag, value)`` they hold for key ``"x"`` at the start.

    Examples
    --------
    >>> run = run_schedule(PrimaryCoordinator, {"c": [(0.0, "read", "x", None)]},
    ...                    preload={"r1": ((1, "w"), "hello")})
    >>> run.history.operations[0].result
    'hello'
    """
    check_int("n", n, low=1)
    sim, replicas = _bench(coordinator, scripts, n=n, r=r, w=w, seed=0, latency=Constant(0.001))
    for name, stored in (preload or {}).items():
        sim.nodes[name].store["x"] = stored
    for (a, b), delay_s in sorted((delays_s or {}).items()):
        sim.network.configure(a, b, latency=Constant(delay_s))
    sim.run()
    return _finish(sim, replicas)


def run_inversion(coordinator, *, reader_b_at_s: float = 0.0041) -> LabRun:
    """The new-old inversion schedule: N = 3, R = W = 2, constant delays (see the Quorums chapter).

    The writer reaches r1 in 1 ms but r2 and r3 in 30 ms. Reader A (at 2 ms)
    reaches r1 and r2 in 1 ms; reader B (at ``reader_b_at_s``) reaches r2
    and r3 in 0.2 ms, so its read is over before anything A sends afterwards
    can arrive. Replicas start with ``x = "old"`` (tag ``(1, "writer")``), and
    the writer's counter starts at 1.

    Examples
    --------
    >>> [(op.client, op.result) for op in run_inversion(PrimaryCoordinator).history]
    [('writer', 'ok'), ('reader_a', 'new'), ('reader_b', 'new')]
    """
    scripts = {"writer": [(0.0, "write", "x", "new")], "reader_a": [(0.002, "read", "x", None)],
               "reader_b": [(reader_b_at_s, "read", "x", None)]}
    delays = {("writer", "r2"): 0.03, ("writer", "r3"): 0.03, ("reader_a", "r3"): 0.04, ("reader_b", "r1"): 0.04,
              ("reader_b", "r2"): 0.0002, ("reader_b", "r3"): 0.0002}
    old = ((1, "writer"), "old")

    class Started(coordinator):  # the writer has written "old" once already
        def start(self):
            self.counter = max(self.counter, 1)
            return super().start()

    return run_schedule(Started, scripts, delays_s=delays, preload={"r1": old, "r2": old, "r3": old})


def run_repair(coordinator, *, n: int = 3, r: int = 2, w: int = 2, seed: Seed = None) -> LabRun:
    """The last replica is down while "v2" is written; after it recovers, one read should repair it.

    Examples
    --------
    >>> run_repair(PrimaryCoordinator, seed=0).stores["r3"]
    {}
    """
    check_int("n", n, low=1)
    last = f"r{n}"
    scripts = {"writer": [(0.0, "write", "x", "v1"), (0.01, "write", "x", "v2")],
               "reader": [(0.05, "read", "x", None)]}
    sim, replicas = _bench(coordinator, scripts, n=n, r=r, w=w, seed=seed, latency=Constant(0.001))
    sim.crash(last, at=0.005)
    sim.recover(last, at=0.03)
    sim.run()
    return _finish(sim, replicas)


def run_slow_replica(coordinator, kind: str, *, n: int = 3, r: int = 2, w: int = 2) -> float:
    """Latency of one ``kind`` operation ("write" or "read") when the last replica is 50 ms away.

    A coordinator that waits for exactly W (or R) answers finishes in one
    fast round trip (2 ms); one that waits for all N takes 100 ms.

    Examples
    --------
    >>> run_slow_replica(PrimaryCoordinator, "write")
    0.002
    """
    check_int("n", n, low=1)
    if kind not in ("write", "read"):
        raise ValueError(f"kind={kind!r}; choose 'write' or 'read'")
    script = [(0.0, kind, "x", "v" if kind == "write" else None)]
    sim, replicas = _bench(coordinator, {"client": script}, n=n, r=r, w=w, seed=0, latency=Constant(0.001))
    sim.network.configure("client", replicas[-1], latency=Constant(0.05))
    sim.run()
    op = sim.history.operations[0]
    return round(op.complete_s - op.invoke_s, 6)
