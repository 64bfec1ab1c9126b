"""What an update (``lm.link(new, previous=old)``) takes over from the previous run's standardisation.

Standardisation learns facts from a whole list (placeholder dates, Excel-damaged NIKs, relationship codes,
``NY.`` readings), so it is reused per list, never per row: a list whose input is the same as last time
(:func:`source_fingerprint`: the raw table's values, the column mapping, the region, the list date, the
heading row and the library version) takes its standardised rows from the previous run
(:func:`unchanged_list`); any other list is standardised in full. The columns computed across all lists of
the job (the ``NY.`` names settled with every list's words, token rarity, block sizes, shared NIK prefixes,
``kk_name_unique``) are computed again as for a fresh link, so the model table is the same.

The standardised rows are not kept twice: ``LinkResult.standardised`` holds per list only its fingerprint,
column order and attrs (:func:`compact_list`), and the rows that the job-level ``NY.`` step
(:func:`linkmiskin.standardise.records.settle_unclear_nyonya_names`) changed as they were before it; the
list's rows are rebuilt from the result's ``records`` (which carry every standardised column) when an
update or ``save()`` needs them (:meth:`SavedList.rows`). A saved folder holds them in full
(``standardised.json`` and ``standardised_<n>.parquet``; not with ``mask_ids=True``, they hold NIKs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SavedList", "source_fingerprint", "unchanged_list", "standardised_list", "compact_list",
           "with_records", "save_lists", "load_lists", "LISTS_INDEX", "SETTLED_COLUMNS"]

#: the index of the standardised lists a saved folder holds (fingerprint and file per source)
LISTS_INDEX = "standardised.json"
#: version of the saved standardised lists
LISTS_FORMAT = 1


#: the columns :func:`linkmiskin.standardise.records.settle_unclear_nyonya_names` may change after the lists
#: are joined: a compact list keeps their values as the list's own standardisation gave them
SETTLED_COLUMNS = ("name", "name_father", "name_tokens", "name_phonetic", "name_nicknames", "name_status",
                   "spouse_name", "spouse_name_tokens", "name_form", "flags")


@dataclass
class SavedList:
    """One source's standardised rows (``table``), or what rebuilds them from a result's ``records``
    (:func:`compact_list`), and what they were made from."""

    fingerprint: str
    #: the day ages were read as of when the list has ages and no list date (the rows then hold for that day only)
    today: str | None
    #: the rows; None in a compact list (:meth:`rows` rebuilds them from ``records``)
    table: pd.DataFrame | None = None
    #: the list's columns in order and its attrs (a compact list)
    columns: list[str] | None = None
    attrs: dict = field(default_factory=dict)
    #: the rows the job-level NY. step changed, as the list gave them (index: position in the list)
    before_settling: pd.DataFrame | None = None
    n_rows: int = 0
    #: whether this run took the rows from the previous run
    reused: bool = field(default=False, compare=False)
    #: the result's records the rows are rebuilt from (set by :func:`with_records`)
    records: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def rows(self, name: str) -> pd.DataFrame | None:
        """The list's standardised rows: ``table``, or rebuilt from ``records`` (None when they lack a column)."""
        if self.table is not None:
            return self.table
        if self.records is None or self.columns is None or not set(self.columns) <= set(self.records.columns):
            return None
        return _rebuilt(self, name, self.records)


def _table_digest(h: Any, df: pd.DataFrame) -> None:
    """Feed ``df``'s headings, kinds of values and values into the hash ``h``."""
    h.update(json.dumps([str(c) for c in df.columns]).encode("utf-8"))
    for c in range(df.shape[1]):
        s = df.iloc[:, c]
        kind = pd.api.types.infer_dtype(s, skipna=False)
        h.update(f"{s.dtype}|{kind}".encode())
        if kind.startswith("mixed"):   # 1 and "1" hash alike: hash each cell's type too
            h.update(pd.util.hash_array(s.map(lambda v: type(v).__name__).to_numpy(dtype=object)).tobytes())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())


def source_fingerprint(src: Any, mapping: dict | None, region: str | None, list_date: Any,
                       header: Any) -> str:
    """A hash of what one list's standardisation reads: the raw table (a DataFrame's values, or a file's
    bytes), the column mapping, the region, the list date, the heading row and the library version."""
    from linkmiskin import __version__

    h = hashlib.sha256()
    h.update(json.dumps({"version": __version__, "mapping": mapping, "region": region,
                         "list_date": str(list_date) if list_date is not None else None,
                         "header": header}, sort_keys=True, default=str).encode("utf-8"))
    if isinstance(src, pd.DataFrame):
        h.update(b"frame")
        _table_digest(h, src)
    else:
        p = Path(os.fspath(src))
        h.update(b"file" + p.suffix.lower().encode("utf-8"))
        try:
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return ""   # unreadable: never reused, and reading it again gives the error naming the source
    return h.hexdigest()


def _today() -> str:
    return pd.Timestamp.today().strftime("%Y-%m-%d")


def _reads_today(std: pd.DataFrame, list_date: Any) -> bool:
    """Whether the list's rows depend on the day they were standardised: ages read without a list date."""
    return list_date is None and "age_status" in std and bool(std["age_status"].notna().any())


def unchanged_list(saved: SavedList | None, fingerprint: str) -> bool:
    """A list whose input has the fingerprint the previous run standardised (and, for a list whose ages were
    read as of that day, on the same day) takes the previous run's standardised rows."""
    return (saved is not None and bool(fingerprint) and saved.fingerprint == fingerprint
            and saved.today in (None, _today()))


