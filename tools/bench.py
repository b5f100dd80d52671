"""Benchmarks: what readers, students and instructors wait for, against peers and theory.

Usage: python tools/bench.py [--quick] [--skip-book] [--skip-check] [--ci]
Prints one table, writes _build/bench/bench.json and _build/bench/kernel-scaling.png,
and rewrites book/performance.md with the numbers and the machine they came from.
Every row that has a budget (issue 20's: widgets, kernel against bare simpy, notebooks,
make check, the book build, CI) shows it beside the figure with "pass" or "miss".

Every timing is the median of several repetitions after a warm-up, with the
spread (min-max) beside it. Seeds are fixed, so every run does the same work.
These are measurements, not tests: nothing here fails because a machine is busy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "bench"
sys.path.insert(0, str(ROOT))
import bench_binder  # noqa: E402  (tools/bench_binder.py, beside this file)


@dataclass
class Row:
    group: str
    name: str
    value: float
    unit: str
    spread: str = ""
    peer: str = ""
    ratio: float | None = None
    note: str = ""
    budget: str = ""  # the goal, in words: "< 100 ms median, < 250 ms worst"
    verdict: str = ""  # "pass" or "miss" against the budget; empty when the row has none


def judged(row: Row, budget: str, met: bool) -> Row:
    """``row`` with its budget and whether the measurement meets it (a NaN never does)."""
    row.budget, row.verdict = budget, "pass" if met else "miss"
    return row


WIDGET_MEDIAN_MS, WIDGET_WORST_MS = 100, 250  # live redraw, per widget
KERNEL_RATIO = 2.0  # our kernel's time over a bare simpy loop doing the same sends
NOTEBOOK_S = 30  # a chapter executes in well under this, in a fresh kernel
CHECK_S = 120  # make check
BOOK_COLD_S, BOOK_WARM_S = 300, 10  # make book, empty cache / cache reused
CI_S = 12 * 60  # .ci/run on a fresh clone: install, book, every test
RAFT_RUN_S, RAFT_CHECK_S = 5.0, 1.0  # issue 16: 5-node Raft, 1,000 client operations under a nemesis; its check


def measure(fn, repeat: int = 5, warmup: int = 1) -> tuple[float, float, float]:
    """Median, min and max seconds of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), max(times)


def spread(lo: float, hi: float, scale: float = 1.0, unit: str = "") -> str:
    return f"{lo * scale:.3g}-{hi * scale:.3g}{unit}"


# -- simulation kernel -----------------------------------------------------------------------
def kernel_run(n_nodes: int, n_messages: int, seed: int = 1) -> int:
    from labsupport.sim import Constant, Node, Simulation

    class Sink(Node):
        received = 0

        def on_msg(self, msg):
            Sink.received += 1

    Sink.received = 0
    sim = Simulation(seed=seed, latency=Constant(0.001))
    nodes = [sim.add(Sink(f"n{i}")) for i in range(n_nodes)]
    rng = random.Random(seed)
    for i in range(n_messages):
        src, dst = rng.sample(nodes, 2)
        sim.at(i * 1e-5, src.send, dst.name, "msg", i)
    sim.run()
    return Sink.received


def bare_simpy_run(n_nodes: int, n_messages: int, seed: int = 1) -> int:
    """The peer of :func:`kernel_run`: the same sends at the same times, as plain simpy timeouts.

    Per message both schedule a send at ``i * 1e-5`` s and an arrival 1 ms later (two events on
    simpy's queue) and draw the same two nodes from the same seeded stream; what this loop leaves out
    is what the kernel adds: message records and ids, the trace, links, partitions, crashes, pauses
    and handler dispatch.
    """
    import simpy

    env = simpy.Environment()
    received = [0]
    rng = random.Random(seed)

    def deliver(_event):
        received[0] += 1

    def send(_event):
        env.timeout(0.001).callbacks.append(deliver)

    for i in range(n_messages):
        rng.sample(range(n_nodes), 2)
        env.timeout(i * 1e-5).callbacks.append(send)
    env.run()
    return received[0]


