"""Policy evaluation logic: the worked examples of the AWS IAM User Guide, and its rules.

Each test names the documentation page its policies and expected outcomes come from.
"""

import pytest

from labsupport.security.iam import Decision, PolicySet, Request, evaluate

ALLOW, EXPLICIT, IMPLICIT = Decision.ALLOW, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY
ACCT = "111122223333"
USER = f"arn:aws:iam::{ACCT}:user/exampleuser"
ROLE = f"arn:aws:iam::{ACCT}:role/examplerole"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/examplerole/examplerolesessionname"
FEDERATED = f"arn:aws:sts::{ACCT}:federated-user/exampleuser"
BUCKET_OBJ = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"


def decide(principal, action, target="*", context=None, **policies):
    extras = _request_extras(policies)
    return evaluate(Request(principal, action, target, context or {}, **extras), PolicySet(**policies))


def _request_extras(policies):
    return {k: policies.pop(k) for k in ("resource_account", "session_issuer") if k in policies}


def allow(action="s3:*", resource="*", **extra):
    return {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": action, "Resource": resource, **extra}}


def deny(action="s3:*", resource="*", **extra):
    return {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": action, "Resource": resource, **extra}}


def bucket_policy(principal, action="s3:*", resource="arn:aws:s3:::amzn-s3-demo-bucket/*", effect="Allow"):
    return {"Version": "2012-10-17", "Statement": {"Effect": effect, "Principal": {"AWS": principal},
                                                   "Action": action, "Resource": resource}}


# --- "Policy evaluation for requests within a single account": Carlos and his log bucket ---------------
CARLOS_IDENTITY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowS3ListRead", "Effect": "Allow",
     "Action": ["s3:GetBucketLocation", "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
     "Resource": "arn:aws:s3:::*"},
    {"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar"]},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"}]}
CARLOS_BUCKET = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/carlossalazar"}, "Action": "s3:*",
    "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar"]}]}
CARLOS = "arn:aws:iam::123456789012:user/carlossalazar"


def test_single_account_example_denies_the_logs_bucket_and_allows_his_own():
    # "Policy evaluation for requests within a single account" (example identity-based and resource-based evaluation)
    logs = decide(CARLOS, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs",
                  identity=[CARLOS_IDENTITY])
    assert logs.decision is EXPLICIT and logs.deciding[0].sid == "DenyS3Logs"
    own = decide(CARLOS, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/notes.txt",
                 identity=[CARLOS_IDENTITY], resource=[CARLOS_BUCKET])
    assert own.decision is ALLOW


def test_same_account_either_identity_or_resource_policy_suffices():
    # "Policy evaluation for requests within a single account": "If either ... allows the request and the other
    # doesn't, the request is still allowed."
    obj = "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/notes.txt"
    assert decide(CARLOS, "s3:PutObject", obj, resource=[CARLOS_BUCKET]).decision is ALLOW
    assert decide(CARLOS, "s3:PutObject", obj, identity=[CARLOS_IDENTITY]).decision is ALLOW
    assert decide(CARLOS, "s3:PutObject", obj).decision is IMPLICIT


