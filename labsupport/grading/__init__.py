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
2. Each test case runs in the grading process (:mod:`.cases`) in a fresh
   namespace whose unknown names come from the real builtins first, then from
   the lab's own set-up values, then from the notebook on demand (``__missing__``,
   which module code, functions and generator expressions all reach). Public
   cases run first, then hidden ones; ``assert a == b`` is rewritten to report
   both sides, and hidden messages are never shown, with one exception: a
   protocol lab's :class:`~labsupport.labkits.protocol.PropertyFailure`, raised
   here by the lab's check on the grader's own run, says which property broke,
   on which schedule and seed, so that the student can replay it
   (:class:`.cases.Shown`; the kernel's exceptions arrive as built-in types and
   can never be one).
3. Student to grader, only plain data crosses, decoded by a strict decoder that
   never unpickles: numbers, strings, bytes, containers (subclasses as their
   items), numeric numpy values, and dataclasses, named tuples and enums of
   ``labsupport`` rebuilt from their fields. Modules, functions and classes of the
   library, numpy and the standard library are replaced by the grader's own copies.
   Anything else is a :class:`~.proxy.StudentProxy`: calls, attributes, items,
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

Whose values, whose verdicts
----------------------------
6. The lab's own values are the grader's (:mod:`.labsetup`). Names that the
   lab's cells define (``KEYS``, ``example``, ``WORKLOAD``, ``baseline``) are
   computed in the grading process, before the kernel starts, from the lab's
   pristine student notebook (``labs/<lab>/<lab>.ipynb``, never the submission),
   by running only the statements the tests need. A name bound by an answer
   statement holding a ``...`` placeholder is the student's, and so is one whose
   statement reads a student name (``first_bad = find_inversion(Coordinator, ...)``):
   a value that depends on an answer is an answer, and comes from the kernel.
7. No library function that drives or inspects a student object runs in the
   kernel (:mod:`.verdicts`). The reuse checks (``borrowed``,
   ``forbidden_uses``, ``borrowed_policy_names``) read the submitted notebook's
   source, which the grading process read before any student code ran
   (:mod:`.sourcecheck`); a name defined where the source cannot show it
   (``exec``, ``globals()``) fails them. The simulations (Lab 3's ``run_workload``,
   ``run_schedule``, ``run_inversion``, ``run_repair``, ``run_slow_replica``;
   Lab 4's ``run_farm``) are recorded and replayed: one request has the kernel
   run the simulation with a recorder around the student's object
   (:mod:`.record`) that logs its decisions and what it saw (each target a
   policy picked, with the outstanding counts and key; each message a
   coordinator sent and each result it returned, with the number of messages
   it had received and the time). The grader then runs the simulation itself
   with a replay object that applies those decisions and checks, at each one,
   that the situation it is shown is the logged one, and at the end that every
   logged decision and delivery was used (:mod:`.replay`). The test sees only
   the grader's run. A patched simulation in the kernel leaves an empty or
   inconsistent log; a forged log is refused unless it is consistent with the
   grader's own simulation, that is, unless it is the behaviour of *some* policy
   or coordinator, which is what the test judges. Protocol labs (Labs 10 and
   11, where students write a node's message handlers) are recorded per node:
   each input (message, timer, start, crash, recovery) with the effects the
   handlers produced (sends, timers, durable writes, notes), replayed by puppet
   nodes in the grader's own seeded simulation and nemesis
   (:mod:`.protocol_record`, :mod:`.protocol_replay`); a node that acts
   outside its handlers, or a log any input of which the grader's run does not
   present, is refused. (Driving Lab 4's policy by
   one request per ``choose`` instead costs about 7.7 s per 20,000-request farm
   here, against well under a second for the replay.)

8. What a lab asks students to write is not in its kernel (:mod:`.asked`, :mod:`.guard`). Each lab declares
   the library modules and objects that implement its questions; the kernel starts with their code replaced
   by stubs, no way to start a program (a seccomp filter), and an audit hook that keeps their files closed
   and refuses other copies of them (the same bytes under another name, the same path below the package in
   another clone, archives, ``.git``), directories outside the work directory, subprocesses, ``ctypes``, the
   garbage collector's walks and the network beyond loopback, so an answer that reaches them by any route
   (``__import__``, ``importlib``, ``getattr`` chains, ``sys.modules``, reading and ``exec``-ing the file or a
   copy of it) fails its tests. The Gradescope zips of Labs 1, 3, 9, 10 and 11 grade in the same guarded kernel
   (the other labs' otter tests run the library's version in the kernel). The grader keeps declared
   objects on its side: a test passes them to student code as references, and a student name bound to one is
   never replaced by the grader's copy.

What this does not stop: a student who forges the recorder so that the log
is another policy's decisions (the library's, say) passes the simulation
checks for a policy they did not write, although the class the reuse check
reads is their own (for the declared policies the kernel has only stubs to
forge from); the static reuse checks read only what the notebook's source
shows, which is why the guard exists; in isolation mode ``none`` and on
Gradescope, a copy the guard does not recognise (edited and renamed, or
compressed under a name that is not an archive's), native code the submission
loads itself, and a server on this machine's loopback can still reach the
library's version (see :mod:`.guard`). None of these reveals a hidden test.

A hidden test's failure shows only the property its author named as the
``assert``'s constant message (``hidden_feedback`` in :mod:`.sandbox`), never
its inputs or the values compared.

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
