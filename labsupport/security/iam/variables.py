"""Policy variables: placeholders filled in from the request.

A policy variable is a blank on a form: ``arn:aws:s3:::home/${aws:username}/*``
is one policy that reads as a different policy for each user. When the policy
is evaluated, ``${key}`` is replaced by the value of that key in the request
context; ``${key, 'default'}`` supplies a value when the key is absent;
``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``, ``?`` and ``$``.

Rules carried over from the guide: variables exist only in policy language
``2012-10-17`` (under ``2008-10-17`` or with no Version they are literal
text); key names are case-insensitive; only single-valued keys can be
variables; a variable with no value (and no default) makes the statement
invalid for that request. Substituted values are matched literally here (a
``*`` inside a tag value is not a wildcard); the guide does not say otherwise.

References
----------
AWS IAM User Guide: "IAM policy elements: Variables and tags" (where variables
can be used, special characters, default values, "not present ... causes the
statement to be invalid", "Key names are case-insensitive"); "IAM JSON policy
elements: Version"; "Single-valued vs. multivalued context keys" (multivalued
keys cannot be policy variables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Union

__all__ = ["STAR", "QMARK", "Item", "Template", "Unresolved", "compile_template", "resolve", "VARIABLE"]


class _Wild(str):
    """A wildcard character that came from the policy text (not from a variable)."""


STAR = _Wild("*")
QMARK = _Wild("?")
Item = Union[str, _Wild]  # a resolved pattern is a sequence of literal text and wildcards

VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


class Unresolved(LookupError):
    """A policy variable had no value in the request context (and no default)."""

    def __init__(self, key: str, why: str = "is not in the request context"):
        super().__init__(f"policy variable ${{{key}}} {why}")
        self.key = key
        self.why = why


@dataclass(frozen=True)
class Template:
    """A policy string split into text, escapes ``${*}`` and variables ``${key}``.

    ``parts`` holds ``("text", s)``, ``("esc", ch)`` and ``("var", key, default)``
    tuples; ``default`` is None when the variable has none.
    """

    source: str
    parts: tuple

    @property
    def has_variables(self) -> bool:
        return any(p[0] != "text" for p in self.parts)


def compile_template(text: str, *, variables: bool = True) -> Template:
    """Split ``text`` into literal text and policy variables.

    With ``variables=False`` (policy language ``2008-10-17``) the whole string is
    literal text, as the Version element reference says.

    Examples
    --------
    >>> compile_template("home/${aws:username}/*").parts
    (('text', 'home/'), ('var', 'aws:username', None), ('text', '/*'))
    >>> compile_template("${aws:userid, 'anonymous'}").parts
    (('var', 'aws:userid', 'anonymous'),)
    >>> compile_template("a${*}b").parts
    (('text', 'a'), ('esc', '*'), ('text', 'b'))
    """
    if not variables:
        return Template(text, (("text", text),))
    parts: list[tuple] = []
    pos = 0
    for m in VARIABLE.finditer(text):
        if m.start() > pos:
            parts.append(("text", text[pos : m.start()]))
        inner = m.group(1)
        if inner in _ESCAPES:
            parts.append(("esc", _ESCAPES[inner]))
        elif "," in inner:
            d = _DEFAULT.match(inner)
            if not d:
                raise ValueError(f"malformed policy variable ${{{inner}}}; write a default as ${{key, 'default'}}")
            parts.append(("var", d.group(1), d.group(2)))
        elif inner.strip() and inner == inner.strip():
            parts.append(("var", inner, None))
        else:
            raise ValueError(f"malformed policy variable ${{{inner}}}; expected ${{key}} such as ${{aws:username}}")
        pos = m.end()
    rest = text[pos:]
    if "${" in rest:
        raise ValueError(f"unterminated policy variable in {text!r}; close it with '}}'")
    if rest or not parts:
        parts.append(("text", rest))
    return Template(text, tuple(parts))


def _variable_value(key: str, default: str | None, context: Mapping[str, Any]) -> str:
    value = context.get(key.lower())
    if isinstance(value, (list, tuple, set, frozenset)):
        if len(value) == 1:
            value = next(iter(value))
        elif len(value) > 1:
            if default is not None:
                return default
            raise Unresolved(key, "is multivalued; only single-valued keys can be policy variables")
        else:
            value = None
    if value is None:
        if default is not None:
            return default
        raise Unresolved(key)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve(template: Template, context: Mapping[str, Any], *, wildcards: bool) -> tuple[Item, ...]:
    """Substitute variables; return literal text and (if ``wildcards``) wildcard markers.

    ``context`` must have lower-case keys. Raises :class:`Unresolved` when a
    variable without a default has no value.

    Examples
    --------
    >>> resolve(compile_template("home/${aws:username}/*"), {"aws:username": "ana"}, wildcards=True)
    ('home/', 'ana', '/', '*')
    >>> resolve(compile_template("${*}"), {}, wildcards=True)[0] is STAR
    False
    """
    out: list[Item] = []
    for part in template.parts:
        if part[0] == "text":
            if not wildcards:
                out.append(part[1])
                continue
            for chunk in re.split(r"([*?])", part[1]):
                if chunk == "*":
                    out.append(STAR)
                elif chunk == "?":
                    out.append(QMARK)
                elif chunk:
                    out.append(chunk)
        elif part[0] == "esc":
            out.append(part[1])
        else:
            out.append(_variable_value(part[1], part[2], context))
    return tuple(out)
