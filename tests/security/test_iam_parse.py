"""Parsing and validation: malformed policies raise PolicyError naming the element and position.

Rules from "IAM JSON policy elements reference" (Version, Statement, Sid, Effect, Principal,
NotPrincipal, Action, NotAction, Resource, NotResource, Condition) and the AWS Organizations
"SCP syntax" / "RCP syntax" pages.
"""

import json

import pytest

from labsupport.security.iam import PolicyError, parse_policy

OK = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def doc(*statements, version="2012-10-17"):
    d = {"Statement": list(statements)}
    if version:
        d["Version"] = version
    return d


def error(document, kind="identity"):
    with pytest.raises(PolicyError) as info:
        parse_policy(document, kind=kind)
    return str(info.value)


def test_accepts_json_string_or_dict_statement_object_or_list():
    as_list = parse_policy(json.dumps(doc(OK, {**OK, "Effect": "Deny"})))
    as_object = parse_policy({"Version": "2012-10-17", "Statement": OK})
    assert [s.effect for s in as_list.statements] == ["Allow", "Deny"]
    assert len(as_object.statements) == 1 and as_object.variables_enabled
    assert not parse_policy({"Statement": OK}).variables_enabled  # no Version: variables are literal text
    assert not parse_policy(doc(OK, version="2008-10-17")).variables_enabled


def test_policy_error_is_a_value_error():
    assert issubclass(PolicyError, ValueError)


@pytest.mark.parametrize("document, message", [
    ("{not json", "invalid JSON"),
    ('{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Effect": "Deny"}}', "duplicate key 'Effect'"),
    ([OK], "must be a JSON object"),
    (doc(OK, version="2020-01-01"), "Version: '2020-01-01' is not a policy language version"),
    ({"Version": "2012-10-17"}, "Statement: missing"),
    (doc(), "Statement: empty list"),
    ({"Statement": OK, "Statment": []}, "Statment: unknown top-level element"),
    (doc(OK, {**OK, "Effect": "Permit"}), 'Statement[1].Effect: must be "Allow" or "Deny"'),
    (doc({"Effect": "Allow", "Resource": "*"}), "Statement[0]: has neither Action nor NotAction"),
    (doc({**OK, "NotAction": "s3:PutObject"}), "Statement[0]: has both Action and NotAction"),
    (doc({"Effect": "Allow", "Action": "s3:*"}), "Statement[0]: has neither Resource nor NotResource"),
    (doc({**OK, "NotResource": "*"}), "Statement[0]: has both Resource and NotResource"),
    (doc({**OK, "Action": "s3"}), "Statement[0].Action: action 's3' is not of the form service:Action"),
    (doc({**OK, "Action": ["s3:Get*", 7]}), "Statement[0].Action: must be a string or a non-empty list of strings"),
    (doc({**OK, "Action": []}), "Statement[0].Action: must be a string or a non-empty list of strings"),
    (doc({**OK, "Resource": ["*", "my-bucket"]}), "Statement[0].Resource[1]: resource 'my-bucket' is not an ARN"),
    (doc({**OK, "Resource": "arn:aws:s3*:::b"}), "wildcard in the service segment"),
    (doc({**OK, "Resource": "arn:aws:s3:${aws:username}::b"}), "policy variable before the fifth colon"),
    (doc({**OK, "Resource": "arn:aws:s3:::b/${aws:username"}), "unterminated policy variable"),
    (doc({**OK, "Resource": "arn:aws:sqs:us-east-1"}), "fewer than six ARN segments"),
    (doc({**OK, "Sid": 3}), "Statement[0].Sid: must be a string"),
    (doc({**OK, "Sid": "A"}, {**OK, "Sid": "A"}), "Sid 'A' is used more than once"),
    (doc({**OK, "Actions": "s3:*"}), "Statement[0].Actions: unknown statement element"),
    (doc({**OK, "principal": "*"}), "Statement[0].principal: unknown statement element; did you mean Principal?"),
    (doc({**OK, "Principal": "*"}), "Statement[0].Principal: not allowed in a identity policy"),
])
def test_malformed_documents(document, message):
    assert message in error(document)


