"""The clerical review sample: strata by match weight, Neyman allocation, the design it carries.

See :mod:`linkmiskin.review.calibration` for the method; :func:`review_sample` draws the sample.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.privacy import MaskedError, mask_series, mask_text

__all__ = ['LABELS', 'DEFAULT_BAND_PROBABILITIES', 'ReviewError', 'design_of', 'review_sample', 'threshold_grid', 'probability_to_weight', 'weight_to_probability']


#: The labels a reviewer may give (a blank cell means "not reviewed yet").
LABELS: tuple[str, ...] = ("match", "non-match", "unsure")
#: Default stratum cut points, as probabilities (converted to match weights).
DEFAULT_BAND_PROBABILITIES: tuple[float, ...] = (0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999)

_DESIGN_KEY = "linkmiskin_review_design"
_S_FLOOR = 0.1            # allocation floor on a stratum's label standard deviation
_MW_DECIMALS = 2          # population match weights are kept to 0.01 for the design

# (header in the workbook, column in records, column compared to decide "differs")
_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "name_raw", "name"),
    ("nik", "nik", "nik"),
    ("kk", "kk", "kk"),
    ("birth_date", "birth_date", "birth_date"),
    ("sex", "sex", "sex"),
    ("relationship", "relationship", "relationship"),
    ("mother_name", "mother_name", "mother_name"),
    ("father_name", "father_name", "father_name"),
    ("address", "address_raw", "address_clean"),
    ("rt", "rt", "rt"),
    ("rw", "rw", "rw"),
    ("desa", "desa_name", "desa_code"),
    ("kecamatan", "kecamatan_name", "kecamatan_code"),
)
_ID_FIELDS = ("nik", "kk")
_META_COLUMNS = ("review_id", "source_l", "record_id_l", "source_r", "record_id_r", "stratum",
                 "stratum_weight", "match_probability", "match_weight")
_REVIEW_ID_COLUMNS = {"source_A": "source_l", "record_id_A": "record_id_l",
                      "source_B": "source_r", "record_id_B": "record_id_r"}


class ReviewError(MaskedError):
    """A review workbook or labelled sample that cannot be used; the message says where and why."""


# ============================================================================================ helpers


def probability_to_weight(p: Any) -> Any:
    """Match probability -> match weight (log2 odds), elementwise."""
    p = np.clip(np.asarray(p, dtype=float), 1e-300, 1 - 1e-16)
    out = np.log2(p / (1.0 - p))
    return float(out) if out.ndim == 0 else out


def weight_to_probability(w: Any) -> Any:
    """Match weight (log2 odds) -> match probability, elementwise."""
    w = np.asarray(w, dtype=float)
    out = 1.0 / (1.0 + np.exp2(-w))
    return float(out) if out.ndim == 0 else out


def _pairs_of(obj: Any) -> pd.DataFrame:
    if isinstance(obj, pd.DataFrame):
        pairs = obj
    else:
        pairs = getattr(obj, "pairs", None)
        if not isinstance(pairs, pd.DataFrame):
            raise TypeError(f"expected a LinkResult or a pairs DataFrame, got {type(obj).__name__}")
    if "match_probability" not in pairs.columns:
        raise ValueError(f"the pairs have no 'match_probability' column; they have {list(pairs.columns)}")
    return pairs


def _weights_of(pairs: pd.DataFrame) -> np.ndarray:
    if "match_weight" in pairs.columns:
        return pairs["match_weight"].to_numpy(dtype=float)
    return probability_to_weight(pairs["match_probability"].to_numpy(dtype=float))


def _set_design(df: pd.DataFrame, design: dict[str, Any]) -> None:
    # kept as a JSON string: pandas deep-copies .attrs on every operation and compares them on concat
    df.attrs[_DESIGN_KEY] = json.dumps(design, allow_nan=True)


def design_of(sample: pd.DataFrame) -> dict[str, Any] | None:
    """The review design (strata, the population's match weights, settings) carried by a sample, or None."""
    d = sample.attrs.get(_DESIGN_KEY)
    if d is None:
        return None
    return json.loads(d) if isinstance(d, str) else d


def _id_str(values: Any) -> np.ndarray:
    """Record ids as text, with integral floats (``12.0`` from Excel) as ``"12"``."""
    arr = np.asarray(values, dtype=object)
    if all(type(v) is str for v in arr):
        return np.char.strip(arr.astype(str)).astype(object) if len(arr) else arr
    out = []
    for v in np.asarray(values, dtype=object):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append("")
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip())
    return np.array(out, dtype=object)


