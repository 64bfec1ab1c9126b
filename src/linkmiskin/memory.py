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
        self.dtypes = table.dtypes
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
        pf = pq.ParquetFile(self._file)
        cols: dict[str, Any] = {}
        for c in self._rest:   # one column at a time: Arrow's copy of one column, not of the table, at once
            col = pf.read(columns=[c], use_pandas_metadata=False).column(0)
            if c in self.list_columns:   # parquet gives arrays back; the table's are lists (None stays None)
                values = _shared_empty(lists_from_parquet(col))
                missing = col.is_null().to_numpy(zero_copy_only=False)
                if missing.any():
                    values = np.array(values, dtype=object)
                    values[missing] = None
                cols[c] = values
                continue
            dtype = self.dtypes[c]
            if isinstance(dtype, pd.api.extensions.ExtensionDtype):   # nullable ints, string[pyarrow]...
                cols[c] = pd.array(col.to_pandas(types_mapper={col.type: dtype}.get), dtype=dtype)
            else:
                cols[c] = col.to_pandas().to_numpy(dtype=dtype)
            del col
        kept = self.kept
        # (copy=False: the columns are new arrays; a frame of them without their copy into 2-D blocks)
        out = pd.DataFrame({c: kept[c].array if c in kept else cols.pop(c) for c in self.columns},
                           index=kept.index, copy=False)
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


def shared_strings(values: Any, *, sample: int = 5000, most: float = 0.5) -> Any:
    """An object array of text whose equal strings are one object (each row holds a pointer to it, not a
    string of its own: a column of statuses or desa names then costs 8 bytes a row instead of ~60), the
    same values and missing values (None or NaN as they were). Returned unchanged: not an object array of
    strings, or a column whose ``sample`` first values are more than ``most`` distinct (record ids).

    >>> import numpy as np
    >>> a = np.array(["ok", "ok", None, "bad", "ok", "ok"], dtype=object); a[1] = "".join(["o", "k"])
    >>> b = shared_strings(a)
    >>> b.tolist() == a.tolist(), b[0] is b[1], a[0] is a[1]
    (True, True, False)
    """
    import numpy as np
    import pandas as pd

    if not isinstance(values, np.ndarray) or values.dtype != object or len(values) < 2:
        return values
    head = values[:sample]
    if pd.api.types.infer_dtype(head, skipna=True) != "string" or pd.unique(head).size > most * len(head) \
            or pd.api.types.infer_dtype(values, skipna=True) != "string":
        return values
    codes, uniques = pd.factorize(values)
    out = np.asarray(uniques, dtype=object).take(np.maximum(codes, 0))
    missing = codes < 0
    if missing.any():
        out[missing] = values[missing]
    return out


def with_shared_strings(table: Any) -> Any:
    """``table`` (a DataFrame, changed in place and returned) with each text column's equal strings one
    object (:func:`shared_strings`): the standardised records hold them from reading to the records."""
    for c in table.columns:
        col = table[c]
        if col.dtype == object:
            values = col.to_numpy()
            shared = shared_strings(values)
            if shared is not values:
                table[c] = shared
    return table


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