@pytest.mark.parametrize("condition, message", [
    ({"StringEqualz": {"k": "v"}}, "Statement[0].Condition.StringEqualz: unknown condition operator; did you mean StringEquals?"),
    ({"StringLikeIfExist": {"k": "v"}}, "did you mean StringLikeIfExists?"),
    ({"ForAnyValues:StringLike": {"k": "v"}}, "unknown set qualifier 'ForAnyValues'; did you mean ForAnyValue?"),
    ({"NullIfExists": {"k": "true"}}, "Null cannot take ...IfExists"),
    ({"ForAllValues:Null": {"k": "true"}}, "Null cannot take"),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}, "IpAddress.aws:SourceIp (policy value): '203.0.113.0/33' is not an IPv4/IPv6 CIDR"),
    ({"IpAddress": {"aws:SourceIp": "not-an-ip"}}, "is not an IPv4/IPv6 CIDR"),
    ({"IpAddress": {"aws:SourceIp": 5}}, "is not a string IP address or CIDR block"),
    ({"NumericLessThan": {"s3:max-keys": "ten"}}, "NumericLessThan.s3:max-keys (policy value): 'ten' is not a number"),
    ({"NumericLessThan": {"s3:max-keys": True}}, "is not a number"),
    ({"NumericLessThan": {"n": "${aws:username}"}}, "policy variables cannot be used with numeric"),
    ({"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}, "is not an ISO 8601 date-time"),
    ({"DateGreaterThan": {"aws:CurrentTime": "2020-13-01T00:00:00Z"}}, "is not a valid date"),
    ({"Bool": {"aws:SecureTransport": "yes"}}, 'Bool expects "true" or "false"'),
    ({"Null": {"aws:TokenIssueTime": "maybe"}}, "Null expects"),
    ({"BinaryEquals": {"k": "***"}}, "is not base-64"),
    ({"ArnLike": {"aws:SourceArn": "my-topic"}}, "is not an ARN"),
    ({"StringEquals": {"k": {"nested": 1}}}, "condition value must be a string, number or boolean"),
    ({"StringEquals": {"k": []}}, "StringEquals.k: needs at least one value"),
    ({"StringEquals": {}}, "StringEquals: must map condition keys to values"),
    ({"StringEquals": "k"}, "StringEquals: must map condition keys to values"),
    ([], "Statement[0].Condition: must be a non-empty object"),
])
def test_malformed_conditions(condition, message):
    assert message in error(doc({**OK, "Condition": condition}))


def test_principal_rules_by_policy_kind():
    # Principal: required in resource-based policies, forbidden in identity policies and SCPs
    assert "has neither Principal nor NotPrincipal" in error(doc(OK), kind="resource")
    assert "not allowed in a scp policy" in error(doc({**OK, "Principal": "*"}), kind="scp")
    assert "not allowed in a boundary policy" in error(doc({**OK, "Principal": "*"}), kind="boundary")
    # NotPrincipal must be used with Deny ("AWS JSON policy elements: NotPrincipal")
    assert "only supported with \"Effect\": \"Deny\"" in error(doc({**OK, "NotPrincipal": {"AWS": "111122223333"}}), kind="resource")
    assert "uses a wildcard" in error(doc({**OK, "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}}), kind="resource")
    assert "unknown principal type 'Aws'" in error(doc({**OK, "Principal": {"Aws": "*"}}), kind="resource")
    assert "is not an account ID" in error(doc({**OK, "Principal": {"AWS": "bob"}}), kind="resource")
    # a resource-based statement may omit Resource (it covers the resource it is attached to)
    trust = parse_policy(doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}),
                         kind="resource")
    assert trust.statements[0].resources is None


def test_rcp_rules():
    # AWS Organizations "RCP syntax": Version 2012-10-17, Principal, no NotAction or NotPrincipal
    rcp = {**OK, "Principal": "*"}
    assert parse_policy(doc(rcp), kind="rcp").kind == "rcp"
    assert "must use" in error(doc(rcp, version=None), kind="rcp")
    assert "NotAction: not supported" in error(doc({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*", "Principal": "*"}), kind="rcp")


def test_unknown_kind_is_a_value_error():
    with pytest.raises(ValueError, match="kind='bucket'"):
        parse_policy(doc(OK), kind="bucket")
