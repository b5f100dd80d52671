"""A key-value store with conditional writes, and clients that race on it.

Two cashiers updating one ledger line: each reads the balance, adds their
sale, writes the new total. If both read before either writes, one sale
vanishes: a **lost update**. DynamoDB's answer is the conditional write: a
``PutItem`` with a ``ConditionExpression`` (for example "version = 3")
succeeds only if the item still is as the writer last saw it; otherwise it
fails with ``ConditionalCheckFailedException`` and the writer reads again.
This is optimistic concurrency control.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number
from labsupport.sim import Exponential, History, Node, Simulation, TraceEvent

__all__ = ["Item", "ConditionalPut", "KeyValueStore", "Incrementer", "LostUpdateResult", "run_lost_update", "ANY_VERSION"]

ANY_VERSION = None  # an unconditional write


class Item(NamedTuple):
    """Payload of an ``item`` answer to ``get``: the value and its version (0 for a missing item)."""

    value: Any
    version: int


class ConditionalPut(NamedTuple):
    """Payload of ``put``: write ``value`` if the item is still at ``expected_version`` (:data:`ANY_VERSION`: always)."""

    key: str
    value: Any
    expected_version: int | None


class KeyValueStore(Node):
    """A single server holding ``key -> (value, version)``; versions start at 0 for a missing item."""

    def __init__(self, name: str = "store"):
        super().__init__(name)
        self.items: dict[str, tuple[object, int]] = {}

    def on_get(self, msg):
        self.reply(msg, "item", Item(*self.items.get(msg.payload, (0, 0))))

    def on_put(self, msg):
        put = msg.payload
        _, version = self.items.get(put.key, (0, 0))
        if put.expected_version is not ANY_VERSION and put.expected_version != version:
            self.reply(msg, "conditional_check_failed", version)
            return
        self.items[put.key] = (put.value, version + 1)
        self.reply(msg, "ok", version + 1)


class Incrementer(Node):
    """A client that adds one to a counter ``increments`` times by read-modify-write.

    With ``conditional=True`` each write carries the version it read and is
    retried from the read if the store rejects it.

    Examples
    --------
    >>> Incrementer("client1", "store", increments=2, conditional=True).increments
    2
    """

    def __init__(self, name: str, store: str, *, increments: int, conditional: bool,
                 start_s: float = 0.0, think_s: float = 0.0, key: str = "counter"):
        check_int("increments", increments, low=1)
        check_number("start_s", start_s, low=0)
        check_number("think_s", think_s, low=0)
        super().__init__(name)
        self.store, self.increments, self.conditional = store, increments, conditional
        self.start_s, self.think_s, self.key = start_s, think_s, key
        self.retries = 0

    def start(self):
        yield self.sleep(self.start_s)
        history = self.sim.history
        for _ in range(self.increments):
            while True:
                op = history.invoke(self.name, "read", None, at=self.now, key=self.key)
                reply = yield self.request(self.store, "get", self.key)
                value, version = reply.payload.value, reply.payload.version
                history.complete(op, value, at=self.now)
                yield self.sleep(self.think_s)  # the work between reading and writing
                expected = version if self.conditional else ANY_VERSION
                op = history.invoke(self.name, "write", value + 1, at=self.now, key=self.key)
                reply = yield self.request(self.store, "put", ConditionalPut(self.key, value + 1, expected))
                history.complete(op, reply.kind, at=self.now)
                if reply.kind == "ok":
                    break
                self.retries += 1
                self.log("condition failed: retry")


@dataclass(frozen=True)
class LostUpdateResult:
    """What a race of incrementing clients left behind."""

    expected: int
    final_value: int
    lost_updates: int
    retries: int
    trace: tuple[TraceEvent, ...]
    history: History


def run_lost_update(clients: int = 2, increments: int = 1, *, conditional: bool = False,
                    seed: Seed = None, latency_s: float = 0.005, think_s: float = 0.002,
                    stagger_s: float = 0.001) -> LostUpdateResult:
    """Let ``clients`` increment one counter ``increments`` times each, and count what was lost.

    Client ``i`` starts at ``i * stagger_s``; one-way delays are exponential
    around ``latency_s``.

    Examples
    --------
    >>> r = run_lost_update(clients=2, conditional=False, seed=1)
    >>> r.expected, r.final_value, r.lost_updates
    (2, 1, 1)
    >>> r = run_lost_update(clients=2, conditional=True, seed=1)
    >>> r.expected, r.final_value, r.lost_updates, r.retries
    (2, 2, 0, 1)
    """
    check_int("clients", clients, low=1)
    check_int("increments", increments, low=1)
    check_number("latency_s", latency_s, low=0, low_open=True)
    check_number("think_s", think_s, low=0)
    check_number("stagger_s", stagger_s, low=0)
    sim = Simulation(seed=seed, latency=Exponential(latency_s / 2, base_s=latency_s / 2), fifo=True)
    store = sim.add(KeyValueStore("store"))
    racers = [sim.add(Incrementer(f"client{i + 1}", "store", increments=increments, conditional=conditional,
                                  start_s=i * stagger_s, think_s=think_s))
              for i in range(clients)]
    sim.run()
    final = store.items.get("counter", (0, 0))[0]
    expected = clients * increments
    return LostUpdateResult(expected, final, expected - final, sum(r.retries for r in racers),
                            tuple(sim.trace), sim.history)
