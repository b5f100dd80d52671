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


def outcomes(mode: str) -> dict[str, bool]:
    run = subprocess.run(
        [sys.executable, "-I", str(ATTACKS), mode], capture_output=True, text=True, timeout=120, cwd=ATTACKS.parent
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
