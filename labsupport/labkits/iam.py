"""Lab 6 kit (an IAM policy evaluator): many reference cases the student has not seen.

An examiner who wants to know whether a student can evaluate policies needs
more than the textbook examples: many cases, decided by a trusted evaluator.
:func:`generated_cases` draws random identity policies, permissions
boundaries and requests (seeded, so a seed always gives the same cases) and
decides them with :mod:`labsupport.security.iam`. Whether a student handed
in that trusted evaluator itself is judged by :func:`labsupport.grading.reuse.borrowed`.

The generated patterns put wildcards only where the lab's simple rule (``*``
is any run of characters, ``?`` one character, whole-string match) agrees
with IAM's segment-wise ARN matching.
"""

from __future__ import annotations

from labsupport.checks import check_int
from labsupport.seeds import Seed, as_rng

__all__ = ["generated_cases"]

USER = "arn:aws:iam::111122223333:user/ana"
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteBucket", "ec2:RunInstances", "iam:CreateUser", "iam:GetUser",
           "dynamodb:Scan"]
ACTION_PATTERNS = ["s3:*", "s3:Get*", "S3:getobject", "ec2:*Instances", "iam:Get?ser", "iam:*", "*", "dynamodb:Scan"]
RESOURCES = ["arn:aws:s3:::logs/2026/a.txt", "arn:aws:s3:::projects/plan.md", "arn:aws:iam::111122223333:user/bob",
             "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::logs/*", "arn:aws:s3:::proj*", "arn:aws:s3:::*/plan.md",
                     "arn:aws:iam::111122223333:user/b?b", "arn:aws:ec2:eu-west-1:111122223333:instance/*"]
CONDITIONS = [None, None, {"Bool": {"aws:SecureTransport": "true"}}, {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
              {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
              {"StringLike": {"aws:PrincipalTag/team": "r*"}, "Bool": {"aws:SecureTransport": "true"}}]
CONTEXT = (("aws:SecureTransport", [True, False, None]), ("aws:SourceIp", ["10.1.2.3", "192.0.2.1", None]),
           ("aws:PrincipalTag/team", ["red", "rust", "green", None]))


def _policy(rng) -> dict:
    statements = []
    for _ in range(rng.randint(1, 3)):
        st = {"Effect": rng.choice(["Allow", "Allow", "Deny"]), "Resource": rng.sample(RESOURCE_PATTERNS, rng.randint(1, 2))}
        st["NotAction" if rng.random() < 0.2 else "Action"] = rng.sample(ACTION_PATTERNS, rng.randint(1, 2))
        condition = rng.choice(CONDITIONS)
        if condition:
            st["Condition"] = condition
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements if len(statements) > 1 else statements[0]}


def generated_cases(count: int, *, seed: Seed = None, with_boundary: bool = False) -> list[tuple]:
    """``count`` tuples ``(policies, boundary, request, decision)`` decided by :func:`labsupport.security.iam.evaluate`.

    ``request`` is the lab's format ``{"action", "resource", "context"}``; ``boundary`` is None
    unless ``with_boundary`` (then a boundary is drawn four times in five).

    Examples
    --------
    >>> cases = generated_cases(40, seed=6)
    >>> sorted({decision for *_, decision in cases})
    ['ALLOW', 'EXPLICIT_DENY', 'IMPLICIT_DENY']
    >>> generated_cases(3, seed=6) == generated_cases(3, seed=6)
    True
    """
    from labsupport.security.iam import PolicySet, Request, evaluate

    check_int("count", count, low=1)
    rng = as_rng(seed)
    cases = []
    for _ in range(count):
        policies = [_policy(rng) for _ in range(rng.randint(1, 2))]
        boundary = _policy(rng) if with_boundary and rng.random() < 0.8 else None
        context = {}
        for key, options in CONTEXT:
            value = rng.choice(options)
            if value is not None:
                context[key] = value
        action, resource = rng.choice(ACTIONS), rng.choice(RESOURCES)
        decision = evaluate(Request(USER, action, resource, context),
                            PolicySet(identity=policies, boundary=boundary)).decision.value
        cases.append((policies, boundary, {"action": action, "resource": resource, "context": context}, decision))
    return cases
