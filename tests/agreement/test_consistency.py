"""Tests for labsupport.agreement.consistency: under a partition the CP register refuses and stays
linearizable, the AP register answers stale and converges; without one, CP pays 4 one-way delays."""

from __future__ import annotations

import pytest

from labsupport.agreement.consistency import run_register, stale_reads, theory_latency_s
from labsupport.data.causal import check_causal
from labsupport.data.eventual import check_eventual
from labsupport.data.linearizability import check_linearizable
from labsupport.sim.history import History
from labsupport.sim.nemesis import Nemesis

PARTITION = (0.5, 1.5)


@pytest.mark.parametrize("seed", range(6))
def test_cp_refuses_on_the_minority_side_and_stays_linearizable(seed):
    run = run_register("cp", partition=PARTITION, seed=seed)
    assert check_linearizable(run.history, initial=0).linearizable is True
    assert run.refused > 0 and stale_reads(run.history) == []
    refused = [op for op in run.history if op.pending]
    assert {op.client.split("/")[0] for op in refused} == {"n3"}  # only the cut-off replica refuses
    assert all(PARTITION[0] - 0.1 <= op.invoke_s < PARTITION[1] for op in refused)  # 0.1: timeout_s
    assert check_eventual(run.history, settled_s=run.settled_s).consistent
    assert len(set(run.copies.values())) == 1


@pytest.mark.parametrize("seed", range(6))
def test_ap_always_answers_and_converges_after_the_partition_heals(seed):
    run = run_register("ap", partition=PARTITION, seed=seed)
    assert run.refused == 0
    assert check_eventual(run.history, settled_s=run.settled_s).consistent
    assert len(set(run.copies.values())) == 1
    # a write's timestamp exceeds that of everything its replica had seen, so causality is kept
    assert check_causal(run.history, initial=0).consistent


def test_ap_answers_stale_under_a_partition():
    runs = [run_register("ap", partition=PARTITION, seed=s) for s in range(6)]
    stale = [[op.client for op in r.history if op.op_id in stale_reads(r.history)] for r in runs]
    assert all(check_linearizable(r.history, initial=0).linearizable is False for r in runs)
    during = sum(1 for r in runs for op in r.history if op.op_id in stale_reads(r.history)
                 and op.client.startswith("n3") and PARTITION[0] <= op.invoke_s < PARTITION[1])
    assert during >= 6, stale


@pytest.mark.parametrize("mode", ["cp", "ap"])
def test_without_a_partition_latency_matches_pacelc_theory(mode):
    for latency_s in (0.005, 0.02):
        run = run_register(mode, latency_s=latency_s, timeout_s=10 * latency_s, seed=3)
        assert run.refused == 0
        assert run.mean_latency_s == pytest.approx(theory_latency_s(mode, latency_s))


def test_same_seed_same_trace():
    a, b = (run_register("cp", partition=PARTITION, seed=9) for _ in range(2))
    assert a.trace == b.trace and list(a.history) == list(b.history)


def test_stale_reads_and_bad_input():
    h = History.from_tuples([("a", "write", 1, 0, 1, "ok"), ("b", "read", None, 2, 3, 0)])
    assert stale_reads(h) == [1]
    overlapping = History.from_tuples([("a", "write", 1, 0, 3, "ok"), ("b", "read", None, 2, 4, 0)])
    assert stale_reads(overlapping) == []
    with pytest.raises(ValueError, match="mode"):
        run_register("ca", seed=1)
    with pytest.raises(ValueError, match="partition"):
        run_register("cp", partition=(1.5, 0.5), seed=1)
    with pytest.raises(ValueError, match="partition"):
        run_register("cp", partition=(0.5, 9.0), seed=1)


def test_the_pages_claims_hold_on_other_seeds():
    """Page 9.1: CP refuses only at n3 and stays linearizable (every seed); AP is never linearizable
    (every seed) and has stale reads on both sides of the partition (the page says 18 of 20)."""
    both = 0
    for seed in range(1, 21):
        cp = run_register("cp", partition=PARTITION, seed=seed)
        assert cp.refused > 0 and {op.client.split("/")[0] for op in cp.history if op.pending} == {"n3"}
        assert check_linearizable(cp.history, initial=0).linearizable is True
        ap = run_register("ap", partition=PARTITION, seed=seed)
        assert check_linearizable(ap.history, initial=0).linearizable is False
        stale = [op for op in ap.history if op.op_id in set(stale_reads(ap.history))
                 and PARTITION[0] <= op.invoke_s < PARTITION[1]]
        sides = {op.client.startswith("n3") for op in stale}
        both += sides == {True, False}
    assert both == 18


@pytest.mark.parametrize("seed", range(1, 21))
def test_cp_stays_linearizable_and_ap_converges_under_random_nemesis_schedules(seed):
    """Partitions of every shape, crashes with restarts, pauses, loss and delay bursts, drawn from the seed
    (the CP register refuses something on 18 of these 20 schedules: the faults bite)."""
    kinds = ("partition", "isolate", "crash", "pause", "loss", "delay")
    for mode in ("cp", "ap"):
        nemesis = Nemesis.random(["n1", "n2", "n3"], 2.0, seed=seed, kinds=kinds, n_faults=2)
        run = run_register(mode, nemesis=nemesis, seed=seed)
        verdict = check_linearizable(run.history, initial=0)
        if mode == "cp":
            assert verdict.linearizable is True, (str(nemesis), verdict.explain())
        else:
            assert run.refused == 0
            assert check_eventual(run.history, settled_s=run.settled_s).consistent, str(nemesis)
            assert check_causal(run.history, initial=0).consistent, str(nemesis)
