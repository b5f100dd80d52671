"""Matching the strings in a policy: wildcards, ARNs and policy variables.

A policy names things by pattern, the way a librarian's call-number range
("QA76.*") names every book on a shelf without listing them. IAM has three
pattern languages, and mixing them up is the classic mistake:

* **Actions** (``Action``, ``NotAction``): ``service:Action`` compared without
  regard to case, ``*`` for any run of characters and ``?`` for one.
* **Resources** (``Resource``, ``NotResource``): ARNs compared with case, one
  segment (the parts between the first five colons) at a time; a ``*`` that is
  the *last* character of a segment may run past the colon.
* **ArnLike / ArnEquals conditions**: strictly per segment -- each of the six
  colon-delimited parts is checked on its own.

Patterns are first resolved (:mod:`labsupport.security.iam.variables` fills in
``${aws:username}`` and friends) into literal text and wildcard markers, then
matched here.

The functions here raise plain :class:`ValueError` without a position; the
parser adds the ``Statement[i].Element`` location.

References
----------
AWS IAM User Guide: "IAM JSON policy elements: Action" (prefix and action name
are case insensitive); "IAM JSON policy elements: Resource" (wildcards within
segments; a trailing ``*`` can expand beyond the colon; no wildcard in the
service segment; the user name in a Resource ARN is case sensitive);
"Condition operators", section "Amazon Resource Name (ARN) condition operators"
(each of the six components checked separately); "IAM policy elements:
Variables and tags" (variables only in the resource part of an ARN, after the
fifth colon; special characters; default values; "not present ... causes the
statement to be invalid"; key names are case-insensitive).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Mapping

from labsupport.security.iam.variables import STAR, VARIABLE, Item, Template, _Wild, compile_template, resolve

__all__ = [
    "compile_action",
    "action_matches",
    "ResourcePattern",
    "compile_resource",
    "resource_matches",
    "arn_like",
    "wildcard_match",
    "split_arn",
]


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str, flags: int) -> re.Pattern:
    return re.compile(pattern, flags)


def _regex(items: tuple[Item, ...] | list[Item], star: str = ".*", qmark: str = ".") -> str:
    pieces = []
    for it in items:
        if it is STAR or (isinstance(it, _Wild) and it == "*"):
            pieces.append(star)
        elif isinstance(it, _Wild):
            pieces.append(qmark)
        else:
            pieces.append(re.escape(it))
    return "".join(pieces)


def compile_action(pattern: str) -> re.Pattern:
    """Compile an ``Action`` pattern (``"*"`` or ``service:name`` with wildcards).

    Examples
    --------
    >>> action_matches(compile_action("iam:*AccessKey*"), "iam:CreateAccessKey")
    True
    >>> action_matches(compile_action("iam:ListAccessKeys"), "IAM:listaccesskeys")
    True
    """
    if not isinstance(pattern, str):
        raise ValueError(f"action must be a string, not {type(pattern).__name__}")
    if pattern != "*":
        service, sep, name = pattern.partition(":")
        if not sep or not service or not name or ":" in name:
            raise ValueError(f"action {pattern!r} is not of the form service:Action (or '*')")
    items = resolve(compile_template(pattern, variables=False), {}, wildcards=True)
    return _compiled(_regex(items), re.IGNORECASE | re.DOTALL)


def action_matches(pattern: re.Pattern, action: str) -> bool:
    """True if ``action`` (``service:Action``) matches a compiled action pattern, ignoring case.

    Examples
    --------
    >>> action_matches(compile_action("s3:Get*"), "s3:PutObject")
    False
    """
    return pattern.fullmatch(action) is not None


def wildcard_match(items: tuple[Item, ...], value: str) -> bool:
    """StringLike: ``*`` and ``?`` anywhere (``/`` and ``:`` included), case-sensitive.

    Examples
    --------
    >>> wildcard_match(resolve(compile_template("home/*"), {}, wildcards=True), "home/ana/notes")
    True
    """
    return _compiled(_regex(items), re.DOTALL).fullmatch(value) is not None


def split_arn(arn: str) -> list[str] | None:
    """The six parts of an ARN (the resource part may contain colons), or None.

    Examples
    --------
    >>> split_arn("arn:aws:logs:us-east-1:123456789012:log-group:app:*")
    ['arn', 'aws', 'logs', 'us-east-1', '123456789012', 'log-group:app:*']
    >>> split_arn("bucket") is None
    True
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


def _split_items(items: tuple[Item, ...], limit: int) -> list[list[Item]]:
    """Split resolved items on literal ':' at most ``limit`` times."""
    segments: list[list[Item]] = [[]]
    for it in items:
        if isinstance(it, _Wild):
            segments[-1].append(it)
            continue
        text = it
        while len(segments) <= limit and ":" in text:
            before, _, text = text.partition(":")
            if before:
                segments[-1].append(before)
            segments.append([])
        if text:
            segments[-1].append(text)
    return segments


