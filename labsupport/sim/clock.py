"""Node clocks: each machine's own, slightly wrong, reading of the time.

A wristwatch set a little fast and running a little slow: its reading is
an offset plus real time scaled by a drift rate, ``offset + (1 + drift) * t``.
Leases and timeouts are judged against such readings, not against the
simulation's true time, which no node can see. Changing the drift keeps
the reading continuous; setting an offset jumps it (an operator, or NTP,
stepping the clock).

Examples
--------
>>> watch = Clock(offset_s=0.5, drift=0.01)
>>> watch.read(10.0)
10.6
>>> watch.set(10.0, drift=0.0)  # the reading goes on from 10.6, now at the true rate
>>> watch.read(12.0)
12.6
"""

from __future__ import annotations

from labsupport.checks import check_number

__all__ = ["Clock"]


def check_drift(name: str, value: float) -> float:
    """A drift rate: ``-1 < drift < 1`` (a clock that runs backwards or stops is no clock).

    Examples
    --------
    >>> check_drift("drift", 0.001)
    0.001
    """
    return check_number(name, value, low=-1.0, high=1.0, low_open=True, high_open=True)


class Clock:
    """A clock reading ``offset_s + (1 + drift) * t`` at real time ``t``, re-based when it is set.

    Parameters
    ----------
    offset_s : float
        What the clock reads at real time 0.
    drift : float
        How much faster than real time it runs: 0.01 gains 10 ms per second.
    """

    __slots__ = ("drift", "base_real_s", "base_reading_s")

    def __init__(self, offset_s: float = 0.0, drift: float = 0.0):
        self.base_real_s = 0.0
        self.base_reading_s = check_number("offset_s", offset_s)
        self.drift = check_drift("drift", drift)

    def __repr__(self) -> str:
        return f"Clock(reads {self.base_reading_s:g} s at {self.base_real_s:g} s, drift {self.drift:+g})"

    def read(self, now: float) -> float:
        """The clock's reading at real time ``now``."""
        return self.base_reading_s + (1.0 + self.drift) * (now - self.base_real_s)

    def set(self, now: float, *, offset_s: float | None = None, drift: float | None = None) -> None:
        """From real time ``now``: read ``now + offset_s`` (a jump), and/or run at rate ``1 + drift``.

        Examples
        --------
        >>> watch = Clock()
        >>> watch.set(5.0, offset_s=-0.25)
        >>> watch.read(6.0)
        5.75
        """
        reading = self.read(now) if offset_s is None else now + check_number("offset_s", offset_s)
        if drift is not None:
            self.drift = check_drift("drift", drift)
        self.base_real_s, self.base_reading_s = now, reading

    def real_delay(self, local_s: float) -> float:
        """How much real time passes while this clock advances by ``local_s``.

        Examples
        --------
        >>> round(Clock(drift=0.25).real_delay(1.0), 3)  # a fast clock: its second is over early
        0.8
        """
        return check_number("local_s", local_s, low=0) / (1.0 + self.drift)
