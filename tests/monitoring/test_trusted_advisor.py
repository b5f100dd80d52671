"""Trusted Advisor checks: documented thresholds at their boundaries, plans, and the binomial tail."""

import pytest

from labsupport.monitoring.trusted_advisor import (CHECKS, ERROR, NOT_AVAILABLE, OK, PLANS, WARNING, Account, Instance,
                                        findings_rows, generate_account, low_utilization,
                                        low_utilization_probability, run_checks)


def account(**changes):
    base = dict(instances=(), elastic_ips=(), security_groups=(), buckets=(), db_instances=(), quotas=(),
                root_mfa=True)
    return Account(**{**base, **changes})


def instance(iid, cpu, net, az="us-east-1a"):
    return Instance(iid, az, tuple(cpu), tuple(net))


def status(acct, title, plan="enterprise"):
    return next(f for f in run_checks(acct, plan) if f.check == title)


def test_low_utilization_needs_four_of_fourteen_days_at_or_below_both_limits():
    three = instance("three", [10] * 3 + [50] * 11, [5] * 14)
    four = instance("four", [10] * 4 + [50] * 10, [5] * 4 + [100] * 10)
    busy_net = instance("net", [5] * 14, [5.1] * 14)
    f = status(account(instances=(three, four, busy_net), ), "Low Utilization Amazon EC2 Instances")
    assert f.status == WARNING and f.flagged == ("four",)


def test_high_utilization_is_strictly_above_ninety():
    at = instance("at90", [90] * 14, [100] * 14)
    above = instance("above", [90.1] * 4 + [50] * 10, [100] * 14)
    assert status(account(instances=(at, above)), "High Utilization Amazon EC2 Instances").flagged == ("above",)


@pytest.mark.parametrize("used, expected", [(79.9, OK), (80, WARNING), (99.9, WARNING), (100, ERROR), (120, ERROR)])
def test_service_limits_yellow_at_80_red_at_100(used, expected):
    assert status(account(quotas=(("vCPUs", used, 100.0),)), "Service Limits").status == expected


@pytest.mark.parametrize("rules, expected", [
    (((22, 22, "0.0.0.0/0"),), ERROR), (((0, 65535, "::/0"),), ERROR), (((8080, 8080, "0.0.0.0/0"),), WARNING),
    (((443, 443, "0.0.0.0/0"), (80, 80, "::/0")), OK), (((22, 22, "10.0.0.0/8"),), OK),
    (((8080, 8080, "0.0.0.0/0"), (3389, 3389, "0.0.0.0/0")), ERROR)])
def test_open_ports(rules, expected):
    assert status(account(security_groups=(("sg", rules),)), "Security Groups - Specific Ports Unrestricted").status \
        == expected


def test_the_worst_resource_sets_the_status():
    acct = account(buckets=(("r", True, False), ("w", False, True), ("p", False, False)), root_mfa=False,
                   elastic_ips=(("e1", None), ("e2", "i-1")), db_instances=(("a", True), ("b", False)))
    assert status(acct, "Amazon S3 Bucket Permissions").status == ERROR
    assert status(acct, "Amazon S3 Bucket Permissions").flagged == ("r", "w")
    assert status(acct, "MFA on Root Account").status == ERROR
    assert status(acct, "Unassociated Elastic IP Addresses").flagged == ("e1",)
    assert status(acct, "Amazon RDS Multi-AZ").flagged == ("b",)


def test_zone_balance():
    one_zone = tuple(instance(f"i{k}", [50] * 14, [100] * 14) for k in range(3))
    assert status(account(instances=one_zone), "Amazon EC2 Availability Zone Balance").status == ERROR
    skewed = one_zone + (instance("x", [50] * 14, [100] * 14, az="us-east-1b"),)
    assert status(account(instances=skewed), "Amazon EC2 Availability Zone Balance").status == WARNING
    even = skewed[:1] + skewed[3:]
    assert status(account(instances=even), "Amazon EC2 Availability Zone Balance").status == OK


def test_support_plans_gate_the_full_set():
    acct = generate_account(seed=3)
    for plan in PLANS:
        findings = run_checks(acct, plan)
        assert [f.check for f in findings] == [c.title for c in CHECKS]
        hidden = {f.check for f in findings if f.status == NOT_AVAILABLE}
        full = plan not in ("basic", "developer")
        assert hidden == (set() if full else {c.title for c in CHECKS if not c.core})
    with pytest.raises(ValueError, match="plan='premium'"):
        run_checks(acct, "premium")


def test_rows_and_determinism():
    a = generate_account(seed=11)
    assert a == generate_account(seed=11) and a != generate_account(seed=12)
    rows = findings_rows(run_checks(a), max_resources=1)
    assert len(rows) == len(CHECKS) and all(len(r) == 5 for r in rows)


def test_weekend_idle_servers_are_flagged_as_low_utilization():
    a = generate_account(n_instances=40, idle_fraction=0, hot_fraction=0, weekend_idle_fraction=1.0, seed=1)
    assert len(low_utilization(a)) == 40      # four weekend days in every fortnight


@pytest.mark.parametrize("p", [0.1, 0.25, 0.4])
def test_flag_rate_matches_the_binomial_tail(p):
    a = generate_account(n_instances=1500, idle_fraction=0, hot_fraction=0, weekend_idle_fraction=0,
                         idle_day_probability=p, seed=2)
    assert len(low_utilization(a)) / 1500 == pytest.approx(low_utilization_probability(p), abs=0.035)


@pytest.mark.parametrize("kwargs, word", [(dict(idle_fraction=1.5), "idle_fraction"),
                                          (dict(n_instances=-1), "n_instances"), (dict(n_zones=0), "n_zones"),
                                          (dict(idle_fraction=0.6, hot_fraction=0.6), "must not exceed 1")])
def test_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        generate_account(**kwargs)
