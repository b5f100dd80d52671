"""Every public function rejects bad numbers with TypeError or ValueError that names the parameter.

The table of valid arguments is built once, from the library's own doctest
examples: each module's doctests run with its public functions and classes
wrapped in a recorder, and the first call of each that succeeds is kept as
its base call. A numeric parameter is one whose value in that call (or whose
default) is an int or a float. Each numeric parameter in turn is replaced by
NaN, inf, -inf, a string and None (None only where None is not already a
valid value), and, for parameters that name a quantity that cannot be below
zero (a count, a duration, a rate, a price, a size, a probability), by -1.
The call must raise TypeError or ValueError whose message contains the
parameter's name; another exception, a silent return, or a hang (more than
two seconds) fails.

A public function with a numeric parameter but no base call fails
``test_every_numeric_function_has_base_arguments``: give it a doctest example
that calls it. ``COVERED`` lists what the test checks today.
"""

from __future__ import annotations

import copy
import dataclasses
import doctest
import importlib
import inspect
import math
import pkgutil
import re
import signal
from contextlib import contextmanager

import pytest

import labsupport

# Packages left out, and why: viz draws (its inputs are results and widgets), grading judges
# student notebooks (its inputs are files and processes, not numbers).
SKIP_PACKAGES = ("labsupport.viz", "labsupport.grading")
NOT_NEGATIVE = re.compile(
    r"(^|_)(n|k|m|c|r|w|count|size|replicas|nodes|servers|workers|clients|hosts|zones|tasks|requests|"
    r"messages|devices|trials|runs|repeats|steps|items|keys|rounds|capacity|depth|attempt|retries|"
    r"buckets|shards|partitions|periods|days|hours|minutes|seconds|years|p|q|probability|loss|rate|"
    r"fraction|timeout)$|_(s|ms|usd|per_s|per_hour|per_second|bytes|gb|mb|kb|rps|tps)$")
BAD = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "a string": "1", "None": None, "-1": -1}
TIME_LIMIT_S = 2


class _Recorder:
    """Stands in for a public callable in the doctests and keeps its first successful call."""

    def __init__(self, target, name, calls):
        self._target, self._name, self._calls = target, name, calls

    def __call__(self, *args, **kwargs):
        try:
            saved = copy.deepcopy((args, kwargs))
        except Exception:  # noqa: BLE001 - objects that cannot be copied are kept as they are
            saved = (args, kwargs)
        result = self._target(*args, **kwargs)
        self._calls.setdefault(self._name, saved)
        return result

    def __getattr__(self, attribute):
        return getattr(self._target, attribute)


def _public():
    """(qualified name, object, module) for every public callable defined in a checked module."""
    out = []
    for info in pkgutil.walk_packages(labsupport.__path__, "labsupport."):
        if info.name.startswith(SKIP_PACKAGES):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if callable(obj) and getattr(obj, "__module__", None) == info.name:
                out.append((f"{info.name}.{name}", obj, module))
    return out


PUBLIC = _public()


def _record_base_calls():
    calls: dict[str, tuple] = {}
    by_object = {id(obj): qualname for qualname, obj, _ in PUBLIC}
    runner = doctest.DocTestRunner(verbose=False, optionflags=doctest.ELLIPSIS)
    for module in sorted({m for _, _, m in PUBLIC}, key=lambda m: m.__name__):
        for test in doctest.DocTestFinder(recurse=True).find(module):
            for key, value in list(test.globs.items()):
                if id(value) in by_object:
                    test.globs[key] = _Recorder(value, by_object[id(value)], calls)
            runner.run(test, out=lambda text: None)
    return calls


BASE = _record_base_calls()


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parameters(obj):
    try:
        return inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return {}


def _numeric_parameters(qualname, obj):
    """Names of the numeric parameters of ``obj``, with the base call's bound arguments."""
    params = _parameters(obj)
    args, kwargs = BASE[qualname]
    bound = inspect.signature(obj).bind(*args, **kwargs)
    names = []
    for name, p in params.items():
        if name == "seed" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        value = bound.arguments.get(name, p.default)
        if _numeric(value):
            names.append(name)
    return bound, names


def _is_record(obj) -> bool:
    """A dataclass that checks nothing is a record the library returns (a result, a trace event), or an exception."""
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return True
    return dataclasses.is_dataclass(obj) and not hasattr(obj, "__post_init__")


