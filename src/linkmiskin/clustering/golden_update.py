"""Golden records of an update, recomputed only where something changed.

A person's golden row reads the person's records and the records of the households those records are in
(the household's address, its newest list); a household's row reads its records and the golden rows of
its persons. So the unit of work is a *group*: persons and households joined by their records (almost
always one household and its members). :func:`unchanged_groups` finds the groups whose records are the
previous run's exactly (same keys, same ids, same values the survivorship rules read:
:func:`golden_signatures`); their previous golden rows are reused, the others are computed as in a full
run (:func:`linkmiskin.clustering.golden.persons_table`, :func:`~linkmiskin.clustering.golden.households_table`).
What is counted over the whole table is recomputed for every row: the commonness of name words (it enters
the signatures), the persons' and households' desa and kecamatan names of each code (the region table's),
the minimum confidences, and the desa a household without one takes from its list neighbours
(:func:`~linkmiskin.clustering.golden.unit_without_address` reads the whole list: it is computed over all
records and given to the recompute, and a reused group whose neighbours now give another desa is
recomputed, :func:`_neighbour_desa`); likewise whether a list proves that it writes each household's head
first (:func:`~linkmiskin.clustering.golden.first_in_family`), which enters the signatures. The household head
reads the lists' newest snapshot date (who is an adult): households are reused only when both runs give
snapshot dates with the same newest one. The result is the same as a full recompute (tests check it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkmiskin.clustering import golden

__all__ = ["GoldenState", "golden_signatures", "unchanged_groups", "update_tables", "state_of_result",
           "save_state", "load_state", "GOLDEN_STATE_FILE", "GOLDEN_HOUSEHOLDS_FILE"]

#: the record signatures of a saved result (parquet: source, record_id, golden_hash)
GOLDEN_STATE_FILE = "golden_state.parquet"
#: the golden households of a saved result with their list columns kept as lists (parquet)
GOLDEN_HOUSEHOLDS_FILE = "golden_households.parquet"

#: the record columns the survivorship rules and conflicts read (with ``source``, the ids and the snapshot
#: rank of the source); a change in any of them makes the record's group be recomputed
GOLDEN_INPUTS = ("nik", "nik_status", "kk", "kk_status", "name", "name_status", "name_phonetic", "name_tokens",
                 "birth_date", "birth_date_status", "birth_date_placeholder", "sex", "sex_status",
                 "relationship", "relationship_status", "desa_code", "region_status", "rt", "rw", "place",
                 "decile", "kecamatan_code", "nik_birth_date", "nik_sex", "father_name", "mother_name")


@dataclass
class GoldenState:
    """What an update needs from the previous run's golden records."""

    signatures: pd.DataFrame        # source, record_id, golden_hash
    persons: pd.DataFrame           # the previous golden persons
    households: pd.DataFrame        # the previous households table (with list columns as lists)
    snapshots: dict | None


def _snapshot_rank(sources: np.ndarray, snapshots: dict | None) -> np.ndarray:
    """Per record, the dense rank of its list's snapshot date (-1 without one): the rules only compare
    dates, so lists that all moved a month on give the same choices."""
    days = golden._snapshot_days(sources, snapshots)
    known = days >= 0
    out = np.full(len(days), -1, dtype=np.int64)
    if known.any():
        _, inv = np.unique(days[known], return_inverse=True)
        out[known] = inv.ravel()
    return out


def _name_commonness(records: pd.DataFrame, common: np.ndarray | None = None) -> np.ndarray:
    """Per record, the commonness of its name words in the whole table (:func:`golden._word_commonness`) as
    far as it can matter: its rank among the person's records (the rule compares a person's names only),
    and only for a person whose records hold two or more names (0 for the others)."""
    name = golden._col(records, "name")
    named = pd.notna(name)
    codes, pids = pd.factorize(records["person_id"])
    several = golden._distinct_count(codes, len(pids), name, named) > 1
    out = np.zeros(len(records), dtype=np.int64)
    m = several[codes] & named
    if m.any():   # the rule compares a person's names only: the order of the counts within the person
        c = pd.Series((golden._word_commonness(records, named) if common is None else common)[m])
        out[m] = c.groupby(codes[m]).rank(method="dense").to_numpy(dtype=np.int64)
    return out


