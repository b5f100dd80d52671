"""A node that says nothing until what it said depends on is on disk.

A notary does not hand you a signed copy before the original is in the
archive: if the office burned down in between, you would hold a promise
nobody remembers making. Raft asks the same of its servers (a vote, a
term, an acknowledged entry must be durable before the reply that reveals
it leaves), and the kernel's :meth:`~labsupport.sim.Node.persist` takes
time, so this base class keeps the order: :meth:`DurableNode.write` starts
a write, :meth:`DurableNode.say` sends a message only once every write
started before it is durable. With zero storage latency both happen at once.

Examples
--------
>>> from labsupport.sim import Simulation
>>> class Voter(DurableNode):
...     def on_ask(self, msg):
...         self.write(voted_for=msg.src)
...         self.say(msg.src, "yes", None)
>>> class Asker(DurableNode):
...     def start(self):
...         self.send("v", "ask")
...     def on_yes(self, msg):
...         self.log("got a durable yes")
>>> sim = Simulation(seed=1, latency=0.01, storage_latency=0.05)
>>> _ = sim.add(Voter("v")), sim.add(Asker("a"))
>>> sim.run()
>>> [(round(e.time, 3), e.event, e.node) for e in sim.trace if e.event in ("persist", "note")]
[(0.06, 'persist', 'v'), (0.07, 'note', 'a')]
"""

from __future__ import annotations

from typing import Any

import simpy

from labsupport.sim import Node
from labsupport.sim.trace import NodeId

__all__ = ["DurableNode"]


class DurableNode(Node):
    """A node that forgets all but its storage on a crash, and replies only after its writes are durable."""

    forgets_on_crash = True

    def __init__(self, name: NodeId):
        super().__init__(name)
        self._writes: list[simpy.Event] = []

    def write(self, **items: Any) -> simpy.Event:
        """Start writing ``items`` to storage; the event fires when they are durable."""
        event = self.persist(**items)
        if not event.triggered:
            self._writes.append(event)
        return event

    def say(self, dst: NodeId, kind: str, payload: Any = None) -> None:
        """Send once every write started so far is durable (at once if none is pending)."""
        pending = [w for w in self._writes if not w.triggered]
        self._writes = pending
        if not pending:
            self.send(dst, kind, payload)
            return
        simpy.AllOf(self.env, pending).callbacks.append(self.guarded(self.send, dst, kind, payload))

    def guarded(self, action, *args: Any):
        """A callback that runs ``action(*args)`` only if this node has not crashed since it was made."""
        incarnation = self.incarnation

        def run(_event):
            if self.alive and self.incarnation == incarnation:
                action(*args)
        return run
