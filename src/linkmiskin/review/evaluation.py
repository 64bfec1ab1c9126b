"""Accuracy of a linkage against a known truth (for synthetic or clerically reviewed data).

:func:`evaluate` compares predicted person (and household) clusters with true ones and reports

* pairwise precision, recall and F1 over **all record pairs**, within and across sources;
* B-cubed precision, recall and F1 (per-record averages, less dominated by big clusters);
* the merge rate of each kind of *hard negative* (different people who look alike: twins, a son with his
  father's name, same-name neighbours, people born on the same day in the same kecamatan);
* a breakdown of pairwise accuracy by source pair (``dtks``-``p3ke``, ``dtks``-``dtks``, ...).

Everything is counted from contingency tables of cluster labels, never by enumerating pairs, so the cost
is linear in the number of records (a million records take a few seconds)::

    TP pairs        = sum over (predicted, true) cells of C(n_cell, 2)
    predicted pairs = sum over predicted clusters of C(n, 2)
    true pairs      = sum over true clusters of C(n, 2)

>>> import pandas as pd
>>> truth = pd.DataFrame({"source": ["a", "a", "b"], "record_id": ["1", "2", "1"],
...                       "person_id": ["p1", "p1", "p2"], "household_id": ["h1", "h1", "h1"]})
>>> pred = truth.assign(person_id=["x", "x", "x"])
>>> ev = evaluate(pred, truth)
>>> ev.person["pairwise_precision"], ev.person["pairwise_recall"]
(0.3333333333333333, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Evaluation", "evaluate", "missed_pairs", "missed_pairs_table", "record_evidence"]

_KEYS = ("source", "record_id")
_METRICS = (
    "pairwise_precision",
    "pairwise_recall",
    "pairwise_f1",
    "bcubed_precision",
    "bcubed_recall",
    "bcubed_f1",
    "true_pairs",
    "predicted_pairs",
    "tp_pairs",
)


@dataclass
class Evaluation:
    """Result of :func:`evaluate`.

    ``person`` and ``household`` hold the metrics named in ``_METRICS`` (an empty dict when that level was
    not evaluated, e.g. the prediction has no ``household_id``). ``hard_negatives`` has one row per kind of
    hard negative (``kind, groups, pairs, merged_pairs, merge_rate, groups_merged``): *pairs* are pairs of
    records of different true persons in the same look-alike group, *merged_pairs* those placed in the
    same predicted person. ``by_source_pair`` gives person-level pairwise accuracy per source pair.
    """

    person: dict[str, float] = field(default_factory=dict)
    household: dict[str, float] = field(default_factory=dict)
    hard_negatives: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_source_pair: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_records: int = 0

    def to_frame(self) -> pd.DataFrame:
        """Long table ``level, metric, value`` of the person and household metrics."""
        rows = [
            {"level": level, "metric": m, "value": float(metrics[m])}
            for level, metrics in (("person", self.person), ("household", self.household))
            for m in _METRICS
            if m in metrics
        ]
        return pd.DataFrame(rows, columns=["level", "metric", "value"])

    def summary(self) -> str:
        """Readable multi-line report."""
        lines = [f"Evaluation of {self.n_records:,} records"]
        for level, m in (("person", self.person), ("household", self.household)):
            if not m:
                lines.append(f"  {level:<9}  (not evaluated)")
                continue
            lines.append(
                f"  {level:<9}  pairwise P={_fmt(m['pairwise_precision'])} R={_fmt(m['pairwise_recall'])} "
                f"F1={_fmt(m['pairwise_f1'])} | B-cubed P={_fmt(m['bcubed_precision'])} "
                f"R={_fmt(m['bcubed_recall'])} F1={_fmt(m['bcubed_f1'])} | pairs true={int(m['true_pairs']):,} "
                f"predicted={int(m['predicted_pairs']):,} tp={int(m['tp_pairs']):,}"
            )
        if len(self.hard_negatives):
            lines.append("  hard negatives (share of look-alike pairs wrongly merged):")
            for r in self.hard_negatives.itertuples(index=False):
                lines.append(
                    f"    {r.kind:<22} groups={int(r.groups):>7,} pairs={int(r.pairs):>9,} "
                    f"merged={int(r.merged_pairs):>7,} rate={_fmt(r.merge_rate)}"
                )
        if len(self.by_source_pair):
            lines.append("  by source pair (person level):")
            for r in self.by_source_pair.itertuples(index=False):
                lines.append(
                    f"    {r.source_l:>10} - {r.source_r:<10} P={_fmt(r.precision)} R={_fmt(r.recall)} "
                    f"F1={_fmt(r.f1)} true={int(r.true_pairs):,} predicted={int(r.predicted_pairs):,}"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _fmt(x: float) -> str:
    return "  n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.4f}"


# ----------------------------------------------------------------------------------------------- helpers


def _as_frame(obj: Any, what: str) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        return obj
    records = getattr(obj, "records", None)
    if isinstance(records, pd.DataFrame):
        return records
    raise TypeError(f"{what} must be a pandas DataFrame or an object with a `.records` DataFrame, "
                    f"got {type(obj).__name__}")


def _key_str(s: pd.Series) -> np.ndarray:
    """Record ids compared as strings; integral floats (``12.0`` from a file) become ``"12"``."""
    vals = s.to_numpy()
    if pd.api.types.is_float_dtype(s):
        if np.isfinite(vals).all() and np.all(vals == np.round(vals)):
            return vals.astype(np.int64).astype(str).astype(object)
    if pd.api.types.is_integer_dtype(s):
        return vals.astype(np.int64).astype(str).astype(object)
    if s.dtype == object and all(type(v) is str for v in vals[: min(len(vals), 1000)]):
        try:
            return vals.astype(str).astype(object)
        except (TypeError, ValueError):  # pragma: no cover
            pass
    return np.array([str(int(v)) if isinstance(v, float) and v == int(v) else str(v) for v in vals], dtype=object)


def _check_columns(df: pd.DataFrame, needed: tuple[str, ...], what: str) -> None:
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}; it has {list(df.columns)}")


def _labels(s: pd.Series) -> np.ndarray:
    """Integer cluster codes; a missing label is its own singleton cluster."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    na = codes < 0
    if na.any():
        codes[na] = len(uniques) + np.arange(int(na.sum()), dtype=np.int64)
    return codes


