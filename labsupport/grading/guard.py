"""The kernel a lab is graded in does not hold the library's own version of what the lab asks for.

An exam on long division is sat without a calculator: not "with a calculator
the candidate promises not to use", because promises and name checks are
easily dodged (``__import__``, ``importlib``, ``getattr`` with a computed
string). So before any student code runs, the grading kernel is started by
:func:`main`, which, for each of the lab's declared entries (:mod:`.asked`):

1. imports the module and replaces the code of every function and method it
   declares (a whole module: everything defined in it) with a stub that raises
   ``NotImplementedError``. The objects stay, so other library code that merely
   imports them still loads, but every path to them, whatever name, module,
   ``sys.modules`` entry, ``getattr`` chain or garbage-collector walk reaches
   them, runs the stub: the original code is referenced by nothing;
2. installs an audit hook (:func:`sys.addaudithook`, which Python code cannot
   remove) that refuses to open those modules' source and bytecode files, by
   inode and by name, and the directories above them (so ``dir_fd`` cannot
   reach them), refuses to start programs (``subprocess``, ``os.system``,
   ``exec``), to make links or renames, to use ``ctypes`` and to open
   ``/proc/*/mem``: re-importing, ``reload``, ``importlib.util`` on the path,
   reading the file and ``exec``-ing it, or asking ``cat`` or ``git`` all fail;
3. runs ``ipykernel_launcher`` as the kernel would have run.

What it does not stop: a copy of the library's source elsewhere on the
machine, which is why it is sound in the isolated modes (the sandbox's root
holds one copy of ``labsupport``), but in mode ``none`` a student who finds
another clone, a built wheel or the git history of the repository can read it.

The grader keeps library objects of these entries on its side: a test that
passes one (``HashRing(...).lookup``) hands the kernel a reference it calls
back (:meth:`.remote.Remote.by_reference`), never a copy.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import pkgutil
import runpy
import stat
import sys
import types

__all__ = ["neutralise", "protect", "install", "main"]

BLOCKED_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile",
    "os.link", "os.symlink", "os.rename",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function", "ctypes.cdata",
    "ctypes.cdata/buffer", "ctypes.string_at", "ctypes.wstring_at", "ctypes.create_string_buffer",
})


def _stub_code(name: str, free: int) -> types.CodeType:
    """Code that raises ``NotImplementedError`` (a builtin: any module's globals find it).

    It has ``free`` free variables, as a function's code must have as many as its closure has cells.
    """
    message = (f"labgrade: {name} is what this lab asks you to write; the library's version is not "
               "available while the lab is graded")
    cells = [f"c{i}" for i in range(free)]
    source = ("def outer():\n" + "".join(f"    {c} = None\n" for c in cells)
              + "    def stub(*args, **kwargs):\n" + "".join(f"        {c}\n" for c in cells)
              + f"        raise NotImplementedError({message!r})\n    return stub\n")
    namespace: dict = {}
    exec(source, namespace)
    return namespace["outer"]().__code__.replace(co_name=name.rsplit(".", 1)[-1], co_qualname=name)


def _functions(obj) -> list[types.FunctionType]:
    """The plain functions behind ``obj``: itself, what it wraps, or every method of a class."""
    if isinstance(obj, type):
        found = []
        for klass in obj.__mro__:
            if klass.__module__ != obj.__module__:
                continue
            for value in vars(klass).values():
                for inner in (value, getattr(value, "__func__", None), getattr(value, "fget", None),
                              getattr(value, "fset", None)):
                    found += _functions(inner) if isinstance(inner, types.FunctionType) else []
        return found
    found = []
    seen = set()
    while obj is not None and id(obj) not in seen:
        seen.add(id(obj))
        if isinstance(obj, types.FunctionType):
            found.append(obj)
        obj = getattr(obj, "__wrapped__", None)
    return found


def neutralise(obj) -> int:
    """Replace the code of ``obj`` (a function, a decorated function or a class's methods) with a stub.

    Returns how many functions were changed.

    Examples
    --------
    >>> def mine(x):
    ...     return x + 1
    >>> neutralise(mine)
    1
    >>> mine(1)
    Traceback (most recent call last):
    ...
    NotImplementedError: labgrade: mine is what this lab asks you to write; \
the library's version is not available while the lab is graded
    """
    functions = _functions(obj)
    for function in functions:
        function.__code__ = _stub_code(function.__qualname__, len(function.__code__.co_freevars))
        function.__defaults__ = function.__kwdefaults__ = None
    return len(functions)


def _defined_in(module: types.ModuleType) -> list:
    return [v for v in vars(module).values()
            if (isinstance(v, (type, types.FunctionType)) or hasattr(v, "__wrapped__"))
            and getattr(v, "__module__", None) == module.__name__]


def _targets(entry: str) -> list[tuple[types.ModuleType, list]]:
    """``"pkg.mod"`` (everything defined in it, and in its submodules if it is a package) or
    ``"pkg.mod:Name"`` (that object): each module involved, with the objects to neutralise in it."""
    module_name, _, attr = entry.partition(":")
    module = importlib.import_module(module_name)
    if attr:
        obj = module
        for part in attr.split("."):
            obj = getattr(obj, part)
        return [(module, [obj])]
    found = [(module, _defined_in(module))]
    for info in pkgutil.walk_packages(getattr(module, "__path__", []), prefix=module_name + "."):
        inner = importlib.import_module(info.name)
        found.append((inner, _defined_in(inner)))
    return found


class _Files:
    """The files and directories the kernel may not open: the declared modules' source and bytecode."""

    def __init__(self, modules):
        self.inodes: set[tuple[int, int]] = set()
        self.parents: set[tuple[int, int]] = set()
        self.patterns: list[tuple[str, str]] = []  # (real folder, file name pattern)
        for module in modules:
            source = getattr(module, "__file__", None)
            if not source:
                continue
            source = os.path.realpath(source)
            folder, name = os.path.split(source)
            stem = name.rsplit(".", 1)[0]
            self.patterns += [(folder, name), (os.path.join(folder, "__pycache__"), stem + ".*")]
            for path in [source, *self._pycs(folder, stem)]:
                self._add(path)
            while True:
                try:
                    info = os.stat(folder)
                    self.parents.add((info.st_dev, info.st_ino))
                except OSError:
                    pass
                if os.path.dirname(folder) == folder:
                    break
                folder = os.path.dirname(folder)

    @staticmethod
    def _pycs(folder: str, stem: str) -> list[str]:
        cache = os.path.join(folder, "__pycache__")
        try:
            return [os.path.join(cache, n) for n in os.listdir(cache) if fnmatch.fnmatch(n, stem + ".*")]
        except OSError:
            return []

    def _add(self, path: str) -> None:
        try:
            info = os.stat(path)
        except OSError:
            return
        self.inodes.add((info.st_dev, info.st_ino))

    def refused(self, path) -> bool:
        try:
            info = os.stat(path)
        except (OSError, ValueError, TypeError):
            return False  # a file that does not exist yet is not one of ours
        if (info.st_dev, info.st_ino) in self.inodes:
            return True
        if stat.S_ISDIR(info.st_mode) and (info.st_dev, info.st_ino) in self.parents:
            return True
        real = os.path.realpath(os.fsdecode(path))
        if real.startswith("/proc/") and (stat.S_ISDIR(info.st_mode) or os.path.basename(real) == "mem"):
            return True
        folder, name = os.path.split(real)
        return any(folder == f and fnmatch.fnmatch(name, p) for f, p in self.patterns)


def protect(files: _Files):
    """Install the audit hook that keeps ``files`` closed and programs unstarted; return it (for tests)."""

    def hook(event: str, args: tuple) -> None:
        if event in BLOCKED_EVENTS:
            raise PermissionError(f"labgrade: {event} is not available while a lab is graded")
        if event == "open" and args and not isinstance(args[0], int) and files.refused(args[0]):
            raise PermissionError(f"labgrade: {args[0]!r} holds what this lab asks you to write")

    sys.addaudithook(hook)
    return hook


def install(entries) -> int:
    """Neutralise every declared entry and protect its files; return how many functions were replaced.

    An entry that cannot be imported is skipped: what is not there cannot be used.
    """
    modules, count = [], 0
    for entry in entries:
        try:
            targets = _targets(entry)
        except (ImportError, AttributeError):
            continue
        for module, objects in targets:
            modules.append(module)
            for obj in objects:
                count += neutralise(obj)
    protect(_Files(modules))
    return count


def main(argv: list[str] | None = None) -> None:
    """``python -m labsupport.grading.guard ENTRIES_JSON KERNEL_ARGS...``: guard, then run the kernel."""
    argv = list(sys.argv[1:] if argv is None else argv)
    entries = json.loads(argv.pop(0)) if argv else []
    install(entries)
    sys.argv = ["ipykernel_launcher", *argv]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
