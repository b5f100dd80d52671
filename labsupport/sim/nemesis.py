"""Nemesis: declarative, seeded, replayable fault schedules.

Jepsen calls the adversary that cuts cables and kills processes during a
test the *nemesis*. Here it is a written schedule, checked before the run:
which faults, where, from when to when. The same schedule applied to the
same seeded simulation gives the same run, so a failure found on one
schedule can be replayed and drawn. Schedules compose with ``+``.

Examples
--------
>>> from labsupport.sim import Node, Simulation
>>> nemesis = Nemesis([
...     Partition(start_s=1.0, end_s=3.0, groups=[{"a"}, {"b", "c"}]),
...     Crash(node="c", at_s=2.0, restart_s=4.0),
... ])
>>> print(nemesis)
  1.000 -   3.000 s  partition a | b,c
  2.000 -   4.000 s  crash c, restart
>>> sim = Simulation(seed=1)
>>> for name in "abc":
...     _ = sim.add(Node(name))
>>> nemesis.apply(sim)
>>> sim.run()
>>> [(e.time, e.event, e.node) for e in sim.trace]
[(1.0, 'partition', '*'), (2.0, 'crash', 'c'), (3.0, 'heal', '*'), (4.0, 'recover', 'c')]
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from labsupport.checks import check_choice, check_int, check_number, check_type, out_of_range
from labsupport.seeds import Seed, as_rng
from labsupport.sim.faults import Crash, Delay, Loss, Pause, Skew
from labsupport.sim.partitions import SHAPES, Isolate, Partition, draw_groups
from labsupport.sim.latency import Uniform

__all__ = ["Nemesis", "Partition", "Isolate", "Crash", "Pause", "Loss", "Delay", "Skew", "KINDS", "draw_groups"]

FAULTS = (Partition, Isolate, Crash, Pause, Loss, Delay, Skew)
#: The kinds of fault :meth:`Nemesis.random` draws from.
KINDS = ("partition", "isolate", "crash", "pause", "loss", "delay", "skew")


def _overlap(a: Any, b: Any) -> tuple[float, float] | None:
    """The time two faults are both active, or None."""
    a_end = math.inf if a.end is None else a.end
    b_end = math.inf if b.end is None else b.end
    start, end = max(a.start, b.start), min(a_end, b_end)
    return (start, end) if start < end else None


class Nemesis:
    """A checked schedule of faults, in start order.

    Construction raises ``TypeError`` for anything that is not a fault, and
    ``ValueError`` for two partitions active at the same time (the network
    holds one at a time) or two overlapping crashes of one node; each fault
    checks its own times when it is made.
    """

    def __init__(self, faults: Sequence[Any] = ()):
        faults = list(check_type("faults", faults, (list, tuple)))
        for i, fault in enumerate(faults):
            check_type(f"faults[{i}]", fault, FAULTS)
        self.faults: tuple[Any, ...] = tuple(sorted(faults, key=lambda f: f.start))
        self._check_overlaps()

    def _check_overlaps(self) -> None:
        for i, a in enumerate(self.faults):
            for b in self.faults[i + 1:]:
                clash = None
                if a.is_partition and b.is_partition:
                    clash = "the network holds one partition at a time"
                elif type(a) is Crash and type(b) is Crash and a.node == b.node:
                    clash = f"node {a.node!r} cannot crash again while it is down"
                window = clash and _overlap(a, b)
                if window:
                    raise out_of_range("faults", f"{a} and {b}", "faults that do not overlap",
                                       why=f"are both active from {window[0]:g} s to {window[1]:g} s; {clash}")

    # -- composing and reading ---------------------------------------------------------------
    def __add__(self, other: "Nemesis") -> "Nemesis":
        if not isinstance(other, Nemesis):
            return NotImplemented
        return Nemesis(self.faults + other.faults)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Nemesis) and self.faults == other.faults

    def __len__(self) -> int:
        return len(self.faults)

    def __repr__(self) -> str:
        return f"Nemesis({list(self.faults)!r})"

    def __str__(self) -> str:
        lines = []
        for fault in self.faults:
            end = "stays" if fault.end is None else f"{fault.end:7.3f}"
            lines.append(f"{fault.start:7.3f} - {end:>7} s  {fault.describe()}")
        return "\n".join(lines)

    @property
    def heal_s(self) -> float:
        """The time of the last change this nemesis makes: after it, no fault begins or ends.

        A node crashed for good, or a clock skewed, stays so after it.
        """
        return max((f.start if f.end is None else max(f.start, f.end) for f in self.faults), default=0.0)

    # -- running ---------------------------------------------------------------------------
    def apply(self, sim: Any) -> None:
        """Check every node name against ``sim.nodes``, then schedule every fault on ``sim``."""
        known = set(sim.nodes)
        for fault in self.faults:
            unknown = sorted(fault.named() - known)
            if unknown:
                raise out_of_range("node", unknown[0], f"one of {sorted(known)}", why=f"in {fault} is unknown")
            if isinstance(fault, Partition) and fault.shape is not None:
                draw_groups(fault.shape, fault.among(sim), as_rng(0))  # enough nodes for the shape?
        for index, fault in enumerate(self.faults):
            fault.schedule(sim, f"{index}:{type(fault).__name__}")

    @classmethod
    def random(cls, nodes: Sequence[str], duration_s: float, *, seed: Seed = None, kinds: Sequence[str] = KINDS,
               n_faults: int | None = None, max_delay_s: float = 0.1, max_skew_s: float = 0.5) -> "Nemesis":
        """A seeded random schedule over ``nodes`` within ``[0, duration_s]``: replayable from ``seed``.

        The time is cut into ``n_faults`` equal windows (default: one per two
        seconds); each window holds one fault of a kind drawn from ``kinds``,
        lasting 30-70% of it, so faults never overlap. Partitions get a random
        shape drawn over ``nodes`` only (other nodes of the simulation, such as
        clients, reach both sides); loss bursts a probability in [0.1, 0.5]; delay bursts an extra
        delay uniform in [0, ``max_delay_s``]; skews an offset in
        ``[-max_skew_s, max_skew_s]``.

        Examples
        --------
        >>> print(Nemesis.random(["n1", "n2", "n3"], 6.0, seed=7, kinds=("crash", "pause", "partition")))
          0.474 -   1.390 s  pause n1
          2.411 -   3.086 s  crash n3, restart
          4.455 -   5.227 s  crash n1, restart
        """
        names = [check_type("nodes (each)", n, str) for n in check_type("nodes", nodes, (list, tuple))]
        if len(set(names)) < 2:
            raise out_of_range("nodes", list(nodes), "at least two distinct node names", why="are too few")
        duration = check_number("duration_s", duration_s, low=0, low_open=True)
        kinds = [check_choice("kinds (each)", k, KINDS) for k in check_type("kinds", kinds, (list, tuple))]
        if not kinds:
            raise out_of_range("kinds", kinds, "one or more of " + ", ".join(KINDS), why="is empty")
        count = max(1, round(duration / 2)) if n_faults is None else check_int("n_faults", n_faults, low=1)
        max_delay = check_number("max_delay_s", max_delay_s, low=0)
        max_skew = check_number("max_skew_s", max_skew_s, low=0)
        rng = as_rng(seed)
        shapes = SHAPES if len(set(names)) >= 3 else ("halves", "isolate")
        window = duration / count
        faults = []
        for i in range(count):
            kind = rng.choice(kinds)
            start = window * (i + rng.uniform(0.0, 0.25))
            end = start + window * rng.uniform(0.3, 0.7)
            node = rng.choice(names)
            faults.append({
                "partition": lambda: Partition(start_s=start, end_s=end, shape=rng.choice(shapes), nodes=names),
                "isolate": lambda: Isolate(start_s=start, end_s=end, node=node),
                "crash": lambda: Crash(node=node, at_s=start, restart_s=end),
                "pause": lambda: Pause(node=node, at_s=start, duration_s=end - start),
                "loss": lambda: Loss(start_s=start, end_s=end, probability=round(rng.uniform(0.1, 0.5), 2)),
                "delay": lambda: Delay(start_s=start, end_s=end, latency=Uniform(0.0, max_delay)),
                "skew": lambda: Skew(node=node, at_s=start, offset_s=round(rng.uniform(-max_skew, max_skew), 3)),
            }[kind]())
        return cls(faults)
