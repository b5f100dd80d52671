"""The kernel fails fast, leaves nothing behind for lost replies, and its parts talk through public methods."""

import ast
import importlib.util
import json
import math
from pathlib import Path

import pytest

from labsupport.sim import Node, Simulation, TraceEvent

SIM = Path(__file__).resolve().parents[2] / "labsupport" / "sim"
LIBRARY = SIM.parent
REPO = LIBRARY.parent


def two_nodes(**kwargs):
    sim = Simulation(seed=0, **kwargs)
    return sim, sim.add(Node("a")), sim.add(Node("b"))


# -- fail fast -------------------------------------------------------------------------------------
@pytest.mark.parametrize("groups, message", [
    (({"a"},), "at least two groups, got 1"),
    (({"a"}, set()), "group 1 is empty"),
    (({"a", "b"}, {"b"}), "'b' is in two partition groups"),
    (({"a"}, {"zz"}), "unknown node 'zz'"),
])
def test_a_bad_partition_raises_when_requested_not_when_it_would_begin(groups, message):
    sim, _, _ = two_nodes()
    with pytest.raises(ValueError, match=message):
        sim.partition(*groups, at=5.0)
    sim.run()  # nothing was scheduled: the run is clean
    assert sim.events("partition") == []


@pytest.mark.parametrize("until, error, message", [
    (-1.0, ValueError, "in the past"),
    (math.nan, ValueError, "finite"),
    (math.inf, ValueError, "finite"),
    ("5", TypeError, "until must be a number, not str"),
    (True, TypeError, "not bool"),
])
def test_run_rejects_a_bad_until_at_the_call(until, error, message):
    sim, a, _ = two_nodes()
    sim.at(1.0, a.send, "b", "x")
    with pytest.raises(error, match=message):
        sim.run(until=until)
    assert sim.now == 0 and sim.trace == []  # nothing ran


def test_run_until_a_time_before_now_raises_and_until_now_does_nothing():
    sim, _, _ = two_nodes()
    sim.run(until=2.0)
    with pytest.raises(ValueError, match=r"until=1.0 is in the past; the clock is at 2.0"):
        sim.run(until=1.0)
    sim.run(until=2.0)
    assert sim.now == 2.0


@pytest.mark.parametrize("bad, error", [(math.nan, ValueError), (math.inf, ValueError), ("1", TypeError)])
def test_scheduling_at_a_bad_time_raises_at_the_call(bad, error):
    sim, a, _ = two_nodes()
    with pytest.raises(error):
        sim.at(bad, a.send, "b", "x")
    with pytest.raises(error):
        sim.crash("a", at=bad)
    with pytest.raises(error):
        sim.heal(at=bad)


# -- lost replies leave nothing behind ---------------------------------------------------------------
class Echo(Node):
    def on_ask(self, msg):
        self.reply(msg, "answer", msg.payload)


class Asker(Node):
    """Asks one peer at a time with ``wait`` and all of them with ``collect``; counts what came back."""

    def __init__(self, name, peers):
        super().__init__(name)
        self.peers, self.answers, self.gave_up = peers, 0, 0

    def start(self):
        for i in range(200):
            reply = yield from self.wait(self.request(self.peers[i % len(self.peers)], "ask", i), 0.05)
            self.answers += reply is not None
            self.gave_up += reply is None
            replies = yield from self.collect(self.multicast(self.peers, "ask", i), 2, 0.05)
            self.answers += len(replies)


def lossy_run(seed=3):
    sim = Simulation(seed=seed, latency=0.01, loss=0.3, duplicate=0.1)
    peers = ["p0", "p1", "p2"]
    for name in peers:
        sim.add(Echo(name))
    asker = sim.add(Asker("a", peers))
    sim.network.configure("a", "p2", latency=0.2)  # p2's answers always come after the timeout
    sim.run()
    return sim, asker


def test_a_lossy_run_leaves_no_request_waiting():
    sim, asker = lossy_run()
    assert asker.gave_up > 20, "the run should lose some replies"
    assert sim.events("drop"), "the run should lose messages"
    assert asker._waiting == {}


def test_a_reply_after_the_timeout_is_delivered_and_ignored():
    sim, asker = lossy_run()
    late = [e for e in sim.events("deliver", node="a") if e.peer == "p2"]
    assert late, "p2's slow answers reach the asker after it gave up"
    assert asker._waiting == {}