def kernel_ratio(n_messages: int, pairs: int) -> tuple[float, list[float], list[float]]:
    """Our kernel's CPU time over the bare simpy loop's, on 100 nodes: the median over ``pairs`` interleaved runs.

    Each pair runs ours, then the bare loop, back to back, and the ratio is taken within the pair,
    in CPU seconds of this process: another program loading the machine slows both runs of a pair
    alike, and a burst of load falls on one pair, not on all of one side. Returns the median ratio
    and the wall seconds of our runs and of the bare runs.
    """
    assert kernel_run(100, n_messages) == bare_simpy_run(100, n_messages) == n_messages  # warm-up; same deliveries
    ratios, ours, bare = [], [], []
    for _ in range(pairs):
        times = []
        for run in (kernel_run, bare_simpy_run):
            wall, cpu = time.perf_counter(), time.process_time()
            run(100, n_messages)
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
        (ours_wall, ours_cpu), (bare_wall, bare_cpu) = times
        ratios.append(ours_cpu / bare_cpu)
        ours.append(ours_wall)
        bare.append(bare_wall)
    return statistics.median(ratios), ours, bare


def bench_kernel(quick: bool) -> list[Row]:
    n = 20_000 if quick else 100_000
    ratio, ours, bare = kernel_ratio(n, pairs=5 if quick else 9)
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    rows = [
        judged(Row("kernel", "messages delivered per second, 100 nodes", n / ours_s, "msg/s",
                   spread(n / max(ours), n / min(ours)), "bare simpy loop", ratio,
                   f"ratio = our CPU time / bare simpy CPU time, median of {len(ours)} interleaved pairs; "
                   f"bare: {n / bare_s:,.0f} msg/s"),
               f"ratio <= {KERNEL_RATIO:g}", ratio <= KERNEL_RATIO),
    ]
    scaling = {}
    for nodes in (10, 100, 1000):
        for messages in ((2_000, 20_000) if quick else (10_000, 100_000)):
            t = measure(lambda: kernel_run(nodes, messages), repeat=1, warmup=0)[0]
            scaling[(nodes, messages)] = t
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for nodes in (10, 100, 1000):
        xs = sorted(m for (n_, m) in scaling if n_ == nodes)
        ax.plot(xs, [scaling[(nodes, m)] for m in xs], "o-", label=f"{nodes} nodes")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("messages")
    ax.set_ylabel("seconds")
    ax.set_title("Simulation kernel: time against nodes and messages")
    ax.legend()
    fig.tight_layout()
    OUT.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT / "kernel-scaling.png", dpi=100)
    for (nodes, messages), t in sorted(scaling.items()):
        rows.append(Row("kernel", f"time for {messages:,} messages on {nodes} nodes", t, "s"))
    return rows


# -- consistent hashing ----------------------------------------------------------------------------
def reference_jump(key: int, buckets: int) -> int:
    """The published algorithm (Lamping & Veach 2014), written as a plain loop."""
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & 0xFFFFFFFFFFFFFFFF
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


def bench_hashing(quick: bool) -> list[Row]:
    from labsupport.data.hashing import HashRing, jump_hash

    keys = [f"user:{i}" for i in range(20_000 if quick else 100_000)]
    nodes = [f"cache{i}" for i in range(10)]
    ring = HashRing(nodes, vnodes=160)
    ours = measure(lambda: [ring.lookup(k) for k in keys])
    rows = []
    try:
        from uhashring import HashRing as PeerRing

        peer_ring = PeerRing(nodes=nodes)
        peer = measure(lambda: [peer_ring.get_node(k) for k in keys])
        rows.append(Row("hashing", "ring lookups per second (10 nodes x 160 vnodes)", len(keys) / ours[0], "lookups/s",
                        spread(len(keys) / ours[2], len(keys) / ours[1]), "uhashring", peer[0] / ours[0],
                        f"ratio = peer time / our time (>1: ours faster); peer {len(keys) / peer[0]:,.0f}/s"))
    except ImportError:
        rows.append(Row("hashing", "ring lookups per second", len(keys) / ours[0], "lookups/s",
                        note="uhashring not installed: run 'make bench'"))
    ints = [random.Random(1).getrandbits(64) for _ in range(1)] + list(range(1, len(keys)))
    ours_jump = measure(lambda: [jump_hash(k, 1000) for k in ints])
    ref_jump = measure(lambda: [reference_jump(k, 1000) for k in ints])
    assert all(jump_hash(k, 1000) == reference_jump(k, 1000) for k in ints[:2000])
    rows.append(Row("hashing", "jump hash per second (1,000 buckets)", len(ints) / ours_jump[0], "hashes/s",
                    spread(len(ints) / ours_jump[2], len(ints) / ours_jump[1]), "reference loop",
                    ref_jump[0] / ours_jump[0], "ratio = reference time / our time"))
    return rows


