"""Nodes: the machines of a simulated distributed system.

A node is like a clerk at a desk who only ever reacts to letters and to an
alarm clock: a message of kind ``"ping"`` is handled by the method
``on_ping``; a timer calls back later. A handler may be an ordinary method
(it acts at once) or a generator (it may wait: for a reply, for a timeout).
When a node crashes, everything it was doing stops; when it recovers,
:meth:`Node.on_recover` decides what it remembers, or, for a class with
``forgets_on_crash = True``, the kernel rebuilds it and only its durable
:attr:`Node.storage` survives. A paused node (a garbage-collection stall)
runs no code until it resumes, then catches up in order.
"""

from __future__ import annotations

from types import GeneratorType
from typing import TYPE_CHECKING, Any, ClassVar, Generator, Iterable

import simpy

from labsupport.checks import check_number, check_type, out_of_range
from labsupport.sim.clock import Clock
from labsupport.sim.errors import HandlerError, describe_message
from labsupport.sim.storage import Storage, stored_copy
from labsupport.sim.tasks import Tasks
from labsupport.sim.trace import Message, NodeId, TraceEvent

if TYPE_CHECKING:  # pragma: no cover
    from labsupport.sim.simulation import Simulation

__all__ = ["Node", "ReplyEvent"]

_tuple_new = tuple.__new__  # builds a Message or TraceEvent from all its fields without a Python call


class ReplyEvent(simpy.Event):
    """The event :meth:`Node.request` returns: it fires with the first reply to ``request``."""

    def __init__(self, env: simpy.Environment, request: Message):
        super().__init__(env)
        self.request = request


# What a node keeps when it forgets everything else on a crash (Node.forgets_on_crash).
_KEPT_ON_CRASH = ("name", "sim", "storage", "incarnation", "_clock", "_init_args")


