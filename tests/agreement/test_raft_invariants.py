"""The Raft referee: each invariant check passes a run that keeps it and names the first rule a bad run breaks."""

import pytest

from labsupport.agreement.raft_invariants import (
    Entry, announce_apply, announce_leader, apply_note, check_election_safety, check_history,
    check_leader_completeness, check_log_matching, check_raft, check_state_machine_safety, leader_note, parse_note,
)
from labsupport.sim import History, Node, Simulation, TraceEvent


def note(time, node, text):
    return TraceEvent(time, "note", node, detail=text)


GOOD = [
    note(1.0, "n1", leader_note(1, 0)),
    note(1.2, "n1", apply_note(1, 1, "put x 1")),
    note(1.3, "n2", apply_note(1, 1, "put x 1")),
    note(3.0, "n2", leader_note(2, 1)),
    note(3.5, "n2", apply_note(2, 2, "put x 2")),
    note(3.6, "n1", apply_note(2, 2, "put x 2")),
    note(4.0, "n1", apply_note(1, 1, "put x 1")),  # n1 restarted and replays from index 1: allowed
]


def test_a_run_that_keeps_every_invariant_passes():
    verdict = check_raft(GOOD, logs={"n1": [Entry(1, "put x 1"), Entry(2, "put x 2")], "n2": [Entry(1, "put x 1")]})
    assert verdict.ok and verdict.violations == ()
    assert (verdict.leaders, verdict.applied) == (2, 5)
    assert verdict.explain().startswith("every invariant held")


def test_two_leaders_in_one_term_break_election_safety():
    trace = GOOD + [note(5.0, "n3", leader_note(2, 2))]
    found = check_election_safety(trace)
    assert [v.invariant for v in found] == ["election safety"] and found[0].time == 5.0
    assert check_raft(trace).broken() == ("election safety",)


def test_the_same_node_announcing_its_term_twice_is_not_two_leaders():
    assert check_election_safety(GOOD + [note(5.0, "n2", leader_note(2, 2))]) == []


def test_different_entries_at_one_index_break_state_machine_safety():
    trace = GOOD + [note(5.0, "n3", apply_note(2, 3, "put x 3"))]
    found = check_state_machine_safety(trace)
    assert len(found) == 1 and "n3 applied index 2 as term 3" in found[0].detail


def test_the_same_command_from_another_term_is_a_different_entry():
    assert check_state_machine_safety(GOOD + [note(5.0, "n3", apply_note(2, 1, "put x 2"))]) != []


def test_a_leader_without_an_applied_entry_breaks_leader_completeness():
    trace = GOOD + [note(5.0, "n3", leader_note(3, 1))]  # index 2 was applied at t=3.5, in term 2
    found = check_leader_completeness(trace)
    assert len(found) == 1 and "index 2" in found[0].detail


def test_a_leader_of_an_earlier_term_may_lack_later_entries():
    # A slow election of term 1 finishing after term 2's leader applied index 2 breaks nothing.
    trace = [note(1.0, "n2", leader_note(2, 0)), note(1.5, "n2", apply_note(1, 2, "a")),
             note(2.0, "n1", leader_note(1, 0))]
    assert check_leader_completeness(trace) == []


def test_log_matching_compares_prefixes():
    assert check_log_matching({"a": [Entry(1, "x")], "b": []}) == []
    found = check_log_matching({"a": [Entry(1, "x"), Entry(1, "y")], "b": [Entry(1, "z"), Entry(1, "y")]})
    assert [v.invariant for v in found] == ["log matching"]


def test_a_history_that_is_not_linearizable_is_reported():
    history = History.from_tuples([("w", "write", 1, 0.0, 1.0, "ok"), ("r", "read", None, 2.0, 3.0, None)])
    found = check_history(history)
    assert [v.invariant for v in found] == ["linearizability"]
    assert check_raft(GOOD, history).broken() == ("linearizability",)


def test_an_undecided_history_check_never_passes(monkeypatch):
    import labsupport.agreement.raft_invariants as module

    class Unknown:
        linearizable = None

        def explain(self):
            return "unknown (not a pass): the search hit its limit"
    monkeypatch.setattr(module, "check_linearizable", lambda history: Unknown())
    assert "could not decide" in check_history(History())[0].detail


def test_a_history_the_real_checker_cannot_decide_is_a_violation(monkeypatch):
    import labsupport.agreement.raft_invariants as module
    from labsupport.data.linearizability import check_linearizable

    writes = [(f"c{i}", "write", i, 0.0, 10.0, "ok") for i in range(12)]  # 12 overlapping writes, then a read
    history = History.from_tuples(writes + [("r", "read", None, 11.0, 12.0, 5)])
    assert check_linearizable(history, max_explored=50).linearizable is None
    monkeypatch.setattr(module, "check_linearizable", lambda h: check_linearizable(h, max_explored=50))
    assert "could not decide, which is not a pass: unknown" in check_history(history)[0].detail


def test_notes_round_trip_and_malformed_notes_are_refused():
    assert parse_note(apply_note(3, 2, "cas x (1, 2)")) == ("apply", {"index": 3, "term": 2, "cmd": "cas x (1, 2)"})
    with pytest.raises(ValueError, match="malformed Raft note"):
        parse_note("raft leader term=x")
    with pytest.raises(ValueError, match="index"):
        apply_note(0, 1, "x")


def test_nodes_announce_through_the_trace():
    class Loud(Node):
        def start(self):
            announce_leader(self, 1, 0)
            announce_apply(self, 1, Entry(1, "put x 1"))

    sim = Simulation(seed=1)
    sim.add(Loud("n1"))
    sim.run()
    assert [e.detail for e in sim.events("note")] == [leader_note(1, 0), apply_note(1, 1, "put x 1")]
    assert check_raft(sim.trace).ok


def test_final_logs_come_from_raft_log_or_storage():
    from labsupport.agreement.raft_invariants import final_logs

    class Method(Node):
        def raft_log(self):
            return [(1, "a"), (2, "b")]

    class Stored(Node):
        def start(self):
            self.persist(log=[(1, "a")])

    sim = Simulation(seed=1)
    sim.add(Method("n1")), sim.add(Stored("n2")), sim.add(Node("n3"))
    sim.run()
    assert final_logs(sim) == {"n1": [Entry(1, "a"), Entry(2, "b")], "n2": [Entry(1, "a")]}
