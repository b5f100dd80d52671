"""Did an answer do the work, or hand in the library's own implementation?

A driving examiner cannot tell a candidate's car from the examiner's own by
watching it drive: both behave correctly. Behavioural tests have the same
blind spot when a lab asks students to build something ``labsupport``
already implements. The checks here look at the code instead, the way
Python resolves its names: where a function or class was defined, what it
inherits, which global names its code (nested functions and lambdas
included) uses, which helpers it calls, and what objects it holds.

Three labs use them:

* Lab 4 (load balancing): :func:`borrowed_policy_names` on a policy class;
* Lab 6 (IAM): :func:`borrowed` on the evaluator's functions;
* Lab 8 (commitments): :func:`forbidden_uses` on a function and the modules
  it may not reach.

They are deterrents against the obvious shortcut, not proofs: ``eval``,
``importlib`` or ``getattr`` with computed strings slip through static
inspection, which is why the grader also runs submissions in an environment
without the asked-for mechanism where it can.
"""

from __future__ import annotations

import builtins
import importlib
import types
from typing import Callable, Iterable

from labsupport.availability.load_balancing import policies as _policies

__all__ = ["LIBRARY_POLICY_NAMES", "borrowed_policy_names", "forbidden_uses", "borrowed"]

#: The names in :mod:`labsupport.availability.load_balancing.policies` that implement a policy.
LIBRARY_POLICY_NAMES = frozenset({
    "RoundRobin", "RandomChoice", "WeightedRoundRobin", "WeightedRandom", "LeastOutstandingRequests",
    "PowerOfChoices", "ConsistentHashAffinity", "make_policy", "_least_outstanding",
})
_POLICY_LIBRARY = "labsupport.availability.load_balancing"
_POLICY_CLASSES = tuple(getattr(_policies, n) for n in sorted(LIBRARY_POLICY_NAMES)
                        if isinstance(getattr(_policies, n), type))
_IAM_LIBRARY = "labsupport.security.iam"


