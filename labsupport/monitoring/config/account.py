"""AWS Config at work on a drifting account: recording, evaluation, remediation, over simulated weeks.

An account is a busy office where people move furniture all day. Config's
recorder is the clerk who notes every move (continuously, or in one round per
day), its rules are inspectors who read the notes as they arrive or walk
through on a schedule, and remediation is the caretaker who puts back what
they flag. This module runs that office on simpy and measures how long each
bad change stays in place.

Modelling choices (the rules and their triggers are in :mod:`labsupport.monitoring.config.rules`):

* A change-triggered evaluation reads the configuration item (CI); a periodic
  one reads the resource's current state from the service (it needs no CI).
* Continuous recording writes a CI ``recording_delay_s`` after each change (AWS
  publishes no figure for this delay); daily recording writes, every 24 h, a
  CI for each resource that differs from its previous CI.
* Remediation starts on a NON_COMPLIANT evaluation, takes ``remediation_delay_s``,
  and fixes only the attribute its rule checks; a failed attempt is retried
  after ``retry_s`` up to ``max_attempts`` times (MaximumAutomaticAttempts, 1..25).

Why a timeline and not messages: the delays that decide how long a bad change
stays (recording, evaluation, remediation, retries) are minutes to hours of work
inside AWS services, while any message between them takes milliseconds; a simpy
timeline of those steps is the right grain, and the kernel's messages
(:mod:`labsupport.sim`) would add nothing measurable.
"""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from labsupport.seeds import Seed, derive_rng
from labsupport.checks import check_int, check_number, check_probability
from labsupport.monitoring.config.rules import (BUCKET, COMPLIANT, NON_COMPLIANT, OPEN_CIDRS, RULE_FOR, VOLUME, ConfigurationItem,
                           Inventory, baseline_account)

__all__ = ["Episode", "ConfigRun", "run_config_account"]


def _bad_change(config: dict, rtype: str, rng) -> dict:
    if rtype == VOLUME:
        return {**config, "encrypted": False}
    if rtype == BUCKET:
        return {**config, "public_read": True, "block_public_access": False}
    return {**config, "ingress": config["ingress"] + ((22, 22, rng.choice(OPEN_CIDRS)),)}


@dataclass(frozen=True)
class Episode:
    """A stretch of time during which a resource was really non-compliant, and when Config noticed."""

    resource_id: str
    rule: str
    start_s: float
    detected_s: float | None  # first NON_COMPLIANT evaluation in the episode
    end_s: float | None  # when it became compliant again (None: still broken at the end)


@dataclass(frozen=True)
class ConfigRun:
    """Everything one simulated account produced."""

    baseline: dict
    items: tuple[ConfigurationItem, ...]
    evaluations: tuple[tuple[float, str, str, str, str], ...]  # (time_s, rule, resource_id, result, trigger)
    changes: tuple[tuple[float, str, str, str, str], ...]  # (time_s, resource_id, cause, real result, rule)
    remediations: tuple[tuple[float, str, str], ...]  # (time_s, resource_id, "fixed" | "failed" | "gave up")
    episodes: tuple[Episode, ...]
    final: dict  # resource_id -> configuration at the end

    def detection_delays_s(self, rule: str | None = None) -> list[float]:
        return [e.detected_s - e.start_s for e in self.episodes
                if e.detected_s is not None and (rule is None or e.rule == rule)]

    def exposures_s(self, rule: str | None = None) -> list[float]:
        return [e.end_s - e.start_s for e in self.episodes if e.end_s is not None and (rule is None or e.rule == rule)]

    def compliance_at(self, time_s: float, *, reported: bool = True) -> dict[str, str]:
        """Each resource's compliance at ``time_s``: as Config last reported it, or (``reported=False``) as it was."""
        state = {rid: COMPLIANT for rid in self.baseline}
        rows = ((t, rid, result) for t, _, rid, result, _ in self.evaluations) if reported else \
            ((t, rid, result) for t, rid, _, result, _ in self.changes)
        for t, rid, result in rows:
            if t > time_s:
                break
            state[rid] = result
        return state