def _has_numeric_parameter(obj) -> bool:
    if _is_record(obj):
        return False
    return any(name != "seed" and _numeric(p.default) for name, p in _parameters(obj).items()) or any(
        name != "seed" and str(p.annotation) in ("int", "float") for name, p in _parameters(obj).items())


COVERED = sorted(q for q, obj, _ in PUBLIC if q in BASE and _numeric_parameters(q, obj)[1])


@contextmanager
def _time_limit(seconds):
    def hang(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")
    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)  # again and again: a finalizer may swallow one
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _problems(qualname, obj):
    bound, names = _numeric_parameters(qualname, obj)
    params = _parameters(obj)
    found = []
    for name in names:
        p = params[name]
        none_is_valid = p.default is None or "None" in str(p.annotation)
        for label, bad in BAD.items():
            if (label == "None" and none_is_valid) or (label == "-1" and not NOT_NEGATIVE.search(name)):
                continue
            call = bound.signature.bind_partial()
            call.arguments.update(copy.copy(bound.arguments))
            call.arguments[name] = bad
            try:
                args, kwargs = copy.deepcopy((call.args, call.kwargs))
            except Exception:  # noqa: BLE001
                args, kwargs = call.args, call.kwargs
            try:
                with _time_limit(TIME_LIMIT_S):
                    result = obj(*args, **kwargs)
                if inspect.isgenerator(result):
                    next(result)
            except (TypeError, ValueError) as error:
                if name not in str(error):
                    found.append(f"{name}={label}: {type(error).__name__} does not name it: {error}")
                continue
            except StopIteration:
                pass
            except Exception as error:  # noqa: BLE001 - any other exception is the failure we look for
                found.append(f"{name}={label}: {type(error).__name__}: {error}")
                continue
            found.append(f"{name}={label}: accepted silently")
    return found


@pytest.mark.parametrize("qualname", COVERED)
def test_bad_numbers_are_rejected_naming_the_parameter(qualname):
    obj = next(o for q, o, _ in PUBLIC if q == qualname)
    problems = _problems(qualname, obj)
    assert not problems, f"{qualname}:\n  " + "\n  ".join(problems)


# Public callables with numeric parameters whose doctests do not call them yet (most are simulation
# nodes built inside a run). The list may only shrink: a new function needs a doctest that calls it.
NO_BASE_YET = {
    "labsupport.availability.auto_scaling.StepScaling",
    "labsupport.availability.failover.procedure.DbServer",
    "labsupport.availability.load_balancing.health.health_check_process",
    "labsupport.cost.prices.InstancePrices",
    "labsupport.data.quorum.coordinator.QuorumClient",
    "labsupport.data.quorum.replica.StorageNode",
    "labsupport.data.replication.FailoverMonitor",
    "labsupport.data.replication.Replica",
    "labsupport.data.replication.SessionClient",
    "labsupport.data.replication.Writer",
    "labsupport.foundations.kvstore.Incrementer",
    "labsupport.foundations.redundancy.failure_schedule",
    "labsupport.labkits.quorums.AnyReplicaCoordinator",
    "labsupport.labkits.quorums.LabCoordinator",
    "labsupport.labkits.quorums.run_inversion",
    "labsupport.monitoring.trusted_advisor.findings_rows",
    "labsupport.security.iam.evaluate.Decision",
    "labsupport.services.rds.DbNode",
    "labsupport.sim.network.LinkConfig",
    "labsupport.usecases.disaster_recovery.measure",
    "labsupport.usecases.iot.Broker",
    "labsupport.usecases.iot.Device",
    "labsupport.usecases.mapreduce.Worker",
    "labsupport.usecases.streams.sliding",
    "labsupport.usecases.streams.tumbling",
    "labsupport.usecases.webapp_parts.Workload",
}


def test_every_numeric_function_has_base_arguments():
    missing = sorted(q for q, obj, _ in PUBLIC if q not in BASE and _has_numeric_parameter(obj)
                     and q not in NO_BASE_YET)
    assert not missing, ("public functions with numeric parameters and no doctest example that calls them "
                         "(add one, so that this test has valid arguments to start from):\n" + "\n".join(missing))


def test_the_list_of_functions_without_base_arguments_only_shrinks():
    now_covered = sorted(q for q in NO_BASE_YET if q in BASE)
    gone = sorted(q for q in NO_BASE_YET if q not in {p for p, _, _ in PUBLIC})
    assert not now_covered and not gone, f"remove from NO_BASE_YET: {now_covered + gone}"


def test_the_table_covers_the_library():
    assert len(COVERED) >= 150, COVERED
