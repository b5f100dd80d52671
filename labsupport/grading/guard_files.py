"""Which files a grading kernel may not open: the asked modules, any copy of them, and the stores that hold copies.

The guard's audit hook (:mod:`.guard`) asks :func:`checker`'s function about every path the kernel opens. It
refuses, besides the declared modules' own source and bytecode files (by inode):

- a file whose *content* is one of theirs, under any name and anywhere (another clone of the repository, a copy
  in ``/tmp``, a ``site-packages`` install): compared by size first (``os.stat``), hashed only on a size match;
- a CPython bytecode file compiled from their source here, under any name: its 16-byte header (the magic number,
  then the source's modification time and size, or its hash) names the source it was compiled from, whatever the
  marshalled code after it (whose bytes depend on the compiling process, so no digest can catch it);
- a file whose real path ends as one of theirs does below the package (``foundations/clocks.py``,
  ``foundations/__pycache__/clocks.*``): another clone or install at another version;
- an archive or object store that can hold a compressed copy, by name: ``*.whl``, ``*.zip``, ``*.egg``,
  ``*.tar*``, ``*.tgz``, ``*.gz``, ``*.bz2``, ``*.xz``, ``*.zst``, ``*.7z``, ``*.pack`` and anything below a
  ``.git`` or ``.hg`` folder;
- a directory outside the kernel's work directory, and a relative path with a ``..`` component: an open with
  ``dir_fd`` is resolved from a directory the hook cannot see, so the kernel holds no directory that could
  take it outside its work directory;
- ``/proc/*`` directories and ``/proc/*/mem``.

The function keeps its state in its default values (frozensets, tuples, builtins), reads no global name and
calls no Python-level library code, so student code that patches modules or ``builtins`` does not change
what it decides (the hook refuses to replace a function's ``__code__`` or defaults, and the garbage
collector's walks that would find it).

Examples
--------
>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> refused = checker([], workdir=folder)
>>> wheel = os.path.join(folder, "lab.whl")
>>> open(wheel, "wb").close()
>>> [bool(refused(p)) for p in (os.path.join(folder, "answer.txt"), wheel, "/")]
[False, True, True]
>>> refused("/")
'is a folder outside the work directory (a dir_fd there could reach another copy)'
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys

__all__ = ["ARCHIVE_SUFFIXES", "REASONS", "STORE_FOLDERS", "Protected", "checker", "own_functions"]

#: File names that hold compressed or packed copies (a wheel, a git pack, a tarball).
ARCHIVE_SUFFIXES = (".whl", ".zip", ".egg", ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".gz", ".bz2", ".xz",
                    ".zst", ".lzma", ".7z", ".rar", ".jar", ".pack")
#: Why a path is refused, as the hook's error says it.
REASONS = {"copy": "holds what this lab asks you to write (the library's version, or a copy of it)",
           "store": "is an archive or a repository's store, which can hold a copy of the library",
           "folder": "is a folder outside the work directory (a dir_fd there could reach another copy)",
           "up": "is a relative path with '..' (with dir_fd it could leave the work directory)",
           "proc": "belongs to another process"}
#: Folders whose files are a version-control system's object store.
STORE_FOLDERS = (".git", ".hg")


def _real_path(path, _lstat=os.lstat, _readlink=os.readlink, _getcwd=os.getcwd, _islink=stat.S_ISLNK,
              _type=type, _str=str, _limit=40) -> str:
    """The absolute path ``path`` (a ``str``) names, every symbolic link resolved (``os.path.realpath``'s job,
    without reading any module's globals).

    Examples
    --------
    >>> _real_path("/usr/../usr/bin/.") == os.path.realpath("/usr/bin")
    True
    """
    if _type(path) is not _str:
        raise TypeError("path must be a str")
    pending = path.split("/")
    parts = [] if path.startswith("/") else [p for p in _getcwd().split("/") if p]
    followed = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        candidate = "/" + "/".join(parts + [part])
        try:
            is_link = _islink(_lstat(candidate).st_mode)
        except OSError:
            is_link = False
        if not is_link:
            parts.append(part)
            continue
        followed += 1
        if followed > _limit:
            parts.append(part)  # a loop: the open will fail anyway
            continue
        target = _readlink(candidate)
        if target.startswith("/"):
            parts = []
        pending = target.split("/") + pending
    return "/" + "/".join(parts)


class Protected:
    """What identifies the declared modules' files: inodes, (size, digest) pairs and path endings.

    ``modules`` are imported module objects; ``root`` is each one's package folder (the folder above the
    top-level package), from which the path endings are taken.
    """

    def __init__(self, modules):
        inodes, digests, endings, headers = set(), set(), set(), set()
        for module in modules:
            source = getattr(module, "__file__", None)
            if not source:
                continue
            source = os.path.realpath(source)
            folder, name = os.path.split(source)
            stem = name.rsplit(".", 1)[0]
            top = module.__name__.split(".")[0]
            below = module.__name__.split(".")[1:]
            if name.startswith("__init__."):
                below.append("__init__")
            package_path = "/".join(below[:-1])
            endings.add(("/" + package_path + "/" if package_path else f"/{top}/") + name)
            endings.add(("/" + package_path if package_path else f"/{top}") + f"/__pycache__/{stem}.")
            cache = os.path.join(folder, "__pycache__")
            try:
                pycs = [os.path.join(cache, n) for n in os.listdir(cache) if n.startswith(stem + ".")]
            except OSError:
                pycs = []
            headers |= _bytecode_headers(source)
            for path in [source, *pycs]:
                try:
                    info = os.stat(path)
                    with open(path, "rb") as handle:
                        digests.add((info.st_size, hashlib.sha256(handle.read()).digest()))
                except OSError:
                    continue
                inodes.add((info.st_dev, info.st_ino))
        self.inodes = frozenset(inodes)
        self.digests = frozenset(digests)
        self.sizes = frozenset(size for size, _ in digests)
        self.endings = tuple(sorted(endings))
        self.headers = frozenset(headers)


def _bytecode_headers(source: str) -> set[bytes]:
    """sha256 digests of the headers a ``.pyc`` compiled from ``source`` starts with (timestamp and hash based)."""
    import importlib.util
    import struct

    try:
        info = os.stat(source)
        with open(source, "rb") as handle:
            text = handle.read()
    except OSError:
        return set()
    magic = importlib.util.MAGIC_NUMBER
    stamp = struct.pack("<III", 0, int(info.st_mtime) & 0xFFFFFFFF, len(text) & 0xFFFFFFFF)
    hashed = [magic + struct.pack("<I", flags) + importlib.util.source_hash(text) for flags in (1, 3)]
    return {hashlib.sha256(header).digest() for header in [magic + stamp, *hashed]}


def _digest(path, size, _open=os.open, _read=os.read, _close=os.close, _sha=hashlib.sha256,
            _flags=os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)):
    """The sha256 of the first ``size`` bytes of ``path`` (the bytes are never bound to a name)."""
    fd = _open(path, _flags)
    try:
        return _sha(_read(fd, size + 1)).digest()
    finally:
        _close(fd)


def checker(modules, *, workdir: str):
    """The function ``refused(path) -> str`` the guard's hook calls for every opened path: why not, or ``""``.

    ``modules``: the declared modules (imported); ``workdir``: the kernel's work directory, the only place
    it may open a directory.
    """
    protected = Protected(modules)
    workdir = os.path.realpath(workdir)
    names = _digest.__code__.co_varnames[2:_digest.__code__.co_argcount]
    genuine = tuple(zip(names, _digest.__defaults__))  # a tuple: what the hook's own read must run with

    def refused(path, _stat=os.stat, _fspath=os.fspath, _type=type, _str=str, _bytes=bytes,
                _decode=bytes.decode, _encoding=sys.getfilesystemencoding(), _copy=str.__getitem__,
                _whole=slice(None), _split=str.split, _starts=str.startswith, _ends=str.endswith,
                _real=_real_path, _isdir=stat.S_ISDIR, _isreg=stat.S_ISREG, _digest=_digest,
                _genuine=_all_genuine, _inodes=protected.inodes, _sizes=protected.sizes,
                _digests=protected.digests, _headers=protected.headers, _endings=protected.endings,
                _archives=ARCHIVE_SUFFIXES,
                _stores=STORE_FOLDERS, _workdir=workdir, _getframe=sys._getframe, _digest_code=_digest.__code__,
                _digest_genuine=genuine, _path_types=(str, bytes), _isinstance=isinstance,
                _errors=(OSError, ValueError), _reasons=tuple(REASONS.values())):
        if _type(path) not in _path_types:
            path = _fspath(path)
        path = _decode(path, _encoding, "surrogateescape") if _isinstance(path, _bytes) \
            else _copy(path, _whole)
        if not _starts(path, "/") and ".." in _split(path, "/"):
            return _reasons[3]  # with dir_fd, a way out of a directory this check cannot see
        try:
            info = _stat(path)
        except _errors:
            return ""  # a file that does not exist (yet) holds nothing
        if (info.st_dev, info.st_ino) in _inodes:
            return _reasons[0]
        real = _real(path)
        if _starts(real, "/proc/") and (_isdir(info.st_mode) or _ends(real, "/mem")):
            return _reasons[4]
        if _isdir(info.st_mode):
            return "" if real == _workdir or _starts(real, _workdir + "/") else _reasons[2]
        parts = _split(real, "/")
        name = parts[-1]
        for folder in _stores:
            if folder in parts:
                return _reasons[1]
        for suffix in _archives:
            if _ends(name, suffix) or (suffix == ".tar" and ".tar." in name):
                return _reasons[1]
        for ending in _endings:
            if _ends(real, ending) or (_ends(ending, ".") and ending in real):
                return _reasons[0]
        if not _isreg(info.st_mode) or (info.st_size not in _sizes and info.st_size <= 16):
            return ""
        try:
            caller = _getframe(2)  # this check's own read of the file, in _digest below: let it through
        except ValueError:
            caller = None
        if caller is not None and caller.f_code is _digest_code and _genuine(caller, _digest_genuine):
            return ""
        if info.st_size in _sizes and (info.st_size, _digest(path, info.st_size)) in _digests:
            return _reasons[0]
        if info.st_size > 16 and _digest(path, 15) in _headers:  # the first 16 bytes: a bytecode file's header
            return _reasons[0]
        return ""

    return refused


def _all_genuine(frame, genuine, _locals=type(sys._getframe()).f_locals.__get__):
    """Whether ``frame`` (of :func:`_digest`) runs with the genuine helpers, not ones a caller passed."""
    local = _locals(frame)
    for name, value in genuine:
        if local.get(name) is not value:
            return False
    return True


def own_functions() -> tuple:
    """This module's functions the guard's hook relies on (their code and defaults may not be replaced)."""
    return _real_path, _digest, _all_genuine