def run_config_account(*, n_volumes: int = 8, n_buckets: int = 4, n_groups: int = 4, duration_s: float = 14 * 86400,
                       changes_per_day: float = 3.0, bad_fraction: float = 0.5, recording: str = "continuous",
                       recording_delay_s: float = 120.0, periodic_s: float = 3600.0, remediation: bool = True,
                       remediation_delay_s: float = 300.0, remediation_failure_probability: float = 0.0,
                       max_attempts: int = 5, retry_s: float = 60.0, seed: Seed = None) -> ConfigRun:
    """Simulate an account drifting at random while Config records, evaluates and remediates.

    Changes arrive as a Poisson stream (``changes_per_day``); each hits a random
    resource, and a fraction ``bad_fraction`` make it non-compliant (the rest
    change a tag: drift that no rule cares about). ``recording`` is
    ``"continuous"`` (a CI ``recording_delay_s`` after each change) or
    ``"daily"`` (one CI per changed resource every 24 h).

    Examples
    --------
    >>> run = run_config_account(seed=3)
    >>> len(run.episodes), {round(d) for d in run.detection_delays_s("encrypted-volumes")}
    (19, {120})
    >>> {round(x) for x in run.exposures_s("encrypted-volumes")}, run.compliance_at(14 * 86400)["vol-1"]
    ({420}, 'COMPLIANT')
    >>> run_config_account(recording="hourly", seed=0)
    Traceback (most recent call last):
    ValueError: recording='hourly'; choose 'continuous' or 'daily'
    """
    if recording not in ("continuous", "daily"):
        raise ValueError(f"recording={recording!r}; choose 'continuous' or 'daily'")
    if periodic_s not in (3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600):
        raise ValueError(f"periodic_s={periodic_s}; MaximumExecutionFrequency allows 1, 3, 6, 12 or 24 hours "
                         "(3600, 10800, 21600, 43200, 86400 s)")
    check_probability("bad_fraction", bad_fraction)
    check_probability("remediation_failure_probability", remediation_failure_probability)
    check_int("max_attempts", max_attempts, low=1, high=25)
    check_number("duration_s", duration_s, low=0, low_open=True)
    check_number("changes_per_day", changes_per_day, low=0, low_open=True)  # a Poisson rate
    for name, delay_s in (("recording_delay_s", recording_delay_s), ("remediation_delay_s", remediation_delay_s),
                          ("retry_s", retry_s)):
        check_number(name, delay_s, low=0)
    base = baseline_account(n_volumes, n_buckets, n_groups)
    rtype = {rid: t for rid, (t, _) in base.items()}
    live = {rid: dict(c) for rid, (_, c) in base.items()}
    inv, env = Inventory(), simpy.Environment()
    evals, changes, fixes, pending = [], [], [], set()
    rng_change, rng_fix = derive_rng(seed, "config:changes"), derive_rng(seed, "config:remediation")
    ids = sorted(live)

    def evaluate(rid, config, trigger):
        rule = RULE_FOR[rtype[rid]]
        result = rule.evaluate(rtype[rid], config)
        evals.append((env.now, rule.name, rid, result, trigger))
        if result == NON_COMPLIANT and remediation and rid not in pending:
            pending.add(rid)
            env.process(remediate(rid, rule))

    def set_live(rid, config, cause):
        live[rid] = config
        rule = RULE_FOR[rtype[rid]]
        changes.append((env.now, rid, cause, rule.evaluate(rtype[rid], config), rule.name))
        if recording == "continuous":
            env.process(record_later(rid))

    def record_later(rid):
        yield env.timeout(recording_delay_s)
        item = inv.record(rid, rtype[rid], live[rid], time_s=env.now)
        if item is not None and "change" in RULE_FOR[rtype[rid]].triggers:
            evaluate(rid, item.as_dict(), "change")

    def remediate(rid, rule):
        for attempt in range(1, max_attempts + 1):
            yield env.timeout(remediation_delay_s if attempt == 1 else retry_s)
            if rng_fix.random() >= remediation_failure_probability:
                fixes.append((env.now, rid, "fixed"))
                pending.discard(rid)
                set_live(rid, rule.fix(live[rid]), "remediation")
                return
            fixes.append((env.now, rid, "failed"))
        fixes.append((env.now, rid, "gave up"))

    def drifter():
        while True:
            yield env.timeout(rng_change.expovariate(changes_per_day / 86400))
            rid = rng_change.choice(ids)
            bad = rng_change.random() < bad_fraction
            new = _bad_change(live[rid], rtype[rid], rng_change) if bad else {**live[rid], "tags": f"v{len(changes) + 2}"}
            set_live(rid, new, "bad change" if bad else "tag change")

    def clock():
        tick = 0
        while True:
            daily = recording == "daily" and env.now % 86400 == 0
            for rid in ids:
                item = inv.record(rid, rtype[rid], live[rid], time_s=env.now) if daily or tick == 0 else None
                rule = RULE_FOR[rtype[rid]]
                if item is not None and "change" in rule.triggers:
                    evaluate(rid, item.as_dict(), "change")
                elif "periodic" in rule.triggers:
                    evaluate(rid, live[rid], "periodic")
            tick += 1
            yield env.timeout(periodic_s)

    env.process(clock())
    env.process(drifter())
    env.run(until=duration_s)
    return ConfigRun(base, inv.items(), tuple(evals), tuple(changes), tuple(fixes),
                     _episodes(changes, evals), {k: dict(v) for k, v in live.items()})


def _episodes(changes, evals) -> tuple[Episode, ...]:
    """Cut each resource's timeline into stretches of real non-compliance; find the first flag in each."""
    flags: dict[str, list[float]] = {}
    for t, _, rid, result, _ in evals:
        if result == NON_COMPLIANT:
            flags.setdefault(rid, []).append(t)
    out, opened = [], {}
    for t, rid, _, result, rule in changes:
        if result == NON_COMPLIANT and rid not in opened:
            opened[rid] = (t, rule)
        elif result != NON_COMPLIANT and rid in opened:
            out.append((rid, *opened.pop(rid), t))
    out += [(rid, t, rule, None) for rid, (t, rule) in opened.items()]
    episodes = []
    for rid, start, rule, end in sorted(out, key=lambda e: (e[1], e[0])):
        seen = [t for t in flags.get(rid, ()) if t >= start and (end is None or t < end)]
        episodes.append(Episode(rid, rule, start, seen[0] if seen else None, end))
    return tuple(episodes)
