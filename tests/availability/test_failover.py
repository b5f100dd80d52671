"""Failover: recovery time adds up, synchronous replication loses nothing, leases and fencing stop split brain."""

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.availability.failover.procedure import FailoverConfig, Faults, recovery_budget, run_failover
from labsupport.availability.failover.analysis import lost_writes, split_brain, worst_outages
from labsupport.sim import History

FAST = dict(promotion_s=2.0, detector_timeout_s=3.0, dns_update_s=1.0)  # a quick failover, as a DB cluster does
SHORT = dict(duration_s=70, seed=3)


def test_synchronous_replication_loses_no_acknowledged_write():
    r = run_failover(FailoverConfig(replication="sync"), Faults(crash_s=30.3), **SHORT)
    assert r.final_primary == "db-b" and r.lost == () and not r.split_brain
    assert [f.get("promoted_s") is not None for f in r.failovers] == [True]


def test_asynchronous_replication_loses_at_most_the_unshipped_batch():
    r = run_failover(FailoverConfig(replication="async", async_batch_s=1.0), Faults(crash_s=30.3), **SHORT)
    assert r.lost, "some acknowledged writes should still have been waiting to be shipped"
    acked_at = {op.arg: op.complete_s for op in r.history if isinstance(op.result, tuple)}
    assert all(30.3 - 1.0 - 0.1 <= acked_at[v] <= 30.3 for v in r.lost)


def test_mean_outage_matches_the_recovery_budget():
    config = FailoverConfig()
    outages = []
    for seed in range(4):
        r = run_failover(config, Faults(crash_s=30.0 + seed / 4), clients=6, duration_s=70, seed=seed)
        outages.extend(r.outages_s.values())
    mean = sum(outages) / len(outages)
    assert mean == pytest.approx(recovery_budget(config)["total"], rel=0.05)


def test_recovery_grows_with_ttl_and_timeout():
    quick = run_failover(FailoverConfig(detector_timeout_s=2.0, dns_ttl_s=1.0), Faults(crash_s=30.5), **SHORT)
    slow = run_failover(FailoverConfig(detector_timeout_s=8.0, dns_ttl_s=20.0), Faults(crash_s=30.5), **SHORT)
    assert quick.worst_outage_s + 10 < slow.worst_outage_s


PARTITION = Faults(partition=(30.0, 60.0))  # db-a cut off from monitor and standby; clients still reach it


def test_naive_failover_under_partition_makes_two_primaries_and_loses_writes():
    r = run_failover(FailoverConfig(replication="async", **FAST), PARTITION, **SHORT)
    assert r.split_brain and r.two_primaries_s > 0 and r.lost
    assert r.final_primary == "db-b"


def test_a_lease_stops_the_isolated_primary_before_the_standby_takes_over():
    r = run_failover(FailoverConfig(replication="async", lease_s=5.0, **FAST), PARTITION, **SHORT)
    assert not r.split_brain
    first_new = min(op.complete_s for op in r.history if isinstance(op.result, tuple) and op.result[2] == 2)
    last_old = max(op.complete_s for op in r.history if isinstance(op.result, tuple) and op.result[2] == 1)
    assert last_old < first_new


def test_clock_drift_beyond_the_bound_breaks_the_lease_and_a_wider_bound_repairs_it():
    faults = Faults(partition=(30.0, 60.0), clock_rate=0.6)
    broken = run_failover(FailoverConfig(replication="async", lease_s=10.0, drift_bound=0.0, **FAST), faults, **SHORT)
    repaired = run_failover(FailoverConfig(replication="async", lease_s=10.0, drift_bound=0.7, **FAST), faults, **SHORT)
    assert broken.split_brain and not repaired.split_brain


def test_fencing_makes_the_stale_primary_step_down_when_it_still_reaches_the_standby():
    faults = Faults(partition=(30.0, 60.0), partition_standby=False)
    naive = run_failover(FailoverConfig(replication="async", dns_ttl_s=10.0, **FAST), faults, **SHORT)
    fenced = run_failover(FailoverConfig(replication="async", dns_ttl_s=10.0, fencing=True, **FAST), faults, **SHORT)
    assert naive.split_brain and not fenced.split_brain
    assert len(fenced.lost) < len(naive.lost)  # fencing stops the damage after one batch
    assert any("fenced" in e.detail for e in fenced.trace if e.event == "note")


