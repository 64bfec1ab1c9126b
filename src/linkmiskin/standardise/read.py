"""Reading agency files: CSV, Excel and Parquet, always as text.

Agency lists arrive as CSV exported from Excel (UTF-8 or Windows cp1252, separated by ``,``, ``;`` or tabs),
as Excel workbooks, or as Parquet extracts. Every cell is read as **text** so that NIK, KK and RT/RW keep their
leading zeros and all 16 digits. Where an Excel cell that should hold a NIK or KK was a *number* cell, the
16th digit has already been lost (Excel keeps 15 significant digits); :func:`read_table` records which cells
were numeric so that :mod:`linkmiskin.standardise.nik` can flag them as ``excel_damaged``.

>>> import linkmiskin as lm
>>> df = lm.read_table("dtks_bekasi.xlsx")            # doctest: +SKIP
>>> df.attrs["numeric_cells"]["NIK"]                   # rows whose NIK was a number cell  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io as _io
import logging
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.privacy import MaskedError, warn

log = logging.getLogger("linkmiskin")

TableLike = pd.DataFrame | str | os.PathLike

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_SEPARATORS = (",", ";", "\t", "|")


class SourceError(MaskedError):
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


#: how many rows from the top are searched for the heading row (titles and blank rows sit above it)
_HEADER_SCAN_ROWS = 15


def _filled(cell: Any) -> bool:
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return False
    if isinstance(cell, float) and np.isnan(cell):
        return False
    return not (isinstance(cell, str) and not cell.strip())


def _find_header(rows: list[list[Any]]) -> int:
    """Position of the heading row among the first rows of a sheet or CSV (0 when it is the first row).

    Titles above a table ("DATA PENERIMA BANTUAN KABUPATEN ... 2025", "KECAMATAN: ...") and blank rows
    fill one or two cells of the table's width; the heading row is the first of the first
    :data:`_HEADER_SCAN_ROWS` rows that fills at least half of the table's width or three cells (and two),
    the width being the most cells any of the first 50 rows fills (so a heading row with many blank
    headings is still taken). A table without such a row keeps its first row.
    """
    counts = [sum(_filled(c) for c in r) for r in rows[:50]]
    if not counts:
        return 0
    width = max(counts)
    need = max(min(2, width), min(-(-width // 2), 3))
    for i, k in enumerate(counts[:_HEADER_SCAN_ROWS]):
        if k >= need:
            return i
    return next((i for i, k in enumerate(counts) if k), 0)


def _known_heading(cell: Any) -> bool:
    """Whether a cell is a column heading that agency lists use (``data/column_aliases.csv``: NIK, NAMA...)."""
    from linkmiskin.standardise.columns import heading_key, known_heading_keys

    return _filled(cell) and heading_key(cell) in known_heading_keys()


def is_group_heading(upper: list[Any], lower: list[Any]) -> bool:
    """Whether ``upper`` is a group row over a second heading row ``lower`` (a two-row heading with merged
    cells: ``DATA KPM`` spanning ``NIK``, ``NAMA``; ``NO`` and ``ALAMAT`` merged down both rows): ``lower``
    fills cells that ``upper`` leaves blank, leaves blank a cell that ``upper`` fills, and at least two of the
    cells only ``lower`` fills are headings agency lists use."""
    width = max(len(upper), len(lower))
    up = [_filled(upper[i]) if i < len(upper) else False for i in range(width)]
    low = [_filled(lower[i]) if i < len(lower) else False for i in range(width)]
    under_blank = [i for i in range(width) if low[i] and not up[i]]
    merged_down = any(up[i] and not low[i] for i in range(width))
    return merged_down and sum(_known_heading(lower[i]) for i in under_blank) >= 2


def _merge_group_heading(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """``df`` (its first row the heading found) with a two-row heading (:func:`is_group_heading`) read as one
    row: each column takes the lower row's heading, or the group row's where the lower one is blank."""
    if len(df) < 3:
        return df
    upper = df.iloc[0].tolist()
    lower = df.iloc[1].tolist()
    if not is_group_heading(upper, lower):
        return df
    merged = [lo if _filled(lo) else up for up, lo in zip(upper, lower, strict=True)]
    log.info("source %r: a two-row heading (a group row over the column headings) read as one row", source)
    out = df.iloc[1:].copy()
    out.iloc[0] = merged
    return out


def _log_header(source: str, row: int, given: bool) -> None:
    """``row`` is the heading's 1-based row (line) number in the file."""
    if given:
        log.info("source %r: header on row %d, as given (header=%d)", source, row, row)
    elif row > 1:
        above = "row 1 is" if row == 2 else f"rows 1-{row - 1} are"
        log.info("source %r: header found on row %d; %s a title or blank and skipped "
                 "(pass header= to choose another row)", source, row, above)


