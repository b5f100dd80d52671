"""Matching actions, resource ARNs and policy variables.

Pages: "IAM JSON policy elements: Action", "NotAction", "Resource", "NotResource" and
"IAM policy elements: Variables and tags".
"""

import pytest

from labsupport.security.iam import Decision, PolicySet, Request, evaluate
from labsupport.security.iam.match import action_matches, compile_action, compile_resource, resource_matches
from labsupport.security.iam.variables import Unresolved

USER = "arn:aws:iam::111122223333:user/David"


def res(pattern, resource, context=None, variables=True):
    return resource_matches(compile_resource(pattern, variables=variables), resource, context or {})


def decide(statement, action, resource="*", context=None, principal=USER, version="2012-10-17"):
    policy = {"Statement": statement} | ({"Version": version} if version else {})
    return evaluate(Request(principal, action, resource, context or {}), PolicySet(identity=[policy])).decision


# --- actions --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern, action, expected", [
    ("iam:ListAccessKeys", "IAM:listaccesskeys", True),  # "prefix and action name are case insensitive"
    ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ("iam:*AccessKey*", "iam:UpdateAccessKey", True),
    ("iam:*AccessKey*", "iam:CreateUser", False),
    ("s3:*", "s3:GetObject", True),
    ("s3:*", "s3express:CreateSession", False),
    ("*", "kms:Decrypt", True),
    ("s3:?etObject", "s3:GetObject", True),
    ("s3:?etObject", "s3:GetObjectAcl", False),
    ("ec2:Describe*", "ec2:RunInstances", False),
])
def test_action_patterns(pattern, action, expected):
    # "IAM JSON policy elements: Action"
    assert action_matches(compile_action(pattern), action) is expected


# --- resources ------------------------------------------------------------------------------------------
S3_LIST = ["amzn-s3-demo-bucket/1/test/object.jpg", "amzn-s3-demo-bucket/1/2/test/object.jpg",
           "amzn-s3-demo-bucket/1/2/test/3/object.jpg", "amzn-s3-demo-bucket/1/2/3/test/4/object.jpg",
           "amzn-s3-demo-bucket/1///test///object.jpg", "amzn-s3-demo-bucket/1/test/.jpg",
           "amzn-s3-demo-bucket//test/object.jpg", "amzn-s3-demo-bucket/1/test/"]


@pytest.mark.parametrize("key", S3_LIST)
def test_star_spans_slashes_within_a_segment(key):
    # "IAM JSON policy elements: Resource": the asterisk can replace everything within a segment, '/' included
    assert res("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", f"arn:aws:s3:::{key}")


@pytest.mark.parametrize("key", ["amzn-s3-demo-bucket/1-test/object.jpg", "amzn-s3-demo-bucket/test/object.jpg"])
def test_star_needs_the_literal_parts(key):
    assert not res("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", f"arn:aws:s3:::{key}")


def test_resource_wildcards_per_segment_and_trailing_star():
    # "IAM JSON policy elements: Resource": wildcards within segments; a trailing * can expand past the colon
    inst = "arn:aws:ec2:us-east-1:111122223333:instance/i-1234567890abcdef0"
    assert res("arn:aws:ec2:*:*:instance/i-1234567890abcdef0", inst)
    assert res("arn:aws:ec2:us-east-?:111122223333:instance/*", inst)
    assert not res("arn:aws:ec2:us-west-?:111122223333:instance/*", inst)
    assert res("arn:aws:ec2:us-east-1*", inst)  # trailing '*' of a segment crosses ':' boundaries
    assert not res("arn:aws:ec2:us-*-1:111122223333:volume/*", inst)  # a '*' inside a segment does not
    assert res("arn:aws:iam::111122223333:user/accounting/*", "arn:aws:iam::111122223333:user/accounting/ana")
    assert res("arn:aws:logs:us-east-1:111122223333:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1")


def test_resource_matching_is_case_sensitive_and_star_resource_is_special():
    # "In the Resource element, the IAM user name is case sensitive"
    assert not res("arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob")
    assert res("*", "arn:aws:s3:::anything") and res("*", "*")
    # an action that requires the "*" resource is not matched by an ARN pattern ("NotAction" page)
    assert not res("arn:aws:s3:::*", "*")


