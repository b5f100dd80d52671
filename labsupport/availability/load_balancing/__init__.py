"""Load balancing: target selection policies, health checks and a simulated server farm.

:mod:`.policies` holds the policies (round robin, least outstanding requests,
power of d choices, ...), :mod:`.health` the target group with ELB-style health
checks and cross-zone routing, :mod:`.farm` the simpy simulation and
:mod:`.validation` its comparison with queueing theory (:mod:`labsupport.foundations.queueing`).
"""

from labsupport.availability.load_balancing.farm import FarmResult, run_farm
from labsupport.availability.load_balancing.health import (
    HealthCheckConfig, HealthChecker, NoHealthyTarget, TargetGroup, detection_delay_s,
    run_health_checks,
)
from labsupport.availability.load_balancing.policies import (
    POLICY_NAMES, BalancerState, ConsistentHashAffinity, LeastOutstandingRequests, Policy,
    PowerOfChoices, RandomChoice, RoundRobin, WeightedRandom, WeightedRoundRobin, make_policy,
)
from labsupport.availability.load_balancing.validation import (
    TheoryRow, compare_power_of_d_to_supermarket, compare_random_to_mm1,
    compare_shared_queue_to_mmc, theory_table,
)

__all__ = [
    "BalancerState", "Policy", "RoundRobin", "RandomChoice", "WeightedRoundRobin",
    "WeightedRandom", "LeastOutstandingRequests", "PowerOfChoices", "ConsistentHashAffinity",
    "POLICY_NAMES", "make_policy",
    "HealthCheckConfig", "HealthChecker", "NoHealthyTarget", "TargetGroup",
    "detection_delay_s", "run_health_checks",
    "FarmResult", "run_farm",
    "TheoryRow", "compare_random_to_mm1", "compare_shared_queue_to_mmc",
    "compare_power_of_d_to_supermarket", "theory_table",
]
