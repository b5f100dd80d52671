"""How far a submission is shut away from the grading machine: three modes, chosen once per batch.

A school can seat an exam in a sealed room with its own invigilator (as
root), in a partitioned corner of the library the candidate cannot see out
of (a user namespace, without root), or, when neither is possible, in the
open library under watch: the candidate still gets a clean desk and a clock,
but could look at the shelves.

``root``
    labgrade runs as root: new network, mount and PID namespaces, the
    allow-list root of :mod:`labsupport.grading.newroot`, and the kernel (with
    everything it starts) as the unprivileged user 65534, without
    capabilities, with ``no_new_privs``, owning only its work directory.
``user``
    labgrade is not root but the kernel allows unprivileged user namespaces:
    the same namespaces and root inside a new user namespace; the kernel runs
    as that namespace's root (your own user outside) without capabilities.
``none``
    No namespaces: an empty environment, non-dumpable grading processes,
    limits, and every process a submission started killed at the end; the
    file system and the network are not protected (see :func:`warning`).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["MODES", "KERNEL_UID", "detect", "warning", "command", "kernel_prefix", "enter", "give_to_kernel",
           "run_inside", "make_undumpable", "become_subreaper", "kill_descendants"]

MODES = ("root", "user", "none")
KERNEL_UID = KERNEL_GID = 65534  # nobody / nogroup
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
NAMESPACES = ["--net", "--mount", "--pid", "--fork", "--kill-child"]

_libc = ctypes.CDLL(None, use_errno=True)


def make_undumpable() -> None:
    """Close this process's memory and ``/proc/<pid>/environ`` to other processes of the same user."""
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def become_subreaper() -> None:
    """Adopt every orphaned descendant (a ``setsid`` daemon), so :func:`kill_descendants` can find it."""
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _parents() -> dict[int, int]:
    """Every visible living process (zombies excluded) and its parent, from ``/proc/<pid>/stat``."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def kill_descendants(pid: int | None = None) -> int:
    """SIGKILL every descendant of ``pid`` (default: this process), until none is left; return how many."""
    pid = pid or os.getpid()
    killed = 0
    for _ in range(100):  # a fork bomb keeps forking while we kill; each round kills what exists
        children: dict[int, list[int]] = {}
        for child, parent in _parents().items():
            children.setdefault(parent, []).append(child)
        pending, seen = [pid], set()
        while pending:
            for child in children.get(pending.pop(), []):
                if child not in seen:
                    seen.add(child)
                    pending.append(child)
        if not seen:
            return killed
        for child in seen:
            try:
                os.kill(child, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        _reap()
        time.sleep(0.01)
    return killed


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def command(mode: str) -> list[str]:
    """The prefix that starts a sandbox process in ``mode``'s namespaces."""
    if mode == "root":
        return ["unshare", *NAMESPACES]
    if mode == "user":
        return ["unshare", "--user", "--map-root-user", *NAMESPACES]
    return []


def kernel_prefix(mode: str) -> list[str]:
    """The prefix that starts the kernel with fewer rights than the grading process (before its argv)."""
    drop = ["--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"]
    if mode == "root":
        return [sys.executable, "-m", "labsupport.grading.isolation", "hand-over", "{connection_file}",
                "setpriv", f"--reuid={KERNEL_UID}", f"--regid={KERNEL_GID}", "--clear-groups", *drop]
    if mode == "user":
        return ["setpriv", *drop]
    return []


def enter(mode: str, *, root: str, workdir: str, readable: list[str] = ()) -> str:
    """Inside the namespaces: build the allow-list root, move into it, bring up loopback only.

    Returns the work directory's path from now on (``/submission`` inside a sandbox root).
    """
    if mode == "none":
        return workdir
    from .newroot import WORKDIR, build

    build(root, workdir=workdir, readable=list(readable),
          owner=(KERNEL_UID, KERNEL_GID) if mode == "root" else None)
    if shutil.which("ip"):
        subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True)
    return WORKDIR


def give_to_kernel(path: str, mode: str) -> None:
    """Let the kernel's user use ``path`` (a connection file, a Unix socket) this process created.

    Only the ``root`` mode runs the kernel as another user; there ``path`` is given to that user.
    """
    if mode == "root":
        os.chown(path, KERNEL_UID, KERNEL_GID)


