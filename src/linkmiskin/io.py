"""Reading agency files: CSV, Excel and Parquet, always as text.

Agency lists arrive as CSV exported from Excel (UTF-8 or Windows cp1252, separated by ``,``, ``;`` or tabs),
as Excel workbooks, or as Parquet extracts. Every cell is read as **text** so that NIK, KK and RT/RW keep their
leading zeros and all 16 digits. Where an Excel cell that should hold a NIK or KK was a *number* cell, the
16th digit has already been lost (Excel keeps 15 significant digits); :func:`read_table` records which cells
were numeric so that :mod:`linkmiskin.nik` can flag them as ``excel_damaged``.

>>> import linkmiskin as lm
>>> df = lm.read_table("dtks_bekasi.xlsx")            # doctest: +SKIP
>>> df.attrs["numeric_cells"]["NIK"]                   # rows whose NIK was a number cell  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io as _io
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger("linkmiskin")

TableLike = pd.DataFrame | str | os.PathLike

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_SEPARATORS = (",", ";", "\t", "|")


class SourceError(ValueError):
    """A problem with one input source, named in the message."""


def _dedupe_headers(columns: list[Any], source: str) -> list[str]:
    """Keep duplicated headers distinguishable (``NIK``, ``NIK__2``) and warn; never drop a column."""
    seen: Counter[str] = Counter()
    out = []
    for c in columns:
        name = "" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c).strip()
        if not name or name.lower().startswith("unnamed:"):
            name = f"column_{len(out) + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}__{seen[name]}")
    dups = [k for k, v in seen.items() if v > 1]
    if dups:
        log.warning("source %r has duplicate column headers %s; kept as %s", source, dups,
                    [c for c in out if "__" in c])
    return out


def _sniff_separator(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(_SEPARATORS)).delimiter
    except csv.Error:
        counts = {sep: min(ln.count(sep) for ln in lines) for sep in _SEPARATORS}
        best = max(counts, key=lambda s: counts[s])
        return best if counts[best] > 0 else ","


def _read_csv(path: Path, source: str, sep: str | None, encoding: str | None) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise SourceError(f"source {source!r}: file {path.name} is empty")
    text = None
    used = encoding
    for enc in ([encoding] if encoding else _ENCODINGS):
        try:
            text = raw.decode(enc)
            used = enc
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # pragma: no cover - latin-1 decodes anything
        raise SourceError(f"source {source!r}: cannot decode {path.name}")
    if used not in ("utf-8-sig", "utf-8"):
        log.info("source %r: %s decoded as %s", source, path.name, used)
    sep = sep or _sniff_separator(text[:20000])
    df = pd.read_csv(_io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                     header=None, skip_blank_lines=True, engine="c")
    if df.empty:
        raise SourceError(f"source {source!r}: file {path.name} has no rows")
    header = _dedupe_headers(list(df.iloc[0]), source)
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = header
    return df


def _cell_to_text(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return None
        if float(v).is_integer() and abs(v) < 1e17:
            return str(int(v))
        return repr(float(v))
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _read_excel(path: Path, source: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object, header=None)
    except ValueError as e:
        raise SourceError(f"source {source!r}: cannot read sheet {sheet!r} of {path.name}: {e}") from None
    if df.empty:
        raise SourceError(f"source {source!r}: sheet of {path.name} is empty")
    header = _dedupe_headers(list(df.iloc[0]), source)
    body = df.iloc[1:].reset_index(drop=True)
    body.columns = header
    numeric: dict[str, list[int]] = {}
    out = {}
    for col in header:
        values = body[col]
        is_num = values.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                            and not isinstance(v, bool) and v == v)
        if is_num.any():
            numeric[col] = list(np.flatnonzero(is_num.to_numpy()))
        out[col] = values.map(_cell_to_text)
    result = pd.DataFrame(out, columns=header)
    result.attrs["numeric_cells"] = numeric
    return result


def read_table(path_or_df: TableLike, *, sheet: str | int | None = None, source: str | None = None,
               sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read an agency list as text.

    Parameters
    ----------
    path_or_df:
        A pandas DataFrame, or a path to ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``/``.xls`` or
        ``.parquet``.
    sheet:
        Excel sheet name or position; the first sheet by default.
    source:
        The source's name, used in messages (defaults to the file name).
    sep, encoding:
        Override CSV separator and encoding detection.

    Returns
    -------
    A DataFrame whose cells are strings (``None`` for empty cells), with every original row and column.
    ``df.attrs["numeric_cells"]`` maps a column to the row positions whose Excel cell was numeric, and
    ``df.attrs["source_path"]`` holds the file path.

    Raises
    ------
    SourceError (a ``ValueError``) naming the source when the file does not exist, is empty or unreadable.
    """
    if isinstance(path_or_df, pd.DataFrame):
        name = source or "dataframe"
        df = path_or_df.copy()
        df.columns = _dedupe_headers(list(df.columns), name)
        numeric: dict[str, list[int]] = {}
        for col in df.columns:
            s = df[col]
            if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                numeric[col] = list(np.flatnonzero(s.notna().to_numpy()))
                df[col] = s.map(_cell_to_text).astype(object)
            elif pd.api.types.is_datetime64_any_dtype(s):
                df[col] = s.map(lambda v: None if pd.isna(v) else _cell_to_text(v)).astype(object)
            elif s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
                df[col] = s.where(s.notna(), None)
            elif s.dtype == object:
                kinds = s.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                              and not isinstance(v, bool) and v == v)
                if kinds.any():
                    numeric[col] = list(np.flatnonzero(kinds.to_numpy()))
                df[col] = s.map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                                else _cell_to_text(v)).astype(object)
            else:
                df[col] = s.astype("string").astype(object).where(s.notna(), None)
        df.attrs = {"numeric_cells": numeric, "source_path": None}
        return df.reset_index(drop=True)

    path = Path(path_or_df)
    name = source or path.stem
    if not path.exists():
        raise SourceError(f"source {name!r}: file not found: {path}")
    if path.is_dir():
        raise SourceError(f"source {name!r}: {path} is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        df = _read_csv(path, name, sep or ("\t" if suffix == ".tsv" else None), encoding)
        df = df.replace({"": None})
        df.attrs = {"numeric_cells": {}}
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        df = _read_excel(path, name, sheet)
    elif suffix in (".parquet", ".pq"):
        df = read_table(pd.read_parquet(path), source=name)
    else:
        raise SourceError(f"source {name!r}: unsupported file type {suffix!r} ({path.name}); "
                          "use CSV, Excel (.xlsx) or Parquet")
    if len(df) == 0:
        raise SourceError(f"source {name!r}: {path.name} has a header but no rows")
    df.attrs["source_path"] = str(path)
    return df
