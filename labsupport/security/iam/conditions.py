"""Condition operators: when a statement is in effect.

A condition block is a checklist a bouncer reads at the door: *every*
operator in the block must pass (AND), every key under an operator must pass
(AND), and a key passes if the request value matches *any* listed value (OR)
-- or, for a negated operator such as ``StringNotEquals``, if it matches
*none* of them (NOR). Key names ignore case; values are compared as each
operator says (``StringEquals`` is case-sensitive, ``...IgnoreCase`` is not).

Missing keys: a positive operator is false, a negated one is true; ``...IfExists``
is true; ``Null: true`` tests exactly "the key is absent". For multivalued keys,
``ForAllValues:`` requires every request value to pass (true for a missing key
or an empty set) and ``ForAnyValue:`` requires at least one (false for a
missing key or an empty set). A plain operator on a key that holds several
values is an error here: the guide says multivalued keys require a set operator.

References
----------
AWS IAM User Guide: "IAM JSON policy elements: Condition operators" (operator
tables; missing keys; ...IfExists; Null; ARN operators; IP default /32; dates in
W3C ISO 8601 or epoch; which operators accept policy variables);
"IAM JSON policy elements: Condition" (key names are not case-sensitive);
"Conditions with multiple context keys or values" (AND / OR / NOR);
"Single-valued vs. multivalued context keys" and "Creating a condition that
tests multiple key values" (ForAllValues / ForAnyValue, empty data sets).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Mapping

from labsupport.security.iam.match import arn_like, split_arn, wildcard_match
from labsupport.security.iam.values import coerce_value
from labsupport.security.iam.variables import Template, compile_template, resolve

__all__ = ["OPERATORS", "Condition", "parse_conditions", "check_condition", "check_conditions"]

_NUM = {"Equals": "__eq__", "NotEquals": "__eq__", "LessThan": "__lt__", "LessThanEquals": "__le__",
        "GreaterThan": "__gt__", "GreaterThanEquals": "__ge__"}

# base operator -> (family, negated, comparison name)
OPERATORS: dict[str, tuple[str, bool, str]] = {
    "StringEquals": ("string", False, "eq"), "StringNotEquals": ("string", True, "eq"),
    "StringEqualsIgnoreCase": ("string", False, "eq_ic"), "StringNotEqualsIgnoreCase": ("string", True, "eq_ic"),
    "StringLike": ("string", False, "like"), "StringNotLike": ("string", True, "like"),
    **{f"Numeric{k}": ("numeric", k == "NotEquals", v) for k, v in _NUM.items()},
    **{f"Date{k}": ("date", k == "NotEquals", v) for k, v in _NUM.items()},
    "Bool": ("bool", False, "eq"), "BinaryEquals": ("binary", False, "eq"),
    "IpAddress": ("ip", False, "in"), "NotIpAddress": ("ip", True, "in"),
    "ArnEquals": ("arn", False, "like"), "ArnLike": ("arn", False, "like"),
    "ArnNotEquals": ("arn", True, "like"), "ArnNotLike": ("arn", True, "like"),
    "Null": ("null", False, "null"),
}
QUALIFIERS = ("ForAnyValue", "ForAllValues")
_VARIABLE_FAMILIES = ("string", "arn", "bool")  # the guide: variables work with String, ARN and Bool
_ALL_NAMES = [*OPERATORS, *(f"{op}IfExists" for op in OPERATORS if op != "Null")]


@dataclass(frozen=True)
class Condition:
    """One (operator, key) test with its policy values, e.g. ``StringEquals aws:username``."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # e.g. "StringLike"
    qualifier: str | None
    if_exists: bool
    key: str
    values: tuple

    @property
    def family(self) -> str:
        return OPERATORS[self.base][0]

    @property
    def negated(self) -> bool:
        return OPERATORS[self.base][1]


def _suggest(name: str, choices) -> str:
    lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.6)
    return f"; did you mean {lower[close[0]]}?" if close else ""


def _split_operator(op: str) -> tuple[str | None, str, bool]:
    qualifier, base = None, op
    if ":" in op:
        qualifier, _, base = op.partition(":")
        if qualifier not in QUALIFIERS:
            raise ValueError(f"{op}: unknown set qualifier {qualifier!r}{_suggest(qualifier, QUALIFIERS)}")
    if_exists = base.endswith("IfExists") and base[: -len("IfExists")] in OPERATORS
    if if_exists:
        base = base[: -len("IfExists")]
    if base not in OPERATORS:
        raise ValueError(f"{op}: unknown condition operator{_suggest(base + ('IfExists' if if_exists else ''), _ALL_NAMES)}")
    if base == "Null" and (if_exists or qualifier):
        raise ValueError(f"{op}: Null cannot take ...IfExists or a set qualifier; it already tests whether the key exists")
    return qualifier, base, if_exists


def _parse_value(family: str, raw: Any, what: str, variables: bool) -> Any:
    if isinstance(raw, (dict, list)) or raw is None:
        raise ValueError(f"{what}: condition value must be a string, number or boolean, not {type(raw).__name__}")
    if isinstance(raw, str) and "${" in raw and variables and family not in _VARIABLE_FAMILIES:
        raise ValueError(f"{what}: policy variables cannot be used with {family} condition operators")
    if family in _VARIABLE_FAMILIES:
        text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        template = compile_template(text, variables=variables)
        if family == "arn" and not template.has_variables and split_arn(text) is None:
            raise ValueError(f"{what}: {text!r} is not an ARN (arn:partition:service:region:account-id:resource)")
        if family == "bool" and not template.has_variables and text not in ("true", "false"):
            raise ValueError(f"{what}: Bool expects \"true\" or \"false\", not {raw!r}")
        return template
    if family == "null":
        if raw not in (True, False, "true", "false"):
            raise ValueError(f"{what}: Null expects \"true\" (key absent) or \"false\" (key present), not {raw!r}")
        return raw in (True, "true")
    return coerce_value(family, raw, what, policy=True)


