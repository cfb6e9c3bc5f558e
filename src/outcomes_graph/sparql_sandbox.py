"""Take the network away from one thread: a seccomp filter that refuses ``socket`` and ``connect``.

The SERVICE check in ``sparql_text`` is the guard; this is the second one, for queries
that run on a thread of the server process itself (``sparql_threads``), where the
process cannot leave its network namespace as a query worker process does
(``sparql_worker.isolate_network``): the server must keep its listening socket.

A seccomp filter installed without ``SECCOMP_FILTER_FLAG_TSYNC`` binds only the
calling thread and the threads it starts later, so the event loop and every other
thread keep their network. pyoxigraph evaluates a query, SERVICE calls included, on
the thread that called ``query()``, so on a filtered thread a SERVICE call fails with
an error instead of opening a connection. Also refused: ``io_uring_setup`` (io_uring
can open sockets without the filtered system calls) and every system call of a
foreign ABI (x32, 32-bit), which a filter keyed on native numbers would not see.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
import sys

__all__ = ["forbid_network"]

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_AUDIT_ARCH_OFFSET = 4  # struct seccomp_data: int nr; __u32 arch; ...
_NR_OFFSET = 0
_X32_SYSCALL_BIT = 0x40000000

#: Machine: (audit architecture, refused system call numbers: socket, connect, io_uring_setup).
_ARCHITECTURES: dict[str, tuple[int, tuple[int, ...]]] = {
    "x86_64": (0xC000003E, (41, 42, 425)),
    "aarch64": (0xC00000B7, (198, 203, 425)),
}

# Classic BPF opcodes (linux/filter.h, linux/seccomp.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06
_ALLOW = 0x7FFF0000
_REFUSE = 0x00050000 | errno.EACCES  # SECCOMP_RET_ERRNO: the call fails with EACCES


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _op(code: int, k: int = 0, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _filter(arch: int, refused: tuple[int, ...]) -> list[bytes]:
    """The filter: refuse foreign ABIs and the ``refused`` calls, allow the rest."""
    n = len(refused)
    checks = [_op(_JEQ_K, nr, jt=n - i) for i, nr in enumerate(refused)]
    return [
        _op(_LD_W_ABS, _AUDIT_ARCH_OFFSET),
        _op(_JEQ_K, arch, jt=1),  # native: go on; otherwise fall into the refusal below
        _op(_RET_K, _REFUSE),
        _op(_LD_W_ABS, _NR_OFFSET),
        _op(_JGE_K, _X32_SYSCALL_BIT, jt=n + 1),
        *checks,
        _op(_RET_K, _ALLOW),
        _op(_RET_K, _REFUSE),
    ]


def forbid_network() -> bool:
    """Refuse new sockets and connections to the calling thread for good; True when that took effect.

    False (and nothing changed) where Linux seccomp is not available.
    """
    machine = platform.machine()
    if not sys.platform.startswith("linux") or machine not in _ARCHITECTURES:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    arch, refused = _ARCHITECTURES[machine]
    instructions = _filter(arch, refused)
    code = ctypes.create_string_buffer(b"".join(instructions))
    program = _Program(len(instructions), ctypes.addressof(code))
    # no_new_privs, like the filter, is a property of this thread only; an unprivileged
    # thread needs it before it may install a filter.
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return bool(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) == 0)
