"""Policy documents: parse, validate, and say exactly where a policy is wrong.

A policy is a JSON contract. Like a contract with a typo in a clause, a
malformed policy must be rejected outright -- never half-read -- because a
clause the evaluator silently skipped might have been the ``Deny``. Every
problem raises :class:`PolicyError` naming the element and its position,
``Statement[i]`` counting from 0 as JSON arrays do.

Which elements a policy may use depends on where it is attached (``kind``):

==========  =================================================================
identity    attached to a user, group or role; no ``Principal``
boundary    a permissions boundary (an identity policy used as a ceiling)
session     passed when a role or federated session is created
resource    on a resource (bucket policy, trust policy); needs ``Principal``
            or ``NotPrincipal``; ``Resource`` may be omitted (then the
            statement covers the resource the policy is attached to)
scp         AWS Organizations service control policy; no ``Principal``
rcp         resource control policy; needs ``Principal``; no ``NotPrincipal``
            or ``NotAction``; Version must be ``2012-10-17``
==========  =================================================================

References
----------
AWS IAM User Guide: "IAM JSON policy elements reference" (Version, Id,
Statement, Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
NotResource, Condition); "IAM JSON policy elements: Version" (2012-10-17 and
2008-10-17; variables are literal text otherwise); "AWS JSON policy elements:
NotPrincipal" (must be used with Deny). AWS Organizations User Guide: "SCP
syntax", "RCP syntax".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from labsupport.security.iam.conditions import Condition, parse_conditions
from labsupport.security.iam.match import ResourcePattern, compile_action, compile_resource
from labsupport.security.iam.principals import PrincipalSpec, parse_principal

__all__ = ["PolicyError", "Statement", "Policy", "parse_policy", "POLICY_KINDS", "VERSIONS"]

POLICY_KINDS = ("identity", "resource", "boundary", "session", "scp", "rcp")
VERSIONS = ("2012-10-17", "2008-10-17")
_TOP = ("Version", "Id", "Statement")
_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")


class PolicyError(ValueError):
    """A policy document that IAM would reject; the message says where and why."""


@dataclass(frozen=True)
class Statement:
    """One validated statement, with its patterns compiled.

    ``resources`` is None when a resource-based statement has no ``Resource``
    element; ``principal`` is None in policies that have no ``Principal``.
    """

    index: int
    sid: str | None
    effect: str
    actions: tuple[re.Pattern, ...]
    action_sources: tuple[str, ...]
    not_action: bool
    resources: tuple[ResourcePattern, ...] | None
    not_resource: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[Condition, ...]

    @property
    def label(self) -> str:
        return f"Statement[{self.index}]" + (f" (Sid {self.sid!r})" if self.sid else "")


@dataclass(frozen=True)
class Policy:
    """A parsed policy: its ``name`` (for explanations), ``kind`` and statements."""

    name: str
    kind: str
    version: str | None
    statements: tuple[Statement, ...]
    document: dict = field(repr=False, compare=False)

    @property
    def variables_enabled(self) -> bool:
        return self.version == "2012-10-17"


def _no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise PolicyError(f"invalid JSON: duplicate key {k!r} in one object (JSON keeps only the last one)")
        seen[k] = v
    return seen


def _load(document: Any) -> dict:
    if isinstance(document, (str, bytes)):
        try:
            document = json.loads(document, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as e:
            raise PolicyError(f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    if not isinstance(document, dict):
        raise PolicyError(f"a policy document must be a JSON object, not {type(document).__name__}")
    return document


def _string_list(value: Any, where: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"{where}: must be a string or a non-empty list of strings, not {value!r}")
    return values


def _compile_each(values: list[str], where: str, compile_one) -> tuple:
    out = []
    for j, v in enumerate(values):
        try:
            out.append(compile_one(v))
        except ValueError as e:
            raise PolicyError(f"{where}[{j}]: {e}" if len(values) > 1 else f"{where}: {e}") from None
    return tuple(out)


def _pick(raw: dict, name: str, where: str, required: bool) -> tuple[Any, bool]:
    """Return (value, negated) for the ``name``/``Not<name>`` pair."""
    has, has_not = name in raw, f"Not{name}" in raw
    if has and has_not:
        raise PolicyError(f"{where}: has both {name} and Not{name}; use exactly one")
    if required and not (has or has_not):
        raise PolicyError(f"{where}: has neither {name} nor Not{name}; every statement needs one")
    return (raw[f"Not{name}"], True) if has_not else (raw.get(name), False)


def _statement(raw: Any, i: int, kind: str, variables: bool) -> Statement:
    where = f"Statement[{i}]"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: must be an object, not {type(raw).__name__}")
    for key in raw:
        if key not in _ELEMENTS:
            close = [e for e in _ELEMENTS if e.lower() == str(key).lower()]
            hint = f"; did you mean {close[0]}?" if close else f"; allowed elements are {', '.join(_ELEMENTS)}"
            raise PolicyError(f"{where}.{key}: unknown statement element{hint}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}.Sid: must be a string, not {sid!r}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{where}.Effect: must be \"Allow\" or \"Deny\" (case-sensitive), not {effect!r}")
    actions, not_action = _pick(raw, "Action", where, required=True)
    name = "NotAction" if not_action else "Action"
    action_sources = _string_list(actions, f"{where}.{name}")
    compiled_actions = _compile_each(action_sources, f"{where}.{name}", compile_action)
    resources, not_resource = _pick(raw, "Resource", where, required=kind not in ("resource",))
    compiled_resources = None
    if resources is not None:
        name = "NotResource" if not_resource else "Resource"
        compiled_resources = _compile_each(_string_list(resources, f"{where}.{name}"), f"{where}.{name}",
                                           lambda v: compile_resource(v, variables=variables))
    principal, not_principal = _pick(raw, "Principal", where, required=kind in ("resource", "rcp"))
    if principal is not None and kind in ("identity", "boundary", "session", "scp"):
        name = "NotPrincipal" if not_principal else "Principal"
        raise PolicyError(f"{where}.{name}: not allowed in a {kind} policy; the principal is the identity it is attached to")
    if not_principal and (effect == "Allow" or kind == "rcp"):
        raise PolicyError(f"{where}.NotPrincipal: only supported with \"Effect\": \"Deny\" in resource-based policies")
    if not_action and kind == "rcp":
        raise PolicyError(f"{where}.NotAction: not supported in resource control policies")
    spec = None
    if principal is not None:
        try:
            spec = parse_principal(principal)
        except ValueError as e:
            raise PolicyError(f"{where}.{'NotPrincipal' if not_principal else 'Principal'}: {e}") from None
    conditions: tuple = ()
    if "Condition" in raw:
        try:
            conditions = parse_conditions(raw["Condition"], variables=variables)
        except ValueError as e:
            raise PolicyError(f"{where}.Condition{'' if str(e).startswith(':') else '.'}{e}") from None
    return Statement(i, sid, effect, compiled_actions, tuple(action_sources), not_action,
                     compiled_resources, not_resource, spec, not_principal, conditions)


def parse_policy(document: Any, *, kind: str = "identity", name: str = "policy") -> Policy:
    """Parse and validate a policy given as a JSON string or a dict.

    Parameters
    ----------
    document : str, bytes or dict
        The policy document.
    kind : {"identity", "resource", "boundary", "session", "scp", "rcp"}
        Where the policy is attached; decides which elements are allowed.
    name : str
        A label used in explanations (e.g. ``"DelegatedUserBoundary"``).

    Examples
    --------
    >>> p = parse_policy('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}')
    >>> len(p.statements), p.statements[0].effect
    (1, 'Allow')
    >>> parse_policy({"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]})
    Traceback (most recent call last):
    labsupport.security.iam.parse.PolicyError: Statement[0].Effect: must be "Allow" or "Deny" (case-sensitive), not 'allow'
    """
    if kind not in POLICY_KINDS:
        raise ValueError(f"kind={kind!r}; choose one of {', '.join(POLICY_KINDS)}")
    doc = _load(document)
    for key in doc:
        if key not in _TOP:
            raise PolicyError(f"{key}: unknown top-level element; allowed are {', '.join(_TOP)}")
    version = doc.get("Version")
    if version is not None and version not in VERSIONS:
        raise PolicyError(f"Version: {version!r} is not a policy language version; use \"2012-10-17\"")
    if kind == "rcp" and version != "2012-10-17":
        raise PolicyError("Version: resource control policies must use \"Version\": \"2012-10-17\"")
    if "Statement" not in doc:
        raise PolicyError("Statement: missing; a policy needs at least one statement")
    raw = doc["Statement"]
    raws = raw if isinstance(raw, list) else [raw]
    if not raws:
        raise PolicyError("Statement: empty list; a policy needs at least one statement")
    statements = tuple(_statement(s, i, kind, version == "2012-10-17") for i, s in enumerate(raws))
    sids = [s.sid for s in statements if s.sid]
    for sid in sids:
        if sids.count(sid) > 1:
            raise PolicyError(f"Statement: Sid {sid!r} is used more than once; Sids must be unique within a policy")
    return Policy(name, kind, version, statements, doc)
