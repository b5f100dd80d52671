"""Lab 9's brief: drills drawn from seeds, designs checked against every target."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.labkits import capstone

GOOD = {"zones": 3, "instances_per_zone": 4, "target_cpu": 60, "cache": True, "db_standby": True, "db_replicas": 1,
        "retries": 2, "dr_strategy": "pilot_light"}
# The design Chapter 8 repairs, for the chapter's own brief: Lab 9's brief is a different one.
CHAPTER = {"zones": 3, "instances_per_zone": 3, "target_cpu": 40, "cache": True, "db_standby": True, "db_replicas": 1,
           "retries": 2, "dr_strategy": "warm_standby"}


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(-10**9, 10**9))
def test_drills_stay_within_the_briefs_ranges_and_repeat(seed):
    s = capstone.fault_schedule(seed=seed)
    start, length, factor = s.spike
    zone, loss_at, loss_for = s.zone_loss
    assert s.duration_s == 7200 and 900 <= start <= 2700 and 600 <= length <= 1200 and 1.8 <= factor <= 2.3
    assert zone in (0, 1, 2) and 4200 <= loss_at <= 5400 and 900 <= loss_for <= 1800
    assert capstone.fault_schedule(seed=seed) == s


def test_the_reference_design_passes_drills_that_break_weaker_ones():
    # Drill 14 loses az-a, the primary's zone.
    assert capstone.fault_schedule(seed=14).zone_loss[0] == 0
    assert capstone.evaluate(GOOD, seed=14).passed
    no_replica = capstone.evaluate({**GOOD, "db_replicas": 0}, seed=14)
    assert not no_replica.passed and not no_replica.checks["availability"]
    default = capstone.evaluate({"dr_strategy": "warm_standby"}, seed=14)
    assert not default.checks["latency"]


def test_the_chapters_design_does_not_meet_the_labs_brief():
    for strategy in ("warm_standby", "pilot_light"):
        report = capstone.evaluate({**CHAPTER, "dr_strategy": strategy}, seed=12)
        assert report.failed == ("budget",), report.summary()


def test_a_single_zone_fixed_fleet_fails_a_public_drill():
    lone = {"zones": 1, "instances_per_zone": 12, "target_cpu": None, "dr_strategy": "pilot_light"}
    assert any(not r.checks["availability"] for r in capstone.try_design(lone, capstone.PUBLIC_DRILLS))


def test_each_target_is_checked():
    assert capstone.evaluate(GOOD, seed=12).passed
    assert not capstone.evaluate({**GOOD, "dr_strategy": "backup_restore"}, seed=12).checks["rpo"]
    assert not capstone.evaluate({**GOOD, "dr_strategy": "backup_restore"}, seed=12).checks["rto"]
    pricey = capstone.evaluate({**GOOD, "dr_strategy": "active_active"}, seed=12)
    assert pricey.checks["rto"] and not pricey.checks["budget"]
    assert "FAIL (budget)" in pricey.summary()


def test_designs_are_validated():
    with pytest.raises(ValueError, match="dr_strategy"):
        capstone.split_design({"zones": 3})
    with pytest.raises(ValueError, match="unknown setting"):
        capstone.split_design({"zones": 3, "dr_strategy": "warm_standby", "cpu": 40})
    with pytest.raises(TypeError, match="dict"):
        capstone.split_design(None)
    with pytest.raises(ValueError, match="dr_strategy='cold'"):
        capstone.split_design({"dr_strategy": "cold"})


def test_drills_have_named_fields_and_zone_names():
    s = capstone.fault_schedule(seed=14)
    assert s.zone_loss.zone == 0 and s.zone_loss.zone_name == "az-a"
    assert (s.spike.start_s, s.spike.length_s, s.spike.factor) == tuple(s.spike)
    assert "az-a (zone 0)" in capstone.describe(s) and "traffic x1.99" in capstone.describe(s)


def test_try_design_reports_each_drill_and_names_its_failed_targets():
    reports = capstone.try_design({**GOOD, "dr_strategy": "backup_restore"}, [12, 14])
    assert [r.seed for r in reports] == [12, 14]
    assert all(r.failed == ("rto", "rpo") and "FAIL (rto, rpo)" in r.summary() for r in reports)
    with pytest.raises(ValueError, match="seeds"):
        capstone.try_design(GOOD, [])
    with pytest.raises(TypeError, match="seeds"):
        capstone.try_design(GOOD, 12)
    with pytest.raises(ValueError, match="dr_strategy"):
        capstone.try_design({"zones": 3}, [1])
