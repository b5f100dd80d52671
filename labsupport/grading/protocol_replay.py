"""Grader side of a protocol lab's record and replay: the same run, here, with puppet nodes.

The examiner sails the course again in the examiner's own simulator, with
the same seed and the same nemesis, but the student's nodes are replaced by
puppets. Each time a puppet is handed an input (a message, a timer, the
start, a crash, a recovery), it checks that the submission's log (from
:mod:`.protocol_record`) lists exactly this input next, at this time, and
then does what the log says the student's handler did: sends the logged
messages, sets the logged timers, writes the logged values durably, writes
the logged notes. The trace, the client's history and every number the
lab's checks read are the grader's own. A log that does not match the
grader's run, is malformed, or is not used up is refused: the test fails
and says so.
"""

from __future__ import annotations

import math

from labsupport.grading.replay import ReplayMismatch, _same
from labsupport.labkits.protocol import PropertyFailure
from labsupport.sim import Node

__all__ = ["puppet_class", "replay_protocol", "ReplayMismatch"]

_INPUT_WIDTH = {"msg": 6, "timer": 3, "start": 2, "crash": 2, "recover": 2}


def _describe(event) -> str:
    if type(event) is not list or not event:
        return "a malformed entry"
    kind, rest = event[0], event[1:]
    if kind == "msg" and len(rest) == 5:
        return f"message {rest[2]!r} #{rest[3]} from {rest[1]!r} at {rest[0]} s"
    if kind == "timer" and len(rest) == 2:
        return f"timer {rest[1]} firing at {rest[0]} s"
    if kind in _INPUT_WIDTH and len(rest) == 1:
        return f"{kind} at {rest[0]} s"
    return "a malformed entry"


def _plain(value, depth: int = 0) -> bool:
    """Data a puppet may send or write: what :func:`~labsupport.labkits.protocol.check_plain` lets a node send."""
    kind = type(value)
    if value is None or kind in (bool, int, str, bytes):
        return True
    if kind is float:
        return math.isfinite(value)
    if kind in (list, tuple, set, frozenset) and depth < 50:
        return all(_plain(item, depth + 1) for item in value)
    if isinstance(value, tuple) and hasattr(kind, "_fields") and kind.__module__.startswith("labsupport.") \
            and depth < 50:  # a lab's own message record (Lab 11's RequestVote), rebuilt by the wire's decoder
        return all(_plain(item, depth + 1) for item in tuple.__iter__(value))
    if kind is dict and depth < 50:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return False


def _checked_effect(effect) -> list:
    """One logged effect, if it is well formed (plain data of the right shape); ReplayMismatch otherwise."""
    ok = type(effect) is list and effect and type(effect[0]) is str
    kind = effect[0] if ok else None
    if kind == "send":
        ok = len(effect) == 5 and type(effect[1]) is str and type(effect[2]) is str and _plain(effect[3]) \
            and (effect[4] is None or type(effect[4]) is int)
    elif kind in ("timer", "local_timer"):
        ok = len(effect) == 3 and type(effect[1]) in (int, float) and math.isfinite(effect[1]) and effect[1] >= 0 \
            and type(effect[2]) is int
    elif kind == "persist":
        ok = len(effect) == 2 and type(effect[1]) is dict and all(type(k) is str for k in effect[1]) \
            and _plain(effect[1])
    elif kind == "note":
        ok = len(effect) == 2 and type(effect[1]) is str
    else:
        ok = False
    if not ok:
        raise ReplayMismatch("malformed log: an effect that is not a send, timer, persist or note of plain data")
    return effect


def _well_formed(entry) -> bool:
    """``[input, effects]``: an input of a known kind and width, and a list of effects (checked when applied)."""
    if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not list or type(entry[1]) is not list:
        return False
    event = entry[0]
    return bool(event) and _INPUT_WIDTH.get(event[0] if type(event[0]) is str else None) == len(event)


