"""The house conventions that a reader of any signature relies on, checked over all of labsupport.

* One way to seed: a parameter named ``seed`` is keyword-only with default None.
* Keywords for the rest: no public function, method or class takes more than three
  parameters by position.
* No hidden randomness: no call of the ``random`` module's own generator and no
  ``np.random`` call outside :mod:`labsupport.seeds` (an AST scan of every module).
* No property test that passes by returning early: a hypothesis test states its
  preconditions with ``assume`` (an AST scan of tests/).

Message payloads read by field, never ``payload[i]``, is the kernel's rule and is
checked with it (``tests/sim/test_kernel_contracts.py``).

Records (dataclasses and named tuples, whose constructors Python writes from their
fields) are data the library builds, not calls a reader writes, and are not checked
here -- except configurations, records whose every field has a default (a
``FailoverConfig``, a ``WebAppConfig``): readers write those, so they follow the
three-positional rule too.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pathlib
import pkgutil

import pytest

import labsupport

ROOT = pathlib.Path(labsupport.__file__).parent
MAX_POSITIONAL = 3

# Modules whose functions take a seed as their subject (``as_rng(seed)``).
SEED_HELPERS = {"labsupport.seeds"}
# Signatures owned by work in progress elsewhere, each with its reason.
EXEMPT_POSITIONAL = {
    "labsupport.grading.runner.grade_submission": "labgrade's runner (H1/H2, issue 14); convert with their change",
    "labsupport.grading.runner.Limits": "labgrade's limits (H1/H2, issue 14); convert with their change",
    "labsupport.grading.wire.decode": "labgrade's wire format, just landed (H1/H2); convert with them",
    "labsupport.checks.check_method": "the argument-checking module, just landed (H3a); convert with its 54 call sites",
    "labsupport.checks.out_of_range": "the argument-checking module, just landed (H3a); convert with its call sites",
    "labsupport.checks.describe_range": "the argument-checking module, just landed (H3a); convert with its call sites",
}
# Files whose generators mirror another process's state rather than draw: each with its reason.
EXEMPT_RANDOMNESS = {
    "grading/agent.py": "copies a grader's random.Random into the kernel and sets its state (setstate)",
}


def _modules():
    for info in pkgutil.walk_packages(labsupport.__path__, "labsupport."):
        yield importlib.import_module(info.name)


def _is_record(cls: type) -> bool:
    """A dataclass or named tuple whose constructor Python generated from its fields."""
    if issubclass(cls, tuple):
        return True
    init = cls.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    return code is not None and code.co_filename != inspect.getfile(cls)


def _is_configuration(cls: type) -> bool:
    """A dataclass whose every field has a default: something readers build by hand."""
    if not dataclasses.is_dataclass(cls):
        return False
    fields = [f for f in dataclasses.fields(cls) if f.init]
    return bool(fields) and all(f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
                                for f in fields)


def public_callables():
    """``(qualified name, callable)`` for every public function, class and method in an ``__all__``."""
    seen = set()
    for module in _modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # re-exported: checked where it is defined
            qual = f"{module.__name__}.{name}"
            if inspect.isfunction(obj):
                targets = [(qual, obj)]
            elif inspect.isclass(obj):
                if getattr(obj, "_is_protocol", False):
                    targets = []
                elif _is_record(obj):
                    targets = [(qual, obj)] if _is_configuration(obj) else []
                else:
                    targets = [(qual, obj)] if "__init__" in obj.__dict__ else []
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if inspect.isfunction(member):
                        targets.append((f"{qual}.{attr}", member))
            else:
                continue
            for q, fn in targets:
                if q not in seen:
                    seen.add(q)
                    yield q, fn


def _parameters(fn) -> list[inspect.Parameter]:
    params = list(inspect.signature(fn).parameters.values())
    if not inspect.isclass(fn) and params and params[0].name in ("self", "cls"):
        params = params[1:]
    return params


def seed_violations() -> list[str]:
    bad = []
    for qual, fn in public_callables():
        if qual.rsplit(".", 1)[0] in SEED_HELPERS:
            continue
        for p in _parameters(fn):
            if p.name == "seed" and (p.kind is not p.KEYWORD_ONLY or p.default is not None):
                bad.append(f"{qual}: seed is {p.kind.description} with default {p.default!r}")
    return bad


def positional_violations() -> list[str]:
    bad = []
    for qual, fn in public_callables():
        if qual in EXEMPT_POSITIONAL:
            continue
        positional = [p.name for p in _parameters(fn) if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(positional) > MAX_POSITIONAL:
            bad.append(f"{qual}({', '.join(positional)}): {len(positional)} positional parameters")
    return bad


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def hidden_randomness(path: pathlib.Path) -> list[str]:
    """Calls of ``random``'s global generator (or an unseeded ``random.Random()``) and of ``np.random``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    random_names, numpy_names, bad = {"random"}, {"np", "numpy"}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("random", "numpy.random"):
            allowed = {"Random"} if node.module == "random" else set()
            for alias in node.names:
                if alias.name not in allowed:
                    bad.append(f"{path}:{node.lineno}: from {node.module} import {alias.name}")
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            head, _, rest = name.partition(".")
            if head in random_names and rest and not (rest == "Random" and (node.args or node.keywords)):
                bad.append(f"{path}:{node.lineno}: {name}(...)")
            elif head in numpy_names and rest.startswith("random."):
                bad.append(f"{path}:{node.lineno}: {name}(...) (use labsupport.seeds.as_numpy_rng)")
    return bad