def parse_conditions(block: Any, *, variables: bool = True) -> tuple[Condition, ...]:
    """Validate a ``Condition`` block and flatten it into (operator, key) tests.

    Error messages start with the operator (and key), ready to be prefixed with
    the statement position.

    Examples
    --------
    >>> [c.operator for c in parse_conditions({"StringEquals": {"aws:username": "ana"}})]
    ['StringEquals']
    >>> parse_conditions({"StringEqualz": {"k": "v"}})
    Traceback (most recent call last):
    ValueError: StringEqualz: unknown condition operator; did you mean StringEquals?
    """
    if not isinstance(block, dict) or not block:
        raise ValueError(": must be a non-empty object mapping operators to {key: value(s)}")
    out = []
    for op, keys in block.items():
        qualifier, base, if_exists = _split_operator(op)
        if not isinstance(keys, dict) or not keys:
            raise ValueError(f"{op}: must map condition keys to values, e.g. {{\"aws:username\": \"ana\"}}")
        for key, raw in keys.items():
            raw_values = raw if isinstance(raw, list) else [raw]
            if not raw_values:
                raise ValueError(f"{op}.{key}: needs at least one value")
            family = OPERATORS[base][0]
            values = tuple(_parse_value(family, v, f"{op}.{key} (policy value)", variables) for v in raw_values)
            out.append(Condition(op, base, qualifier, if_exists, key, values))
    return tuple(out)


def _matches_one(cond: Condition, policy_value: Any, request_value: Any, context: Mapping[str, Any]) -> bool:
    family, _, how = OPERATORS[cond.base]
    if family == "string":
        if how == "like":
            items = resolve(policy_value, context, wildcards=True)
            return wildcard_match(items, request_value)
        text = "".join(resolve(policy_value, context, wildcards=False))
        return text.lower() == request_value.lower() if how == "eq_ic" else text == request_value
    if family == "arn":
        return arn_like(resolve(policy_value, context, wildcards=True), request_value)
    if family == "bool":
        text = "".join(resolve(policy_value, context, wildcards=False))
        return text in ("true", "false") and (text == "true") == request_value
    if family == "ip":
        return request_value.version == policy_value.version and request_value in policy_value
    if family == "binary":
        return request_value == policy_value
    return getattr(request_value, how)(policy_value)  # numeric and date: value <op> policy value


def _request_values(cond: Condition, context: Mapping[str, Any]) -> list | None:
    value = context.get(cond.key.lower())
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if cond.qualifier and value == "":
        return []  # "resolve to an empty data set (for example, an empty string)"
    return [value]


def check_condition(cond: Condition, context: Mapping[str, Any]) -> tuple[bool, str]:
    """Evaluate one (operator, key) test; return (result, one-line explanation).

    ``context`` has lower-case keys. May raise :class:`~labsupport.security.iam.variables.Unresolved`.

    Examples
    --------
    >>> (c,) = parse_conditions({"StringNotEquals": {"aws:PrincipalTag/role": ["audit", "security"]}})
    >>> check_condition(c, {"aws:principaltag/role": "dev"})[0], check_condition(c, {"aws:principaltag/role": "audit"})[0]
    (True, False)
    """
    values = _request_values(cond, context)
    head = f"{cond.operator} {cond.key}"
    if cond.base == "Null":
        absent = values is None or values == []
        ok = absent == cond.values[0]
        return ok, f"{head}: key is {'absent' if absent else 'present'} -> {ok}"
    if values is None or (not cond.qualifier and values == []):
        if cond.if_exists:
            return True, f"{head}: key is absent, ...IfExists -> True"
        ok = {"ForAllValues": True, "ForAnyValue": False}.get(cond.qualifier, cond.negated)
        return ok, f"{head}: key is not in the request context -> {ok}"
    if not cond.qualifier and len(values) > 1:
        raise ValueError(f"context key {cond.key} has {len(values)} values; multivalued context keys "
                         f"require ForAnyValue: or ForAllValues: (operator {cond.operator})")
    converted = [coerce_value(cond.family, v, f"context key {cond.key}") for v in values]

    def one(v) -> bool:
        hit = any(_matches_one(cond, p, v, context) for p in cond.values)
        return not hit if cond.negated else hit

    results = [one(v) for v in converted]
    ok = all(results) if cond.qualifier == "ForAllValues" else any(results)
    policy = [p.source if isinstance(p, Template) else str(p) for p in cond.values]
    return ok, f"{head}: request {values!r} vs policy {policy!r} -> {ok}"


def check_conditions(conditions: tuple[Condition, ...], context: Mapping[str, Any]) -> tuple[bool, str]:
    """All tests must pass (AND); return the first failing explanation, or the last passing one.

    Examples
    --------
    >>> block = parse_conditions({"Bool": {"aws:SecureTransport": "true"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    >>> check_conditions(block, {"aws:securetransport": True, "aws:sourceip": "192.0.2.1"})
    (False, "IpAddress aws:SourceIp: request ['192.0.2.1'] vs policy ['10.0.0.0/8'] -> False")
    """
    reason = "no conditions"
    for cond in conditions:
        ok, reason = check_condition(cond, context)
        if not ok:
            return False, reason
    return True, reason