def test_explicit_vs_implicit_deny_example():
    # "Policy evaluation logic", section "The difference between explicit and implicit denies"
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
        {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"}]}
    assert decide(USER, "iam:GetUser", identity=[policy]).decision is ALLOW
    assert decide(USER, "iam:CreatePolicy", identity=[policy]).decision is IMPLICIT
    assert decide(USER, "iam:GetOrganizationsAccessReport", identity=[policy]).decision is EXPLICIT
    # "If someone adds another policy ... such as iam:GenerateCredentialReport, report-related requests are still denied"
    more = allow("iam:GenerateCredentialReport")
    assert decide(USER, "iam:GenerateCredentialReport", identity=[policy, more]).decision is EXPLICIT


# --- "Cross-account policy evaluation logic": Carlos and the Production bucket -------------------------
XA_IDENTITY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowS3ListRead", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
    {"Sid": "AllowS3ProductionObjectActions", "Effect": "Allow", "Action": "s3:*Object*", "Resource": "arn:aws:s3:::Production/*"},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::*log*", "arn:aws:s3:::*log*/*"]}]}
XA_BUCKET = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:GetObject*", "s3:PutObject*", "s3:ReplicateObject", "s3:RestoreObject"],
    "Principal": {"AWS": "arn:aws:iam::111111111111:user/carlossalazar"}, "Resource": "arn:aws:s3:::Production/*"}]}
XA_CARLOS = "arn:aws:iam::111111111111:user/carlossalazar"


def test_cross_account_example():
    # "Cross-account policy evaluation logic", example cross-account policy evaluation
    logs = decide(XA_CARLOS, "s3:PutObject", "arn:aws:s3:::Production-logs/f.txt", identity=[XA_IDENTITY],
                  resource_account="222222222222")
    assert logs.decision is EXPLICIT
    prod = decide(XA_CARLOS, "s3:PutObject", "arn:aws:s3:::Production/f.txt", identity=[XA_IDENTITY],
                  resource=[XA_BUCKET], resource_account="222222222222")
    assert prod.decision is ALLOW and prod.reason.startswith("cross-account")
    # the bucket policy lets him create and edit, but not delete, objects
    gone = decide(XA_CARLOS, "s3:DeleteObject", "arn:aws:s3:::Production/f.txt", identity=[XA_IDENTITY],
                  resource=[XA_BUCKET], resource_account="222222222222")
    assert gone.decision is IMPLICIT


def test_cross_account_needs_both_sides():
    # "Cross-account policy evaluation logic": "The request is allowed only if both evaluations return Allow."
    kw = dict(resource_account="222222222222")
    obj = "arn:aws:s3:::Production/f.txt"
    assert decide(XA_CARLOS, "s3:PutObject", obj, identity=[XA_IDENTITY], **kw).decision is IMPLICIT
    assert decide(XA_CARLOS, "s3:PutObject", obj, resource=[XA_BUCKET], **kw).decision is IMPLICIT
    account_wide = bucket_policy("111111111111", resource="arn:aws:s3:::Production/*")
    assert decide(XA_CARLOS, "s3:PutObject", obj, identity=[XA_IDENTITY], resource=[account_wide], **kw).decision is ALLOW


# --- resource-based policies and implicit denies (same account) -----------------------------------------
# "How AWS enforcement code logic evaluates requests to allow or deny access", resource-based policies table.
NO_S3_BOUNDARY = allow("ec2:*")
NO_S3_SESSION = allow("ec2:*")
ROLE_S3 = allow("s3:*")


@pytest.mark.parametrize("named, principal, extra, expected", [
    # IAM role ARN: limited by an implicit deny in a permissions boundary or session policy
    (ROLE, SESSION, {}, ALLOW),
    (ROLE, SESSION, {"boundary": NO_S3_BOUNDARY}, IMPLICIT),
    (ROLE, SESSION, {"session": [NO_S3_SESSION]}, IMPLICIT),
    # IAM role session ARN: not limited by identity-based policy, boundary or session policy
    (SESSION, SESSION, {"boundary": NO_S3_BOUNDARY, "session": [NO_S3_SESSION]}, ALLOW),
    # IAM user ARN: not limited by an implicit deny in an identity-based policy or boundary
    (USER, USER, {"boundary": NO_S3_BOUNDARY}, ALLOW),
    # federated user session ARN: granted directly to the session
    (FEDERATED, FEDERATED, {"boundary": NO_S3_BOUNDARY, "session": [NO_S3_SESSION]}, ALLOW),
    # ARN of the IAM user who federated: limited by boundary or session policy
    (USER, FEDERATED, {"session": [NO_S3_SESSION], "session_issuer": USER}, IMPLICIT),
    (USER, FEDERATED, {"session": [ROLE_S3], "session_issuer": USER}, ALLOW),
    # the account principal delegates to IAM policies and grants nothing by itself ("Principal" page)
    (ACCT, USER, {}, IMPLICIT),
])
def test_resource_policy_principal_types_and_implicit_denies(named, principal, extra, expected):
    result = decide(principal, "s3:GetObject", BUCKET_OBJ, resource=[bucket_policy(named)], **extra)
    assert result.decision is expected, result.explain()


def test_session_policy_rules():
    # "Policies and permissions in IAM", section "Session policies": intersection with identity policies
    assert decide(SESSION, "s3:GetObject", BUCKET_OBJ, identity=[ROLE_S3]).decision is ALLOW
    assert decide(SESSION, "s3:GetObject", BUCKET_OBJ, identity=[ROLE_S3], session=[allow("s3:Get*")]).decision is ALLOW
    assert decide(SESSION, "s3:PutObject", BUCKET_OBJ, identity=[ROLE_S3], session=[allow("s3:Get*")]).decision is IMPLICIT
    # a session policy alone grants nothing
    assert decide(SESSION, "s3:GetObject", BUCKET_OBJ, session=[ROLE_S3]).decision is IMPLICIT
    # "How AWS enforcement code ...": with no session policy, only a role session is allowed
    assert decide(FEDERATED, "s3:GetObject", BUCKET_OBJ, identity=[ROLE_S3]).decision is IMPLICIT
    assert decide(FEDERATED, "s3:GetObject", BUCKET_OBJ, identity=[ROLE_S3], session=[ROLE_S3]).decision is ALLOW


# --- "Permissions boundaries for IAM entities" --------------------------------------------------------
SHIRLEY_BOUNDARY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"}]}
SHIRLEY = f"arn:aws:iam::{ACCT}:user/ShirleyRodriguez"


def test_boundary_example_shirley():
    # "Permissions boundaries for IAM entities": the boundary does not allow iam:CreateUser
    create_user = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}}
    result = decide(SHIRLEY, "iam:CreateUser", identity=[create_user], boundary=SHIRLEY_BOUNDARY)
    assert result.decision is IMPLICIT and "boundary" in result.reason
    # the boundary alone grants nothing
    assert decide(SHIRLEY, "s3:ListAllMyBuckets", boundary=SHIRLEY_BOUNDARY).decision is IMPLICIT
    assert decide(SHIRLEY, "s3:ListAllMyBuckets", identity=[allow("s3:*")], boundary=SHIRLEY_BOUNDARY).decision is ALLOW
    # without the boundary the same identity policy allows the action
    assert decide(SHIRLEY, "iam:CreateUser", identity=[create_user]).decision is ALLOW


X_COMPANY_BOUNDARIES = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ServiceBoundaries", "Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*", "dynamodb:*"], "Resource": "*"},
    {"Sid": "AllowIAMConsoleForCredentials", "Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetAccountPasswordPolicy"], "Resource": "*"},
    {"Sid": "AllowManageOwnPasswordAndAccessKeys", "Effect": "Allow",
     "Action": ["iam:*AccessKey*", "iam:ChangePassword", "iam:GetUser", "iam:*ServiceSpecificCredential*", "iam:*SigningCertificate*"],
     "Resource": ["arn:aws:iam::*:user/${aws:username}"]},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]},
    {"Sid": "DenyEC2Production", "Effect": "Deny", "Action": "ec2:*", "Resource": "arn:aws:ec2:*:*:instance/i-1234567890abcdef0"}]}


def test_boundary_delegation_example_new_users():
    # "Permissions boundaries for IAM entities", delegating responsibility: XCompanyBoundaries
    ana = f"arn:aws:iam::{ACCT}:user/ana"
    admin = [allow("*")]
    assert decide(ana, "s3:GetObject", "arn:aws:s3:::logs/today", identity=admin, boundary=X_COMPANY_BOUNDARIES).decision is EXPLICIT
    assert decide(ana, "ec2:StopInstances", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1234567890abcdef0",
                  identity=admin, boundary=X_COMPANY_BOUNDARIES).decision is EXPLICIT
    assert decide(ana, "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/ana", identity=admin,
                  boundary=X_COMPANY_BOUNDARIES).decision is ALLOW
    # "allows the users manage only their own ... access keys"
    assert decide(ana, "iam:CreateAccessKey", f"arn:aws:iam::{ACCT}:user/bob", identity=admin,
                  boundary=X_COMPANY_BOUNDARIES).decision is IMPLICIT
    assert decide(ana, "iam:CreateRole", identity=admin, boundary=X_COMPANY_BOUNDARIES).decision is IMPLICIT


def test_boundary_delegation_example_zhang():
    # "Permissions boundaries for IAM entities", delegating responsibility: DelegatedUserBoundary for Zhang
    boundary = {"Version": "2012-10-17", "Statement": [
        {"Sid": "CreateOrChangeOnlyWithBoundary", "Effect": "Allow",
         "Action": ["iam:CreateUser", "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy", "iam:PutUserPermissionsBoundary"],
         "Resource": "*",
         "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/XCompanyBoundaries"}}},
        {"Sid": "CloudWatchAndOtherIAMTasks", "Effect": "Allow", "Action": ["cloudwatch:*", "iam:GetUser", "iam:ListUsers"], "Resource": "*"},
        {"Sid": "NoBoundaryPolicyEdit", "Effect": "Deny",
         "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
         "Resource": ["arn:aws:iam::123456789012:policy/XCompanyBoundaries", "arn:aws:iam::123456789012:policy/DelegatedUserBoundary"]},
        {"Sid": "NoBoundaryUserDelete", "Effect": "Deny", "Action": "iam:DeleteUserPermissionsBoundary", "Resource": "*"}]}
    permissions = {"Version": "2012-10-17", "Statement": [{"Sid": "IAM", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}
    zhang = f"arn:aws:iam::{ACCT}:user/Zhang"
    new_user = f"arn:aws:iam::{ACCT}:user/newhire"
    kw = dict(identity=[permissions], boundary=boundary)
    ok = {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/XCompanyBoundaries"}
    assert decide(zhang, "iam:CreateUser", new_user, ok, **kw).decision is ALLOW
    assert decide(zhang, "iam:CreateUser", new_user, {}, **kw).decision is IMPLICIT
    assert decide(zhang, "iam:DeleteUserPermissionsBoundary", zhang, {}, **kw).decision is EXPLICIT
    assert decide(zhang, "iam:DeletePolicy", "arn:aws:iam::123456789012:policy/XCompanyBoundaries", {}, **kw).decision is EXPLICIT


def test_boundary_does_not_limit_user_arn_in_resource_policy_but_explicit_deny_does():
    # "Permissions boundaries for IAM entities", evaluating effective permissions with boundaries
    rbp = bucket_policy(USER)
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, resource=[rbp], boundary=NO_S3_BOUNDARY).decision is ALLOW
    denying = {"Version": "2012-10-17", "Statement": [NO_S3_BOUNDARY["Statement"],
                                                      {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, resource=[rbp], boundary=denying).decision is EXPLICIT


def test_not_principal_deny_always_denies_principals_with_a_boundary():
    # "Permissions boundaries for IAM entities", Important note on NotPrincipal with Deny
    rbp = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{ACCT}:root"]}, "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:*", "Resource": "*"}]}
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, resource=[rbp]).decision is ALLOW
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, resource=[rbp], boundary=allow("s3:*")).decision is EXPLICIT


def test_not_principal_example_bob():
    # "AWS JSON policy elements: NotPrincipal", IAM user in the same or a different account
    rbp = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": [
        "arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]}, "Action": "s3:*",
        "Resource": ["arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"]}]}
    bob, alice = "arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:user/Alice"
    kw = dict(resource=[rbp], identity=[allow("s3:*")], resource_account=ACCT)
    assert decide(alice, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/x", **kw).decision is EXPLICIT
    # not denied, but not allowed either: "This example by itself does not grant access to Bob"
    assert decide(bob, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/x", **kw).decision is IMPLICIT
    # listing only Bob's ARN (not his account) may deny the whole account: we take that conservative reading
    only_bob = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": bob},
                                                        "Action": "s3:*", "Resource": "*"}]}
    assert decide(bob, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/x", resource=[only_bob], identity=[allow("s3:*")],
                  resource_account=ACCT).decision is EXPLICIT


# --- SCPs and RCPs --------------------------------------------------------------------------------------
FULL = allow("*")


def test_scp_allow_needed_at_every_level():
    # AWS Organizations "SCP evaluation": an explicit Allow at every level from the root through each OU
    kw = dict(identity=[allow("s3:*")])
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, scps=[FULL, FULL, allow("s3:*")], **kw).decision is ALLOW
    result = decide(USER, "s3:GetObject", BUCKET_OBJ, scps=[FULL, allow("ec2:*"), FULL], **kw)
    assert result.decision is IMPLICIT and "SCP at organization level 1" in result.reason
    # an SCP grants nothing by itself; its Deny is explicit
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, scps=[FULL]).decision is IMPLICIT
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, scps=[[FULL, deny()]], **kw).decision is EXPLICIT


def test_scp_limits_resource_based_grants_and_root():
    # "How AWS enforcement code logic evaluates ...": SCPs are checked before resource-based policies;
    # "Policies and permissions in IAM": the root user is affected by SCPs
    rbp = bucket_policy(USER)
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, resource=[rbp], scps=[allow("ec2:*")]).decision is IMPLICIT
    root = f"arn:aws:iam::{ACCT}:root"
    assert decide(root, "s3:GetObject", BUCKET_OBJ).decision is ALLOW
    assert decide(root, "s3:GetObject", BUCKET_OBJ, scps=[allow("ec2:*")]).decision is IMPLICIT


RCP_FULL = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}


def test_rcp_deny_blocks_and_full_access_passes():
    # AWS Organizations "RCP evaluation": RCPFullAWSAccess passes everything through; a Deny RCP blocks
    rcp_deny = {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                                                       "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalAccount": ACCT}}}}
    outsider = "arn:aws:iam::999999999999:user/eve"
    kw = dict(resource=[bucket_policy("*")], identity=[allow("s3:*")], resource_account=ACCT)
    assert decide(outsider, "s3:GetObject", BUCKET_OBJ, rcps=[RCP_FULL], **kw).decision is ALLOW
    assert decide(outsider, "s3:GetObject", BUCKET_OBJ, rcps=[[RCP_FULL, rcp_deny]], **kw).decision is EXPLICIT
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, rcps=[[RCP_FULL, rcp_deny]], resource=[bucket_policy("*")]).decision is ALLOW


# --- explanations and inputs ----------------------------------------------------------------------------
def test_explanation_names_policy_statement_and_reason():
    result = decide(USER, "s3:PutObject", BUCKET_OBJ, identity=[CARLOS_IDENTITY])
    text = result.explain()
    assert text.startswith("IMPLICIT_DENY: no identity-based policy allows s3:PutObject")
    assert "identity[0] Statement[0] (Sid 'AllowS3ListRead'): Allow does not apply -- action s3:PutObject is not in Action" in text
    assert "resource arn:aws:s3:::amzn-s3-demo-bucket/report.csv is not in Resource" in text
    denied = decide(USER, "s3:PutObject", "arn:aws:s3:::logs", identity=[CARLOS_IDENTITY])
    assert "decided by identity[0] Statement[2] (Sid 'DenyS3Logs'): Deny applies" in denied.explain()


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="roles act through sessions"):
        Request(ROLE, "s3:GetObject")
    with pytest.raises(ValueError, match="without wildcards"):
        Request(USER, "s3:Get*")
    with pytest.raises(ValueError, match="is not an ARN"):
        Request(USER, "s3:GetObject", "bucket/key")
    with pytest.raises(ValueError, match="differ only in case"):
        Request(USER, "s3:GetObject", context={"aws:SourceIp": "1.2.3.4", "AWS:SOURCEIP": "1.2.3.4"})
    with pytest.raises(ValueError, match="session policies only for role or federated-user sessions"):
        decide(USER, "s3:GetObject", session=[allow()])
    with pytest.raises(ValueError, match="no permissions boundary for the root user"):
        decide(f"arn:aws:iam::{ACCT}:root", "s3:GetObject", identity=[allow()])
    with pytest.raises(ValueError, match="parse it with kind='resource'"):
        from labsupport.security.iam import parse_policy
        PolicySet(resource=[parse_policy(allow())])


def test_wildcard_principal_same_account_and_cross_account():
    # "AWS JSON policy elements: Principal", all principals: within the account no other permissions are
    # required; principals in other accounts also need identity-based permissions
    public = bucket_policy("*")
    assert decide(SESSION, "s3:GetObject", BUCKET_OBJ, resource=[public], boundary=NO_S3_BOUNDARY).decision is ALLOW
    outsider = "arn:aws:iam::999999999999:user/eve"
    assert decide(outsider, "s3:GetObject", BUCKET_OBJ, resource=[public], resource_account=ACCT).decision is IMPLICIT
    assert decide(outsider, "s3:GetObject", BUCKET_OBJ, resource=[public], identity=[ROLE_S3],
                  resource_account=ACCT).decision is ALLOW
    blocked = bucket_policy("*", effect="Deny")
    assert decide(USER, "s3:GetObject", BUCKET_OBJ, resource=[blocked], identity=[ROLE_S3]).decision is EXPLICIT
