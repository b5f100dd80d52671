"""The reference Raft under seeded random fault schedules (labsupport.sim.nemesis): every invariant holds, and the
mistakes that need a fault to show break one. The 200-schedule sweep is tests/test_across_seeds_raft.py."""

import pytest

from labsupport.agreement.raft_invariants import check_raft
from labsupport.agreement.raft_kv import run_raft_kv
from labsupport.sim import Uniform
from labsupport.sim.nemesis import KINDS, Nemesis

NODES = ("n1", "n2", "n3", "n4", "n5")
FAST_SEEDS = range(20)  # the unit stage; tests/test_across_seeds_raft.py runs 200


def sweep_run(seed, mistakes=(), kinds=KINDS):
    """One seeded schedule of faults over 8 s (one fault per 2 s window), and 200 operations spread over it."""
    nemesis = Nemesis.random(NODES, duration_s=8.0, seed=seed, kinds=kinds)
    run = run_raft_kv(5, 200, nemesis=nemesis, think_s=0.15, loss=0.02, storage_latency=Uniform(0.0005, 0.003),
                      seed=seed, mistakes=mistakes)
    return check_raft(run.trace, run.history, logs=run.logs), run


@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_the_reference_keeps_every_invariant_under_a_random_nemesis(seed):
    verdict, run = sweep_run(seed)
    assert verdict.ok, verdict.explain()
    assert verdict.checked == ("election safety", "log matching", "leader completeness", "state-machine safety",
                               "linearizability")


def test_the_sweep_injects_every_kind_of_fault_and_clients_finish():
    kinds, done = set(), 0
    for seed in range(5):
        verdict, run = sweep_run(seed)
        kinds |= {e.event for e in run.trace}
        done += sum(1 for op in run.history if not op.pending)
    assert {"crash", "recover", "partition", "heal", "pause", "drop"} <= kinds
    assert done >= 0.9 * 5 * 200


def test_the_same_seed_gives_the_same_run_event_for_event():
    assert sweep_run(3)[1].trace == sweep_run(3)[1].trace


# A stale read needs a leader cut off while others write and read: schedules of partitions alone find one sooner.
@pytest.mark.parametrize("mistake, kinds", [("vote_without_log_check", KINDS), ("no_dedup", KINDS),
                                            ("stale_reads", ("partition",))])
def test_each_mistake_breaks_an_invariant_on_some_random_schedule(mistake, kinds):
    assert any(not sweep_run(seed, (mistake,), kinds)[0].ok for seed in range(40)), mistake


