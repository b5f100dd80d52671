"""Make otter's autograder zips self-sufficient on Gradescope: they install ``labsupport`` themselves.

Gradescope unzips an autograder into ``/autograder/source``, runs ``setup.sh`` once to build the image and
then ``run_autograder`` for every submission. The ``setup.sh`` that otter-grader 7 writes installs
Miniforge and creates a conda environment from the zip's ``environment.yml``, whose ``pip:`` section it
fills with ``otter-grader[grading,plugins]`` and the assignment's requirements; ``run_autograder`` then
runs ``run_otter.py`` in that environment. Nothing in otter's zip brings our library, so every lab's
``import labsupport`` failed there.

:func:`bundle` rewrites that ``environment.yml`` and adds three files to the zip:

- ``labsupport-<version>-py3-none-any.whl``, built from this checkout by :func:`build_wheel`;
- ``constraints.txt``, the project's pins for every package (the versions the tests ran with);
- an ``environment.yml`` whose Python is the project's (``runtime.txt``) and whose ``pip:`` section is
  :func:`pip_requirements`: the constraints, ``otter-grader[grading]`` at the pinned version (no
  ``plugins`` extra: no lab uses otter's Google plugins) and the wheel, by absolute paths under the
  autograder folder, as otter's own templates name every file, so that nothing depends on the folder
  conda runs that ``pip install`` from.

The wheel's own requirements (simpy, networkx, numpy, matplotlib, ipywidgets) come with it, at the
constraints' versions. ``tests/labs/test_gradescope.py`` rehearses the result: a clean virtual
environment from the ``pip:`` section alone, the zip's ``run_otter.py`` on each lab's solution and on
its untouched student notebook, scores compared with labgrade's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

__all__ = ["AUTOGRADER_DIR", "build_wheel", "bundle", "pinned", "pip_requirements", "python_version"]

ROOT = Path(__file__).resolve().parents[1]
AUTOGRADER_DIR = "/autograder"  # where Gradescope unzips the autograder (otter's default autograder_dir)
#: What the wheel is built from: the package and the files pyproject.toml names.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "labsupport")
#: A fixed timestamp for the files in the wheel, so the same checkout gives the same bytes.
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01 00:00 UTC


def build_wheel(out_dir: Path, *, root: Path = ROOT) -> Path:
    """Build the ``labsupport`` wheel from a clean copy of ``root`` into ``out_dir``; return its path.

    The copy keeps the checkout free of setuptools' ``build/`` folder and the wheel free of caches.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="labsupport-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in WHEEL_SOURCES:
            path = root / name
            if path.is_dir():
                shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy(path, src / name)
        env = os.environ | {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp, str(src)],
                                check=False, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"building the labsupport wheel failed:\n{result.stdout}\n{result.stderr}")
        wheel = next(Path(tmp).glob("labsupport-*.whl"))
        return Path(shutil.copy(wheel, out_dir / wheel.name))


def pinned(package: str, constraints: Path) -> str:
    """The ``==`` version ``constraints`` pins ``package`` to (names compared as pip does)."""
    def canonical(name: str) -> str:
        return name.strip().lower().replace("_", "-").replace(".", "-")

    for line in constraints.read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and canonical(name) == canonical(package):
            return version.strip()
    raise ValueError(f"{constraints} pins no version of {package}; run 'make constraints'")


def python_version(root: Path = ROOT) -> str:
    """The project's Python (``runtime.txt``, as Binder reads it), e.g. ``'3.11'``."""
    return (root / "runtime.txt").read_text().strip().removeprefix("python-")


def pip_requirements(wheel_name: str, constraints: Path, *, autograder_dir: str = AUTOGRADER_DIR) -> list[str]:
    """The ``pip:`` lines of the bundle's environment.yml: constraints, otter, and the wheel."""
    source = f"{autograder_dir}/source"
    return [f"-c {source}/constraints.txt",
            f"otter-grader[grading]=={pinned('otter-grader', constraints)}",
            f"labsupport @ file://{source}/{wheel_name}"]


def bundle(zip_path: Path, wheel: Path, *, constraints: Path = ROOT / "constraints.txt") -> None:
    """Rewrite otter's autograder ``zip_path`` in place so that it installs ``wheel`` and the pinned packages."""
    with zipfile.ZipFile(zip_path) as old:  # otter's entries keep their ZipInfo (names, dates, modes)
        entries = {info.filename: (info, old.read(info)) for info in old.infolist()}
    if "environment.yml" not in entries or "run_otter.py" not in entries:
        raise ValueError(f"{zip_path} is not an otter-grader autograder zip (no environment.yml or run_otter.py)")
    environment = yaml.safe_load(entries["environment.yml"][1])
    dependencies = [d for d in environment["dependencies"] if not isinstance(d, dict)]
    dependencies = [f"python={python_version()}" if str(d).startswith("python=") else d for d in dependencies]
    environment["dependencies"] = dependencies + [{"pip": pip_requirements(wheel.name, constraints)}]
    entries["environment.yml"] = ("environment.yml", yaml.safe_dump(environment, sort_keys=False).encode())
    entries["constraints.txt"] = ("constraints.txt", constraints.read_bytes())
    entries[wheel.name] = (wheel.name, wheel.read_bytes())
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in entries.values():
            new.writestr(info, data)
