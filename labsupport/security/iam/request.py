"""What is asked, and which policies apply: :class:`Request` and :class:`PolicySet`.

A request is one sentence -- *who* wants to do *what* to *which* resource,
plus the circumstances (the **request context**: source IP, tags, time...).
The policy set is the stack of paper that the enforcement code reads to answer
it: the caller's identity policies, the resource's policy, the permissions
boundary, session policies, and the organization's SCPs and RCPs.

References
----------
AWS IAM User Guide: "Policy evaluation logic", section "Processing the request
context" (actions, resources, principal, environment and resource data);
"IAM policy elements: Variables and tags" (``aws:username`` is the friendly
name of an IAM user and is not present for roles); "AWS JSON policy elements:
Principal" (``aws:PrincipalArn`` of a role session is the role's ARN).
AWS Organizations User Guide: "SCP evaluation" (an Allow is needed at every
level from the root through each OU to the account) and "RCP evaluation".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from labsupport.checks import check_type, out_of_range
from labsupport.security.iam.match import split_arn
from labsupport.security.iam.parse import Policy, parse_policy
from labsupport.security.iam.principals import Caller, parse_caller

__all__ = ["Request", "PolicySet"]

_ACTION = re.compile(r"^[A-Za-z0-9-]+:[\w.-]+$")


@dataclass(frozen=True)
class Request:
    """One API call to authorize.

    Parameters
    ----------
    principal : str
        The caller's ARN: an IAM user, ``arn:aws:iam::ID:root``, an assumed-role
        session ``arn:aws:sts::ID:assumed-role/ROLE/SESSION`` or a federated user
        ``arn:aws:sts::ID:federated-user/NAME``. Its account is :attr:`account`.
    action : str
        ``service:Action`` with no wildcards, e.g. ``"s3:PutObject"``.
    resource : str
        The resource ARN, or ``"*"`` for actions that take no resource.
    context : mapping
        Request context keys (case-insensitive) to values: str, number, bool,
        datetime, bytes, or a list for multivalued keys. ``aws:PrincipalAccount``,
        ``aws:PrincipalArn`` and (for IAM users) ``aws:username`` are filled in
        from ``principal`` unless given.
    resource_account : str, optional
        Account that owns the resource. Defaults to the account in the resource
        ARN, else the caller's account (S3 ARNs carry no account). A different
        account makes this a cross-account request.
    session_issuer : str, optional
        For a federated-user session, the ARN of the IAM user that called
        ``GetFederationToken``; for a role session, the role ARN (with its path).

    Examples
    --------
    >>> r = Request("arn:aws:iam::111111111111:user/carlossalazar", "s3:PutObject",
    ...             "arn:aws:s3:::Production/file.txt", resource_account="222222222222")
    >>> r.account, r.cross_account
    ('111111111111', True)
    """

    principal: str
    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)
    resource_account: str | None = None
    session_issuer: str | None = None
    caller: Caller = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "caller", parse_caller(self.principal, self.session_issuer))
        if not _ACTION.match(check_type("action", self.action, str)):
            raise out_of_range("action", self.action, "service:Action without wildcards, e.g. 's3:GetObject'",
                               why="is not an action")
        if check_type("resource", self.resource, str) != "*" and split_arn(self.resource) is None:
            raise out_of_range("resource", self.resource, "an ARN (arn:partition:service:region:account:resource) or '*'",
                               why="is not an ARN")
        check_type("context", self.context, Mapping)  # context keys to values
        seen: dict[str, str] = {}
        for key in self.context:
            check_type("context key", key, str)
            if key.lower() in seen:
                raise ValueError(f"context keys {seen[key.lower()]!r} and {key!r} differ only in case; key names are case-insensitive")
            seen[key.lower()] = key
        arn_account = self._arn_account()
        if self.resource_account is not None:
            if not re.fullmatch(r"\d{12}", str(self.resource_account)):
                raise ValueError(f"resource_account={self.resource_account!r} must be a 12-digit account ID")
            if arn_account and arn_account != self.resource_account:
                raise ValueError(f"resource_account={self.resource_account} contradicts account {arn_account} in the resource ARN")

    def _arn_account(self) -> str:
        segment = (split_arn(self.resource) or [""] * 6)[4]
        return segment if re.fullmatch(r"\d{12}", segment) else ""

    @property
    def account(self) -> str:
        """The caller's account (the *trusted* account in a cross-account request)."""
        return self.caller.account

    @property
    def owner_account(self) -> str:
        """The account that owns the resource (the *trusting* account)."""
        return self.resource_account or self._arn_account() or self.account

    @property
    def cross_account(self) -> bool:
        return self.owner_account != self.account

    def context_keys(self) -> dict[str, Any]:
        """The request context with lower-case keys and the derived principal keys."""
        ctx = {k.lower(): v for k, v in self.context.items()}
        c = self.caller
        ctx.setdefault("aws:principalaccount", c.account)
        derived_arn = {"user": c.arn, "root": c.arn, "role-session": c.issuer}.get(c.kind)
        if derived_arn:
            ctx.setdefault("aws:principalarn", derived_arn)
        if c.kind == "user":
            ctx.setdefault("aws:username", c.name)
        return ctx


