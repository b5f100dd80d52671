"""A process that can start no program: a seccomp filter that fails ``execve`` and ``execveat`` with EPERM.

The guard's audit hook refuses ``subprocess``, ``os.system``, ``os.exec*`` and ``os.posix_spawn``, but
Python raises no audit event in ``_posixsubprocess.fork_exec``, which runs a program (``cat``, ``git``,
``unzip``) that no hook watches. The Linux kernel's own filter (``prctl(PR_SET_SECCOMP)``, allowed without
root once ``no_new_privs`` is set) closes every such route for this process and all it forks: a ``fork``
still works, an ``exec`` fails. 32-bit and x32 system calls are refused altogether.

Only x86-64 and arm64 are known here; elsewhere :func:`forbid_exec` does nothing and returns False.

Examples
--------
``forbid_exec()`` in a child process, then ``subprocess.run(["true"])`` raises ``PermissionError``.
"""

from __future__ import annotations

import ctypes
import platform

__all__ = ["ARCHES", "forbid_exec"]

#: machine -> (audit architecture, execve, execveat) system call numbers
ARCHES = {"x86_64": (0xC000003E, 59, 322), "aarch64": (0xC00000B7, 221, 281)}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
ALLOW, ERRNO_EPERM = 0x7FFF0000, 0x00050000 | 1
X32_BIT = 0x40000000


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def _filter(arch: int, execve: int, execveat: int) -> list[tuple[int, int, int, int]]:
    """The BPF program: another architecture or an x32 call -> EPERM; execve, execveat -> EPERM; else allow."""
    return [(LD_W_ABS, 0, 0, 4),            # 0: the calling convention's architecture
            (JEQ_K, 0, 5, arch),            # 1: not ours -> 7
            (LD_W_ABS, 0, 0, 0),            # 2: the system call number
            (JGE_K, 3, 0, X32_BIT),         # 3: x32 -> 7
            (JEQ_K, 2, 0, execve),          # 4: -> 7
            (JEQ_K, 1, 0, execveat),        # 5: -> 7
            (RET_K, 0, 0, ALLOW),           # 6
            (RET_K, 0, 0, ERRNO_EPERM)]     # 7


def forbid_exec() -> bool:
    """Install the filter in this process (and every process it forks); True if it is in place."""
    numbers = ARCHES.get(platform.machine())
    if numbers is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    program = (_Instruction * 8)(*[_Instruction(*i) for i in _filter(*numbers)])
    fprog = _Program(len(program), ctypes.cast(program, ctypes.POINTER(_Instruction)))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
