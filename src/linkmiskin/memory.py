"""Giving freed memory back to the machine between pipeline steps.

After a step drops its intermediates, Python's and the C allocator's free lists and pyarrow's memory pool
keep much of what they held as resident memory (a fifth of the process after standardising a kabupaten).
:func:`release_memory` hands it back, so that the next step's peak starts from what is really in use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

_LIBC: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL | None:
    """The C library, when it is glibc (the only one with ``malloc_trim``)."""
    global _LIBC
    if _LIBC is None and sys.platform.startswith("linux"):
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            if hasattr(lib, "malloc_trim"):
                _LIBC = lib
        except OSError:
            _LIBC = None
    return _LIBC


def release_memory() -> None:
    """Collect garbage, empty pyarrow's pool of unused blocks and return the C heap's free pages to the
    system (glibc ``malloc_trim``); a no-op where these are not available."""
    gc.collect()
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        try:
            pa.default_memory_pool().release_unused()
        except Exception:  # pragma: no cover - an old pyarrow
            pass
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)
