"""The trace animation: self-contained, deterministic, and faithful to the trace it plays.

What the JavaScript does in a browser (play, step, slider) is tested in tests/browser/.
"""

import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from labsupport.foundations.kvstore import run_lost_update
from labsupport.sim import Node, Simulation, TraceEvent
from labsupport.viz.animate import TraceAnimation, animate_trace

NODES = ["client1", "store", "client2"]


class Pinger(Node):
    def __init__(self, name, peers, rounds=6, gap_s=0.25):
        super().__init__(name)
        self.peers, self.rounds, self.gap_s = peers, rounds, gap_s

    def start(self):
        for i in range(self.rounds):
            for peer in self.peers:
                self.send(peer, "ping", i)
            yield self.sleep(self.gap_s)

    def on_pong(self, msg):
        pass


class Echo(Node):
    def on_ping(self, msg):
        self.reply(msg, "pong", msg.payload)


def faulty_trace(seed=3, loss=0.15, duplicate=0.0):
    sim = Simulation(seed=seed, latency=0.1, loss=loss, duplicate=duplicate)
    sim.add(Pinger("a", ["b", "c"]))
    sim.add(Echo("b"))
    sim.add(Echo("c"))
    sim.crash("c", at=0.6)
    sim.recover("c", at=1.2)
    sim.partition({"a"}, {"b", "c"}, at=1.3)
    sim.heal(at=1.7)
    sim.run()
    return sim.trace


def payload(anim):
    match = re.search(r"\}\)\(document\.currentScript[^,]*, (\{.*\})\);</script>", anim.html, re.S)
    assert match, "the player's data should follow its function"
    return json.loads(match.group(1))


def group(anim, name):
    return re.search(rf'<g class="anim-{name}">(.*?)</g>\s*<\w+ class="anim-', anim.html, re.S).group(1)


def test_same_trace_same_bytes_and_the_id_is_a_hash_of_the_content():
    race = run_lost_update(clients=2, increments=1, conditional=True, seed=2026)
    a = animate_trace(race.trace, NODES, title="race")
    b = animate_trace(list(race.trace), NODES, title="race")
    assert a.html == b.html and a.key == b.key
    assert f'id="anim-{a.key}"' in a.html
    assert animate_trace(race.trace, NODES, title="another title").key != a.key
    shifted = [TraceEvent(e.time + 0.001, e.event, e.node, e.peer, e.kind, e.msg_id, e.detail) for e in race.trace]
    assert animate_trace(shifted, NODES, title="race").key != a.key


def test_the_block_is_self_contained():
    anim = animate_trace(faulty_trace(), title="faults")
    assert "http" not in anim.html and "src=" not in anim.html
    assert anim.html.count("<script") == anim.html.count("</script>") == 1
    assert anim._repr_html_() == anim.html
    assert repr(anim) == f"TraceAnimation('faults': {anim.steps} events on 3 nodes)"
    for control in ("anim-play", "anim-back", "anim-forward", "anim-slider", "anim-time", "anim-caption"):
        assert f'class="{control}"' in anim.html


def test_every_message_event_and_fault_is_drawn_once():
    trace = faulty_trace()
    anim = animate_trace(trace, ["a", "b", "c"], title="faults")
    data = payload(anim)
    count = lambda kind: sum(e.event == kind for e in trace)  # noqa: E731
    assert anim.steps == len(data["steps"]) == len(trace)
    assert len(data["messages"]) == count("send") + count("duplicate")
    assert group(anim, "messages").count("<circle") == len(data["messages"])  # one travelling dot each
    assert sum(m["drop"] for m in data["messages"]) == count("drop") > 0
    assert group(anim, "messages").count('stroke="crimson"') == 2 * count("drop")  # each cross is two strokes
    marks = group(anim, "marks")
    assert marks.count("<path") == count("crash") == 1 and marks.count("<circle") == count("recover") == 1
    spans = group(anim, "spans")
    assert spans.count('fill="orange"') == 1 and spans.count('fill="crimson"') == 1  # partition; c down
    assert anim.html.count("<li>") == len(trace)


def test_a_message_lost_on_sending_is_a_short_stub_with_a_cross():
    trace = [TraceEvent(0.0, "send", "a", "b", "ping", 0), TraceEvent(0.0, "drop", "b", "a", "ping", 0, "lost"),
             TraceEvent(1.0, "send", "a", "b", "ping", 1), TraceEvent(2.0, "deliver", "b", "a", "ping", 1)]
    lost, delivered = payload(animate_trace(trace, ["a", "b"]))["messages"]
    assert lost["drop"] and lost["x1"] - lost["x0"] < 20 and lost["y0"] < lost["y1"] < delivered["y1"]
    assert not delivered["drop"] and (lost["a"], lost["b"], delivered["a"], delivered["b"]) == (0, 1, 2, 3)
    assert delivered["x1"] == 90 + 606  # the last event ends the time axis


def test_nodes_not_drawn_leave_their_messages_out():
    trace = faulty_trace(loss=0.0)
    data = payload(animate_trace(trace, ["a", "b"]))
    assert len(data["messages"]) == sum(e.event == "send" and {e.node, e.peer} == {"a", "b"} for e in trace)
    assert all({m["src"], m["dst"]} == {0, 1} for m in data["messages"])


def test_text_in_the_trace_cannot_break_out_of_the_page():
    trace = [TraceEvent(0.0, "note", "a", detail="</script><b>x</b>"), TraceEvent(1.0, "note", "a", detail="<!-- y")]
    anim = animate_trace(trace, ["a"])
    assert anim.html.count("</script>") == 1 and "<b>x</b>" not in anim.html
    assert "&lt;/script&gt;" in anim.html


def test_bad_input_is_refused_with_a_reason():
    race = run_lost_update(clients=2, increments=1, conditional=False, seed=1)
    with pytest.raises(ValueError, match="nodes is empty"):
        animate_trace(race.trace, [])
    with pytest.raises(ValueError, match="twice"):
        animate_trace(race.trace, ["store", "store"])
    with pytest.raises(ValueError, match="no events on nodes"):
        animate_trace(race.trace, ["nobody"])
    with pytest.raises(TypeError, match="TraceEvent"):
        animate_trace([("0.0", "send")], ["a"])


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from([0.0, 0.2, 0.5]), duplicate=st.sampled_from([0.0, 0.3]))
def test_every_arrival_belongs_to_a_message_sent_before_it(seed, loss, duplicate):
    trace = faulty_trace(seed=seed, loss=loss, duplicate=duplicate)
    anim = animate_trace(trace, ["a", "b", "c"])
    data = payload(anim)
    times = [t for t, _ in data["steps"]]
    assert times == sorted(times)
    arrivals = sum(e.event in ("deliver", "drop") for e in trace)
    assert sum(m["b"] is not None for m in data["messages"]) == arrivals
    for m in data["messages"]:
        assert m["b"] is None or (m["a"] < m["b"] and m["t0"] <= m["t1"])
        assert times[m["a"]] == m["t0"]
    assert isinstance(anim, TraceAnimation) and anim.html == animate_trace(trace, ["a", "b", "c"]).html