def threshold_grid(pairs: Any = None, *, step: float = 0.25, lowest: float = -10.0,
                   highest: float = 20.0, extra: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
                   ) -> np.ndarray:
    """Thresholds (probabilities) every ``step`` of match weight from ``lowest`` up to the highest scored
    pair (at most ``highest``), plus the common probabilities in ``extra``. Sorted and unique."""
    hi = highest
    if pairs is not None:
        w = _weights_of(_pairs_of(pairs))
        if len(w):
            hi = min(highest, float(np.nanmax(w)))
    ws = np.arange(lowest, max(hi, lowest) + 1e-9, step)
    ps = np.concatenate([weight_to_probability(ws), np.asarray(extra, dtype=float)])
    ps = ps[(ps > 0) & (ps < 1)]
    return np.unique(np.round(ps, 12))


def _thresholds(thresholds: Any, pairs: Any = None) -> np.ndarray:
    if thresholds is None:
        return threshold_grid(pairs)
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if not np.all((t > 0) & (t < 1)):
        raise ValueError("thresholds are match probabilities strictly between 0 and 1")
    return np.unique(t)


# ================================================================================= 1. review sample


def _band_edges(bands: Any) -> np.ndarray:
    if bands is None:
        return np.asarray(probability_to_weight(np.asarray(DEFAULT_BAND_PROBABILITIES)), dtype=float)
    edges = np.asarray(sorted(float(b) for b in bands), dtype=float)
    if len(np.unique(edges)) != len(edges):
        raise ValueError(f"bands must be distinct match-weight cut points, got {list(bands)}")
    return edges


def _band_label(lo: float, hi: float) -> str:
    def w(x: float) -> str:
        return "-inf" if x == -np.inf else ("+inf" if x == np.inf else f"{x:.2f}")

    def p(x: float) -> str:
        if x == -np.inf:
            return "0"
        if x == np.inf:
            return "1"
        v = weight_to_probability(x)
        return f"{v:.4g}"

    return f"weight [{w(lo)}, {w(hi)}) = p [{p(lo)}, {p(hi)})"


def _allocate(N: np.ndarray, pbar: np.ndarray, n: int, s_floor: float = _S_FLOOR) -> np.ndarray:
    """Neyman allocation on the model's uncertainty with a floor and a minimum per stratum."""
    N = np.asarray(N, dtype=np.int64)
    total = int(N.sum())
    if n >= total:
        return N.copy()
    s = np.maximum(np.sqrt(np.clip(pbar * (1 - pbar), 0, None)), s_floor)
    minimum = np.minimum(N, max(3, int(math.ceil(0.03 * n))))
    alloc = minimum.copy()
    left = n - int(alloc.sum())
    if left < 0:  # more strata than the sample can serve: spread evenly, largest strata first
        alloc = np.zeros_like(N)
        for i in np.argsort(-N, kind="stable")[:n]:
            alloc[i] = 1
        return alloc
    # water-filling: share the rest by N_h * s_h, never above N_h
    for _ in range(len(N) + 1):
        room = N - alloc
        open_ = room > 0
        if left <= 0 or not open_.any():
            break
        score = (N * s) * open_
        share = left * score / score.sum()
        add = np.minimum(np.floor(share).astype(np.int64), room)
        if add.sum() == 0:
            break
        alloc += add
        left = n - int(alloc.sum())
    # hand out the remainder one by one to the strata with the largest unmet share
    while left > 0:
        room = N - alloc
        open_ = room > 0
        if not open_.any():
            break
        target = n * (N * s) / (N * s).sum()
        i = int(np.argmax(np.where(open_, target - alloc, -np.inf)))
        alloc[i] += 1
        left -= 1
    return alloc


