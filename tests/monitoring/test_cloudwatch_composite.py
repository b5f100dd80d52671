"""Composite alarm rules: the documented examples, malformed rules, and a round trip.

Source: Amazon CloudWatch User Guide, "Composite alarms" (alarm-combining.html) and the
PutCompositeAlarm AlarmRule reference.
"""

import itertools

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.monitoring.cloudwatch import ALARM, INSUFFICIENT_DATA, OK, STATES, MetricAlarm, evaluate_alarm
from labsupport.monitoring.cloudwatch.composite import (composite_state, evaluate_composite_series, evaluate_rule,
                                             parse_rule)


def all_states(names):
    for combo in itertools.product(STATES, repeat=len(names)):
        yield dict(zip(names, combo))


def test_documented_examples_truth_tables():
    names = ["CPUUtilizationTooHigh", "DiskReadOpsTooHigh", "NetworkOutTooHigh", "DeploymentInProgress"]
    cpu, disk, net, deploy = names
    examples = {
        "ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)":
            lambda s: s[cpu] == ALARM and s[disk] == ALARM,
        "ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)":
            lambda s: s[cpu] == ALARM and s[deploy] != ALARM,
        '(ALARM("CPUUtilizationTooHigh") OR ALARM("DiskReadOpsTooHigh")) AND OK("NetworkOutTooHigh")':
            lambda s: (s[cpu] == ALARM or s[disk] == ALARM) and s[net] == OK,
    }
    for rule, truth in examples.items():
        for states in all_states(names):
            assert composite_state(rule, states) == (ALARM if truth(states) else OK), (rule, states)


def test_documented_at_least_examples():
    web = ["WebServer1CPU", "WebServer2CPU", "WebServer3CPU", "WebServer4CPU"]
    rule = "AT_LEAST(2, ALARM, (WebServer1CPU, WebServer2CPU, WebServer3CPU, WebServer4CPU))"
    db = ["DatabaseConnection1", "DatabaseConnection2", "DatabaseConnection3", "DatabaseConnection4"]
    rule_pct = "AT_LEAST(50%, OK, (DatabaseConnection1, DatabaseConnection2, DatabaseConnection3, " \
               "DatabaseConnection4))"
    for states in all_states(web):
        assert evaluate_rule(rule, states) == (sum(s == ALARM for s in states.values()) >= 2)
    for states in all_states(db):
        assert evaluate_rule(rule_pct, states) == (sum(s == OK for s in states.values()) >= 2)
    az = {"AZ1Health": ALARM, "AZ2Health": ALARM, "AZ3Health": OK, "MaintenanceWindow": OK}
    mixed = "AT_LEAST(2, ALARM, (AZ1Health, AZ2Health, AZ3Health)) AND NOT ALARM(MaintenanceWindow)"
    assert composite_state(mixed, az) == ALARM
    assert composite_state(mixed, {**az, "MaintenanceWindow": ALARM}) == OK


def test_at_least_with_negated_condition_and_rounding_up_of_percentages():
    states = {"a": INSUFFICIENT_DATA, "b": OK, "c": ALARM}
    assert evaluate_rule("AT_LEAST(2, NOT ALARM, (a, b, c))", states)
    assert not evaluate_rule("AT_LEAST(3, NOT ALARM, (a, b, c))", states)
    assert not evaluate_rule("AT_LEAST(50%, ALARM, (a, b, c))", states)      # 1/3 < 50 %
    assert evaluate_rule("AT_LEAST(33%, ALARM, (a, b, c))", states)


def test_constants_quotes_and_names():
    assert evaluate_rule("TRUE", {}) and not evaluate_rule("FALSE", {})
    assert evaluate_rule("NOT FALSE AND TRUE", {})
    rule = parse_rule('INSUFFICIENT_DATA("my alarm (prod)") OR ALARM("say \\"hi\\"")')
    assert rule.alarms == {"my alarm (prod)", 'say "hi"'}
    assert evaluate_rule(rule, {"my alarm (prod)": INSUFFICIENT_DATA, 'say "hi"': OK})
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high"
    assert parse_rule(f"ALARM({arn})").alarms == {arn}


