"""MapReduce from scratch on the simulation kernel: a master, workers, a shuffle, and backup tasks.

A census office in 1890: the head clerk hands each clerk a bundle of forms
(a **map task**); each clerk tallies his bundle into ``R`` trays, one per
district, so that tray ``r`` holds only district ``r``'s tallies (the
**partition**, ``hash(key) mod R``); when every bundle is done, clerk ``r``
collects tray ``r`` from every desk (the **shuffle**) and adds them up (a
**reduce task**). A clerk may pre-add his own tray before handing it over
(the **combiner**), which shrinks the shuffle. A slow clerk holds everyone
up at the end (a **straggler**), so when the pile is nearly done the head
clerk gives a copy of the slowest bundles to idle clerks and keeps
whichever answer comes first (**backup tasks**, speculative execution). A
clerk who stops answering loses the trays on his desk, so his finished
bundles are done again.

Everything follows J. Dean and S. Ghemawat, "MapReduce: Simplified Data
Processing on Large Clusters", OSDI 2004 (sections 3.1-3.6: execution,
master data structures, fault tolerance by re-execution, backup tasks,
partitioning, combiner). The master and the workers are
:class:`~labsupport.sim.Node` s exchanging messages; task durations are
simulated (``records x cost / speed``) while the data really is counted, so
the answer can be checked against :func:`labsupport.usecases.corpus.word_count`.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Sequence

from labsupport.seeds import Seed
from labsupport.checks import check_int, check_number
from labsupport.sim import Node, Simulation

from labsupport.usecases.corpus import Document, partition_of

__all__ = ["Task", "Done", "TaskRun", "MapReduceResult", "Master", "Worker", "makespan_lower_bound", "run_mapreduce"]


@dataclass(frozen=True)
class TaskRun:
    """One attempt of one task on one worker: a bar of the Gantt chart."""

    task: str  # "map-3" or "reduce-1"
    worker: str
    start_s: float
    end_s: float
    backup: bool
    outcome: str  # "won", "killed" (a copy finished first), "lost" (its worker failed)


@dataclass(frozen=True)
class MapReduceResult:
    """The job's answer, its timeline and what it moved."""

    counts: dict[str, int] = field(repr=False)
    makespan_s: float
    lower_bound_s: float
    tasks: tuple[TaskRun, ...] = field(repr=False)
    map_output_records: int  # records written by the winning map attempts: what the shuffle moves
    partition_records: tuple[int, ...]  # records each reduce task fetched
    backups: int
    reexecuted_maps: int


def _map(split: Sequence[Document], r: int, combine: bool) -> list:
    """Map every word to (word, 1), partition by key, and optionally pre-sum each partition."""
    parts: list = [Counter() if combine else [] for _ in range(r)]
    for doc in split:
        for word in doc:
            if combine:
                parts[partition_of(word, r)][word] += 1
            else:
                parts[partition_of(word, r)].append((word, 1))
    return [sorted(p.items()) if combine else p for p in parts]


class Task(NamedTuple):
    """Payload of ``task``: run ``task`` (``"map-3"``, ``"reduce-0"``) of ``kind`` on ``data``."""

    kind: str
    task: str
    data: dict


class Done(NamedTuple):
    """Payload of ``done``: a worker's ``output`` for ``task``."""

    kind: str
    task: str
    output: Any


class Worker(Node):
    """Runs one task at a time for the master; a ``cancel`` stops the task in progress.

    Examples
    --------
    >>> Worker("worker1", speed=0.5, costs={}).speed   # a straggler: half speed
    0.5
    """

    def __init__(self, name: str, *, speed: float, costs: dict):
        check_number("speed", speed, low=0, low_open=True)
        super().__init__(name)
        self.speed, self.costs, self.job = speed, costs, None

    def on_task(self, msg):
        self.job = self.spawn(self._run(msg.src, msg.payload))

    def _run(self, master, order: Task):
        kind, data = order.kind, order.data
        c = self.costs
        if kind == "map":
            records = sum(len(doc) for doc in data["split"])
            yield self.sleep((c["overhead_s"] + records * c["map_s"]) / self.speed)
            output = _map(data["split"], data["r"], data["combine"])
        else:
            pairs = [kv for part in data["parts"] for kv in part]
            yield self.sleep((c["overhead_s"] + len(pairs) * (c["shuffle_s"] + c["reduce_s"])) / self.speed)
            totals: Counter = Counter()
            for key, value in pairs:
                totals[key] += value
            output = dict(totals)
        self.send(master, "done", Done(kind, order.task, output))

    def on_cancel(self, msg):
        if self.job is not None and self.job.is_alive:
            self.job.interrupt("cancelled")

    def on_ping(self, msg):
        self.reply(msg, "pong")


