"""Source rewriting for grading: tests that explain their failures, notebooks without ``grader.check``.

Two small edits made with the :mod:`ast` module, in the grader's process:

- :func:`rewrite_test` turns ``assert got == want`` into a check that reports
  both sides (``expected == [1, 2], got [1, 1]``), splits ``assert a and b``
  into one assertion per part, and routes every call through ``_lg_call`` so
  the grader decides where a call runs.
- :func:`neutralise` removes otter's own calls (``grader.check(...)``,
  ``grader.check_all()``, ``grader.export(...)``, ``grader = otter.Notebook(...)``)
  from a notebook cell, wherever they are, and keeps everything else.
"""

from __future__ import annotations

import ast

__all__ = ["rewrite_test", "neutralise", "GRADER_STUB"]

#: Run in the kernel before the notebook: a ``grader`` whose every method does nothing, and an
#: ``otter`` module that only makes such graders (importing the real one takes seconds and is never needed);
#: and the grading agent, imported before the notebook can use up the kernel's memory.
GRADER_STUB = ("import sys as _sys, types as _types\n"
               "class _LabgradeGrader:\n"
               "    def __init__(self, *args, **kwargs):\n"
               "        pass\n"
               "    def __getattr__(self, name):\n"
               "        return lambda *args, **kwargs: None\n"
               "grader = _LabgradeGrader()\n"
               "_sys.modules['otter'] = _types.ModuleType('otter')\n"
               "_sys.modules['otter'].Notebook = _LabgradeGrader\n"
               "del _sys, _types\n"
               "import labsupport.grading.agent  # loaded while memory is plentiful: a cell may exhaust it\n")
OTTER_METHODS = frozenset({"check", "check_all", "export"})


class _TestRewriter(ast.NodeTransformer):
    def visit_Assert(self, node: ast.Assert):
        if node.msg is None and isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.And):
            parts = [ast.copy_location(ast.Assert(test=value, msg=None), node) for value in node.test.values]
            out = []
            for part in parts:
                done = self.visit_Assert(part)
                out.extend(done if isinstance(done, list) else [done])
            return out
        source = ast.unparse(node.test)
        test = node.test
        if node.msg is None and isinstance(test, ast.Compare) and len(test.ops) == 1:
            op = _OPERATORS[type(test.ops[0])]
            call = ast.Call(func=ast.Name("_lg_compare", ast.Load()),
                            args=[self.visit(test.left), ast.Constant(op), self.visit(test.comparators[0]),
                                  ast.Constant(source)], keywords=[])
            return ast.copy_location(ast.Expr(call), node)
        if node.msg is None:
            node.msg = ast.Constant(f"failed: {source}")
        self.generic_visit(node)
        return node

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "super":
            return node
        return ast.copy_location(ast.Call(func=ast.Name("_lg_call", ast.Load()), args=[node.func, *node.args],
                                          keywords=node.keywords), node)


_OPERATORS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
              ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


def rewrite_test(source: str) -> ast.Module:
    """A test example's source as a module ready to compile in ``"single"`` mode.

    Examples
    --------
    >>> tree = rewrite_test("assert f(1) == 2 and g")
    >>> print(ast.unparse(ast.Module(tree.body, [])))
    _lg_compare(_lg_call(f, 1), '==', 2, 'f(1) == 2')
    assert g, 'failed: g'
    """
    tree = ast.parse(source, mode="single")
    tree = _TestRewriter().visit(tree)
    return ast.fix_missing_locations(tree)


class _OtterRemover(ast.NodeTransformer):
    def __init__(self):
        self.removed = 0

    def _pass(self, node):
        self.removed += 1
        return ast.copy_location(ast.Pass(), node)

    def visit_Expr(self, node: ast.Expr):
        call = node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in OTTER_METHODS \
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "grader":
            return self._pass(node)
        return node

    def visit_Assign(self, node: ast.Assign):
        value = node.value
        if [getattr(t, "id", None) for t in node.targets] == ["grader"] and isinstance(value, ast.Call) \
                and isinstance(value.func, ast.Attribute) and value.func.attr == "Notebook":
            return self._pass(node)
        return node


def neutralise(source: str) -> str:
    """``source`` without otter's calls; unchanged when it has none or is not valid Python.

    Examples
    --------
    >>> print(neutralise("def f():\\n    return 1\\ngrader.check('q1')"))
    def f():
        return 1
    pass
    """
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return source
    remover = _OtterRemover()
    tree = remover.visit(tree)
    return ast.unparse(tree) if remover.removed else source
