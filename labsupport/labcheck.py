"""Grader helpers: is a student's policy class really their own?

A lab that asks for a least-outstanding-requests policy has a problem a
driving examiner does not: the candidate could hand in the examiner's own
car. Behavioural tests cannot tell a correct student class from the
library's :class:`~labsupport.loadbalancing.LeastOutstandingRequests`, because
both behave correctly. This module looks at the class instead: where it was
defined, what it inherits, which names its methods use (nested functions
and lambdas included), and what objects it or a fresh instance holds. It is
a guard against accidental or lazy reuse, not against a determined attacker
(``getattr(module, "Least" + "OutstandingRequests")`` slips through).

Lab tests use it as ``assert not borrowed_policy_names(MyPolicy)``.
"""

from __future__ import annotations

import types

from labsupport.loadbalancing import policies as _policies

__all__ = ["LIBRARY_POLICY_NAMES", "borrowed_policy_names"]

#: The names in :mod:`labsupport.loadbalancing.policies` that implement a policy.
LIBRARY_POLICY_NAMES = frozenset({
    "RoundRobin", "RandomChoice", "WeightedRoundRobin", "WeightedRandom", "LeastOutstandingRequests",
    "PowerOfChoices", "ConsistentHashAffinity", "make_policy", "_least_outstanding",
})
_LIBRARY = "labsupport.loadbalancing"
_LIBRARY_CLASSES = tuple(getattr(_policies, n) for n in sorted(LIBRARY_POLICY_NAMES)
                         if isinstance(getattr(_policies, n), type))


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _held_policies(owner) -> set[str]:
    try:
        values = list(vars(owner).values())
    except TypeError:
        return set()
    return {f"holds a {type(v).__name__}" for v in values if isinstance(v, _LIBRARY_CLASSES)}


def borrowed_policy_names(cls: type) -> set[str]:
    """Reasons to think ``cls`` reuses a library policy; the empty set if it looks like its own.

    Examples
    --------
    >>> class Mine:
    ...     def choose(self, targets, state, rng):
    ...         return min(targets, key=lambda t: state.outstanding[t])
    >>> borrowed_policy_names(Mine)
    set()
    >>> from labsupport.loadbalancing import LeastOutstandingRequests
    >>> sorted(borrowed_policy_names(LeastOutstandingRequests))
    ['defined in labsupport.loadbalancing.policies']
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
    module = getattr(cls, "__module__", "") or ""
    if module.startswith(_LIBRARY):
        reasons.add(f"defined in {module}")
    for base in cls.__mro__[1:]:
        if base in _LIBRARY_CLASSES:
            reasons.add(f"subclass of {base.__name__}")
    for klass in cls.__mro__:
        if klass is object or (getattr(klass, "__module__", "") or "").startswith(_LIBRARY):
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