class Node(Tasks):
    """Base class for every simulated machine; subclass it and add ``on_<kind>`` handlers.

    Examples
    --------
    >>> from labsupport.sim import Simulation
    >>> class Echo(Node):
    ...     def on_ping(self, msg):
    ...         self.reply(msg, "pong", msg.payload)
    >>> class Asker(Node):
    ...     def start(self):
    ...         reply = yield self.request("b", "ping", 42)
    ...         self.log(f"got {reply.payload}")
    >>> sim = Simulation(seed=1, latency=0.01)
    >>> a, b = sim.add(Asker("a")), sim.add(Echo("b"))
    >>> sim.run()
    >>> [str(e) for e in sim.trace]  # doctest: +NORMALIZE_WHITESPACE
    [' 0.000000 send      a -> b ping#0', ' 0.010000 deliver   b <- a ping#0',
     ' 0.010000 send      b -> a pong#1', ' 0.020000 deliver   a <- b pong#1',
     ' 0.020000 note      a (got 42)']
    """

    #: True: a crash loses everything but :attr:`storage`; on recovery the kernel calls the class's
    #: ``__init__`` again with the arguments the node was first built with (the same objects), then
    #: :meth:`on_recover`. During that ``__init__``, ``self.storage`` already holds what was persisted;
    #: afterwards the node keeps its name, simulation, clock and a bumped :attr:`incarnation`.
    #: False (the default, chapters 1-8): the Python object keeps its attributes across a crash.
    forgets_on_crash: ClassVar[bool] = False

    def __new__(cls, *args: Any, **kwargs: Any):
        self = super().__new__(cls)
        if cls.forgets_on_crash:  # kept to rebuild the node on recovery: the same objects, not copies
            self._init_args = (args, kwargs)
        return self

    def __init__(self, name: NodeId):
        if not check_type("name", name, str):
            raise out_of_range("name", name, "a non-empty string", why="is empty")
        self.name = name
        self.sim: Simulation | None = None
        self.alive = True
        self.paused = False  # True during a pause: arrivals, timers and wake-ups wait in order
        self.incarnation = 0  # bumped on every recovery, so stale timers stay silent
        if "storage" not in self.__dict__:  # on a rebuild after a crash, the durable storage is already here
            self.storage = Storage()  # durable: survives crashes; written with persist()
        self._storage_free_s = 0.0  # when the node's storage finishes its last write (writes stay in order)
        self._clock = Clock()
        self._held: list = []  # what fell due during a pause, in order
        self._processes: set[simpy.Process] = set()
        self._waiting: dict[int, simpy.Event] = {}

    def __repr__(self) -> str:
        state = ("paused" if self.paused else "up") if self.alive else "crashed"
        return f"{type(self).__name__}({self.name!r}, {state})"

    # -- hooks for subclasses ------------------------------------------
    def start(self) -> Generator | None:
        """Called once when the simulation begins; may be a generator."""

    def on_crash(self) -> None:
        """Called when the node crashes (after its processes have been stopped)."""

    def on_recover(self) -> Generator | None:
        """Called when the node recovers: reset volatile state here. May be a generator."""

    # -- time ----------------------------------------------------------
    @property
    def env(self) -> simpy.Environment:
        return self._attached().env

    @property
    def now(self) -> float:
        return self._attached().env.now

    def clock(self) -> float:
        """This node's own reading of the time: ``offset + (1 + drift) * now``, jumped by any skew.

        Only the node's clock is visible to the node's logic in a real system;
        :attr:`now` is the simulation's true time, for measuring.
        """
        return self._clock.read(self._attached().env.now)

    def adjust_clock(self, *, offset_s: float | None = None, drift: float | None = None) -> None:
        """From now, read true time plus ``offset_s`` (a jump) and/or run at rate ``1 + drift``.

        Call :meth:`Simulation.set_clock` instead, which also records the change in the trace.
        """
        self._clock.set(self.now, offset_s=offset_s, drift=drift)

    def _attached(self) -> "Simulation":
        if self.sim is None:
            raise RuntimeError(f"node {self.name!r} is not part of a simulation; add it with sim.add(node)")
        return self.sim

    # -- messages ------------------------------------------------------
    def send(self, dst: NodeId, kind: str, payload: Any = None, *, reply_to: int | None = None) -> Message:
        """Send a message; it arrives (or not) after the link's delay."""
        sim = self.sim or self._attached()
        if not self.alive:
            raise RuntimeError(f"crashed node {self.name!r} tried to send {kind!r}; a crashed node runs no code")
        if dst not in sim.nodes:
            raise ValueError(f"unknown destination {dst!r}; nodes are {sorted(sim.nodes)}")
        msg_id = sim.next_msg_id()
        msg = _tuple_new(Message, (self.name, dst, kind, payload, msg_id, reply_to))
        sim.record(_tuple_new(TraceEvent, (sim.env.now, "send", self.name, dst, kind, msg_id, "")))
        sim.network.transmit(msg)
        return msg

    def reply(self, request: Message, kind: str, payload: Any = None) -> Message:
        """Answer ``request``; the asker's :meth:`request` event fires with this message."""
        return self.send(request.src, kind, payload, reply_to=request.msg_id)

    def request(self, dst: NodeId, kind: str, payload: Any = None) -> ReplyEvent:
        """Send a message and return an event that fires with the first reply to it.

        The event never fires if the request or every reply is lost: wait on
        it with a timeout (:meth:`wait` or :meth:`collect`), which forgets
        the request when it gives up, so a lost reply leaves nothing behind.
        """
        msg = self.send(dst, kind, payload)
        event = self._waiting[msg.msg_id] = ReplyEvent(self.env, msg)
        return event

    def multicast(self, dsts: Iterable[NodeId], kind: str, payload: Any = None) -> list[ReplyEvent]:
        """:meth:`request` to each destination in turn."""
        return [self.request(dst, kind, payload) for dst in dsts]

    def forget(self, event: ReplyEvent) -> None:
        """Stop waiting for the reply to ``event``'s request; a reply that comes later is ignored.

        :meth:`wait` and :meth:`collect` do this themselves for requests still
        unanswered when they return, unless you attached a callback of your
        own to the event (then it stays until the reply comes or you forget it).
        """
        if not event.triggered:
            self._waiting.pop(event.request.msg_id, None)

    def _forget_unanswered(self, events: Iterable[simpy.Event]) -> None:
        for event in events:
            if isinstance(event, ReplyEvent) and not event.triggered and not event.callbacks:
                self._waiting.pop(event.request.msg_id, None)

    def deliver(self, msg: Message) -> None:
        """Hand an arriving message to whoever waits for it: a pending :meth:`request`, or ``on_<kind>``.

        The network calls this; a node's own code writes handlers instead.
        """
        reply_to = msg.reply_to
        if reply_to is not None and reply_to in self._waiting:
            self._waiting.pop(reply_to).succeed(msg)
            return
        handler = getattr(self, "on_" + msg.kind, None)
        if handler is None:
            if reply_to is not None:
                return  # a late or duplicate reply nobody waits for any more
            raise AttributeError(
                f"{type(self).__name__} {self.name!r} received a {msg.kind!r} message but has no "
                f"on_{msg.kind}(self, msg) handler"
            )
        try:
            result = handler(msg)
        except HandlerError:
            raise
        except Exception as error:
            raise HandlerError.raised(self.name, self.now, describe_message(msg), error=error) from error
        if result is not None and isinstance(result, GeneratorType):
            self._spawn(result, describe_message(msg))

    # -- waiting -------------------------------------------------------
    def wait(self, event: simpy.Event, timeout_s: float):
        """Generator: wait for ``event`` at most ``timeout_s``; return its value, or None on timeout.

        Use as ``reply = yield from self.wait(self.request(...), 0.5)``.
        """
        check_number("timeout_s", timeout_s, low=0)
        timer = self.env.timeout(timeout_s)
        yield event | timer
        if event.triggered and event.ok:
            return event.value
        self._forget_unanswered([event])
        return None

    def collect(self, events: list[simpy.Event], need: int, timeout_s: float):
        """Generator: wait until ``need`` of ``events`` have fired or ``timeout_s`` passes.

        Returns the values that arrived in time, in arrival order. Quorum
        protocols use this: send to N replicas, proceed once R answer.
        """
        if not 0 <= need <= len(events):
            raise ValueError(f"need={need} must be between 0 and the number of events ({len(events)})")
        check_number("timeout_s", timeout_s, low=0)
        arrived: list[Any] = []
        enough = self.env.event()

        def count(event: simpy.Event) -> None:
            arrived.append(event.value)
            if len(arrived) >= need and not enough.triggered:
                enough.succeed()

        for event in events:
            event.callbacks.append(count)
        if need == 0:
            enough.succeed()
        yield enough | self.env.timeout(timeout_s)
        for event in events:  # stop counting: a late reply must not change the list returned
            if not event.triggered:
                event.callbacks.remove(count)
        self._forget_unanswered(events)
        return list(arrived)

    # -- durable storage -------------------------------------------------
    def persist(self, **items: Any) -> simpy.Event:
        """Write ``items`` to :attr:`storage`, all or nothing; the event fires when they are durable.

        The write takes the simulation's ``storage_latency``; a crash before
        then loses all of it. Writes of one node complete in the order made.
        With zero latency (the default) the items are durable at once and the
        event has already fired. In a generator handler,
        ``yield self.persist(term=t, voted_for=v)`` answers only after the
        write is durable. The values are copied when ``persist`` is called.
        """
        sim = self.sim or self._attached()
        if not self.alive:
            raise RuntimeError(f"crashed node {self.name!r} tried to persist; a crashed node runs no code")
        snapshot = {key: stored_copy(value) for key, value in items.items()}
        event = sim.env.event()
        now = sim.env.now
        delay = sim.storage_delay(self.name)
        if delay == 0.0 and self._storage_free_s <= now:
            self._store(snapshot, event, self.incarnation)
        else:
            done = max(now + delay, self._storage_free_s)
            self._storage_free_s = done
            sim.at(done, self._store, snapshot, event, self.incarnation)
        return event

    def _store(self, snapshot: dict, event: simpy.Event, incarnation: int) -> None:
        if not (self.alive and self.incarnation == incarnation):
            return  # the node crashed while writing: the write is lost
        self.storage.commit(snapshot)
        self.sim.record(TraceEvent(self.sim.env.now, "persist", self.name, detail=",".join(snapshot)))
        event.succeed()

    def log(self, text: str) -> None:
        """Write a note into the trace (shown on space-time diagrams)."""
        sim = self._attached()
        sim.record(TraceEvent(sim.now, "note", self.name, detail=str(text)))

    # -- failures (called by Simulation.crash and Simulation.recover) -------------
    def halt(self) -> None:
        """Stop this node as a crash does: its processes end, pending requests are dropped, then :meth:`on_crash`.

        Call :meth:`Simulation.crash` instead, which also records the crash in the trace.
        """
        self.alive = False
        self.paused = False
        self._storage_free_s = 0.0  # writes in progress are lost; the next incarnation's start at once
        held, self._held = self._held, []
        for item in held:  # held arrivals are dropped (the node is down), held timers stay silent
            if not isinstance(item, simpy.Event):
                action, args = item
                action(*args)
        active = self.env.active_process
        for process in list(self._processes):
            # A process cannot interrupt itself; a node crashing itself stops when its code returns.
            if process.is_alive and process is not active:
                process.interrupt("crash")
        self._processes.clear()
        self._waiting.clear()
        self.on_crash()

    def restart(self) -> None:
        """Bring this node back after :meth:`halt`: a new incarnation, then :meth:`on_recover`.

        Call :meth:`Simulation.recover` instead, which also records the recovery in the trace.
        """
        if type(self).forgets_on_crash:  # the class's rule: an attribute set on the node does not change it
            self._rebuild()
        self.alive = True
        self.incarnation += 1
        try:
            result = self.on_recover()
        except Exception as error:
            raise HandlerError.raised(self.name, self.now, "on_recover()", error=error) from error
        if result is not None and isinstance(result, GeneratorType):
            self._spawn(result, "on_recover()")

    def _rebuild(self) -> None:
        """Forget everything but storage: run the class's ``__init__`` again on this object."""
        kept = {key: self.__dict__[key] for key in _KEPT_ON_CRASH if key in self.__dict__}
        args, kwargs = self._init_args
        self.__dict__.clear()
        self.storage = kept["storage"]
        type(self).__init__(self, *args, **kwargs)
        self.__dict__.update(kept)
