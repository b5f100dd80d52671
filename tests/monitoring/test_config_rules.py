"""AWS Config model (config_rules, config_account): CIs on change, managed rules, drift, detection delays."""

import statistics

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.monitoring.config.account import run_config_account
from labsupport.monitoring.config.rules import (BUCKET, COMPLIANT, MANAGED_RULES, NON_COMPLIANT, NOT_APPLICABLE,
                                     SECURITY_GROUP, VOLUME, Inventory, baseline_account, drift)

EBS, S3, SSH = MANAGED_RULES


def test_inventory_records_only_changes_in_order():
    inv = Inventory()
    assert inv.record("b", BUCKET, {"public_read": False, "block_public_access": True}, time_s=0).version == 1
    assert inv.record("b", BUCKET, {"block_public_access": True, "public_read": False}, time_s=5) is None
    assert inv.record("b", BUCKET, {"public_read": True, "block_public_access": True}, time_s=9).version == 2
    assert inv.as_of("b", 8).version == 1 and inv.as_of("b", 9).version == 2 and inv.as_of("b", -1) is None
    with pytest.raises(ValueError, match="resource_id='b' is a AWS::S3::Bucket"):
        inv.record("b", VOLUME, {"encrypted": True}, time_s=10)
    with pytest.raises(ValueError, match="time_s=1"):
        inv.record("b", BUCKET, {"public_read": False, "block_public_access": False}, time_s=1)


@pytest.mark.parametrize("rule, rtype, config, expected", [
    (EBS, VOLUME, {"encrypted": False, "attached": True}, NON_COMPLIANT),
    (EBS, VOLUME, {"encrypted": False, "attached": False}, NOT_APPLICABLE),   # the rule checks attached volumes
    (EBS, VOLUME, {"encrypted": True, "attached": True}, COMPLIANT),
    (S3, BUCKET, {"public_read": True, "block_public_access": True}, COMPLIANT),
    (S3, BUCKET, {"public_read": True, "block_public_access": False}, NON_COMPLIANT),
    (SSH, SECURITY_GROUP, {"ingress": ((0, 65535, "::/0"),)}, NON_COMPLIANT),
    (SSH, SECURITY_GROUP, {"ingress": ((23, 1024, "0.0.0.0/0"), (22, 22, "10.0.0.0/8"))}, COMPLIANT),
    (SSH, VOLUME, {"encrypted": False, "attached": True}, NOT_APPLICABLE),
])
def test_managed_rules(rule, rtype, config, expected):
    assert rule.evaluate(rtype, config) == expected


ingress = st.tuples(st.integers(0, 100), st.integers(0, 100), st.sampled_from(["0.0.0.0/0", "::/0", "10.0.0.0/8"]))


@settings(max_examples=60, deadline=None)
@given(encrypted=st.booleans(), attached=st.booleans(), read=st.booleans(), bpa=st.booleans(),
       rules=st.lists(ingress.map(lambda r: (min(r[:2]), max(r[:2]), r[2])), max_size=5))
def test_every_remediation_makes_the_resource_pass(encrypted, attached, read, bpa, rules):
    for rule, rtype, c in [(EBS, VOLUME, {"encrypted": encrypted, "attached": attached}),
                           (S3, BUCKET, {"public_read": read, "block_public_access": bpa}),
                           (SSH, SECURITY_GROUP, {"ingress": tuple(rules)})]:
        assert rule.evaluate(rtype, rule.fix(c)) != NON_COMPLIANT


def test_drift_sees_changes_rules_ignore():
    base = baseline_account(1, 1, 1)
    current = {rid: dict(c) for rid, (_, c) in base.items()}
    assert drift(current, base) == {}
    current["bucket-1"]["tags"] = "v9"
    assert drift(current, base) == {"bucket-1": ("tags",)}
    assert S3.evaluate(BUCKET, current["bucket-1"]) == COMPLIANT


def test_same_seed_same_account_history():
    a = run_config_account(seed=5, duration_s=7 * 86400)
    assert a == run_config_account(seed=5, duration_s=7 * 86400)
    assert a.changes != run_config_account(seed=6, duration_s=7 * 86400).changes


def test_continuous_recording_detects_after_the_recording_delay():
    run = run_config_account(seed=1, duration_s=60 * 86400, recording_delay_s=90, remediation_delay_s=200)
    assert run.episodes and {round(d, 6) for d in run.detection_delays_s(EBS.name)} == {90}
    assert {round(x, 6) for x in run.exposures_s(EBS.name)} == {290}
    assert all(d <= 90 for d in run.detection_delays_s(SSH.name))      # a periodic run may come first
    assert {r for _, _, r in run.remediations} == {"fixed"}


def test_daily_recording_against_uniform_waiting_times():
    run = run_config_account(seed=2026, recording="daily", duration_s=365 * 86400, changes_per_day=1.5)
    ebs = run.detection_delays_s(EBS.name)
    hybrid = run.detection_delays_s(S3.name) + run.detection_delays_s(SSH.name)
    assert statistics.median(ebs) == pytest.approx(43_200, rel=0.25)   # next daily CI: uniform on (0, 24 h)
    assert statistics.fmean(hybrid) == pytest.approx(1_800, rel=0.15)  # next hourly periodic run
    assert max(hybrid) < 3600


def test_without_remediation_nothing_is_fixed():
    run = run_config_account(seed=3, remediation=False, bad_fraction=1.0, duration_s=3 * 86400)
    assert run.episodes and all(e.end_s is None for e in run.episodes) and not run.remediations
    at_end = run.compliance_at(3 * 86400, reported=False)
    assert sum(v == NON_COMPLIANT for v in at_end.values()) == len(run.episodes)


def test_failing_remediation_gives_up_after_max_attempts():
    run = run_config_account(seed=3, remediation_failure_probability=1.0, max_attempts=3, bad_fraction=1.0,
                             duration_s=3 * 86400)
    outcomes = [r for _, rid, r in run.remediations if rid == run.remediations[0][1]]
    assert outcomes == ["failed", "failed", "failed", "gave up"]


def test_reported_compliance_lags_the_real_state():
    run = run_config_account(seed=3)
    e = run.episodes[0]
    mid = (e.start_s + e.detected_s) / 2
    assert run.compliance_at(mid, reported=False)[e.resource_id] == NON_COMPLIANT
    assert run.compliance_at(mid)[e.resource_id] == COMPLIANT
    assert run.compliance_at(e.detected_s)[e.resource_id] == NON_COMPLIANT


@pytest.mark.parametrize("kwargs, word", [
    (dict(recording="weekly"), "recording"), (dict(periodic_s=1800), "periodic_s"),
    (dict(bad_fraction=2), "bad_fraction"), (dict(max_attempts=26), "max_attempts"),
    (dict(n_volumes=-1), "n_volumes")])
def test_bad_arguments_name_the_parameter(kwargs, word):
    with pytest.raises(ValueError, match=word):
        run_config_account(**kwargs)
