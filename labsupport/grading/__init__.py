"""Grading a whole class's lab notebooks with one command: ``labgrade``.

An exam hall, not an honour system: each submission sits alone in its own
room (a process group, and where the machine allows it, its own network,
mount and process namespaces), with a clock on the wall (a time limit),
a cap on the paper it may use (memory, output), and an examiner who keeps
the answer sheet on the examiner's own desk.

Where the verdict is decided
----------------------------
A verdict computed inside the submission's process belongs to the submission:
it can redefine ``print``, rewrite code with an IPython input transformer,
patch modules and builtins, trace every frame, return objects whose ``__eq__``
always says yes, or walk the garbage collector for the expected values. So:

1. The kernel only runs student code. After the notebook's cells, the grading
   process (``python -m labsupport.grading.sandbox``, non-dumpable, fed the tests
   on stdin) starts a small agent in the kernel (:mod:`.agent`) with one execute
   request and talks to it over a Unix socket in short frames (:mod:`.wire`).
   Test code, and with it every hidden expected value, never enters the kernel.
2. Each test case runs in the grading process (:mod:`.remote`) in a fresh
   namespace whose unknown names come from the real builtins first, then from the
   notebook on demand (``__missing__``, which module code, functions and generator
   expressions all reach). Public cases run first, then hidden ones; ``assert
   a == b`` is rewritten to report both sides, and hidden messages are never shown.
3. Student to grader, only plain data crosses, decoded by a strict decoder that
   never unpickles: numbers, strings, bytes, containers (subclasses as their
   items), numeric numpy values, and dataclasses, named tuples and enums of
   ``labsupport`` rebuilt from their fields. Modules, functions and classes of the
   library, numpy and the standard library are replaced by the grader's own copies.
   Anything else is a :class:`~.remote.StudentProxy`: calls, attributes, items,
   iteration, ``len`` and ``bool`` are forwarded and their results decoded again,
   but its equality, hash and ordering are the grader's (identity), so no student
   object can make a comparison pass. A reply is only ever the value of the call
   that asked for it: forged, out-of-order or malformed frames fail the test.
4. Grader to student, arguments are pickled: data by value, library objects by
   value, functions and classes by name; anything a test defines (lambdas, bound
   builtins, namespaces) stays in the grader as a reference the student's code
   calls back, and a ``random.Random`` is copied with its state sent back.
5. The time limit per test is a SIGALRM in the grading process; a kernel that does
   not answer is interrupted, and restarted with its cells replayed if it ignores
   the interrupt; its output is counted against the cap while a test runs.

What stays on the student's side: library functions that drive or inspect the
student's own classes and functions (``STUDENT_SIDE`` in :mod:`.remote`: the
quorum lab's simulations, the load-balancer farm, and the "did you borrow the
library" checks) run in
the kernel when given a student object, so a student who patches them can pass
those particular checks; and the notebook's own setup values (``KEYS``,
``example``) are read from the notebook, so a student can change a test's
inputs. Neither reveals a hidden test.

Students' own ``grader.check(...)``, ``grader.check_all()``, ``grader.export(...)``
and ``grader = otter.Notebook(...)`` statements are replaced by ``pass`` wherever
they are in a cell (:func:`.rewrite.neutralise`), and a do-nothing ``grader`` is
defined first, so honest work that calls them loses nothing.
"""

__all__ = ["load_autograder", "Question", "Case", "Result", "STATUSES"]


def __getattr__(name: str):
    """Load the package's API on first use, so the kernel-side agent imports nothing it does not need."""
    if name in ("Case", "Question", "load_autograder"):
        from . import autograder

        return getattr(autograder, name)
    if name in ("Result", "STATUSES"):
        from . import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