def test_a_request_with_a_callback_of_ones_own_is_kept_until_forgotten():
    seen = []

    class Watcher(Node):
        def start(self):
            event = self.request("b", "ask", 1)
            event.callbacks.append(lambda e: seen.append(e.value.payload))
            yield from self.wait(event, 0.01)  # gives up before the answer (latency 0.1 each way)
            assert event.request.msg_id in self._waiting
            yield self.sleep(1.0)
            assert seen == [1]  # the late answer still fired the event
            other = self.request("b", "ask", 2)
            other.callbacks.append(lambda e: seen.append(e.value.payload))
            self.forget(other)

    sim = Simulation(seed=0, latency=0.1)
    watcher, _ = sim.add(Watcher("a")), sim.add(Echo("b"))
    sim.run()
    assert seen == [1] and watcher._waiting == {}


# -- the kernel's parts use each other's public methods ------------------------------------------
def private_members_of_the_kernel() -> set[str]:
    names = set()
    for path in SIM.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_")
                    and not node.name.startswith("__")):
                names.add(node.name)
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                names.add(node.attr)
    return names


def test_no_module_reaches_into_another_objects_private_kernel_members():
    private = private_members_of_the_kernel()
    assert {"_waiting", "_routes", "_group_of"} <= private
    offences = []
    for path in sorted(LIBRARY.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr in private
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                offences.append(f"{path.relative_to(LIBRARY)}:{node.lineno} .{node.attr}")
    assert offences == []


def test_trace_events_keep_their_fields_and_format():
    class Sink(Node):
        def on_ping(self, msg):
            pass

    sim = Simulation(seed=0, latency=0.5)
    a, _ = sim.add(Node("a")), sim.add(Sink("b"))
    sim.at(1.0, a.send, "b", "ping", {"x": 1})
    sim.run()
    send, deliver = sim.trace
    assert send == TraceEvent(1.0, "send", "a", "b", "ping", 0, "")
    assert deliver == TraceEvent(time=1.5, event="deliver", node="b", peer="a", kind="ping", msg_id=0)
    assert TraceEvent._fields == ("time", "event", "node", "peer", "kind", "msg_id", "detail")
    assert str(deliver) == " 1.500000 deliver   b <- a ping#0"
    assert repr(send) == "TraceEvent(time=1.0, event='send', node='a', peer='b', kind='ping', msg_id=0, detail='')"


def payload_indexing(source: str) -> list[int]:
    """Line numbers of ``<something>.payload[...]`` in Python source (IPython magics and shell lines skipped)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    return [node.lineno for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "payload"]


def code_in_the_repository():
    """(place, source) for every Python file and notebook code cell a reader runs, and every lab's wrong answers."""
    for folder in ("labsupport", "instructor", "labs", "book", "tests", "tools"):
        for path in sorted((REPO / folder).rglob("*.py")):
            yield str(path.relative_to(REPO)), path.read_text()
        for path in sorted((REPO / folder).rglob("*.ipynb")):
            if folder == "tests" or ".ipynb_checkpoints" in path.parts:
                continue  # tests/ holds only broken notebooks, made to test the grader
            cells = json.loads(path.read_text())["cells"]
            for i, cell in enumerate(cells):
                if cell["cell_type"] == "code":
                    yield f"{path.relative_to(REPO)} cell {i}", "".join(cell["source"])
    for path in sorted((REPO / "instructor" / "labs").glob("*/wrong_answers.py")):
        spec = importlib.util.spec_from_file_location(f"wrong_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for question, answers in module.WRONG.items():
            for i, answer in enumerate(answers):
                yield f"{path.relative_to(REPO)} {question}[{i}]", answer


def test_handlers_read_payload_fields_by_name_not_position():
    """Messages between nodes are named records: ``msg.payload.version``, never ``msg.payload[1]``.

    Everywhere: the library, the lab masters, their wrong answers, the students' labs, the chapters and the tests.
    """
    places = dict(code_in_the_repository())
    assert any(place.startswith("instructor/labs/lab03") and "cell" in place for place in places)
    assert any("wrong_answers.py q" in place for place in places)
    offences = [f"{place}:{line}" for place, source in places.items() for line in payload_indexing(source)]
    assert offences == []


def test_the_payload_scan_sees_indexing_and_passes_field_access():
    assert payload_indexing("tag = reply.payload[0]\n%time x = 1\n") == [1]
    assert payload_indexing("tag = reply.payload.tag\npair = reply.payload\n") == []
