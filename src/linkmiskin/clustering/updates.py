"""Stable person and household ids across updates of the lists.

``lm.link(new_sources, region=..., previous=old)`` links the new lists (reusing the old model unless
``retrain=True``) and then carries the old ids over to the new clusters by the rules below, matching
records by ``(source, record_id)``. Each rule is a small function; its name is written in the ``rule``
column of ``result.changes`` for the ids it decided.

* ``majority_of_records``: a new cluster takes the old id that gives it most of its records;
* ``largest_part_keeps_id``: when an old cluster's records end up in several new clusters, the part that
  holds most of them keeps the id and the other parts get new ids (``split_from``);
* ``merged_into_larger``: when old clusters merge, the merged cluster keeps the id of the one that gives it
  most records; the other ids are retired (``merged_into``);
* ``all_records_removed``: an old id none of whose records is in the new lists is retired (``removed``);
* ``new_records_only``: a cluster made only of records that were not there before gets a new id (``new``);
* ``never_reuse``: a new id is never one issued before (the registry of every id ever issued is saved with
  the result; a hash that was issued before is drawn again with a counter);
* ``moved_household``: a person who keeps the id but now belongs to another household is reported as
  ``unchanged_but_moved_household``.

Ids keep their shape (``P`` or ``H`` and 12 hex digits).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PreviousRun", "load_previous", "carry_over", "CHANGE_RULES", "UpdateError", "STATE_FORMAT",
           "apply_previous", "new_registry", "check_record_ids", "rules_markdown", "reusable_pairs",
           "unchanged_records", "PairReuse", "record_codes"]

#: version of the update state written next to a saved result (``update_state.json``)
STATE_FORMAT = 1

CHANGE_KINDS = ("new", "merged_into", "split_from", "removed", "unchanged_but_moved_household")


class UpdateError(ValueError):
    """A ``previous`` result that cannot be used for an update; the message says what is wrong."""


# ============================================================================================== rules


def majority_of_records(t: pd.DataFrame) -> pd.Series:
    """A new cluster takes the old id that gives it most of its records (ties: the smallest old id)."""
    best = t.sort_values(["new", "n", "old"], ascending=[True, False, True], kind="stable")
    return best.drop_duplicates("new").set_index("new")["old"]


def largest_part_keeps_id(claims: pd.DataFrame) -> pd.Series:
    """When several new clusters claim one old id, the one holding most of its old records keeps it
    (ties: the larger new cluster, then the smallest new label); the others get new ids."""
    c = claims.sort_values(["old", "n", "size", "new"], ascending=[True, False, False, True], kind="stable")
    return c.drop_duplicates("old").set_index("new")["old"]


def merged_into_larger(t: pd.DataFrame, kept_old: set, final_of_new: pd.Series) -> pd.DataFrame:
    """An old id that kept nothing but whose records live on is retired into the id of the new cluster that
    holds most of its records."""
    lost = t[~t["old"].isin(kept_old)]
    best = lost.sort_values(["old", "n", "new"], ascending=[True, False, True], kind="stable").drop_duplicates("old")
    return pd.DataFrame({"old_id": best["old"].to_numpy(), "new_id": final_of_new.reindex(best["new"]).to_numpy(),
                         "change": "merged_into", "rule": "merged_into_larger"})


def all_records_removed(old_ids: pd.Series, seen_old: set) -> pd.DataFrame:
    """An old id none of whose records is in the new lists is retired as removed."""
    gone = pd.Series(old_ids.unique())
    gone = gone[~gone.isin(seen_old)].sort_values()
    return pd.DataFrame({"old_id": gone.to_numpy(), "new_id": None, "change": "removed",
                         "rule": "all_records_removed"})


def new_records_only(labels: np.ndarray, shared_labels: set) -> np.ndarray:
    """A new cluster none of whose records was in the previous lists is a new cluster (change ``new``)."""
    return ~pd.Series(labels).isin(shared_labels).to_numpy()


def never_reuse(prefix: str, seeds: pd.Series, issued: set) -> pd.Series:
    """A minted id is a hash of the cluster's smallest record key; one that was ever issued is hashed again
    with a counter until it is new."""
    def h(s: str) -> str:
        return prefix + hashlib.sha1(s.encode("utf-8")).hexdigest()[:12]

    out = seeds.map(h)
    k = 1
    while True:  # loops only on a clash, which practically never happens
        clash = out.isin(issued) | out.duplicated(keep="first")
        if not clash.any():
            break
        out[clash] = seeds[clash].map(lambda s, k=k: h(f"{s}#{k}"))
        k += 1
    return out


def moved_household(person_old: pd.DataFrame, person_new: pd.DataFrame) -> pd.DataFrame:
    """A person who keeps the id but whose household id changed is reported as unchanged_but_moved_household."""
    a = person_old.drop_duplicates("person_id").set_index("person_id")["household_id"]
    b = person_new.drop_duplicates("person_id").set_index("person_id")["household_id"]
    both = a.index.intersection(b.index)
    moved = both[(a[both].to_numpy() != b[both].to_numpy())]
    return pd.DataFrame({"old_id": np.asarray(moved, dtype=object), "new_id": np.asarray(moved, dtype=object),
                         "change": "unchanged_but_moved_household", "rule": "moved_household",
                         "old_household_id": a[moved].to_numpy(), "new_household_id": b[moved].to_numpy()})


#: every id carry-over rule by name
CHANGE_RULES = {f.__name__: f for f in (majority_of_records, largest_part_keeps_id, merged_into_larger,
                                        all_records_removed, new_records_only, never_reuse, moved_household)}


def rules_markdown() -> str:
    """A Markdown table of the id carry-over rules (the docs are generated from it)."""
    lines = ["| rule | what it does |", "|---|---|"]
    for name, f in CHANGE_RULES.items():
        lines.append(f"| `{name}` | {' '.join((f.__doc__ or '').split())} |")
    return "\n".join(lines)


# ============================================================================================ engine


@dataclass
class CarryOver:
    """Final id per new cluster label, the change rows, and the ids issued now."""

    ids: pd.Series           # new label -> final id
    changes: pd.DataFrame    # change, old_id, new_id, rule, n_old, n_new, n_shared
    issued: list[str]        # ids minted in this run


def carry_over(old: pd.DataFrame, new: pd.DataFrame, *, prefix: str, issued: set) -> CarryOver:
    """Carry old ids over to new clusters.

    ``old``: ``key, id`` (one row per previous record); ``new``: ``key, label`` (one row per new record,
    ``label`` the fresh cluster label) and optionally ``seed`` (the record key text a minted id is hashed
    from, when ``key`` holds integer codes); ``issued``: every id ever issued at this level.
    """
    # integer codes (sorted, so code order = id order) instead of joining and grouping strings
    ok_, nk_ = old["key"].to_numpy(), new["key"].to_numpy()
    if ok_.dtype.kind in "iu" and nk_.dtype.kind in "iu":   # already integer codes (apply_previous)
        kc = np.concatenate([ok_, nk_]).astype(np.int64)
    else:
        kc, _ = pd.factorize(np.concatenate([ok_.astype(object), nk_.astype(object)]))
    ko, kn = kc[:len(old)], kc[len(old):]
    oc, ou = pd.factorize(old["id"], sort=True)
    nc, nu = pd.factorize(new["label"], sort=True)
    ou, nu = np.asarray(ou, dtype=object), np.asarray(nu, dtype=object)
    old_of_key = np.full(int(kc.max()) + 1 if len(kc) else 0, -1, dtype=np.int64)
    old_of_key[ko] = oc
    jo = old_of_key[kn] if len(kn) else np.array([], dtype=np.int64)
    m = jo >= 0
    n_o = max(len(ou), 1)
    pair, cnt = np.unique(nc[m].astype(np.int64) * n_o + jo[m], return_counts=True)
    t = pd.DataFrame({"new": nu[pair // n_o] if len(pair) else np.array([], dtype=object),
                      "old": ou[pair % n_o] if len(pair) else np.array([], dtype=object), "n": cnt})
    size_new = pd.Series(np.bincount(nc, minlength=len(nu)), index=pd.Index(nu, dtype=object))
    size_old = pd.Series(np.bincount(oc, minlength=len(ou)), index=pd.Index(ou, dtype=object))
    o = pd.DataFrame({"old": ou})
    # 1. each new cluster's majority old id; 2. an old id claimed by several new clusters goes to one
    claim = majority_of_records(t).rename("old").reset_index()
    claim = claim.merge(t, on=["new", "old"])
    claim["size"] = size_new.reindex(claim["new"]).to_numpy()
    winners = largest_part_keeps_id(claim)                      # new label -> old id kept
    final = pd.Series(pd.NA, index=size_new.index, dtype=object)
    final[winners.index] = winners.to_numpy()
    # 3. fresh ids for the rest, never one issued before
    rest = final.index[final.isna()]
    sub = new[new["label"].isin(set(rest))]
    sub = sub.assign(key=(sub["seed"] if "seed" in sub else sub["key"]).astype(str))
    sub = sub.sort_values(["label", "key"], kind="stable")
    seeds = sub.drop_duplicates("label").set_index("label")["key"].reindex(rest)
    minted = never_reuse(prefix, seeds, issued | set(winners.to_numpy()))
    final[rest] = minted.to_numpy()
    # change rows
    shared_labels = set(t["new"])
    is_new = new_records_only(np.asarray(rest, dtype=object), shared_labels)
    rows = []
    if len(rest):
        split_src = claim.set_index("new")["old"].reindex(rest)
        rows.append(pd.DataFrame({
            "old_id": np.where(is_new, None, split_src.to_numpy(dtype=object)),
            "new_id": minted.to_numpy(dtype=object),
            "change": np.where(is_new, "new", "split_from"),
            "rule": np.where(is_new, "new_records_only", "largest_part_keeps_id")}))
    kept_old = set(winners.to_numpy())
    rows.append(merged_into_larger(t, kept_old, final))
    rows.append(all_records_removed(o["old"], set(t["old"])))
    ch = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(len(r) for r in rows) else \
        pd.DataFrame(columns=["old_id", "new_id", "change", "rule"])
    shared = t.groupby("old")["n"].sum()
    ch["n_old_records"] = size_old.reindex(ch["old_id"]).fillna(0).astype(int).to_numpy()
    inv = pd.Series(final.index, index=final.to_numpy())
    ch["n_new_records"] = size_new.reindex(inv.reindex(ch["new_id"]).to_numpy()).fillna(0).astype(int).to_numpy()
    ch["n_shared_records"] = shared.reindex(ch["old_id"]).fillna(0).astype(int).to_numpy()
    return CarryOver(ids=final, changes=ch, issued=list(minted.to_numpy()))


# ========================================================================================= registry


def new_registry(person_ids: pd.Series, household_ids: pd.Series, run: int = 1) -> pd.DataFrame:
    """The id registry of a first link: every id issued, with the run that issued it."""
    p = pd.Series(person_ids.unique())
    h = pd.Series(household_ids.unique())
    return pd.DataFrame({
        "id": np.r_[p.to_numpy(dtype=object), h.to_numpy(dtype=object)],
        "level": ["person"] * len(p) + ["household"] * len(h),
        "issued_in_run": run, "status": "active", "retired_in_run": pd.array([pd.NA] * (len(p) + len(h)), "Int64"),
    })


def _update_registry(reg: pd.DataFrame, level: str, issued: list[str], changes: pd.DataFrame,
                     active: set, run: int) -> pd.DataFrame:
    add = pd.DataFrame({"id": issued, "level": level, "issued_in_run": run, "status": "active",
                        "retired_in_run": pd.array([pd.NA] * len(issued), "Int64")})
    reg = pd.concat([reg, add], ignore_index=True)
    retired = set(changes.loc[changes["change"].isin(["merged_into", "removed"]), "old_id"])
    m = (reg["level"] == level) & reg["id"].isin(retired) & (reg["status"] == "active")
    reg.loc[m, "status"] = "retired"
    reg.loc[m, "retired_in_run"] = run
    return reg


# ========================================================================================== previous


@dataclass
class PreviousRun:
    """What an update needs from the previous result."""

    records: pd.DataFrame          # source, record_id, person_id, household_id
    model: dict | None
    threshold: float | None
    region: str | None
    registry: pd.DataFrame
    run: int
    record_id_kinds: dict[str, str]
    origin: str
    #: ``source, record_id, row_hash`` of the previous model table (:func:`linkmiskin.linkage.row_hashes`)
    row_hashes: pd.DataFrame | None = None
    #: the previous scored pairs: ``source_l, record_id_l, source_r, record_id_r`` and ``<comparison>_level_key``
    pairs: pd.DataFrame | None = None
    #: each source's standardised rows and input fingerprint (:class:`linkmiskin.standardise.reuse.SavedList`)
    lists: dict | None = None
    #: the previous golden rows and record signatures (:class:`linkmiskin.clustering.golden_update.GoldenState`)
    golden: object | None = None
    #: the previous model table and its records' standardised-value hashes
    #: (:class:`linkmiskin.standardise.reuse.ModelRows`; from a result in memory, or a folder saved without
    #: ``mask_ids`` by this version)
    model_rows: object | None = None
    #: the previous person clustering (:class:`linkmiskin.clustering.person_reuse.PersonState`; the same, and
    #: used only with the previous model)
    person_state: object | None = None


def record_id_kind(ids: pd.Series) -> str:
    """``digits`` when every record id is a number, ``text`` otherwise (empty: ``digits``)."""
    s = ids.astype(str)
    return "digits" if s.str.fullmatch(r"\d+").all() else "text"


def _kinds(records: pd.DataFrame) -> dict[str, str]:
    """:func:`record_id_kind` of each source's record ids, read in one pass over all records (a decimal
    test per id, then one answer per source).

    >>> _kinds(pd.DataFrame({"source": ["a", "a", "b", "c"], "record_id": ["1", "x2", "07", ""]}))
    {'a': 'text', 'b': 'digits', 'c': 'text'}
    """
    digits = records["record_id"].astype(str).str.isdecimal()   # (what fullmatch(r"\d+") accepts)
    return {str(k): "digits" if v else "text" for k, v in digits.groupby(records["source"], sort=True).all().items()}


def from_result(result) -> PreviousRun:
    """A :class:`PreviousRun` from a :class:`~linkmiskin.linkage.LinkResult` in memory."""
    from linkmiskin.standardise.reuse import with_records

    rec = result.records[["source", "record_id", "person_id", "household_id"]].copy()
    reg = result.id_registry if getattr(result, "id_registry", None) is not None else \
        new_registry(rec["person_id"], rec["household_id"])
    run = int(getattr(result, "run", 1) or 1)
    return PreviousRun(rec, result.model, result.threshold, getattr(result, "region", None), reg, run,
                       _kinds(rec), "the previous LinkResult", getattr(result, "row_hashes", None),
                       _pair_keys(result.pairs), with_records(getattr(result, "standardised", None), result.records),
                       _golden_of(result), getattr(getattr(result, "_linker", None), "_model_rows", None),
                       getattr(getattr(result, "_linker", None), "_person_state", None))


def _golden_of(result):
    from linkmiskin.clustering.golden_update import state_of_result

    return state_of_result(result)


def load_previous(path: str | os.PathLike) -> PreviousRun:
    """Read what an update needs from a folder written by ``LinkResult.save()``; errors name the problem."""
    d = Path(path)
    if not d.exists():
        raise UpdateError(f"previous result folder not found: {d}")
    if not d.is_dir():
        raise UpdateError(f"previous={str(d)!r} is a file; pass the folder that result.save() wrote")
    meta_p = d / "metadata.json"
    if not meta_p.exists():
        raise UpdateError(f"{d} is not a linkmiskin result folder (no metadata.json)")
    state_p = d / "update_state.json"
    if not state_p.exists():
        raise UpdateError(f"{d} was written by a linkmiskin version without stable ids (no update_state.json); "
                          "link those lists again with this version, save, and update from that folder")
    meta = json.loads(meta_p.read_text(encoding="utf-8"))
    state = json.loads(state_p.read_text(encoding="utf-8"))
    if state.get("format") != STATE_FORMAT:
        raise UpdateError(f"{d} was written by linkmiskin {state.get('linkmiskin_version', '?')} with update "
                          f"format {state.get('format')!r}; this version reads format {STATE_FORMAT}")
    if (d / "records.parquet").exists():
        rec = pd.read_parquet(d / "records.parquet", columns=["source", "record_id", "person_id", "household_id"])
    elif (d / "records.csv").exists():
        rec = pd.read_csv(d / "records.csv", usecols=["source", "record_id", "person_id", "household_id"],
                          dtype=str, keep_default_na=False)
    else:
        raise UpdateError(f"{d} has no records.parquet or records.csv")
    rec["record_id"] = rec["record_id"].astype(str)
    reg_p = d / "id_registry.parquet"
    reg = pd.read_parquet(reg_p) if reg_p.exists() else pd.read_csv(d / "id_registry.csv") \
        if (d / "id_registry.csv").exists() else None
    if reg is None:
        raise UpdateError(f"{d} has no id_registry (parquet or csv): it cannot guarantee ids are never reused")
    model = _saved_model(d)
    hashes, pairs = _saved_reuse(d)
    from linkmiskin.clustering.golden_update import load_state
    from linkmiskin.clustering.person_reuse import load_person_state
    from linkmiskin.standardise.reuse import load_lists, load_model_rows
    return PreviousRun(rec, model, meta.get("threshold"), state.get("region"), reg, int(state.get("run", 1)),
                       state.get("record_id_kinds") or _kinds(rec), str(d), hashes, pairs, load_lists(d),
                       load_state(d, state.get("snapshots"), state.get("golden_nan_columns")),
                       load_model_rows(d, state.get("model_rows")),
                       load_person_state(d, state.get("person_state")))


def _saved_model(d: Path) -> dict | None:
    """The model a saved folder holds, rebuilt from linkmiskin's own comparisons with the file's m/u
    probabilities and prior (:func:`linkmiskin.scoring.model_file.checked_model`: the file's SQL is never
    run, and an update then scores with settings whose columns are the model table's); a model in Spark SQL
    as written (an update on DuckDB refuses it, Spark converts it). None without a model file."""
    from linkmiskin.scoring.model_file import checked_model

    p = d / "model.json"
    if not p.exists():
        return None
    try:
        model = json.loads(p.read_text(encoding="utf-8"))
    except ValueError as e:
        raise UpdateError(f"{p} is not valid JSON (truncated or edited?): {e}") from None
    if not isinstance(model, dict) or model.get("sql_dialect") == "spark":
        return model
    try:
        return checked_model(model, p)
    except ValueError as e:   # (LinkError)
        raise UpdateError(f"{d}: its model cannot be reused ({e}); pass retrain=True or link the lists again "
                          "with this version") from None


def _pair_keys(pairs: pd.DataFrame | None) -> pd.DataFrame | None:
    """The columns of scored pairs an update reuses (record keys and level keys); None without them."""
    if pairs is None or not {"source_l", "record_id_l", "source_r", "record_id_r"} <= set(pairs.columns):
        return None
    cols = ["source_l", "record_id_l", "source_r", "record_id_r"] + [
        c for c in pairs.columns if c.endswith("_level_key")]
    return pairs[cols]


def _saved_reuse(d: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The row hashes and scored pairs a saved result holds for reuse (None, None when it holds none:
    saved with ``mask_ids=True`` or without parquet)."""
    hp, pp = d / ROW_HASHES_FILE, d / "pairs.parquet"
    if not hp.exists() or not pp.exists():
        return None, None
    import pyarrow.parquet as pq

    names = pq.ParquetFile(pp).schema_arrow.names
    cols = ["source_l", "record_id_l", "source_r", "record_id_r"] + [c for c in names if c.endswith("_level_key")]
    if not set(cols[:4]) <= set(names):
        return None, None
    return pd.read_parquet(hp), pd.read_parquet(pp, columns=cols)


def as_previous(previous) -> PreviousRun:
    """A :class:`PreviousRun` from a LinkResult, a PreviousRun or a folder path."""
    if isinstance(previous, PreviousRun):
        return previous
    if isinstance(previous, (str, os.PathLike)):
        return load_previous(previous)
    if hasattr(previous, "records") and hasattr(previous, "model"):
        return from_result(previous)
    raise UpdateError(f"previous must be a LinkResult or a folder written by result.save(), "
                      f"not {type(previous).__name__}")


def check_region(prev: PreviousRun, region: str | None) -> None:
    """The previous result must be of the same kabupaten/kota."""
    if prev.region and region and prev.region != region:
        raise UpdateError(f"previous result ({prev.origin}) is for region {prev.region}, these lists for "
                          f"{region}: ids cannot carry over between regions")


def check_record_ids(prev: PreviousRun, records: pd.DataFrame) -> None:
    """A source whose record ids changed kind (numbers before, text now, or the reverse) is an error."""
    now = _kinds(records)
    bad = [f"{s!r} ({prev.record_id_kinds[s]} before, {k} now)" for s, k in now.items()
           if s in prev.record_id_kinds and prev.record_id_kinds[s] != k]
    if bad:
        raise UpdateError("record ids changed type in source " + ", ".join(bad) + ": ids carry over by "
                          "(source, record_id), so map the same id column as before with columns=")


#: the file of row hashes an update reads to find the records that did not change (parquet)
ROW_HASHES_FILE = "row_hashes.parquet"


def write_state(result, directory: Path, *, mask_ids: bool = False) -> None:
    """Write ``update_state.json``, the id registry and (unless ``mask_ids``: record ids may be NIKs) the
    row hashes an update uses to reuse scored pairs next to a saved result."""
    from linkmiskin import __version__

    state = {"format": STATE_FORMAT, "linkmiskin_version": __version__, "region": result.region,
             "run": int(result.run), "record_id_kinds": _kinds(result.records),
             "snapshots": result.snapshots}
    if not mask_ids:   # the model table, the person state and the golden rows hold NIKs in full
        state.update(_save_reuse(result, directory))
        from linkmiskin.clustering.golden_update import save_state
        state.update(save_state(result, directory))
    (directory / "update_state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
    from linkmiskin.safe_cells import write_csv

    reg = result.id_registry
    reg.to_parquet(directory / "id_registry.parquet", index=False)
    write_csv(reg, directory / "id_registry.csv")   # formula-looking cells as text, like every CSV we write
    if result.changes is not None:
        write_csv(result.changes, directory / "changes.csv")
    hashes = getattr(result, "row_hashes", None)
    if hashes is not None and not mask_ids:
        hashes.to_parquet(directory / ROW_HASHES_FILE, index=False)


def _save_reuse(result, directory: Path) -> dict:
    """Write what an update takes over from a result in memory (the model table's per-record columns,
    :class:`linkmiskin.standardise.reuse.ModelRows`; the person clustering's cannot-link state,
    :class:`linkmiskin.clustering.person_reuse.PersonState`) so that an update from the folder takes it over
    too; returns their entries of ``update_state.json``. A stale file of an earlier save is removed."""
    from linkmiskin.clustering.person_reuse import CANNOT_LINK_FILE, PERSON_STATE_FILE, save_person_state
    from linkmiskin.standardise.reuse import MODEL_ROWS_FILE, save_model_rows

    for f in (MODEL_ROWS_FILE, PERSON_STATE_FILE, CANNOT_LINK_FILE):
        (directory / f).unlink(missing_ok=True)
    lk = getattr(result, "_linker", None)
    out = {}
    rows = save_model_rows(getattr(lk, "_model_rows", None), directory)
    if rows is not None:
        out["model_rows"] = rows
    persons = save_person_state(getattr(lk, "_person_state", None), directory)
    if persons is not None:
        out["person_state"] = persons
    return out


# ============================================================================================= apply


def _keys(df: pd.DataFrame) -> pd.Series:
    return df["source"].astype(str) + ":" + df["record_id"].astype(str)


def unchanged_clusters(okey: np.ndarray, old_ids: np.ndarray, nkey: np.ndarray,
                       labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The clusters that need no carry-over rule: a new cluster all of whose records had one old id, which
    has no record now outside it (it keeps that id, and no change row names it). Returns, per new record
    and per old record, whether it is in such a cluster, and per new record the old id it keeps."""
    lc, _ = pd.factorize(labels)
    oc, ou = pd.factorize(old_ids)
    n_l, n_o = int(lc.max()) + 1 if len(lc) else 0, len(ou)
    if not n_l or not n_o:
        return np.zeros(len(nkey), dtype=bool), np.zeros(len(okey), dtype=bool), np.full(len(nkey), None, object)
    size = int(max(okey.max() if len(okey) else -1, nkey.max() if len(nkey) else -1)) + 1
    old_of_key = np.full(size, -1, dtype=np.int64)
    old_of_key[okey] = oc
    jo = old_of_key[nkey] if len(nkey) else np.zeros(0, dtype=np.int64)
    # per new label: the smallest and largest old id code of its records (-1: a new record)
    lo = np.full(n_l, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(n_l, -1, dtype=np.int64)
    np.minimum.at(lo, lc, jo)
    np.maximum.at(hi, lc, jo)
    one_old = (lo == hi) & (lo >= 0)
    # per old id: the smallest and largest new label code of its records now
    has = jo >= 0
    olo = np.full(n_o, np.iinfo(np.int64).max, dtype=np.int64)
    ohi = np.full(n_o, -1, dtype=np.int64)
    np.minimum.at(olo, jo[has], lc[has])
    np.maximum.at(ohi, jo[has], lc[has])
    one_new = (olo == ohi) & (ohi >= 0)
    label_ok = one_old & one_new[np.where(one_old, lo, 0)] & (olo[np.where(one_old, lo, 0)] == np.arange(n_l))
    same_new = label_ok[lc]
    old_ok = np.zeros(n_o, dtype=bool)
    old_ok[lo[label_ok]] = True
    carried = np.asarray(ou, dtype=object)[np.where(same_new, jo, 0)]
    return same_new, old_ok[oc], carried


def apply_previous(records: pd.DataFrame, prev: PreviousRun, *,
                   skip_unchanged: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """Replace the fresh ids in ``records`` by carried-over ids. The rules run only on the clusters that
    changed (``skip_unchanged``, :func:`unchanged_clusters`; the others keep their id), which gives the
    same ids and changes as running them on every cluster.

    Returns (records with stable ``person_id``/``household_id``, changes, registry, run number)."""
    run = prev.run + 1
    old = prev.records
    # one integer per (source, record_id), shared by both levels (no text key per record)
    okey, nkey = record_codes((old["source"], old["record_id"]), (records["source"], records["record_id"]))
    reg = prev.registry
    out = records.copy(deep=False)   # only the two id columns are replaced
    tables = []
    for level, col, prefix in (("person", "person_id", "P"), ("household", "household_id", "H")):
        issued = set(reg.loc[reg["level"] == level, "id"])
        labels, old_ids = records[col].to_numpy(), old[col].to_numpy()
        same_new, same_old, carried = (unchanged_clusters(okey, old_ids, nkey, labels) if skip_unchanged else
                                       (np.zeros(len(nkey), bool), np.zeros(len(okey), bool), None))
        co = carry_over(pd.DataFrame({"key": okey[~same_old], "id": old_ids[~same_old]}),
                        pd.DataFrame({"key": nkey[~same_new], "label": labels[~same_new],
                                      "seed": _keys(records.loc[~same_new, ["source", "record_id"]]).to_numpy()}),
                        prefix=prefix, issued=issued)
        ids = np.empty(len(labels), dtype=object)
        ids[~same_new] = co.ids.reindex(labels[~same_new]).to_numpy()
        if carried is not None:
            ids[same_new] = carried[same_new]
        out[col] = ids
        reg = _update_registry(reg, level, co.issued, co.changes, set(out[col]), run)
        tables.append(co.changes.assign(level=level))
    moved = moved_household(old[["person_id", "household_id"]], out[["person_id", "household_id"]])
    tables.append(moved.assign(level="person", n_old_records=0, n_new_records=0, n_shared_records=0))
    changes = pd.concat(tables, ignore_index=True)
    cols = ["level", "change", "old_id", "new_id", "rule", "n_old_records", "n_new_records", "n_shared_records",
            "old_household_id", "new_household_id"]
    for c in cols:
        if c not in changes:
            changes[c] = None
    changes = changes[cols]
    # the number of records of a person that moved is filled from the records
    n_new = out.groupby("person_id").size()
    n_old = old.groupby("person_id").size()
    mv = changes["change"] == "unchanged_but_moved_household"
    changes.loc[mv, "n_new_records"] = n_new.reindex(changes.loc[mv, "new_id"]).to_numpy()
    changes.loc[mv, "n_old_records"] = n_old.reindex(changes.loc[mv, "old_id"]).to_numpy()
    return out, changes.reset_index(drop=True), reg, run


def change_summary(changes: pd.DataFrame, records: pd.DataFrame, prev_records: pd.DataFrame) -> pd.DataFrame:
    """Counts per level of ids kept, created (new, split_from), retired (merged_into, removed) and moved."""
    rows = []
    for level, col in (("person", "person_id"), ("household", "household_id")):
        c = changes[changes["level"] == level]["change"].value_counts()
        kept = len(set(prev_records[col]) & set(records[col]))
        rows.append({"level": level, "kept": kept, "new": int(c.get("new", 0)),
                     "split_from": int(c.get("split_from", 0)), "merged_into": int(c.get("merged_into", 0)),
                     "removed": int(c.get("removed", 0)),
                     "moved_household": int(c.get("unchanged_but_moved_household", 0))})
    return pd.DataFrame(rows).set_index("level")


# ======================================================================================= reused pairs


@dataclass
class PairReuse:
    """What an update can take over from the previous run's scoring."""

    changed: np.ndarray      # per record of the model table (canonical order): changed or new
    pairs: pd.DataFrame      # unique_id_l, unique_id_r, gamma_<comparison> of reusable pairs
    stats: dict


def unchanged_records(prev_hashes: pd.DataFrame, table: pd.DataFrame, hashes: np.ndarray) -> np.ndarray:
    """Per record of the model table: True when the previous run held a record with the same source,
    record id and model-table row (hash), so its comparisons with any other unchanged record are the same.
    The (source, record id) keys of both runs are numbered together (:func:`record_codes`) and each
    record's hash compared with the previous hash of its key (a record id is unique in its source; a
    previous run with a key twice is matched on key and hash at once).

    >>> prev = pd.DataFrame({"source": ["a", "a", "b"], "record_id": ["1", "2", "1"], "row_hash": [7, 8, 9]})
    >>> t = pd.DataFrame({"source": ["b", "a", "a", "c"], "record_id": ["1", "1", "2", "1"]})
    >>> unchanged_records(prev, t, np.array([9, 7, 5, 9])).tolist()
    [True, True, False, False]
    """
    co, cn = record_codes((prev_hashes["source"], prev_hashes["record_id"]), (table["source"], table["record_id"]))
    return _same_hash(co, prev_hashes["row_hash"].to_numpy(dtype=np.int64), cn, hashes)


def _same_hash(co: np.ndarray, old_hash: np.ndarray, cn: np.ndarray, new_hash: np.ndarray) -> np.ndarray:
    """Per new record (key code ``cn``): whether the previous run held its key with its hash."""
    new_hash = np.asarray(new_hash).astype(np.int64)
    n = int(max(co.max(initial=-1), cn.max(initial=-1))) + 1
    if len(co) and np.bincount(co, minlength=n).max() == 1:
        held = np.zeros(n, dtype=bool)
        prev = np.zeros(n, dtype=np.int64)
        held[co], prev[co] = True, old_hash
        return held[cn] & (prev[cn] == new_hash)
    return pd.MultiIndex.from_arrays([cn, new_hash]).isin(pd.MultiIndex.from_arrays([co, old_hash]))


def record_codes(*keys: tuple[pd.Series, pd.Series]) -> list[np.ndarray]:
    """For each ``(source, record_id)`` pair of columns, one integer code per row, numbered together: equal
    codes for equal source and record id (as text). The sources and the record ids are numbered on their
    own and combined (no text of the two joined per row is made).

    >>> a, b = record_codes((pd.Series(["x", "y"]), pd.Series([1, "1"])), (pd.Series(["y", "x"]), pd.Series(["1", "2"])))
    >>> a.tolist(), b.tolist()
    ([0, 1], [1, 2])
    """
    sizes = np.cumsum([len(s) for s, _ in keys])[:-1]
    sc, _ = pd.factorize(np.concatenate([s.astype(str).to_numpy(dtype=object) for s, _ in keys]))
    rc, _ = pd.factorize(np.concatenate([r.astype(str).to_numpy(dtype=object) for _, r in keys]))
    both, _ = pd.factorize(rc.astype(np.int64) * (int(sc.max(initial=0)) + 1) + sc)   # dense codes
    return np.split(both.astype(np.int64), sizes)


def reusable_pairs(prev: PreviousRun, table: pd.DataFrame, hashes: np.ndarray, model: dict) -> PairReuse | None:
    """The previous run's scored pairs between two unchanged records (:func:`unchanged_records`), on the
    new model table's ``unique_id`` and with their comparison levels as gamma values; None when the
    previous run kept no row hashes or pairs, was scored by another model, or a level key is not one of
    ``model``'s."""
    from linkmiskin.scoring.levels import levels_by_gamma

    if prev.row_hashes is None or prev.pairs is None or not len(table):
        return None
    if prev.model is not None and json.dumps(prev.model, sort_keys=True, default=str) != json.dumps(
            model, sort_keys=True, default=str):
        return None   # its pairs were kept by another model's scores
    p, ph = prev.pairs, prev.row_hashes
    co, cn, cl, cr = record_codes((ph["source"], ph["record_id"]), (table["source"], table["record_id"]),
                                  (p["source_l"], p["record_id_l"]), (p["source_r"], p["record_id_r"]))
    same = _same_hash(co, ph["row_hash"].to_numpy(dtype=np.int64), cn, hashes)
    # each unchanged record's unique_id, by key code (-1: changed, new or gone)
    uid = np.full(int(max(c.max(initial=-1) for c in (co, cn, cl, cr))) + 1, -1, dtype=np.int64)
    uid[cn[same]] = np.flatnonzero(same)
    left, right = uid[cl], uid[cr]
    both = (left >= 0) & (right >= 0)
    out = pd.DataFrame({"unique_id_l": left[both], "unique_id_r": right[both]})
    for name, levels in levels_by_gamma(model).items():
        col = f"{name}_level_key"
        if col not in p:
            return None
        key_to_gamma = {lv["key"]: g for g, lv in levels.items()}
        g = p[col].to_numpy(dtype=object)[both]
        mapped = pd.Series(g).map(key_to_gamma)
        if mapped.isna().any():
            return None
        out[f"gamma_{name}"] = mapped.to_numpy(dtype=np.int64)
    # Splink scores each pair once, the smaller id on the left (the order may differ from the previous run's)
    lo = np.minimum(out["unique_id_l"].to_numpy(), out["unique_id_r"].to_numpy())
    hi = np.maximum(out["unique_id_l"].to_numpy(), out["unique_id_r"].to_numpy())
    out["unique_id_l"], out["unique_id_r"] = lo, hi
    stats = {"records_unchanged": int(same.sum()), "records_changed_or_new": int((~same).sum()),
             "pairs_reused": int(len(out))}
    return PairReuse(~same, out, stats)
