"""What a node does over time: processes, timers and pauses.

A node's work is a set of errands: some wait for a reply or a timeout (a
process), some are an alarm set for later (a timer). A crash ends them all;
a pause (a garbage-collection stall) freezes them: whatever falls due while
the node is paused waits, in order, and runs the moment it resumes. Code
that raises is reported as a :class:`~labsupport.sim.HandlerError` naming
the node, the time, and what started the errand.

:class:`Tasks` is the part of :class:`~labsupport.sim.Node` that does this;
it uses the attributes ``Node.__init__`` sets (``alive``, ``paused``,
``incarnation`` and the private lists of held work and live processes).
"""

from __future__ import annotations

from types import GeneratorType
from typing import Any, Callable, Generator

import simpy
from simpy.events import NORMAL

from labsupport.checks import check_number
from labsupport.sim.calls import Call
from labsupport.sim.errors import HandlerError, describe_callable

__all__ = ["Tasks"]


def _run_held(call: Call) -> None:
    action, args = call.action
    action(*args)


_RUN_HELD = (_run_held,)


class Tasks:
    """Processes, timers, sleeps and pauses of one node (a base class of :class:`~labsupport.sim.Node`)."""

    def sleep(self, delay_s: float) -> simpy.Event:
        """An event that fires after ``delay_s``: ``yield self.sleep(1.0)``."""
        return self.env.timeout(delay_s)

    def local_sleep(self, delay_s: float) -> simpy.Event:
        """Like :meth:`sleep`, but ``delay_s`` is measured on this node's own clock (its drift rate)."""
        return self.env.timeout(self._clock.real_delay(check_number("delay_s", delay_s, low=0)))

    # -- processes and timers -------------------------------------------
    def spawn(self, generator: Generator) -> simpy.Process:
        """Run ``generator`` as a process of this node; a crash stops it, a pause holds it."""
        return self._spawn(generator, "a process it spawned")

    def _spawn(self, generator: Generator, what: str) -> simpy.Process:
        process = self.env.process(self._guarded(generator, what, self.now))
        self._processes.add(process)
        process.callbacks.append(lambda _event: self._processes.discard(process))
        return process

    def _guarded(self, generator: Generator, what: str, started_s: float):
        """Drive ``generator`` by hand: stop it on a crash, hold it during a pause, and name it if it raises."""
        value = error = None
        while True:
            try:
                target = generator.send(value) if error is None else generator.throw(error)
            except StopIteration as stop:
                return stop.value
            except Exception as exc:
                raise HandlerError.raised(self.name, self.now, f"{what} (started at t={started_s:.6f} s)",
                                          error=exc) from exc
            if not self.alive:  # the node crashed itself; it runs no more code
                generator.close()
                return None
            try:
                value, error = (yield target), None
                while self.paused:  # the event fired during a pause: continue only when the node resumes
                    wake = self.env.event()
                    self._held.append(wake)
                    yield wake
            except simpy.Interrupt:
                try:  # the node crashed mid-task; the task simply stops
                    generator.close()
                except Exception:  # noqa: BLE001 - a crashed node's clean-up cannot act any more
                    pass
                return None
            except Exception as exc:  # the event failed: the task sees the failure, as with ``yield from``
                value, error = None, exc

    def set_timer(self, delay_s: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` after ``delay_s``, unless the node crashes first (a pause delays it)."""
        check_number("delay_s", delay_s, low=0)
        self.env.schedule(Call((self._timer_fired,), (callback, args), self.incarnation), NORMAL, delay_s)

    def set_local_timer(self, delay_s: float, callback: Callable[..., Any], *args: Any) -> None:
        """Like :meth:`set_timer`, but ``delay_s`` is measured on this node's own clock.

        The real delay is ``delay_s / (1 + drift)`` at the drift in force now:
        a fast clock fires early, a slow one late. A later jump of the clock
        does not move the timer (it counts elapsed time, like a monotonic clock).
        """
        real_s = self._clock.real_delay(check_number("delay_s", delay_s, low=0))
        self.env.schedule(Call((self._timer_fired,), (callback, args), self.incarnation), NORMAL, real_s)

    def _timer_fired(self, call: Call) -> None:
        if not (self.alive and self.incarnation == call.args):
            return
        if self.paused:
            self.hold(self._timer_fired, call)
            return
        callback, args = call.action
        try:
            result = callback(*args)
        except HandlerError:
            raise
        except Exception as error:  # described only now (repr of every argument of every timer cost ~10 % of a run):
            what = "timer callback " + describe_callable(callback, args)  # the arguments as the callback left them
            raise HandlerError.raised(self.name, self.now, what, error=error) from error
        if result is not None and isinstance(result, GeneratorType):
            self._spawn(result, "timer callback " + describe_callable(callback, args))

    # -- pauses (called by the network, timers and Simulation.pause) ---------
    def hold(self, action: Callable[..., Any], *args: Any) -> None:
        """Keep ``action(*args)`` until this paused node resumes; then it runs, in order.

        The network holds arriving messages this way, and timers their callbacks.
        """
        self._held.append((action, args))

    def suspend(self) -> None:
        """Stop running code until :meth:`resume` (a pause). Call :meth:`Simulation.pause` instead."""
        self.paused = True

    def resume(self) -> None:
        """End a pause: what fell due during it runs now, in the order it fell due."""
        self.paused = False
        held, self._held = self._held, []
        env = self.env
        for item in held:
            if isinstance(item, simpy.Event):
                item.succeed()  # a process waiting to continue
            else:
                env.schedule(Call(_RUN_HELD, item, None), NORMAL, 0.0)
