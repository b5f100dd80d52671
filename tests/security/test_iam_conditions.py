"""Condition operators, checked against the examples of the AWS IAM User Guide.

Pages: "IAM JSON policy elements: Condition operators", "IAM JSON policy elements:
Condition", "Conditions with multiple context keys or values" and "Creating a condition
that tests multiple key values (set operations)".
"""

from datetime import datetime, timezone

import pytest

from labsupport.security.iam import Decision, PolicySet, Request, evaluate
from labsupport.security.iam.conditions import check_condition, parse_conditions

USER = "arn:aws:iam::111122223333:user/johndoe"


def holds(block, context, version=True):
    """True if every test of the Condition block passes for this (lower-case keyed) context."""
    ctx = {k.lower(): v for k, v in context.items()}
    return all(check_condition(c, ctx)[0] for c in parse_conditions(block, variables=version))


def allowed(condition, context, action="s3:ListBucket", resource="*", principal=USER, effect="Allow"):
    stmt = {"Effect": effect, "Action": action, "Resource": resource, "Condition": condition}
    policies = [{"Version": "2012-10-17", "Statement": stmt}]
    if effect == "Deny":
        policies.append({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    return evaluate(Request(principal, action, resource, context), PolicySet(identity=policies)).decision


# --- String ---------------------------------------------------------------------------------------------
def test_string_equals_principal_tag_example():
    # "Condition operators", string condition operators: aws:PrincipalTag/job-category
    cond = {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}
    assert holds(cond, {"aws:PrincipalTag/job-category": "iamuser-admin"})
    assert not holds(cond, {"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"})
    assert not holds(cond, {})  # "If a user without the tag attempts ... the condition returns false"


def test_string_case_of_values_and_keys():
    # "IAM JSON policy elements: Condition": key names are not case-sensitive; values depend on the operator
    assert holds({"StringEquals": {"aws:username": "johndoe"}}, {"aws:username": "johndoe"})
    assert not holds({"StringEquals": {"aws:username": "johndoe"}}, {"aws:username": "JohnDoe"})
    assert holds({"StringEqualsIgnoreCase": {"aws:username": "johndoe"}}, {"aws:username": "JohnDoe"})
    assert holds({"IpAddress": {"aws:SourceIP": "203.0.113.0/24"}}, {"AWS:SourceIp": "203.0.113.7"})


def test_string_like_home_directory_example():
    # "Condition operators": StringLike with ${aws:username} for an S3 home directory
    cond = {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}}
    assert allowed(cond, {"s3:prefix": "home/johndoe/"}) is Decision.ALLOW
    assert allowed(cond, {"s3:prefix": ""}) is Decision.ALLOW
    assert allowed(cond, {"s3:prefix": "home/alice/"}) is Decision.IMPLICIT_DENY
    like = {"StringLike": {"s3:prefix": "home/*/docs/?.txt"}}
    assert holds(like, {"s3:prefix": "home/a/b/docs/x.txt"}) and not holds(like, {"s3:prefix": "home/a/docs/xy.txt"})


def test_string_equals_does_not_expand_wildcards():
    # only the ...Like operators interpret * and ? ("Condition operators" table)
    assert not holds({"StringEquals": {"k": "a*"}}, {"k": "abc"})
    assert holds({"StringEquals": {"k": "a*"}}, {"k": "a*"})


# --- multiple keys, values, operators -------------------------------------------------------------------
def test_and_across_operators_and_keys_or_across_values():
    # "Conditions with multiple context keys or values": AND, AND, OR
    block = {"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr"], "aws:PrincipalTag/role": "audit"},
             "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"}}
    ctx = {"aws:PrincipalTag/department": "hr", "aws:PrincipalTag/role": "audit", "aws:PrincipalArn": USER}
    assert holds(block, ctx)
    assert not holds(block, {**ctx, "aws:PrincipalTag/role": "dev"})
    assert not holds(block, {**ctx, "aws:PrincipalArn": "arn:aws:iam::999999999999:user/x"})


def test_negated_operator_with_several_values_is_nor():
    # "Conditions with multiple context keys or values": negated operators evaluate several values with NOR
    cond = {"StringNotEquals": {"aws:PrincipalTag/role": ["audit", "security"]}}
    assert holds(cond, {"aws:PrincipalTag/role": "dev"})
    assert not holds(cond, {"aws:PrincipalTag/role": "audit"})
    assert not holds(cond, {"aws:PrincipalTag/role": "security"})
    assert holds({"NumericNotEquals": {"n": ["1", "2"]}}, {"n": 3}) and not holds({"NumericNotEquals": {"n": ["1", "2"]}}, {"n": 2})


