"""Grader side of record-and-replay: re-run a lab simulation here, feeding back the student's logged decisions.

The examiner flies the route again in the examiner's own simulator: at each
point where the candidate decided something, the simulator shows the
situation, checks it is the one the candidate's log says they saw, and
applies the logged decision. Everything the test then measures (latencies,
histories, replica stores) comes from this simulation, in this process.
A log that does not match what the replay presents, is malformed, or is not
used up is refused with :class:`ReplayMismatch`, and the test fails.
"""

from __future__ import annotations

import array
import math

__all__ = ["ReplayMismatch", "FarmReplay", "check_farm_log", "quorum_replay_class", "check_quorum_logs"]

TOLERANCE_S = 1e-9


class ReplayMismatch(Exception):
    """The submission's log does not describe what its policy or coordinator did in this simulation."""


def _bytes_ints(data, what: str) -> array.array:
    if type(data) is not bytes or len(data) % 8:
        raise ReplayMismatch(f"malformed log: {what}")
    values = array.array("q")
    values.frombytes(data)
    return values


class FarmReplay:
    """A load-balancing policy that answers with the logged targets, after checking each state it is shown."""

    def __init__(self, log, n_servers: int):
        if type(log) is not dict or set(log) != {"name", "seen", "keys", "picks"}:
            raise ReplayMismatch("malformed log from the submission's run_farm")
        self.name = str(log["name"])[:80]
        self.d = None
        self.n = n_servers
        self.seen = _bytes_ints(log["seen"], "outstanding counts")
        picks = log["picks"]
        self.picks = list(_bytes_ints(picks, "picks")) if type(picks) is bytes else picks
        self.keys = log["keys"]
        if type(self.picks) is not list or len(self.seen) != self.n * len(self.picks) or not (
                self.keys is None or (type(self.keys) is list and len(self.keys) == len(self.picks))):
            raise ReplayMismatch("malformed log: its parts do not have matching lengths")
        self.calls = 0

    def __deepcopy__(self, memo):  # run_farm copies its policy: the copy is this replay
        return self

    def choose(self, targets, state, rng):
        i, n = self.calls, self.n
        if i >= len(self.picks):
            raise ReplayMismatch(f"the log ends after {i} choices; the simulation asked for more")
        shown = list(state.outstanding)
        if self.seen[i * n:(i + 1) * n].tolist() != shown or (self.keys is not None and self.keys[i] != state.key):
            raise ReplayMismatch(f"choice {i + 1}: the log says the policy saw another state than this simulation's")
        self.calls += 1
        return self.picks[i]


def check_farm_log(replay: FarmReplay) -> None:
    if replay.calls != len(replay.picks):
        raise ReplayMismatch(f"the log holds {len(replay.picks)} choices; the simulation made {replay.calls}")


def _same(a, b) -> bool:
    if type(a) is float or type(b) is float:
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=0,
                                                                                            abs_tol=TOLERANCE_S)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) in (int, str, bool, type(None)) and a == b or a == b and type(a) is type(b)


def _plain(value, depth: int = 0) -> bool:
    """Data the replay may send or return: no student object (a proxy) anywhere inside."""
    if value is None or type(value) in (bool, int, float, str, bytes):
        return True
    if isinstance(value, (list, tuple)) and depth < 20:
        return all(_plain(v, depth + 1) for v in value)
    if type(value) is dict and depth < 20:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return False


def _entries(node, width: int, what: str) -> list:
    if type(node) is not list or not all(type(e) is list and len(e) == width for e in node):
        raise ReplayMismatch(f"malformed log: {what}")
    return node


def quorum_replay_class(logs):
    """A LabCoordinator subclass whose clients send and return what ``logs`` (from :func:`.record.record_quorum`) say."""
    from labsupport.labkits.quorums import LabCoordinator

    if type(logs) is not dict or not all(type(k) is str and type(v) is dict and set(v) == {"ops", "seen", "stray"}
                                         for k, v in logs.items()):
        raise ReplayMismatch("malformed log from the submission's quorum run")
    replays = []

    class Replay(LabCoordinator):
        def __init__(self, name, replicas, **kwargs):
            super().__init__(name, replicas, **kwargs)
            log = logs.get(name)
            if log is None or log["stray"] != 0:
                raise ReplayMismatch(f"no usable log for client {name!r} (or it sent outside its operations)")
            self._ops = list(reversed(_entries(log["ops"], 5, "operations")))
            self._logged = _entries(log["seen"], 4, "deliveries")
            self._seen, self._wake = [], None
            replays.append(self)

        def deliver(self, msg):
            self._seen.append([self.now, msg.src, msg.kind, msg.payload])
            if self._wake is not None and not self._wake.triggered:
                self._wake.succeed()

        def write(self, key, value):
            return self._replay("write", key, value)

        def read(self, key):
            return self._replay("read", key, None)

        def _until(self, count, at_s):
            if type(count) is not int or not isinstance(at_s, (int, float)) or not math.isfinite(at_s):
                raise ReplayMismatch("malformed log: an action without its count and time")
            while len(self._seen) < count:
                self._wake = self.env.event()
                yield self._wake
            if at_s > self.now + TOLERANCE_S:
                yield self.sleep(at_s - self.now)
            if abs(at_s - self.now) > TOLERANCE_S:
                raise ReplayMismatch(f"client {self.name!r}: an action logged at {at_s} s came at {self.now} s here")

        def _replay(self, kind, key, value):
            if not self._ops:
                raise ReplayMismatch(f"client {self.name!r}: the log has fewer operations than the script")
            logged_kind, logged_key, logged_value, actions, done = self._ops.pop()
            if not _same([logged_kind, logged_key, logged_value], [kind, key, value]):
                raise ReplayMismatch(f"client {self.name!r}: the log's operation is not the script's")
            for count, at_s, dst, message_kind, payload, reply_to in _entries(actions, 6, "sends"):
                yield from self._until(count, at_s)
                if type(message_kind) is not str or not (reply_to is None or type(reply_to) is int) \
                        or not _plain(payload):
                    raise ReplayMismatch("malformed log: a send")
                self.send(dst, message_kind, payload, reply_to=reply_to)
            if done is None:
                yield self.env.event()  # it never returned in the submission's run: nor does it here
            if type(done) is not list or len(done) != 3 or not _plain(done[2]):
                raise ReplayMismatch("malformed log: an operation's end")
            yield from self._until(done[0], done[1])
            return done[2]

    Replay.replays = replays
    return Replay


def check_quorum_logs(replay_class) -> None:
    """After the run: every logged operation was used and every client saw exactly the logged deliveries."""
    for replay in replay_class.replays:
        if replay._ops:
            raise ReplayMismatch(f"client {replay.name!r}: the log has operations the script never started")
        if not _same(replay._seen, replay._logged):
            raise ReplayMismatch(f"client {replay.name!r}: the messages it received differ from the log's")