def _check_header(header: int | None, source: str) -> None:
    if header is not None and (isinstance(header, bool) or not isinstance(header, (int, np.integer))
                               or header < 1):
        raise SourceError(f"source {source!r}: header={header!r} must be the heading's row number as the "
                          "spreadsheet shows it (1 for the first row)")


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


#: a valid multi-byte UTF-8 character
_UTF8_MULTI = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}")


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252 (latin-1 for its five undefined bytes)."""
    chunk = err.object[err.start:err.end]  # type: ignore[attr-defined]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in chunk), err.end  # type: ignore[attr-defined]


codecs.register_error("linkmiskin-cp1252", _cp1252_fallback)


def _decode_mixed(raw: bytes) -> tuple[str, int, int] | None:
    """A UTF-8 file with a few Windows-1252 bytes (a row pasted from another file): ``(text, bad bytes,
    line of the first)``, or None when the file has no UTF-8 characters at all (then it is cp1252)."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # a BOM alone does not make a file UTF-8
    if not _UTF8_MULTI.search(body):
        return None
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        first_line = raw[:e.start].count(b"\n") + 1
    text = body.decode("utf-8", errors="linkmiskin-cp1252")
    non_ascii = sum(1 for b in body if b >= 0x80)
    in_utf8 = sum(len(m) for m in _UTF8_MULTI.findall(body))
    return text, non_ascii - in_utf8, first_line


def _decode(raw: bytes, encoding: str | None, source: str = "data", name: str = "") -> tuple[str, str]:
    if encoding:
        return raw.decode(encoding), encoding
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode text": UTF-16 with a BOM
        return raw.decode("utf-16"), "utf-16"
    mixed = _decode_mixed(raw)
    if mixed is not None:
        text, bad, line = mixed
        warn(f"source {source!r}: {name} is UTF-8 but {bad} byte(s) are not (the first on line {line}); "
             "those were read as Windows-1252 (cp1252), the rest as UTF-8. Check those rows, or pass "
             "encoding= to read the whole file one way", stacklevel=5)
        return text, "utf-8+cp1252"
    for enc in _ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise AssertionError("unreachable: latin-1 decodes any bytes")  # pragma: no cover