def test_not_action_with_allow_and_deny_examples():
    # "IAM JSON policy elements: NotAction"
    all_but_delete = {"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}
    assert decide(all_but_delete, "s3:PutObject", "arn:aws:s3:::b/k") is Decision.ALLOW
    assert decide(all_but_delete, "s3:DeleteBucket", "arn:aws:s3:::b") is Decision.IMPLICIT_DENY
    assert decide(all_but_delete, "s3:ListAllMyBuckets", "*") is Decision.IMPLICIT_DENY
    not_iam = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert decide(not_iam, "ec2:RunInstances") is Decision.ALLOW
    assert decide(not_iam, "iam:CreateUser") is Decision.IMPLICIT_DENY
    mfa = [{"Sid": "DenyAllUsersNotUsingMFA", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
           {"Effect": "Allow", "Action": "*", "Resource": "*"}]
    assert decide(mfa, "s3:GetObject", "arn:aws:s3:::b/k") is Decision.EXPLICIT_DENY  # key absent -> IfExists true
    assert decide(mfa, "s3:GetObject", "arn:aws:s3:::b/k", {"aws:MultiFactorAuthPresent": True}) is Decision.ALLOW
    assert decide(mfa, "iam:ChangePassword") is Decision.ALLOW


def test_not_resource_hr_payroll_example():
    # "IAM JSON policy elements: NotResource"
    stmts = [{"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]},
             {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    assert decide(stmts, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan.csv") is Decision.ALLOW
    assert decide(stmts, "s3:GetObject", "arn:aws:s3:::HRBucket/Marketing/jan.csv") is Decision.EXPLICIT_DENY
    assert decide(stmts[:1], "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan.csv") is Decision.IMPLICIT_DENY


# --- policy variables -----------------------------------------------------------------------------------
def test_username_variable_in_resource():
    # "IAM policy elements: Variables and tags": one group policy, each user's own access keys
    stmt = {"Action": ["iam:*AccessKey*"], "Effect": "Allow", "Resource": ["arn:aws:iam::111122223333:user/${aws:username}"]}
    assert decide(stmt, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/David") is Decision.ALLOW
    assert decide(stmt, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/Adele") is Decision.IMPLICIT_DENY


def test_variables_are_literal_without_2012_version():
    # "IAM JSON policy elements: Version": under 2008-10-17 (or no Version) ${aws:username} is a literal string
    stmt = {"Action": "s3:*", "Effect": "Allow", "Resource": "arn:aws:s3:::mybucket/${aws:username}/*"}
    assert decide(stmt, "s3:GetObject", "arn:aws:s3:::mybucket/David/a") is Decision.ALLOW
    for version in ("2008-10-17", None):
        assert decide(stmt, "s3:GetObject", "arn:aws:s3:::mybucket/David/a", version=version) is Decision.IMPLICIT_DENY
        assert decide(stmt, "s3:GetObject", "arn:aws:s3:::mybucket/${aws:username}/a", version=version) is Decision.ALLOW


def test_principal_tag_variable_and_default_value():
    # same page: tags as policy variables; "Specifying default values"
    tag = {"Action": "s3:*", "Effect": "Allow", "Resource": "arn:aws:s3:::bucket/${aws:PrincipalTag/department}"}
    assert decide(tag, "s3:GetObject", "arn:aws:s3:::bucket/hr", {"aws:PrincipalTag/department": "hr"}) is Decision.ALLOW
    assert decide(tag, "s3:GetObject", "arn:aws:s3:::bucket/hr") is Decision.IMPLICIT_DENY
    default = {"Action": "s3:*", "Effect": "Allow", "Resource": "arn:aws:s3:::bucket/${aws:userid, 'anonymous'}"}
    assert decide(default, "s3:GetObject", "arn:aws:s3:::bucket/anonymous") is Decision.ALLOW
    assert decide(default, "s3:GetObject", "arn:aws:s3:::bucket/AIDA123", {"aws:userid": "AIDA123"}) is Decision.ALLOW


def test_special_character_variables_are_literal():
    # same page, "Special characters": ${*}, ${?}, ${$}
    assert res("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*") and not res("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x")
    assert res("arn:aws:s3:::b/a${?}", "arn:aws:s3:::b/a?") and not res("arn:aws:s3:::b/a${?}", "arn:aws:s3:::b/ab")
    assert res("arn:aws:s3:::b/${$}{x}", "arn:aws:s3:::b/${x}")


def test_substituted_values_match_literally_and_missing_ones_raise():
    assert not res("arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/anything", {"aws:username": "*"})
    with pytest.raises(Unresolved, match=r"\$\{aws:username\} is not in the request context"):
        res("arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/x")
    with pytest.raises(Unresolved, match="multivalued"):
        res("arn:aws:s3:::b/${aws:TagKeys}", "arn:aws:s3:::b/x", {"aws:tagkeys": ["a", "b"]})


def test_username_is_derived_only_for_iam_users():
    # "IAM policy elements: Variables and tags": aws:username is present for IAM users, not for roles
    stmt = {"Action": "s3:*", "Effect": "Allow", "Resource": "arn:aws:s3:::home/${aws:username}/*"}
    session = "arn:aws:sts::111122223333:assumed-role/David/David"
    assert decide(stmt, "s3:GetObject", "arn:aws:s3:::home/David/x") is Decision.ALLOW
    assert decide(stmt, "s3:GetObject", "arn:aws:s3:::home/David/x", principal=session) is Decision.IMPLICIT_DENY
