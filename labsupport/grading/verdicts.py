"""Library checks and simulations that judge the student's own objects, decided in the grading process.

Some tests hand a student object to a library function that drives or
inspects it: a simulation that runs the student's load-balancing policy or
quorum coordinator, or a check that reads the student's code for borrowed
library parts. Run inside the submission's kernel, such a function is the
student's to patch. So the grader runs none of them there:

* the reuse checks read the submitted notebook's source (:mod:`.sourcecheck`);
* the simulations are recorded in the kernel (:mod:`.record`: one round trip
  returns the student's decisions and what they saw) and replayed here
  (:mod:`.replay`), whose result is what the test sees; a protocol lab's runs
  (Labs 10 and 11) the same way, node by node (:mod:`.protocol_record`,
  :mod:`.protocol_replay`).

:func:`judge` picks the handler for a call, by the identity of the grader's
own function; calls that do not involve a student object run as they are.
"""

from __future__ import annotations

import sys

from labsupport.grading import record
from labsupport.grading.proxy import StudentProxy, importable
from labsupport.grading.protocol_replay import replay_protocol
from labsupport.grading.replay import FarmReplay, ReplayMismatch, check_farm_log, check_quorum_logs, \
    quorum_replay_class
from labsupport.labkits.protocol import is_protocol_lab

__all__ = ["judge", "JUDGED"]

_QUORUM = "labsupport.labkits.quorums"
_FARM = "labsupport.availability.load_balancing.farm"
_REUSE = "labsupport.grading.reuse"


def _student(values) -> bool:
    values = list(values)
    for value in list(values):
        if isinstance(value, (list, tuple)):
            values.extend(value)
        elif isinstance(value, dict):
            values.extend(value.values())
    return any(isinstance(v, StudentProxy) for v in values)


def _named(namespace, value, check: str) -> str:
    """The notebook name a test fetched ``value`` by; a check of anything else cannot be read from source."""
    for name in namespace.fetched:
        if namespace.fetched[name] is value:
            return name
    raise ReplayMismatch(f"{check}: its argument is not a name from the notebook, so its source cannot be read")


def _reuse(check: str):
    def run(namespace, function, args, kwargs):
        from labsupport.grading import sourcecheck

        if kwargs:
            raise TypeError(f"{check}: pass its arguments by position")
        source = namespace.source
        if check == "borrowed":
            found = []
            for value in args:
                if isinstance(value, StudentProxy):
                    found += sourcecheck.borrowed(source, _named(namespace, value, check))
                else:
                    found += function(value)
            return sorted(set(found))
        target, *rest = args
        if not isinstance(target, StudentProxy):
            return function(*args)
        name = _named(namespace, target, check)
        if check == "forbidden_uses":
            return sourcecheck.forbidden_uses(source, name, *rest)
        from labsupport.grading.reuse import LIBRARY_POLICY_NAMES

        return sourcecheck.borrowed_policy_names(source, name, LIBRARY_POLICY_NAMES)
    return run


def _farm(namespace, function, args, kwargs):
    args, kwargs = list(args), dict(kwargs)
    policy = kwargs.pop("policy") if "policy" in kwargs else args.pop(0)
    if _student(args) or _student(kwargs):
        raise TypeError("run_farm: only the policy may be the student's object")
    log = namespace.remote.request("run", record.record_farm, (policy, tuple(args), kwargs), {})
    n_servers = kwargs.get("n_servers", args[0] if args else None)
    if type(n_servers) is not int:
        raise TypeError("run_farm: n_servers must be an int")
    replay = FarmReplay(log, n_servers)
    result = function(replay, *args, **kwargs)
    check_farm_log(replay)
    return result


def _quorum(namespace, function, args, kwargs):
    args, kwargs = list(args), dict(kwargs)
    coordinator = kwargs.pop("coordinator") if "coordinator" in kwargs else args.pop(0)
    if _student(args) or _student(kwargs):
        raise TypeError(f"{function.__name__}: only the coordinator may be the student's object")
    logs = namespace.remote.request("run", record.record_quorum, (function, coordinator),
                                   {"args": tuple(args), "kwargs": kwargs})
    replay = quorum_replay_class(logs)
    result = function(replay, *args, **kwargs)
    check_quorum_logs(replay)
    return result


def _protocol(namespace, function, args, kwargs):
    """A protocol lab's run (:func:`~labsupport.labkits.protocol.protocol_lab`): recorded there, replayed here."""
    from labsupport.grading.protocol_record import record_protocol

    args, kwargs = list(args), dict(kwargs)
    node_class = kwargs.pop("node_class") if "node_class" in kwargs else args.pop(0)
    if _student(args) or _student(kwargs):
        raise TypeError(f"{function.__name__}: only the node class may be the student's object")
    log = namespace.remote.request("run", record_protocol, (function, node_class),
                                   {"args": tuple(args), "kwargs": kwargs})
    return replay_protocol(function, log, args, kwargs=kwargs)


#: The library functions judged here when a student object is among their arguments.
JUDGED = {f"{_REUSE}.{name}": _reuse(name) for name in ("borrowed", "forbidden_uses", "borrowed_policy_names")}
JUDGED[f"{_FARM}.run_farm"] = _farm
JUDGED.update({f"{_QUORUM}.{name}": _quorum for name in ("run_workload", "run_schedule", "run_inversion",
                                                         "run_repair", "run_slow_replica")})


def judge(function, args, kwargs):
    """The handler ``(namespace, function, args, kwargs) -> value`` for this call, or None to just call it."""
    if isinstance(function, StudentProxy):
        return None  # only the library's own functions are judged; asking a student object its name costs two trips
    key = f"{getattr(function, '__module__', None)}.{getattr(function, '__qualname__', None)}"
    handler = JUDGED.get(key)
    if handler is None and is_protocol_lab(function):
        handler = _protocol
    if handler is None or not importable(function) or sys.modules.get(function.__module__) is None:
        return None
    if not _student(args) and not _student(kwargs.values()):
        return None
    return handler
