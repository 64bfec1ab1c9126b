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
from typing import Any

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


class SpilledColumns:
    """A table whose columns ``keep`` stay in memory (:attr:`kept`) while its other columns wait in a Parquet
    file (already removed from the temporary folder: held open, the system frees it with this object or when
    the process ends, even killed): :meth:`full` reads them back, with their dtypes,
    word lists as lists and the columns in their order. The model table is held this way once DuckDB has
    its copy: the steps after scoring read a few of its columns, explaining a pair or an update all of them.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [1, 2], "w": [["X"], []], "y": pd.array([None, 3], dtype="Int64")})
    >>> s = SpilledColumns(t, keep=("a",))
    >>> list(s.kept.columns), s.list_columns, s.full().equals(t)
    (['a'], ['w'], True)
    """

    def __init__(self, table: Any, keep: tuple[str, ...] | list[str]) -> None:
        import os
        import tempfile

        self.columns = list(table.columns)
        self.attrs = dict(table.attrs)
        self.list_columns = [c for c in self.columns if holds_lists(table[c])]
        wanted = set(keep)
        self.kept = table[[c for c in self.columns if c in wanted]]
        self.kept.attrs = dict(self.attrs)
        self._rest = [c for c in self.columns if c not in wanted]
        self._file = None
        if self._rest:
            fd, path = tempfile.mkstemp(prefix="linkmiskin_table_", suffix=".parquet")
            os.close(fd)
            try:
                table[self._rest].to_parquet(path, index=False)
                self._file = open(path, "rb")  # noqa: SIM115 - held open until this object goes
            finally:
                try:
                    os.unlink(path)
                except OSError:   # Windows keeps an open file: removed when this object goes
                    import weakref
                    weakref.finalize(self, _close_and_remove, self._file, path)

    def __len__(self) -> int:
        return len(self.kept)

    def full(self) -> Any:
        """The whole table (a new frame each call)."""
        import numpy as np
        import pandas as pd
        import pyarrow.parquet as pq

        from linkmiskin.scoring.model import _shared_empty
        from linkmiskin.standardise.reuse import lists_from_parquet

        if not self._rest:
            return self.kept
        self._file.seek(0)
        tab = pq.read_table(self._file)
        lists = [c for c in self._rest if c in self.list_columns]
        rest = tab.drop_columns(lists).to_pandas()   # (the pandas dtypes from the file's metadata)
        for c in lists:   # parquet gives arrays back; the table's are lists (a missing list stays None)
            values = _shared_empty(lists_from_parquet(tab.column(c)))
            missing = tab.column(c).is_null().to_numpy(zero_copy_only=False)
            if missing.any():
                values = np.array(values, dtype=object)
                values[missing] = None
            rest[c] = values
        del tab
        rest.index = self.kept.index
        out = pd.concat([self.kept, rest], axis=1)[self.columns]
        out.attrs = dict(self.attrs)
        return out


def _close_and_remove(f: Any, path: str) -> None:
    """Close ``f`` and remove its file ``path`` (where an open file cannot be removed)."""
    import os

    if f is not None:
        f.close()
    try:
        os.unlink(path)
    except OSError:
        pass


def holds_lists(s: Any) -> bool:
    """A column of lists (name tokens...): its first known value is a list.

    >>> import pandas as pd
    >>> holds_lists(pd.Series([None, ["A"]])), holds_lists(pd.Series([None, "A"])), holds_lists(pd.Series([1]))
    (True, False, False)
    """
    import numpy as np
    import pandas as pd

    if s.dtype != object:
        return False
    values = s.to_numpy()
    known = pd.notna(values)   # (the first known value, without a copy of the column's known values)
    return bool(known.any()) and isinstance(values[int(known.argmax())], (list, tuple, np.ndarray))
