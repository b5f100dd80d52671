"""Property tests: the invariants that "Policy evaluation logic" promises, on random policy sets.

Explicit deny always wins; no applicable allow means no access; order never matters;
adding an Allow never takes access away and adding a Deny never grants it; removing a
limit (boundary, SCPs, RCPs, a role session's session policy) never takes access away.
"""

import copy
import functools
import itertools
import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labsupport.security.iam import Decision, PolicySet, Request, evaluate

ACCT, OTHER = "111122223333", "444455556666"
CALLERS = {
    "user": f"arn:aws:iam::{ACCT}:user/ana",
    "session": f"arn:aws:sts::{ACCT}:assumed-role/app/s1",
    "federated": f"arn:aws:sts::{ACCT}:federated-user/ana",
}
ISSUERS = {"session": None, "user": None, "federated": f"arn:aws:iam::{ACCT}:user/ana"}
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:RunInstances"]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:?utObject", "ec2:*", "s3:ListBucket"]
RESOURCES = ["arn:aws:s3:::data/report.csv", "arn:aws:s3:::data", "arn:aws:s3:::logs/x", "*"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::data/*", "arn:aws:s3:::*log*", "arn:aws:s3:::data", "arn:aws:s3:::${aws:username}*"]
CONDITIONS = [
    None,
    {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": ["dev", "qa"]}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"BoolIfExists": {"aws:SecureTransport": "true"}},
    {"NumericLessThan": {"s3:max-keys": "10"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["a*"]}},
]
PRINCIPALS = ["*", "caller", ACCT, f"arn:aws:iam::{ACCT}:role/app", f"arn:aws:iam::{ACCT}:user/bob", OTHER]


def _pool(kind):
    """Every statement of one kind over the small universe above (drawing from a list is cheap)."""
    out = []
    for effect, action_key, action, resource_key, resource, cond in itertools.product(
            ("Allow", "Deny"), ("Action", "NotAction"), ACTION_PATTERNS + [["s3:Get*", "ec2:*"]],
            ("Resource", "NotResource"), RESOURCE_PATTERNS + [["arn:aws:s3:::data", "arn:aws:s3:::data/*"]], CONDITIONS):
        if kind == "rcp" and action_key == "NotAction":
            continue
        s = {"Effect": effect, action_key: action, resource_key: resource}
        if cond:
            s["Condition"] = cond
        if kind == "rcp":
            s["Principal"] = "*"
        out.extend([{**s, "Principal": {"AWS": p}} for p in PRINCIPALS] if kind == "resource" else [s])
    return out


POOLS = {kind: _pool(kind) for kind in ("identity", "resource", "boundary", "session", "scp", "rcp")}
BY_EFFECT = {(kind, effect): [s for s in pool if s["Effect"] == effect] for kind, pool in POOLS.items() for effect in ("Allow", "Deny")}
BROAD = {key: [s for s in pool if s.get("Action") in ("*", "s3:*") and s.get("Resource") == "*" and "Condition" not in s]
         for key, pool in BY_EFFECT.items()}  # broad statements keep ALLOW decisions common enough to test


def _named(statements_, caller):
    out = copy.deepcopy(statements_)
    for s in out:
        if s.get("Principal", {}) != "*" and s.get("Principal", {}).get("AWS") == "caller":
            s["Principal"]["AWS"] = caller
    return {"Version": "2012-10-17", "Statement": out}


@functools.lru_cache(maxsize=None)  # build each strategy once: constructing strategies is what costs time
def policy(kind, effect=None, caller=None):
    if effect is None:  # three Allow draws for every Deny draw, half of the Allows broad
        choices = [BROAD[(kind, "Allow")], BROAD[(kind, "Allow")], BY_EFFECT[(kind, "Allow")],
                   BY_EFFECT[(kind, "Allow")], BY_EFFECT[(kind, "Deny")]]
    else:
        choices = [BROAD[(kind, effect)], BY_EFFECT[(kind, effect)]]
    statement = st.one_of([st.sampled_from(c) for c in choices])
    return st.lists(statement, min_size=1, max_size=3).map(lambda ss: _named(ss, caller))


@st.composite
def scenarios(draw, effect=None):
    caller = draw(st.sampled_from(sorted(CALLERS)))
    principal = CALLERS[caller]
    kinds = {
        "identity": draw(st.lists(policy("identity", effect), max_size=2)),
        "resource": draw(st.lists(policy("resource", effect, principal), max_size=1)),
        "boundary": draw(st.none() | policy("boundary", effect)),
        "session": draw(st.lists(policy("session", effect), max_size=1)) if caller != "user" else [],
        "scps": draw(st.lists(st.lists(policy("scp", effect), min_size=1, max_size=2), max_size=2)),
        "rcps": draw(st.lists(st.lists(policy("rcp", effect), min_size=1, max_size=2), max_size=1)),
    }
    context = {k: v for k, v in {
        "aws:PrincipalTag/team": draw(st.sampled_from([None, "ops", "dev"])),
        "aws:SourceIp": draw(st.sampled_from([None, "10.1.2.3", "192.0.2.1"])),
        "aws:SecureTransport": draw(st.sampled_from([None, True, False])),
        "s3:max-keys": draw(st.sampled_from([None, 5, 50])),
        "aws:TagKeys": draw(st.sampled_from([None, [], ["a"], ["a", "b"]])),
    }.items() if v is not None}
    request = Request(principal, draw(st.sampled_from(ACTIONS)), draw(st.sampled_from(RESOURCES)), context,
                      resource_account=draw(st.sampled_from([ACCT, ACCT, OTHER])), session_issuer=ISSUERS[caller])
    return request, kinds


def decide(request, kinds):
    return evaluate(request, PolicySet(**kinds))


def _copy(kinds):
    return copy.deepcopy(kinds)


SETTINGS = settings(max_examples=80, deadline=None)


@SETTINGS
@given(scenarios(), st.sampled_from(["identity", "resource", "boundary", "scps", "rcps", "session"]))
def test_an_applicable_explicit_deny_always_wins(scenario, where):
    request, kinds = scenario
    kinds = _copy(kinds)
    blanket = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    if where in ("resource", "rcps"):
        blanket["Principal"] = "*"
    existing = {"boundary": [kinds["boundary"]] if kinds["boundary"] else [], "scps": [p for lv in kinds["scps"] for p in lv],
                "rcps": [p for lv in kinds["rcps"] for p in lv]}.get(where, kinds[where])
    if existing:  # into a statement list of an existing policy of that type
        existing[0]["Statement"].append(blanket)
    else:  # or as a new identity policy
        blanket.pop("Principal", None)
        kinds["identity"].append({"Version": "2012-10-17", "Statement": [blanket]})
    assert decide(request, kinds).decision is Decision.EXPLICIT_DENY


@SETTINGS
@given(scenarios())
def test_explicit_deny_exactly_when_a_deny_statement_applies(scenario):
    result = decide(*scenario)
    assert (result.decision is Decision.EXPLICIT_DENY) == any(r.is_deny for r in result.statements)
    if result.decision is Decision.EXPLICIT_DENY:
        assert result.deciding and all(r.is_deny for r in result.deciding)


@SETTINGS
@given(scenarios(effect="Deny"))
def test_policies_without_allow_never_allow(scenario):
    assert decide(*scenario).decision is not Decision.ALLOW


@SETTINGS
@given(scenarios())
def test_no_applicable_identity_or_resource_allow_means_no_access(scenario):
    result = decide(*scenario)
    grants = [r for r in result.statements if r.is_allow and r.kind in ("identity", "resource")]
    if not grants:
        denied = any(r.is_deny for r in result.statements)
        assert result.decision is (Decision.EXPLICIT_DENY if denied else Decision.IMPLICIT_DENY)
    if result.decision is Decision.ALLOW and scenario[0].cross_account:
        assert any(r.kind == "resource" for r in grants) and any(r.kind == "identity" for r in grants)


@SETTINGS
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_order_of_statements_policies_and_levels_never_matters(scenario, seed):
    request, kinds = scenario
    rng = random.Random(seed)
    shuffled = _copy(kinds)
    every_policy = [*shuffled["identity"], *shuffled["resource"], *shuffled["session"],
                    *([shuffled["boundary"]] if shuffled["boundary"] else []),
                    *(p for lv in (*shuffled["scps"], *shuffled["rcps"]) for p in lv)]
    for p in every_policy:
        rng.shuffle(p["Statement"])
    for name in ("identity", "resource", "session", "scps", "rcps"):
        rng.shuffle(shuffled[name])
    for level in (*shuffled["scps"], *shuffled["rcps"]):
        rng.shuffle(level)
    assert decide(request, shuffled).decision is decide(request, kinds).decision


@SETTINGS
@given(scenarios(), st.sampled_from(["identity", "resource"]), st.data())
def test_adding_an_allow_never_takes_access_away(scenario, where, data):
    request, kinds = scenario
    before = decide(request, kinds).decision
    more = _copy(kinds)
    more[where].append(data.draw(policy(where, "Allow", request.principal)))
    after = decide(request, more).decision
    if before is Decision.ALLOW:
        assert after is Decision.ALLOW
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY


@SETTINGS
@given(scenarios(), st.sampled_from(["identity", "resource", "session", "scps"]), st.data())
def test_adding_a_deny_never_grants_access(scenario, where, data):
    request, kinds = scenario
    before = decide(request, kinds).decision
    more = _copy(kinds)
    kind = {"scps": "scp"}.get(where, where)
    target = more[where][0] if where == "scps" and more["scps"] else more[where] if where != "scps" else None
    if target is None or (where == "session" and not more["session"]):
        target, kind = more["identity"], "identity"
    target.append(data.draw(policy(kind, "Deny", request.principal)))
    after = decide(request, more).decision
    assert after is not Decision.ALLOW or before is Decision.ALLOW
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY


@SETTINGS
@given(scenarios(), st.sampled_from(["boundary", "scps", "rcps", "session"]))
def test_removing_a_limit_never_takes_access_away(scenario, limit):
    request, kinds = scenario
    # a federated-user session has no permissions without a session policy
    assume(limit != "session" or request.caller.kind == "role-session")
    before = decide(request, kinds).decision
    fewer = _copy(kinds)
    fewer[limit] = None if limit == "boundary" else []
    if before is Decision.ALLOW:
        assert decide(request, fewer).decision is Decision.ALLOW


@SETTINGS
@given(scenarios())
def test_allow_requires_every_organization_level_to_allow(scenario):
    result = decide(*scenario)
    if result.decision is Decision.ALLOW:
        by_policy = {}
        for r in result.statements:
            by_policy.setdefault(r.policy, []).append(r)
        for name, levels in (("scps", scenario[1]["scps"]), ("rcps", scenario[1]["rcps"])):
            for i, level in enumerate(levels):
                names = [f"{name}[{i}][{j}]" for j in range(len(level))]
                assert any(r.is_allow for n in names for r in by_policy.get(n, []))