def _code_names(code: types.CodeType) -> set[str]:
    """Every global or attribute name ``code`` uses, nested functions and lambdas included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _module_of(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return str(getattr(obj, "__module__", None) or "")


def _inside(obj: object, modules: Iterable[str]) -> bool:
    """True if ``obj`` is, or was defined in, one of ``modules`` or a submodule of one."""
    module = _module_of(obj)
    return any(module == m or module.startswith(m + ".") for m in modules)


def _held_policies(owner) -> set[str]:
    try:
        values = list(vars(owner).values())
    except TypeError:
        return set()
    return {f"holds a {type(v).__name__}" for v in values if isinstance(v, _POLICY_CLASSES)}


def borrowed_policy_names(cls: type) -> set[str]:
    """Reasons to think ``cls`` reuses a library policy; the empty set if it looks like its own.

    Examples
    --------
    >>> class Mine:
    ...     def choose(self, targets, state, rng):
    ...         return min(targets, key=lambda t: state.outstanding[t])
    >>> borrowed_policy_names(Mine)
    set()
    >>> from labsupport.availability.load_balancing import LeastOutstandingRequests
    >>> sorted(borrowed_policy_names(LeastOutstandingRequests))
    ['defined in labsupport.availability.load_balancing.policies']
    >>> class Wrapper:
    ...     def choose(self, targets, state, rng):
    ...         return LeastOutstandingRequests().choose(targets, state, rng)
    >>> sorted(borrowed_policy_names(Wrapper))
    ['uses LeastOutstandingRequests']
    >>> borrowed_policy_names(42)
    Traceback (most recent call last):
    ...
    TypeError: cls must be a class, not int
    """
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a class, not {type(cls).__name__}")
    reasons: set[str] = set()
    if _inside(cls, [_POLICY_LIBRARY]):
        reasons.add(f"defined in {cls.__module__}")
    for base in cls.__mro__[1:]:
        if base in _POLICY_CLASSES:
            reasons.add(f"subclass of {base.__name__}")
    for klass in cls.__mro__:
        if klass is object or _inside(klass, [_POLICY_LIBRARY]):
            continue
        for value in vars(klass).values():
            function = getattr(value, "__func__", value)
            code = getattr(function, "__code__", None)
            if isinstance(code, types.CodeType):
                reasons |= {f"uses {n}" for n in _code_names(code) & LIBRARY_POLICY_NAMES}
        reasons |= _held_policies(klass)
    try:
        instance = cls()
    except Exception:  # a constructor that needs arguments: nothing more to inspect
        instance = None
    if instance is not None:
        reasons |= _held_policies(instance)
    return reasons


def forbidden_uses(func: Callable, modules: Iterable[str]) -> list[str]:
    """Names through which ``func``, or a helper it calls, reaches objects of ``modules``; sorted.

    A name bound to an object from a forbidden module is a use; a name bound to
    another plain Python function (a helper the student wrote) is followed
    recursively; a name that is not a global at all is an attribute
    (``lib.optimal_commitment``) and is a use if a forbidden module exports it.

    Parameters
    ----------
    func : function or class
        A plain Python function (e.g. defined in a notebook), or a class: then its bases and the
        methods defined in its own module (inherited ones included) are checked.
    modules : iterable of str
        Dotted module names that are off limits, e.g. ``["labsupport.cost.commitments"]``;
        an object counts if its module is one of them or a submodule.

    Examples
    --------
    >>> import math
    >>> from labsupport.cost.commitments import optimal_commitment
    >>> def honest(u, d):
    ...     return (1 - d) * sorted(u)[math.ceil(len(u) * d) - 1]
    >>> def lazy(u, d):
    ...     return optimal_commitment(u, d)
    >>> def indirect(u, d):
    ...     return lazy(u, d)
    >>> banned = ["labsupport.cost.commitments"]
    >>> forbidden_uses(honest, banned), forbidden_uses(lazy, banned), forbidden_uses(indirect, banned)
    ([], ['optimal_commitment'], ['optimal_commitment'])
    >>> forbidden_uses(len, banned)
    Traceback (most recent call last):
    ...
    TypeError: func must be a Python function or class, not builtin_function_or_method
    """
    if not isinstance(func, (types.FunctionType, type)):
        raise TypeError(f"func must be a Python function or class, not {type(func).__name__}")
    banned = tuple(modules)
    if not banned or not all(isinstance(m, str) and m for m in banned):
        raise ValueError(f"modules={banned!r}: give at least one non-empty dotted module name")
    if isinstance(func, type):  # a class: its bases from those modules, and its methods' uses
        found = {k.__name__ for k in func.__mro__ if _inside(k, banned)}
        for klass in func.__mro__:
            for value in vars(klass).values():
                if isinstance(value, types.FunctionType) and value.__module__ == func.__module__:
                    found.update(forbidden_uses(value, banned))
        return sorted(found)
    exported: set[str] = set()
    for name in banned:
        try:
            exported |= set(getattr(importlib.import_module(name), "__all__", ()))
        except ImportError:
            pass
    found: set[str] = set()
    seen: set[int] = set()
    stack = [func]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for name in _code_names(current.__code__):
            if name in current.__globals__:
                obj = current.__globals__[name]
                if _inside(obj, banned):
                    found.add(name)
                elif isinstance(obj, types.FunctionType):
                    stack.append(obj)
            elif name in exported and not hasattr(builtins, name):
                found.add(name)
    return sorted(found)


def borrowed(*functions: Callable) -> list[str]:
    """Names through which ``functions`` (or their module's globals) reach :mod:`labsupport.security.iam`.

    Looks at the global names of the functions' module that refer to the library and at the names
    the functions' code uses (nested functions included).

    Examples
    --------
    >>> def mine(pattern, action):
    ...     return pattern == action
    >>> borrowed(mine)
    []
    >>> from labsupport.security.iam.match import action_matches as theirs
    >>> borrowed(theirs)
    ['action_matches: defined in labsupport.security.iam.match']
    """
    found = []
    for f in functions:
        if _inside(f, [_IAM_LIBRARY]):
            found.append(f"{getattr(f, '__name__', f)}: defined in {f.__module__}")
            continue
        code = getattr(f, "__code__", None)
        if code is not None and any(n == "labsupport" or n.startswith("labsupport.") for n in _code_names(code)):
            found.append(f"{f.__name__}: imports labsupport in its code")
        for name, value in sorted(getattr(f, "__globals__", {}).items()):
            if _inside(value, [_IAM_LIBRARY]):
                found.append(f"{f.__name__}: global {name} comes from {_IAM_LIBRARY}")
    return sorted(set(found))
