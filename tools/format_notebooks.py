"""Format the code cells of notebooks to fit the book's column (ruff format, pinned in requirements-dev.txt).

Usage:
    python tools/format_notebooks.py book/*/*.ipynb            reformat code cells in place
    python tools/format_notebooks.py --check book/*/*.ipynb    only report cells that are not formatted

The theme's text column is 688 CSS pixels at a 1280-px window; its code blocks, in a 14-px
monospace font inside their padding, hold LINE_LENGTH characters (measured in the browser by
tests/browser/test_reading.py, which fails when a code cell is wider than its column). Cells with
IPython magics or shell escapes are left alone. Strings and comments that ruff does not split
wrap in the book (_static/reader.css); --verbose lists them. Outputs are kept: formatting changes no behaviour,
but the lead re-executes notebooks after a whole-book run so that execution metadata stays honest.
Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_cells import rewrite_code_cells  # noqa: E402  (the loop the page tools share)
from ruff.__main__ import find_ruff_bin  # noqa: E402

LINE_LENGTH = 76  # characters that fit the code column of the book at 1280 px (see the module doc)
# The pinned ruff's own binary, found as 'python -m ruff' finds it, but run directly: a cell at a time, a Python
# start-up per cell was three quarters of this tool's time (tests/test_notebooks.py runs it on every chapter).
RUFF = [find_ruff_bin(), "format", "--quiet", "--line-length", str(LINE_LENGTH), "--stdin-filename", "cell.py", "-"]


def format_source(source: str) -> str:
    """``source`` formatted by ruff, without the trailing newline a cell does not keep."""
    if any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
        return source
    run = subprocess.run(RUFF, input=source, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"ruff could not format a cell:\n{source}\n{run.stderr}")
    return run.stdout.rstrip("\n")


def too_long(source: str) -> list[str]:
    """Lines still wider than the column after formatting (long strings and comments ruff does not split)."""
    return [line for line in source.splitlines() if len(line) > LINE_LENGTH]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a cell is not formatted")
    parser.add_argument("--verbose", action="store_true", help="also list lines too long to fit (strings, comments)")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    def rewrite(path: Path, number: int, source: str) -> str:
        formatted = format_source(source)
        long_lines = too_long(formatted)
        if long_lines and args.verbose:  # the book wraps them (_static/reader.css); shorter reads better
            print(f"note: {path} cell {number}: {len(long_lines)} line(s) longer than {LINE_LENGTH} "
                  f"characters, e.g. {long_lines[0]!r}", file=sys.stderr)
        return formatted

    return rewrite_code_cells(args.notebooks, rewrite, check=args.check, done="formatted {path}",
                              problem="{path} cell {cell} is not formatted; "
                                      "run 'python tools/format_notebooks.py {path}'")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
