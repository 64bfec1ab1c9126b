"""Exports for the people who use the integrated list.

* :func:`crosswalk`: an agency's own rows, all its columns in its order, with ``person_id``,
  ``household_id`` and ``person_confidence`` appended (``result.crosswalk("dtks")``);
* :func:`save_extras`: what ``result.save(dir)`` writes besides records/pairs/households: the golden
  persons, the id registry and update state, the changes of an update, and one crosswalk file per source
  in the format it came in (``crosswalk/dtks.xlsx``, ``crosswalk/p3ke.csv``...);
* :func:`to_excel`: verification workbooks for a musdes, households and their members desa by desa, NIK and
  KK masked by default.

Excel files are written with inline-string cells only (never formulas), so a cell that starts with ``=``
is shown as text and cannot run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from linkmiskin.privacy import mask_series
from linkmiskin.safe_cells import write_csv
from linkmiskin.standardise.household_roles import HEAD

__all__ = ["crosswalk", "save_extras", "to_excel", "APPENDED"]

#: the columns a crosswalk appends to the agency's rows
APPENDED = ("person_id", "household_id", "person_confidence")


class ExportError(ValueError):
    """An export that cannot be made; the message names the source."""


def _original_table(result, source: str, table) -> tuple[pd.DataFrame, str | None]:
    """The agency's rows as they were read for linking, and the file path (None for a DataFrame)."""
    from linkmiskin.standardise.read import read_table

    if table is None:
        lk = getattr(result, "_linker", None)
        srcs = getattr(lk, "_sources", None) if lk is not None else None
        if not srcs or source not in srcs:
            raise ExportError(f"the list {source!r} is not at hand (a result loaded from a folder): pass it, "
                              f"result.crosswalk({source!r}, table=<DataFrame or file path>)")
        table = srcs[source]
    if isinstance(table, pd.DataFrame):
        return table, None
    return read_table(table, source=source), str(table)


def crosswalk(result, source: str, table=None) -> pd.DataFrame:
    """The agency's own rows of ``source`` with ``person_id, household_id, person_confidence`` appended.

    One row per row the agency handed over (blank rows of a file excepted, as when linking), in its order;
    its own columns are untouched (as read: text for files, the DataFrame's own values otherwise)."""
    rec = result.records
    if source not in set(rec["source"]):
        raise ExportError(f"no source {source!r} in this result (sources: {sorted(set(rec['source']))})")
    raw, _ = _original_table(result, source, table)
    mine = rec[rec["source"] == source]
    order = np.argsort(mine["row_number"].to_numpy(), kind="stable") if "row_number" in mine else np.arange(len(mine))
    return with_ids(raw, mine.iloc[order], source)


def with_ids(raw: pd.DataFrame, ids: pd.DataFrame, source: str) -> pd.DataFrame:
    """``raw`` (the agency's rows) with the :data:`APPENDED` columns of ``ids`` (one row per row of ``raw``, in
    its order) appended; a clear error when the two differ in length or ``raw`` already has such a column."""
    mine = ids
    if len(mine) != len(raw):
        raise ExportError(f"source {source!r}: the table has {len(raw)} rows but {len(mine)} were linked; "
                          "pass the same list that was linked")
    out = raw.reset_index(drop=True).copy()
    out.attrs = {}
    clash = [c for c in APPENDED if c in out.columns]
    if clash:
        raise ExportError(f"source {source!r} already has column(s) {clash}; rename them before exporting")
    for c in APPENDED:
        if c in mine:   # a result clustered without households has no household_id
            out[c] = mine[c].to_numpy()
    return out


def _csv_style(path: str) -> tuple[str, str]:
    """(separator, encoding) of a CSV file as the agency wrote it."""
    from linkmiskin.standardise.read import _sniff_separator

    raw = Path(path).read_bytes()[:20000]
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8", errors="replace")
    return _sniff_separator(text), "utf-8-sig" if bom else "utf-8"


