"""The decision: allow, explicit deny, or implicit deny -- and why.

AWS's enforcement code reads a request like a careful clerk with a checklist:

1. Any applicable ``Deny`` anywhere? **Explicit deny.** Nothing overrides it.
2. RCPs (for the resource's account), then SCPs (for the caller's account):
   every level from the organization root down must have an applicable Allow,
   else **implicit deny**.
3. Cross-account: the resource's policy must allow the caller *and* the
   caller's own account must allow it (identity policy, boundary, session).
4. Same account: a resource-based policy that names the caller itself (user,
   role session, federated session) or ``"*"`` is enough on its own. One that
   names the role (or the IAM user behind a federated session) counts like an
   identity policy -- still subject to the boundary and session policy. One
   that names only the account delegates to IAM policies and grants nothing.
5. Otherwise an identity policy must allow, then the permissions boundary (if
   any), then the session policy (a role session with no session policy is
   fine; a federated session without one has no permissions). Else **implicit
   deny**.

The root user has full access except where an SCP/RCP or explicit deny says no.

Not modelled: role trust policies and KMS key policies (which must allow the
principal explicitly), ACLs, VPC endpoint policies, service and anonymous
callers, and service-specific exceptions.

References
----------
AWS IAM User Guide: "Policy evaluation logic"; "How AWS enforcement code logic
evaluates requests to allow or deny access" (deny evaluation, RCPs, SCPs,
resource-based policies and the table of principal types, identity-based
policies, permissions boundaries, session policies); "Policy evaluation for
requests within a single account"; "Cross-account policy evaluation logic";
"Permissions boundaries for IAM entities"; "Policies and permissions in IAM",
section "Session policies". AWS Organizations User Guide: "SCP evaluation",
"RCP evaluation".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from labsupport.checks import out_of_range
from labsupport.security.iam.request import PolicySet, Request
from labsupport.security.iam.statements import StatementResult, match_statement

__all__ = ["Decision", "Evaluation", "evaluate"]


class Decision(str, Enum):
    """The three outcomes of policy evaluation."""

    ALLOW = "ALLOW"
    EXPLICIT_DENY = "EXPLICIT_DENY"
    IMPLICIT_DENY = "IMPLICIT_DENY"


@dataclass(frozen=True)
class Evaluation:
    """A decision, the step that made it, and the verdict on every statement."""

    decision: Decision
    reason: str
    deciding: tuple[StatementResult, ...]
    statements: tuple[StatementResult, ...]

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW

    def explain(self) -> str:
        """A multi-line explanation: decision, reason, deciding statements, then all others.

        Examples
        --------
        >>> ps = PolicySet(identity=[{"Statement": {"Sid": "ReadOnly", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}])
        >>> print(evaluate(Request("arn:aws:iam::111122223333:user/ana", "s3:PutObject"), ps).explain())
        IMPLICIT_DENY: no identity-based policy allows s3:PutObject on *
          identity[0] Statement[0] (Sid 'ReadOnly'): Allow does not apply -- action s3:PutObject is not in Action ['s3:Get*']
        """
        lines = [f"{self.decision.value}: {self.reason}"]
        lines += [f"  decided by {r}" for r in self.deciding]
        lines += [f"  {r}" for r in self.statements if r not in self.deciding]
        return "\n".join(lines)


def _identity_side(request: Request, policies: PolicySet, allows, via_resource) -> tuple[str | None, tuple]:
    """Within the caller's account: identity allow, then boundary, then session policy.

    Returns (None, allowing statements) or (reason for the implicit deny, ()).
    """
    caller = request.caller
    if caller.kind == "root":
        return None, ()
    grants = allows(policies.identity) + via_resource
    if not grants:
        return f"no identity-based policy allows {request.action} on {request.resource}", ()
    if policies.boundary is not None and not allows([policies.boundary]):
        return "the permissions boundary does not allow it", ()
    if caller.is_session:
        if policies.session and not allows(policies.session):
            return "no session policy allows it", ()
        if not policies.session and caller.kind == "federated-user":
            return "a federated-user session without a session policy has no permissions", ()
    return None, tuple(grants)


def _check_inputs(request: Request, policies: PolicySet) -> None:
    kind = request.caller.kind
    if kind == "root" and (policies.identity or policies.boundary):
        raise out_of_range("policies", "identity or boundary policies for root", "no identity-based policies "
                           "and no permissions boundary for the root user", why="cannot apply")
    if policies.session and kind not in ("role-session", "federated-user"):
        raise out_of_range("policies.session", f"session policies for a {kind} caller",
                           "session policies only for role or federated-user sessions", why="cannot apply")


def evaluate(request: Request, policies: PolicySet) -> Evaluation:
    """Decide whether ``policies`` allow ``request``, and explain why.

    Examples
    --------
    >>> ps = PolicySet(identity=[{"Version": "2012-10-17", "Statement": [
    ...     {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    ...     {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}]}])
    >>> user = "arn:aws:iam::111122223333:user/ana"
    >>> [evaluate(Request(user, a), ps).decision.value for a in
    ...  ("iam:GetUser", "iam:CreatePolicy", "iam:GetOrganizationsAccessReport")]
    ['ALLOW', 'IMPLICIT_DENY', 'EXPLICIT_DENY']
    """
    _check_inputs(request, policies)
    ctx = request.context_keys()
    has_boundary = policies.boundary is not None
    verdicts = {id(p): tuple(match_statement(s, p, request, ctx=ctx, has_boundary=has_boundary) for s in p.statements)
                for p in policies.all_policies()}
    trace = tuple(r for p in policies.all_policies() for r in verdicts[id(p)])

    def allows(policy_list) -> list[StatementResult]:
        return [r for p in policy_list for r in verdicts[id(p)] if r.is_allow]

    def done(decision: Decision, reason: str, deciding=()) -> Evaluation:
        return Evaluation(decision, reason, tuple(deciding), trace)

    denies = [r for r in trace if r.is_deny]
    if denies:
        return done(Decision.EXPLICIT_DENY, "an explicit Deny applies; a Deny overrides every Allow", denies)
    for name, levels in (("RCP", policies.rcps), ("SCP", policies.scps)):
        for i, level in enumerate(levels):
            if not allows(level):
                return done(Decision.IMPLICIT_DENY, f"no {name} at organization level {i} allows it")
    resource_grants = allows(policies.resource)
    if request.cross_account:
        if not resource_grants:
            return done(Decision.IMPLICIT_DENY, f"cross-account: no resource-based policy in account "
                                                f"{request.owner_account} allows the caller")
        why, grants = _identity_side(request, policies, allows, [])
        if why:
            return done(Decision.IMPLICIT_DENY, f"cross-account: in the caller's account {request.account}, {why}")
        return done(Decision.ALLOW, "cross-account: both the resource's account and the caller's account allow it",
                    resource_grants + list(grants))
    direct = [g for g in resource_grants if g.principal_match in ("exact", "wildcard")]
    if direct:
        return done(Decision.ALLOW, "a resource-based policy in the same account names the caller directly", direct)
    why, grants = _identity_side(request, policies, allows, [g for g in resource_grants if g.principal_match == "issuer"])
    if why:
        if any(g.principal_match == "account" for g in resource_grants):
            why += "; the resource-based policy names only the account, which delegates to IAM policies"
        return done(Decision.IMPLICIT_DENY, why)
    if not grants:
        return done(Decision.ALLOW, "the account root user has full access")
    return done(Decision.ALLOW, "allowed by identity-based or resource-based policy, within every limit", grants)