def warning(mode: str) -> str | None:
    """What an instructor must know about ``mode``'s protection, or None when nothing is missing."""
    if mode == "none":
        return ("labgrade: warning: no namespaces (not root, and unprivileged user namespaces are refused), "
                "so submissions run as your user and are NOT isolated: they can read every file your user can "
                "(your home directory and its credentials, this repository with .git, instructor/ and _build/, "
                "other submissions being graded), reach the network, and read the environment of your other "
                "processes (your shell's AWS or GitHub tokens, for example; labgrade's own are protected). "
                "Still applied: time, memory, output and file-size limits, an empty environment, and every "
                "process a submission starts is killed. Grade as root or where user namespaces are allowed.")
    return None


def run_inside(mode: str, base: str, argv: list[str], **popen) -> subprocess.CompletedProcess:
    """Run ``argv`` as a submission's kernel would, in a sandbox for ``base/work`` (``base/root`` the mount point).

    Examples
    --------
    ``run_inside("root", "/tmp/x", ["ls", "-A", "/"])`` lists what a submission sees as root.
    """
    for name in ("work", "root"):
        os.makedirs(os.path.join(base, name), exist_ok=True)
    inner = [sys.executable, "-m", "labsupport.grading.isolation", "inside", mode, base, *argv]
    return subprocess.run([*command(mode), *inner], env=clean_environment(os.path.join(base, "work")), **popen)


def _probe(mode: str) -> bool:
    """Build a sandbox root in ``mode`` for an empty work directory and run ``true`` in it."""
    if shutil.which("unshare") is None or shutil.which("setpriv") is None:
        return False
    with tempfile.TemporaryDirectory(prefix="labgrade-probe-") as base:
        return run_inside(mode, base, ["true"], capture_output=True, timeout=60).returncode == 0


def detect(requested: str = "auto") -> str:
    """The strongest mode this machine allows (``auto``), or ``requested`` if it works; else ValueError."""
    candidates = (["root"] if os.geteuid() == 0 else []) + ["user"] if requested == "auto" else [requested]
    for mode in candidates:
        if mode not in MODES:
            raise ValueError(f"isolation {mode!r} is unknown; choose one of auto, {', '.join(MODES)}")
        if mode == "none" or (os.name == "posix" and _probe(mode)):
            return mode
        if requested != "auto":
            raise ValueError(f"isolation {mode!r} does not work here"
                             + (" (it needs root)" if mode == "root" and os.geteuid() else ""))
    return "none"


def clean_environment(home: str) -> dict[str, str]:
    """The whole environment a sandbox starts with: nothing of the instructor's."""
    return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
            "HOME": home, "PYTHONDONTWRITEBYTECODE": "1"}


def main(argv: list[str]) -> int:
    """``run MODE BASE CMD...``: run CMD as a submission would, to check what it sees (``ls -A /``);
    ``inside``: the same, once in the namespaces; ``hand-over FILE CMD...``: give the kernel its connection
    file, then run CMD (as root, just before the kernel drops to its own user)."""
    make_undumpable()
    if argv[:1] == ["hand-over"] and len(argv) > 2:
        give_to_kernel(argv[1], "root")
        give_to_kernel(os.path.dirname(argv[1]), "root")
        os.execvp(argv[2], argv[2:])
    if argv[:1] == ["run"] and len(argv) > 3 and argv[1] in MODES:
        return run_inside(argv[1], argv[2], argv[3:]).returncode
    if argv[:1] == ["inside"] and len(argv) > 3:
        mode, base, cmd = argv[1], argv[2], argv[3:]
        enter(mode, root=f"{base}/root", workdir=f"{base}/work")
        prefix = [p for p in kernel_prefix(mode) if "{connection_file}" not in p]
        if mode == "root":
            prefix = prefix[prefix.index("setpriv"):]
        return subprocess.run([*prefix, *cmd]).returncode
    print(f"usage: python -m {__spec__.name} run {{{','.join(MODES)}}} BASE CMD...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
