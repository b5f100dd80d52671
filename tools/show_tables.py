"""Show report tables as HTML tables: ``print(comparison(...))`` becomes ``comparison(...)``.

Usage:
    python tools/show_tables.py book/*/*.ipynb            rewrite code cells in place
    python tools/show_tables.py --check book/*/*.ipynb    only report cells that still print a table

:func:`labsupport.report.table` and :func:`~labsupport.report.comparison` return a
:class:`~labsupport.report.Table`, which Jupyter and the book show as a real HTML table when it is
displayed rather than printed. A ``print(table(...))`` or ``print(comparison(...))`` statement that
ends its cell becomes the bare expression; one earlier in the cell becomes ``display(...)``
(IPython's built-in). ``print`` keeps working, so pages not yet rewritten still show text.
Re-execute the rewritten notebooks afterwards (the outputs change from text to a table).
Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_cells import rewrite_code_cells  # noqa: E402  (the loop the page tools share)

TABLE_FUNCTIONS = {"table", "comparison"}


def _is_table_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in TABLE_FUNCTIONS


def printed_tables(tree: ast.Module) -> list[tuple[ast.Expr, bool]]:
    """Top-level ``print(<table call>)`` statements, each with whether it is the cell's last statement."""
    found = []
    for i, stmt in enumerate(tree.body):
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"
                and len(call.args) == 1 and not call.keywords and _is_table_call(call.args[0])):
            found.append((stmt, i == len(tree.body) - 1))
    return found


def rewrite(source: str) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # magics: leave the cell alone
        return source
    lines = source.splitlines(keepends=True)
    for stmt, last in reversed(printed_tables(tree)):
        arg = stmt.value.args[0]
        start, end = stmt.lineno - 1, stmt.end_lineno - 1
        text = "".join(lines[start:end + 1])
        head, tail = lines[start][:stmt.col_offset], lines[end][stmt.end_col_offset:]
        inner = ast.get_source_segment(source, arg, padded=False)
        indent = " " * (len("display(") - len("print("))
        inner = inner.replace("\n", "\n" + indent) if not last else inner.replace("\n      ", "\n")
        new = f"{head}{inner if last else f'display({inner})'}{tail}"
        if text != new:
            lines[start:end + 1] = [new]
    return "".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a cell prints a table")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    return rewrite_code_cells(args.notebooks, lambda _path, _number, source: rewrite(source), check=args.check,
                              done="tables displayed, not printed: {path}",
                              problem="{path} cell {cell} prints a report table; "
                                      "run 'python tools/show_tables.py' on it")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
