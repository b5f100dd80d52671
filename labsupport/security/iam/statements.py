"""Does one statement apply to one request -- and if not, why not?

A statement applies when its Action, Resource, Principal and Condition all
match; the first element that fails is the reason it does not. Checking in
that fixed order keeps explanations short: "action s3:PutObject is not in
Action ['s3:Get*']" says more to a student than a list of four verdicts.

References
----------
AWS IAM User Guide: "IAM JSON policy elements reference" (Action, NotAction,
Resource, NotResource, Principal, NotPrincipal, Condition); "Permissions
boundaries for IAM entities" (a NotPrincipal with Deny always denies IAM
principals that have a permissions boundary); "IAM policy elements: Variables
and tags" (a variable without a value makes the statement invalid).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from labsupport.security.iam.conditions import check_conditions
from labsupport.security.iam.match import action_matches, resource_matches
from labsupport.security.iam.parse import Policy, Statement
from labsupport.security.iam.principals import Caller, not_principal_excludes, principal_match
from labsupport.security.iam.variables import Unresolved

__all__ = ["StatementResult", "match_statement"]


@dataclass(frozen=True)
class StatementResult:
    """The verdict on one statement for one request.

    ``principal_match`` says how a resource-based statement named the caller
    (``"exact"``, ``"wildcard"``, ``"issuer"``, ``"account"``), else None.
    """

    policy: str
    kind: str
    index: int
    sid: str | None
    effect: str
    applies: bool
    reason: str
    principal_match: str | None = None

    @property
    def is_allow(self) -> bool:
        return self.applies and self.effect == "Allow"

    @property
    def is_deny(self) -> bool:
        return self.applies and self.effect == "Deny"

    def __str__(self) -> str:
        sid = f" (Sid {self.sid!r})" if self.sid else ""
        verdict = "applies" if self.applies else "does not apply"
        return f"{self.policy} Statement[{self.index}]{sid}: {self.effect} {verdict} -- {self.reason}"


_NAMED = {
    "exact": "Principal names the caller's own ARN",
    "wildcard": 'Principal is "*" (everyone)',
    "issuer": "Principal names the role (or federating IAM user) behind the caller's session",
    "account": "Principal names only the caller's account, which delegates to the account's IAM policies",
}


def _actions_ok(st: Statement, action: str) -> tuple[bool, str]:
    hit = any(action_matches(p, action) for p in st.actions)
    listed = list(st.action_sources)
    if st.not_action:
        return (not hit), (f"action {action} is excluded by NotAction {listed}" if hit else f"action {action} is not in NotAction {listed}")
    return hit, (f"action {action} matches Action {listed}" if hit else f"action {action} is not in Action {listed}")


def _resources_ok(st: Statement, resource: str, ctx: Mapping[str, Any]) -> tuple[bool, str]:
    if st.resources is None:
        return True, "no Resource element: the statement covers the resource the policy is attached to"
    hit = any(resource_matches(p, resource, ctx) for p in st.resources)
    listed = [p.source for p in st.resources]
    if st.not_resource:
        return (not hit), (f"resource {resource} is excluded by NotResource {listed}" if hit else f"resource is not in NotResource {listed}")
    return hit, (f"resource matches Resource {listed}" if hit else f"resource {resource} is not in Resource {listed}")


def _principal_ok(st: Statement, caller: Caller, has_boundary: bool) -> tuple[bool, str, str | None]:
    if st.principal is None:
        return True, "", None
    if st.not_principal:
        if has_boundary:
            return True, "NotPrincipal with Deny always applies to a principal that has a permissions boundary", None
        spared = not_principal_excludes(st.principal, caller)
        return (not spared), ("caller (with its account and role) is listed in NotPrincipal" if spared
                              else "caller, its role or its account is missing from NotPrincipal"), None
    kind = principal_match(st.principal, caller)
    if kind is None:
        return False, f"principal {caller.arn} is not named in Principal", None
    return True, _NAMED[kind], kind


def match_statement(st: Statement, policy: Policy, request, *, ctx: Mapping[str, Any],
                    has_boundary: bool) -> StatementResult:
    """Match one statement of ``policy`` against ``request`` (``ctx``: lower-case context keys).

    Examples
    --------
    >>> from labsupport.security.iam.parse import parse_policy
    >>> from labsupport.security.iam.request import Request
    >>> p = parse_policy({"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}, name="ro")
    >>> r = Request("arn:aws:iam::111122223333:user/ana", "s3:PutObject", "arn:aws:s3:::b/k")
    >>> print(match_statement(p.statements[0], p, r, ctx=r.context_keys(), has_boundary=False))
    ro Statement[0]: Allow does not apply -- action s3:PutObject is not in Action ['s3:Get*']
    """

    def result(applies: bool, reason: str, kind: str | None = None) -> StatementResult:
        return StatementResult(policy.name, policy.kind, st.index, st.sid, st.effect, applies, reason, kind)

    ok, why = _actions_ok(st, request.action)
    if not ok:
        return result(False, why)
    try:
        ok, why = _resources_ok(st, request.resource, ctx)
        if not ok:
            return result(False, why)
        ok, why_p, kind = _principal_ok(st, request.caller, has_boundary)
        if not ok:
            return result(False, why_p)
        ok, why_c = check_conditions(st.conditions, ctx)
    except Unresolved as e:
        return result(False, f"{e}, so the statement is invalid for this request")
    if not ok:
        return result(False, f"condition fails: {why_c}")
    parts = [why] + ([why_p] if why_p else []) + ([f"conditions hold ({why_c})"] if st.conditions else [])
    return result(True, "; ".join(parts), kind)
