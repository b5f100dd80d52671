"""Tests for labsupport.services.rds: synchronous standby loses nothing, replica lag against M/M/1, failover exposure."""

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.services.rds import DbNode, mm1_lag_s, run_replication
from labsupport.sim import Node, Simulation


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10**6), rate=st.sampled_from([20, 80, 150]),
       deployment=st.sampled_from(["multi_az_instance", "multi_az_cluster"]), crash=st.floats(1, 5.5))
def test_a_synchronous_standby_holds_every_acknowledged_write(seed, rate, deployment, crash):
    r = run_replication(deployment, n_replicas=1, write_rate_per_s=rate, read_rate_per_s=50, duration_s=6,
                        crash_at_s=crash, seed=seed)
    assert r.lost_on_failover["db-b"] == 0 and r.exposed["db-b"] == 0
    assert r.lost_on_failover["db-r1"] >= 0


def test_write_latency_pays_one_round_trip_per_synchronous_hop():
    single = run_replication("single_az", n_replicas=1, duration_s=5, seed=1)
    multi = run_replication("multi_az_instance", n_replicas=1, duration_s=5, seed=1)
    cluster = run_replication("multi_az_cluster", n_replicas=0, duration_s=5, seed=1)
    assert single.mean_write_s == pytest.approx(0.002)
    assert multi.mean_write_s == pytest.approx(0.004) == pytest.approx(cluster.mean_write_s)


def test_replica_lag_and_exposure_follow_mm1_and_littles_law():
    r = run_replication("single_az", n_replicas=2, write_rate_per_s=60, read_rate_per_s=160, duration_s=50,
                        apply_s=0.005, seed=3)
    theory = mm1_lag_s(write_rate_per_s=60, reads_per_node_per_s=80, apply_s=0.005, latency_s=0.001)
    for node in ("db-r1", "db-r2"):
        assert r.lag_s[node] == pytest.approx(theory, rel=0.12)
        assert r.exposed[node] == pytest.approx(60 * (theory - 0.001), rel=0.25)
    assert mm1_lag_s(write_rate_per_s=100, reads_per_node_per_s=150, apply_s=0.004, latency_s=0.001) == \
        float("inf")


def test_lag_and_stale_reads_grow_with_read_load():
    runs = [run_replication("single_az", n_replicas=1, read_rate_per_s=rate, duration_s=12, seed=2)
            for rate in (10, 60, 120)]
    assert runs[0].lag_s["db-r1"] < runs[1].lag_s["db-r1"] < runs[2].lag_s["db-r1"]
    stale = [r.stale_read_fraction["db-r1"] for r in runs]
    assert 0 < stale[0] < stale[1] < stale[2] < 1


def test_the_standby_refuses_reads():
    class Asker(Node):
        def start(self):
            self.answer = (yield self.request("db-b", "read", 0)).kind

    sim = Simulation(seed=1)
    sim.add(DbNode("db-b", "standby"))
    asker = sim.add(Asker("app"))
    sim.run()
    assert asker.answer == "not_readable"


def test_same_seed_same_result_and_bad_input():
    a = run_replication("multi_az_cluster", n_replicas=1, duration_s=5, crash_at_s=4, seed=8)
    assert a == run_replication("multi_az_cluster", n_replicas=1, duration_s=5, crash_at_s=4, seed=8)
    for kwargs, match in (({"deployment": "aurora"}, "unknown deployment"), ({"n_replicas": -1}, "n_replicas"),
                          ({"write_rate_per_s": 0}, "write_rate_per_s"), ({"read_rate_per_s": -3}, "read_rate"),
                          ({"deployment": "multi_az_instance", "n_replicas": 0}, "no readable node")):
        with pytest.raises(ValueError, match=match):
            run_replication(**{"duration_s": 1, **kwargs})
