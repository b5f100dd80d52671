"""Kernel side of a protocol lab's record and replay: run the lab on the student's node class and log each node.

A ship's log, kept per node: every input (a message delivered, a timer
fired, the start, a crash, a recovery) with its time, and under it every
effect the student's code produced while handling it (messages sent,
timers set, writes to durable storage, notes). The grader
(:mod:`.protocol_replay`) then sails the same seeded course itself with
puppet nodes that check each input against the log and perform the logged
effects. Everything here runs in the submission's process, so the log is
only a claim: one that does not match the grader's own run is refused, and
one that matches describes what some node's handlers did, which is what the
lab's checks judge.

A log is ``{"nodes": {name: {"inputs": [[input, effects], ...], "stray": n}}, "name": class name}``:

* inputs: ``["msg", time, src, kind, msg_id, reply_to]``, ``["timer", time, k]``,
  ``["start", time]``, ``["crash", time]``, ``["recover", time]``;
* effects: ``["send", dst, kind, payload, reply_to]``, ``["timer", delay_s, k]``,
  ``["local_timer", delay_s, k]``, ``["persist", {key: value}]``, ``["note", text]``
  (``k`` numbers the node's timers from 0);
* ``stray`` counts effects made while the node was handling no input (code run
  from outside a handler, or one node calling another's methods): the grader
  refuses a log with any.
"""

from __future__ import annotations

import copy

__all__ = ["record_protocol", "recording_class"]


def recording_class(node_class: type, logs: dict) -> type:
    """A subclass of ``node_class`` that writes each node's inputs and effects into ``logs[name]``."""
    current: dict[str, list | None] = {}

    def node_log(name: str) -> dict:
        return logs.setdefault(name, {"inputs": [], "stray": 0, "timers": 0})

    class Recording(node_class):
        def _handle(self, event: list, call, *args):
            entry = [event, []]
            node_log(self.name)["inputs"].append(entry)
            outer, current[self.name] = current.get(self.name), entry[1]
            try:
                return call(*args)
            finally:
                current[self.name] = outer

        def _effect(self, effect: list) -> None:
            effects = current.get(self.name)
            if effects is None:
                node_log(self.name)["stray"] += 1
            else:
                effects.append(effect)

        def _timer_id(self) -> int:
            log = node_log(self.name)
            log["timers"] += 1
            return log["timers"] - 1

        # -- inputs --------------------------------------------------------
        def deliver(self, msg):
            return self._handle(["msg", self.now, msg.src, msg.kind, msg.msg_id, msg.reply_to], super().deliver, msg)

        def start(self):
            return self._handle(["start", self.now], super().start)

        def on_crash(self):
            return self._handle(["crash", self.now], super().on_crash)

        def on_recover(self):
            return self._handle(["recover", self.now], super().on_recover)

        def _fired(self, k: int, callback, args: tuple):
            return self._handle(["timer", self.now, k], callback, *args)

        # -- effects -------------------------------------------------------
        def send(self, dst, kind, payload=None, *, reply_to=None):
            self._effect(["send", dst, kind, copy.deepcopy(payload), reply_to])
            return super().send(dst, kind, payload, reply_to=reply_to)

        def set_timer(self, delay_s, callback, *args):
            k = self._timer_id()
            self._effect(["timer", delay_s, k])
            return super().set_timer(delay_s, self._fired, k, callback, args)

        def set_local_timer(self, delay_s, callback, *args):
            k = self._timer_id()
            self._effect(["local_timer", delay_s, k])
            return super().set_local_timer(delay_s, self._fired, k, callback, args)

        def persist(self, **items):
            self._effect(["persist", copy.deepcopy(items)])
            return super().persist(**items)

        def log(self, text):
            self._effect(["note", str(text)])
            return super().log(text)

    Recording.__name__ = Recording.__qualname__ = getattr(node_class, "__name__", "Node")
    return Recording


def record_protocol(function, node_class, *, args=(), kwargs=None) -> dict:
    """Run the lab's ``function(node_class, *args, **kwargs)`` here, recording every node; the log.

    Examples
    --------
    >>> from labsupport.sim import Node, Simulation
    >>> class Hello(Node):
    ...     def start(self):
    ...         if self.name == "a":
    ...             self.send("b", "hello", [1])
    ...     def on_hello(self, msg):
    ...         self.log("got it")
    >>> def run_pair(node_class, *, seed=None):
    ...     sim = Simulation(seed=seed, latency=0.5)
    ...     sim.add(node_class("a")), sim.add(node_class("b"))
    ...     sim.run()
    >>> log = record_protocol(run_pair, Hello, kwargs={"seed": 1})
    >>> log["nodes"]["a"]["inputs"]
    [[['start', 0], [['send', 'b', 'hello', [1], None]]]]
    >>> log["nodes"]["b"]["inputs"][1]
    [['msg', 0.5, 'a', 'hello', 0, None], [['note', 'got it']]]
    """
    logs: dict[str, dict] = {}
    function(recording_class(node_class, logs), *args, **(kwargs or {}))
    for log in logs.values():
        del log["timers"]
    return {"nodes": logs, "name": str(getattr(node_class, "__name__", "Node"))[:80]}