class Master(Node):
    """Hands out map tasks, then (after every map is done) reduce tasks; backs up stragglers; pings workers."""

    def __init__(self, name, workers, splits, *, r, combine, speculative, ping_s, misses):
        super().__init__(name)
        self.workers, self.splits, self.r = list(workers), splits, r
        self.combine, self.speculative, self.ping_s, self.misses = combine, speculative, ping_s, misses
        self.pending = deque(f"map-{i}" for i in range(len(splits)))
        self.running: dict[str, dict[str, tuple[float, bool]]] = {}  # task -> worker -> (start, backup)
        self.outputs: dict[str, tuple[str, list]] = {}  # finished map task -> (worker, partitions)
        self.results: dict[str, dict] = {}  # finished reduce task -> counts
        self.idle = deque(self.workers)
        self.failed: set[str] = set()
        self.runs: list[TaskRun] = []
        self.backups = self.reexecuted = 0
        self.finished_s = None
        self.reduces_queued = False

    def start(self):
        self.dispatch()
        while self.finished_s is None and len(self.failed) < len(self.workers):
            yield self.sleep(self.ping_s)
            for w in self.workers:
                if w not in self.failed:
                    self.spawn(self._ping(w))

    def _ping(self, worker):
        for _ in range(self.misses):
            if (yield from self.wait(self.request(worker, "ping"), self.ping_s)) is not None:
                return
        self.worker_failed(worker)

    def next_task(self):
        """The first pending task that can run: any map, or a reduce once every map output exists."""
        for task in self.pending:
            if task.startswith("map") or len(self.outputs) == len(self.splits):
                self.pending.remove(task)
                return task
        return None

    def dispatch(self) -> None:
        while self.idle and self.finished_s is None:
            worker = self.idle[0]
            if (task := self.next_task()) is not None:
                backup = False
            elif self.speculative and (task := self._straggler()) is not None:
                backup = True
                self.backups += 1
            else:
                return
            self.idle.popleft()
            self.running.setdefault(task, {})[worker] = (self.now, backup)
            self.send(worker, "task", self._payload(task))

    def _straggler(self):
        """The in-progress task with a single attempt that started earliest (nothing left to hand out)."""
        maps_ready = len(self.outputs) == len(self.splits)  # a reduce copy needs every map's output
        single = [(min(s for s, _ in a.values()), t) for t, a in self.running.items()
                  if len(a) == 1 and (t.startswith("map") or maps_ready)]
        return min(single)[1] if single else None

    def _payload(self, task):
        kind, index = task.split("-")
        if kind == "map":
            return Task(kind, task, {"split": self.splits[int(index)], "r": self.r, "combine": self.combine})
        parts = [out[int(index)] for _, out in (self.outputs[f"map-{i}"] for i in range(len(self.splits)))]
        return Task(kind, task, {"parts": parts})

    def on_done(self, msg):
        done = msg.payload
        kind, task, output = done.kind, done.task, done.output
        attempts = self.running.get(task, {})
        if msg.src not in attempts or msg.src in self.failed:
            return  # a cancelled or failed attempt that finished anyway
        start, backup = attempts.pop(msg.src)
        self.runs.append(TaskRun(task, msg.src, start, self.now, backup, "won"))
        for other, (o_start, o_backup) in sorted(attempts.items()):
            self.runs.append(TaskRun(task, other, o_start, self.now, o_backup, "killed"))
            self.send(other, "cancel")
            self.idle.append(other)
        self.running.pop(task, None)
        if kind == "map":
            self.outputs[task] = (msg.src, output)
            if len(self.outputs) == len(self.splits) and not self.reduces_queued:
                self.reduces_queued = True  # the barrier: reduce tasks need every map's output
                self.pending.extend(f"reduce-{i}" for i in range(self.r))
        else:
            self.results[task] = output
            if len(self.results) == self.r:
                self.finished_s = self.now
        self.idle.append(msg.src)
        self.dispatch()

    def worker_failed(self, worker) -> None:
        """Re-execute its in-progress tasks, and its finished map tasks if the reduce phase still needs them."""
        if worker in self.failed or self.finished_s is not None:
            return
        self.failed.add(worker)
        self.log(f"{worker} failed")
        if worker in self.idle:
            self.idle.remove(worker)
        for task, attempts in list(self.running.items()):
            if worker in attempts:
                start, backup = attempts.pop(worker)
                self.runs.append(TaskRun(task, worker, start, self.now, backup, "lost"))
                if not attempts:
                    del self.running[task]
                    self.pending.appendleft(task)
        if len(self.results) < self.r:
            for task, (owner, _) in sorted(self.outputs.items()):
                if owner == worker:
                    del self.outputs[task]
                    self.pending.appendleft(task)
                    self.reexecuted += 1
        self.dispatch()


