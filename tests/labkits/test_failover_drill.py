"""The Lab 5 drill separates a safe, fast failover configuration from plausible unsafe or slow ones."""

import pytest

from labsupport.labkits.failover import LAB_SYSTEM, lab_config, lab_scenarios, run_drill

GOOD = dict(detector_timeout_s=6.0, lease_s=6.0, drift_bound=0.7, fencing=True)


@pytest.fixture(scope="module")
def good():
    return run_drill(lab_config(**GOOD), seed=2)


def test_a_tuned_configuration_meets_every_target(good):
    assert good.passed, good.targets


@pytest.mark.parametrize("choices, failing", [
    (dict(detector_timeout_s=6.0), "isolated: one primary"),                      # no protection at all
    (dict(detector_timeout_s=6.0, fencing=True), "isolated: one primary"),        # fencing cannot reach it
    (dict(detector_timeout_s=6.0, lease_s=6.0), "isolated: one primary"),         # lease trusts a slow clock
    (dict(detector_timeout_s=2.0, lease_s=6.0, drift_bound=0.7), "noise: no failover"),
    (dict(detector_timeout_s=6.0, lease_s=10.0, drift_bound=0.7), "crash: outage within target"),
])
def test_plausible_mistakes_miss_a_target(choices, failing):
    assert not run_drill(lab_config(**choices), seed=3).targets[failing]


def test_scenarios_depend_on_the_seed_and_nothing_else(good):
    assert lab_scenarios(seed=4) == lab_scenarios(seed=4) != lab_scenarios(seed=5)
    assert run_drill(lab_config(**GOOD), seed=2) == good


def test_the_fixed_system_cannot_be_changed_through_the_choices():
    with pytest.raises(ValueError, match="fixed system"):
        lab_config(dns_ttl_s=0.1, **GOOD)
    with pytest.raises(TypeError, match="FailoverConfig"):
        run_drill(GOOD, seed=1)
    assert all(getattr(lab_config(**GOOD), k) == v for k, v in LAB_SYSTEM.items())
