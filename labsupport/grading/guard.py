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
2. forbids starting programs at the Linux kernel's level (:mod:`.noexec`: a
   seccomp filter that fails ``execve``, so ``_posixsubprocess.fork_exec``,
   which raises no audit event, cannot run ``cat`` or ``git`` either; x86-64 and
   arm64 only);
3. installs an audit hook (:func:`sys.addaudithook`, which Python code cannot
   remove) that refuses to open (:mod:`.guard_files`) those modules' source and
   bytecode files (by inode), any file with the same content under another
   name, any file whose path ends as theirs below the package (another clone,
   at any version), archives and stores that can hold a compressed copy
   (``*.whl``, ``*.zip``, ``*.egg``, ``*.tar*``, ``*.gz`` ... and anything below
   ``.git``), a directory outside the work directory or a relative path with
   ``..`` (so ``dir_fd`` reaches nothing the hook did not see), and
   ``/proc/*/mem``; it refuses ``subprocess``, ``os.system``, ``exec``, links
   and renames, ``ctypes``, the garbage collector's walks, sockets to any
   address but this machine's loopback, and changes to its own functions. It
   keeps its state in default values (immutable) and reads no global name, so
   patching ``os`` or ``builtins``, or emptying what a refusal's traceback
   shows of its frame, changes nothing;
4. imports the ``--import`` modules first (otter's ``dill`` needs ``ctypes``
   as it loads), then runs ``ipykernel_launcher`` as the kernel would have run.

labgrade starts every kernel this way (:mod:`.sandbox`). So does a Gradescope
autograder zip of Labs 1, 3, 9, 10 and 11 (``tools/gradescope_bundle.py``: its
``run_otter.py`` installs a ``python3`` kernel spec that starts the guard, and
deletes the wheel); the other labs' otter tests, which otter runs in the
student's kernel, call the library's version themselves, so their zips keep
otter's own kernel and the guard does not hold for them on Gradescope.
``tests/grading/test_guard.py`` tries each route above, with and without it.

What it does not stop: in isolation mode ``none`` and on Gradescope (no sandbox
root), a copy that is neither byte-identical nor named as the library names it
(an edited copy under another name), a compressed copy under a name that is not
an archive's, and a copy on this machine behind a loopback server; a compiled
extension the submission writes out and loads itself (its system calls are not
Python's, so no hook sees them; only ``exec`` is refused); sockets opened by
C libraries (``pyzmq``) without Python's audit events; a thread that changes a
``pathlib`` path's text between the hook's check and the open. An audit hook
is not a sandbox (Python's documentation says so); the isolated modes add one:
the sandbox's root holds one copy of ``labsupport``, and no network.

The grader keeps library objects of these entries on its side: a test that
passes one (``HashRing(...).lookup``) hands the kernel a reference it calls
back (:meth:`.remote.Remote.by_reference`), never a copy.
"""

from __future__ import annotations

import importlib
import json
import os
import pathlib
import pkgutil
import runpy
import socket
import sys
import types

from . import guard_files, noexec

__all__ = ["neutralise", "protect", "install", "main"]

BLOCKED_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile",
    "os.link", "os.symlink", "os.rename",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function", "ctypes.cdata",
    "ctypes.cdata/buffer", "ctypes.string_at", "ctypes.wstring_at", "ctypes.create_string_buffer",
    # the walks that would find the hook's own function and its state; extensions sqlite would load
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "sqlite3.enable_load_extension", "sqlite3.load_extension",
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


def _is_loopback(host, _type=type, _str=str, _split=str.split, _isdigit=str.isdigit, _all=all, _len=len,
                 _names=("localhost", "::1", "0:0:0:0:0:0:0:1", "ip6-localhost")) -> bool:
    """Whether ``host`` (an address's host part) is this machine's loopback: a name or a literal 127.x.y.z."""
    if host is None:
        return True
    if _type(host) is not _str:
        return False
    if host in _names:
        return True
    parts = _split(host.removeprefix("::ffff:"), ".")
    return _len(parts) == 4 and _all(_isdigit(p) and p.isascii() for p in parts) and parts[0] == "127"


def _path_methods(cls=pathlib.PosixPath) -> tuple:
    """The methods that turn a ``pathlib`` path into text, as they are now (the hook compares them)."""
    return cls.__fspath__, cls.__str__, cls._format_parsed_parts


def protect(refused, *, blocked=BLOCKED_EVENTS):
    """Install the audit hook that keeps what ``refused`` names closed, programs unstarted and the network
    beyond this machine unreached; return it (for tests).

    The hook keeps its state in default values and reads no global name, so patching this module or
    ``builtins`` does not change it; it refuses to replace a function's code or defaults.
    """

    own = frozenset(map(id, (refused, _is_loopback, _path_methods, *guard_files.own_functions())))

    def hook(event: str, args: tuple, _blocked=frozenset(blocked), _refused=refused, _error=PermissionError,
             _type=type, _int=int, _tuple=tuple, _loopback=_is_loopback, _function=types.FunctionType,
             _families=(-1, socket.AF_UNIX, socket.AF_INET, socket.AF_INET6), _raw=socket.SOCK_RAW,
             _str=str, _bytes=bytes, _len=len, _path_types=(str, bytes, pathlib.PosixPath, os.DirEntry),
             _posix=pathlib.PosixPath, _path_methods=_path_methods(), _path_methods_now=_path_methods,
             _code_names=("__code__", "__defaults__", "__kwdefaults__"), _own=own, _id=id) -> None:
        if event in _blocked:
            raise _error(f"labgrade: {event} is not available while a lab is graded")
        if event == "open":
            if not args or _type(args[0]) is _int:
                return
            kind = _type(args[0])
            if kind not in _path_types or (kind is _posix and _path_methods != _path_methods_now(_posix)):
                raise _error("labgrade: open a path given as str, bytes, pathlib.Path or os.DirEntry")
            reason = _refused(args[0])
            if reason:
                raise _error(f"labgrade: {args[0]!r} {reason}")
        elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            address = args[1] if _len(args) > 1 else None
            if _type(address) is _tuple and address and not _loopback(address[0]):
                raise _error("labgrade: the network beyond this machine is not available while a lab is graded")
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
            if args and not _loopback(args[0]):
                raise _error("labgrade: the network beyond this machine is not available while a lab is graded")
        elif event == "socket.__new__":
            if _len(args) > 2 and (args[1] not in _families or args[2] == _raw):
                raise _error("labgrade: only Unix and IP sockets are available while a lab is graded")
        elif event == "object.__setattr__" and _len(args) > 1 and args[1] in _code_names \
                and _id(args[0]) in _own:
            raise _error("labgrade: the guard's own functions cannot be changed")

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
    import ctypes  # noqa: F401  (its own start-up loads libpython with dlopen, which the hook then refuses)

    noexec.forbid_exec()  # before the hook refuses ctypes
    protect(guard_files.checker(modules, workdir=os.getcwd()))
    return count


def main(argv: list[str] | None = None) -> None:
    """``python -m labsupport.grading.guard ENTRIES_JSON [--import MODULE]... KERNEL_ARGS...``: guard, then run the
    kernel. Each ``--import`` module is imported first, while ``ctypes`` still works (otter imports ``dill``,
    which calls into ``ctypes`` as it loads)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    entries = json.loads(argv.pop(0)) if argv else []
    while argv[:1] == ["--import"] and len(argv) > 1:
        importlib.import_module(argv[1])
        del argv[:2]
    install(entries)
    sys.argv = ["ipykernel_launcher", *argv]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
