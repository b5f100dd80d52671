"""Shortcut detection for lab tests: did a function compute its answer, or borrow the library's?

An exam that allows a calculator may still forbid the one that prints the
answer. Some labs ask students to implement something the book's library
already does (Lab 8 asks for the optimal Savings Plan commitment, which
:func:`labsupport.cost.commitments.optimal_commitment` computes); a hidden
test can then ask whether the student's function reaches into those modules.

:func:`forbidden_uses` follows a function's global names the way Python
resolves them: a name bound to an object from a forbidden module is a use;
a name bound to another plain Python function (a helper the student wrote)
is followed recursively; a name that is not a global at all is an attribute
(``lib.optimal_commitment``) and is a use if a forbidden module exports it.
Nested functions and lambdas are inspected through their code objects.

This is a deterrent against the obvious shortcut, not a sandbox: ``eval``,
``getattr`` with computed strings or ``importlib`` defeat it, and a lab
should say plainly which modules are off limits.
"""

from __future__ import annotations

import builtins
import importlib
import types
from typing import Callable, Iterable

__all__ = ["forbidden_uses"]


def _module_of(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return getattr(obj, "__module__", None) or ""


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def forbidden_uses(func: Callable, modules: Iterable[str]) -> list[str]:
    """Names through which ``func``, or a helper it calls, reaches objects of ``modules``; sorted.

    Parameters
    ----------
    func : function
        A plain Python function (e.g. defined in a notebook).
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
    TypeError: func must be a Python function, not builtin_function_or_method
    """
    if not isinstance(func, types.FunctionType):
        raise TypeError(f"func must be a Python function, not {type(func).__name__}")
    banned = tuple(modules)
    if not banned or not all(isinstance(m, str) and m for m in banned):
        raise ValueError(f"modules={banned!r}: give at least one non-empty dotted module name")
    exported: set[str] = set()
    for name in banned:
        try:
            exported |= set(getattr(importlib.import_module(name), "__all__", ()))
        except ImportError:
            pass

    def is_banned(obj: object) -> bool:
        module = _module_of(obj)
        return any(module == m or module.startswith(m + ".") for m in banned)

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
                if is_banned(obj):
                    found.add(name)
                elif isinstance(obj, types.FunctionType):
                    stack.append(obj)
            elif name in exported and not hasattr(builtins, name):
                found.add(name)
    return sorted(found)
