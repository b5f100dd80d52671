"""Kernel side of record-and-replay: run a lab simulation on the student's object and log its decisions.

A flight data recorder, not a witness: it notes what the pilot did (each
target a load-balancing policy picked, each message a quorum coordinator
sent, each result it returned) and what the pilot saw when doing it. The
grader (:mod:`.replay`) then flies the same route itself and feeds the
logged decisions back, checking that what it shows matches what was logged.
Everything here runs in the submission's process, so the log is only a
claim: a forged one is either refused by the replay or describes some
policy's behaviour, which is what the test judges anyway.
"""

from __future__ import annotations

import array
import copy
import inspect

__all__ = ["record_farm", "record_quorum"]


class _FarmRecorder:
    """Wraps a policy: each ``choose`` logs the outstanding counts and key it saw and the target it picked."""

    def __init__(self, policy, log: dict):
        self.policy, self.log = policy, log
        self.name = str(getattr(policy, "name", type(policy).__name__))
        self.d = getattr(policy, "d", None)

    def __deepcopy__(self, memo):  # run_farm copies its policy: the copy must still log here
        return _FarmRecorder(copy.deepcopy(self.policy, memo), self.log)

    def choose(self, targets, state, rng):
        self.log["seen"].extend(state.outstanding)
        self.log["keys"].append(state.key)
        pick = self.policy.choose(targets, state, rng)
        self.log["picks"].append(pick)
        return pick


def record_farm(policy, args, kwargs) -> dict:
    """Run the kernel's ``run_farm`` on ``policy``; the log of its decisions (outstanding counts as bytes)."""
    from labsupport.availability.load_balancing import run_farm

    log = {"seen": array.array("q"), "keys": [], "picks": []}
    recorder = _FarmRecorder(policy, log)
    run_farm(recorder, *args, **kwargs)
    picks = log["picks"]
    if all(type(p) is int for p in picks):
        picks = array.array("q", picks).tobytes()
    keys = None if all(k is None for k in log["keys"]) else log["keys"]
    return {"name": recorder.name, "seen": log["seen"].tobytes(), "keys": keys, "picks": picks}


def record_quorum(function, coordinator, *, args=(), kwargs=None) -> dict:
    """Run the kernel's quorum-lab ``function`` on ``coordinator``; per client, its operations and deliveries.

    An operation is ``[kind, key, value, actions, done]``: each action is a send
    ``[deliveries seen before it, time, dst, kind, payload, reply_to]``, and
    ``done`` is ``[deliveries seen, time, result]`` (None if it never returned).
    """
    logs: dict[str, dict] = {}

    class Recording(coordinator):
        def _log(self) -> dict:
            return logs.setdefault(self.name, {"ops": [], "seen": [], "stray": 0})

        def send(self, dst, kind, payload=None, *, reply_to=None):
            log = self._log()
            if log["ops"] and log["ops"][-1][4] is None:
                log["ops"][-1][3].append([len(log["seen"]), self.now, dst, kind, payload, reply_to])
            else:
                log["stray"] += 1
            return super().send(dst, kind, payload, reply_to=reply_to)

        def deliver(self, msg):
            self._log()["seen"].append([self.now, msg.src, msg.kind, msg.payload])
            return super().deliver(msg)

        def write(self, key, value):
            return self._operation("write", key, value, lambda: super(Recording, self).write(key, value))

        def read(self, key):
            return self._operation("read", key, None, lambda: super(Recording, self).read(key))

        def _operation(self, kind, key, value, start):
            log = self._log()
            op = [kind, key, value, [], None]
            log["ops"].append(op)
            call = start()
            result = (yield from call) if inspect.isgenerator(call) else call
            op[4] = [len(log["seen"]), self.now, result]
            return result

    Recording.__name__ = Recording.__qualname__ = getattr(coordinator, "__name__", "Coordinator")
    function(Recording, *args, **(kwargs or {}))
    return logs