def _c2(n: np.ndarray) -> np.ndarray:
    n = n.astype(np.float64)
    return n * (n - 1.0) / 2.0


def _dense(a: np.ndarray) -> np.ndarray:
    return pd.factorize(a)[0].astype(np.int64)


def _cell_codes(*codes: np.ndarray) -> np.ndarray:
    """Combine several dense non-negative integer label arrays into one dense cell id per record."""
    out = codes[0]
    for c in codes[1:]:
        base = int(c.max()) + 1 if len(c) else 1
        out = _dense(out * base + c)  # both factors < n, so the product fits in int64
    return out


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else float("nan")


def _f1(p: float, r: float) -> float:
    if np.isnan(p) or np.isnan(r):
        return float("nan")
    return 0.0 if p + r == 0 else 2.0 * p * r / (p + r)


def _cluster_metrics(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    n = len(pred)
    cell = _cell_codes(pred, true)
    n_cell = np.bincount(cell)
    a = np.bincount(pred)  # predicted cluster sizes
    b = np.bincount(true)  # true cluster sizes
    tp = float(_c2(n_cell).sum())
    pp = float(_c2(a).sum())
    tt = float(_c2(b).sum())
    # B-cubed: for each record, |pred ∩ true| / |pred| (precision) and / |true| (recall)
    first = np.zeros(len(n_cell), dtype=np.int64)
    first[cell] = np.arange(n)
    cp, ct = pred[first], true[first]
    nc = n_cell.astype(np.float64)
    bp = float((nc * nc / a[cp]).sum() / n) if n else float("nan")
    br = float((nc * nc / b[ct]).sum() / n) if n else float("nan")
    p, r = _ratio(tp, pp), _ratio(tp, tt)
    return {
        "pairwise_precision": p,
        "pairwise_recall": r,
        "pairwise_f1": _f1(p, r),
        "bcubed_precision": bp,
        "bcubed_recall": br,
        "bcubed_f1": _f1(bp, br),
        "true_pairs": tt,
        "predicted_pairs": pp,
        "tp_pairs": tp,
    }


def _pair_matrix(cluster: np.ndarray, src: np.ndarray, n_src: int) -> np.ndarray:
    """S x S matrix of record pairs inside clusters by source pair (upper triangle used, s<=t)."""
    counts = np.zeros((int(cluster.max()) + 1 if len(cluster) else 0, n_src), dtype=np.float64)
    np.add.at(counts, (cluster, src), 1.0)
    m = counts.T @ counts  # sum over clusters of c_s * c_t
    diag = counts.sum(axis=0)
    out = m.copy()
    out[np.diag_indices(n_src)] = (np.diag(m) - diag) / 2.0  # within one source: C(c_s, 2)
    return out


def _by_source_pair(pred: np.ndarray, true: np.ndarray, source: pd.Series) -> pd.DataFrame:
    src_codes, src_names = pd.factorize(source, sort=True)
    s = len(src_names)
    cell = _cell_codes(pred, true)
    tp = _pair_matrix(cell, src_codes, s)
    pp = _pair_matrix(pred, src_codes, s)
    tt = _pair_matrix(true, src_codes, s)
    rows = []
    for i in range(s):
        for j in range(i, s):
            p, r = _ratio(tp[i, j], pp[i, j]), _ratio(tp[i, j], tt[i, j])
            rows.append({
                "source_l": str(src_names[i]), "source_r": str(src_names[j]),
                "precision": p, "recall": r, "f1": _f1(p, r),
                "true_pairs": tt[i, j], "predicted_pairs": pp[i, j], "tp_pairs": tp[i, j],
            })
    return pd.DataFrame(rows, columns=["source_l", "source_r", "precision", "recall", "f1",
                                       "true_pairs", "predicted_pairs", "tp_pairs"])


def _hard_negatives(pred: np.ndarray, true: np.ndarray, group: pd.Series) -> pd.DataFrame:
    cols = ["kind", "groups", "pairs", "merged_pairs", "merge_rate", "groups_merged"]
    g = group.astype("string")
    mask = g.notna().to_numpy() & (g.fillna("").str.len() > 0).to_numpy()
    if not mask.any():
        return pd.DataFrame(columns=cols)
    gval = g[mask].astype(object).to_numpy()
    gcode, guniq = pd.factorize(gval)
    p, t = pred[mask], true[mask]
    ng = len(guniq)

    def per_group(*codes: np.ndarray) -> np.ndarray:
        cell = _cell_codes(gcode, *codes) if codes else gcode
        n = np.bincount(cell).astype(np.float64)
        first = np.zeros(len(n), dtype=np.int64)
        first[cell] = np.arange(len(cell))
        return np.bincount(gcode[first], weights=_c2(n), minlength=ng)

    all_pairs = per_group()
    same_person = per_group(t)
    same_pred = per_group(p)
    same_pred_person = per_group(p, t)
    pairs = all_pairs - same_person
    merged = same_pred - same_pred_person
    kinds = pd.Series(guniq).astype(str).str.split(":", n=1).str[0].to_numpy()
    df = pd.DataFrame({"kind": kinds, "pairs": pairs, "merged": merged})
    df = df[df["pairs"] > 0]
    out = df.groupby("kind", sort=True).agg(
        groups=("pairs", "size"), pairs=("pairs", "sum"), merged_pairs=("merged", "sum"),
        groups_merged=("merged", lambda x: int((x > 0).sum())),
    ).reset_index()
    out["merge_rate"] = out["merged_pairs"] / out["pairs"]
    return out[cols].reset_index(drop=True)


def _join(pred: pd.DataFrame, truth: pd.DataFrame, pcols: list[str], tcols: list[str]) -> pd.DataFrame:
    """Align prediction rows with truth rows on (source, record_id) using integer keys (linear time)."""
    n_p, n_t = len(pred), len(truth)
    src = np.concatenate([pred["source"].astype(str).to_numpy(dtype=object),
                          truth["source"].astype(str).to_numpy(dtype=object)])
    rid = np.concatenate([_key_str(pred["record_id"]), _key_str(truth["record_id"])])
    s_codes, s_uniq = pd.factorize(src)
    r_codes, r_uniq = pd.factorize(rid)
    key = s_codes.astype(np.int64) * max(len(r_uniq), 1) + r_codes
    kp, kt = key[:n_p], key[n_p:]

    def example(keys: np.ndarray) -> str:
        k = int(keys[0])
        return f"{s_uniq[k // max(len(r_uniq), 1)]}/{r_uniq[k % max(len(r_uniq), 1)]}"

    for k, what in ((kp, "result"), (kt, "truth")):
        dup = pd.Series(k).duplicated().to_numpy()
        if dup.any():
            raise ValueError(f"{int(dup.sum())} duplicated (source, record_id) keys in the {what}, "
                             f"e.g. {example(k[dup])}")
    order_t = np.argsort(kt, kind="stable")
    pos = np.searchsorted(kt[order_t], kp)
    pos_c = np.minimum(pos, max(n_t - 1, 0))
    found = (pos < n_t) & (kt[order_t][pos_c] == kp) if n_t else np.zeros(n_p, dtype=bool)
    only_pred = int((~found).sum())
    only_truth = n_t - int(found.sum())
    if only_pred or only_truth:
        parts = []
        if only_pred:
            parts.append(f"{only_pred} record(s) of the result are not in the truth (e.g. {example(kp[~found])})")
        if only_truth:
            seen = np.zeros(n_t, dtype=bool)
            seen[order_t[pos_c[found]]] = True
            parts.append(f"{only_truth} record(s) of the truth are missing from the result "
                         f"(e.g. {example(kt[~seen])})")
        raise ValueError("; ".join(parts) + ". Evaluate on the same set of records.")
    t_idx = order_t[pos_c]
    out = pd.DataFrame({"source": src[:n_p], "record_id": rid[:n_p]})
    for c in pcols:
        out["pred_" + c] = pred[c].to_numpy()
    for c in tcols:
        out["true_" + c] = truth[c].to_numpy()[t_idx]
    return out


# -------------------------------------------------------------------------------------------------- API


def evaluate(result_or_frame: Any, truth: Any, level: str = "both") -> Evaluation:
    """Compare predicted clusters with the truth.

    Parameters
    ----------
    result_or_frame:
        A DataFrame with ``source, record_id, person_id`` (and optionally ``household_id``), or any object
        with such a DataFrame in ``.records`` (e.g. a ``LinkResult``). A missing ``person_id`` means an
        unlinked record (its own cluster).
    truth:
        A DataFrame with ``source, record_id, person_id, household_id`` and optionally
        ``hard_negative_group`` (e.g. ``linkmiskin.synthetic.generator.generate(...).truth``), or an object with a
        ``.truth`` DataFrame.
    level:
        ``"person"``, ``"household"`` or ``"both"``.

    Records are joined on ``(source, record_id)`` with ``record_id`` compared as text. Every record must be
    on both sides: a :class:`ValueError` says how many are missing from which side.
    """
    if level not in ("person", "household", "both"):
        raise ValueError(f"level must be 'person', 'household' or 'both', not {level!r}")
    pred = _as_frame(result_or_frame, "result_or_frame")
    if not isinstance(truth, pd.DataFrame) and isinstance(getattr(truth, "truth", None), pd.DataFrame):
        truth = truth.truth
    truth = _as_frame(truth, "truth")

    want_person = level in ("person", "both")
    want_household = level in ("household", "both")
    need_pred = [*_KEYS]
    if want_person:
        need_pred.append("person_id")
    if level == "household":
        need_pred.append("household_id")
    _check_columns(pred, tuple(need_pred), "result")
    need_truth = [*_KEYS, "person_id"]
    if want_household:
        need_truth.append("household_id")
    _check_columns(truth, tuple(need_truth), "truth")
    do_household = want_household and "household_id" in pred.columns

    pcols = [c for c in ("person_id", "household_id") if c in pred.columns and (c != "household_id" or do_household)]
    tcols = [c for c in ("person_id", "household_id", "hard_negative_group") if c in truth.columns]
    merged = _join(pred, truth, pcols, tcols)
    ev = Evaluation(n_records=len(merged))
    if not len(merged):
        return ev
    true_person = _labels(merged["true_person_id"])
    if want_person:
        pred_person = _labels(merged["pred_person_id"])
        ev.person = _cluster_metrics(pred_person, true_person)
        ev.by_source_pair = _by_source_pair(pred_person, true_person, merged["source"])
        if "true_hard_negative_group" in merged.columns:
            ev.hard_negatives = _hard_negatives(pred_person, true_person, merged["true_hard_negative_group"])
        else:
            ev.hard_negatives = _hard_negatives(pred_person, true_person,
                                                pd.Series([None] * len(merged), dtype="string"))
    if do_household:
        ev.household = _cluster_metrics(_labels(merged["pred_household_id"]),
                                        _labels(merged["true_household_id"]))
    return ev


# ------------------------------------------------------------------------------------- missed true pairs

#: how a missed true pair was lost, in pipeline order (see :func:`missed_pairs`)
MISSED_STAGES = ("never_candidate", "candidate_below_kept", "scored_below_threshold", "split_by_cannot_link",
                 "split_by_clustering")
_NIK_FIELD = {"valid": "valid", "unknown_region": "valid", "excel_damaged": "damaged", "missing": "missing"}


def record_evidence(records: pd.DataFrame) -> pd.DataFrame:
    """Per record, which evidence it carries, in a few words per field: ``nik`` (valid / damaged /
    missing / invalid), ``dob`` (date / placeholder / age / missing), ``kk`` (kk / none), ``desa``
    (desa / none) and ``name`` (multi / mononym / ny / none), from a result's standardised columns.

    >>> recs = pd.DataFrame({"nik_status": ["valid", "missing"], "birth_date": ["1980-01-02", None],
    ...     "birth_date_placeholder": [False, False], "birth_year_approx_from_age": [False, True],
    ...     "kk_status": ["valid", "missing"], "desa_code": ["3216010001", None],
    ...     "name": ["BUDI SANTOSO", "SUGENG"], "name_tokens": [["BUDI", "SANTOSO"], ["SUGENG"]],
    ...     "name_form": [None, None]})
    >>> record_evidence(recs).to_dict(orient="list")["dob"]
    ['date', 'age']
    """
    n = len(records)

    def col(c: str, default: Any = None) -> pd.Series:
        return records[c] if c in records else pd.Series([default] * n, index=records.index, dtype=object)

    nik = col("nik_status").astype(object).map(lambda s: _NIK_FIELD.get(s, "missing" if s is None else "invalid"))
    has_date = col("birth_date").notna()
    placeholder = col("birth_date_placeholder", False).fillna(False).astype(bool)
    age = col("birth_year_approx_from_age", False).fillna(False).astype(bool)
    dob = np.select([age, has_date & placeholder, has_date], ["age", "placeholder", "date"], "missing")
    kk = np.where(col("kk_status").astype(str).isin(["valid", "unknown_region"]), "kk", "none")
    desa = np.where(col("desa_code").notna(), "desa", "none")
    n_tok = col("name_tokens").map(lambda v: len(v) if isinstance(v, (list, tuple, np.ndarray)) else 0)
    name = np.select([col("name").isna(), col("name_form").notna(), n_tok.to_numpy() == 1],
                     ["none", "ny", "mononym"], "multi")
    return pd.DataFrame({"nik": nik.to_numpy(dtype=object), "dob": dob, "kk": kk, "desa": desa, "name": name},
                        index=records.index)


def _true_pairs(person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i < j) of row positions with the same true person label."""
    df = pd.DataFrame({"p": person, "i": np.arange(len(person))})
    m = df.merge(df, on="p", suffixes=("_l", "_r"))
    m = m[m["i_l"] < m["i_r"]]
    return m["i_l"].to_numpy(), m["i_r"].to_numpy()


def _blocking_hits(table: pd.DataFrame, rules: list[str], ul: np.ndarray, ur: np.ndarray) -> list[str]:
    """Per pair of model-table ids, the numbers (``"3,7"``) of the prediction blocking rules that hold on
    it ('' for none), evaluated in a fresh DuckDB on just these pairs."""
    import duckdb

    if not len(ul):
        return []
    con = duckdb.connect()
    ids = np.union1d(ul, ur)
    con.register("t", table[table["unique_id"].isin(ids)])
    con.register("p", pd.DataFrame({"a": np.minimum(ul, ur), "b": np.maximum(ul, ur), "k": np.arange(len(ul))}))
    hits = ", ".join(f"CASE WHEN coalesce(({r}), false) THEN '{i}' END" for i, r in enumerate(rules))
    sql = (f"SELECT p.k, concat_ws(',', {hits}) AS h FROM p JOIN t l ON l.unique_id = p.a "
           f"JOIN t r ON r.unique_id = p.b ORDER BY p.k")
    out = con.execute(sql).df()["h"].fillna("").to_numpy(dtype=object)
    con.close()
    return list(out)


def missed_pairs(result: Any, truth: Any) -> pd.DataFrame:
    """Every true person pair that a :class:`~linkmiskin.linkage.LinkResult` split, with the stage that lost
    it and the evidence both records carry.

    ``stage`` (:data:`MISSED_STAGES`): ``never_candidate`` (no prediction blocking rule holds on the pair),
    ``candidate_below_kept`` (blocked, scored below the kept minimum), ``scored_below_threshold``,
    ``split_by_cannot_link`` (scored above the threshold, a named cannot-link rule, ``rule``, kept them apart)
    or ``split_by_clustering`` (above the threshold, no rule on this pair: the clustering split their
    component elsewhere). ``blocking`` lists the numbers of the blocking rules that hold (positions in the
    model's ``blocking_rules_to_generate_predictions``); ``nik, dob, kk, desa, name`` give both records'
    :func:`record_evidence` as ``"left|right"`` in sorted order. ``fragment_stage`` is the furthest stage
    reached by any missed pair between the same two predicted persons of one true person: a pair that was
    never a candidate is lost only when no other record of the two fragments was scored with the other.
    """
    from linkmiskin.linkage import MIN_KEPT_PROBABILITY, _blocking_rule_sql

    recs = _as_frame(result, "result")
    truth = truth.truth if isinstance(getattr(truth, "truth", None), pd.DataFrame) else truth
    merged = _join(recs, _as_frame(truth, "truth"), ["person_id"], ["person_id"])
    i, j = _true_pairs(_labels(merged["true_person_id"]))
    pred = _labels(merged["pred_person_id"])
    keep = pred[i] != pred[j]
    i, j = i[keep], j[keep]
    table = result._linker._table
    uid = pd.Series(table["unique_id"].to_numpy(), index=pd.MultiIndex.from_arrays(
        [table["source"].astype(str).to_numpy(), table["record_id"].astype(str).to_numpy()]))
    rec_uid = uid.reindex(pd.MultiIndex.from_arrays([merged["source"].to_numpy(dtype=object),
                                                     merged["record_id"].to_numpy(dtype=object)])).to_numpy()
    ul, ur = rec_uid[i].astype(np.int64), rec_uid[j].astype(np.int64)
    pairs = result.pairs
    pk = pd.MultiIndex.from_arrays([pairs["source_l"].astype(str), pairs["record_id_l"].astype(str),
                                    pairs["source_r"].astype(str), pairs["record_id_r"].astype(str)])
    scored = pairs.set_axis(pk)[["match_probability", "cannot_link_rule"]]
    src, rid = merged["source"].to_numpy(dtype=object), merged["record_id"].to_numpy(dtype=object)
    fwd = scored.reindex(pd.MultiIndex.from_arrays([src[i], rid[i], src[j], rid[j]]))
    bwd = scored.reindex(pd.MultiIndex.from_arrays([src[j], rid[j], src[i], rid[i]]))
    got = fwd.where(fwd["match_probability"].notna(), bwd.to_numpy())
    p = got["match_probability"].to_numpy(dtype=float)
    rule = got["cannot_link_rule"].fillna("").to_numpy(dtype=object)
    blocking = np.array(_blocking_hits(table, _blocking_rule_sql(result.model or {}) or [], ul, ur), dtype=object)
    blocked = blocking != "" if len(blocking) else np.zeros(0, dtype=bool)
    stage = np.select(
        [np.isnan(p) & ~blocked, np.isnan(p), p < result.threshold, rule != ""],
        ["never_candidate", "candidate_below_kept", "scored_below_threshold", "split_by_cannot_link"],
        "split_by_clustering")
    ev = record_evidence(recs.set_index(np.arange(len(recs))))
    # records were joined to the truth in the result's row order, so row positions index both
    out = pd.DataFrame({"source_l": src[i], "record_id_l": rid[i], "source_r": src[j], "record_id_r": rid[j],
                        "stage": stage, "match_probability": p, "rule": rule, "blocking": blocking})
    for c in ev.columns:
        a, b = ev[c].to_numpy(dtype=object)[i], ev[c].to_numpy(dtype=object)[j]
        out[c] = np.where(a <= b, a + "|" + b, b + "|" + a)
    lo, hi = np.minimum(pred[i], pred[j]), np.maximum(pred[i], pred[j])
    rank = pd.Series(pd.Categorical(stage, categories=list(MISSED_STAGES)).codes)
    frag = rank.groupby([_labels(merged["true_person_id"])[i], lo, hi]).transform("max").to_numpy()
    out["fragment_stage"] = np.asarray(MISSED_STAGES, dtype=object)[frag] if len(frag) else frag
    out.attrs["min_kept_probability"] = MIN_KEPT_PROBABILITY
    return out


def missed_pairs_table(missed: pd.DataFrame, by: str | list[str] = "stage") -> pd.DataFrame:
    """Counts and shares of :func:`missed_pairs` rows by ``by`` (a column or columns), largest first."""
    by = [by] if isinstance(by, str) else list(by)
    t = missed.groupby(by, dropna=False).size().rename("pairs").reset_index()
    t["share"] = (t["pairs"] / max(len(missed), 1)).round(4)
    return t.sort_values("pairs", ascending=False).reset_index(drop=True)