def makespan_lower_bound(task_work_s: dict[str, Sequence[float]], speeds: Sequence[float]) -> float:
    """No schedule beats, per phase, the total work over the total speed, nor the largest task on the fastest worker.

    ``task_work_s`` maps each phase (in order, separated by a barrier) to its
    tasks' work in seconds at speed 1.

    Examples
    --------
    >>> makespan_lower_bound({"map": [4, 4, 4, 4], "reduce": [6, 1]}, [1, 1])
    14.0
    """
    if not speeds or min(speeds) <= 0:
        raise ValueError("speeds must be a non-empty list of positive worker speeds")
    return float(sum(max(sum(work) / sum(speeds), max(work, default=0.0) / max(speeds))
                     for work in task_work_s.values()))


def run_mapreduce(splits: Sequence[Sequence[Document]], *, reducers: int = 4, workers: int = 4,
                  speeds: Sequence[float] | None = None, combine: bool = True, speculative: bool = True,
                  map_cost_s: float = 0.001, reduce_cost_s: float = 0.001, shuffle_cost_s: float = 0.0005,
                  overhead_s: float = 0.5, fail: tuple[int, float] | None = None, ping_s: float = 1.0,
                  misses: int = 3, seed: Seed = None) -> MapReduceResult:
    """Count the words of ``splits`` (one map task each) with ``reducers`` reduce tasks on ``workers`` workers.

    ``speeds[i]`` is worker ``i``'s speed (a straggler has a small one);
    ``fail=(i, at_s)`` crashes worker ``i`` at ``at_s`` for good (the master
    notices after ``misses`` unanswered pings). Costs are seconds per record
    at speed 1.

    Examples
    --------
    >>> from labsupport.usecases.corpus import generate_corpus, split_input, word_count
    >>> docs = generate_corpus(40, 50, seed=1)
    >>> r = run_mapreduce(split_input(docs, 8), reducers=3, workers=3, seed=1)
    >>> r.counts == word_count(docs), r.makespan_s >= r.lower_bound_s
    (True, True)
    """
    m = len(splits)
    if m < 1:
        raise ValueError("splits is empty; give at least one input split")
    for name, value in (("reducers", reducers), ("workers", workers), ("misses", misses)):
        check_int(name, value, low=1)
    speeds = [1.0] * workers if speeds is None else [float(s) for s in speeds]
    if len(speeds) != workers or min(speeds) <= 0:
        raise ValueError(f"speeds must give one positive speed per worker ({workers}), got {speeds}")
    for name, value in (("map_cost_s", map_cost_s), ("reduce_cost_s", reduce_cost_s),
                        ("shuffle_cost_s", shuffle_cost_s), ("overhead_s", overhead_s)):
        check_number(name, value, low=0)
    check_number("ping_s", ping_s, low=0, low_open=True)  # the master's heartbeat period and timeout
    if fail is not None and not (0 <= fail[0] < workers and fail[1] >= 0):
        raise ValueError(f"fail={fail}: need a worker index 0 <= i < {workers} and a time >= 0")
    costs = {"map_s": map_cost_s, "reduce_s": reduce_cost_s, "shuffle_s": shuffle_cost_s, "overhead_s": overhead_s}
    sim = Simulation(seed=seed, latency=0.001, fifo=True)
    names = [f"worker{i + 1}" for i in range(workers)]
    for name, speed in zip(names, speeds):
        sim.add(Worker(name, speed=speed, costs=costs))
    master = sim.add(Master("master", names, [tuple(s) for s in splits], r=reducers, combine=combine,
                            speculative=speculative, ping_s=ping_s, misses=misses))
    if fail is not None:
        sim.crash(names[fail[0]], at=fail[1])
    sim.run()
    if master.finished_s is None:
        raise RuntimeError("the job did not finish: every worker failed")
    counts: Counter = Counter()
    for part in master.results.values():
        counts.update(part)
    outputs = [out for _, out in master.outputs.values()]
    partition_records = tuple(sum(len(out[r]) for out in outputs) for r in range(reducers))
    work = {"map": [overhead_s + sum(len(d) for d in s) * map_cost_s for s in splits],
            "reduce": [overhead_s + n * (shuffle_cost_s + reduce_cost_s) for n in partition_records]}
    runs = sorted(master.runs, key=lambda t: (t.start_s, t.task, t.worker))
    return MapReduceResult(dict(sorted(counts.items())), master.finished_s, makespan_lower_bound(work, speeds),
                           tuple(runs), sum(partition_records), partition_records, master.backups,
                           master.reexecuted)