def _design(pairs: pd.DataFrame, edges: np.ndarray, alloc: np.ndarray, stratum: np.ndarray,
            info: dict[str, Any]) -> dict[str, Any]:
    w = _weights_of(pairs)
    p = pairs["match_probability"].to_numpy(dtype=float)
    H = len(edges) + 1
    lows = np.concatenate([[-np.inf], edges])
    highs = np.concatenate([edges, [np.inf]])
    N = np.bincount(stratum, minlength=H)
    sums = np.bincount(stratum, weights=p, minlength=H)
    strata = []
    for h in range(H):
        if N[h] == 0:
            continue
        strata.append({"stratum": int(h), "mw_low": float(lows[h]), "mw_high": float(highs[h]),
                       "band": _band_label(lows[h], highs[h]), "population_pairs": int(N[h]),
                       "sampled_pairs": int(alloc[h]), "mean_probability": float(sums[h] / N[h])})
    pop = pd.DataFrame({"stratum": stratum, "match_weight": np.round(w, _MW_DECIMALS)})
    pop = pop.groupby(["stratum", "match_weight"]).size().rename("pairs").reset_index()
    return {"strata": strata,
            "population": {"stratum": pop["stratum"].astype(int).tolist(),
                           "match_weight": pop["match_weight"].astype(float).tolist(),
                           "pairs": pop["pairs"].astype(int).tolist()},
            "info": info}


def _as_text(s: pd.Series) -> pd.Series:
    """Values as text; whole numbers stored as floats (RT ``5.0``) shown as ``5``."""
    if pd.api.types.is_float_dtype(s):
        v = s.to_numpy(dtype=float)
        fin = np.isfinite(v)
        if np.all(v[fin] == np.round(v[fin])):
            return s.astype("Int64").astype("string")
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").astype("string")
    return s.astype("string")


def _record_fields(result: Any, sample: pd.DataFrame, show_ids: bool) -> tuple[pd.DataFrame, list[str]]:
    """Both records' fields side by side (``name_l, name_r, nik_l, ...``) and the list of field names.
    Also ``differs_<field>``: "differ", "one missing" or ""."""
    recs = getattr(result, "records", None)
    out = pd.DataFrame(index=sample.index)
    if not isinstance(recs, pd.DataFrame):
        return out, []
    key = recs["source"].astype(str) + "\x1f" + recs["record_id"].astype(str)
    rec = recs.set_index(pd.Index(key.to_numpy()))
    rec = rec[~rec.index.duplicated()]
    kl = sample["source_l"].astype(str) + "\x1f" + sample["record_id_l"].astype(str)
    kr = sample["source_r"].astype(str) + "\x1f" + sample["record_id_r"].astype(str)
    fields = []
    for name, show_col, cmp_col in _FIELDS:
        if show_col not in rec.columns:
            continue
        left = _as_text(rec[show_col].reindex(kl.to_numpy()))
        right = _as_text(rec[show_col].reindex(kr.to_numpy()))
        if left.isna().all() and right.isna().all():
            continue
        cmp_c = cmp_col if cmp_col in rec.columns else show_col
        cl = _as_text(rec[cmp_c].reindex(kl.to_numpy())).str.strip().str.upper().fillna("").to_numpy(dtype=object)
        cr = _as_text(rec[cmp_c].reindex(kr.to_numpy())).str.strip().str.upper().fillna("").to_numpy(dtype=object)
        ml, mr = cl == "", cr == ""
        same = cl == cr
        status = np.where(ml & mr, "", np.where(ml | mr, "one missing", np.where(same, "", "differ")))
        if name in _ID_FIELDS and not show_ids:
            left, right = mask_series(left), mask_series(right)
        elif name not in _ID_FIELDS:
            # free text could hold a NIK typed into the wrong column
            left = left.str.replace(r"\d{15,}", lambda m: mask_text(m.group(0)), regex=True)
            right = right.str.replace(r"\d{15,}", lambda m: mask_text(m.group(0)), regex=True)
        out[f"{name}_l"] = left.fillna("").to_numpy(dtype=object)
        out[f"{name}_r"] = right.fillna("").to_numpy(dtype=object)
        out[f"differs_{name}"] = status
        fields.append(name)
    return out, fields


def _draw_rows(rng: np.random.Generator, stratum: np.ndarray, alloc: np.ndarray) -> np.ndarray:
    """``alloc[h]`` pairs drawn without replacement from each stratum ``h``, then shuffled (blind order)."""
    picked = []
    for h in range(len(alloc)):
        if alloc[h] == 0:
            continue
        idx = np.flatnonzero(stratum == h)
        picked.append(np.sort(rng.choice(idx, size=int(alloc[h]), replace=False)))
    rows = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    return rows[rng.permutation(len(rows))]


