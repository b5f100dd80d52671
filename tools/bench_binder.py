"""What a Binder reader waits for before the first cell runs: installing ``requirements.txt`` (and ``postBuild``).

``install()`` builds a fresh virtual environment exactly as the Makefile builds ``.venv-binder`` (and as
repo2docker does: ``pip install -r requirements.txt``, then ``postBuild``), from pip's warm cache, and
reports the seconds the two steps took and the environment's size on disk (``du``). Issue 17's budget:
at most 450 MB and 60 s on the 2-core reference machine. ``tools/bench.py`` calls :func:`rows`; run
``python tools/bench_binder.py`` for these two numbers alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["BUDGET_MB", "BUDGET_S", "install", "rows"]

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 450
BUDGET_S = 60


def _python() -> str:
    """The interpreter the Makefile uses (python3.11), or this one's base interpreter."""
    return shutil.which("python3.11") or getattr(sys, "_base_executable", sys.executable)


def install(root: Path = ROOT) -> dict:
    """Install ``root``'s Binder environment into a fresh venv; return seconds, MB and the package count."""
    with tempfile.TemporaryDirectory(prefix="bench-binder-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([_python(), "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt"], cwd=root, check=True,
                       capture_output=True)
        if (root / "postBuild").exists():
            subprocess.run([str(root / "postBuild")], cwd=root, check=True, capture_output=True,
                           env=os.environ | {"KERNEL_PYTHON_PREFIX": str(venv)})
        seconds = time.perf_counter() - started
        du = subprocess.run(["du", "-sm", str(venv)], check=True, capture_output=True, text=True)
        listed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True,
                                text=True)
        return {"seconds": seconds, "mb": float(du.stdout.split()[0]), "packages": len(listed.stdout.split())}


def rows(row_type) -> list:
    """``tools/bench.py``'s rows (``row_type`` is its ``Row``) for one fresh Binder install."""
    result = install()
    note = f"fresh venv, warm pip cache, {result['packages']} packages; budget {BUDGET_MB} MB and {BUDGET_S} s"
    return [row_type("binder", "install requirements.txt + postBuild", result["seconds"], "s", note=note),
            row_type("binder", "installed size (du)", result["mb"], "MB", note=note)]


if __name__ == "__main__":
    measured = install()
    print(f"Binder install: {measured['seconds']:.0f} s, {measured['mb']:.0f} MB, {measured['packages']} packages "
          f"(budget {BUDGET_S} s, {BUDGET_MB} MB)")
