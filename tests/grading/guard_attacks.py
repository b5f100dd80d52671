"""Routes a student could take to the library's vector clocks, each tried in this process.

Run as ``python -I guard_attacks.py guard|none [COPIES]`` (``make COPIES`` fills that folder): with ``guard`` the
lab's guard is installed first, as in a grading kernel. With ``COPIES``, a folder that :func:`make_copies`
filled, the attacks are instead those on other copies of the library's source on the machine (what isolation mode
``none`` leaves reachable): a renamed copy, another clone at another version, a wheel, a tarball, a git
repository's objects, a bytecode file.
Prints a JSON object: attack -> whether it got a working ``happened_before`` (or ``concurrent``).
"""

import gc
import importlib
import json
import os
import sys


def run_attacks(guarded: bool) -> dict[str, bool]:
    """Try every attack in this process (after installing the Lab 1 guard if ``guarded``)."""
    if guarded:
        from labsupport.grading import guard
        from labsupport.grading.asked import asked_for

        guard.install(asked_for("lab01-clocks"))
    U, V = {"a": 1}, {"a": 2}
    results = {}

    def attack(name):
        """Run the decorated function now: the attack worked if it returned True."""

        def run(f):
            try:
                results[name] = f() is True
            except BaseException:
                results[name] = False
            return f

        return run

    @attack("from-import")
    def _():
        from labsupport.foundations.clocks import happened_before

        return happened_before(U, V)

    @attack("__import__")
    def _():
        return __import__("labsupport.foundations.clocks", fromlist=["x"]).happened_before(U, V)

    @attack("importlib")
    def _():
        return importlib.import_module("labsupport.foundations.clocks").concurrent({"a": 1}, {"b": 1})

    @attack("getattr-chain")
    def _():
        import labsupport.foundations  # noqa: F401  (binds the subpackage as an attribute of labsupport)

        return getattr(getattr(__import__("labsupport").foundations, "cl" + "ocks"), "happened_" + "before")(U, V)

    @attack("sys.modules")
    def _():
        return sys.modules["labsupport.foundations.clocks"].happened_before(U, V)

    @attack("reimport")
    def _():
        sys.modules.pop("labsupport.foundations.clocks", None)
        return importlib.import_module("labsupport.foundations.clocks").happened_before(U, V)

    @attack("reload")
    def _():
        return importlib.reload(importlib.import_module("labsupport.foundations.clocks")).happened_before(U, V)

    import labsupport

    FILE = os.path.join(os.path.dirname(labsupport.__file__), "foundations", "clocks.py")

    @attack("read-and-exec")
    def _():
        ns = {"__name__": "x"}
        exec(open(FILE).read(), ns)
        return ns["happened_before"](U, V)

    @attack("spec_from_file_location")
    def _():
        import importlib.util

        spec = importlib.util.spec_from_file_location("copy_of_clocks", FILE)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        return m.happened_before(U, V)

    @attack("os.open-read")
    def _():
        fd = os.open(FILE, os.O_RDONLY)
        ns = {"__name__": "x"}
        exec(os.read(fd, 10**6).decode(), ns)
        return ns["happened_before"](U, V)

    @attack("dir_fd")
    def _():
        d = os.open(os.path.dirname(os.path.dirname(FILE)), os.O_RDONLY)
        fd = os.open("foundations/clocks.py", os.O_RDONLY, dir_fd=d)
        ns = {"__name__": "x"}
        exec(os.read(fd, 10**6).decode(), ns)
        return ns["happened_before"](U, V)

    @attack("proc-self-root")
    def _():
        ns = {"__name__": "x"}
        exec(open("/proc/self/root" + os.path.realpath(FILE)).read(), ns)
        return ns["happened_before"](U, V)

    @attack("symlink")
    def _():
        import tempfile

        link = os.path.join(tempfile.mkdtemp(), "c.py")
        os.symlink(FILE, link)
        ns = {"__name__": "x"}
        exec(open(link).read(), ns)
        return ns["happened_before"](U, V)

    @attack("subprocess-cat")
    def _():
        import subprocess

        ns = {"__name__": "x"}
        exec(subprocess.run(["cat", FILE], capture_output=True, text=True).stdout, ns)
        return ns["happened_before"](U, V)

    @attack("bytecode")
    def _():
        import importlib.util
        import marshal
        import py_compile

        cache = importlib.util.cache_from_source(FILE)
        if not os.path.exists(cache):
            py_compile.compile(FILE, cfile=cache)
        code = marshal.loads(open(cache, "rb").read()[16:])
        ns = {"__name__": "x"}
        exec(code, ns)
        return ns["happened_before"](U, V)

    @attack("inspect.getsource")
    def _():
        import inspect

        ns = {"__name__": "x"}
        exec(inspect.getsource(importlib.import_module("labsupport.foundations.clocks")), ns)
        return ns["happened_before"](U, V)

    @attack("gc-walk")
    def _():
        for o in gc.get_objects():
            if (
                getattr(o, "__name__", None) == "happened_before"
                and callable(o)
                and o.__module__.startswith("labsupport")
            ):
                return o(U, V)

    @attack("dir_fd-from-elsewhere")
    def _():
        d = os.open("/tmp", os.O_RDONLY)  # a folder that is not above the module: '..' from it reaches it
        fd = os.open(os.path.relpath(FILE, "/tmp"), os.O_RDONLY, dir_fd=d)
        ns = {"__name__": "x"}
        exec(os.read(fd, 10**6).decode(), ns)
        return ns["happened_before"](U, V)

    @attack("fork_exec-cat")
    def _():
        import _posixsubprocess  # runs a program without the audit event subprocess raises

        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        _posixsubprocess.fork_exec([b"/bin/cat", FILE.encode()], [b"/bin/cat"], True, (out_w, err_w), None, None,
                                   -1, -1, -1, out_w, -1, -1, err_r, err_w, True, False, 0, None, None, None, -1,
                                   None, False)
        os.close(out_w)
        chunks = []
        while chunk := os.read(out_r, 65536):
            chunks.append(chunk)
        ns = {"__name__": "x"}
        exec(b"".join(chunks).decode(), ns)
        return ns["happened_before"](U, V)

    @attack("patched-os-stat")
    def _():
        real = os.stat

        def missing(*args, **kwargs):
            raise FileNotFoundError(args[0])

        os.stat = missing  # a check that looks files up through the os module now finds none
        try:
            ns = {"__name__": "x"}
            exec(open(FILE).read(), ns)
            return ns["happened_before"](U, V)
        finally:
            os.stat = real

    @attack("hook-frame")
    def _():
        try:  # a refusal's traceback holds the hook's frame, and its locals the hook's state: empty them
            open(FILE)
        except PermissionError as error:
            tb = error.__traceback__.tb_next
            while tb is not None:
                for value in list(tb.tb_frame.f_locals.values()):
                    for inner in [value, *getattr(value, "__dict__", {}).values()]:
                        if isinstance(inner, (set, dict, list)):
                            inner.clear()
                tb = tb.tb_next
        ns = {"__name__": "x"}
        exec(open(FILE).read(), ns)
        return ns["happened_before"](U, V)

    @attack("ctypes")
    def _():
        import ctypes

        libc = ctypes.CDLL(None)
        fd = libc.open(FILE.encode(), 0)
        buf = ctypes.create_string_buffer(100000)
        n = libc.read(fd, buf, 100000)
        ns = {"__name__": "x"}
        exec(buf.raw[:n].decode(), ns)
        return ns["happened_before"](U, V)

    return results


