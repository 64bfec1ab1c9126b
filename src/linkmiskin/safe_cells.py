"""Cells that spreadsheet programs must show as text, never run as formulas (CSV/formula injection).

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, OWASP "CSV injection")
is a formula to Excel and LibreOffice when the file is opened: ``=HYPERLINK(...)`` or a DDE call
``=cmd|' /C calc'!A0`` in a name column of an agency list would run on the clerk's machine. Every CSV and
Excel file that linkmiskin writes goes through this module:

* **CSV**: a text cell that starts with one of those characters gets a single quote in front
  (``'=HYPERLINK(...)``), which spreadsheet programs show as text. Only *text* cells (object or string
  columns) are changed: a number column keeps ``-1.5``, because a number is not a formula and changing it
  would break the data. A text cell that merely looks like a negative number (``"-1.5"`` in a text column)
  is quoted too: in a text column it is text.
* **Excel** (``.xlsx``): such cells are written as string cells (``data_type 's'``) with Excel's
  "quote prefix" style, so the value is kept exactly (``read_review`` reads back ``=2+2``) but is never
  evaluated, also not when a clerk edits the cell.

>>> from linkmiskin.safe_cells import csv_text
>>> csv_text("=1+1"), csv_text("SITI"), csv_text(-1.5)
("'=1+1", 'SITI', -1.5)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: first characters that make a spreadsheet cell a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: rows an Excel sheet can hold (header included)
EXCEL_MAX_ROWS = 1_048_576


def is_formula_like(value: Any) -> bool:
    """True for a text value that a spreadsheet program would treat as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value: Any) -> Any:
    """``value`` safe for a CSV cell: formula-looking text gets a leading ``'``; anything else is unchanged."""
    return "'" + value if is_formula_like(value) else value


def safe_frame_for_csv(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as formulas (number columns are left alone)."""
    out = df.copy()
    for i in range(out.shape[1]):  # by position: an agency's own headings may repeat
        s = out.iloc[:, i]
        if not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        text = s.astype("string")
        bad = text.str.match(r"[=+\-@\t\r]").fillna(False).to_numpy(dtype=bool)
        bad &= s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if bad.any():
            vals = s.to_numpy(dtype=object).copy()
            vals[bad] = ["'" + v for v in vals[bad]]
            out.isetitem(i, pd.Series(vals, index=s.index, dtype=object))
    safe_header = [csv_text(str(c)) for c in out.columns]
    out.columns = safe_header
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike, **kwargs: Any) -> Path:
    """``df.to_csv(path, index=False)`` with formula-looking text cells neutralised."""
    p = Path(path)
    safe_frame_for_csv(df).to_csv(p, index=False, **kwargs)
    return p


def set_text_cell(cell: Any, value: Any) -> None:
    """Put ``value`` in an openpyxl cell; formula-looking text becomes a plain string cell (never ``'f'``)."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise_sheet(ws: Any) -> int:
    """Make every formula cell of an openpyxl worksheet a text cell; returns how many were changed.

    openpyxl stores any string that starts with ``=`` as a formula; this undoes that for sheets built with
    ``ws.append``. Call it on every sheet before saving a workbook that holds data.
    """
    n = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" or is_formula_like(cell.value):
                set_text_cell(cell, cell.value)
                n += 1
    return n


def _cell_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return "|".join(map(str, v))
    if isinstance(v, (pd.Timestamp,)):
        return v.to_pydatetime()
    if isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def write_xlsx(frames: dict[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write one sheet per frame (header row, then the values) with no formula cells.

    Raises ``ValueError`` when a frame has more rows than an Excel sheet holds (1,048,575 data rows).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    for name, df in frames.items():
        if len(df) + 1 > EXCEL_MAX_ROWS:
            raise ValueError(f"{name}: {len(df):,} rows do not fit in an Excel sheet ({EXCEL_MAX_ROWS - 1:,} "
                             "rows at most); write parquet or csv instead")
    wb = Workbook(write_only=True)
    for name, df in frames.items():
        ws = wb.create_sheet(title=str(name)[:31])

        def cell(v: Any, _ws: Any = ws) -> Any:
            v = _cell_value(v)
            if not is_formula_like(v):
                return v
            c = WriteOnlyCell(_ws, value=v)
            c.data_type = "s"
            c.quotePrefix = True
            return c

        ws.append([cell(str(c)) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([cell(v) for v in row])
    p = Path(path)
    wb.save(p)
    return p
