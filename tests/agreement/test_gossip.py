"""Epidemic dissemination: rounds against the published estimates, loss, and determinism."""

from __future__ import annotations

import statistics

import pytest

from labsupport.agreement.gossip import MODES, run_gossip, rounds_estimate


@pytest.mark.parametrize("mode", MODES)
def test_everyone_hears_and_the_curve_only_grows(mode):
    run = run_gossip(128, mode, seed=3)
    assert run.rounds is not None and run.informed[-1] == 128
    assert all(a <= b for a, b in zip(run.informed, run.informed[1:]))
    assert run.informed[0] == 1 and len(run.informed) == run.rounds + 1


def test_push_rounds_match_pittel_within_ten_percent():
    """Pittel (1987): log2 n + ln n + O(1); the O(1) is small, so the mean over seeds is within 10 %."""
    for n in (64, 256):
        mean = statistics.mean(run_gossip(n, "push", seed=s).rounds for s in range(20))
        assert abs(mean - rounds_estimate(n, "push")) / rounds_estimate(n, "push") < 0.10, (n, mean)


def test_push_pull_beats_pull_beats_push():
    mean = {m: statistics.mean(run_gossip(256, m, seed=s).rounds for s in range(10)) for m in MODES}
    assert mean["push-pull"] < mean["pull"] < mean["push"]


def test_a_node_informed_in_a_round_passes_it_on_only_from_the_next():
    """Synchronous rounds: with push, the informed count can at most double each round."""
    for s in range(5):
        run = run_gossip(256, "push", seed=s)
        assert all(b <= 2 * a for a, b in zip(run.informed, run.informed[1:]))


def test_loss_slows_but_does_not_stop_the_spread():
    clean = statistics.mean(run_gossip(128, "push", seed=s).rounds for s in range(10))
    lossy = [run_gossip(128, "push", loss=0.3, seed=s).rounds for s in range(10)]
    assert None not in lossy and statistics.mean(lossy) > clean


def test_same_seed_same_run():
    assert run_gossip(100, "pull", seed=9) == run_gossip(100, "pull", seed=9)
    assert run_gossip(100, "pull", seed=9) != run_gossip(100, "pull", seed=10)


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        run_gossip(10, "shout", seed=1)
    with pytest.raises(ValueError, match="n"):
        run_gossip(0, seed=1)
    with pytest.raises(ValueError, match="loss"):
        run_gossip(10, loss=1.0, seed=1)
