"""The knobs of a database failover procedure, the faults it must survive, and its recovery-time budget.

A fire drill has a plan (who notices, who waits how long, who takes over)
and a scenario (which door is blocked). :class:`FailoverConfig` is the plan
for :func:`labsupport.availability.failover.procedure.run_failover`, :class:`Faults` the scenario,
and :func:`recovery_budget` adds up, term by term, how long clients should
expect to wait after the primary crashes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from labsupport.checks import check_choice, check_number, check_probability, check_type
from labsupport.availability.failure_detection.detectors import FixedTimeoutDetector, PhiAccrualDetector

__all__ = ["FailoverConfig", "Faults", "recovery_budget"]


@dataclass(frozen=True, kw_only=True)
class FailoverConfig:
    """Every knob of the failover procedure (times in seconds)."""

    replication: str = "sync"  # "sync" or "async"
    heartbeat_interval_s: float = 1.0
    detector_timeout_s: float = 5.0  # fixed-timeout detector ...
    phi_threshold: float | None = None  # ... or, if set, phi-accrual with this threshold
    lease_s: float | None = None  # None: no leases
    drift_bound: float = 0.0  # assumed bound on clock rate error when waiting out a lease
    fencing: bool = False
    promotion_s: float = 10.0  # standby applies its log and opens for writes
    dns_ttl_s: float = 5.0
    dns_update_s: float = 2.0  # until the changed record is served
    reconnect_s: float = 1.0
    request_timeout_s: float = 2.0
    retry_s: float = 0.5
    commit_s: float = 0.02  # a write's time in the server between admission and commit
    async_batch_s: float = 1.0

    def __post_init__(self):
        check_choice("replication", self.replication, ("sync", "async"))
        positive = ("heartbeat_interval_s", "detector_timeout_s", "request_timeout_s", "dns_ttl_s", "lease_s")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_s") and not (value is None and f.name == "lease_s"):  # None: no leases
                check_number(f.name, value, low=0, low_open=f.name in positive)
        if self.phi_threshold is not None:
            check_number("phi_threshold", self.phi_threshold, low=0, low_open=True)
        check_number("drift_bound", self.drift_bound, low=0, high=1, high_open=True)

    def detector(self):
        if self.phi_threshold is not None:
            return PhiAccrualDetector(self.phi_threshold, first_interval_s=self.heartbeat_interval_s,
                                      min_std_s=self.heartbeat_interval_s / 10)
        return FixedTimeoutDetector(self.detector_timeout_s)


@dataclass(frozen=True, kw_only=True)
class Faults:
    """What happens to the primary ``db-a`` (times in seconds).

    ``partition=(start, end)`` cuts ``db-a`` off from the monitor and, with
    ``partition_standby=True``, from the standby too; clients and DNS still
    reach it. ``pauses`` are ``(start, duration)`` stalls of ``db-a`` (a long
    garbage collection). ``clock_rate`` is how fast ``db-a``'s clock runs.
    """

    crash_s: float | None = None
    partition: tuple[float, float] | None = None
    partition_standby: bool = True
    pauses: tuple[tuple[float, float], ...] = ()
    heartbeat_loss: float = 0.0
    clock_rate: float = 1.0

    def __post_init__(self):
        if self.crash_s is not None:
            check_number("crash_s", self.crash_s, low=0)
        check_probability("heartbeat_loss", self.heartbeat_loss, open_high=True)
        check_number("clock_rate", self.clock_rate, low=0, low_open=True)
        if self.partition is not None and not 0 <= self.partition[0] < self.partition[1]:
            raise ValueError(f"partition={self.partition}; need 0 <= start < end")


def recovery_budget(config: FailoverConfig, *, latency_s: float = 0.001, write_interval_s: float = 0.5) -> dict:
    """Expected client outage after a primary crash, term by term (fixed-timeout detector).

    Detection: the timeout, less half a heartbeat interval (the crash falls
    between two heartbeats). Lease wait: what is left of ``lease_s * (1 +
    drift_bound)`` after the timeout. While the primary is down a client
    cycles through request timeouts and retries (period ``C = timeout +
    retry``) and can only refresh its cached DNS answer at the start of a
    cycle, so it refreshes every ``P = ceil(TTL / C) * C`` seconds and, at a
    random phase, holds the stale answer ``P/2`` after the update on average.
    Its last success came half a write cycle before the crash.

    Examples
    --------
    >>> b = recovery_budget(FailoverConfig())
    >>> b["detection"], b["promotion"], b["stale DNS answer"], round(b["total"], 3)
    (4.501, 10.0, 2.502, 20.286)
    """
    check_type("config", config, FailoverConfig)
    check_number("latency_s", latency_s, low=0)
    check_number("write_interval_s", write_interval_s, low=0, low_open=True)
    lease_wait = 0.0
    if config.lease_s is not None:
        lease_wait = max(0.0, config.lease_s * (1 + config.drift_bound) - config.detector_timeout_s)
    cycle = config.request_timeout_s + config.retry_s + 2 * latency_s  # the resolve at the top of each cycle
    refresh = math.ceil(config.dns_ttl_s / cycle - 1e-9) * cycle
    write = config.commit_s + 2 * latency_s
    parts = {
        "last success before crash": (write_interval_s + write) / 2,
        "detection": config.detector_timeout_s - config.heartbeat_interval_s / 2 + latency_s,
        "lease wait": lease_wait,
        "promotion": config.promotion_s,
        "DNS update": config.dns_update_s,
        "stale DNS answer": refresh / 2,
        "reconnect": config.reconnect_s,
        "first write": write,
    }
    parts = {k: round(v, 6) for k, v in parts.items()}
    parts["total"] = round(sum(parts.values()), 6)
    return parts