def _sample_frame(pairs: pd.DataFrame, rows: np.ndarray, stratum: np.ndarray, edges: np.ndarray, N: np.ndarray,
                  alloc: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    """The sampled pairs' ids, stratum, band, weight, scores and empty ``label``/``note`` columns."""
    s = pairs.iloc[rows].reset_index(drop=True)
    sh = stratum[rows]
    out = pd.DataFrame({
        "review_id": np.arange(1, len(rows) + 1, dtype=np.int64),
        "stratum": sh,
        "band": [_band_label(*(np.concatenate([[-np.inf], edges])[h], np.concatenate([edges, [np.inf]])[h]))
                 for h in sh],
        "stratum_weight": (N[sh] / alloc[sh]).astype(float),
        "source_l": s["source_l"].astype(str).to_numpy() if "source_l" in s else "",
        "record_id_l": _id_str(s["record_id_l"]) if "record_id_l" in s else "",
        "source_r": s["source_r"].astype(str).to_numpy() if "source_r" in s else "",
        "record_id_r": _id_str(s["record_id_r"]) if "record_id_r" in s else "",
        "match_probability": s["match_probability"].to_numpy(dtype=float),
        "match_weight": w[rows],
        "label": pd.Series([None] * len(rows), dtype=object),
        "note": pd.Series([None] * len(rows), dtype=object),
    })
    for c in [c for c in s.columns if c.endswith("_level")] + (["agreeing_evidence"] if "agreeing_evidence" in s else []):
        out[c] = s[c].to_numpy()
    return out


def review_sample(result: Any, n: int = 300, *, seed: int = 0, bands: Any = None,
                  path: str | os.PathLike | None = None, show_ids: bool = False,
                  show_scores: bool = False) -> pd.DataFrame:
    """Draw a stratified sample of scored pairs for clerical review (and optionally write the workbook).

    Parameters
    ----------
    result:
        A :class:`~linkmiskin.linkage.LinkResult` (``pairs`` and ``records``). A bare pairs DataFrame also
        works, without the records' fields.
    n:
        Number of pairs to review (all pairs if there are fewer).
    seed:
        Random seed; the same seed and result give the same sample.
    bands:
        Stratum cut points in **match weight** (log2 odds); default at probabilities
        ``DEFAULT_BAND_PROBABILITIES`` (0.01 ... 0.9999). See the module docstring for the allocation.
    path:
        Write the review workbook here (see :func:`write_review_workbook`).
    show_ids:
        Show NIK and KK in full, for reviewers authorised to see them. Masked (``3216********0003``) by
        default, in the returned frame and in the workbook.
    show_scores:
        Put the model's probability and comparison levels in the workbook (default: blind review).

    Returns
    -------
    One row per sampled pair, shuffled: ``review_id, stratum, band, stratum_weight`` (population pairs in
    the stratum / sampled pairs in it), the pair ids and scores, an empty ``label`` and ``note``, and both
    records' fields side by side (``name_l, name_r, nik_l, nik_r, ...``) with ``differs_<field>``. The design
    (strata and the population's match weights) travels in ``.attrs`` for :func:`estimate_from_labels`.
    """
    pairs = _pairs_of(result)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if len(pairs) == 0:
        raise ValueError("there are no scored pairs to review")
    edges = _band_edges(bands)
    w = _weights_of(pairs)
    p = pairs["match_probability"].to_numpy(dtype=float)
    stratum = np.searchsorted(edges, w, side="right").astype(np.int64)
    H = len(edges) + 1
    N = np.bincount(stratum, minlength=H)
    pbar = np.bincount(stratum, weights=p, minlength=H) / np.maximum(N, 1)
    alloc = _allocate(N, pbar, int(n))
    rows = _draw_rows(np.random.default_rng(int(seed)), stratum, alloc)
    out = _sample_frame(pairs, rows, stratum, edges, N, alloc, w)
    fields_df, fields = _record_fields(result, out, show_ids)
    out = pd.concat([out, fields_df], axis=1)
    info = {"seed": int(seed), "n_requested": int(n), "n_sampled": int(len(out)),
            "population_pairs": int(len(pairs)), "show_ids": bool(show_ids), "fields": fields,
            "band_edges": [round(float(e), 9) for e in edges],
            "created": _dt.datetime.now().isoformat(timespec="seconds"),
            "result_threshold": float(getattr(result, "threshold", float("nan"))),
            "note": "population = scored pairs (match_probability >= 0.001); unscored pairs are invisible"}
    try:
        from linkmiskin import __version__
        info["linkmiskin_version"] = __version__
    except Exception:  # pragma: no cover
        pass
    _set_design(out, _design(pairs, edges, alloc, stratum, info))
    if path is not None:
        from linkmiskin.review.workbook import write_review_workbook  # the workbook module imports this one
        write_review_workbook(out, path, show_scores=show_scores)
    return out
