"""Trusted Advisor: best-practice checks over an account's inventory.

A building inspector with a clipboard walks through once a week and writes
down what is wasteful (lights on in empty rooms), unsafe (doors propped open),
fragile (one staircase) or about to run out (the boiler at 90 % of its
rating). Trusted Advisor does the same for an AWS account, check by check,
and marks each check green, yellow or red.

What follows the documentation (AWS Support User Guide, "AWS Trusted Advisor
check reference" and "Manage access to AWS Trusted Advisor"; AWS Support API,
DescribeTrustedAdvisorCheckResult):

* Checks fall in the categories cost optimization, performance, security,
  fault tolerance and service limits (the check reference adds operational
  excellence). A check's status is ``ok`` (green), ``warning`` (yellow),
  ``error`` (red) or ``not_available``.
* "All AWS accounts have access to a select core Trusted Advisor checks. If
  you have a Business, Enterprise On-Ramp, or Enterprise Support plan, you can
  access all checks." The core set is the service-limit checks plus a few
  security checks (S3 bucket permissions, security groups with specific ports
  unrestricted, MFA on the root account, public EBS and RDS snapshots). The
  Support User Guide gives notice that Developer, Business and Enterprise
  On-Ramp Support are discontinued on 1 January 2027, with Business Support+,
  Enterprise and Unified Operations as the plans that include the Trusted
  Advisor API; we give all of these the full set.
* Low Utilization Amazon EC2 Instances: yellow when an instance had "10% or
  less daily average CPU utilization and 5 MB or less network I/O on at least
  4 of the previous 14 days".
* Service limits: yellow at 80 % of a limit, red at 100 %.

Our simplifications: the high-utilization (above 90 % CPU on 4 of 14 days),
security-group, S3, RDS Multi-AZ and Availability Zone balance checks keep
Trusted Advisor's idea but use criteria of our own, stated in each function;
real checks have more cases and estimated savings.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from labsupport.checks import check_int, check_probability
from labsupport.seeds import Seed, as_rng

__all__ = ["OK", "WARNING", "ERROR", "NOT_AVAILABLE", "PLANS", "Instance", "Account", "Check", "Finding",
           "CHECKS", "generate_account", "run_checks", "findings_rows", "low_utilization_probability"]

OK, WARNING, ERROR, NOT_AVAILABLE = "ok", "warning", "error", "not_available"
SEVERITY = {OK: 0, WARNING: 1, ERROR: 2}
PLANS = ("basic", "developer", "business", "business_support_plus", "enterprise_on_ramp", "enterprise",
         "unified_operations")
FULL_PLANS = frozenset(PLANS[2:])
DAYS = 14
ADMIN_AND_DB_PORTS = (22, 1433, 3306, 3389, 5432)  # our "red" list: remote administration and databases
WEB_PORTS = (80, 443)


@dataclass(frozen=True)
class Instance:
    """An EC2 instance with 14 days of daily averages."""

    instance_id: str
    az: str
    cpu_daily_pct: tuple[float, ...]
    network_daily_mb: tuple[float, ...]


@dataclass(frozen=True)
class Account:
    """Everything the checks look at. Ingress rules are ``(from_port, to_port, cidr)``."""

    instances: tuple[Instance, ...]
    elastic_ips: tuple[tuple[str, str | None], ...]  # (allocation id, associated instance or None)
    security_groups: tuple[tuple[str, tuple[tuple[int, int, str], ...]], ...]
    buckets: tuple[tuple[str, bool, bool], ...]  # (name, public read, public write)
    db_instances: tuple[tuple[str, bool], ...]  # (id, multi-AZ)
    quotas: tuple[tuple[str, float, float], ...]  # (name, usage, limit)
    root_mfa: bool


@dataclass(frozen=True)
class Finding:
    """One row of the report: a check, its status, the resources it flags."""

    check: str
    category: str
    status: str
    flagged: tuple[str, ...]


def _days(instance: Instance, test: Callable[[float, float], bool]) -> int:
    return sum(test(c, n) for c, n in zip(instance.cpu_daily_pct[-DAYS:], instance.network_daily_mb[-DAYS:]))


def low_utilization(a: Account):
    """Yellow for instances at <= 10 % CPU and <= 5 MB network on >= 4 of 14 days."""
    return [(i.instance_id, WARNING) for i in a.instances if _days(i, lambda c, n: c <= 10 and n <= 5) >= 4]


def high_utilization(a: Account):
    """Ours: yellow for instances above 90 % daily CPU on >= 4 of 14 days."""
    return [(i.instance_id, WARNING) for i in a.instances if _days(i, lambda c, n: c > 90) >= 4]


def unassociated_eips(a: Account):
    """Yellow for Elastic IP addresses attached to nothing (they are billed while idle)."""
    return [(eip, WARNING) for eip, instance in a.elastic_ips if instance is None]


def open_ports(a: Account):
    """Ours: red if an administration or database port is open to the world, yellow for other non-web ports."""
    out = []
    for group, rules in a.security_groups:
        worst = None
        for low, high, cidr in rules:
            if cidr not in ("0.0.0.0/0", "::/0"):
                continue
            if any(low <= p <= high for p in ADMIN_AND_DB_PORTS):
                worst = ERROR
            elif not (low == high and low in WEB_PORTS) and worst is None:
                worst = WARNING
        if worst:
            out.append((group, worst))
    return out


def root_mfa(a: Account):
    """Red if the root user has no MFA device."""
    return [] if a.root_mfa else [("root", ERROR)]


def bucket_permissions(a: Account):
    """Ours: yellow for publicly readable buckets, red for publicly writable ones."""
    return [(name, ERROR if write else WARNING) for name, read, write in a.buckets if read or write]


def rds_multi_az(a: Account):
    """Yellow for DB instances in a single Availability Zone."""
    return [(db, WARNING) for db, multi in a.db_instances if not multi]


def az_balance(a: Account):
    """Ours: red if all instances sit in one zone, yellow if the fullest zone has over twice the emptiest."""
    counts = Counter(i.az for i in a.instances)
    if len(counts) == 1 and len(a.instances) > 1:
        return [(f"all in {next(iter(counts))}", ERROR)]
    if counts and max(counts.values()) > 2 * min(counts.values()):
        return [(f"{az}={n}", WARNING) for az, n in sorted(counts.items())]
    return []


def service_limits(a: Account):
    """Yellow at 80 % of a limit, red at 100 %."""
    return [(name, ERROR if used >= limit else WARNING) for name, used, limit in a.quotas if used >= 0.8 * limit]


@dataclass(frozen=True)
class Check:
    """A check: its title, category, whether every plan gets it, and what it flags."""

    title: str
    category: str
    core: bool
    flag: Callable[[Account], list]


CHECKS = (
    Check("Low Utilization Amazon EC2 Instances", "cost_optimizing", False, low_utilization),
    Check("Unassociated Elastic IP Addresses", "cost_optimizing", False, unassociated_eips),
    Check("Security Groups - Specific Ports Unrestricted", "security", True, open_ports),
    Check("MFA on Root Account", "security", True, root_mfa),
    Check("Amazon S3 Bucket Permissions", "security", True, bucket_permissions),
    Check("Amazon RDS Multi-AZ", "fault_tolerance", False, rds_multi_az),
    Check("Amazon EC2 Availability Zone Balance", "fault_tolerance", False, az_balance),
    Check("High Utilization Amazon EC2 Instances", "performance", False, high_utilization),
    Check("Service Limits", "service_limits", True, service_limits),
)


def run_checks(account: Account, plan: str = "business") -> tuple[Finding, ...]:
    """Run every check; checks outside the support plan come back ``not_available``.

    Examples
    --------
    >>> acct = generate_account(seed=1)
    >>> [(f.check, f.status) for f in run_checks(acct, plan="basic")][:2]
    [('Low Utilization Amazon EC2 Instances', 'not_available'), ('Unassociated Elastic IP Addresses', 'not_available')]
    >>> run_checks(acct, plan="gold")
    Traceback (most recent call last):
    ValueError: plan='gold' is not a support plan; choose one of basic, developer, business, ...
    """
    if plan not in PLANS:
        raise ValueError(f"plan={plan!r} is not a support plan; choose one of {', '.join(PLANS[:3])}, ... "
                         f"({', '.join(PLANS)})")
    out = []
    for check in CHECKS:
        if not check.core and plan not in FULL_PLANS:
            out.append(Finding(check.title, check.category, NOT_AVAILABLE, ()))
            continue
        flagged = sorted(check.flag(account))
        status = max((s for _, s in flagged), key=SEVERITY.__getitem__, default=OK)
        out.append(Finding(check.title, check.category, status, tuple(r for r, _ in flagged)))
    return tuple(out)


def findings_rows(findings, max_resources: int = 3) -> list[tuple[str, str, str, int, str]]:
    """Rows ``(category, check, status, count, first resources)`` for :func:`labsupport.report.table`.

    Examples
    --------
    >>> findings_rows(run_checks(generate_account(seed=1), plan="basic"), max_resources=1)[2]
    ('security', 'Security Groups - Specific Ports Unrestricted', 'error', 2, 'sg-admin ...')
    """
    check_int("max_resources", max_resources, low=0)
    rows = []
    for f in findings:
        shown = ", ".join(f.flagged[:max_resources]) + (" ..." if len(f.flagged) > max_resources else "")
        rows.append((f.category, f.check, f.status, len(f.flagged), shown or "-"))
    return rows


def low_utilization_probability(idle_day_probability: float, days: int = DAYS, min_days: int = 4) -> float:
    """Chance that an instance idle on each day independently with probability p is flagged.

    The flag needs at least ``min_days`` idle days out of ``days``: a binomial tail.

    Examples
    --------
    >>> round(low_utilization_probability(2 / 7), 3)     # idle two days a week, at random
    0.6
    """
    p = check_probability("idle_day_probability", idle_day_probability)
    check_int("min_days", min_days, low=0, high=check_int("days", days, low=0))
    return sum(math.comb(days, k) * p ** k * (1 - p) ** (days - k) for k in range(min_days, days + 1))


def generate_account(*, n_instances: int = 12, idle_day_probability: float = 0.0, idle_fraction: float = 0.2,
                     hot_fraction: float = 0.1, weekend_idle_fraction: float = 0.15, n_zones: int = 3,
                     seed: Seed = None) -> Account:
    """A seeded account with the usual mess: idle and overloaded instances, open ports, a public bucket.

    Instances are idle (a fraction ``idle_fraction``), hot (``hot_fraction``),
    idle only at weekends (``weekend_idle_fraction``), or busy; a busy
    instance is additionally idle on each day with ``idle_day_probability``.

    Examples
    --------
    >>> a = generate_account(seed=7)
    >>> len(a.instances), a == generate_account(seed=7)
    (12, True)
    """
    for name, p in (("idle_day_probability", idle_day_probability), ("idle_fraction", idle_fraction),
                    ("hot_fraction", hot_fraction), ("weekend_idle_fraction", weekend_idle_fraction)):
        check_probability(name, p)
    if idle_fraction + hot_fraction + weekend_idle_fraction > 1:
        raise ValueError("idle_fraction + hot_fraction + weekend_idle_fraction must not exceed 1")
    check_int("n_instances", n_instances, low=0)
    check_int("n_zones", n_zones, low=1, high=6)
    rng = as_rng(seed)
    zones = [f"us-east-1{c}" for c in "abcdef"[:n_zones]]
    instances = []
    for k in range(n_instances):
        u = rng.random()
        kind = ("idle" if u < idle_fraction else "hot" if u < idle_fraction + hot_fraction else
                "weekend" if u < idle_fraction + hot_fraction + weekend_idle_fraction else "busy")
        cpu, net = [], []
        for day in range(DAYS):
            idle = (kind == "idle" or (kind == "weekend" and day % 7 in (5, 6))
                    or (kind == "busy" and rng.random() < idle_day_probability))
            level = rng.uniform(1, 6) if idle else (rng.uniform(88, 99) if kind == "hot" else rng.uniform(25, 75))
            cpu.append(round(level, 1))
            net.append(round(rng.uniform(0.2, 4) if idle else rng.uniform(50, 900), 1))
        instances.append(Instance(f"i-{k + 1:03d}", zones[min(n_zones - 1, int(rng.random() ** 2 * n_zones))],
                                  tuple(cpu), tuple(net)))
    ids = [i.instance_id for i in instances]
    return Account(
        instances=tuple(instances),
        elastic_ips=tuple((f"eipalloc-{k}", rng.choice(ids) if ids and rng.random() < 0.7 else None)
                          for k in range(1, 5)),
        security_groups=(("sg-web", ((80, 80, "0.0.0.0/0"), (443, 443, "0.0.0.0/0"))),
                         ("sg-admin", ((22, 22, "0.0.0.0/0"),)), ("sg-app", ((8080, 8080, "0.0.0.0/0"),)),
                         ("sg-db", ((5432, 5432, "10.0.0.0/16"),))),
        buckets=(("assets", True, False), ("logs", False, False), ("backups", False, False)),
        db_instances=(("orders-db", True), ("reports-db", False)),
        quotas=(("EC2 On-Demand vCPUs", 4.0 * n_instances, 64.0), ("VPCs per Region", 4.0, 5.0),
                ("EBS gp3 storage (TiB)", 12.0, 50.0)),
        root_mfa=rng.random() < 0.5,
    )
