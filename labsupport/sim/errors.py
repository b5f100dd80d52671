"""What a run reports when a node's own code fails.

When a clerk makes a mistake, the report should name the clerk, the hour
and the letter on the desk, not the building's plumbing. A handler or timer
callback that raises stops the run with a :class:`HandlerError` that says
which node, at what simulated time, handling which message (kind, id,
sender) or which timer; the original exception is chained as its cause, so
the traceback printed below it ends at the line in the node's code.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HandlerError", "describe_message", "describe_callable"]


class HandlerError(RuntimeError):
    """A node's handler, timer callback or process raised; ``__cause__`` is the original exception.

    Examples
    --------
    >>> from labsupport.sim import Node, Simulation
    >>> class Fussy(Node):
    ...     def on_ping(self, msg):
    ...         return msg.payload.version
    >>> sim = Simulation(seed=1, latency=0.5)
    >>> a, b = sim.add(Node("a")), sim.add(Fussy("b"))
    >>> sim.at(1.0, a.send, "b", "ping", 42)
    >>> sim.run()
    Traceback (most recent call last):
    ...
    labsupport.sim.errors.HandlerError: node 'b' at t=1.500000 s: on_ping for ping#0 from 'a' raised AttributeError: 'int' object has no attribute 'version'
    """

    @classmethod
    def raised(cls, node: str, time_s: float, what: str, *, error: BaseException) -> "HandlerError":
        """The error for ``error``, raised by ``what`` on ``node`` at ``time_s``; raise it ``from error``."""
        return cls(f"node {node!r} at t={time_s:.6f} s: {what} raised {type(error).__name__}: {error}")


def describe_message(msg: Any) -> str:
    """``on_ping for ping#0 from 'a'``: the handler and the message that started some code."""
    return f"on_{msg.kind} for {msg.kind}#{msg.msg_id} from {msg.src!r}"


def describe_callable(action: Any, args: tuple) -> str:
    """``timer callback tick(3)``: a timer's callback and its arguments."""
    name = getattr(action, "__name__", None) or type(action).__name__
    shown = ", ".join(repr(a) for a in args)
    return f"{name}({shown if len(shown) <= 60 else shown[:57] + '...'})"
