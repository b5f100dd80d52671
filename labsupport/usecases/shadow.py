"""Device shadows: the desired state an app asks for, the state a device reports, and the difference.

A thermostat in a holiday house is offline most of the time. Its owner sets
21 degrees on a phone; the setting waits in the **desired** section of the
thermostat's shadow. When the thermostat wakes up it reads the **delta**
(the desired settings that differ from what it last **reported**), applies
them, and reports its new state, which empties the delta.

The document follows the AWS IoT Device Shadow service ("Device Shadow
service documents"): an update carries ``state.desired`` and/or
``state.reported``; only the fields it names change; a field set to
``None`` (JSON ``null``) is deleted, and a whole section set to ``None`` is
removed; each accepted update increments ``version``, and an update that
names a ``version`` other than the current one is rejected. The delta
contains the fields of ``desired`` whose value differs from ``reported``
(missing there counts as different), recursing into nested objects; fields
present only in ``reported`` never appear in it, and without a desired
section there is no delta. Lists are compared as whole values here.
"""

from __future__ import annotations

import copy
from typing import Any

from labsupport.checks import check_type, out_of_range

__all__ = ["VersionConflict", "delta", "Shadow"]


class VersionConflict(ValueError):
    """An update named a version other than the shadow's current one.

    The Device Shadow service answers such an update with HTTP 409 "Version
    conflict" (AWS IoT Core Developer Guide, "Device Shadow error messages").
    """


def delta(desired: dict | None, reported: dict | None) -> dict:
    """The fields of ``desired`` that ``reported`` does not already have with the same value.

    Examples
    --------
    >>> delta({"color": "red", "light": {"on": True, "level": 5}}, {"color": "green", "light": {"on": True}, "x": 1})
    {'color': 'red', 'light': {'level': 5}}
    >>> delta({"color": "red"}, {"color": "red"}), delta(None, {"color": "red"})
    ({}, {})
    """
    out: dict = {}
    reported = reported or {}
    for key, want in (desired or {}).items():
        have = reported.get(key, _MISSING)
        if isinstance(want, dict) and isinstance(have, dict):
            inner = delta(want, have)
            if inner:
                out[key] = inner
        elif want != have:
            out[key] = copy.deepcopy(want)
    return out


_MISSING = object()


def _merge(current: dict | None, update: dict) -> dict | None:
    result = copy.deepcopy(current) if current else {}
    for key, value in update.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value) or {}
        else:
            result[key] = copy.deepcopy(value)
    return result


class Shadow:
    """One thing's shadow document.

    Examples
    --------
    >>> s = Shadow()
    >>> s.update({"desired": {"temp": 21, "mode": "eco"}})
    {'temp': 21, 'mode': 'eco'}
    >>> s.update({"reported": {"temp": 21, "mode": "off", "battery": 80}})   # the device wakes up
    {'mode': 'eco'}
    >>> s.version, s.document()["state"]["delta"]
    (2, {'mode': 'eco'})
    >>> s.update({"reported": {"mode": "eco"}}, version=1)
    Traceback (most recent call last):
    ...
    labsupport.usecases.shadow.VersionConflict: update names version 1 but the shadow is at version 2; read the shadow again and retry
    """

    def __init__(self) -> None:
        self.desired: dict | None = None
        self.reported: dict | None = None
        self.version = 0

    def update(self, state: dict, *, version: int | None = None) -> dict:
        """Apply a request state document ``{"desired": ..., "reported": ...}``; return the delta after it."""
        if not check_type("state", state, dict) or set(state) - {"desired", "reported"}:
            raise out_of_range("state", state, "a dict with 'desired' and/or 'reported' sections only",
                               why="has no or other sections")
        if version is not None and version != self.version:
            raise VersionConflict(f"update names version {version} but the shadow is at version {self.version}; "
                                  "read the shadow again and retry")
        for section, value in state.items():
            check_type(f"state[{section!r}]", value, (dict, type(None)))
            merged = None if value is None else _merge(getattr(self, section), value)
            setattr(self, section, merged or None)
        self.version += 1
        return self.delta

    @property
    def delta(self) -> dict:
        return delta(self.desired, self.reported)

    def document(self) -> dict[str, Any]:
        """The shadow as a GET would return its state (without metadata and timestamps)."""
        state: dict[str, Any] = {}
        for name in ("desired", "reported"):
            if getattr(self, name):
                state[name] = copy.deepcopy(getattr(self, name))
        if self.delta:
            state["delta"] = self.delta
        return {"state": state, "version": self.version}
