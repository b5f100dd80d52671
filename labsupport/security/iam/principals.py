"""Who is asking: caller ARNs and the ``Principal`` element of resource policies.

An identity-based policy needs no ``Principal`` -- it is pinned to its user
or role like a name badge. A resource-based policy (an S3 bucket policy, a
role trust policy) hangs on the door instead, so it must say whom it admits.
*How* it names the caller matters for the decision, so matching returns a
kind rather than a yes/no:

``"exact"``
    the caller's own ARN (IAM user, assumed-role session, federated-user session);
``"wildcard"``
    ``"*"`` or ``{"AWS": "*"}`` -- everyone, including anonymous callers;
``"issuer"``
    the identity behind a session: the role ARN for an assumed-role session
    (the session ARN omits the role's path, so roles match by account and
    name), or the IAM user that called ``GetFederationToken``;
``"account"``
    the 12-digit account ID or ``arn:aws:iam::ID:root``, which delegates to
    the account's own IAM policies rather than granting by itself.

References
----------
AWS IAM User Guide: "AWS JSON policy elements: Principal" (account principals
delegate to the account; role principals are limited by session policies and
permissions boundaries; no partial wildcards; ``"*"`` means all principals);
"AWS JSON policy elements: NotPrincipal" (Deny only; list the account and role
too, otherwise the account may be denied); "Policy evaluation logic" (IAM
role, role session, IAM user and federated user session principals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from labsupport.checks import check_type

__all__ = ["Caller", "parse_caller", "PrincipalSpec", "parse_principal", "principal_match", "not_principal_excludes"]

_ACCOUNT = re.compile(r"^\d{12}$")
_IAM = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(root|user/.+|role/.+)$")
_STS = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):(assumed-role/[^/]+/[^/]+|federated-user/[^/]+)$")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


@dataclass(frozen=True)
class Caller:
    """The principal making a request, decoded from its ARN.

    ``kind`` is ``"user"``, ``"root"``, ``"role-session"`` or ``"federated-user"``;
    ``name`` is the user name, role name or federated-user name; ``issuer`` is the
    ARN of the identity that created a session (if known).
    """

    arn: str
    account: str
    kind: str
    name: str
    issuer: str | None = None

    @property
    def is_session(self) -> bool:
        return self.kind in ("role-session", "federated-user")


def parse_caller(arn: str, session_issuer: str | None = None) -> Caller:
    """Decode a caller ARN.

    Examples
    --------
    >>> parse_caller("arn:aws:sts::111122223333:assumed-role/examplerole/sess").issuer
    'arn:aws:iam::111122223333:role/examplerole'
    >>> parse_caller("arn:aws:iam::111122223333:user/division/ana").name
    'ana'
    """
    check_type("principal", arn, str)  # an ARN
    if m := _IAM.match(arn):
        partition, account, rest = m.groups()
        if rest == "root":
            return Caller(arn, account, "root", "root")
        if rest.startswith("role/"):
            raise ValueError(f"principal {arn!r} is a role; roles act through sessions, "
                             f"so use arn:{partition}:sts::{account}:assumed-role/ROLE-NAME/SESSION-NAME")
        return Caller(arn, account, "user", rest.rsplit("/", 1)[-1])
    if m := _STS.match(arn):
        partition, account, rest = m.groups()
        if rest.startswith("assumed-role/"):
            _, role, _session = rest.split("/")
            issuer = session_issuer or f"arn:{partition}:iam::{account}:role/{role}"
            return Caller(arn, account, "role-session", role, issuer)
        return Caller(arn, account, "federated-user", rest.split("/", 1)[1], session_issuer)
    raise ValueError(f"principal {arn!r} is not a caller ARN; expected arn:aws:iam::ACCOUNT:user/NAME, "
                     "arn:aws:iam::ACCOUNT:root, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION "
                     "or arn:aws:sts::ACCOUNT:federated-user/NAME")


@dataclass(frozen=True)
class PrincipalSpec:
    """A parsed ``Principal``/``NotPrincipal`` value: ``{"AWS": (...), "Service": (...)}``."""

    entries: tuple[tuple[str, tuple[str, ...]], ...]

    def values(self, kind: str) -> tuple[str, ...]:
        return next((vals for k, vals in self.entries if k == kind), ())


def parse_principal(value: Any) -> PrincipalSpec:
    """Validate a ``Principal`` element; raises ValueError with the offending value.

    Examples
    --------
    >>> parse_principal("*").values("AWS")
    ('*',)
    >>> parse_principal({"AWS": "arn:aws:iam::111122223333:user/*"})
    Traceback (most recent call last):
    ValueError: 'arn:aws:iam::111122223333:user/*' uses a wildcard; only "*" alone may stand for all principals
    """
    if value == "*":
        return PrincipalSpec((("AWS", ("*",)),))
    if not isinstance(value, dict) or not value:
        raise ValueError(f'must be "*" or an object such as {{"AWS": "arn:aws:iam::111122223333:user/ana"}}, not {value!r}')
    entries = []
    for kind, raw in value.items():
        if kind not in PRINCIPAL_TYPES:
            raise ValueError(f"unknown principal type {kind!r}; expected one of {', '.join(PRINCIPAL_TYPES)}")
        vals = raw if isinstance(raw, list) else [raw]
        if not vals or not all(isinstance(v, str) and v for v in vals):
            raise ValueError(f"{kind} must be a non-empty string or list of strings, not {raw!r}")
        for v in vals:
            if v != "*" and ("*" in v or "?" in v):
                raise ValueError(f'{v!r} uses a wildcard; only "*" alone may stand for all principals')
            if kind == "AWS" and v != "*" and not (_ACCOUNT.match(v) or _IAM.match(v) or _STS.match(v)):
                raise ValueError(f"{v!r} is not an account ID or an IAM/STS principal ARN")
        entries.append((kind, tuple(vals)))
    return PrincipalSpec(tuple(entries))


def _names_account(value: str, account: str) -> bool:
    return value == account or bool(re.fullmatch(rf"arn:aws[a-z-]*:iam::{account}:root", value))


def _names_role(value: str, caller: Caller) -> bool:
    m = _IAM.match(value)
    return bool(m) and m.group(2) == caller.account and m.group(3).startswith("role/") \
        and m.group(3).rsplit("/", 1)[-1] == caller.name


def principal_match(spec: PrincipalSpec, caller: Caller) -> str | None:
    """How ``spec`` names ``caller``: ``"exact"``, ``"wildcard"``, ``"issuer"``, ``"account"`` or None.

    Examples
    --------
    >>> me = parse_caller("arn:aws:sts::111122223333:assumed-role/app/s1")
    >>> principal_match(parse_principal({"AWS": "arn:aws:iam::111122223333:role/path/app"}), me)
    'issuer'
    >>> principal_match(parse_principal({"AWS": "111122223333"}), me)
    'account'
    """
    found = set()
    for v in spec.values("AWS"):
        if v == "*":
            found.add("wildcard")
        elif v == caller.arn:
            found.add("exact")
        elif caller.kind == "role-session" and _names_role(v, caller):
            found.add("issuer")
        elif caller.kind == "federated-user" and caller.issuer and v == caller.issuer:
            found.add("issuer")
        elif _names_account(v, caller.account):
            found.add("account")
    return next((k for k in ("exact", "wildcard", "issuer", "account") if k in found), None)


def not_principal_excludes(spec: PrincipalSpec, caller: Caller) -> bool:
    """True if a ``Deny`` with this ``NotPrincipal`` spares ``caller``.

    The caller is spared only when every identity in its chain is listed: the
    account, the role (for a role session), and the caller itself -- the
    conservative reading of the NotPrincipal page, which warns that AWS "might"
    check the account first, then the role, then the session.

    Examples
    --------
    >>> bob = parse_caller("arn:aws:iam::444455556666:user/Bob")
    >>> not_principal_excludes(parse_principal({"AWS": ["arn:aws:iam::444455556666:user/Bob", "444455556666"]}), bob)
    True
    >>> not_principal_excludes(parse_principal({"AWS": "arn:aws:iam::444455556666:user/Bob"}), bob)
    False
    """
    aws = spec.values("AWS")
    if "*" in aws:
        return True
    chain_ok = [any(_names_account(v, caller.account) for v in aws)]
    if caller.kind != "root":
        chain_ok.append(caller.arn in aws)
    if caller.kind == "role-session":
        chain_ok.append(any(_names_role(v, caller) for v in aws))
    return all(chain_ok)