def make_copies(folder: str) -> None:
    """Put other copies of the library's clocks where a student could find them: in ``folder``."""
    import shutil
    import subprocess
    import tarfile
    import zipfile

    import labsupport

    source = os.path.join(os.path.dirname(labsupport.__file__), "foundations", "clocks.py")
    text = open(source).read()
    shutil.copy(source, os.path.join(folder, "notes.py"))  # the same bytes under another name
    older = os.path.join(folder, "old-clone", "labsupport", "foundations")
    os.makedirs(older)
    with open(os.path.join(older, "clocks.py"), "w") as handle:  # another clone, at another version
        handle.write("# an older version\n" + text)
    with zipfile.ZipFile(os.path.join(folder, "labsupport-0.1-py3-none-any.whl"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("labsupport/foundations/clocks.py", text)
    with tarfile.open(os.path.join(folder, "labsupport-0.1.tar.gz"), "w:gz") as tar:
        tar.add(source, arcname="labsupport-0.1/labsupport/foundations/clocks.py")
    repo = os.path.join(folder, "repo")
    os.makedirs(repo)
    with open(os.path.join(repo, "mine.py"), "w") as handle:
        handle.write(text)
    git = ["git", "-C", repo, "-c", "user.name=x", "-c", "user.email=x@x"]
    for args in (["init", "-q"], ["add", "mine.py"], ["commit", "-qm", "x"]):
        subprocess.run(git + args, check=True)
    os.remove(os.path.join(repo, "mine.py"))  # only the repository's objects hold it now
    import py_compile

    # Bytecode under another name, optimised (docstrings dropped), so that no cached .pyc has its bytes: a marshalled
    # code object's bytes also depend on the process that compiled it, and the guard must not count on a match.
    py_compile.compile(source, cfile=os.path.join(folder, "cache.bin"), optimize=2)


def run_copy_attacks(guarded: bool, folder: str) -> dict[str, bool]:
    """Try to run the clocks from each copy :func:`make_copies` made (after the Lab 1 guard if ``guarded``)."""
    if guarded:
        from labsupport.grading import guard
        from labsupport.grading.asked import asked_for

        guard.install(asked_for("lab01-clocks"))
    U, V = {"a": 1}, {"a": 2}
    results = {}

    def works(text) -> bool:
        ns = {"__name__": "x"}
        exec(text, ns)
        return ns["happened_before"](U, V) is True

    def attack(name, f):
        try:
            results[name] = f()
        except BaseException:
            results[name] = False

    attack("renamed-copy", lambda: works(open(os.path.join(folder, "notes.py")).read()))
    attack("another-clone", lambda: works(open(os.path.join(folder, "old-clone", "labsupport", "foundations",
                                                            "clocks.py")).read()))

    def wheel():
        import zipfile

        return works(zipfile.ZipFile(os.path.join(folder, "labsupport-0.1-py3-none-any.whl")).read(
            "labsupport/foundations/clocks.py"))

    def zipimport_wheel():
        import zipimport

        loader = zipimport.zipimporter(os.path.join(folder, "labsupport-0.1-py3-none-any.whl"))
        return works(loader.get_source("labsupport/foundations/clocks"))

    def tarball():
        import tarfile

        with tarfile.open(os.path.join(folder, "labsupport-0.1.tar.gz")) as tar:
            return works(tar.extractfile("labsupport-0.1/labsupport/foundations/clocks.py").read())

    def git_objects():
        import zlib

        for top, _, names in os.walk(os.path.join(folder, "repo", ".git", "objects")):
            for name in names:
                data = zlib.decompress(open(os.path.join(top, name), "rb").read())
                if data.startswith(b"blob ") and b"def happened_before" in data:
                    return works(data.split(b"\0", 1)[1])
        return False

    def bytecode():
        import marshal

        return works(marshal.loads(open(os.path.join(folder, "cache.bin"), "rb").read()[16:]))

    attack("wheel", wheel)
    attack("zipimport", zipimport_wheel)
    attack("tarball", tarball)
    attack("git-objects", git_objects)
    attack("renamed-bytecode", bytecode)
    return results


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make_copies(sys.argv[2])
    elif len(sys.argv) > 2:
        print(json.dumps(run_copy_attacks(sys.argv[1] == "guard", sys.argv[2])))
    else:
        print(json.dumps(run_attacks(sys.argv[1] == "guard")))
