"""A fresh, nearly empty root file system for one submission, built from an allow-list.

A stage set rather than a house: the submission walks into a room that
holds only the furniture grading needs (the system's programs and libraries,
the Python installation, the virtual environment, the ``labsupport``
package), every piece bolted down read-only, plus its own desk (the work
directory) and a waste-paper basket (a private ``/tmp``). Nothing else of the
host exists in it: no repository, no ``.git``, no home directory, no other
submission, no host ``/dev`` or ``/proc``.

Called inside new mount and PID namespaces (as real root, or as root of a
user namespace); the mounts are made with ``mount(2)`` and ``pivot_root(2)``
through ctypes, so no helper program is needed.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

__all__ = ["allowed_paths", "ETC_FILES", "DEVICES", "WORKDIR", "build"]

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
#: statvfs flags a read-only remount must keep (a user namespace may not clear them), as mount flags.
KEPT_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
              os.ST_NOATIME: MS_NOATIME, os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}

#: What of the host's /etc Python, the dynamic loader, git-free tools and matplotlib read; nothing else.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "alternatives",
             "fonts", "mime.types", "os-release", "timezone")
#: The device files a program may expect; /dev itself is a fresh, read-only tmpfs.
DEVICES = ("null", "zero", "full", "random", "urandom")
#: Where the submission's work directory appears inside: short, so Unix socket paths in it stay short.
WORKDIR = "/submission"
#: Small files written into the new /etc instead of the host's (no user names, no shadow).
GENERATED = {
    "passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    "group": "root:x:0:\nnogroup:x:65534:\n",
    "hosts": "127.0.0.1 localhost\n::1 localhost\n",
}

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = (lambda s: s.encode() if s is not None else None)
    if _libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source or ''} on {target}: {os.strerror(errno)}")


def allowed_paths() -> list[str]:
    """The host paths the sandbox sees read-only, parents before children, none inside another.

    Examples
    --------
    >>> paths = allowed_paths()
    >>> "/usr" in paths and sys.base_prefix in paths or any(sys.base_prefix.startswith(p + "/") for p in paths)
    True
    >>> any(p.endswith("/.git") for p in paths)
    False
    """
    import labsupport

    package = str(Path(labsupport.__file__).resolve().parent)
    wanted = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
              str(Path(sys.base_prefix).resolve()), str(Path(sys.prefix).resolve()), package]
    chosen: list[str] = []
    for path in sorted(set(wanted), key=lambda p: (p.count("/"), p)):
        if os.path.lexists(path) and not any(path == c or path.startswith(c + "/") for c in chosen):
            chosen.append(path)
    return chosen


def _place(root: str, path: str, *, directory: bool) -> str:
    """Create ``path`` inside ``root`` (parents 0755) as an empty directory or file; return its full name."""
    target = root + path
    os.makedirs(target if directory else os.path.dirname(target), mode=0o755, exist_ok=True)
    if not directory and not os.path.exists(target):
        open(target, "w").close()
    return target


def bind(source: str, root: str, path: str | None = None, *, writable: bool = False) -> None:
    """Mount ``source`` at ``root + path`` (default: the same path); read-only unless ``writable``.

    A symbolic link (``/lib -> usr/lib``) is copied as a link, not mounted.
    """
    path = path or source
    if os.path.islink(source):
        _place(root, os.path.dirname(path) or "/", directory=True)
        os.symlink(os.readlink(source), root + path)
        return
    target = _place(root, path, directory=os.path.isdir(source))
    _mount(source, target, None, MS_BIND | MS_REC)
    if not writable:
        flags = os.statvfs(target).f_flag
        kept = sum(mount_flag for st_flag, mount_flag in KEPT_FLAGS.items() if flags & st_flag)
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)


def _populate_dev(root: str) -> None:
    dev = root + "/dev"
    _place(root, "/dev", directory=True)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for name in DEVICES:
        if os.path.exists(f"/dev/{name}"):
            bind(f"/dev/{name}", root, f"/dev/{name}", writable=True)
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{number}", f"{dev}/{name}")
    os.symlink("/proc/self/fd", f"{dev}/fd")
    os.mkdir(f"{dev}/shm")
    _mount("tmpfs", f"{dev}/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    _mount(None, dev, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")


def _populate_etc(root: str) -> None:
    etc = _place(root, "/etc", directory=True)
    for name in ETC_FILES:
        if os.path.lexists(f"/etc/{name}"):
            bind(f"/etc/{name}", root)
    for name, text in GENERATED.items():
        Path(etc, name).write_text(text)


def build(root: str, *, workdir: str, readable: list[str] = (), owner: tuple[int, int] | None = None) -> None:
    """Turn the empty directory ``root`` into the sandbox's whole file system and move into it.

    Parameters
    ----------
    root : str
        An empty directory to mount the new root on (it stays empty on the host).
    workdir : str
        The submission's work directory, the only writable host directory; it appears as :data:`WORKDIR`.
    readable : list of str
        Further host directories to show read-only at the same path (the kernel spec).
    owner : (uid, gid) or None
        Who owns the new /tmp, the home directory and the work directory (the kernel's user), if not root.

    Notes
    -----
    The root itself is made read-only last, after ``pivot_root`` has detached the host's tree.
    """
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    # The private /tmp first: a checkout or virtual environment that lives under the host's /tmp
    # (a CI clone, say) is then bound on top of it, instead of being hidden by it.
    tmp = _place(root, "/tmp", directory=True)
    _mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777")
    for path in allowed_paths():
        bind(path, root)
    _populate_etc(root)
    _populate_dev(root)
    for path in readable:
        bind(path, root)
    bind(workdir, root, WORKDIR, writable=True)
    if owner is not None:
        for folder, _, files in os.walk(workdir):
            for name in [folder, *(os.path.join(folder, f) for f in files)]:
                os.chown(name, *owner, follow_symlinks=False)
        os.chmod(workdir, 0o700)
    proc = _place(root, "/proc", directory=True)
    _mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for name in ("sys", "sysrq-trigger"):
        if os.path.exists(f"{proc}/{name}"):
            bind(f"{proc}/{name}", root, f"/proc/{name}")
    os.chdir(root)
    if _libc.syscall(155 if os.uname().machine == "x86_64" else 41, b".", b".") != 0:  # pivot_root(".", ".")
        errno = ctypes.get_errno()
        raise OSError(errno, f"pivot_root into {root}: {os.strerror(errno)}")
    if _libc.umount2(b".", MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), "could not detach the host's file system")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(WORKDIR)