def golden_signatures(records: pd.DataFrame, snapshots: dict | None,
                      common: np.ndarray | None = None, first_rows: np.ndarray | None = None) -> np.ndarray:
    """Per record, a 64-bit hash (int64) of what its group's golden rows read of it: its ids, source,
    :data:`GOLDEN_INPUTS`, its list's snapshot rank, the commonness of its name words in the table
    (:func:`_name_commonness`) and whether it is the first row of its family in a list proved to write heads
    first (``first_rows``, :func:`golden._first_rows_of_families` over the whole table: the proof reads the
    whole list, so a household whose own records did not change may lose or gain it)."""
    cols: dict[str, object] = {}
    for c in ("source", "person_id", "household_id", *GOLDEN_INPUTS):
        if c not in records:
            continue
        s = records[c]
        if s.dtype == object and c in ("name_phonetic", "name_tokens"):   # lists of words: one text each
            s = s.str.join(" ")
        cols[c] = s
    cols["snapshot_rank"] = _snapshot_rank(records["source"].to_numpy(dtype=object), snapshots)
    cols["commonness"] = _name_commonness(records, common)
    cols["first_row"] = golden._first_rows_of_families(records) if first_rows is None else first_rows
    h = pd.util.hash_pandas_object(pd.DataFrame(cols, copy=False), index=False).to_numpy(dtype=np.uint64)
    return h.view(np.int64)


def _groups(records: pd.DataFrame) -> np.ndarray:
    """Per record, its group: the connected part of the graph joining persons and households by records."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pc, _ = pd.factorize(records["person_id"])
    hc, hu = pd.factorize(records["household_id"])
    n_p = int(pc.max()) + 1 if len(pc) else 0
    n = n_p + len(hu)
    g = coo_matrix((np.ones(len(pc)), (pc, hc + n_p)), shape=(n, n))
    _, lab = connected_components(g, directed=False)
    return lab[pc]


def unchanged_groups(records: pd.DataFrame, sig: np.ndarray, prev: GoldenState,
                     group: np.ndarray | None = None) -> np.ndarray:
    """Per record: True when its group is unchanged since the previous run: every record of the group was
    there with the same signature (so the same ids), and each of its persons and households had no other
    record then (none removed or moved away). ``group``: :func:`_groups` of ``records`` if known."""
    from linkmiskin.clustering.updates import _same_hash, record_codes

    group = _groups(records) if group is None else group
    ps = prev.signatures
    # (the record keys of both runs numbered together: no text or MultiIndex of 680,000 keys)
    co, cn = record_codes((ps["source"], ps["record_id"]), (records["source"], records["record_id"]))
    same = _same_hash(co, ps["golden_hash"].to_numpy(dtype=np.int64), cn, sig)
    # no record lost: each id had as many records before as now (every record now is one of its old ones)
    for col in ("person_id", "household_id"):
        table = prev.persons if col == "person_id" else prev.households
        before = _column_by_id(table, col, "n_records")
        codes, ids = pd.factorize(records[col])   # (each id once, not once per record)
        n_now = np.bincount(codes, minlength=len(ids))
        n_before = before.reindex(ids).fillna(-1).to_numpy()
        same &= (n_now == n_before)[codes]
    return _whole_groups(group, same)


def _column_by_id(table: pd.DataFrame, id_col: str, col: str) -> pd.Series:
    """``table.set_index(id_col)[col]`` without copying the table's other columns."""
    return pd.Series(table[col].array, index=pd.Index(table[id_col].array, name=id_col), name=col)


def _rows_by_id(table: pd.DataFrame, id_col: str, ids: pd.Index) -> pd.DataFrame:
    """``table.set_index(id_col).reindex(ids).reset_index()`` (the previous golden rows of ``ids``), taking
    the rows once instead of copying the whole table first; the same when an id is missing or given twice
    in ``table`` (then through that very call)."""
    pos = pd.Index(table[id_col]).get_indexer(ids) if pd.Index(table[id_col]).is_unique else None
    if pos is None or (pos < 0).any():
        return table.set_index(id_col).reindex(ids).reset_index()
    out = table.iloc[pos].reset_index(drop=True)
    return out[[id_col, *(c for c in table.columns if c != id_col)]]


