"""Two-phase commit on the kernel: atomic under crashes, blocking while the coordinator is down."""

from __future__ import annotations

import pytest

from labsupport.agreement.transactions import run_two_phase_commit
from labsupport.sim.nemesis import Crash, Nemesis

VOTED_S = 0.12  # start 0.1 + begin record 0.005 + prepare 0.01 + prepare record 0.005
LATE_S = 0.005 + 0.01 + 0.005  # after the restart: the abort record, the message, the participant's record


def crash(node, at_s, restart_s):
    return Nemesis([Crash(node=node, at_s=at_s, restart_s=restart_s)])


def test_without_faults_everyone_commits_and_applies():
    run = run_two_phase_commit(3, seed=1)
    assert run.decision == "commit" and run.atomic
    assert run.outcome == {"p1": "commit", "p2": "commit", "p3": "commit"}
    assert run.data == {"p1": {"x1": 1}, "p2": {"x2": 1}, "p3": {"x3": 1}}


def test_one_no_vote_aborts_everywhere():
    run = run_two_phase_commit(3, refuse=["p2"], seed=1)
    assert run.decision == "abort" and run.atomic
    assert set(run.outcome.values()) == {"abort"}
    assert all(d == {} for d in run.data.values())


@pytest.mark.parametrize("restart_s", [1.0, 3.0, 5.0])
def test_participants_block_until_the_coordinator_restarts(restart_s):
    """Crash after the votes, before the decision is durable: blocked exactly until restart, then presumed abort."""
    run = run_two_phase_commit(3, nemesis=crash("coordinator", 0.132, restart_s), seed=1)
    assert run.decision == "abort" and run.atomic
    for p in ("p1", "p2", "p3"):
        assert run.blocked_s[p] == pytest.approx(restart_s + LATE_S - VOTED_S)


def test_a_coordinator_that_never_returns_leaves_everyone_blocked_but_bound():
    run = run_two_phase_commit(3, nemesis=crash("coordinator", 0.132, None), until_s=20.0, seed=1)
    assert run.decision is None and run.atomic
    assert run.blocked_s == {"p1": None, "p2": None, "p3": None}
    inquiries = [e for e in run.trace if e.event == "send" and e.kind == "inquiry"]
    assert len(inquiries) > 3 * 30  # they keep asking, every half second


def test_a_participant_that_crashes_after_voting_yes_recovers_its_promise():
    run = run_two_phase_commit(3, nemesis=crash("p2", 0.125, 0.2), seed=1)
    assert run.decision == "commit" and run.atomic
    assert run.data["p2"] == {"x2": 1}


def test_forgetting_the_prepare_record_breaks_atomicity():
    """The classic mistake: vote yes without persisting; a crash then loses the promise."""
    run = run_two_phase_commit(3, nemesis=crash("p2", 0.125, 0.2), persist_prepare=False, seed=1)
    assert run.decision == "commit" and not run.atomic
    assert run.data["p1"] == {"x1": 1} and run.data["p2"] == {}


def test_same_seed_same_trace():
    a = run_two_phase_commit(4, nemesis=crash("coordinator", 0.132, 2.0), seed=5)
    b = run_two_phase_commit(4, nemesis=crash("coordinator", 0.132, 2.0), seed=5)
    assert a.trace == b.trace


def test_bad_arguments():
    with pytest.raises(ValueError, match="refuse"):
        run_two_phase_commit(2, refuse=["p9"], seed=1)
    with pytest.raises(ValueError, match="unknown node|p9"):
        run_two_phase_commit(2, nemesis=crash("p9", 1.0, 2.0), seed=1)
    with pytest.raises(TypeError, match="nemesis"):
        run_two_phase_commit(2, nemesis=[("p1", 1.0, 2.0)], seed=1)
    with pytest.raises(ValueError, match="n_participants"):
        run_two_phase_commit(0, seed=1)
