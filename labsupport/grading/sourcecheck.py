"""The "did you borrow the library" checks, read from the submitted notebook's source in the grader.

A plagiarism check is done on the paper handed in, not by asking the
candidate whether they copied. :mod:`labsupport.grading.reuse` answers the
question by inspecting live objects, which inside the submission's kernel
means trusting that kernel; here the same questions are answered from the
notebook's code cells, which the grading process read before any student
code ran (so nothing the kernel does can change them).

What a name reaches: its top-level binding statements in every cell (a
``def``, a ``class``, an assignment, an import), and, following every global
name those statements read (a function's own locals and parameters
excepted), the binding statements of those names in turn. An assignment of
a call's result (``history = hourly_usage(...)``) binds data and is not
followed, as :mod:`.reuse` does not follow a global that holds data. A name the
notebook never binds where the grader can read it (``exec``,
``globals()[...]``) fails the check: what cannot be read cannot be cleared.
"""

from __future__ import annotations

import ast
import importlib

from labsupport.grading.labsetup import bound_names
from labsupport.grading.rewrite import neutralise

__all__ = ["NotebookSource", "forbidden_uses", "borrowed", "borrowed_policy_names"]

_POLICY_LIBRARY = "labsupport.availability.load_balancing"
_IAM_LIBRARY = "labsupport.security.iam"
UNREADABLE = "is not defined in the notebook where the grader can read its source"


def _inside(module: str, banned) -> bool:
    return any(module == m or module.startswith(m + ".") for m in banned)


def _global_reads(node: ast.AST, local: frozenset = frozenset()) -> set[str]:
    """Global names ``node`` reads: a function's parameters and assigned names are its own."""
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = node.args
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        body = node.body if isinstance(node.body, list) else [node.body]
        declared = {n for s in body for g in ast.walk(s) if isinstance(g, (ast.Global,)) for n in g.names}
        assigned = set()
        for statement in body:
            assigned |= bound_names(statement)
        inner = frozenset((local | params | assigned) - declared)
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            names |= _global_reads(default, local)
        for decorator in getattr(node, "decorator_list", []):
            names |= _global_reads(decorator, local)
        for statement in body:
            names |= _global_reads(statement, inner)
        return names
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return set() if node.id in local else {node.id}
    for child in ast.iter_child_nodes(node):
        names |= _global_reads(child, local)
    return names