@dataclass(frozen=True)
class ResourcePattern:
    """A compiled ``Resource``/``NotResource`` entry: ``"*"`` or an ARN pattern."""

    template: Template

    @property
    def source(self) -> str:
        return self.template.source


def compile_resource(pattern: str, *, variables: bool = True) -> ResourcePattern:
    """Validate and compile one ``Resource`` entry.

    Raises ValueError for a non-ARN, a wildcard in the service segment, a
    variable before the fifth colon, or a truncated ARN that does not end in ``*``.

    Examples
    --------
    >>> p = compile_resource("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*")
    >>> resource_matches(p, "arn:aws:s3:::amzn-s3-demo-bucket/1/2/test/3/object.jpg", {})
    True
    >>> resource_matches(p, "arn:aws:s3:::amzn-s3-demo-bucket/1-test/object.jpg", {})
    False
    """
    if not isinstance(pattern, str):
        raise ValueError(f"resource must be a string ARN or '*', not {type(pattern).__name__}")
    template = compile_template(pattern, variables=variables)
    if pattern == "*":
        return ResourcePattern(template)
    if not pattern.startswith("arn:"):
        raise ValueError(f"resource {pattern!r} is not an ARN; expected arn:partition:service:region:account-id:resource or '*'")
    # Colons outside ${...} spans delimit segments; variables are allowed only after the fifth.
    spans = [m.span() for m in VARIABLE.finditer(pattern)] if variables else []
    colons = [i for i, ch in enumerate(pattern) if ch == ":" and not any(a <= i < b for a, b in spans)]
    fifth = colons[4] if len(colons) >= 5 else len(pattern)
    if any(a < fifth for a, _ in spans):
        raise ValueError(f"resource {pattern!r} uses a policy variable before the fifth colon; variables are allowed only in the resource part of an ARN")
    head = pattern[:fifth].split(":")
    if len(head) < 3 or not head[2]:
        raise ValueError(f"resource {pattern!r} has no service segment; expected arn:partition:service:...")
    if "*" in head[2] or "?" in head[2]:
        raise ValueError(f"resource {pattern!r} has a wildcard in the service segment, which IAM does not allow")
    if len(colons) < 5 and not pattern.endswith("*"):
        raise ValueError(f"resource {pattern!r} has fewer than six ARN segments; expected arn:partition:service:region:account-id:resource")
    return ResourcePattern(template)


def resource_matches(pattern: ResourcePattern, resource: str, context: Mapping[str, Any]) -> bool:
    """True if the request's ``resource`` matches; may raise :class:`~labsupport.security.iam.variables.Unresolved`.

    ``context`` has lower-case keys, as :meth:`labsupport.security.iam.Request.context_keys` returns them.

    Examples
    --------
    >>> p = compile_resource("arn:aws:s3:::home/${aws:username}/*")
    >>> resource_matches(p, "arn:aws:s3:::home/ana/notes.txt", {"aws:username": "ana"})
    True
    >>> resource_matches(p, "arn:aws:s3:::home/bob/notes.txt", {"aws:username": "ana"})
    False
    """
    if pattern.source == "*":
        return True
    items = resolve(pattern.template, context, wildcards=True)
    segments = _split_items(items, 5)
    regex = []
    for i, seg in enumerate(segments):
        if i < 5:  # partition, service, region, account, and any '*' that ends a segment may cross ':'
            body = _regex(seg[:-1], "[^:]*", "[^:]") + (".*" if seg and seg[-1] is STAR else _regex(seg[-1:], "[^:]*", "[^:]"))
        else:
            body = _regex(seg)
        regex.append(body)
    return _compiled(":".join(regex), re.DOTALL).fullmatch(resource) is not None


def arn_like(items: tuple[Item, ...], value: str) -> bool:
    """ArnLike/ArnEquals: compare the six colon-delimited components one by one.

    Examples
    --------
    >>> pat = resolve(compile_template("arn:aws:someservice:*:111122223333:finance/*"), {}, wildcards=True)
    >>> arn_like(pat, "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt")
    False
    >>> arn_like(pat, "arn:aws:someservice:us-east-2:111122223333:finance/document.txt")
    True
    """
    value_parts = split_arn(value)
    pattern_parts = _split_items(items, 5)
    if value_parts is None or len(pattern_parts) != 6:
        return False
    return all(_compiled(_regex(p), re.DOTALL).fullmatch(v) is not None for p, v in zip(pattern_parts, value_parts))