def _as_policy(item: Any, kind: str, label: str) -> Policy:
    if isinstance(item, Policy):
        if item.kind != kind:
            raise ValueError(f"{label}: policy {item.name!r} was parsed as kind {item.kind!r}, "
                             f"but is used as kind {kind!r}; parse it with kind={kind!r}")
        return item
    return parse_policy(item, kind=kind, name=label)


def _as_policies(items: Any, kind: str, label: str) -> tuple[Policy, ...]:
    if items is None:
        return ()
    if isinstance(items, (Policy, dict, str, bytes)):
        items = [items]
    return tuple(_as_policy(p, kind, f"{label}[{i}]") for i, p in enumerate(items))


@dataclass(frozen=True, kw_only=True)
class PolicySet:
    """The policies that apply to a request, grouped by type.

    Each field accepts parsed :class:`~labsupport.security.iam.parse.Policy` objects or
    raw documents (dict / JSON string), parsed here with the right ``kind``.

    Parameters
    ----------
    identity : policies attached to the user (and its groups) or role.
    resource : the resource-based policy (or policies) of the requested resource.
    boundary : the permissions boundary of the user or role, if any.
    session : session policies passed when the session was created (empty: none).
    scps : SCP *levels* from the organization root down to the caller's account;
        each level is one policy or a list of policies. Empty: no SCPs apply.
    rcps : RCP levels for the resource's account, likewise.

    Examples
    --------
    >>> ps = PolicySet(identity=[{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}])
    >>> ps.identity[0].name
    'identity[0]'
    """

    identity: Sequence[Any] = ()
    resource: Sequence[Any] = ()
    boundary: Any = None
    session: Sequence[Any] = ()
    scps: Sequence[Any] = ()
    rcps: Sequence[Any] = ()

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen dataclass)
        set_("identity", _as_policies(self.identity, "identity", "identity"))
        set_("resource", _as_policies(self.resource, "resource", "resource"))
        set_("boundary", None if self.boundary is None else _as_policy(self.boundary, "boundary", "boundary"))
        set_("session", _as_policies(self.session, "session", "session"))
        for name, kind in (("scps", "scp"), ("rcps", "rcp")):
            levels = getattr(self, name)
            if isinstance(levels, (Policy, dict, str, bytes)):
                levels = [levels]
            set_(name, tuple(_as_policies(level, kind, f"{name}[{i}]") for i, level in enumerate(levels)))
            if any(not level for level in getattr(self, name)):
                raise ValueError(f"{name}: every level needs at least one policy (AWS attaches FullAWSAccess/RCPFullAWSAccess by default)")

    def all_policies(self) -> tuple[Policy, ...]:
        """Every policy, in a fixed order: SCPs, RCPs, resource, identity, boundary, session."""
        flat = [p for level in (*self.scps, *self.rcps) for p in level]
        return (*flat, *self.resource, *self.identity, *((self.boundary,) if self.boundary else ()), *self.session)