# -- linearizability checker --------------------------------------------------------------------
def atomic_history(n_ops: int, clients: int, seed: int):
    """A history of a truly atomic register: each operation takes effect at a random instant inside it."""
    from labsupport.sim import History

    rng = random.Random(seed)
    free_at = {f"c{i}": 0.0 for i in range(clients)}
    events = []
    for i in range(n_ops):
        client = min(free_at, key=lambda c: (free_at[c], c))
        start = free_at[client] + rng.random()
        end = start + rng.uniform(0.5, 3.0)
        free_at[client] = end
        kind = "write" if rng.random() < 0.5 else "read"
        events.append((start, end, rng.uniform(start, end), client, kind, i))
    value, rows = 0, {}
    for start, end, point, client, kind, i in sorted(events, key=lambda e: e[2]):
        if kind == "write":
            value = i
            rows[i] = (client, "write", i, start, end, "ok")
        else:
            rows[i] = (client, "read", None, start, end, value)
    ordered = [rows[i] for _, _, _, _, _, i in sorted(events)]
    return History.from_tuples(ordered)


def bench_linearizability(quick: bool) -> list[Row]:
    from labsupport.data.linearizability import check_linearizable

    rows = []
    for n_ops in ((100, 400) if quick else (100, 400, 1600)):
        h = atomic_history(n_ops, 4, seed=n_ops)
        t = measure(lambda: check_linearizable(h, initial=0), repeat=3)
        rows.append(Row("linearizability", f"check {n_ops} ops, 4 clients", t[0], "s", spread(t[1], t[2])))
    for clients in (2, 6, 10):
        h = atomic_history(400, clients, seed=clients)
        t = measure(lambda: check_linearizable(h, initial=0), repeat=3)
        rows.append(Row("linearizability", f"check 400 ops, {clients} clients", t[0], "s", spread(t[1], t[2])))
    return rows


def bench_raft(quick: bool) -> list[Row]:
    """Issue 16: a 5-node Raft key-value run of 1,000 client operations under a random nemesis, and its check."""
    from labsupport.agreement.raft_invariants import check_raft
    from labsupport.agreement.raft_kv import run_raft_kv
    from labsupport.sim.nemesis import Nemesis

    names = tuple(f"n{i}" for i in range(1, 6))
    ops = 200 if quick else 1000

    def simulate():
        nemesis = Nemesis.random(names, duration_s=20.0, seed=1)
        return run_raft_kv(5, ops, nemesis=nemesis, think_s=0.08, loss=0.01, seed=1)

    run = simulate()
    t_run = measure(simulate, repeat=3)
    t_check = measure(lambda: check_raft(run.trace, run.history, logs=run.logs), repeat=3)
    done = sum(1 for op in run.history if not op.pending)
    what = f"{ops:,} client operations ({done:,} completed, {run.messages:,} messages)"
    return [judged(Row("raft", f"simulate 5 nodes, {what}, under a nemesis", t_run[0], "s", spread(t_run[1], t_run[2]),
                       note="one core"), f"< {RAFT_RUN_S:g} s", t_run[0] < RAFT_RUN_S),
            judged(Row("raft", "check that run: invariants and linearizability", t_check[0], "s",
                       spread(t_check[1], t_check[2])), f"< {RAFT_CHECK_S:g} s", t_check[0] < RAFT_CHECK_S)]


