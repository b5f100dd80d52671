"""Isolation anomalies: what concurrent transactions can do to each other, and a checker that finds it.

Two clerks each take the ledger's balance, add a deposit on their own slip
and write the new total back: one deposit vanishes (a **lost update**). Two
doctors on call each check that the other is still on call and then sign
off: nobody is on call (a **write skew**). Neither clerk nor doctor did
anything wrong alone; the harm comes from running side by side.

A small multi-version store runs transactions at three isolation levels.
Each transaction reads its keys when it begins (the latest committed
values), computes its writes from them and installs them when it commits; a
schedule says in which order the begins and commits happen.

* ``"read committed"``: nothing is checked at commit (no dirty reads is all
  this level promises). Both anomalies happen.
* ``"snapshot"``: a read sees the snapshot taken at begin; a commit is
  refused if another transaction committed a write to one of its *written*
  keys since (first committer wins). No lost update; write skew remains.
* ``"serializable"``: as snapshot, but a commit is refused if another
  transaction committed a write to any key it *read* since it began
  (optimistic concurrency control with backward validation). Neither.

:func:`find_anomalies` looks at the committed transactions only, the way
Adya's definitions do ("Weak consistency", MIT PhD thesis 1999): two
transactions that read the same version of a key and both overwrite it lost
an update; two that read the same versions of two keys and each overwrote a
different one of them made a write skew (a cycle of two anti-dependencies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, NamedTuple, Sequence

from labsupport.checks import check_choice, check_type, out_of_range

__all__ = ["LEVELS", "Txn", "Committed", "IsolationRun", "Anomaly", "run_schedule", "find_anomalies"]

#: Isolation levels the store offers, weakest first.
LEVELS = ("read committed", "snapshot", "serializable")


class Txn(NamedTuple):
    """A transaction: the keys it reads and a function from what it read to what it writes."""

    name: str
    reads: tuple[str, ...]
    write: Callable[[dict], dict]


class Committed(NamedTuple):
    """A committed transaction as the checker sees it: ``reads`` maps a key to the writer of the version read."""

    name: str
    reads: Mapping[str, str]
    writes: Mapping[str, object]


class Anomaly(NamedTuple):
    """What :func:`find_anomalies` reports: ``kind``, the two transactions, the keys involved."""

    kind: str
    txns: tuple[str, str]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class IsolationRun:
    """The outcome of :func:`run_schedule`: committed transactions in commit order, aborted ones, final values."""

    level: str
    committed: tuple[Committed, ...]
    aborted: tuple[str, ...]
    final: dict = field(hash=False)


def run_schedule(txns: Sequence[Txn], schedule: Sequence[str], initial: Mapping[str, object], *,
                 level: str = "snapshot") -> IsolationRun:
    """Run ``txns`` with their begins and commits in the order ``schedule`` gives (``"T1 begin"``, ``"T1 commit"``).

    Examples
    --------
    Two increments of a counter, interleaved:

    >>> inc = lambda name: Txn(name, ("x",), lambda seen: {"x": seen["x"] + 1})
    >>> order = ["T1 begin", "T2 begin", "T1 commit", "T2 commit"]
    >>> run_schedule([inc("T1"), inc("T2")], order, {"x": 0}, level="read committed").final
    {'x': 1}
    >>> run = run_schedule([inc("T1"), inc("T2")], order, {"x": 0}, level="snapshot")
    >>> run.final, run.aborted
    ({'x': 1}, ('T2',))
    """
    check_choice("level", level, LEVELS)
    check_type("schedule", schedule, (list, tuple))
    by_name = {t.name: t for t in txns}
    versions = {k: [(0, "init", v)] for k, v in initial.items()}  # key -> [(commit number, writer, value)]
    clock, began, seen = 0, {}, {}
    committed, aborted = [], []
    for step in schedule:
        name, _, action = step.partition(" ")
        if name not in by_name or action not in ("begin", "commit"):
            raise out_of_range("schedule", step, "'<txn> begin' or '<txn> commit' for a transaction given")
        txn = by_name[name]
        if action == "begin":
            began[name] = clock
            seen[name] = {k: versions[k][-1] for k in txn.reads}  # latest committed: the snapshot
            continue
        if name not in began:
            raise out_of_range("schedule", step, f"'{name} begin' before '{name} commit'", why="commits first")
        writes = txn.write({k: v for k, (_, _, v) in seen[name].items()})
        newer = {k for k in versions if versions[k][-1][0] > began[name]}
        guarded = set(writes) if level == "snapshot" else set(writes) | set(txn.reads)
        if level != "read committed" and newer & guarded:
            aborted.append(name)
            continue
        clock += 1
        for k, v in writes.items():
            versions.setdefault(k, [(0, "init", None)]).append((clock, name, v))
        committed.append(Committed(name, {k: w for k, (_, w, _) in seen[name].items()}, dict(writes)))
    final = {k: vs[-1][2] for k, vs in sorted(versions.items())}
    return IsolationRun(level, tuple(committed), tuple(aborted), final)


def find_anomalies(committed: Sequence[Committed]) -> list[Anomaly]:
    """Lost updates and write skews among committed transactions (see the module docstring).

    Examples
    --------
    >>> t1 = Committed("T1", {"x": "init"}, {"x": 1})
    >>> t2 = Committed("T2", {"x": "init"}, {"x": 1})
    >>> find_anomalies([t1, t2])
    [Anomaly(kind='lost update', txns=('T1', 'T2'), keys=('x',))]
    >>> a = Committed("A", {"alice": "init", "bob": "init"}, {"alice": 0})
    >>> b = Committed("B", {"alice": "init", "bob": "init"}, {"bob": 0})
    >>> find_anomalies([a, b])
    [Anomaly(kind='write skew', txns=('A', 'B'), keys=('alice', 'bob'))]
    """
    found = []
    for i, t1 in enumerate(committed):
        for t2 in committed[i + 1:]:
            same = {k for k in t1.reads.keys() & t2.reads.keys() if t1.reads[k] == t2.reads[k]}
            lost = sorted(same & t1.writes.keys() & t2.writes.keys())
            if lost:
                found.append(Anomaly("lost update", (t1.name, t2.name), tuple(lost)))
                continue
            a = sorted((same & t1.writes.keys()) - t2.writes.keys())
            b = sorted((same & t2.writes.keys()) - t1.writes.keys())
            if a and b:
                found.append(Anomaly("write skew", (t1.name, t2.name), (a[0], b[0])))
    return found
