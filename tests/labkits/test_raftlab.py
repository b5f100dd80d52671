"""Lab 11's kit: the node plumbing, the clients and bench, and staged scenes that name the rule a node broke."""

import pytest

from labsupport.labkits.raftlab import ClientReply, Command, Entry, RaftLabNode, Vote
from labsupport.labkits.raftlab_runs import make_script, run_cluster
from labsupport.labkits.raftlab_scenes import run_split_vote, run_stale_read
from labsupport.sim import Simulation


def test_apply_executes_in_order_once_per_request():
    node = Simulation(seed=1).add(RaftLabNode("n1", ["n1", "n2", "n3"]))
    assert node.apply(1, Entry(1, Command("c1", 1, "put", "x", "a"))) == "ok"
    assert node.apply(2, Entry(1, Command("c1", 1, "put", "x", "a"))) == "ok"  # a retry: not executed again
    assert node.apply(3, Entry(2, Command("c2", 1, "get", "x"))) == "a"
    assert node.kv == {"x": "a"} and node.last_applied == 3
    with pytest.raises(ValueError, match="index"):
        node.apply(5, Entry(2, Command("c2", 2, "get", "x")))
    with pytest.raises(TypeError, match="entry"):
        node.apply(4, (2, Command("c2", 2, "get", "x")))


def test_a_node_must_be_one_of_its_peers_and_commands_are_checked():
    with pytest.raises(ValueError, match="peers"):
        RaftLabNode("n9", ["n1", "n2"])
    with pytest.raises(ValueError, match="op"):
        Command("c1", 1, "delete", "x")
    with pytest.raises(ValueError, match="seq"):
        Command("c1", 0, "get", "x")


def test_apply_and_became_leader_write_the_referees_notes():
    sim = Simulation(seed=1)
    node = sim.add(RaftLabNode("n1", ["n1", "n2", "n3"]))
    node.became_leader(2, 0)
    node.apply(1, Entry(2, Command("c1", 1, "put", "x", "a")))
    assert [e.detail.split(" cmd=")[0] for e in sim.events("note")] == ["raft leader term=2 last=0",
                                                                       "raft apply index=1 term=2"]


def test_scripts_are_seeded_and_write_unique_values():
    one, again = make_script("c1", 40, seed=3), make_script("c1", 40, seed=3)
    assert one == again and one != make_script("c1", 40, seed=4)
    puts = [value for _, op, _, value in one if op == "put"]
    assert len(puts) == len(set(puts)) > 0


class Greedy(RaftLabNode):
    """Grants every request_vote of a term it has not seen: votes twice in one term."""

    term = 0

    def on_request_vote(self, msg):
        self.reply(msg, "vote", Vote(msg.payload.term, True))


class Faithful(Greedy):
    voted = None

    def on_client_request(self, msg):
        pass  # knows no leader and says nothing: the client waits and moves on

    def on_request_vote(self, msg):
        granted = self.voted in (None, msg.payload.candidate)
        self.voted = msg.payload.candidate if granted else self.voted
        self.reply(msg, "vote", Vote(msg.payload.term, granted))


def test_the_split_vote_scene_catches_a_double_vote_and_passes_a_single_one():
    assert run_split_vote(Greedy, seed=1).problems == ("n1 voted twice in term 5: for n2 and n3",)
    assert run_split_vote(Faithful, seed=1).problems == ()


def test_a_cluster_that_never_answers_fails_liveness_and_says_how_to_replay():
    run = run_cluster(Faithful, n_clients=1, n_ops=3, duration_s=6.0, seed=5, call="run_cluster(NodeClass)")
    assert run.leaders() == [] and all(op.pending for op in run.history)
    assert any(p.startswith("liveness broken: 1 client operation") for p in run.problems())
    assert "run it again: run_cluster(NodeClass)" in run.report()


def test_same_seed_same_trace():
    first = run_cluster(Faithful, n_clients=2, n_ops=2, duration_s=3.0, seed=9)
    assert first.trace == run_cluster(Faithful, n_clients=2, n_ops=2, duration_s=3.0, seed=9).trace


class LocalReader(RaftLabNode):
    """Claims leadership at once and answers every command from its own store, committing nothing."""

    def start(self):
        self.became_leader(1, 0)

    def on_client_request(self, msg):
        command = msg.payload
        result = self.kv.get(command.key) if command.op == "get" else "ok"
        if command.op == "put":
            self.kv[command.key] = command.value
        self.send(command.client, "client_reply", ClientReply(command.seq, True, result))


def test_the_stale_read_scene_catches_a_leader_answering_from_its_own_store():
    problems = run_stale_read(LocalReader, seed=1).problems
    assert len(problems) == 1 and problems[0].startswith("a read from a leader cut off from the majority")


def test_a_scene_with_lab_records_as_payloads_replays_in_the_grader_event_for_event():
    """Lab 11's messages are the kit's named tuples: they cross the wire rebuilt and the replay accepts them."""
    from labsupport.grading.protocol_record import record_protocol
    from labsupport.grading.protocol_replay import replay_protocol
    from labsupport.grading.wire import decode, encode

    handles = []
    log = decode(encode(record_protocol(run_split_vote, Faithful, kwargs={"seed": 4}), handles.append),
                 lambda *a: pytest.fail("a proxy in the log"), lambda *a: None)
    replayed = replay_protocol(run_split_vote, log, [], kwargs={"seed": 4})
    assert replayed.trace == run_split_vote(Faithful, seed=4).trace and replayed.problems == ()


def test_part_a_runs_require_an_election_so_a_silent_cluster_fails_them():
    from labsupport.labkits.raftlab_runs import run_part

    problems = run_part(Faithful, "A", "partitions", seed=1).problems()
    assert problems == ["liveness broken: no election won in the first 3 s (a majority can always elect under "
                        "these schedules)"]


def test_expect_ok_shows_the_report_of_a_broken_run_and_judges_only_the_labs_runs():
    from labsupport.labkits.protocol import PropertyFailure
    from labsupport.labkits.raftlab_runs import expect_ok

    expect_ok(run_split_vote(Faithful, seed=1))
    with pytest.raises(PropertyFailure, match=r"(?s)voted twice in term 5.*run it again: run_split_vote\(NodeClass"):
        expect_ok(run_split_vote(Greedy, seed=1))
    with pytest.raises(TypeError, match="run must be RaftRun or Scene"):
        expect_ok(("a", "forged", "run"))
