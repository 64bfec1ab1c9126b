"""What an update (``lm.link(new, previous=old)``) takes over from the previous run's standardisation.

Standardisation learns facts from a whole list (placeholder dates, Excel-damaged NIKs, relationship codes,
``NY.`` readings), so it is reused per list, never per row: a list whose input is the same as last time
(:func:`source_fingerprint`: the raw table's values, the column mapping, the region, the list date, the
heading row and the library version) takes its standardised rows from the previous run
(:func:`unchanged_list`); any other list is standardised in full. The columns computed across all lists of
the job (the ``NY.`` names settled with every list's words, token rarity, block sizes, shared NIK prefixes,
``kk_name_unique``) are computed again as for a fresh link, so the model table is the same.

The standardised rows travel with the result (``LinkResult.standardised``) and with a saved folder
(``standardised.json`` and ``standardised_<n>.parquet``; not with ``mask_ids=True``, they hold NIKs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SavedList", "source_fingerprint", "unchanged_list", "standardised_list", "save_lists",
           "load_lists", "LISTS_INDEX"]

#: the index of the standardised lists a saved folder holds (fingerprint and file per source)
LISTS_INDEX = "standardised.json"
#: version of the saved standardised lists
LISTS_FORMAT = 1


@dataclass
class SavedList:
    """One source's standardised rows and what they were made from."""

    fingerprint: str
    #: the day ages were read as of when the list has ages and no list date (the rows then hold for that day only)
    today: str | None
    table: pd.DataFrame


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
        std = prev.table.copy(deep=False)
        std.attrs = dict(prev.table.attrs)
        return std, prev, True
    std = standardize()
    return std, SavedList(fp, _today() if _reads_today(std, list_date) else None, std), False


# ============================================================================================ folder

def _mapping_json(cm: Any) -> dict | None:
    return dataclasses.asdict(cm) if dataclasses.is_dataclass(cm) else None


def save_lists(lists: dict[str, SavedList] | None, directory: Path) -> list[str]:
    """Write the standardised lists next to a saved result; returns the file names written."""
    if not lists:
        return []
    index, written = {"format": LISTS_FORMAT, "lists": {}}, []
    for i, (name, saved) in enumerate(lists.items()):
        fname = f"standardised_{i}.parquet"
        t = saved.table
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
