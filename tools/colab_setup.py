"""Give every chapter notebook a first cell that installs labsupport where it is missing (Colab).

Usage:
    python tools/colab_setup.py book/*/*.ipynb            add or update the cell in place
    python tools/colab_setup.py --check book/*/*.ipynb    only report notebooks without the current cell

Binder, a local clone and CI install labsupport from requirements.txt; Colab opens the notebook
alone from the repository and has no labsupport. The cell installs it with pip from the
repository named once in _config.yml (``repository.url`` and ``branch``), only when
``import labsupport`` would fail, so it does nothing anywhere else and needs no network there.
It is tagged ``remove-cell``: the book does not show it. Idempotent.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MARK = "colab_setup"


def setup_source(root: Path = ROOT) -> str:
    repository = yaml.safe_load((root / "_config.yml").read_text())["repository"]
    spec = f"labsupport @ git+{repository['url']}@{repository.get('branch', 'main')}"
    return (
        "# On Colab (or any kernel without the book's library): install labsupport first.\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        f'SPEC = "{spec}"\n'
        'if importlib.util.find_spec("labsupport") is None:\n'
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet", SPEC]\n'
        "    subprocess.run(pip, check=True)"
    )


def setup_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": "colab-setup",
            "metadata": {"tags": ["remove-cell"], "labsupport": {MARK: True}}, "outputs": [],
            "source": source.splitlines(keepends=True)}


def is_setup(cell: dict) -> bool:
    return bool(cell.get("metadata", {}).get("labsupport", {}).get(MARK))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook lacks the cell")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    source = setup_source()
    stale = []
    for path in args.notebooks:
        nb = json.loads(path.read_text())
        cells = [c for c in nb["cells"] if not is_setup(c)]
        current = [c for c in nb["cells"] if is_setup(c)]
        first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
        ok = (len(current) == 1 and "".join(current[0]["source"]) == source
              and nb["cells"].index(current[0]) == first_code)
        if ok:
            continue
        stale.append(path)
        if not args.check:
            old = current[0] if current else None
            cell = setup_cell(source)
            if old is not None and "execution_count" in old:
                cell["execution_count"], cell["outputs"] = old.get("execution_count"), old.get("outputs", [])
            cells.insert(first_code, cell)
            nb["cells"] = cells
            path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            print(f"Colab set-up cell: {path} (re-execute it)")
    if args.check:
        for path in stale:
            print(f"{path}: no current Colab set-up cell; run 'python tools/colab_setup.py {path}'", file=sys.stderr)
        return 1 if stale else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
