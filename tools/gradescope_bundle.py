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

and it replaces the zip's ``run_otter.py`` with :func:`run_otter_source`, which, before otter runs, makes the
kernel otter starts a guarded one: otter's executor asks for the kernel named ``python3``, so it writes a kernel
spec of that name, first on ``JUPYTER_PATH``, whose argv runs ``python -I -m labsupport.grading.guard <the
lab's entries> --import dill -f {connection_file}`` (:mod:`labsupport.grading.asked`,
:mod:`labsupport.grading.guard`), and it deletes the wheel, which would otherwise be a readable copy of the
library beside the installed one. Not for the labs in :data:`OTTER_TESTS_RUN_THE_LIBRARY`, whose otter tests,
run in the student's kernel, need the library's version themselves: their zips keep otter's own kernel.

The wheel's own requirements (simpy, networkx, numpy, matplotlib, ipywidgets) come with it, at the
constraints' versions. ``tests/labs/test_gradescope.py`` rehearses the result: a clean virtual
environment from the ``pip:`` section alone, the zip's ``run_otter.py`` on each lab's solution and on
its untouched student notebook, scores compared with labgrade's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

from labsupport.grading.asked import asked_for

__all__ = ["AUTOGRADER_DIR", "OTTER_TESTS_RUN_THE_LIBRARY", "build_wheel", "bundle", "pinned", "pip_requirements",
           "python_version", "run_otter_source"]

ROOT = Path(__file__).resolve().parents[1]
AUTOGRADER_DIR = "/autograder"  # where Gradescope unzips the autograder (otter's default autograder_dir)
#: What the wheel is built from: the package and the files pyproject.toml names.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "labsupport")
#: Labs whose otter tests call the library's version of what the lab asks for (as the referee of a student's
#: answer, or through a lab kit that does): otter runs its tests in the student's kernel, so stubbing that code
#: there fails the solution (the Gradescope rehearsal gave their solutions 6.9/10, 8.9/10, 7.25/12, 13.4/15,
#: 8.2/10 and 3/11 under the guard). Their zips keep otter's own kernel: on Gradescope the guard does not hold
#: for them; labgrade, which runs the tests outside the kernel, guards them.
OTTER_TESTS_RUN_THE_LIBRARY = frozenset({"lab02-hashing", "lab04-loadbalancer", "lab05-failover", "lab06-iam",
                                         "lab07-alarms", "lab08-commitments"})
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


def run_otter_source(asked, *, autograder_dir: str = AUTOGRADER_DIR) -> str:
    """The zip's ``run_otter.py``: guard the kernel otter will start (``asked``: the lab's entries), then run otter.

    Examples
    --------
    >>> "labsupport.grading.guard" in run_otter_source(["labsupport.foundations.clocks"])
    True
    """
    return f'''"""Runs Otter-Grader's autograding process, in a kernel that holds only stubs of what this lab asks for.

Otter's executor starts the kernel named python3; the kernel spec of that name written here, first on
JUPYTER_PATH, starts it through labsupport.grading.guard. The labsupport wheel is deleted first: the installed
copy is the one the guard protects, and a second readable copy would defeat it.
"""

import glob
import json
import os
import sys

AUTOGRADER_DIR = "{autograder_dir}"
ASKED = {json.dumps(list(asked))}


def guard_the_kernel():
    for wheel in glob.glob(os.path.join(AUTOGRADER_DIR, "source", "labsupport-*.whl")):
        os.remove(wheel)
    data = os.path.join(AUTOGRADER_DIR, "source", "jupyter")
    spec = os.path.join(data, "kernels", "python3")
    os.makedirs(spec, exist_ok=True)
    argv = [sys.executable, "-I", "-m", "labsupport.grading.guard", json.dumps(ASKED), "--import", "dill",
            "-f", "{{connection_file}}"]
    with open(os.path.join(spec, "kernel.json"), "w") as handle:
        json.dump({{"argv": argv, "display_name": "Python 3 (labgrade guard)", "language": "python"}}, handle)
    os.environ["JUPYTER_PATH"] = data


if __name__ == "__main__":
    guard_the_kernel()
    from otter.run.run_autograder import main as run_autograder

    run_autograder(AUTOGRADER_DIR)
'''


def bundle(zip_path: Path, wheel: Path, *, constraints: Path = ROOT / "constraints.txt", asked=None) -> None:
    """Rewrite otter's autograder ``zip_path`` in place so that it installs ``wheel`` and the pinned packages, and
    grades in a guarded kernel (``asked``: the lab's entries; by default those of the lab the zip is named after,
    ``<lab>-autograder.zip``, unless it is in :data:`OTTER_TESTS_RUN_THE_LIBRARY`; empty: otter's own kernel)."""
    if asked is None:
        lab = zip_path.name.removesuffix("-autograder.zip")
        asked = () if lab in OTTER_TESTS_RUN_THE_LIBRARY else asked_for(lab)
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
    if asked:
        entries["run_otter.py"] = (entries["run_otter.py"][0], run_otter_source(asked).encode())
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in entries.values():
            new.writestr(info, data)
