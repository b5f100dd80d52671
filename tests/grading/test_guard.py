"""A lab's grading kernel holds only stubs of what the lab asks for, whatever route a student takes to it.

Every attack in guard_attacks.py must work without the guard (so the test can fail) and fail with it.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from labsupport.grading import guard
from labsupport.grading.asked import ASKED_FOR, Declared, asked_for

ATTACKS = Path(__file__).with_name("guard_attacks.py")


def outcomes(mode: str, *copies: str) -> dict[str, bool]:
    run = subprocess.run(
        [sys.executable, "-I", str(ATTACKS), mode, *copies], capture_output=True, text=True, timeout=120,
        cwd=ATTACKS.parent
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def both():
    return outcomes("none"), outcomes("guard")


def test_every_attack_reaches_the_library_without_the_guard(both):
    unguarded, _ = both
    assert unguarded and all(unguarded.values()), {k: v for k, v in unguarded.items() if not v}


def test_no_attack_reaches_it_with_the_guard(both):
    _, guarded = both
    assert set(guarded) == set(both[0])
    assert not any(guarded.values()), sorted(k for k, v in guarded.items() if v)


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Other copies of the library's clocks on the machine (isolation mode ``none`` leaves them readable),
    tried without and with the guard."""
    folder = tmp_path_factory.mktemp("copies")
    subprocess.run([sys.executable, "-I", str(ATTACKS), "make", str(folder)], check=True, timeout=120)
    return outcomes("none", str(folder)), outcomes("guard", str(folder))


def test_every_other_copy_reaches_the_library_without_the_guard(copies):
    unguarded, _ = copies
    assert set(unguarded) == {"renamed-copy", "another-clone", "wheel", "zipimport", "tarball", "git-objects",
                              "renamed-bytecode"}
    assert all(unguarded.values()), {k: v for k, v in unguarded.items() if not v}


def test_no_other_copy_reaches_it_with_the_guard(copies):
    """A renamed copy in /tmp (its content), another clone at another version (its path below the package), a
    wheel, a tarball, a git repository's objects (archives and stores, by name) and renamed bytecode: refused."""
    _, guarded = copies
    assert set(guarded) == set(copies[0])
    assert not any(guarded.values()), sorted(k for k, v in guarded.items() if v)


def test_the_guard_keeps_the_network_to_this_machine():
    """A copy on another machine (the project's public repository) is out of reach; loopback stays (otter's kernel
    reports to a server on this machine)."""
    code = """
import json, socket
from labsupport.grading import guard
guard.install([])
server = socket.create_server(("127.0.0.1", 0))
outcome = {}
for name, address in (("loopback", server.getsockname()), ("remote", ("192.0.2.1", 443)),
                      ("remote-name", ("example.org", 443))):
    try:
        socket.create_connection(address, timeout=2).close()
        outcome[name] = "connected"
    except PermissionError:
        outcome[name] = "refused"
    except OSError as error:
        outcome[name] = type(error).__name__
print(json.dumps(outcome))
"""
    run = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-1500:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"loopback": "connected", "remote": "refused",
                                                               "remote-name": "refused"}


def test_a_stub_says_what_the_lab_asks_for():
    def clock(events):
        return len(events)

    def outer():
        cell = 3

        def inner():
            return cell

        return inner

    closure = outer()
    assert guard.neutralise(clock) == 1 and guard.neutralise(closure) == 1
    with pytest.raises(NotImplementedError, match="clock is what this lab asks you to write"):
        clock([])
    with pytest.raises(NotImplementedError, match="inner is what this lab asks you to write"):
        closure()


def test_every_declared_entry_exists():
    """A renamed module or function would silently leave the library's version in the kernel."""
    for lab, entries in ASKED_FOR.items():
        assert (Path(__file__).resolve().parents[2] / "instructor" / "labs" / lab).is_dir(), lab
        for entry in entries:
            module, _, attr = entry.partition(":")
            obj = __import__(module, fromlist=["_"])
            for part in filter(None, attr.split(".")):
                obj = getattr(obj, part)


def test_the_grader_keeps_declared_objects_on_its_side():
    from labsupport.data.hashing import HashRing, stable_hash64

    declared = Declared(asked_for("lab02-hashing"))
    ring = HashRing(["a", "b"], 2)
    assert declared.covers(HashRing) and declared.covers(ring) and declared.covers(ring.lookup)
    assert not declared.covers(stable_hash64) and not declared.covers(len) and not declared.covers([1])


def test_a_lab_that_declares_nothing_still_gets_a_kernel():
    """ctypes loads libpython with dlopen as it is first imported (jupyter_client imports it through dateutil):
    the guard imports it before refusing dlopen, or every undeclared lab's kernel died at start-up."""
    code = ("from labsupport.grading import guard\nguard.install([])\nimport jupyter_client, ipykernel.kernelapp\n"
            "print('up')")
    run = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "up", run.stderr[-1500:]


def test_in_mode_none_a_kernel_that_execs_a_renamed_copy_scores_zero_and_the_solution_full_marks(tmp_path):
    """Isolation mode ``none`` (no namespaces): the library's clocks, copied under another name where the student
    finds them, exec'd from the notebook, score zero on Lab 1 Q3; the solution keeps full marks there."""
    import shutil

    import labsupport
    from labsupport.grading import load_autograder
    from labsupport.grading.authoring import assign
    from labsupport.grading.runner import Limits, grade_submission

    root = Path(__file__).resolve().parents[2]
    lab = "lab01-clocks"
    out = tmp_path / "dist"
    assign(root / "instructor" / "labs" / lab / f"{lab}.ipynb", out)
    _, questions = load_autograder(next((out / "autograder").glob("*.zip")))
    copy = tmp_path / "elsewhere" / "notes.py"
    copy.parent.mkdir()
    shutil.copy(Path(labsupport.__file__).parent / "foundations" / "clocks.py", copy)
    solution = out / "autograder" / f"{lab}.ipynb"
    notebook = json.loads(solution.read_text())
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "shortcut", "metadata": {},
                              "outputs": [], "source": (
                                  "del happened_before, concurrent\n_ns = {'__name__': 'mine'}\n"
                                  f"exec(open({str(copy)!r}).read(), _ns)\n"
                                  "happened_before, concurrent = _ns['happened_before'], _ns['concurrent']\n")})
    shortcut = tmp_path / "shortcut.ipynb"
    shortcut.write_text(json.dumps(notebook))
    support = [p for p in (root / "labs" / lab).glob("*") if p.is_file() and p.suffix != ".ipynb"]
    scores = {}
    for name, path in (("solution", solution), ("shortcut", shortcut)):
        result = grade_submission(path, lab, questions, Limits(timeout_s=300), mode="none", support_files=support)
        assert result.status == "graded", (name, result.status, result.detail)
        scores[name] = result.question_scores(questions)
    full = {q.name: q.points for q in questions}
    assert scores["solution"] == pytest.approx(full)
    assert scores["shortcut"] == pytest.approx(full | {"q3": 0})