# -- notebooks and widgets -----------------------------------------------------------------------
def bench_notebooks() -> list[Row]:
    import nbformat
    from nbclient import NotebookClient

    rows, widget_rows = [], []
    for path in sorted((ROOT / "book").rglob("*.ipynb")):
        timings = Path(tempfile.mkstemp(suffix=".jsonl")[1])
        os.environ["LABSUPPORT_WIDGET_TIMINGS"] = str(timings)
        os.environ["LABSUPPORT_WIDGETS"] = "live"
        nb = nbformat.read(path, as_version=4)
        rel = str(path.relative_to(ROOT))
        started = time.perf_counter()
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        except Exception as error:  # a broken notebook is reported, and the other rows still measured
            rows.append(Row("notebooks", rel, float("nan"), "s", note=f"failed: {type(error).__name__}"))
            continue
        seconds = time.perf_counter() - started
        rows.append(judged(Row("notebooks", rel, seconds, "s", note="fresh kernel, includes widget timing pass"
                               if timings.stat().st_size else "fresh kernel"), f"< {NOTEBOOK_S} s", seconds < NOTEBOOK_S))
        for line in timings.read_text().splitlines():
            widget_rows.append(widget_row(rel, json.loads(line)))
        timings.unlink()
    os.environ.pop("LABSUPPORT_WIDGET_TIMINGS", None)
    return rows + widget_rows


def widget_row(page: str, record: dict) -> Row:
    """One widget's live redraws (see Explorer.frame_timings): median and worst against the budget."""
    frame = sorted(record["seconds"])
    cpu = sorted(record.get("cpu_seconds", []))
    median, worst = statistics.median(frame) * 1000, frame[-1] * 1000
    cpu_note = f"; CPU median {statistics.median(cpu) * 1000:.0f} ms" if cpu else ""
    row = Row("widgets", f"{page}: {record['title']}", median, "ms", f"worst {worst:.0f} ms",
              note=f"{len(frame)} frames{cpu_note}")
    return judged(row, f"median < {WIDGET_MEDIAN_MS} ms, worst < {WIDGET_WORST_MS} ms",
                  median < WIDGET_MEDIAN_MS and worst < WIDGET_WORST_MS)


def bench_check() -> list[Row]:
    """``make check``, the inner loop while editing labsupport, as a contributor runs it."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["make", "check"], cwd=ROOT, capture_output=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The CPU time of every process it ran, halved for its two workers: what the wall time comes to on an idle
    # machine, near enough (a loaded machine stretches the wall time, hardly the CPU time).
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    row = Row("tests", "make check (unit, property, doctests)", seconds, "s",
              note=(f"CPU {cpu:.0f} s in all, {cpu / 2:.0f} s per worker" if done.returncode == 0
                    else f"failed (exit {done.returncode})"))
    return [judged(row, f"<= {CHECK_S} s", done.returncode == 0 and seconds <= CHECK_S)]


def bench_ci() -> list[Row]:
    """``.ci/run`` on a fresh clone of the committed tree: install, book, every test (tens of minutes)."""
    with tempfile.TemporaryDirectory(prefix="bench-ci-") as tmp:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), tmp], check=True)
        started = time.perf_counter()
        done = subprocess.run([str(Path(tmp) / ".ci" / "run")], cwd=tmp, capture_output=True)
        seconds = time.perf_counter() - started
    row = Row("tests", ".ci/run on a fresh clone", seconds, "s",
              note="" if done.returncode == 0 else f"failed (exit {done.returncode})")
    return [judged(row, f"<= {CI_S // 60} min", done.returncode == 0 and seconds <= CI_S)]


def bench_book_build() -> list[Row]:
    """``make book`` as its budget names it: on a fresh clone of the committed tree, install included (cold: the venv,
    MathJax, every notebook executed), then once more with nothing changed (warm)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), tmp], check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("LABSUPPORT_WIDGETS", "LABSUPPORT_WIDGET_TIMINGS")}
        started = time.perf_counter()
        install = subprocess.run(["make", ".venv/.installed", "_vendor/mathjax/tex-mml-chtml.js"], cwd=tmp, env=env,
                                 capture_output=True)
        installed = time.perf_counter() - started
        build = subprocess.run(["make", "book"], cwd=tmp, env=env, capture_output=True)
        cold = time.perf_counter() - started
        ok = install.returncode == 0 and build.returncode == 0
        rows.append(judged(Row("book", "make book on a fresh clone, cold (install included)", cold, "s",
                               note=(f"install {installed:.0f} s (pip and npm caches warm), build {cold - installed:.0f} s"
                                     if ok else f"failed (exit {install.returncode or build.returncode})")),
                           f"<= {BOOK_COLD_S} s", ok and cold <= BOOK_COLD_S))
        started = time.perf_counter()
        again = subprocess.run(["make", "book"], cwd=tmp, env=env, capture_output=True)
        warm = time.perf_counter() - started
        rows.append(judged(Row("book", "make book again, warm (nothing changed)", warm, "s",
                               note="" if again.returncode == 0 else f"failed (exit {again.returncode})"),
                           f"<= {BOOK_WARM_S} s", again.returncode == 0 and warm <= BOOK_WARM_S))
    return rows


