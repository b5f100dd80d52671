"""Messages and the trace of everything that happened to them.

The trace is the flight recorder of a run: every send, delivery, drop,
crash and partition, in order, with its simulated time. Tests compare
traces event for event; figures (space-time diagrams) are drawn from them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["NodeId", "Message", "TraceEvent", "EVENTS"]

NodeId = str

#: The kinds of trace event, in the order a message can meet them.
EVENTS = ("send", "deliver", "drop", "duplicate", "crash", "recover", "partition", "heal", "note",
          "pause", "resume", "skew", "persist", "loss", "delay")


class Message(NamedTuple):
    """A small immutable record sent from one node to another.

    ``kind`` names the handler that receives it (``"ping"`` is handled by
    ``on_ping``); ``reply_to`` carries the ``msg_id`` of the request a reply
    answers. The payload is whatever the sender attached; for anything with
    more than one field, a named record of its own (a ``NamedTuple`` per
    message kind, defined next to the handler that reads it).

    A named tuple rather than a dataclass: millions of these are made in a
    long run, and a tuple is the cheapest immutable record Python has.
    """

    src: NodeId
    dst: NodeId
    kind: str
    payload: Any = None
    msg_id: int = 0
    reply_to: int | None = None


class TraceEvent(NamedTuple):
    """One line of the flight recorder.

    A named tuple: cheap to record (one per send, delivery and drop), compared
    field by field, and every field readable by name (``e.time``, ``e.msg_id``).

    Attributes
    ----------
    time : float
        Simulated seconds since the start of the run.
    event : str
        One of :data:`EVENTS`.
    node : NodeId
        Where it happened: the sender for ``send``/``duplicate``, the
        receiver for ``deliver``/``drop``, the node itself for ``crash``,
        ``recover`` and ``note``; ``"*"`` for network-wide events.
    peer : NodeId or None
        The other end of a message.
    kind : str or None
        The message kind.
    msg_id : int or None
        The message this event belongs to (a duplicate shares its original's id).
    detail : str
        Why a message was dropped (``"lost"``, ``"partitioned"``,
        ``"crashed"``); ``"held"`` on a delivery that waited for a paused
        node; the keys written for ``persist``; free text for notes,
        partitions, pauses, clock skews, and loss or delay bursts.
    """

    time: float
    event: str
    node: NodeId
    peer: NodeId | None = None
    kind: str | None = None
    msg_id: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        parts = [f"{self.time:9.6f}", f"{self.event:<9}", self.node]
        if self.peer is not None:
            arrow = "->" if self.event in ("send", "duplicate") else "<-"
            parts.append(f"{arrow} {self.peer}")
        if self.kind is not None:
            parts.append(f"{self.kind}#{self.msg_id}")
        if self.detail:
            parts.append(f"({self.detail})")
        return " ".join(parts)
