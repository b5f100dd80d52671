"""Every public function rejects bad numbers with TypeError or ValueError that names the parameter.

The table of valid arguments is built once, from the library's own doctest
examples: each module's doctests run with its public functions and classes
wrapped in a recorder, and the first call of each that succeeds is kept as
its base call. A numeric parameter is one whose value in that call (or whose
default) is an int or a float. Each numeric parameter in turn is replaced by
NaN, inf, -inf, a string (only where the annotation does not admit str) and
None (only where None is not already a valid value), and, for parameters
that name a quantity that cannot be below zero (a count, a duration, a rate,
a price, a size, a probability), by -1. A value that one parameter takes on
purpose (``theory=inf`` for an unstable queue) is listed, with the reason,
in ``MEANINGFUL`` and not tried on it.
The call must raise TypeError or ValueError whose message contains the
parameter's name (the quorum sizes ``r`` and ``w`` may be named ``R`` and
``W``, as the book writes them: ``SPELLED_AS``); another exception, a silent
return, or a hang (more than two seconds) fails.

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
# labsupport.checks is the checker itself: its bounds (low, high) are the caller's code, not input.
SKIP_PACKAGES = ("labsupport.viz", "labsupport.grading", "labsupport.checks")
NOT_NEGATIVE = re.compile(
    r"(^|_)(n|k|m|c|r|w|count|size|replicas|nodes|servers|workers|clients|hosts|zones|tasks|requests|"
    r"messages|devices|trials|runs|repeats|steps|items|keys|rounds|capacity|depth|attempt|retries|"
    r"buckets|shards|partitions|periods|days|hours|minutes|seconds|years|p|q|probability|loss|rate|"
    r"fraction|timeout)$|_(s|ms|usd|per_s|per_hour|per_second|bytes|gb|mb|kb|rps|tps)$")
BAD = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "a string": "1", "None": None, "-1": -1}
# Quorum sizes are R and W in the book (Gifford, Dynamo) and in their messages ("R=4 exceeds N=3 replicas",
# printed on the quorums page); the parameters are spelled r, w only because Python names are lowercase.
SPELLED_AS = {"r": "R", "w": "W"}
TIME_LIMIT_S = 2
# Values from BAD that a parameter takes on purpose, and why; every other bad value is still tried on it.
MEANINGFUL = {
    # an unstable queue's predicted mean is infinite: relative_error(finite, inf) is -1, its limit
    ("labsupport.report.relative_error", "theory"): {"inf"},
    # a recovery time or point objective of inf seconds is no objective on that axis (documented)
    ("labsupport.usecases.dr_choice.recommend", "rto_s"): {"inf"},
    ("labsupport.usecases.dr_choice.recommend", "rpo_s"): {"inf"},
    # an availability SLO has no latency bound: WebAppRun.availability_slo passes latency_s=inf (documented)
    ("labsupport.usecases.slo.verdict", "latency_s"): {"inf"},
    # a CDF is defined on the whole line: P(lag <= x) = 0 for x < 0
    ("labsupport.availability.cross_region.lag_cdf", "x_s"): {"-1"},
    # a bill may shrink day by day (the series is clamped at $0)
    ("labsupport.cost.budgets.daily_cost_series", "growth_per_day_usd"): {"-1"},
    ("labsupport.cost.budgets.run_budget_month", "growth_per_day_usd"): {"-1"},
    # a register value, not a quantity: any hashable value that equals itself (NaN does not, and is still tried)
    ("labsupport.data.linearizability.check_linearizable", "initial"): {"inf", "-inf", "a string"},
    ("labsupport.data.sequential.check_sequential", "initial"): {"inf", "-inf", "a string"},
    ("labsupport.data.causal.check_causal", "initial"): {"inf", "-inf", "a string"},
    # a clock may be stepped back as well as forward: a negative skew is the dangerous case of page 9.3
    ("labsupport.agreement.leases.run_lease", "skew_s"): {"-1"},
    ("labsupport.agreement.leases.theory_overlap_s", "skew_s"): {"-1"},
    # a clock may be behind true time: a negative offset is a slow clock, not a mistake
    ("labsupport.sim.clock.Clock", "offset_s"): {"-1"},
    ("labsupport.sim.faults.Skew", "offset_s"): {"-1"},
}


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
        # A parameter annotated "int | str" takes text on purpose (Run Command's MaxConcurrency is "10" or
        # "10%"): for it the string "1" is a valid value, not a bad one; NaN, inf and None still are.
        str_is_valid = "str" in str(p.annotation).split(" | ")
        for label, bad in BAD.items():
            if (label == "None" and none_is_valid) or (label == "-1" and not NOT_NEGATIVE.search(name)) \
                    or (label == "a string" and str_is_valid) or label in MEANINGFUL.get((qualname, name), ()):
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
                if name not in str(error) and SPELLED_AS.get(name, name) not in str(error):
                    found.append(f"{name}={label}: {type(error).__name__} does not name it: {error}")
                continue
            except StopIteration:
                pass
            except Exception as error:  # noqa: BLE001 - any other exception is the failure we look for
                found.append(f"{name}={label}: {type(error).__name__}: {error}")
                continue
            found.append(f"{name}={label}: accepted silently")
    return found


# Functions that still let a bad number through (issue 15, open): each is expected to fail, strictly,
# so that fixing one fails this test until it is removed from the list. The list may only shrink.
KNOWN_GAPS: set[str] = set()


@pytest.mark.parametrize("qualname", [
    pytest.param(q, marks=pytest.mark.xfail(strict=True, reason="known gap, issue 15")) if q in KNOWN_GAPS else q
    for q in COVERED])
def test_bad_numbers_are_rejected_naming_the_parameter(qualname):
    obj = next(o for q, o, _ in PUBLIC if q == qualname)
    problems = _problems(qualname, obj)
    assert not problems, f"{qualname}:\n  " + "\n  ".join(problems)


# Public callables with numeric parameters whose doctests do not call them yet (most are simulation
# nodes built inside a run). The list may only shrink: a new function needs a doctest that calls it.
NO_BASE_YET = {
    "labsupport.labkits.quorums.run_inversion",
    "labsupport.security.iam.evaluate.Decision",
    # public since the rebase onto main (kernel and IoT work), without a doctest that calls them yet:
    "labsupport.sim.trace.Message",
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


def test_meaningful_names_numeric_parameters_of_covered_functions():
    stale = sorted(f"{q}({name})" for q, name in MEANINGFUL
                   if q not in COVERED or name not in _numeric_parameters(q, next(o for p, o, _ in PUBLIC if p == q))[1])
    assert not stale, f"MEANINGFUL names what the table does not check: {stale}"


def test_known_gaps_are_public_functions_in_the_table():
    assert not KNOWN_GAPS - set(COVERED), sorted(KNOWN_GAPS - set(COVERED))


def test_the_table_covers_the_library():
    assert len(COVERED) >= 150, COVERED