# -- grading ------------------------------------------------------------------------------------
def bench_grading(quick: bool) -> list[Row]:
    lab = "lab01-clocks"
    autograder = ROOT / "_build" / "labs" / lab / f"{lab}-autograder.zip"
    solution = ROOT / "_build" / "labs" / lab / f"{lab}-solution.ipynb"
    if not autograder.exists():
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_labs.py"), "--lab", lab], check=True,
                       capture_output=True)
    labgrade = Path(sys.executable).with_name("labgrade")
    rows = []
    n = 4 if quick else 8
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        for i in range(n):
            shutil.copy(solution, subs / f"student{i:02d}.ipynb")
        for workers in sorted({1, os.cpu_count() or 1}):
            out = Path(tmp) / f"out{workers}"
            if labgrade.exists():
                command = [str(labgrade), lab, str(subs), "--out", str(out), "--workers", str(workers), "--force"]
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                seconds = time.perf_counter() - started
                peer = "labgrade"
            else:  # before labgrade exists: otter run, one process per worker
                started = time.perf_counter()
                procs = []
                for i, sub in enumerate(sorted(subs.glob("*.ipynb"))):
                    out_i = out / sub.stem
                    out_i.mkdir(parents=True)
                    procs.append(subprocess.Popen([str(Path(sys.executable).with_name("otter")), "run", "-a",
                                                   str(autograder), "-o", str(out_i), str(sub)], cwd=out_i,
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    if len(procs) >= workers:
                        procs.pop(0).wait()
                for p in procs:
                    p.wait()
                seconds = time.perf_counter() - started
                peer = "otter run"
            rows.append(Row("grading", f"{lab}: submissions per minute, {workers} worker(s)", n / seconds * 60,
                            "subs/min", note=f"{peer}, {n} submissions"))
    return rows


# -- report ---------------------------------------------------------------------------------------
def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_at_start": round(LOAD_AT_START, 1) if LOAD_AT_START is not None else None}


def render(rows: list[Row]) -> str:
    lines = [f"{'group':<16} {'measure':<62} {'value':>14} {'unit':<10} {'spread':<18} {'peer / ratio':<28} "
             f"{'budget':<34} {'':<4} note"]
    for r in rows:
        ratio = f"{r.peer} x{r.ratio:.2f}" if r.ratio is not None else r.peer
        lines.append(f"{r.group:<16} {r.name[:62]:<62} {r.value:>14,.3f} {r.unit:<10} {r.spread:<18} {ratio:<28} "
                     f"{r.budget:<34} {r.verdict:<4} {r.note}")
    lines.append("\nbudgets: " + budget_summary(rows) + "".join(
        f"\n  miss: {r.group}: {r.name} ({', '.join(filter(None, [_value(r.value, r.unit), r.spread]))}; "
        f"budget {r.budget})"
        for r in rows if r.verdict == "miss"))
    return "\n".join(lines)


def _value(value: float, unit: str) -> str:
    """A measured value with three significant digits and its unit: '32,260 msg/s', '0.19 s', '0.000377 s'."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{text} {unit}"


def page_tables(rows: list[Row]) -> str:
    """One small table per group (measure, value, spread, peer), its notes below it: each table fits the column."""
    out = []
    for group in dict.fromkeys(r.group for r in rows):
        members = [r for r in rows if r.group == group]
        peers = any(r.peer or r.ratio is not None for r in members)
        spreads = any(r.spread for r in members)
        budgets = any(r.budget for r in members)
        notes = list(dict.fromkeys(r.note for r in members if r.note))
        shared = len(notes) == 1 and all(r.note for r in members)  # one note for every row: say it once
        head = ("| measure | value |" + (" spread |" if spreads else "") + (" peer, ratio |" if peers else "")
                + (" budget |" if budgets else ""))
        rule = "|---|--:|" + ("--:|" if spreads else "") + ("---|" if peers else "") + ("---|" if budgets else "")
        lines = [f"## {group[:1].upper()}{group[1:]}", "", head, rule]
        for r in members:
            name = r.name + (f" ({notes.index(r.note) + 1})" if r.note and not shared else "")
            ratio = f"{r.peer} ×{r.ratio:.2f}" if r.ratio is not None else r.peer
            lines.append(f"| {name} | {_value(r.value, r.unit)} |" + (f" {r.spread} |" if spreads else "")
                         + (f" {ratio} |" if peers else "")
                         + (f" {r.budget}: **{r.verdict}** |" if budgets and r.verdict else " |" if budgets else ""))
        if shared:
            lines += ["", f"Every row: {notes[0]}."]
        elif notes:
            lines += [""] + [f"({i}) {note}  " for i, note in enumerate(notes, 1)]
        out.append("\n".join(lines))
    return "\n\n".join(out)


def budget_summary(rows: list[Row]) -> str:
    """One sentence: how many measured rows meet their budget, and which groups miss."""
    judged_rows = [r for r in rows if r.verdict]
    missed = list(dict.fromkeys(r.group for r in judged_rows if r.verdict == "miss"))
    text = f"{len(judged_rows) - sum(r.verdict == 'miss' for r in judged_rows)} of {len(judged_rows)} budgeted rows pass"
    return text + (f"; misses in: {', '.join(missed)}." if missed else ".")


def write_page(rows: list[Row], info: dict) -> None:
    table = [page_tables(rows)]
    ci_note = "" if any(r.name.startswith(".ci/run") for r in rows) else (
        f"\nNot in this run: the budget for `.ci/run` on a fresh clone ({CI_S // 60} min),\n"
        "which only `tools/bench.py --ci` times (it takes tens of minutes).")
    text = f"""# Performance

Interactive teaching works only when answers come back at once.
Our budgets: a notebook executes in well under 30 s on a 2-core machine, and a widget redraws in under 100 ms.
This page lists the latest measurements from `make bench` (`tools/bench.py`); they are measurements, not tests.

Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, measured on {info['date']}
(load average {info.get('load_at_start')} when the run started: a busy machine makes every number slower).
Every value is the median of several runs after a warm-up; the spread is the minimum to maximum.
A ratio compares with a peer: for the kernel, our CPU time over a bare simpy loop doing the same sends (the overhead of
tracing and checks), the median over pairs of runs taken in turn; for hashing, the peer's time over ours (above 1: ours
is faster).
Where a row has a budget (issue 20's goals), the budget column gives it with **pass** or **miss**:
{budget_summary(rows)}{ci_note}

{chr(10).join(table)}
"""
    (ROOT / "book" / "performance.md").write_text(text)


LOAD_AT_START = os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--skip-book", action="store_true", help="skip notebooks, widgets and the book build")
    parser.add_argument("--no-page", action="store_true", help="do not rewrite book/performance.md")
    parser.add_argument("--skip-check", action="store_true", help="do not time 'make check'")
    parser.add_argument("--ci", action="store_true", help="also time .ci/run on a fresh clone (tens of minutes)")
    args = parser.parse_args()
    rows: list[Row] = []
    rows += bench_kernel(args.quick)
    rows += bench_hashing(args.quick)
    rows += bench_linearizability(args.quick)
    rows += bench_raft(args.quick)
    if not args.skip_book:
        rows += bench_notebooks()
        rows += bench_book_build()
    rows += bench_grading(args.quick)
    rows += [Row(**r) for r in __import__("bench_dask").bench_dask_grading(args.quick)]  # labgrade on Dask: tools/bench_dask.py
    rows += bench_binder.rows(Row)  # Binder install time and size (issue 17)
    if not args.skip_check:
        rows += bench_check()
    if args.ci:
        rows += bench_ci()
    info = machine()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps({"machine": info, "rows": [asdict(r) for r in rows]}, indent=1))
    print(render(rows))
    print(f"\nwritten: {OUT / 'bench.json'}, {OUT / 'kernel-scaling.png'}")
    if not args.no_page:
        write_page(rows, info)
        print("rewritten: book/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
