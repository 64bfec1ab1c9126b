"""What an update (``lm.link(new, previous=old)``) takes over from the previous run's standardisation.

A list whose input is the same as last time (:func:`source_fingerprint`: the raw table's values, the column
mapping, the region, the list date, the heading row and the library version) takes its standardised rows
from the previous run (:func:`unchanged_list`). In a changed list, the rows whose raw cells are a previous
row's take that row's standardised values and only the new and changed rows are standardised
(:func:`changed_rows_standardised`): what standardisation learns from the whole list (Excel-damaged NIKs,
name words of each sex for ``NY.`` readings, relationship codes, heaped birth dates, record id numbering)
is learnt from every row of the new list (:class:`linkmiskin.standardise.records.ListContext`), and when
such a decision moves the list is standardised in full; the rows always equal a fresh standardisation.
The columns computed across all lists of the job (the ``NY.`` names settled with every list's words, token
rarity, block sizes, shared NIK prefixes, ``kk_name_unique``) are computed again as for a fresh link, so
the model table is the same.

The standardised rows are not kept twice: ``LinkResult.standardised`` holds per list only its fingerprint,
column order and attrs, per row a hash of its raw cells and what it contributes to the list-level facts
(:func:`compact_list`), and the rows that the job-level ``NY.`` step
(:func:`linkmiskin.standardise.records.settle_unclear_nyonya_names`) changed as they were before it; the
list's rows are rebuilt from the result's ``records`` (which carry every standardised column) when an
update or ``save()`` needs them (:meth:`SavedList.rows`). A saved folder holds them in full
(``standardised.json``, ``standardised_<n>.parquet`` and ``standardised_<n>_rows.parquet``; not with
``mask_ids=True``, they hold NIKs).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.memory import holds_lists

__all__ = ["SavedList", "source_fingerprint", "unchanged_list", "standardised_list", "compact_list",
           "with_records", "save_lists", "load_lists", "LISTS_INDEX", "SETTLED_COLUMNS", "ModelRows",
           "wide_input_hashes", "one_reading_per_name", "unchanged_model_rows", "reused_wide_columns"]

#: the index of the standardised lists a saved folder holds (fingerprint and file per source)
LISTS_INDEX = "standardised.json"
#: version of the saved standardised lists
LISTS_FORMAT = 1


@functools.lru_cache(maxsize=1)
def knowledge_digest() -> str:
    """A hash of the Indonesian knowledge files standardisation reads (``linkmiskin/data/*.csv``: titles, name
    particles, spellings, region aliases, codes...): a list standardised with other files is read again."""
    h = hashlib.sha256()
    folder = resources.files("linkmiskin").joinpath("data")
    for f in sorted((f for f in folder.iterdir() if f.name.endswith(".csv")), key=lambda f: f.name):
        h.update(f.name.encode("utf-8") + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def reading_options(region: str | None, list_date: Any, header: Any) -> str:
    """A hash of everything besides a row's own cells that its standardised values depend on: the library
    version, its knowledge files (:func:`knowledge_digest`), the region, the list date and the heading row.
    Rows are reused one by one only between runs with the same options."""
    from linkmiskin import __version__

    return hashlib.sha256(json.dumps(
        {"version": __version__, "knowledge": knowledge_digest(), "region": region,
         "list_date": str(list_date) if list_date is not None else None, "header": header},
        sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


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
    #: per row: a hash of its raw cells (:func:`raw_row_hashes`) and what it contributes to the list-level
    #: facts (:data:`linkmiskin.standardise.records.ROW_BITS`); the list-level decisions; the column mapping
    #: (None: the rows cannot be reused one by one)
    row_hashes: np.ndarray | None = field(default=None, repr=False)
    row_bits: np.ndarray | None = field(default=None, repr=False)
    decisions: dict | None = None
    #: whether this run took the rows from the previous run; how many rows it took (row by row)
    reused: bool = field(default=False, compare=False)
    rows_reused: int = field(default=0, compare=False)
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
    h.update(json.dumps({"version": __version__, "knowledge": knowledge_digest(), "mapping": mapping,
                         "region": region, "list_date": str(list_date) if list_date is not None else None,
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
                      standardize: Any = None) -> tuple[pd.DataFrame, SavedList, bool]:
    """One list standardised, reused from ``saved`` (:func:`unchanged_list`), or with only its new and
    changed rows standardised (:func:`changed_rows_standardised`); returns (rows, what to keep for the next
    update, whether the rows were reused as a whole). ``standardize`` is not used (kept for callers)."""
    from linkmiskin.standardise.records import ListContext, _read_source, standardize_raw

    prev = (saved or {}).get(name)
    raw = None
    if isinstance(src, pd.DataFrame):   # read once: the fingerprint is of what standardisation reads
        raw, cm, name, checked_region = _read_source(src, mapping, region, name, None, header)
        hashes = raw_row_hashes(raw)
        fp = _raw_fingerprint(raw, hashes, mapping, region, list_date, header)
    else:
        fp = source_fingerprint(src, mapping, region, list_date, header)
    if unchanged_list(prev, fp):
        assert prev is not None
        rows = prev.rows(name)
        if rows is not None:
            std = rows.copy(deep=False)
            std.attrs = dict(rows.attrs)
            return std, dataclasses.replace(prev, table=std, records=None, reused=True,
                                            rows_reused=len(std)), True
    if raw is None:
        raw, cm, name, checked_region = _read_source(src, mapping, region, name, None, header)
        hashes = raw_row_hashes(raw)
    if prev is not None and prev.row_hashes is not None and prev.today in (None, _today()):
        got = changed_rows_standardised(raw, cm, name, checked_region, list_date, prev, hashes,
                                        options=reading_options(region, list_date, header))
        if got is not None:
            std, bits, decisions, n_reused = got
            today = _today() if _reads_today(std, list_date) else None
            return std, SavedList(fp, today, std, row_hashes=hashes, row_bits=bits, decisions=decisions,
                                  rows_reused=n_reused), False
    ctx = ListContext()
    std = standardize_raw(raw, cm, name, checked_region, list_date, ctx)
    today = _today() if _reads_today(std, list_date) else None
    return std, SavedList(fp, today, std, row_hashes=hashes, row_bits=_bits(ctx, len(std)),
                          decisions={**ctx.decisions, "ten_digit_codes": _ten_digit_codes(raw, cm),
                                     "options": reading_options(region, list_date, header)}), False


def _raw_fingerprint(raw: pd.DataFrame, hashes: np.ndarray, mapping: dict | None, region: str | None,
                     list_date: Any, header: Any) -> str:
    """:func:`source_fingerprint` of a DataFrame list from what standardisation reads of it: its headings,
    each row's :func:`raw_row_hashes` and the options."""
    from linkmiskin import __version__

    h = hashlib.sha256()
    h.update(json.dumps({"version": __version__, "knowledge": knowledge_digest(), "mapping": mapping,
                         "region": region, "list_date": str(list_date) if list_date is not None else None,
                         "header": header, "columns": [str(c) for c in raw.columns]},
                        sort_keys=True, default=str).encode("utf-8"))
    h.update(b"raw" + np.ascontiguousarray(hashes).tobytes())
    return h.hexdigest()


def _ten_digit_codes(raw: pd.DataFrame, cm: Any) -> bool:
    """Whether the list's desa or address cells hold a 10-digit number (a desa code, Kemendagri or BPS:
    :func:`linkmiskin.standardise.regions.bps_desa_keys` reads them by their share in the whole list)."""
    for f in ("address", "desa"):
        c = cm.mapping.get(f)
        if c is not None and c in raw and raw[c].astype("string").str.contains(r"\d{10}", regex=True).fillna(False).any():
            return True
    return False


def _bits(ctx: Any, n: int) -> np.ndarray:
    return ctx.bits if ctx.bits is not None else np.zeros(n, dtype=np.uint8)


def raw_row_hashes(raw: pd.DataFrame) -> np.ndarray:
    """Per row of a list read as text (:func:`linkmiskin.standardise.read.read_table`), a 64-bit hash of
    what standardisation reads of it: its cells and which of them were number cells (``numeric_cells``)."""
    h = pd.util.hash_pandas_object(raw, index=False).to_numpy(dtype=np.uint64).copy()
    for i, c in enumerate(raw.columns):
        rows = (raw.attrs.get("numeric_cells") or {}).get(c)
        if rows is not None and len(rows):
            h[np.asarray(rows, dtype=np.int64)] ^= np.uint64((0x9E3779B97F4A7C15 * (i + 1)) % (1 << 64))
    return h


#: above this share of new or changed rows a list is standardised in full (row reuse saves little)
MAX_CHANGED_SHARE = 0.5


def _row_subset(raw: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The rows ``rows`` of a list read as text, numbered from 0, with their number cells."""
    sub = raw.iloc[rows].reset_index(drop=True)
    where = np.full(len(raw), -1, dtype=np.int64)
    where[rows] = np.arange(len(rows), dtype=np.int64)
    numeric = {}
    for c, r in (raw.attrs.get("numeric_cells") or {}).items():
        m = where[np.asarray(r, dtype=np.int64)]
        if (m >= 0).any():
            numeric[c] = np.sort(m[m >= 0])
    sub.attrs = {**raw.attrs, "numeric_cells": numeric}
    return sub


def _previous_rows(prev: SavedList, name: str) -> tuple[pd.DataFrame, np.ndarray, list[str], dict] | None:
    """Where a previous list's rows are, without copying them: (a frame, the frame's row of each of the
    list's rows, the list's columns, its attrs); a compact list's rows are in the result's records."""
    if prev.table is not None:
        t = prev.table
        return t, np.arange(len(t), dtype=np.int64), list(t.columns), dict(t.attrs)
    rec = prev.records
    if rec is None or prev.columns is None or not set(prev.columns) <= set(rec.columns):
        return None
    where = np.flatnonzero(_of_source(rec, name))
    if len(where) != prev.n_rows or prev.row_hashes is None or len(prev.row_hashes) != len(where):
        return None
    return rec, where, list(prev.columns), dict(prev.attrs)


def _of_source(records: pd.DataFrame, name: str) -> np.ndarray:
    """Per record, whether it is of the list ``name`` (compared in the column's own type: a result's records
    hold every list, and one list's rows are looked up once per list).

    >>> _of_source(pd.DataFrame({"source": pd.array(["a", "b", "a"], dtype="string[pyarrow]")}), "a").tolist()
    [True, False, True]
    """
    return (records["source"] == name).to_numpy(dtype=bool, na_value=False)


def _taken_objects(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``column.to_numpy(dtype=object)[rows]``, converting only the rows taken (a previous list's rows may
    be a few of the result's records, which hold every list).

    >>> s = pd.Series(pd.array(["x", None, "z"], dtype="string[pyarrow]"))
    >>> _taken_objects(s, np.array([2, 1])).tolist() == s.to_numpy(dtype=object)[[2, 1]].tolist()
    True
    """
    return column.array.take(rows).to_numpy(dtype=object)


def _stitched(old: Any, src: np.ndarray, rows: np.ndarray, new: pd.Series) -> Any:
    """``old`` taken at ``src``, with the rows ``rows`` set to ``new``'s values (an array of old's type)."""
    out = old.take(src)
    if len(rows):
        out[rows] = new.to_numpy(dtype=object) if new.dtype == object else new.array
    return out


def changed_rows_standardised(raw: pd.DataFrame, cm: Any, name: str, region: str | None, list_date: Any,
                              prev: SavedList, hashes: np.ndarray, options: str | None = None
                              ) -> tuple[pd.DataFrame, np.ndarray, dict, int] | None:
    """A changed list standardised row by row: a row whose raw cells are a previous row's
    (:func:`raw_row_hashes`) takes that row's standardised values; the new and changed rows, and every row
    with a ``NY.`` name (read with the list's name words), are standardised with the list's other rows as
    context (:class:`linkmiskin.standardise.records.ListContext`: the Excel-damage share of NIKs and KKs, the
    name words of each sex, the relationship code scheme and the heaped birth dates are learnt from the
    whole list). Record ids and row numbers are read again on the whole list. Returns None, and the list is
    standardised in full, when the rows cannot give exactly what a full standardisation gives: another
    column mapping, a record id given twice, a list-level decision that changed (the Excel share crossed
    its threshold, the relationship scheme, a birth date of an unchanged row heaped or no longer), other
    :func:`reading_options` (library version, knowledge files, region, list date, heading row), desa
    codes that need the whole list, a column of another kind, or more than :data:`MAX_CHANGED_SHARE`
    changed. Else (rows, row bits, decisions, rows reused)."""
    from linkmiskin.standardise.records import ROW_BITS, ListContext, _record_id_step, standardize_raw

    # with a region each row's desa is resolved on its own, unless a list holds 10-digit desa codes
    if region is None or prev.row_bits is None or (prev.decisions or {}).get("ten_digit_codes", True):
        return None
    if options is not None and (prev.decisions or {}).get("options") != options:
        return None   # another version, knowledge file, region, list date or heading row
    got = _previous_rows(prev, name)
    if got is None:
        return None
    frame, where_old, columns, attrs = got   # the previous row i is frame's row where_old[i]
    if attrs.get("column_mapping") is None or attrs["column_mapping"] != cm:
        return None
    n = len(raw)
    ids: dict[str, Any] = {}
    _record_id_step(raw, cm, ids, [], n)
    if (ids["record_id_status"] == "duplicate").any():
        return None
    old_h = pd.Index(prev.row_hashes)
    first = ~old_h.duplicated()
    where = pd.Index(old_h[first]).get_indexer(hashes)
    old_pos = np.where(where >= 0, np.flatnonzero(first)[np.maximum(where, 0)], -1)
    # (a NY. row is read again: rebuilt from records it would hold the job-level reading)
    ny = (_taken_objects(frame["name_form"], where_old) != None) if "name_form" in columns else \
        np.zeros(len(where_old), dtype=bool)   # noqa: E711
    redo = (old_pos < 0) | ny[np.maximum(old_pos, 0)]
    if not redo.any():
        redo[0] = True   # one row read again: the run learns the list-level facts of the new list
    if redo.sum() > MAX_CHANGED_SHARE * n:
        return None
    s_rows, u_rows = np.flatnonzero(redo), np.flatnonzero(~redo)
    subset = _row_subset(raw, s_rows)
    if _ten_digit_codes(subset, cm):
        return None
    context_columns = ["name_tokens", "sex", "nik_status", "nik_sex", "kk", "birth_date", "kabupaten_code"]
    at = where_old[old_pos[u_rows]]   # the unchanged rows in frame
    # (copy=False: the columns are new arrays; pandas would copy them into one block for nothing)
    others = pd.DataFrame({c: _taken_objects(frame[c], at) for c in context_columns}, copy=False)
    context_raw = [f for f in ("relationship", "household_key") if cm.mapping.get(f) in raw]
    ctx = ListContext(others=others, others_bits=prev.row_bits[old_pos[u_rows]],
                      others_raw=raw[[cm.mapping[f] for f in context_raw]].iloc[u_rows].reset_index(drop=True))
    sub = standardize_raw(subset, cm, name, region, list_date, ctx)
    keep = ROW_BITS["ordinary"] | ROW_BITS["heaped"]
    decisions = {**ctx.decisions, "ten_digit_codes": False, "options": options}
    if (decisions != prev.decisions or sub.attrs.get("relationship_scheme") != attrs.get("relationship_scheme")
            or list(sub.columns) != columns
            or any(sub[c].dtype != frame[c].dtype for c in columns)
            or not np.array_equal(ctx.others_bits_now, ctx.others_bits & keep)):
        return None
    # each row from the previous rows, the new and changed ones from the rows standardised now
    src = np.where(redo, where_old[0], where_old[np.maximum(old_pos, 0)])
    out = pd.DataFrame({c: _stitched(frame[c].array, src, s_rows, sub[c]) for c in columns}, index=pd.RangeIndex(n),
                       copy=False)
    for c in ("record_id", "record_id_status", "row_number"):
        out[c] = pd.Series(ids[c], dtype=frame[c].dtype)
    out.attrs = dict(sub.attrs)
    bits = np.where(redo, 0, prev.row_bits[np.maximum(old_pos, 0)]).astype(np.uint8)
    bits[s_rows] = _bits(ctx, len(sub))
    return out, bits, decisions, len(u_rows)


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
                     saved.row_hashes, saved.row_bits, saved.decisions, saved.reused, saved.rows_reused)


def with_records(lists: dict[str, SavedList] | None, records: pd.DataFrame) -> dict[str, SavedList] | None:
    """The compact lists of a result, each able to rebuild its rows from the result's ``records``."""
    if not lists:
        return lists
    return {n: (v if v.table is not None else dataclasses.replace(v, records=records)) for n, v in lists.items()}


def _rebuilt(saved: SavedList, name: str, records: pd.DataFrame) -> pd.DataFrame | None:
    """A compact list's rows from ``records`` (one row per input record, in input order): the list's own
    rows in order, its columns, the values the job-level NY. step changed put back, and its attrs."""
    assert saved.columns is not None
    mask = _of_source(records, name)
    if int(mask.sum()) != saved.n_rows:
        return None
    idx = np.flatnonzero(mask)
    t = pd.DataFrame({c: records[c].array[idx] for c in saved.columns}, index=pd.RangeIndex(len(idx)), copy=False)
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
                                "list_columns": [c for c in t.columns if holds_lists(t[c])]}
        written.append(fname)
        if saved.row_hashes is not None and saved.row_bits is not None and len(saved.row_hashes) == len(t):
            rname = f"standardised_{i}_rows.parquet"   # what reuses the list's rows one by one
            pd.DataFrame({"row_hash": np.asarray(saved.row_hashes, dtype=np.uint64).view(np.int64),
                          "row_bits": saved.row_bits}).to_parquet(directory / rname, index=False)
            index["lists"][name].update({"rows_file": rname, "decisions": saved.decisions})
            written.append(rname)
    (directory / LISTS_INDEX).write_text(json.dumps(index, indent=1), encoding="utf-8")
    return [LISTS_INDEX, *written]


#: what joins a list's words into its key in :func:`lists_from_parquet`
_WORD_JOIN = "\x1f"


def lists_from_parquet(column: Any) -> np.ndarray:
    """A parquet column of lists (a pyarrow list column) as the object array of Python lists (missing:
    None) the run held, one list object per distinct list (records with one list share it; lists are never
    changed in place): each list gets a text key, its length and its words joined, the keys are factorised
    and the first list of each key converted. Element by element ``column.to_pylist()``, which is used as it
    is when the key could not tell two lists apart (a word holding the joining character; lists of numbers).

    >>> import pyarrow as pa
    >>> col = pa.chunked_array([pa.array([["ANI", "SITI"], [], None, ["ANI", "SITI"]])])
    >>> out = lists_from_parquet(col)
    >>> out.tolist(), out[0] is out[3]
    ([['ANI', 'SITI'], [], None, ['ANI', 'SITI']], True)
    """
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    key = _list_keys(column)
    if key is None:
        out = np.empty(len(column), dtype=object)
        out[:] = column.to_pylist()
        return out
    codes, uniq = pd.factorize(key.to_pandas(), use_na_sentinel=True)
    first = np.full(len(uniq), len(codes), dtype=np.int64)
    np.minimum.at(first, codes[codes >= 0], np.flatnonzero(codes >= 0))
    distinct = np.empty(len(uniq) + 1, dtype=object)   # (the last one for the missing lists: code -1)
    distinct[:-1] = column.take(pa.array(first)).to_pylist()
    return distinct[codes]


def _list_keys(column: Any) -> Any:
    """Per list of a pyarrow list array, a text equal for two lists only when they are equal: its length,
    then its words, joined by :data:`_WORD_JOIN` (lists of nulls: the length alone); null for a missing
    list. None when no such text exists (not lists of text or of nulls; a missing word, or one holding the
    joining character)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
        return None
    length = pc.cast(pc.list_value_length(column), pa.string())
    value = column.type.value_type
    if pa.types.is_null(value):   # (a column without words is stored as lists of nulls)
        return length
    if not (pa.types.is_string(value) or pa.types.is_large_string(value)):
        return None
    words = pc.list_flatten(column)
    if words.null_count or pc.any(pc.match_substring(words, _WORD_JOIN)).as_py():
        return None
    return pc.binary_join_element_wise(length, pc.binary_join(column, _WORD_JOIN), _WORD_JOIN)


def load_lists(directory: Path) -> dict[str, SavedList] | None:
    """The standardised lists a saved folder holds, or None (none saved, or another format: every list is
    then standardised again)."""
    import pyarrow.parquet as pq

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
        tab = pq.read_table(f)
        lists = [c for c in e.get("list_columns", []) if c in tab.column_names]
        t = tab.drop_columns(lists).to_pandas()   # (the pandas dtypes from the file's metadata)
        for c in t.columns:   # parquet gives pandas strings back as python-backed: standardisation's are Arrow's
            if isinstance(t[c].dtype, pd.StringDtype) and t[c].dtype.storage == "python":
                t[c] = t[c].astype("string[pyarrow]")
        for c in lists:   # the lists were lists (parquet would give arrays back)
            t[c] = lists_from_parquet(tab.column(c))
        t = t[list(tab.column_names)]
        t.attrs = dict(e.get("attrs") or {})
        if e.get("column_mapping") is not None:
            t.attrs["column_mapping"] = ColumnMapping(**e["column_mapping"])
        out[name] = SavedList(str(e["fingerprint"]), e.get("today"), t)
        r = directory / str(e.get("rows_file", ""))
        if e.get("rows_file") and Path(str(e["rows_file"])).name == e["rows_file"] and r.is_file():
            rows = pd.read_parquet(r)
            if len(rows) == len(t):
                out[name].row_hashes = rows["row_hash"].to_numpy(dtype=np.int64).view(np.uint64)
                out[name].row_bits = rows["row_bits"].to_numpy(dtype=np.uint8)
                out[name].decisions = e.get("decisions")
    return out


# the model table's per-record columns ------------------------------------------------------------------

@dataclass
class ModelRows:
    """What the next update takes over from a run's model table: per record (in the table's order) the hash
    of the standardised values :func:`linkmiskin.scoring.model.table_wide_columns` reads
    (:func:`wide_input_hashes`), the table itself, and whether each name had one reading in the run
    (:func:`one_reading_per_name`)."""

    hashes: np.ndarray
    table: pd.DataFrame
    names_read_once: bool


def _joined(s: pd.Series) -> pd.Series:
    """A column of word lists as text (words joined by a unit separator; a missing list stays missing)."""
    return s.astype(object).str.join("\x1f")


def wide_input_hashes(std: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per standardised record, a 64-bit hash of the values :func:`linkmiskin.scoring.model.table_wide_columns`
    reads (:data:`linkmiskin.scoring.model.WIDE_INPUTS`; lists of words as text), and a hash of its name's
    word lists (``name_tokens``, ``name_phonetic``, ``name_nicknames``)."""
    from linkmiskin.scoring.model import WIDE_INPUTS, WIDE_LIST_INPUTS

    cols = {c: (_joined(std[c]) if c in WIDE_LIST_INPUTS else std[c]).to_numpy() for c in WIDE_INPUTS if c in std}
    frame = pd.DataFrame(cols, copy=False)
    h = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
    # (the column names enter too: a list without a column is another list)
    h ^= np.uint64(int(hashlib.sha256("|".join(cols).encode()).hexdigest()[:16], 16))
    words = [c for c in ("name_tokens", "name_phonetic", "name_nicknames") if c in cols]
    names = pd.util.hash_pandas_object(frame[words], index=False).to_numpy(dtype=np.uint64) if words else \
        np.zeros(len(std), dtype=np.uint64)
    return h, names


def one_reading_per_name(std: pd.DataFrame, names: np.ndarray) -> bool:
    """Whether all records with one name carry the same word lists for it (``names``: the hashes of
    :func:`wide_input_hashes`): the model table reads each distinct name's words from its first record, so
    only then are a record's name columns the same whichever records come with it.

    >>> std = pd.DataFrame({"name": ["ANI", "ANI", None]})
    >>> one_reading_per_name(std, np.array([1, 1, 2], dtype=np.uint64)), one_reading_per_name(std, np.array([1, 3, 2], dtype=np.uint64))
    (True, False)
    """
    key = std["name"].astype(object).where(std["name"].notna(), "").to_numpy()
    codes, uniq = pd.factorize(key)
    pairs = pd.DataFrame({"c": codes, "h": names}).drop_duplicates()
    return len(pairs) == len(uniq)


def unchanged_model_rows(hashes: np.ndarray, prev: ModelRows) -> np.ndarray:
    """For each record, the row of the previous model table whose standardised values (``hashes``) are the
    same, or -1: that row's per-record model columns are this record's."""
    old = pd.Index(prev.hashes)
    first = ~old.duplicated()
    where = pd.Index(old[first]).get_indexer(hashes)
    return np.where(where >= 0, np.flatnonzero(first)[np.maximum(where, 0)], -1)


def _taken(prev: pd.Series, src: np.ndarray, rows: np.ndarray, new: pd.Series | None) -> Any:
    """``prev`` taken at ``src``, with the rows ``rows`` set to ``new``'s values."""
    if isinstance(prev.dtype, np.dtype):
        out = prev.to_numpy()[src]
        if new is not None:
            out[rows] = new.to_numpy(dtype=out.dtype)
        return out
    out = prev.array.take(src)
    if new is not None:
        out[rows] = new.array
    return out


def reused_wide_columns(std: pd.DataFrame, prev: ModelRows | None
                        ) -> tuple[pd.DataFrame, np.ndarray, bool, int]:
    """:func:`linkmiskin.scoring.model.table_wide_columns` of ``std``, taking each record whose standardised
    values are a previous record's (:func:`unchanged_model_rows`) from the previous model table ``prev``
    and computing the others; in full when there is no previous table, when a name had two readings in
    either run (:func:`one_reading_per_name`) or when more than :data:`MAX_CHANGED_SHARE` of the records
    are new or changed. Returns (columns, hashes, names read once, records taken over)."""
    from linkmiskin.scoring.model import WIDE_COLUMNS, table_wide_columns

    hashes, names = wide_input_hashes(std)
    once = one_reading_per_name(std, names)
    n = len(std)
    usable = (prev is not None and once and prev.names_read_once and len(prev.hashes) == len(prev.table)
              and set(WIDE_COLUMNS) <= set(prev.table.columns))
    if not usable or not n:
        return table_wide_columns(std), hashes, once, 0
    assert prev is not None
    pos = unchanged_model_rows(hashes, prev)
    rows = np.flatnonzero(pos < 0)
    if len(rows) > MAX_CHANGED_SHARE * n:
        return table_wide_columns(std), hashes, once, 0
    sub = table_wide_columns(std.iloc[rows].reset_index(drop=True)) if len(rows) else None
    src = np.maximum(pos, 0)
    out = pd.DataFrame({c: _taken(prev.table[c], src, rows, None if sub is None else sub[c]) for c in WIDE_COLUMNS},
                       index=pd.RangeIndex(n), copy=False)
    return out, hashes, once, n - len(rows)


#: the file of the model table's per-record columns a saved folder holds for the next update
MODEL_ROWS_FILE = "model_rows.parquet"
#: version of the saved model rows (another version, library or knowledge files: computed again)
MODEL_ROWS_FORMAT = 1


def model_rows_options() -> dict:
    """What the saved model rows hold for: their format, the library version and its knowledge files (the
    code and data :func:`linkmiskin.scoring.model.table_wide_columns` reads)."""
    from linkmiskin import __version__

    return {"format": MODEL_ROWS_FORMAT, "version": __version__, "knowledge": knowledge_digest()}


def save_model_rows(rows: ModelRows | None, directory: Path) -> dict | None:
    """Write a run's :class:`ModelRows` (the wide columns and their records' hashes) to
    :data:`MODEL_ROWS_FILE`; returns what :func:`load_model_rows` needs to read them back (None: none)."""
    from linkmiskin.scoring.model import WIDE_COLUMNS

    if rows is None or not set(WIDE_COLUMNS) <= set(rows.table.columns) or len(rows.hashes) != len(rows.table):
        return None
    t = rows.table[list(WIDE_COLUMNS)].copy(deep=False)
    t["wide_hash"] = np.asarray(rows.hashes, dtype=np.uint64).view(np.int64)
    t.to_parquet(directory / MODEL_ROWS_FILE, index=False)
    return {**model_rows_options(), "file": MODEL_ROWS_FILE, "names_read_once": bool(rows.names_read_once),
            "list_columns": [c for c in WIDE_COLUMNS if holds_lists(rows.table[c])]}


def load_model_rows(directory: Path, entry: dict | None) -> ModelRows | None:
    """The :class:`ModelRows` :func:`save_model_rows` wrote, with the columns' values as the run held them
    (word lists as lists, missing values None); None when the folder holds none or holds them for another
    format, library version or knowledge files (the update then computes every record's columns)."""
    import pyarrow.parquet as pq

    from linkmiskin.scoring.model import WIDE_COLUMNS, _shared_empty

    if not entry or {k: entry.get(k) for k in model_rows_options()} != model_rows_options():
        return None
    p = directory / MODEL_ROWS_FILE
    if entry.get("file") != MODEL_ROWS_FILE or not p.is_file():
        return None
    tab = pq.read_table(p)
    if not set(WIDE_COLUMNS) | {"wide_hash"} <= set(tab.column_names):
        return None
    lists = [c for c in WIDE_COLUMNS if c in set(entry.get("list_columns") or ())]
    table = tab.drop_columns(lists).to_pandas()   # (the pandas dtypes from the file's metadata)
    for c in lists:   # parquet gives arrays back; the model table's are lists
        table[c] = _shared_empty(lists_from_parquet(tab.column(c)))
    table = table[list(WIDE_COLUMNS)]
    hashes = tab.column("wide_hash").to_numpy().astype(np.int64).view(np.uint64)
    return ModelRows(hashes, table, bool(entry.get("names_read_once")))