def randomness_violations() -> list[str]:
    bad = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.relative_to(ROOT).as_posix() not in {"seeds.py", *EXEMPT_RANDOMNESS}:
            bad += hidden_randomness(path)
    return bad


def early_returns(path: pathlib.Path) -> list[str]:
    """``if ...: return`` with no assertion in a ``@given`` test: hypothesis counts it as a pass."""
    tree, bad = ast.parse(path.read_text(), filename=str(path)), []
    for fn in ast.walk(tree):
        if not (isinstance(fn, ast.FunctionDef) and any("given" in ast.unparse(d) for d in fn.decorator_list)):
            continue
        for node in ast.walk(fn):
            if (isinstance(node, ast.If) and isinstance(node.body[-1], ast.Return)
                    and not any(isinstance(n, (ast.Assert, ast.With, ast.Raise)) for s in node.body for n in ast.walk(s))):
                bad.append(f"{path}:{node.lineno}: {fn.name} returns early; use hypothesis.assume")
    return bad


# -- the rules -------------------------------------------------------------------


def test_the_walk_finds_the_library():
    names = {q for q, _ in public_callables()}
    assert len(names) > 300
    assert {"labsupport.availability.load_balancing.farm.run_farm", "labsupport.sim.simulation.Simulation",
            "labsupport.security.vpc.network.Network.add_subnet",
            "labsupport.usecases.webapp_parts.WebAppConfig"} <= names
    assert "labsupport.sim.trace.TraceEvent" not in names          # a record, built by the kernel


def test_seed_is_keyword_only_with_default_none():
    assert seed_violations() == []


def test_at_most_three_positional_parameters():
    assert positional_violations() == []


def test_no_hidden_randomness_outside_seeds():
    assert randomness_violations() == []


def test_property_tests_do_not_return_early():
    tests = pathlib.Path(__file__).parent
    assert [b for path in sorted(tests.rglob("test_*.py")) for b in early_returns(path)] == []


# -- the checks themselves catch what they are meant to --------------------------


def _module_from(tmp_path, source: str) -> pathlib.Path:
    path = tmp_path / "m.py"
    path.write_text(source)
    return path


@pytest.mark.parametrize("source", [
    "import random\ndef f():\n    return random.random()\n",
    "import random\ndef f(xs):\n    return random.choice(xs)\n",
    "import random\nRNG = random.Random()\n",
    "from random import shuffle\n",
    "import numpy as np\ndef f():\n    return np.random.default_rng(1)\n",
    "import numpy\ndef f():\n    return numpy.random.normal()\n",
])
def test_the_scan_finds_hidden_randomness(tmp_path, source):
    assert len(hidden_randomness(_module_from(tmp_path, source))) == 1


@pytest.mark.parametrize("source", [
    "import random\ndef f(seed):\n    return random.Random(seed).random()\n",
    "from labsupport.seeds import as_numpy_rng\ndef f(seed):\n    return as_numpy_rng(seed, 'x').random()\n",
    "import numpy as np\ndef f(rng: np.random.Generator):\n    return rng.random()\n",
])
def test_the_scan_accepts_seeded_generators(tmp_path, source):
    assert hidden_randomness(_module_from(tmp_path, source)) == []


def test_the_early_return_scan(tmp_path):
    head = "from hypothesis import given, strategies as st\n@given(st.integers())\ndef test_x(n):\n"
    assert len(early_returns(_module_from(tmp_path, head + "    if n < 0:\n        return\n    assert n >= 0\n"))) == 1
    checked = head + "    if n < 0:\n        assert -n > 0\n        return\n    assert n >= 0\n"
    assert early_returns(_module_from(tmp_path, checked)) == []
