"""Execute the book's notebooks in parallel into the build's execution cache, before `jupyter-book build`.

Usage: python tools/precache_notebooks.py [--jobs N]

jupyter-book 1.x (myst-nb's "cache" mode) executes the notebooks one after another, each in a fresh
kernel. On a machine with several cores most of the build is that wait. This tool does the same work
the build would do -- the same notebook as myst-nb reads it, executed by the same jupyter-cache
function in the notebook's folder with the book's timeout and error policy -- for every notebook the
cache has no record of, N at a time, and stores each result in `_build/.jupyter_cache` exactly as
myst-nb would. The build then finds every notebook in the cache and only renders.

A notebook that fails is not cached: the build executes it again and reports the error as usual.
A notebook already in the cache is skipped, so a warm build stays a warm build.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"


def book_notebooks() -> list[Path]:
    """The notebooks the book build executes: the table of contents' .ipynb files minus the exclusions."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    excluded = config.get("execute", {}).get("exclude_patterns", [])
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    paths = [ROOT / f"{name}.ipynb" for name in files if (ROOT / f"{name}.ipynb").exists()]
    return [p for p in paths if not any(fnmatch.fnmatch(str(p.relative_to(ROOT)), pat) for pat in excluded)]


def execute(path: str, timeout: int, allow_errors: bool) -> tuple[str, str | None, float, str | None]:
    """Run one notebook as myst-nb's cache mode does; return it as JSON, or the error."""
    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=allow_errors,
                                 meta_override=True)
    if result.err is not None:
        return path, None, result.time, result.exc_string
    return path, nbformat.writes(result.nb), result.time, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="notebooks executed at once (default: the number of cores)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    execution = yaml.safe_load((ROOT / "_config.yml").read_text()).get("execute", {})
    timeout = int(execution.get("timeout", 30))
    allow_errors = bool(execution.get("allow_errors", False))

    cache = get_cache(str(CACHE))
    todo = []
    for path in book_notebooks():
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            todo.append(path)
    todo.sort(key=lambda p: p.stat().st_size, reverse=True)  # big notebooks first: better packing
    if not todo:
        print("precache: every notebook is already in the execution cache")
        return 0
    print(f"precache: executing {len(todo)} notebooks, {args.jobs} at a time")
    start, failed = time.perf_counter(), []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(execute, str(p), timeout, allow_errors) for p in todo]
        for future in as_completed(futures):
            path, text, seconds, error = future.result()
            name = Path(path).relative_to(ROOT)
            if error is not None:
                failed.append(name)
                print(f"precache: {name} failed after {seconds:.1f} s; the build will run it again and report")
                continue
            record = cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(CacheBundleIn(nbformat.reads(text, as_version=4), record.uri,
                                                      data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            print(f"precache: {name} {seconds:.1f} s")
    print(f"precache: {len(todo) - len(failed)} of {len(todo)} cached in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
