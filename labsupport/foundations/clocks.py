"""Logical clocks: ordering events without a shared wall clock.

Machines cannot agree on the time to the microsecond, but they can agree on
what *could have caused* what. Lamport's rule (1978) is the one a relay team
follows: you cannot start your leg before the baton reaches you. Each node
counts its own events, and a message carries its sender's count so that the
receiver's count jumps past it. Vector clocks keep one counter per node and
so capture causality exactly: ``a`` happened before ``b`` if and only if
``a``'s vector is below ``b``'s.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from labsupport.sim.trace import TraceEvent

__all__ = ["lamport_timestamps", "vector_timestamps", "happened_before", "concurrent"]

EventKey = tuple[str, int]  # (node, index of the event on that node)
VectorClock = dict[str, int]

_LOCAL_EVENTS = ("send", "deliver", "note")


def _node_events(trace: Iterable[TraceEvent]):
    """Yield (key, event) for the events that count on a node's timeline, in trace order."""
    counts: dict[str, int] = {}
    for e in trace:
        if e.event in _LOCAL_EVENTS:
            counts[e.node] = counts.get(e.node, 0) + 1
            yield (e.node, counts[e.node] - 1), e


def lamport_timestamps(trace: Iterable[TraceEvent]) -> dict[EventKey, int]:
    """Lamport clock value of every send, delivery and note in a trace.

    Rule: before each event a node adds one to its counter; a delivery first
    takes the maximum of its counter and the timestamp the message carried.
    Dropped messages carry nothing to anyone.

    Returns
    -------
    dict
        ``(node, i) -> timestamp`` for the i-th counted event on ``node``.

    Examples
    --------
    >>> from labsupport.sim import TraceEvent as E
    >>> trace = [E(0.0, "send", "a", "b", "m", 0), E(0.1, "note", "b"),
    ...          E(0.2, "deliver", "b", "a", "m", 0)]
    >>> lamport_timestamps(trace)
    {('a', 0): 1, ('b', 0): 1, ('b', 1): 2}
    """
    clock: dict[str, int] = {}
    carried: dict[int, int] = {}
    stamps: dict[EventKey, int] = {}
    for key, e in _node_events(trace):
        now = clock.get(e.node, 0)
        if e.event == "deliver":
            now = max(now, carried[e.msg_id])
        now += 1
        if e.event == "send":
            carried[e.msg_id] = now
        clock[e.node] = stamps[key] = now
    return stamps


def vector_timestamps(trace: Iterable[TraceEvent]) -> dict[EventKey, VectorClock]:
    """Vector clock of every send, delivery and note in a trace.

    Rule: before each event a node increments its own entry; a delivery
    first takes the entry-wise maximum with the vector the message carried.

    Examples
    --------
    >>> from labsupport.sim import TraceEvent as E
    >>> trace = [E(0.0, "send", "a", "b", "m", 0), E(0.1, "note", "b"),
    ...          E(0.2, "deliver", "b", "a", "m", 0)]
    >>> vector_timestamps(trace)[("b", 1)]
    {'a': 1, 'b': 2}
    """
    clock: dict[str, VectorClock] = {}
    carried: dict[int, VectorClock] = {}
    stamps: dict[EventKey, VectorClock] = {}
    for key, e in _node_events(trace):
        now = dict(clock.get(e.node, {}))
        if e.event == "deliver":
            for node, count in carried[e.msg_id].items():
                now[node] = max(now.get(node, 0), count)
        now[e.node] = now.get(e.node, 0) + 1
        if e.event == "send":
            carried[e.msg_id] = now
        clock[e.node] = now
        stamps[key] = dict(sorted(now.items()))
    return stamps


def happened_before(u: Mapping[str, int], v: Mapping[str, int]) -> bool:
    """True if the event with vector clock ``u`` happened before the one with ``v``.

    ``u < v`` means every entry of ``u`` is at most ``v``'s and the vectors differ.

    Examples
    --------
    >>> happened_before({"a": 1}, {"a": 1, "b": 2}), happened_before({"a": 2}, {"a": 1, "b": 2})
    (True, False)
    """
    nodes = set(u) | set(v)
    return all(u.get(n, 0) <= v.get(n, 0) for n in nodes) and any(u.get(n, 0) < v.get(n, 0) for n in nodes)


def concurrent(u: Mapping[str, int], v: Mapping[str, int]) -> bool:
    """True if neither event happened before the other (and they are different events).

    Examples
    --------
    >>> concurrent({"a": 1}, {"b": 1})
    True
    """
    return dict(u) != dict(v) and not happened_before(u, v) and not happened_before(v, u)