def test_missing_key_positive_false_negated_true():
    # "Condition operators", Important: missing key -> false; negated operators (StringNotLike, ArnNotLike) -> true
    assert not holds({"StringLike": {"k": "*"}}, {})
    assert holds({"StringNotLike": {"k": "x"}}, {})
    assert holds({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}, {})
    assert holds({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {})


# --- Numeric, Date, Bool, Binary, IP, ARN, Null ---------------------------------------------------------
def test_numeric_max_keys_example():
    # "Condition operators", numeric: s3:max-keys up to 10
    cond = {"NumericLessThanEquals": {"s3:max-keys": "10"}}
    assert holds(cond, {"s3:max-keys": "10"}) and holds(cond, {"s3:max-keys": 2.5})
    assert not holds(cond, {"s3:max-keys": "11"})
    assert holds({"NumericGreaterThan": {"n": "1.5"}}, {"n": "1.50001"})


def test_date_token_issue_time_example():
    # "Condition operators", date: credentials issued after 2020-01-01T00:00:01Z; ISO 8601 and epoch
    cond = {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}
    assert holds(cond, {"aws:TokenIssueTime": "2020-06-01T12:00:00Z"})
    assert not holds(cond, {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"})
    assert not holds(cond, {})  # "The key is not present ... requests that are made using access keys"
    assert holds(cond, {"aws:TokenIssueTime": datetime(2021, 1, 1, tzinfo=timezone.utc)})
    assert holds({"DateLessThan": {"aws:EpochTime": 1577836802}}, {"aws:EpochTime": "1577836801"})
    assert holds({"DateEquals": {"aws:CurrentTime": "2020-01-01T02:00:00+02:00"}}, {"aws:CurrentTime": "2020-01-01T00:00:00Z"})


def test_bool_secure_transport_example():
    # "Condition operators", Boolean: deny S3 when the request is not over SSL
    cond = {"Bool": {"aws:SecureTransport": "false"}}
    obj = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x"
    assert allowed(cond, {"aws:SecureTransport": False}, "s3:GetObject", obj, effect="Deny") is Decision.EXPLICIT_DENY
    assert allowed(cond, {"aws:SecureTransport": "true"}, "s3:GetObject", obj, effect="Deny") is Decision.ALLOW


def test_binary_equals():
    # "Condition operators", binary: compared byte for byte with the base-64 policy value
    cond = {"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}
    assert holds(cond, {"key": b"BinaryValueInBase64"}) and not holds(cond, {"key": b"other"})


def test_ip_address_examples():
    # "Condition operators", IP address: 203.0.113.0/24, mixed IPv4 and IPv6, default /32
    cond = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}
    assert holds(cond, {"aws:SourceIp": "203.0.113.255"}) and not holds(cond, {"aws:SourceIp": "203.0.114.1"})
    assert holds(cond, {"aws:SourceIp": "2001:db8:1234:5678::1"}) and not holds(cond, {"aws:SourceIp": "2001:db8::1"})
    assert holds({"IpAddress": {"aws:SourceIp": "198.51.100.7"}}, {"aws:SourceIp": "198.51.100.7"})
    assert not holds({"IpAddress": {"aws:SourceIp": "198.51.100.7"}}, {"aws:SourceIp": "198.51.100.8"})
    assert not holds({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {})  # e.g. a request through a VPC endpoint


def test_arn_like_is_per_segment_unlike_string_like():
    # "Condition operators", ARN: the StringLike-matches-but-ArnLike-fails example
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert holds({"StringLike": {"aws:SourceArn": pattern}}, {"aws:SourceArn": value})
    assert not holds({"ArnLike": {"aws:SourceArn": pattern}}, {"aws:SourceArn": value})
    assert holds({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}},
                 {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"})
    assert not holds({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:topic"}}, {"aws:SourceArn": "arn:aws:sns:*:*:Topic"})


def test_null_example():
    # "Condition operators", Null: allow EC2 only when not using temporary credentials
    cond = {"Null": {"aws:TokenIssueTime": "true"}}
    assert allowed(cond, {}, "ec2:DescribeInstances") is Decision.ALLOW
    assert allowed(cond, {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}, "ec2:DescribeInstances") is Decision.IMPLICIT_DENY
    assert holds({"Null": {"k": False}}, {"k": "x"}) and not holds({"Null": {"k": "false"}}, {})


def test_if_exists_example():
    # "Condition operators", ...IfExists: ec2:InstanceType only where the resource has that key
    plain = {"StringLike": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    if_exists = {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    image = {}  # an image, key pair or security group has no ec2:InstanceType key
    assert not holds(plain, image) and holds(if_exists, image)
    assert holds(if_exists, {"ec2:InstanceType": "t2.micro"}) and not holds(if_exists, {"ec2:InstanceType": "c5.large"})
    # "If you are using Deny with a negated operator like StringNotEqualsIfExists, the request is still denied
    # even if the key is missing"
    assert holds({"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "ops"}}, {})


# --- set operators ForAllValues / ForAnyValue -----------------------------------------------------------
DDB = "arn:aws:dynamodb:us-east-1:111122223333:table/Thread"  # the doc writes REGION:ACCOUNT-ID-WITHOUT-HYPHENS


def test_for_all_values_dynamodb_example():
    # "Creating a condition that tests multiple key values": ForAllValues:StringLike on requested attributes
    cond = {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"]}}
    assert allowed(cond, {"dynamodb:requestedAttributes": ["PostDateTime", "Message"]}, "dynamodb:GetItem", DDB) is Decision.ALLOW
    assert allowed(cond, {"dynamodb:requestedAttributes": ["PostDateTime", "ID"]}, "dynamodb:GetItem", DDB) is Decision.IMPLICIT_DENY
    assert allowed(cond, {"dynamodb:requestedAttributes": ["PostDateTime", "UserName"]}, "dynamodb:GetItem", DDB) is Decision.IMPLICIT_DENY


def test_for_any_value_dynamodb_example():
    # same page: ForAnyValue with Deny on PutItem for ID and PostDateTime
    cond = {"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}}
    put = dict(action="dynamodb:PutItem", resource=DDB, effect="Deny")
    assert allowed(cond, {"dynamodb:requestedAttributes": ["UserName", "Message", "PostDateTime"]}, **put) is Decision.EXPLICIT_DENY
    assert allowed(cond, {"dynamodb:requestedAttributes": ["UserName"]}, **put) is Decision.ALLOW


def test_set_operators_with_missing_or_empty_keys():
    # same page, Note: an empty data set makes ForAllValues true and ForAnyValue false;
    # "Single-valued vs. multivalued context keys": ForAllValues is also true when the key is missing
    all_, any_ = {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}, {"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}
    for ctx in ({}, {"aws:TagKeys": []}, {"aws:TagKeys": ""}):
        assert holds(all_, ctx) and not holds(any_, ctx)
    assert holds(any_, {"aws:TagKeys": ["b", "a"]}) and not holds(all_, {"aws:TagKeys": ["b", "a"]})


def test_negated_set_operators():
    # NOR per request value ("Conditions with multiple context keys or values"), then all/any over values
    all_not = {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["DataClass", "Owner"]}}
    any_not = {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["DataClass", "Owner"]}}
    assert holds(all_not, {"aws:TagKeys": ["Dept", "SIC"]}) and not holds(all_not, {"aws:TagKeys": ["Dept", "Owner"]})
    assert holds(any_not, {"aws:TagKeys": ["Dept", "DataClass"]}) and not holds(any_not, {"aws:TagKeys": ["DataClass", "Owner"]})
    assert holds(all_not, {}) and not holds(any_not, {})


def test_multivalued_key_without_set_operator_is_an_error():
    # "Single-valued vs. multivalued context keys": multivalued context keys require a set operator
    with pytest.raises(ValueError, match="require ForAnyValue: or ForAllValues:"):
        holds({"StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a", "b"]})
    assert holds({"StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a"]})


def test_bad_request_values_are_errors_not_silent_mismatches():
    with pytest.raises(ValueError, match="not a number"):
        holds({"NumericLessThan": {"n": "3"}}, {"n": "three"})
    with pytest.raises(ValueError, match="not an IP address"):
        holds({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "localhost"})
    with pytest.raises(ValueError, match="not a boolean"):
        holds({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "yes"})


# --- policy variables in conditions ---------------------------------------------------------------------
def test_variables_in_string_and_arn_conditions_only_in_2012_version():
    # "IAM policy elements: Variables and tags": Condition element; "Version": literal text in 2008-10-17
    cond = {"StringEquals": {"s3:prefix": "${aws:username}/"}}
    assert holds(cond, {"aws:username": "ana", "s3:prefix": "ana/"})
    assert holds(cond, {"aws:username": "ana", "s3:prefix": "${aws:username}/"}, version=False)
    assert holds({"ArnEquals": {"aws:SourceArn": "${aws:PrincipalArn}"}}, {"aws:PrincipalArn": USER, "aws:SourceArn": USER})
    assert holds({"StringLike": {"k": "a${*}b${?}"}}, {"k": "a*b?"}) and not holds({"StringLike": {"k": "a${*}"}}, {"k": "ab"})


def test_unresolved_variable_makes_statement_invalid():
    # "IAM policy elements: Variables and tags": not present -> "any attempt to match it fails and causes the
    # statement to be invalid" -- neither Allow nor Deny applies
    cond = {"StringEquals": {"s3:prefix": "${aws:TokenIssueTime}"}}
    role = "arn:aws:sts::111122223333:assumed-role/r/s"
    assert allowed(cond, {"s3:prefix": "x"}, principal=role) is Decision.IMPLICIT_DENY
    assert allowed(cond, {"s3:prefix": "x"}, principal=role, effect="Deny") is Decision.ALLOW
    with_default = {"StringEquals": {"s3:prefix": "${aws:TokenIssueTime, 'none'}"}}
    assert allowed(with_default, {"s3:prefix": "none"}, principal=role) is Decision.ALLOW