def standardised_list(name: str, src: Any, mapping: dict | None, region: str | None, list_date: Any,
                      header: Any, saved: dict[str, SavedList] | None,
                      standardize: Any) -> tuple[pd.DataFrame, SavedList, bool]:
    """One list standardised, or reused from ``saved`` (:func:`unchanged_list`); returns (rows, what to
    keep for the next update, whether the rows were reused)."""
    fp = source_fingerprint(src, mapping, region, list_date, header)
    prev = (saved or {}).get(name)
    if unchanged_list(prev, fp):
        assert prev is not None
        rows = prev.rows(name)
        if rows is not None:
            std = rows.copy(deep=False)
            std.attrs = dict(rows.attrs)
            return std, SavedList(prev.fingerprint, prev.today, std, reused=True), True
    std = standardize()
    return std, SavedList(fp, _today() if _reads_today(std, list_date) else None, std), False


def compact_list(saved: SavedList) -> SavedList:
    """``saved`` without its rows (they are in the result's records): its column order, attrs and the rows
    that the job-level NY. step will change (``name_form`` ``ambiguous``) as the list gave them."""
    t = saved.table
    if t is None:
        return saved
    before = None
    if "name_form" in t:
        pos = np.flatnonzero(t["name_form"].to_numpy(dtype=object) == "ambiguous")
        if len(pos):
            before = t.iloc[pos][[c for c in SETTLED_COLUMNS if c in t]].copy()
            before.index = pos
    return SavedList(saved.fingerprint, saved.today, None, list(t.columns), dict(t.attrs), before, len(t),
                     saved.reused)


def with_records(lists: dict[str, SavedList] | None, records: pd.DataFrame) -> dict[str, SavedList] | None:
    """The compact lists of a result, each able to rebuild its rows from the result's ``records``."""
    if not lists:
        return lists
    return {n: (v if v.table is not None else dataclasses.replace(v, records=records)) for n, v in lists.items()}


def _rebuilt(saved: SavedList, name: str, records: pd.DataFrame) -> pd.DataFrame | None:
    """A compact list's rows from ``records`` (one row per input record, in input order): the list's own
    rows in order, its columns, the values the job-level NY. step changed put back, and its attrs."""
    assert saved.columns is not None
    mask = records["source"].to_numpy(dtype=object) == name
    if int(mask.sum()) != saved.n_rows:
        return None
    idx = np.flatnonzero(mask)
    t = pd.DataFrame({c: records[c].array[idx] for c in saved.columns}, index=pd.RangeIndex(len(idx)))
    b = saved.before_settling
    if b is not None and len(b):
        pos = b.index.to_numpy(dtype=np.int64)
        for c in b.columns:
            vals = t[c].to_numpy(dtype=object).copy()
            vals[pos] = b[c].to_numpy(dtype=object)
            t[c] = pd.array(vals, dtype=b[c].dtype) if b[c].dtype != object else vals
    t.attrs = dict(saved.attrs)
    return t


# ============================================================================================ folder

def _mapping_json(cm: Any) -> dict | None:
    return dataclasses.asdict(cm) if dataclasses.is_dataclass(cm) else None


def save_lists(lists: dict[str, SavedList] | None, directory: Path, records: pd.DataFrame | None = None
               ) -> list[str]:
    """Write the standardised lists next to a saved result (a compact list's rows rebuilt from ``records``);
    returns the file names written."""
    if not lists:
        return []
    index, written = {"format": LISTS_FORMAT, "lists": {}}, []
    for i, (name, saved) in enumerate(lists.items()):
        fname = f"standardised_{i}.parquet"
        t = (saved if records is None or saved.table is not None else
             dataclasses.replace(saved, records=records)).rows(name)
        if t is None:
            continue
        bare = t.copy(deep=False)
        bare.attrs = {}   # pandas would write the attrs as JSON; they go to the index file instead
        bare.to_parquet(directory / fname, index=False)
        attrs = {k: v for k, v in t.attrs.items() if k != "column_mapping"}
        index["lists"][name] = {"file": fname, "fingerprint": saved.fingerprint, "today": saved.today,
                                "column_mapping": _mapping_json(t.attrs.get("column_mapping")),
                                "attrs": json.loads(json.dumps(attrs, default=str)),
                                "list_columns": [c for c in t.columns if _holds_lists(t[c])]}
        written.append(fname)
    (directory / LISTS_INDEX).write_text(json.dumps(index, indent=1), encoding="utf-8")
    return [LISTS_INDEX, *written]


def _holds_lists(s: pd.Series) -> bool:
    first = s.dropna().iloc[:1]
    return s.dtype == object and len(first) > 0 and isinstance(first.iloc[0], (list, tuple, np.ndarray))


def load_lists(directory: Path) -> dict[str, SavedList] | None:
    """The standardised lists a saved folder holds, or None (none saved, or another format: every list is
    then standardised again)."""
    from linkmiskin.standardise.columns import ColumnMapping

    p = directory / LISTS_INDEX
    if not p.exists():
        return None
    try:
        index = json.loads(p.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if index.get("format") != LISTS_FORMAT:
        return None
    out = {}
    for name, e in index.get("lists", {}).items():
        f = directory / str(e.get("file", ""))
        if Path(str(e.get("file", ""))).name != e.get("file") or not f.is_file():
            return None
        t = pd.read_parquet(f)
        for c in e.get("list_columns", []):   # parquet gives arrays back; the lists were lists
            t[c] = [v.tolist() if isinstance(v, np.ndarray) else v for v in t[c].to_numpy(dtype=object)]
        t.attrs = dict(e.get("attrs") or {})
        if e.get("column_mapping") is not None:
            t.attrs["column_mapping"] = ColumnMapping(**e["column_mapping"])
        out[name] = SavedList(str(e["fingerprint"]), e.get("today"), t)
    return out
