"""Scheduled calls: the cheapest thing simpy's event loop can process.

A run of the kernel schedules two things per message: the call that sends
it (``sim.at``, a timer) and its arrival. A :class:`simpy.Timeout` for each,
with a closure as its callback, costs more than the rest of the kernel's
bookkeeping. simpy's loop asks an event for only two things, its
``callbacks`` list and its ``_ok`` flag, so a slotted record with those two
and the data its callback needs is enough; it goes on the queue through
simpy's public :meth:`simpy.Environment.schedule`, exactly where a
``Timeout`` of the same delay would go (same time, same priority, next
sequence number), so a run keeps its order event for event.

These records are never yielded by a process: a process waits on real simpy
events (``node.sleep``, ``node.request``).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import simpy
from simpy.events import NORMAL

from labsupport.checks import check_number

__all__ = ["Call", "RUN_CALL", "schedule_call", "run_call"]


class Call:
    """``action(*args)``, due at a given time; ``callbacks`` is what simpy runs.

    ``callbacks`` is a tuple, not simpy's list: simpy only iterates over it,
    and a caller that schedules many calls with one callback makes the tuple
    once (:data:`RUN_CALL`), so a call costs one object, not three.
    """

    __slots__ = ("callbacks", "action", "args")
    _ok = True  # simpy's loop treats an event that is not ok as a failure

    def __init__(self, callbacks: tuple[Callable[["Call"], None], ...], action: Any, args: Any):
        self.callbacks = callbacks
        self.action, self.args = action, args


def run_call(call: Call) -> None:
    """The callback of a scheduled call: ``call.action(*call.args)``."""
    call.action(*call.args)


#: The callbacks of a call that runs ``action(*args)``: ``Call(RUN_CALL, action, args)``.
RUN_CALL = (run_call,)


def schedule_call(env: simpy.Environment, delay_s: float, action: Callable[..., Any], *, args: tuple) -> None:
    """Call ``action(*args)`` after ``delay_s`` simulated seconds (``delay_s >= 0``).

    Examples
    --------
    >>> env = simpy.Environment()
    >>> schedule_call(env, 2.5, print, args=("due",))
    >>> env.run()
    due
    >>> env.now
    2.5
    """
    if type(delay_s) is not float or not 0.0 <= delay_s < math.inf:  # one test per message on the fast path
        check_number("delay_s", delay_s, low=0)
    env.schedule(Call(RUN_CALL, action, args), NORMAL, delay_s)