@pytest.mark.parametrize("rule, message", [
    ("", "non-empty"),
    ("ALARM(cpu", "expected '\\)'"),
    ("ALARM cpu)", "expected '\\('"),
    ("ALARM()", "expected an alarm name"),
    ("ALARM(a) and ALARM(b)", "found 'and'"),
    ("ALARM(a) AND", "found the end of the rule"),
    ("ALARM(a) ALARM(b)", "expected AND, OR or the end"),
    ("ALARM(a) AND ALARM(b) OR ALARM(c)", "mixes AND and OR"),
    ("BROKEN(a)", "expected ALARM"),
    ("(ALARM(a)", "expected '\\)'"),
    ("ALARM(a))", "expected AND, OR or the end"),
    ('ALARM("a)', "unterminated quoted name"),
    ("AT_LEAST(0, ALARM, (a))", "count >= 1"),
    ("AT_LEAST(101%, ALARM, (a))", "percentage"),
    ("AT_LEAST(3, ALARM, (a, b))", "more alarms than the 2 listed"),
    ("AT_LEAST(1, BAD, (a))", "ALARM, OK or INSUFFICIENT_DATA"),
    ("AT_LEAST(1, ALARM, a)", "expected '\\('"),
    ("NOT", "found the end of the rule"),
])
def test_malformed_rules_are_rejected_with_a_pointer(rule, message):
    with pytest.raises(ValueError, match=message):
        parse_rule(rule)


def test_parenthesised_mixtures_are_fine_and_limits_hold():
    assert evaluate_rule("(ALARM(a) AND ALARM(b)) OR ALARM(c)", {"a": OK, "b": OK, "c": ALARM})
    too_many = " OR ".join(f"ALARM(a{i})" for i in range(101))
    with pytest.raises(ValueError, match="at most 100"):
        parse_rule(too_many)
    with pytest.raises(ValueError, match="no entry for alarm"):
        evaluate_rule("ALARM(a) OR ALARM(b)", {"a": OK})
    with pytest.raises(ValueError, match="states\\['a'\\]='BROKEN'"):
        evaluate_rule("ALARM(a)", {"a": "BROKEN"})


def test_composite_over_metric_alarm_traces():
    cpu = evaluate_alarm(MetricAlarm(threshold=80, evaluation_periods=2), [90, 95, 95, 50, 95])
    deploy = [OK, OK, ALARM, ALARM, OK]
    got = evaluate_composite_series("ALARM(cpu) AND NOT ALARM(deploy)",
                                    {"cpu": [e.state for e in cpu], "deploy": deploy})
    assert got == (OK, ALARM, OK, OK, OK)
    with pytest.raises(ValueError, match="different lengths"):
        evaluate_composite_series("ALARM(a)", {"a": [OK], "b": [OK, OK]})


# ---- round trip: random rule trees render to text, parse back, evaluate the same --------

NAMES = ["a", "b", "c", "d"]
leaf = st.one_of(st.sampled_from(["TRUE", "FALSE"]).map(lambda c: (c, lambda s, c=c: c == "TRUE")),
                 st.tuples(st.sampled_from(STATES), st.sampled_from(NAMES)).map(
                     lambda t: (f"{t[0]}({t[1]})", lambda s, t=t: s[t[1]] == t[0])))


def combine(children):
    def node(kind, kids):
        if kind == "NOT":
            text, fn = kids[0]
            return f"NOT ({text})", lambda s: not fn(s)
        joined = f" {kind} ".join(f"({t})" for t, _ in kids)
        fns = [f for _, f in kids]
        return joined, (lambda s: all(f(s) for f in fns)) if kind == "AND" else (lambda s: any(f(s) for f in fns))
    return st.one_of(st.tuples(st.just("NOT"), st.lists(children, min_size=1, max_size=1)),
                     st.tuples(st.sampled_from(["AND", "OR"]), st.lists(children, min_size=2, max_size=3))
                     ).map(lambda kk: node(*kk))


rules = st.recursive(leaf, combine, max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(rules, st.fixed_dictionaries({n: st.sampled_from(STATES) for n in NAMES}))
def test_rendered_rules_evaluate_like_python(rule, states):
    text, truth = rule
    assert evaluate_rule(text, states) == truth(states)


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({n: st.sampled_from(STATES) for n in NAMES}))
def test_de_morgan(states):
    assert evaluate_rule("NOT (ALARM(a) AND OK(b))", states) == evaluate_rule("NOT ALARM(a) OR NOT OK(b)", states)