def test_a_promoted_server_ignores_the_old_replication_stream_unless_fencing_answers():
    faults = Faults(partition=(30.0, 60.0), partition_standby=False)
    sync = run_failover(FailoverConfig(replication="sync", **FAST), faults, **SHORT)
    assert not sync.split_brain and sync.lost == ()  # the stale primary's synchronous writes time out
    assert not any(e.event == "send" and e.node == "db-b" and e.kind == "ack" and e.time > 34 for e in sync.trace)


def test_long_timeout_rides_out_lost_heartbeats_and_short_pauses():
    faults = Faults(heartbeat_loss=0.3, pauses=((20.0, 2.5),))
    calm = run_failover(FailoverConfig(detector_timeout_s=5.0), faults, **SHORT)
    jumpy = run_failover(FailoverConfig(detector_timeout_s=1.5), faults, **SHORT)
    assert calm.failovers == () and calm.worst_outage_s < 3.5
    assert len(jumpy.failovers) >= 1


def test_same_seed_same_trace():
    config, faults = FailoverConfig(replication="async", lease_s=4.0), Faults(partition=(20.0, 30.0), heartbeat_loss=0.1)
    a = run_failover(config, faults, duration_s=40, seed=9)
    b = run_failover(config, faults, duration_s=40, seed=9)
    assert a.trace == b.trace and a.outages_s == b.outages_s


@pytest.mark.parametrize("kwargs, match", [
    (dict(replication="semi"), "replication"), (dict(detector_timeout_s=-1.0), "detector_timeout_s"),
    (dict(lease_s=0.0), "lease_s"), (dict(phi_threshold=0.0), "phi_threshold"),
    (dict(drift_bound=1.5), "drift_bound"), (dict(dns_ttl_s=0.0), "dns_ttl_s")])
def test_bad_configuration_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FailoverConfig(**kwargs)


def test_bad_faults_are_refused():
    with pytest.raises(ValueError, match="heartbeat_loss"):
        Faults(heartbeat_loss=1.0)
    with pytest.raises(ValueError, match="partition"):
        Faults(partition=(5.0, 2.0))


# -- the history analysis ---------------------------------------------------------

acks = st.lists(st.tuples(st.floats(0, 100), st.integers(1, 3)), min_size=1, max_size=30)


def history_of(rows):
    return History.from_tuples([(f"c{i}", "write", f"v{i}", t, t, ("ok", f"db{epoch}", epoch))
                                for i, (t, epoch) in enumerate(rows)])


@settings(max_examples=100, deadline=None)
@given(acks)
def test_split_brain_is_reported_exactly_when_an_older_epoch_acknowledges_after_a_newer_one(rows):
    report = split_brain(history_of(rows))
    ordered = sorted(enumerate(rows), key=lambda r: (r[1][0], f"v{r[0]}"))
    expected = any(e1 > e2 for i, (_, (t1, e1)) in enumerate(ordered) for _, (t2, e2) in ordered[i + 1:])
    assert report.detected == expected
    assert report.overlap_s >= 0


@settings(max_examples=100, deadline=None)
@given(acks, st.sets(st.integers(0, 29)))
def test_lost_writes_are_the_acknowledged_ones_the_log_lacks(rows, kept):
    h = history_of(rows)
    log = [f"v{i}" for i in kept]
    assert set(lost_writes(h, log)) == {f"v{i}" for i in range(len(rows))} - set(log)


def test_worst_outage_counts_until_the_end_when_a_client_never_recovers():
    h = History.from_tuples([("c1", "write", "a", 0, 1, ("ok", "db-a", 1)), ("c1", "write", "b", 2, 4, "timeout")])
    assert worst_outages(h, end_s=10.0) == {"c1": 9.0}
