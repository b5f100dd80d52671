"""Typed values in conditions: numbers, dates, IP addresses, booleans and binary.

Every condition value is a string in JSON, so each operator family reads it
as its own type first -- the way a form field labelled "date" rejects
"yesterday". A policy value that cannot be read is a malformed policy; a
request value that cannot be read is a malformed request: both raise
ValueError rather than quietly failing to match.

References
----------
AWS IAM User Guide: "IAM JSON policy elements: Condition operators" (numeric
values are integers or decimals; dates use the W3C profile of ISO 8601 or
epoch (UNIX) time; IP values are CIDR blocks, with /32 when no prefix is
given; BinaryEquals compares bytes with a base-64 policy value; Bool compares
with "true" or "false").
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["parse_date", "coerce_value"]

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
                   r"(Z|[+-]\d{2}:\d{2})?)?)?)?$")


def _epoch(seconds: float, what: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{what}: {seconds!r} is out of range for epoch seconds") from None


def parse_date(raw: Any, what: str) -> datetime:
    """A W3C ISO 8601 date-time or epoch seconds, as an aware UTC datetime.

    A date or time without a zone designator is read as UTC, and a string of
    exactly four digits is a year (``"2020"``), not an epoch second.

    Examples
    --------
    >>> parse_date("2020-01-01T00:00:01Z", "v").isoformat()
    '2020-01-01T00:00:01+00:00'
    >>> parse_date(0, "v").year
    1970
    """
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=timezone.utc)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return _epoch(raw, what)
    if isinstance(raw, str):
        m = _DATE.match(raw)
        if m and (len(raw) == 4 or not raw.isdigit()):
            y, mo, d, h, mi, s, frac, tz = m.groups()
            try:
                dt = datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0),
                              int((frac or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc)
            except ValueError:
                raise ValueError(f"{what}: {raw!r} is not a valid date") from None
            if tz and tz != "Z":
                sign = 1 if tz[0] == "+" else -1
                dt -= sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
            return dt
        if re.fullmatch(r"\d+(\.\d+)?", raw):
            return _epoch(float(raw), what)
    raise ValueError(f"{what}: {raw!r} is not an ISO 8601 date-time (e.g. 2020-01-01T00:00:00Z) or epoch seconds")


def coerce_value(family: str, raw: Any, what: str, *, policy: bool = False) -> Any:
    """Convert one value for comparison in ``family``; ``policy`` marks a policy value.

    Examples
    --------
    >>> coerce_value("numeric", "10", "s3:max-keys")
    Decimal('10')
    >>> coerce_value("ip", "203.0.113.7", "aws:SourceIp", policy=True)
    IPv4Network('203.0.113.7/32')
    >>> coerce_value("bool", "TRUE", "aws:SecureTransport")
    True
    """
    if family == "numeric":
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
            raise ValueError(f"{what}: {raw!r} is not a number")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(f"{what}: {raw!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{what}: {raw!r} is not a finite number")
        return number
    if family == "date":
        return parse_date(raw, what)
    if family == "ip":
        if not isinstance(raw, str):
            raise ValueError(f"{what}: {raw!r} is not a string IP address or CIDR block")
        try:
            return ipaddress.ip_network(raw, strict=False) if policy else ipaddress.ip_address(raw)
        except (ValueError, TypeError):
            kind = "an IPv4/IPv6 CIDR such as 203.0.113.0/24" if policy else "an IP address"
            raise ValueError(f"{what}: {raw!r} is not {kind}") from None
    if family == "binary":
        if isinstance(raw, (bytes, bytearray)):
            return bytes(raw)
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValueError(f"{what}: {raw!r} is not base-64 encoded binary") from None
    if family == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise ValueError(f"{what}: {raw!r} is not a boolean")
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (str, int, float)):
        return str(raw)
    raise ValueError(f"{what}: {raw!r} is not a string")