def write_table(df: pd.DataFrame, path: Path, *, sheet: str = "Sheet1", sep: str = ",",
                encoding: str = "utf-8") -> Path:
    """Write ``df`` as CSV, Excel (text cells) or Parquet, by the suffix of ``path``."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        path = path.with_suffix(".xlsx")
        _write_xlsx_text(df, path, sheet)
    elif suffix in (".parquet", ".pq"):
        df.astype({c: "string" for c in df.columns if df[c].dtype == object}).to_parquet(path, index=False)
    else:
        write_csv(df, path, sep=sep, encoding=encoding)
    return path


def _write_xlsx_text(df: pd.DataFrame, path: Path, sheet: str) -> None:
    """One sheet; every cell an inline string (numbers as their text), never a formula."""
    from linkmiskin.synthetic.xlsx import _write_xlsx

    text = pd.DataFrame({c: df[c].astype("string").astype(object).where(df[c].notna(), None) for c in df.columns})
    _write_xlsx(text, path, sheet, text_columns=tuple(str(c) for c in df.columns))


#: a NIK/KK inside text, as :data:`linkmiskin.privacy._ID_RUN`, split into the kept head and tail
_ID16 = r"(?<!\d\.)(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)"


def mask_ids_in_text(s: pd.Series) -> pd.Series:
    """:func:`linkmiskin.privacy.mask_text` on every text cell of ``s``, vectorised: only the cells that hold
    a run of 15+ digits are touched; a 16-digit run (NIK, KK) is masked by one regular expression over the
    column, other lengths (rare) by ``mask_text``. Non-text cells are returned unchanged.

    >>> mask_ids_in_text(pd.Series(["NIK 3216064508850003", None, 7])).tolist()
    ['NIK 3216********0003', None, 7]
    """
    from linkmiskin.privacy import _ID_RUN, mask_text

    text = s.astype("string")
    hit = text.str.contains(_ID_RUN.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    vals = s.to_numpy(dtype=object).copy()
    cand = np.flatnonzero(hit)   # only text cells are masked (a number cell stays a number), as mask_text
    hit[cand] = np.fromiter((isinstance(v, str) for v in vals[cand]), dtype=bool, count=len(cand))
    if not hit.any():
        return s
    sub = text[hit].str.replace(_ID16, r"\1********\2", regex=True)
    left = sub.str.contains(_ID_RUN.pattern, regex=True).to_numpy(dtype=bool)
    if left.any():   # runs of 15 or 17+ digits
        sub[left] = sub[left].map(mask_text)
    vals[hit] = sub.to_numpy(dtype=object)
    return pd.Series(vals, index=s.index, dtype=object)


def _mask_all_ids(df: pd.DataFrame) -> pd.DataFrame:
    """Every heading and text cell with a NIK/KK-like number masked (an agency's columns may hold ids
    anywhere, and its headings may even be NIKs)."""
    from linkmiskin.privacy import mask_text

    out = df.copy()
    for i in range(out.shape[1]):   # by position: an agency's own headings may repeat
        s = out.iloc[:, i]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            out.isetitem(i, mask_ids_in_text(s))
    out.columns = [mask_text(str(c)) for c in out.columns]
    return out


def save_extras(result, directory: Path, *, formats: tuple[str, ...] = ("parquet", "csv"),
                mask_ids: bool = False) -> list[str]:
    """Golden persons, id registry and update state, changes, and one crosswalk per source.

    Returns the names (in ``directory``) of what it wrote."""
    from linkmiskin.clustering.updates import write_state

    persons = result.persons.copy()
    if mask_ids:
        for c in ("nik", "kk"):
            persons[c] = mask_series(persons[c])
    if "parquet" in formats:
        persons.to_parquet(directory / "persons.parquet", index=False)
    if "csv" in formats:
        write_csv(persons, directory / "persons.csv")
    before = {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}
    write_state(result, directory, mask_ids=mask_ids)
    written = [f"persons.{f}" for f in ("parquet", "csv") if f in formats]
    written += [p.name for p in directory.iterdir()
                if p.is_file() and p.name not in written and before.get(p.name) != p.stat().st_mtime_ns]
    lk = getattr(result, "_linker", None)
    srcs = getattr(lk, "_sources", None) if lk is not None else None
    if not srcs:
        return written
    cw_dir = directory / "crosswalk"
    cw_dir.mkdir(exist_ok=True)
    for name, src in srcs.items():
        cw = crosswalk(result, name)
        if mask_ids:
            cw = _mask_all_ids(cw)
        if isinstance(src, pd.DataFrame):
            write_table(cw, cw_dir / f"{name}.csv")
            continue
        p = Path(src)
        suffix = p.suffix.lower()
        if suffix in (".csv", ".txt", ".tsv"):
            sep, enc = _csv_style(str(p))
            write_table(cw, cw_dir / f"{name}.csv", sep=sep, encoding=enc)
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            write_table(cw, cw_dir / f"{name}.xlsx", sheet=name[:31])
        else:
            write_table(cw, cw_dir / f"{name}{suffix}")
    written.append("crosswalk")
    return written


# ====================================================================================== to_excel

_SHEET_BAD = re.compile(r"[\[\]\*\?/\\:]")


def _sheet_names(keys: list[str], labels: list[str]) -> list[str]:
    out, seen = [], set()
    for k, lab in zip(keys, labels):
        base = _SHEET_BAD.sub(" ", f"{lab} {k[-4:]}" if lab else k)[:31].strip() or "desa"
        name, i = base, 2
        while name.lower() in seen:
            name = f"{base[:28]}~{i}"
            i += 1
        seen.add(name.lower())
        out.append(name)
    return out


def verification_rows(result, *, mask_ids: bool = True) -> pd.DataFrame:
    """One row per golden person, grouped by desa and household, head first: the rows of the workbook."""
    p = result.persons
    hh = result.households.set_index("household_id")
    h = p["household_id"]
    rows = pd.DataFrame({
        "desa_code": hh["desa_code"].reindex(h).to_numpy(dtype=object),
        "desa": hh["desa_name"].reindex(h).to_numpy(dtype=object),
        "kecamatan": hh["kecamatan_name"].reindex(h).to_numpy(dtype=object),
        "household_id": h.to_numpy(dtype=object),
        "kk": hh["kk"].reindex(h).to_numpy(dtype=object),
        "rt": hh["rt"].reindex(h).to_numpy(dtype=object),
        "rw": hh["rw"].reindex(h).to_numpy(dtype=object),
        "alamat": hh["place"].reindex(h).to_numpy(dtype=object),
        "person_id": p["person_id"].to_numpy(dtype=object),
        "is_head": (p["person_id"].to_numpy(dtype=object) == hh["head_person_id"].reindex(h).to_numpy(dtype=object)),
        "nama": p["name"].to_numpy(dtype=object),
        "nik": p["nik"].to_numpy(dtype=object),
        "tanggal_lahir": p["birth_date"].to_numpy(dtype=object),
        "jk": p["sex"].to_numpy(dtype=object),
        "hubungan": p["relationship"].to_numpy(dtype=object),
        "program": p["sources"].to_numpy(dtype=object),
        "keyakinan": np.round(p["person_confidence"].to_numpy(dtype=float), 3),
        "catatan": p["conflicts"].to_numpy(dtype=object),
    })
    rows["hubungan"] = np.where(rows["is_head"], HEAD, rows["hubungan"])
    if mask_ids:
        rows["nik"] = mask_series(rows["nik"]).to_numpy(dtype=object)
        rows["kk"] = mask_series(rows["kk"]).to_numpy(dtype=object)
    rows["desa_code"] = rows["desa_code"].where(pd.notna(rows["desa_code"]), "(tanpa desa)")
    rows = rows.sort_values(["desa_code", "rw", "rt", "household_id", "is_head", "tanggal_lahir"],
                            ascending=[True, True, True, True, False, True], na_position="last", kind="stable")
    rows["sudah_diverifikasi"] = ""
    return rows.drop(columns=["is_head"]).reset_index(drop=True)


def to_excel(result, path: str | os.PathLike, *, by: str = "desa", mask_ids: bool = True) -> Path:
    """One workbook with one sheet per desa (``by="desa"``), or, when ``path`` is a folder (no ``.xlsx``
    suffix), one workbook per desa in it. Every golden person appears exactly once."""
    if by != "desa":
        raise ExportError(f"by={by!r}: only by='desa' is supported")
    import openpyxl

    rows = verification_rows(result, mask_ids=mask_ids)
    p = Path(path)
    groups = list(rows.groupby("desa_code", sort=True))
    labels = [str(g["desa"].dropna().iloc[0]) if g["desa"].notna().any() else "" for _, g in groups]
    names = _sheet_names([str(k) for k, _ in groups], labels)
    cols = [c for c in rows.columns]

    def fill(ws, g: pd.DataFrame) -> None:
        ws.append(cols)
        vals = g.astype(object).where(g.notna(), None).to_numpy(dtype=object)
        for r in vals:
            ws.append(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in r])

    if p.suffix.lower() == ".xlsx":
        p.parent.mkdir(parents=True, exist_ok=True)
        wb = openpyxl.Workbook(write_only=True)
        for (_key, g), name in zip(groups, names):
            fill(wb.create_sheet(name), g)
        if not groups:
            wb.create_sheet("kosong").append(cols)
        wb.save(p)
        return p
    p.mkdir(parents=True, exist_ok=True)
    for (key, g), name in zip(groups, names):
        wb = openpyxl.Workbook(write_only=True)
        fill(wb.create_sheet(name), g)
        wb.save(p / f"{_SHEET_BAD.sub('_', str(key))}.xlsx")
    return p