def _imports(node: ast.AST) -> dict[str, str]:
    """For every import inside ``node``: the name it binds -> the dotted name of what it imports."""
    found = {}
    for n in ast.walk(node):
        if isinstance(n, ast.Import):
            for alias in n.names:
                found[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
                found.setdefault("<module " + alias.name + ">", alias.name)
        elif isinstance(n, ast.ImportFrom):
            base = ("." * n.level) + (n.module or "")
            for alias in n.names:
                found[alias.asname or alias.name] = f"{base}.{alias.name}"
                found.setdefault("<module " + base + ">", base)
    return found


def _computed_value(statement: ast.stmt) -> bool:
    """An assignment of a call's result: the name holds data, not code to follow."""
    return isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(statement.value, ast.Call)


class NotebookSource:
    """The top-level bindings of a notebook's code cells (cells that do not parse are skipped, as the kernel does).

    Examples
    --------
    >>> src = NotebookSource(["import math\\nfrom labsupport.cost import commitments as c",
    ...                       "def mine(u):\\n    return math.ceil(u)", "def lazy(u):\\n    return c.optimal_commitment(u, 0.5)"])
    >>> forbidden_uses(src, "mine", ["labsupport.cost"]), forbidden_uses(src, "lazy", ["labsupport.cost"])
    ([], ['c', 'import labsupport.cost', 'optimal_commitment'])
    >>> forbidden_uses(src, "ghost", ["labsupport.cost"])
    ['ghost is not defined in the notebook where the grader can read its source']
    >>> policies = NotebookSource(["from labsupport.availability.load_balancing import LeastOutstandingRequests",
    ...                            "class Mine:\\n    def choose(self, targets, state, rng):\\n        return targets[0]",
    ...                            "class Theirs(LeastOutstandingRequests):\\n    pass"])
    >>> names = {"LeastOutstandingRequests"}
    >>> borrowed_policy_names(policies, "Mine", names)
    set()
    >>> for reason in sorted(borrowed_policy_names(policies, "Theirs", names)):
    ...     print(reason)
    imports labsupport.availability.load_balancing
    imports labsupport.availability.load_balancing.LeastOutstandingRequests
    uses LeastOutstandingRequests
    >>> borrowed(NotebookSource(["def evaluate(p, r):\\n    return 'ALLOW'"]), "evaluate")
    []
    """

    def __init__(self, cells):
        self.bindings: dict[str, list[ast.stmt]] = {}
        self.everything: list[ast.stmt] = []
        for source in cells:
            try:
                tree = ast.parse(neutralise(source))
            except SyntaxError:
                continue
            for statement in tree.body:
                self.everything.append(statement)
                for name in bound_names(statement):
                    self.bindings.setdefault(name, []).append(statement)

    def reach(self, names) -> tuple[list[ast.stmt], set[str], dict[str, str], set[str]]:
        """(statements, names read, imports by bound name, names never bound) reachable from ``names``."""
        statements, reads, imports, missing = [], set(), {}, set()
        seen_names, seen_statements = set(), set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in seen_names:
                continue
            seen_names.add(name)
            if name not in self.bindings:
                missing.add(name)
                continue
            for statement in self.bindings[name]:
                if id(statement) in seen_statements:
                    continue
                seen_statements.add(id(statement))
                if _computed_value(statement):
                    continue  # data made by a call (``history = hourly_usage(...)``), as the live check sees it
                statements.append(statement)
                here = _imports(statement)
                imports.update(here)
                own = _global_reads(statement) - set(here)
                reads |= own
                stack.extend(own)
        return statements, reads, imports, missing

    def attributes(self, statements) -> set[str]:
        """Every attribute name read anywhere in ``statements`` (``lib.optimal_commitment`` gives the last part)."""
        return {n.attr for s in statements for n in ast.walk(s) if isinstance(n, ast.Attribute)}


def _exported(modules) -> set[str]:
    names: set[str] = set()
    for module in modules:
        try:
            names |= set(getattr(importlib.import_module(module), "__all__", ()))
        except ImportError:
            pass
    return names


def forbidden_uses(source: NotebookSource, name: str, modules) -> list[str]:
    """Names through which the notebook's ``name`` reaches ``modules`` (as :func:`.reuse.forbidden_uses`)."""
    banned = tuple(modules)
    statements, reads, imports, missing = source.reach([name])
    if name in missing:
        return [f"{name} {UNREADABLE}"]
    exported = _exported(banned)
    found = {bound for bound, target in imports.items() if _inside(target, banned) and not bound.startswith("<")}
    found |= {f"import {target}" for bound, target in imports.items() if bound.startswith("<") and _inside(target, banned)}
    bound = set().union(*(bound_names(statement) for statement in statements))  # the notebook's own names
    found |= ((reads - bound) | source.attributes(statements)) & exported
    return sorted(found)


def borrowed(source: NotebookSource, *names: str) -> list[str]:
    """Names through which the notebook's functions reach :mod:`labsupport.security.iam` (as :func:`.reuse.borrowed`)."""
    found = []
    for bound, target in _imports(ast.Module(body=source.everything, type_ignores=[])).items():
        if _inside(target, [_IAM_LIBRARY]):
            found.append(f"the notebook imports {target}")
    for name in names:
        statements, reads, imports, missing = source.reach([name])
        if name in missing:
            found.append(f"{name} {UNREADABLE}")
        if "labsupport" in reads or any(_inside(t, ["labsupport"]) for t in imports.values()):
            found.append(f"{name}: uses labsupport in its code")
    return sorted(set(found))


def borrowed_policy_names(source: NotebookSource, name: str, policy_names) -> set[str]:
    """Reasons to think the notebook's class ``name`` reuses a library policy (as :func:`.reuse.borrowed_policy_names`)."""
    statements, reads, imports, missing = source.reach([name])
    if name in missing:
        return {f"{name} {UNREADABLE}"}
    reasons = {f"uses {n}" for n in (reads | source.attributes(statements)) & set(policy_names)}
    for bound, target in imports.items():
        if _inside(target, [_POLICY_LIBRARY]) and (target.rsplit(".", 1)[-1] in policy_names or bound.startswith("<")):
            reasons.add(f"imports {target}")
    return reasons