def _drop_blank_rows(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Drop rows whose every cell is empty (``;;;;`` lines and formatted-but-empty spreadsheet rows)."""
    if df.shape[1] == 0 or len(df) == 0:
        return df
    blank = np.ones(len(df), dtype=bool)
    for c in range(df.shape[1]):
        v = df.iloc[:, c].to_numpy(dtype=object)
        blank &= pd.isna(v) | (v == "")
        if not blank.any():
            return df
    log.info("source %r: %d empty row(s) skipped", source, int(blank.sum()))
    return df.loc[~blank].reset_index(drop=True)


def _skip_lines(text: str, k: int) -> str:
    """``text`` without its first ``k`` lines."""
    pos = 0
    for _ in range(k):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return ""
        pos = nxt + 1
    return text[pos:]


def _records(text: str, sep: str, limit: int = 50) -> tuple[list[list[str]], list[int]]:
    """The first ``limit`` CSV records of ``text`` and the physical lines read after each."""
    reader = csv.reader(_io.StringIO(text[:200000]), delimiter=sep)
    rows: list[list[str]] = []
    ends: list[int] = []
    try:
        for rec in reader:
            rows.append(rec)
            ends.append(reader.line_num)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows, ends


def _table_separator(text: str, sniffed: str) -> str:
    """The sniffed separator, unless it splits no line (a title line with a comma misleads the sniffer)
    while another separator splits most lines into the same number (two or more) of fields."""
    def fit(sep: str) -> tuple[int, int]:
        counts = Counter(len(r) for r in _records(text, sep)[0] if any(c.strip() for c in r))
        wide = [(n, k) for k, n in counts.items() if k >= 2]
        return max(wide) if wide else (0, 1)
    if fit(sniffed)[0]:
        return sniffed
    best = max(_SEPARATORS, key=fit)
    return best if fit(best)[0] >= 2 else sniffed


def _csv_header_lines(text: str, sep: str, source: str, header: int | None) -> int:
    """How many physical lines come before the heading row (found, or ``header - 1`` when given)."""
    if header is not None:
        return header - 1
    rows, ends = _records(text, sep)
    h = _find_header(rows)
    return ends[h - 1] if h > 0 else 0


def _read_csv(path: Path, source: str, sep: str | None, encoding: str | None,
              header: int | None = None) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise SourceError(f"source {source!r}: file {path.name} is empty")
    try:
        text, used = _decode(raw, encoding, source, path.name)
    except (UnicodeDecodeError, LookupError) as e:
        raise SourceError(f"source {source!r}: cannot decode {path.name} as {encoding}: {e}") from None
    text = text.lstrip("\ufeff")
    if text.startswith("\u00ef\u00bb\u00bf"):  # a UTF-8 BOM in a file that had to be read as cp1252
        text = text[3:]
    if not text.strip():
        raise SourceError(f"source {source!r}: file {path.name} is empty")
    if used not in ("utf-8-sig", "utf-8", "utf-8+cp1252"):
        log.info("source %r: %s decoded as %s", source, path.name, used)
    given_sep = sep
    sep = sep or _sniff_separator(text[:20000])
    if not given_sep:
        sep = _table_separator(text, sep)
    skip = _csv_header_lines(text, sep, source, header)
    if skip and not given_sep:
        # the separator was sniffed with the title lines in the sample: sniff the table alone
        table_sep = _sniff_separator(_skip_lines(text[:40000], skip)[:20000])
        if table_sep != sep:
            sep = table_sep
            skip = _csv_header_lines(text, sep, source, header)
    _log_header(source, skip + 1, header is not None)
    if skip:
        text = _skip_lines(text, skip)
        if not text.strip():
            raise SourceError(f"source {source!r}: {path.name} has nothing from row {skip + 1} on")
    try:
        df = pd.read_csv(_io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         header=None, skip_blank_lines=True, engine="c")
    except pd.errors.EmptyDataError:
        raise SourceError(f"source {source!r}: file {path.name} is empty") from None
    except pd.errors.ParserError as e:
        raise SourceError(f"source {source!r}: cannot read {path.name} as a table separated by {sep!r}: "
                          f"{' '.join(str(e).split())}. "
                          "Check for a stray separator or an unclosed quote on that line, or pass sep=") from None
    if df.empty:
        raise SourceError(f"source {source!r}: file {path.name} has no rows")
    if header is None:
        df = _merge_group_heading(df, source)
    header = _dedupe_headers(list(df.iloc[0]), source)
    # one pass per column: "" -> None, and note the rows where every cell is empty (";;;;" lines)
    cols = {}
    blank = np.ones(len(df) - 1, dtype=bool)
    for i, col in enumerate(header):
        arr = df.iloc[1:, i].to_numpy(dtype=object)  # a view into the parsed block, which is ours
        if not arr.flags.writeable:  # pandas copy-on-write hands out read-only views
            arr = arr.copy()
        empty = arr == ""
        arr[empty] = None
        blank &= empty
        cols[col] = arr
    out = pd.DataFrame(cols, columns=header, index=pd.RangeIndex(len(df) - 1), copy=False)
    if blank.any():
        log.info("source %r: %d empty row(s) skipped", source, int(blank.sum()))
        out = out.loc[~blank].reset_index(drop=True)
    return out


def _cell_to_text(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return None
        if float(v).is_integer() and abs(v) < 1e17:
            return str(int(v))
        return repr(float(v))
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        if pd.isna(v):
            return None
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
            and v == v)


def _column_to_text(s: pd.Series, empty_to_none: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """One column as an object array of ``str``/``None``, and the positions of cells that were numbers.

    A column of strings is only scanned for NaN/NA; any other column is converted once per distinct value
    (``pd.factorize``), so a million-row column costs a hash pass. ``empty_to_none`` also turns ``""``
    into ``None`` (as for files).
    """
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        arr = s.to_numpy()
        empty = pd.isna(arr)
        if empty_to_none:
            empty |= arr == ""
        if empty.any():
            arr = arr.copy()
            arr[empty] = None
        return arr, np.zeros(0, dtype=np.int64)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    numeric_dtype = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    text = np.empty(len(u) + 1, dtype=object)  # the extra last slot (None) is where code -1 points
    text[:-1] = [_cell_to_text(v) for v in u]
    if empty_to_none:
        text[text == ""] = None
    out = text.take(codes)
    if numeric_dtype:
        num_u = np.ones(len(u), dtype=bool)
    else:
        num_u = np.fromiter((_is_number(v) for v in u), dtype=bool, count=len(u))
    if num_u.any():
        num_u = np.append(num_u, False)
        rows = np.flatnonzero(num_u.take(codes))
    else:
        rows = np.zeros(0, dtype=np.int64)
    return out, rows


def _sheet_has_data(xf: pd.ExcelFile, name: str) -> bool:
    """Whether a sheet holds more than an empty first cell (Excel's default "Sheet2" does not)."""
    try:
        ws = xf.book[name]
        if hasattr(ws, "max_row"):  # openpyxl (read-only sheets report their stored dimensions)
            if (ws.max_row or 0) > 1 or (ws.max_column or 0) > 1:
                return True
            return any(v is not None for row in ws.iter_rows(max_row=1, max_col=1, values_only=True) for v in row)
        return getattr(ws, "nrows", 1) > 0  # xlrd
    except Exception:  # an engine without a book: count the sheet
        return True


def _read_excel(path: Path, source: str, sheet: str | int | None, header: int | None = None) -> pd.DataFrame:
    try:
        xf = pd.ExcelFile(path)
    except ImportError as e:
        raise SourceError(f"source {source!r}: cannot read {path.name} ({e}); save it as .xlsx or CSV") from None
    except Exception as e:  # zipfile, openpyxl and pandas raise many types for a file that is not a workbook
        raise SourceError(f"source {source!r}: {path.name} is not a readable Excel workbook "
                          f"({type(e).__name__}: {e}); save it again as .xlsx or CSV") from None
    with xf:
        names = [str(n) for n in xf.sheet_names]
        want = 0 if sheet is None else sheet
        known = (0 <= want < len(names)) if isinstance(want, int) else (str(want) in names)
        if not known:
            raise SourceError(f"source {source!r}: {path.name} has no sheet {sheet!r}; "
                              f"sheets are: {', '.join(map(repr, names))}")
        if sheet is None and len(names) > 1:
            others = [n for n in names[1:] if _sheet_has_data(xf, n)]
            if others:
                warn(f"source {source!r}: {path.name} has {len(names)} sheets ({', '.join(map(repr, names))}); "
                     f"only the first, {names[0]!r}, is read. To read another: "
                     f"lm.read_table({path.name!r}, sheet={others[0]!r}) and pass the DataFrame as the source",
                     stacklevel=5)
        try:
            df = xf.parse(sheet_name=want, header=None, dtype=object)
        except Exception as e:  # pragma: no cover - a damaged sheet inside a readable workbook
            raise SourceError(f"source {source!r}: cannot read sheet {sheet!r} of {path.name}: {e}") from None
    if header is None:
        top = df.iloc[:50].to_numpy(dtype=object).tolist()
        h = _find_header(top)
    else:
        h = header - 1
    _log_header(source, h + 1, header is not None)
    df = _drop_blank_rows(df.iloc[h:], source)
    if df.empty:
        raise SourceError(f"source {source!r}: sheet {sheet if sheet is not None else 1} of {path.name} is empty"
                          + (f" from row {h + 1} on" if h else ""))
    if header is None:
        df = _merge_group_heading(df, source)
    header = _dedupe_headers(list(df.iloc[0]), source)
    body = df.iloc[1:].reset_index(drop=True)
    numeric: dict[str, np.ndarray] = {}
    out = {}
    for i, col in enumerate(header):
        values, rows = _column_to_text(body.iloc[:, i], empty_to_none=True)
        if len(rows):
            numeric[col] = np.asarray(rows, dtype=np.int64)  # an array: attrs are deep-copied by pandas
        out[col] = values
    result = pd.DataFrame(out, columns=header, index=pd.RangeIndex(len(body)), copy=False)
    result.attrs["numeric_cells"] = numeric
    return result


def _from_frame(src: pd.DataFrame, name: str, copy: bool = True) -> pd.DataFrame:
    """A DataFrame as text; ``copy=False`` lets unchanged columns share the caller's arrays (read-only use)."""
    header = _dedupe_headers(list(src.columns), name)
    # numeric cells recorded by an earlier read_table (e.g. read_table("x.xlsx") then standardize(df)):
    # they are index labels of that frame, which survive row selection
    prev = src.attrs.get("numeric_cells") or {}
    if prev and not src.index.equals(pd.RangeIndex(len(src))):
        def carry(rows: Any) -> np.ndarray:
            return np.flatnonzero(src.index.isin(list(rows)))
    else:
        def carry(rows: Any) -> np.ndarray:
            r = np.asarray(list(rows), dtype=np.int64)
            return r[(r >= 0) & (r < len(src))]
    numeric: dict[str, np.ndarray] = {}
    cols = {}
    for i, (orig, col) in enumerate(zip(src.columns, header, strict=True)):
        values, rows = _column_to_text(src.iloc[:, i])
        old = prev.get(orig if isinstance(orig, str) else str(orig))
        if old is None:
            old = prev.get(col)
        if old is not None and len(old):
            rows = np.union1d(rows, carry(old))
        if len(rows):
            numeric[col] = np.asarray(rows, dtype=np.int64)  # an array: attrs are deep-copied by pandas
        # never share an array with the caller's frame
        if copy and np.shares_memory(values, src.iloc[:, i].to_numpy()):
            values = values.copy()
        cols[col] = values
    df = pd.DataFrame(cols, columns=header, index=pd.RangeIndex(len(src)), copy=False)
    df.attrs = {"numeric_cells": numeric, "source_path": src.attrs.get("source_path")}
    return df


def read_table(path_or_df: TableLike, *, sheet: str | int | None = None, source: str | None = None,
               sep: str | None = None, encoding: str | None = None, header: int | None = None) -> pd.DataFrame:
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
    header:
        The heading row's number as the spreadsheet or text editor shows it (1 = first row), for CSV and
        Excel. By default it is found: government spreadsheets often carry a title ("DATA ... KABUPATEN
        ... 2025") and blank rows above the headings, so the first row among the first 15 that fills at
        least half of the table's width or three cells (and two) is taken as the heading row, and what was skipped
        is logged at INFO ("header found on row 3; rows 1-2 are a title or blank"). Rows above it are
        dropped; Excel number cells are still recorded for the rows below it. A two-row heading (a group
        row of merged cells, ``DATA KPM`` over ``NIK``, ``NAMA``: :func:`is_group_heading`) is read as one
        row: each column takes its lower heading, or the group row's where the lower one is blank.

    Returns
    -------
    A DataFrame whose cells are strings (``None`` for empty cells; a DataFrame's own ``""`` cells are kept),
    with every original column and every row that holds something: in files, blank lines and rows whose
    every cell is empty (``;;;`` lines, formatted-but-empty spreadsheet rows) are skipped. Duplicated
    headings are kept as ``NIK``, ``NIK__2``; blank headings become ``column_<n>``.
    ``df.attrs["numeric_cells"]`` maps a column to the row positions (an integer array) whose cell was a
    number (an Excel number cell, or a numeric value in a DataFrame/Parquet column); when a frame that
    read_table returned is passed again (also after selecting rows), its marks are kept.
    ``df.attrs["source_path"]`` holds the file path.

    CSV text is decoded as UTF-8 (with or without BOM), UTF-16 with a BOM (Excel "Unicode text"), cp1252
    or latin-1, in that order; the separator (``,`` ``;`` tab ``|``) is detected from the first lines.

    Raises
    ------
    SourceError (a ``ValueError``) naming the source when the file does not exist, is a folder, has an
    unsupported type, is empty, has a header but no rows, is not a readable workbook/Parquet file, has no
    such sheet, or has a line with more fields than the header.
    """
    if isinstance(path_or_df, pd.DataFrame):
        return _from_frame(path_or_df, source or "dataframe")

    path = Path(path_or_df)
    name = source or path.stem
    _check_header(header, name)
    if not path.exists():
        raise SourceError(f"source {name!r}: file not found: {path}")
    if path.is_dir():
        raise SourceError(f"source {name!r}: {path} is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        df = _read_csv(path, name, sep or ("\t" if suffix == ".tsv" else None), encoding, header)
        df.attrs = {"numeric_cells": {}}
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        df = _read_excel(path, name, sheet, header)
    elif suffix in (".parquet", ".pq"):
        try:
            table = pd.read_parquet(path)
        except Exception as e:  # pyarrow raises several types for a bad file
            raise SourceError(f"source {name!r}: {path.name} is not a readable Parquet file ({e})") from None
        df = read_table(table, source=name)
    else:
        raise SourceError(f"source {name!r}: unsupported file type {suffix!r} ({path.name}); "
                          "use CSV, Excel (.xlsx) or Parquet")
    if len(df) == 0:
        raise SourceError(f"source {name!r}: {path.name} has a header but no rows")
    df.attrs["source_path"] = str(path)
    return df
