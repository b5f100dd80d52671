"""Routes a student could take to the library's vector clocks, each tried in this process.

Run as ``python -I guard_attacks.py guard|none``: with ``guard`` the lab's guard is installed first, as in a
grading kernel. Prints a JSON object: attack -> whether it got a working ``happened_before`` (or ``concurrent``).
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


if __name__ == "__main__":
    print(json.dumps(run_attacks(sys.argv[1] == "guard")))