def _whole_groups(group: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per record: True when every record of its group is ``ok``."""
    bad = np.zeros(int(group.max()) + 1 if len(group) else 0, dtype=bool)
    bad[group[~ok]] = True
    return ~bad[group]


_NEIGHBOURS = golden.unit_without_address.__name__


def _neighbour_desa(records: pd.DataFrame, snapshots: dict | None, prev: GoldenState,
                    keep: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """The households' desa by :func:`golden.unit_without_address` over the whole table (it reads a list's
    neighbouring rows, which a recompute of some groups does not see), from each household's own desa: the
    previous row's for the unchanged groups (``keep``), the records' for the others. Also, per record, True
    where its household is unchanged but its neighbours now give it another desa than the previous run."""
    prev_h = prev.households
    hid = records["household_id"].to_numpy(dtype=object)
    kept = pd.Index(hid[keep]).unique()
    rule = _column_by_id(prev_h, "household_id", "desa_code_rule") if "desa_code_rule" in prev_h else \
        pd.Series(dtype=object)
    by_neighbours = rule.reindex(kept).to_numpy(dtype=object) == _NEIGHBOURS
    prev_desa = _column_by_id(prev_h, "household_id", "desa_code").reindex(kept).to_numpy(dtype=object)
    own = pd.concat([pd.Series(np.where(by_neighbours, None, prev_desa), index=kept, dtype=object),
                     golden._household_own_desa(records.iloc[np.flatnonzero(~keep)], snapshots)])
    fill = golden._list_neighbour_desa(records, own)
    before = pd.Series(np.where(by_neighbours, prev_desa, None), index=kept, dtype=object)
    now = fill.reindex(kept).to_numpy(dtype=object)
    moved = ~((pd.isna(now) & pd.isna(before.to_numpy())) | (now == before.to_numpy()))
    return fill, pd.Index(hid).isin(kept[moved])


def _refresh_region_names(table: pd.DataFrame, records: pd.DataFrame, *, own_kecamatan: bool) -> None:
    """The desa and kecamatan names of each golden person's codes as the whole table gives them (in place),
    as :func:`golden.persons_table` names them."""
    look = golden._region_lookup(records)
    desa = table["desa_code"]
    has = desa.notna().to_numpy()
    cols = ("desa_name", "kecamatan_code", "kecamatan_name") if own_kecamatan else ("desa_name", "kecamatan_name")
    for c in cols:
        if c in look and c in table:
            v = table[c].to_numpy(dtype=object).copy()
            v[has] = desa[has].map(look[c]).to_numpy(dtype=object)
            table[c] = v
    if own_kecamatan and "kecamatan_name" in records and "kecamatan_code" in records:
        names = records.loc[records["kecamatan_code"].notna() & records["kecamatan_name"].notna(),
                            ["kecamatan_code", "kecamatan_name"]].drop_duplicates("kecamatan_code")
        k = table["kecamatan_code"]
        own = ~has & k.notna().to_numpy()
        v = table["kecamatan_name"].to_numpy(dtype=object).copy()
        v[own] = k[own].map(names.set_index("kecamatan_code")["kecamatan_name"]).to_numpy(dtype=object)
        table["kecamatan_name"] = v


def _min_by(ids: pd.Series, records: pd.DataFrame, col: str, conf: str) -> np.ndarray:
    return records.groupby(col)[conf].min().reindex(ids.to_numpy()).to_numpy(dtype=float)


def _same_newest_date(a: dict | None, b: dict | None) -> bool:
    return bool(a) and bool(b) and golden._reference_days(a) == golden._reference_days(b)


def _stack(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The reused rows, then the recomputed ones; an empty part does not change the other's column types."""
    parts = [t for t in (old, new) if len(t)]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else (parts or [new])[0].reset_index(drop=True)


def update_tables(records: pd.DataFrame, snapshots: dict | None, prev: GoldenState,
                  households_base) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, dict]:
    """Golden persons and households of ``records`` (final ids), reusing ``prev``'s rows for the unchanged
    groups (:func:`unchanged_groups`). ``households_base(records)`` makes the base household table (today's
    columns). Returns (persons, households, the records' signatures, counts of reused rows)."""
    common = golden._word_commonness(records, pd.notna(golden._col(records, "name")))
    first_rows = golden._first_rows_of_families(records)
    sig = golden_signatures(records, snapshots, common, first_rows)
    group = _groups(records)
    keep = unchanged_groups(records, sig, prev, group)
    fill, moved = _neighbour_desa(records, snapshots, prev, keep)
    keep &= _whole_groups(group, ~moved)    # a household whose neighbours now give another desa: recomputed
    keep_h = keep if _same_newest_date(snapshots, prev.snapshots) else np.zeros(len(records), dtype=bool)
    redo = np.flatnonzero(~keep)
    sub = records.iloc[redo].reset_index(drop=True)
    p_new = golden.persons_table(sub, snapshots=snapshots, commonness=common[redo], neighbour_desa=fill)
    kept_p = pd.Index(records["person_id"].to_numpy()[keep], name="person_id").unique()
    p_old = _rows_by_id(prev.persons, "person_id", kept_p)
    # the recomputed rows' types, except where they hold no value (a column of NaN reads as float)
    types = {c: t for c, t in p_new.dtypes.items() if p_new[c].notna().any()}
    persons = _stack(p_old.astype(types), p_new)
    persons = persons.sort_values("person_id", kind="stable").reset_index(drop=True)
    persons["person_confidence"] = _min_by(persons["person_id"], records, "person_id", "person_confidence")
    _refresh_region_names(persons, records, own_kecamatan=True)
    redo_h = np.flatnonzero(~keep_h)
    sub_h = records.iloc[redo_h].reset_index(drop=True)
    h_new = golden.households_table(sub_h, persons, households_base(sub_h), snapshots=snapshots,
                                    neighbour_desa=fill, first_rows=first_rows[redo_h])
    kept_h = pd.Index(records["household_id"].to_numpy()[keep_h], name="household_id").unique()
    h_old = _rows_by_id(prev.households, "household_id", kept_h)[h_new.columns]
    households = _stack(h_old, h_new)
    households = households.sort_values("household_id", kind="stable").reset_index(drop=True)
    _refresh_region_names(households, records, own_kecamatan=False)   # a desa from neighbours named too
    households["household_confidence"] = _min_by(households["household_id"], records, "household_id",
                                                 "household_confidence")
    stats = {"golden_persons_reused": int(len(kept_p)), "golden_households_reused": int(len(kept_h))}
    return persons, households, sig, stats


