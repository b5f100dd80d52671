"""Logical clocks against a brute-force happened-before relation computed from the trace's causal graph."""

import itertools

import networkx as nx
from hypothesis import given, settings, strategies as st

from labsupport.foundations.clocks import concurrent, happened_before, lamport_timestamps, vector_timestamps
from labsupport.foundations.kvstore import run_lost_update
from labsupport.sim import TraceEvent


def causal_graph(trace):
    """Edges: program order on each node, and send -> deliver of each message."""
    g, last, sends, counts = nx.DiGraph(), {}, {}, {}
    for e in trace:
        if e.event not in ("send", "deliver", "note"):
            continue
        key = (e.node, counts.get(e.node, 0))
        counts[e.node] = counts.get(e.node, 0) + 1
        g.add_node(key)
        if e.node in last:
            g.add_edge(last[e.node], key)
        last[e.node] = key
        if e.event == "send":
            sends[e.msg_id] = key
        elif e.event == "deliver":
            g.add_edge(sends[e.msg_id], key)
    return g


@st.composite
def traces(draw):
    nodes = ["a", "b", "c"]
    trace, in_flight, next_id = [], [], 0
    for step in range(draw(st.integers(1, 25))):
        node = draw(st.sampled_from(nodes))
        action = draw(st.sampled_from(["send", "note", "deliver"] if in_flight else ["send", "note"]))
        if action == "send":
            dst = draw(st.sampled_from([n for n in nodes if n != node]))
            trace.append(TraceEvent(step, "send", node, dst, "m", next_id))
            in_flight.append((next_id, node, dst))
            next_id += 1
        elif action == "note":
            trace.append(TraceEvent(step, "note", node, detail="x"))
        else:
            msg_id, src, dst = in_flight.pop(draw(st.integers(0, len(in_flight) - 1)))
            trace.append(TraceEvent(step, "deliver", dst, src, "m", msg_id))
    return trace


@settings(max_examples=150, deadline=None)
@given(traces())
def test_vector_clocks_characterise_happened_before_exactly(trace):
    g, vectors = causal_graph(trace), vector_timestamps(trace)
    reach = {n: nx.descendants(g, n) for n in g}
    for a, b in itertools.permutations(g.nodes, 2):
        assert happened_before(vectors[a], vectors[b]) == (b in reach[a])
        assert concurrent(vectors[a], vectors[b]) == (b not in reach[a] and a not in reach[b])


@settings(max_examples=150, deadline=None)
@given(traces())
def test_lamport_clocks_respect_causality(trace):
    g, stamps = causal_graph(trace), lamport_timestamps(trace)
    for a, b in g.edges:
        assert stamps[a] < stamps[b]


def test_the_racing_puts_are_concurrent_in_a_recorded_run():
    race = run_lost_update(clients=2, conditional=False, seed=2026)
    vectors = vector_timestamps(race.trace)
    counts, puts = {}, []
    for e in race.trace:
        if e.event in ("send", "deliver", "note"):
            key = (e.node, counts.get(e.node, 0))
            counts[e.node] = key[1] + 1
            if e.event == "send" and e.kind == "put":
                puts.append(vectors[key])
    assert len(puts) == 2 and concurrent(*puts)