def _checked_log(log) -> dict:
    if type(log) is not dict or set(log) != {"nodes", "name"} or type(log["nodes"]) is not dict \
            or type(log["name"]) is not str:
        raise ReplayMismatch("malformed log from the submission's run")
    for name, node in log["nodes"].items():
        if type(name) is not str or type(node) is not dict or set(node) != {"inputs", "stray"} \
                or type(node["inputs"]) is not list or type(node["stray"]) is not int:
            raise ReplayMismatch("malformed log from the submission's run")
        if node["stray"]:
            raise ReplayMismatch(f"node {name!r} acted {node['stray']} time(s) outside its handlers and timers "
                                 "(code run from outside the node, or one node calling another's methods)")
        for entry in node["inputs"]:
            if not _well_formed(entry):
                raise ReplayMismatch(f"malformed log for node {name!r}")
    return log["nodes"]


def puppet_class(log) -> type:
    """A Node class whose instances replay ``log`` (from :func:`.protocol_record.record_protocol`).

    ``Puppet.state`` holds the replay's progress: ``cursor`` (inputs used, per node) and
    ``mismatch`` (the first refusal, or None).
    """
    nodes = _checked_log(log)
    state = {"cursor": {}, "mismatch": None}

    class Puppet(Node):
        def __init__(self, name, *args, **kwargs):
            super().__init__(name)

        def _refuse(self, why: str):
            if state["mismatch"] is None:
                state["mismatch"] = why
            raise ReplayMismatch(why)

        def _input(self, event: list) -> None:
            name = self.name
            if state["mismatch"] is not None:
                raise ReplayMismatch(state["mismatch"])
            entries = nodes.get(name)
            if entries is None:
                self._refuse(f"the log has no entries for node {name!r}")
            i = state["cursor"].get(name, 0)
            if i >= len(entries["inputs"]):
                self._refuse(f"node {name!r}: the log ends after {i} inputs; the grader's run then delivered "
                             f"{_describe(event)}")
            logged, effects = entries["inputs"][i]
            if not _same(logged, event):
                self._refuse(f"node {name!r}, input {i + 1}: the log has {_describe(logged)}, the grader's run "
                             f"{_describe(event)}")
            state["cursor"][name] = i + 1
            for effect in effects:
                try:
                    effect = _checked_effect(effect)
                except ReplayMismatch as error:
                    self._refuse(f"node {name!r}, input {i + 1}: {error}")
                self._apply(effect)

        def _apply(self, effect: list) -> None:
            kind = effect[0]
            if kind == "send":
                self.send(effect[1], effect[2], effect[3], reply_to=effect[4])
            elif kind == "timer":
                Node.set_timer(self, effect[1], self._fired, effect[2])
            elif kind == "local_timer":
                Node.set_local_timer(self, effect[1], self._fired, effect[2])
            elif kind == "persist":
                self.persist(**effect[1])
            else:
                Node.log(self, effect[1])

        def deliver(self, msg):
            self._input(["msg", self.now, msg.src, msg.kind, msg.msg_id, msg.reply_to])

        def start(self):
            self._input(["start", self.now])

        def on_crash(self):
            self._input(["crash", self.now])

        def on_recover(self):
            self._input(["recover", self.now])

        def _fired(self, k):
            self._input(["timer", self.now, k])

    Puppet.state = state
    Puppet.__name__ = Puppet.__qualname__ = log["name"][:80]  # the student's class name, for messages
    return Puppet


def replay_protocol(function, log, args=(), *, kwargs=None):
    """Run the lab's ``function`` here with puppets replaying ``log``; its result, or PropertyFailure if refused.

    The refusal is a :class:`~labsupport.labkits.protocol.PropertyFailure`, so even a hidden test says why.
    """
    try:
        puppet = puppet_class(log)
    except ReplayMismatch as error:
        raise PropertyFailure(f"the log of the submission's run was refused: {error}") from None
    state = puppet.state
    result = None
    try:
        result = function(puppet, *args, **(kwargs or {}))
    except Exception:
        if state["mismatch"] is None:
            raise
    if state["mismatch"] is None:
        for name, node in log["nodes"].items():
            used = state["cursor"].get(name, 0)
            if used != len(node["inputs"]):
                state["mismatch"] = (f"node {name!r}: the log holds {len(node['inputs'])} inputs, the grader's run "
                                     f"delivered {used}")
                break
    if state["mismatch"] is not None:
        raise PropertyFailure(f"the log of the submission's run was refused: {state['mismatch']}")
    return result