def state_of_result(result) -> GoldenState | None:
    """The golden state of a LinkResult in memory (None without golden rows)."""
    if getattr(result, "persons", None) is None or "head_person_id" not in result.households:
        return None
    sig = getattr(result, "golden_signatures", None)
    if sig is None:
        sig = golden_signatures(result.records, result.snapshots)
    return GoldenState(pd.DataFrame({"source": result.records["source"].to_numpy(),
                                     "record_id": result.records["record_id"].astype(str).to_numpy(),
                                     "golden_hash": sig}),
                       result.persons, result.households, result.snapshots)


def _nan_columns(table: pd.DataFrame) -> list[str]:
    """The text columns whose missing values are NaN, not None (a name looked up by code): parquet gives
    both back as None."""
    out = []
    for c in table.columns:
        if table[c].dtype == object:
            v = table[c].to_numpy(dtype=object)
            miss = np.flatnonzero(pd.isna(v))
            if len(miss) and isinstance(v[miss[0]], float):
                out.append(str(c))
    return out


def save_state(result, directory) -> dict:
    """Write what the next update reuses of the golden rows next to a saved result (with full NIKs: never
    with ``mask_ids``): the record signatures and the households with their list columns. Returns the
    state's entry of ``update_state.json`` (the columns whose missing values are NaN)."""
    state = state_of_result(result)
    if state is None or result.persons is None:
        return {}
    state.signatures.to_parquet(directory / GOLDEN_STATE_FILE, index=False)
    state.households.to_parquet(directory / GOLDEN_HOUSEHOLDS_FILE, index=False)
    return {"golden_nan_columns": {"persons": _nan_columns(result.persons),
                                   "households": _nan_columns(state.households)}}


def _with_nan(table: pd.DataFrame, columns: list | None) -> pd.DataFrame:
    """``table`` with NaN for the missing values of ``columns`` (:func:`_nan_columns`)."""
    for c in columns or ():
        if c in table and table[c].dtype == object:
            v = table[c].to_numpy(dtype=object).copy()
            v[pd.isna(v)] = np.nan
            table[c] = v
    return table


def _as_lists(df: pd.DataFrame) -> pd.DataFrame:
    """Parquet gives list cells back as arrays: lists again, as the households table holds them."""
    for c in df.columns:
        v = df[c].to_numpy(dtype=object)
        if df[c].dtype == object and len(v) and isinstance(v[0], np.ndarray):
            df[c] = pd.Series([x.tolist() if isinstance(x, np.ndarray) else x for x in v], dtype=object,
                              index=df.index)
    return df


def load_state(directory, snapshots: dict | None, nan_columns: dict | None = None) -> GoldenState | None:
    """The golden state a saved folder holds, or None (saved with ``mask_ids`` or by an older version: the
    update then computes every golden row); ``nan_columns``: :func:`save_state`'s."""
    from pathlib import Path

    d = Path(directory)
    files = [d / GOLDEN_STATE_FILE, d / GOLDEN_HOUSEHOLDS_FILE, d / "persons.parquet"]
    if not all(f.is_file() for f in files):
        return None
    import pyarrow.parquet as pq

    # (a column of whole numbers with gaps, rt or rw, back as Python ints and None, as the run held it, not floats)
    persons = pq.read_table(files[2]).to_pandas(integer_object_nulls=True)
    households = pq.read_table(files[1]).to_pandas(integer_object_nulls=True)
    nan = nan_columns or {}
    return GoldenState(pd.read_parquet(files[0]), _with_nan(persons, nan.get("persons")),
                       _with_nan(_as_lists(households), nan.get("households")), snapshots)
