"""The import rule of CONTRIBUTING ("Where things live"), checked on every module of labsupport.

A part imports only ``sim``, the shared helpers and earlier parts; only ``viz`` imports matplotlib or ipywidgets,
and no part imports ``viz``; ``labkits`` and ``grading`` sit on top and may import any part.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "labsupport"
PARTS = ["foundations", "services", "data", "availability", "security", "monitoring", "cost", "usecases",
         "agreement"]  # the book's order: a part may import the ones before it
SHARED = {"checks", "seeds", "stable_hash", "report"}
ON_TOP = {"labkits", "grading"}
DRAWING = ("matplotlib", "ipywidgets")
MODULES = sorted(p for p in ROOT.rglob("*.py"))


def part_of(path: Path) -> str:
    relative = path.relative_to(ROOT).parts
    return relative[0].removesuffix(".py") if len(relative) > 1 else "shared"


def imported(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (inside functions too), as dotted names."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:  # relative: resolve against the file's package
            package = path.relative_to(ROOT.parent).with_suffix("").parts[:-node.level]
            names.add(".".join(package + ((node.module,) if node.module else ())))
    return names


def allowed(part: str, target: str) -> bool:
    if target in ("sim", "shared", part) or target in SHARED or part in ON_TOP or part == "viz":
        return True
    if part in ("sim", "shared") or target in ("viz", *ON_TOP):
        return False
    return target in PARTS and part in PARTS and PARTS.index(target) < PARTS.index(part)


def test_the_parts_listed_here_are_the_folders_of_labsupport():
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(PARTS) | ON_TOP | {"sim", "viz"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_part_imports_only_the_kernel_the_shared_helpers_and_earlier_parts(path):
    part = part_of(path)
    wrong = []
    for name in sorted(imported(path)):
        top, _, rest = name.partition(".")
        if top in DRAWING and part != "viz":
            wrong.append(name)
        elif top == "labsupport" and rest:
            target = rest.split(".")[0]
            if not allowed(part, "shared" if target in SHARED else target):
                wrong.append(name)
    assert not wrong, f"{path.relative_to(ROOT)} ({part}) imports {wrong}: see CONTRIBUTING, 'The import rule'"
