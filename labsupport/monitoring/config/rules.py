"""AWS Config: a recorded inventory, rules that judge it, drift, and automatic remediation.

AWS Config is a building's logbook with inspectors attached. Whenever someone
changes a lock or props a fire door open, the logbook gets a new entry with
the door's full state (a *configuration item*); inspectors (rules) read the
new entry at once (*change-triggered*) or walk the building on a schedule
(*periodic*), and a handyman (remediation) fixes what they flag.

What the model follows (AWS Config Developer Guide and API Reference):

* A configuration item (CI) is a point-in-time record of a resource's
  attributes. With *continuous* recording a CI is recorded whenever a change
  occurs; with *daily* recording Config delivers one CI per 24 hours, "only
  if it's different from the previous CI recorded" (RecordingMode).
* Rules are evaluated in response to configuration changes, periodically
  ("for example, every 24 hours"; MaximumExecutionFrequency One_Hour ...
  TwentyFour_Hours, default 24 h), or both ("hybrid").
* Results are COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE per resource.
* Managed rules used here: ``encrypted-volumes`` (ENCRYPTED_VOLUMES,
  "attached" EBS volumes, trigger: configuration changes),
  ``s3-bucket-public-read-prohibited`` (Block Public Access setting, policy and
  ACL; configuration changes and periodic) and ``restricted-ssh``
  (INCOMING_SSH_DISABLED: NON_COMPLIANT if SSH is open to 0.0.0.0/0 or ::/0;
  configuration changes and periodic).
* Automatic remediation runs an SSM Automation document; a failing attempt is
  retried up to MaximumAutomaticAttempts (default 5) times.

Simplifications, said out loud: attributes are a few booleans and port
ranges. :mod:`labsupport.monitoring.config.account` simulates an account that drifts
while Config records, evaluates and remediates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from labsupport.checks import check_int

__all__ = ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "VOLUME", "BUCKET", "SECURITY_GROUP", "OPEN_CIDRS",
           "ConfigurationItem", "Inventory", "ConfigRule", "MANAGED_RULES", "RULE_FOR", "baseline_account", "drift"]

COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE = "COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"
VOLUME, BUCKET, SECURITY_GROUP = "AWS::EC2::Volume", "AWS::S3::Bucket", "AWS::EC2::SecurityGroup"
OPEN_CIDRS = ("0.0.0.0/0", "::/0")
Config = Mapping[str, object]


@dataclass(frozen=True)
class ConfigurationItem:
    """One recorded state of one resource; ``configuration`` is a sorted tuple of (attribute, value)."""

    resource_id: str
    resource_type: str
    capture_time_s: float
    version: int
    configuration: tuple[tuple[str, object], ...]

    def as_dict(self) -> dict[str, object]:
        return dict(self.configuration)


class Inventory:
    """The recorder's store: a timeline of configuration items per resource, written only on change.

    Examples
    --------
    >>> inv = Inventory()
    >>> inv.record("vol-1", VOLUME, {"encrypted": True, "attached": True}, time_s=0).version
    1
    >>> inv.record("vol-1", VOLUME, {"attached": True, "encrypted": True}, time_s=60) is None   # nothing changed
    True
    >>> inv.record("vol-1", VOLUME, {"encrypted": False, "attached": True}, time_s=120).version
    2
    >>> [ci.capture_time_s for ci in inv.history("vol-1")], inv.as_of("vol-1", 100).version
    ([0, 120], 1)
    """

    def __init__(self):
        self._items: dict[str, list[ConfigurationItem]] = {}

    def record(self, resource_id: str, resource_type: str, configuration: Config,
               *, time_s: float) -> ConfigurationItem | None:
        """Store a CI if the configuration differs from the last one; return it, or None."""
        frozen = tuple(sorted(configuration.items()))
        past = self._items.setdefault(resource_id, [])
        if past and past[-1].resource_type != resource_type:
            raise ValueError(f"resource_id={resource_id!r} is a {past[-1].resource_type}, not {resource_type}")
        if past and past[-1].configuration == frozen:
            return None
        if past and time_s < past[-1].capture_time_s:
            raise ValueError(f"time_s={time_s} is before the last CI of {resource_id!r}; record in time order")
        item = ConfigurationItem(resource_id, resource_type, time_s, len(past) + 1, frozen)
        past.append(item)
        return item

    def history(self, resource_id: str) -> tuple[ConfigurationItem, ...]:
        return tuple(self._items.get(resource_id, ()))

    def as_of(self, resource_id: str, time_s: float) -> ConfigurationItem | None:
        """The CI in force at ``time_s`` (the last one recorded at or before it)."""
        found = None
        for item in self._items.get(resource_id, ()):
            if item.capture_time_s <= time_s:
                found = item
        return found

    def items(self) -> tuple[ConfigurationItem, ...]:
        return tuple(sorted((i for v in self._items.values() for i in v),
                            key=lambda i: (i.capture_time_s, i.resource_id)))


def _encrypted_volumes(c: Config) -> str:
    return NOT_APPLICABLE if not c["attached"] else (COMPLIANT if c["encrypted"] else NON_COMPLIANT)


def _public_read_prohibited(c: Config) -> str:
    return COMPLIANT if c["block_public_access"] or not c["public_read"] else NON_COMPLIANT


def _restricted_ssh(c: Config) -> str:
    open_ssh = any(low <= 22 <= high and cidr in OPEN_CIDRS for low, high, cidr in c["ingress"])
    return NON_COMPLIANT if open_ssh else COMPLIANT


@dataclass(frozen=True)
class ConfigRule:
    """A rule: which resources it judges, when it runs, how it judges and how it fixes."""

    name: str
    identifier: str
    resource_type: str
    triggers: tuple[str, ...]  # "change" and/or "periodic"
    check: Callable[[Config], str]
    fix: Callable[[Config], dict]

    def evaluate(self, resource_type: str, configuration: Config) -> str:
        """COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE for one resource's configuration.

        Examples
        --------
        >>> ssh = MANAGED_RULES[2]
        >>> ssh.evaluate(SECURITY_GROUP, {"ingress": ((0, 1024, "0.0.0.0/0"),)})
        'NON_COMPLIANT'
        >>> ssh.evaluate(SECURITY_GROUP, {"ingress": ((22, 22, "10.0.0.0/8"), (443, 443, "0.0.0.0/0"))})
        'COMPLIANT'
        >>> ssh.evaluate(BUCKET, {"public_read": True, "block_public_access": False})
        'NOT_APPLICABLE'
        """
        return self.check(configuration) if resource_type == self.resource_type else NOT_APPLICABLE


MANAGED_RULES = (
    ConfigRule("encrypted-volumes", "ENCRYPTED_VOLUMES", VOLUME, ("change",), _encrypted_volumes,
               lambda c: {**c, "encrypted": True}),
    ConfigRule("s3-bucket-public-read-prohibited", "S3_BUCKET_PUBLIC_READ_PROHIBITED", BUCKET,
               ("change", "periodic"), _public_read_prohibited, lambda c: {**c, "block_public_access": True}),
    ConfigRule("restricted-ssh", "INCOMING_SSH_DISABLED", SECURITY_GROUP, ("change", "periodic"), _restricted_ssh,
               lambda c: {**c, "ingress": tuple(r for r in c["ingress"]
                                                if not (r[0] <= 22 <= r[1] and r[2] in OPEN_CIDRS))}),
)
RULE_FOR = {r.resource_type: r for r in MANAGED_RULES}  # the rule that judges each resource type


def baseline_account(n_volumes: int = 8, n_buckets: int = 4, n_groups: int = 4) -> dict[str, tuple[str, dict]]:
    """The desired state of a small account: every resource compliant, keyed by resource id.

    Examples
    --------
    >>> base = baseline_account(1, 1, 1)
    >>> sorted(base), base["sg-1"][1]["ingress"]
    (['bucket-1', 'sg-1', 'vol-1'], ((443, 443, '0.0.0.0/0'), (22, 22, '10.0.0.0/8')))
    """
    for name, n in (("n_volumes", n_volumes), ("n_buckets", n_buckets), ("n_groups", n_groups)):
        check_int(name, n, low=0)
    account = {f"vol-{i + 1}": (VOLUME, {"encrypted": True, "attached": True, "tags": "v1"}) for i in range(n_volumes)}
    account |= {f"bucket-{i + 1}": (BUCKET, {"public_read": False, "block_public_access": True, "tags": "v1"})
                for i in range(n_buckets)}
    account |= {f"sg-{i + 1}": (SECURITY_GROUP, {"ingress": ((443, 443, "0.0.0.0/0"), (22, 22, "10.0.0.0/8")),
                                                 "tags": "v1"}) for i in range(n_groups)}
    return account


def drift(current: Mapping[str, Config], baseline: Mapping[str, tuple[str, Config]]) -> dict[str, tuple[str, ...]]:
    """Attributes of each resource that differ from the desired baseline (drift), compliant or not.

    Examples
    --------
    >>> base = baseline_account(1, 0, 0)
    >>> drift({"vol-1": {**base["vol-1"][1], "tags": "v2"}}, base)
    {'vol-1': ('tags',)}
    """
    out = {}
    for rid, config in current.items():
        want = baseline[rid][1]
        changed = tuple(sorted(k for k in set(config) | set(want) if config.get(k) != want.get(k)))
        if changed:
            out[rid] = changed
    return out
