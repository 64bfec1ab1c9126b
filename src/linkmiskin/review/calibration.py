"""Choosing the match threshold knowingly: clerical review, estimates from labels, label-free estimates.

A Dinas Sosial must know what a threshold buys: how many **wrong merges** (two different people linked, so
two poor families counted as one and one of them missing aid) against how many **missed links** (one
person counted twice, aid paid twice). This module gives both views and the means to act on them::

    from linkmiskin.review import calibration as cal

    sample = cal.review_sample(result, n=300, path="review.xlsx")   # staff fill in the 'label' column
    labels = cal.read_review("review.xlsx")
    est = cal.estimate_from_labels(labels)                          # precision/recall/F1 with 95% intervals
    free = cal.label_free_estimates(result)                         # the model's own view (fastLink style)
    cal.compare_estimates(est, free)                                # where do they disagree?
    choice = cal.recommend_threshold(est, target_precision=0.99)
    new = cal.recluster(linker, choice)                             # no retraining; choice recorded

What is counted
---------------
The unit is the **scored record pair** (``result.pairs``): a pair is *declared a match* at threshold ``t``
when its ``match_probability >= t``. Precision at ``t`` is the share of declared pairs that are the same
person; recall at ``t`` is the share of same-person pairs among the scored pairs that are declared. Person
clusters are built from these pairs with extra safeguards (see :mod:`linkmiskin.clustering.persons`), so
cluster-level precision is usually a little higher than the pair-level figure given here.

**Missed links outside the scored pairs are invisible.** Pairs never compared (not caught by a blocking
rule) or scored below ``MIN_KEPT_PROBABILITY`` (0.001) are not in the population, exactly as Splink's own
accuracy tools note. Recall here is "recall among scored pairs": it overstates true recall by the share of
true matches blocking never proposed.

Clerical review sample (:func:`review_sample`)
----------------------------------------------
The scored pairs are cut into strata by match weight (default cut points at probabilities 0.01, 0.1, 0.5,
0.9, 0.99, 0.999 and 0.9999, i.e. match weights -6.63, -3.17, 0, 3.17, 6.63, 9.97, 13.29). Stratum ``h``
with ``N_h`` pairs gets ``n_h`` sampled pairs by Neyman allocation on the model's own uncertainty, with a
floor::

    n_h  proportional to  N_h * max(sqrt(pbar_h * (1 - pbar_h)), 0.1)

``pbar_h`` is the mean model probability in the stratum; the floor (as if at least 1% of decisions in any
band could be wrong) keeps the confident bands sampled because a model is rarely as sure as it says. Every
stratum gets at least ``max(3, 3% of n)`` pairs (all of them if it is smaller). Sampling rates are highest
in the uncertain middle. Rows are shuffled so a reviewer sees no order by score, and reviewing from the
top down always yields a random sub-sample. The model's scores are not shown by default (blind review).

Estimates from labels (:func:`estimate_from_labels`)
----------------------------------------------------
Within stratum ``h`` and threshold ``t`` the population pairs split into the *cells* above and below
``t``, whose sizes ``N_h,above`` are known exactly (they are counted from all the scored pairs). The
labelled pairs of a cell are a simple random sample of it, so the cell's match rate is estimated by its
labelled share of matches and::

    TP(t) = sum_h N_h,above * match share of labelled pairs of h above t
    FP(t) = N_above(t) - TP(t)
    FN(t) = sum_h N_h,below * match share of labelled pairs of h below t

A cell without labelled pairs borrows the rate of its whole stratum. *unsure* and blank labels are left out
(treated as missing at random within the stratum; ``unsure="match"`` or ``"non-match"`` tests the
sensitivity).

**Intervals** must stay honest with 100-500 labels, when a large confident band shows no error at all or
just one. The default (``method="exact"``) is a Clopper-Pearson-type interval for stratified samples (the
beta-product idea of Fay et al.), computed by Monte Carlo (2,000 draws): each cell's unlabelled pairs get a
binomial draw (the finite-population correction) with a match rate drawn from ``Beta(x + 1, n - x)`` for
the optimistic bound and ``Beta(x, n - x + 1)`` for the pessimistic one (``x`` matches among ``n`` labelled
pairs of the cell); precision, recall, F1 and the counts are computed per draw and the ``confidence``
equal-tailed quantiles taken. 0 errors among 120 labelled pairs of a band of 2,000 still allows about 60
errors there. This is conservative: in simulations on a generated set (2,000 households, 300 labels, 100
review samples) it covered the true precision and recall 99-100% of the time for a nominal 95%.
``method="midp"`` (a mid-p mixture of the two) covered 92-97%, and ``method="jeffreys"`` (one Jeffreys
posterior per cell) only 85-90%, because a single non-match in a large confident band is not rare enough
for it. Point estimates are unbiased either way.

Label-free estimates (:func:`label_free_estimates`)
--------------------------------------------------
``match_probability`` is the model's posterior, so in the manner of fastLink the model itself implies::

    expected false matches at t   = sum over pairs with p >= t of (1 - p)
    expected missed matches at t  = sum over pairs with p <  t of p
    expected precision            = mean of p over pairs with p >= t
    expected recall               = sum_{p >= t} p / sum_all p

They need no labels but are only as good as the model's calibration; :func:`compare_estimates` puts them
beside the labelled estimates so you see where the model is over- or under-confident.

Choosing and applying (:func:`recommend_threshold`, :func:`recluster`)
---------------------------------------------------------------------
``recommend_threshold(est, target_precision=0.99)`` returns the **lowest** threshold whose **point
estimate** of precision reaches the target (so recall is as high as the target allows);
``use="lower"`` asks the lower confidence bound to reach it instead, which is safer but needs many more
labels: the bound is dominated by the largest confident band, and certifying 0.99 takes roughly 370
error-free labels there (then it raises and says the best that can be certified; with 300 labels on the
generated set the best lower bound was about 0.97). On that set (2,000 households, 100 review samples of
300 labels, target 0.99) the point-estimate rule gave a true precision of 0.986-0.999 (mean 0.990) every
time; with 100 labels it fell below 0.98 in 7% of samples (worst 0.968). A recall target picks the
**highest** threshold whose recall reaches it. :func:`recluster` re-clusters a
:class:`~linkmiskin.linkage.Linker` at the chosen threshold without retraining and records how the
threshold was chosen in ``LinkResult.threshold_source`` (written to ``metadata.json`` by ``save``).
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.privacy import MaskedError, mask_series, mask_text, warn

__all__ = [
    "LABELS",
    "DEFAULT_BAND_PROBABILITIES",
    "ReviewError",
    "Recommendation",
    "design_of",
    "review_sample",
    "write_review_workbook",
    "read_review",
    "simulate_labels",
    "estimate_from_labels",
    "label_free_estimates",
    "compare_estimates",
    "recommend_threshold",
    "recluster",
    "threshold_grid",
    "report_section",
    "probability_to_weight",
    "weight_to_probability",
]

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
    rng = np.random.default_rng(int(seed))
    picked = []
    for h in range(H):
        if alloc[h] == 0:
            continue
        idx = np.flatnonzero(stratum == h)
        picked.append(np.sort(rng.choice(idx, size=int(alloc[h]), replace=False)))
    rows = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
    rows = rows[rng.permutation(len(rows))]
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
        write_review_workbook(out, path, show_scores=show_scores)
    return out


# ===================================================================================== the workbook

_INSTRUCTIONS = [
    ("PETUNJUK PEMERIKSAAN (Bahasa Indonesia)", True),
    ("Setiap baris di lembar 'review' adalah sepasang data: data A dan data B, berdampingan.", False),
    ("Isi kolom 'label' untuk setiap baris dengan salah satu pilihan dari daftar:", False),
    ("   match      = A dan B adalah ORANG YANG SAMA.", False),
    ("   non-match  = A dan B adalah ORANG YANG BERBEDA (misalnya anggota keluarga, tetangga, kembar).", False),
    ("   unsure     = ragu-ragu; datanya tidak cukup untuk memutuskan.", False),
    ("Biarkan kosong jika belum diperiksa. Kolom 'note' boleh diisi catatan bebas.", False),
    ("Sel berwarna jingga: isian A dan B berbeda. Sel abu-abu: salah satu kosong.", False),
    ("Perbedaan kecil ejaan nama (Muhamad/Muhammad), gelar (H., Hj.) atau singkatan alamat bukan berarti "
     "orang yang berbeda.", False),
    ("JANGAN mengubah, menghapus atau menambah baris, dan jangan mengubah kolom review_id, source dan "
     "record_id. Baris boleh diurutkan atau difilter.", False),
    ("Putuskan dari datanya sendiri. Kerjakan dari atas ke bawah: urutan baris sudah diacak.", False),
    ("NIK dan KK disamarkan (3216********0003) kecuali file ini dibuat untuk pemeriksa yang berwenang.", False),
    ("", False),
    ("REVIEW INSTRUCTIONS (English)", True),
    ("Each row of the 'review' sheet is a pair of records, A and B, side by side.", False),
    ("Fill in the 'label' column of each row with one choice from the list:", False),
    ("   match      = A and B are the SAME PERSON.", False),
    ("   non-match  = A and B are DIFFERENT PEOPLE (e.g. family members, neighbours, twins).", False),
    ("   unsure     = the records do not allow a decision.", False),
    ("Leave it blank if not reviewed yet. The 'note' column is free text.", False),
    ("Orange cells: A and B differ. Grey cells: one of them is empty.", False),
    ("Small differences in name spelling (Muhamad/Muhammad), titles (H., Hj.) or address abbreviations do "
     "not by themselves mean different people.", False),
    ("Do NOT change, delete or add rows, and do not edit review_id, source or record_id. Sorting and "
     "filtering are fine.", False),
    ("Decide from the records themselves. Work from the top down: the rows are in random order.", False),
    ("NIK and KK are masked (3216********0003) unless this file was made for authorised reviewers.", False),
]


def write_review_workbook(sample: pd.DataFrame, path: str | os.PathLike, *, show_scores: bool = False) -> Path:
    """Write a review sample (from :func:`review_sample`) to an Excel workbook.

    Sheets: ``review`` (frozen header and label columns, a drop-down list ``match / non-match / unsure`` on
    ``label``, differing fields filled orange and one-sided blanks grey), ``instructions`` (Bahasa Indonesia
    and English), and hidden, protected ``meta`` (the sample ids, strata and weights) and ``design`` (the
    strata and the population's match weights) from which :func:`read_review` rebuilds the design.
    """
    from openpyxl import Workbook

    from linkmiskin.safe_cells import neutralise_sheet

    design = design_of(sample)
    if design is None:
        raise ReviewError("the sample has no review design in .attrs: make it with review_sample()")
    fields = list(design["info"].get("fields", []))
    show_ids = bool(design["info"].get("show_ids", False))

    def rid(v: Any) -> str:
        # a record id that is a NIK or KK (many lists have no other id) is masked like the NIK column;
        # read_review matches rows by review_id, and read_review(path, sample=...) gives the full ids back
        return str(v) if show_ids else mask_text(str(v))

    wb = Workbook()
    _review_sheet(wb, sample, fields, show_scores, rid)
    _instructions_sheet(wb, sample, design, show_ids)
    _design_sheets(wb, sample, design, rid)
    for sheet in wb.worksheets:  # a name, id or source starting with = + - @ is text, never a formula
        neutralise_sheet(sheet)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    wb.save(p)
    return p


def _review_sheet(wb: Any, sample: pd.DataFrame, fields: list[str], show_scores: bool,
                  rid: Callable[[Any], str]) -> None:
    """The ``review`` sheet: one row per pair, the label drop-down, differing fields coloured."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.active
    ws.title = "review"
    header = ["review_id", "label", "note", "source_A", "record_id_A", "source_B", "record_id_B"]
    for f in fields:
        header += [f"{f}_A", f"{f}_B"]
    level_cols = [c for c in sample.columns if c.endswith("_level")] if show_scores else []
    if show_scores:
        header += ["match_probability", "match_weight", *level_cols]
    ws.append(header)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="FFD9E1F2")
    for c in ws[1]:
        c.font = bold
        c.fill = head_fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
    differ = PatternFill("solid", fgColor="FFF8CBAD")
    missing = PatternFill("solid", fgColor="FFE7E6E6")
    label_fill = PatternFill("solid", fgColor="FFFFF2CC")
    first_field_col = 8
    for i, r in enumerate(sample.itertuples(index=False), start=2):
        rd = r._asdict()
        row = [int(rd["review_id"]), rd.get("label") or None, rd.get("note") or None, rd["source_l"],
               rid(rd["record_id_l"]), rd["source_r"], rid(rd["record_id_r"])]
        for f in fields:
            row += [rd.get(f"{f}_l") or None, rd.get(f"{f}_r") or None]
        if show_scores:
            row += [float(rd["match_probability"]), float(rd["match_weight"]),
                    *[rd.get(c) for c in level_cols]]
        ws.append(row)
        for j in (4, 5, 6, 7):
            ws.cell(i, j).number_format = "@"
        ws.cell(i, 2).fill = label_fill
        for k, f in enumerate(fields):
            st = rd.get(f"differs_{f}", "")
            fill = differ if st == "differ" else (missing if st == "one missing" else None)
            if fill is not None:
                for j in (first_field_col + 2 * k, first_field_col + 2 * k + 1):
                    ws.cell(i, j).fill = fill
            for j in (first_field_col + 2 * k, first_field_col + 2 * k + 1):
                ws.cell(i, j).number_format = "@"
    last = len(sample) + 1
    dv = DataValidation(type="list", formula1='"' + ",".join(LABELS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="label",
                        error="Pilih / choose: match, non-match, unsure (atau kosong / or blank)",
                        promptTitle="label", prompt="match / non-match / unsure", showInputMessage=True)
    ws.add_data_validation(dv)
    dv.add(f"B2:B{max(last, 2)}")
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(last, 1)}"
    widths = {"review_id": 9, "label": 12, "note": 24, "source_A": 10, "source_B": 10,
              "record_id_A": 18, "record_id_B": 18}
    for j, h in enumerate(header, start=1):
        base = h.rsplit("_", 1)[0]
        wdt = widths.get(h, 30 if base in ("name", "address", "mother_name", "father_name") else 16)
        ws.column_dimensions[get_column_letter(j)].width = wdt


def _instructions_sheet(wb: Any, sample: pd.DataFrame, design: dict, show_ids: bool) -> None:
    """The ``instructions`` sheet (Bahasa Indonesia and English), with a warning when ids are shown in full."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    ins = wb.create_sheet("instructions")
    lines = list(_INSTRUCTIONS)
    if show_ids:
        lines = [("RAHASIA / CONFIDENTIAL: file ini berisi NIK dan KK lengkap / this file shows full NIK and KK.",
                  True), ("", False), *lines]
    for text, is_head in lines:
        ins.append([text])
        if is_head:
            ins.cell(ins.max_row, 1).font = bold
    ins.column_dimensions["A"].width = 120
    ins.append([])
    ins.append([f"{len(sample)} pasangan / pairs; dibuat / created {design['info'].get('created', '')}"])


def _design_sheets(wb: Any, sample: pd.DataFrame, design: dict, rid: Callable[[Any], str]) -> None:
    """The hidden, protected ``meta`` (sample ids, strata, weights) and ``design`` (strata and the
    population's match weights) sheets that :func:`read_review` rebuilds the design from."""
    meta = wb.create_sheet("meta")
    meta.append(list(_META_COLUMNS))
    for r in sample[list(_META_COLUMNS)].itertuples(index=False):
        meta.append([int(r.review_id), r.source_l, rid(r.record_id_l), r.source_r, rid(r.record_id_r),
                     int(r.stratum), float(r.stratum_weight), float(r.match_probability), float(r.match_weight)])
    des = wb.create_sheet("design")
    des.append(["stratum", "mw_low", "mw_high", "band", "population_pairs", "sampled_pairs", "mean_probability",
                None, "pop_stratum", "pop_match_weight", "pop_pairs", None, "key", "value"])
    strata = design["strata"]
    pop = design["population"]
    info_items = [(k, _json_value(v)) for k, v in design["info"].items()]
    nrows = max(len(strata), len(pop["stratum"]), len(info_items))
    for i in range(nrows):
        row: list[Any] = [None] * 14
        if i < len(strata):
            s = strata[i]
            row[0:7] = [s["stratum"], _inf_str(s["mw_low"]), _inf_str(s["mw_high"]), s["band"],
                        s["population_pairs"], s["sampled_pairs"], s["mean_probability"]]
        if i < len(pop["stratum"]):
            row[8:11] = [pop["stratum"][i], pop["match_weight"][i], pop["pairs"][i]]
        if i < len(info_items):
            row[12:14] = list(info_items[i])
        des.append(row)
    for sheet in (meta, des):
        sheet.sheet_state = "hidden"
        sheet.protection.sheet = True
    for sheet in (meta, des):
        sheet.sheet_state = "hidden"
        sheet.protection.sheet = True


def _inf_str(x: float) -> Any:
    return "-inf" if x == -np.inf else ("inf" if x == np.inf else float(x))


def _from_inf(x: Any) -> float:
    if isinstance(x, str):
        return {"-inf": -np.inf, "inf": np.inf}.get(x.strip(), float("nan"))
    return float(x)


def _json_value(v: Any) -> Any:
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    return v


def _cell_name(ws_title: str, row: int, col: int | None, header: str | None = None) -> str:
    from openpyxl.utils import get_column_letter

    if col is None:
        return f"sheet {ws_title!r}, row {row}"
    h = f" ({header!r})" if header else ""
    return f"sheet {ws_title!r}, row {row}, column {get_column_letter(col)}{h}"


def _norm_label(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    s = str(v).strip().lower()
    if s == "":
        return None
    s = s.replace("_", "-").replace(" ", "-")
    if s in ("nonmatch", "non--match"):
        s = "non-match"
    return s


def read_review(path: str | os.PathLike, sample: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a filled-in review workbook back, checking it thoroughly.

    Returns one row per reviewed pair (``review_id, source_l, record_id_l, source_r, record_id_r, stratum,
    stratum_weight, match_probability, match_weight, label, note``), ``label`` one of ``match``,
    ``non-match``, ``unsure`` or ``None`` (blank), with the design in ``.attrs`` for
    :func:`estimate_from_labels`. Rows may have been sorted or filtered in Excel.

    Labels are matched to pairs by ``review_id``. Record ids that are NIK or KK numbers are masked in the
    workbook (unless it was made with ``show_ids=True``), so they come back masked; pass the ``sample``
    that :func:`review_sample` returned to get the full record ids back (its review ids must be the
    workbook's).

    Raises :class:`ReviewError` naming the sheet, row and column when the workbook is not a review
    workbook, a required sheet or column is missing, a label is not one of the allowed values, or the
    pair ids were edited, deleted, duplicated or added.
    """
    p = Path(path)
    wb = _open_review_workbook(p)
    meta = _read_meta_sheet(wb, p)
    labels, notes = _read_review_sheet(wb, p, meta)
    out = meta.copy()
    if sample is not None:
        out = _restore_ids(out, sample, p)
    out["label"] = pd.Series([labels.get(int(i)) for i in out["review_id"]], dtype=object)
    out["note"] = pd.Series([notes.get(int(i)) for i in out["review_id"]], dtype=object)
    out = out.sort_values("review_id").reset_index(drop=True)
    design = _read_design(wb, p) if "design" in wb.sheetnames else None
    if design is not None:
        _set_design(out, design)
    return out


def _open_review_workbook(p: Path) -> Any:
    """The workbook at ``p``, with its ``review`` and ``meta`` sheets; a :class:`ReviewError` otherwise."""
    from openpyxl import load_workbook

    if not p.exists():
        raise ReviewError(f"review workbook not found: {p}")
    try:
        wb = load_workbook(p, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ReviewError(f"{p} is not a readable Excel workbook (.xlsx): {exc}") from None
    for name in ("review", "meta"):
        if name not in wb.sheetnames:
            raise ReviewError(f"{p}: sheet {name!r} is missing (sheets: {wb.sheetnames}); "
                              f"use a workbook written by review_sample(path=...)")
    return wb


def _read_meta_sheet(wb: Any, p: Path) -> pd.DataFrame:
    """The sample as drawn, from the hidden ``meta`` sheet (one row per pair, typed)."""
    mws = wb["meta"]
    mrows = list(mws.iter_rows(values_only=True))
    if not mrows:
        raise ReviewError(f"{p}: sheet 'meta' is empty")
    mhead = [str(h) if h is not None else "" for h in mrows[0]]
    miss = [c for c in _META_COLUMNS if c not in mhead]
    if miss:
        raise ReviewError(f"{p}: sheet 'meta', row 1: column(s) {miss} are missing")
    mi = {c: mhead.index(c) for c in _META_COLUMNS}
    meta_recs = [r for r in mrows[1:] if r is not None and any(v is not None for v in r)]
    meta = pd.DataFrame({c: [r[mi[c]] if mi[c] < len(r) else None for r in meta_recs] for c in _META_COLUMNS})
    try:
        meta["review_id"] = meta["review_id"].astype(np.int64)
        meta["stratum"] = meta["stratum"].astype(np.int64)
        for c in ("stratum_weight", "match_probability", "match_weight"):
            meta[c] = meta[c].astype(float)
    except (TypeError, ValueError) as exc:
        raise ReviewError(f"{p}: sheet 'meta' was edited and cannot be read ({exc})") from None
    for c in ("record_id_l", "record_id_r"):
        meta[c] = _id_str(meta[c])
    for c in ("source_l", "source_r"):
        meta[c] = meta[c].astype(str)
    return meta


def _read_review_sheet(wb: Any, p: Path, meta: pd.DataFrame) -> tuple[dict[int, str | None], dict[int, Any]]:
    """Labels and notes by review id from the ``review`` sheet, checked against ``meta``; one
    :class:`ReviewError` listing every problem (edited, added, copied or deleted rows, unknown labels)."""
    by_id = {int(r): i for i, r in enumerate(meta["review_id"])}
    # --- review sheet
    ws = wb["review"]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise ReviewError(f"{p}: sheet 'review' is empty (no header row)")
    head = [str(h).strip() if h is not None else "" for h in rows[0]]
    required = ["review_id", "label", *(_REVIEW_ID_COLUMNS)]
    for c in required:
        if c not in head:
            raise ReviewError(f"{p}: sheet 'review', row 1: required column {c!r} is missing "
                              f"(header has {[h for h in head if h]})")
    dup = sorted({h for h in head if h and head.count(h) > 1})
    if dup:
        raise ReviewError(f"{p}: sheet 'review', row 1: column(s) {dup} appear more than once")
    col = {h: i for i, h in enumerate(head) if h}
    errors: list[str] = []
    labels: dict[int, str | None] = {}
    notes: dict[int, Any] = {}
    seen_row: dict[int, int] = {}
    for rno, r in enumerate(rows[1:], start=2):
        if r is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            continue

        def get(c: str, _r: tuple = r) -> Any:
            i = col[c]
            return _r[i] if i < len(_r) else None

        rid_raw = get("review_id")
        try:
            rid = int(float(str(rid_raw).strip()))
            if float(str(rid_raw).strip()) != rid:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"{_cell_name('review', rno, col['review_id'] + 1, 'review_id')}: "
                          f"{mask_text(str(rid_raw))!r} is not a review id (the ids must not be edited)")
            continue
        if rid not in by_id:
            errors.append(f"{_cell_name('review', rno, col['review_id'] + 1, 'review_id')}: review id {rid} "
                          f"is not in the sample (row added or id edited)")
            continue
        if rid in seen_row:
            errors.append(f"{_cell_name('review', rno, col['review_id'] + 1, 'review_id')}: review id {rid} "
                          f"also on row {seen_row[rid]} (row copied?)")
            continue
        seen_row[rid] = rno
        m = meta.iloc[by_id[rid]]
        for c, mc in _REVIEW_ID_COLUMNS.items():
            got = _id_str([get(c)])[0]
            want = str(m[mc])
            if got != want:
                errors.append(f"{_cell_name('review', rno, col[c] + 1, c)}: {mask_text(got)!r} but review id "
                              f"{rid} was drawn as {mask_text(want)!r} (ids must not be edited)")
        lab = _norm_label(get("label"))
        if lab is not None and lab not in LABELS:
            errors.append(f"{_cell_name('review', rno, col['label'] + 1, 'label')}: "
                          f"{mask_text(str(get('label')))!r} is not a valid label; use match, non-match or "
                          f"unsure (or leave it blank)")
            continue
        labels[rid] = lab
        if "note" in col:
            notes[rid] = get("note")
    missing_ids = sorted(set(by_id) - set(seen_row))
    if missing_ids:
        ex = ", ".join(map(str, missing_ids[:10])) + (" ..." if len(missing_ids) > 10 else "")
        errors.append(f"sheet 'review': {len(missing_ids)} pair(s) of sheet 'meta' are missing, review id(s) "
                      f"{ex} (rows deleted?)")
    if errors:
        shown = errors[:12]
        more = f"\n... and {len(errors) - len(shown)} more problem(s)" if len(errors) > len(shown) else ""
        raise ReviewError(f"{p}: the review workbook has {len(errors)} problem(s):\n  - "
                          + "\n  - ".join(shown) + more)
    return labels, notes


def _restore_ids(meta: pd.DataFrame, sample: pd.DataFrame, p: Path) -> pd.DataFrame:
    """The full record ids of ``sample`` in place of the (masked) ids read from the workbook."""
    need = ("review_id", *_REVIEW_ID_COLUMNS.values())
    if not isinstance(sample, pd.DataFrame) or any(c not in sample.columns for c in need):
        raise ReviewError("sample must be the DataFrame that review_sample() returned")
    s = sample.set_index(sample["review_id"].astype(np.int64))
    missing = sorted(set(meta["review_id"]) - set(s.index))
    if missing or len(s) != len(meta):
        raise ReviewError(f"{p}: the workbook's review ids do not belong to this sample "
                          f"(e.g. review id(s) {missing[:5]} are not in it)")
    out = meta.copy()
    for c in ("record_id_l", "record_id_r"):
        full = _id_str(s[c].reindex(out["review_id"]).to_numpy())
        shown = np.array([mask_text(v) for v in full], dtype=object)
        ok = (shown == out[c].to_numpy(dtype=object)) | (full == out[c].to_numpy(dtype=object))
        if not ok.all():
            bad = int(out["review_id"].to_numpy()[~ok][0])
            raise ReviewError(f"{p}: review id {bad} was drawn for another pair than in this sample")
        out[c] = full
    return out


def _read_design(wb: Any, p: Path) -> dict[str, Any] | None:
    ws = wb["design"]
    rows = list(ws.iter_rows(values_only=True))[1:]
    strata, pop_s, pop_w, pop_n, info = [], [], [], [], {}
    try:
        for r in rows:
            r = list(r) + [None] * (14 - len(r))
            if r[0] is not None:
                strata.append({"stratum": int(r[0]), "mw_low": _from_inf(r[1]), "mw_high": _from_inf(r[2]),
                               "band": str(r[3]), "population_pairs": int(r[4]), "sampled_pairs": int(r[5]),
                               "mean_probability": float(r[6])})
            if r[8] is not None:
                pop_s.append(int(r[8]))
                pop_w.append(float(r[9]))
                pop_n.append(int(r[10]))
            if r[12] is not None:
                v = r[13]
                if isinstance(v, str) and v[:1] in "[{":
                    try:
                        v = json.loads(v)
                    except ValueError:
                        pass
                info[str(r[12])] = v
    except (TypeError, ValueError) as exc:
        raise ReviewError(f"{p}: sheet 'design' was edited and cannot be read ({exc})") from None
    if not strata:
        return None
    return {"strata": strata, "population": {"stratum": pop_s, "match_weight": pop_w, "pairs": pop_n},
            "info": info}


# =============================================================================== simulated labels


def simulate_labels(sample: pd.DataFrame, truth: Any, *, error_rate: float = 0.0, unsure_rate: float = 0.0,
                    seed: int = 0) -> pd.DataFrame:
    """Fill ``label`` from a known truth (``source, record_id, person_id``; e.g. ``generate(...).truth``):
    same ``person_id`` -> ``match``, otherwise ``non-match``. For notebooks and tests.

    ``error_rate`` flips that share of labels (a fallible reviewer) and ``unsure_rate`` marks that share
    ``unsure``. The design in ``.attrs`` is kept.
    """
    if not isinstance(truth, pd.DataFrame) and isinstance(getattr(truth, "truth", None), pd.DataFrame):
        truth = truth.truth
    if not isinstance(truth, pd.DataFrame):
        raise TypeError("truth must be a DataFrame with source, record_id, person_id (or SyntheticData)")
    miss = [c for c in ("source", "record_id", "person_id") if c not in truth.columns]
    if miss:
        raise ValueError(f"truth is missing column(s) {miss}")
    key = pd.Series(truth["person_id"].to_numpy(),
                    index=truth["source"].astype(str).to_numpy() + "\x1f" + _id_str(truth["record_id"]))
    key = key[~key.index.duplicated()]
    kl = sample["source_l"].astype(str).to_numpy() + "\x1f" + _id_str(sample["record_id_l"])
    kr = sample["source_r"].astype(str).to_numpy() + "\x1f" + _id_str(sample["record_id_r"])
    pl = key.reindex(kl).to_numpy()
    pr = key.reindex(kr).to_numpy()
    unknown = pd.isna(pl) | pd.isna(pr)
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} sampled record(s) are not in the truth")
    same = pl == pr
    rng = np.random.default_rng(int(seed))
    flip = rng.random(len(same)) < error_rate
    same = np.where(flip, ~same, same)
    lab = np.where(same, "match", "non-match").astype(object)
    lab[rng.random(len(lab)) < unsure_rate] = "unsure"
    out = sample.copy()
    out["label"] = lab
    out.attrs = dict(sample.attrs)
    return out


# ======================================================================== 2. estimates from labels


@dataclass
class _Design:
    strata: pd.DataFrame          # stratum, population_pairs, mean_probability, ...
    pop_stratum: np.ndarray       # per population bin
    pop_weight: np.ndarray
    pop_pairs: np.ndarray
    exact: bool                   # True when the population's match weights are known


def _get_design(sample: pd.DataFrame) -> _Design:
    d = design_of(sample)
    if d is not None:
        pop = d["population"]
        return _Design(pd.DataFrame(d["strata"]), np.asarray(pop["stratum"], dtype=np.int64),
                       np.asarray(pop["match_weight"], dtype=float), np.asarray(pop["pairs"], dtype=float),
                       len(pop["stratum"]) > 0)
    # no design at all: rebuild stratum sizes from the weights (N_h = weight * sampled pairs)
    if "stratum_weight" not in sample.columns or "stratum" not in sample.columns:
        raise ReviewError("the labelled sample has neither a design in .attrs nor 'stratum' and "
                          "'stratum_weight' columns; use review_sample() / read_review()")
    g = sample.groupby("stratum")
    strata = pd.DataFrame({"stratum": g.size().index.astype(int),
                           "population_pairs": np.round(g["stratum_weight"].first() * g.size()).astype(int).to_numpy(),
                           "mean_probability": g["match_probability"].mean().to_numpy()
                           if "match_probability" in sample else 0.5})
    return _Design(strata, np.zeros(0, np.int64), np.zeros(0), np.zeros(0), False)


def _labels_array(sample: pd.DataFrame, unsure: str) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """(is_labelled, is_match) per sample row, and the label counts."""
    if "label" not in sample.columns:
        raise ReviewError("the sample has no 'label' column")
    lab = pd.Series([_norm_label(v) for v in sample["label"]], dtype=object)
    bad = sorted({v for v in lab.dropna() if v not in LABELS})
    if bad:
        raise ReviewError(f"labels must be one of {LABELS} or blank; found {bad}")
    counts = {k: int((lab == k).sum()) for k in LABELS}
    counts["blank"] = int(lab.isna().sum())
    if unsure not in ("exclude", "match", "non-match"):
        raise ValueError(f"unsure must be 'exclude', 'match' or 'non-match', not {unsure!r}")
    if unsure != "exclude":
        lab = lab.where(lab != "unsure", unsure)
    is_lab = lab.isin(["match", "non-match"]).to_numpy()
    is_match = (lab == "match").to_numpy()
    return is_lab, is_match, counts


def _population_above(design: Any, hs: np.ndarray, st: np.ndarray, sw: np.ndarray, Nh: np.ndarray,
                      tw: np.ndarray) -> np.ndarray:
    """Population pairs above each threshold weight ``tw``, per stratum ``hs`` (T x H): counted exactly from
    the design's population bins, or estimated from the sampled share above t."""
    nT, H = len(tw), len(hs)
    N_above = np.zeros((nT, H))
    if design.exact:
        for i, h in enumerate(hs):
            m = design.pop_stratum == h
            wv, cv = design.pop_weight[m], design.pop_pairs[m]
            order = np.argsort(wv)
            wv, cv = wv[order], cv[order]
            tail = np.concatenate([np.cumsum(cv[::-1])[::-1], [0.0]])
            # bins are rounded to 0.01: a bin counts as above t when its value >= t rounded the same way
            pos = np.searchsorted(wv, np.round(tw, _MW_DECIMALS) - 1e-9, side="left")
            N_above[:, i] = tail[pos]
    else:  # estimate each cell's size from the sampled share above t (all sampled pairs, labelled or not)
        for i, h in enumerate(hs):
            m = st == h
            if m.sum():
                N_above[:, i] = Nh[i] * (sw[m][None, :] >= tw[:, None]).mean(axis=1)
    return N_above


def _labelled_cells(lst: np.ndarray, lw: np.ndarray, lmatch: np.ndarray, hidx: dict[int, int], H: int,
                    tw: np.ndarray, exact: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Labelled pairs (stratum ``lst``, weight ``lw``, match ``lmatch``) counted per threshold and stratum:
    ``n_ab, x_ab`` (labelled / matches above t, T x H) and ``n_h, x_h`` (per stratum)."""
    li = np.array([hidx[int(h)] for h in lst], dtype=np.int64)
    ly = lmatch.astype(float)
    if exact:  # compare on the same 0.01 grid as the population counts, so the cells agree
        above = np.round(lw, _MW_DECIMALS)[None, :] >= np.round(tw, _MW_DECIMALS)[:, None] - 1e-9
    else:
        above = lw[None, :] >= tw[:, None]              # (T, L)
    onehot = np.zeros((len(li), H))
    onehot[np.arange(len(li)), li] = 1.0
    n_ab = above.astype(float) @ onehot                 # (T, H)
    x_ab = (above * ly[None, :]) @ onehot
    n_h = onehot.sum(axis=0)
    x_h = (ly[:, None] * onehot).sum(axis=0)
    return n_ab, x_ab, n_h, x_h


def _interval_sets(method: str, prior: float, rng: np.random.Generator, D: int,
                   above: tuple[np.ndarray, np.ndarray, np.ndarray], below: tuple[np.ndarray, np.ndarray, np.ndarray],
                   x_h: np.ndarray, n_h: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``D`` draws of the matches above and below each threshold (summed over strata) for the optimistic
    (``"high"``) and pessimistic (``"low"``) bounds; ``above``/``below`` are each (matches, labelled,
    population) per cell (T x H)."""
    shape = above[1].shape

    def cell_params(x: np.ndarray, n: np.ndarray, Ncell: np.ndarray) -> np.ndarray:
        # cells without labels borrow the stratum's labels (or a flat prior if the stratum has none)
        use_pool = n <= 0
        xx = np.where(use_pool, x_h[None, :], x)
        nn = np.where(use_pool, n_h[None, :], n)
        seen_n = np.where(use_pool, 0.0, np.minimum(n, Ncell))
        seen_x = np.where(use_pool, 0.0, np.minimum(x, seen_n))
        rest = np.maximum(Ncell - seen_n, 0).round()
        return np.stack([xx, nn, seen_x, rest], axis=-1).reshape(-1, 4)

    def draw(u: np.ndarray, a_add: float, b_add: float) -> np.ndarray:
        """Matches in each unique cell: the labelled ones plus a binomial draw for the unlabelled ones,
        the rate from Beta(x + a_add, n - x + b_add) (a zero parameter is a point mass at 0 or 1)."""
        x, n = u[:, 0:1], u[:, 1:2]
        a = np.where(n > 0, x + a_add, 1.0)
        b = np.where(n > 0, n - x + b_add, 1.0)
        pi = rng.beta(np.maximum(a, 1e-12), np.maximum(b, 1e-12), size=(len(u), D))
        pi = np.where(a <= 0, 0.0, np.where(b <= 0, 1.0, pi))
        return u[:, 2:3] + rng.binomial(u[:, 3:4].astype(np.int64), pi)

    # identical cells (whole strata above or below many thresholds) share one set of draws
    params = np.concatenate([cell_params(*above), cell_params(*below)])
    uniq, inv = np.unique(params, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    if method == "midp":
        up = rng.random((len(uniq), D)) < 0.5
        c = np.where(up, draw(uniq, 1.0, 0.0), draw(uniq, 0.0, 1.0))[inv].reshape(2, *shape, D)
        sets = {"low": (c[0].sum(axis=1), c[1].sum(axis=1))}
        sets["high"] = sets["low"]
    elif method == "jeffreys":
        c = draw(uniq, prior, prior)[inv].reshape(2, *shape, D)
        sets = {"low": (c[0].sum(axis=1), c[1].sum(axis=1))}
        sets["high"] = sets["low"]
    else:
        # Clopper-Pearson-type bounds (Fay's beta-product procedure): the optimistic set draws the rates
        # of cells above t from Beta(x+1, n-x) and below t from Beta(x, n-x+1); the pessimistic the reverse
        hi_rate = draw(uniq, 1.0, 0.0)[inv].reshape(2, *shape, D)
        lo_rate = draw(uniq, 0.0, 1.0)[inv].reshape(2, *shape, D)
        sets = {"high": (hi_rate[0].sum(axis=1), lo_rate[1].sum(axis=1)),
                "low": (lo_rate[0].sum(axis=1), hi_rate[1].sum(axis=1))}
    return sets


def estimate_from_labels(sample_with_labels: pd.DataFrame, thresholds: Any = None, confidence: float = 0.95, *,
                         draws: int = 2000, seed: int = 0, unsure: str = "exclude",
                         method: str = "exact", prior: float = 0.5) -> pd.DataFrame:
    """Population precision, recall and F1 at each threshold, from a labelled stratified sample.

    Parameters
    ----------
    sample_with_labels:
        From :func:`read_review` or :func:`simulate_labels` (``stratum``, ``match_weight``, ``label``; the
        design in ``.attrs``).
    thresholds:
        Match probabilities; default :func:`threshold_grid` over the population.
    confidence:
        Coverage of the intervals (equal-tailed).
    draws, seed:
        Monte Carlo draws for the intervals and their seed (the point estimates do not depend on them).
    unsure:
        ``"exclude"`` (default), or count *unsure* as ``"match"`` / ``"non-match"``.
    method:
        ``"exact"`` (default): Clopper-Pearson-type bounds, conservative even when a band shows no errors;
        ``"midp"``: the mid-p version (narrower, close to nominal coverage); ``"jeffreys"``: one Bayesian
        posterior per cell with a ``Beta(prior, prior)`` prior (narrowest; coverage falls to about 85-90%
        when a few errors sit in large confident bands).
    prior:
        Beta prior parameter for ``method="jeffreys"`` (0.5 = Jeffreys).

    Returns
    -------
    One row per threshold: ``threshold, match_weight, pairs_above, labelled_above, tp, fp, fn, tn`` (estimated
    pair counts in the population) with ``fp_low, fp_high, fn_low, fn_high``, and ``precision, recall, f1``
    each with ``_low`` and ``_high``. ``.attrs`` holds ``n_labels``, ``label_counts`` and ``confidence``.
    See the module docstring for the estimator.
    """
    sample = sample_with_labels
    if method not in ("exact", "midp", "jeffreys"):
        raise ValueError(f"method must be 'exact' or 'jeffreys', not {method!r}")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    design = _get_design(sample)
    is_lab, is_match, counts = _labels_array(sample, unsure)
    if is_lab.sum() == 0:
        raise ReviewError("no pair is labelled match or non-match yet")
    st = sample["stratum"].to_numpy(dtype=np.int64)
    sw = sample["match_weight"].to_numpy(dtype=float) if "match_weight" in sample else \
        probability_to_weight(sample["match_probability"].to_numpy(dtype=float))
    strata = design.strata.sort_values("stratum").reset_index(drop=True)
    hs = strata["stratum"].to_numpy(dtype=np.int64)
    unknown = sorted(set(st[is_lab]) - set(hs))
    if unknown:
        raise ReviewError(f"labelled pairs in stratum/strata {unknown} that the design does not have")
    H = len(hs)
    Nh = strata["population_pairs"].to_numpy(dtype=float)
    if design.exact:
        pop_range = (float(np.min(design.pop_weight)), float(np.max(design.pop_weight)))
    else:
        pop_range = (float(np.min(sw)), float(np.max(sw)))
    if thresholds is None:
        T = threshold_grid(None, highest=min(20.0, pop_range[1]))
    else:
        T = _thresholds(thresholds)
    tw = probability_to_weight(T)
    hidx = {int(h): i for i, h in enumerate(hs)}
    # --- population cells: N above t per stratum
    N_above = _population_above(design, hs, st, sw, Nh, tw)
    N_below = Nh[None, :] - N_above
    # --- labelled cells
    n_ab, x_ab, n_h, x_h = _labelled_cells(st[is_lab], sw[is_lab], is_match[is_lab], hidx, H, tw, design.exact)
    n_be = n_h[None, :] - n_ab
    x_be = x_h[None, :] - x_ab
    empty = n_h == 0
    if empty.any():
        warn(f"strata {list(hs[empty])} have no labelled pairs: their match rate is taken from the "
             f"model's mean probability, with a flat prior for the interval", stacklevel=2)
    pooled = np.where(empty, strata["mean_probability"].to_numpy(dtype=float), x_h / np.maximum(n_h, 1))

    def rate(x: np.ndarray, n: np.ndarray) -> np.ndarray:
        return np.where(n > 0, x / np.maximum(n, 1), pooled[None, :])

    tp = (N_above * rate(x_ab, n_ab)).sum(axis=1)
    fn = (N_below * rate(x_be, n_be)).sum(axis=1)
    n_above_t = N_above.sum(axis=1)
    fp = n_above_t - tp
    tn = N_below.sum(axis=1) - fn
    prec = np.where(n_above_t > 0, tp / np.maximum(n_above_t, 1e-300), np.nan)
    rec = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1e-300), np.nan)
    f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1e-300), np.nan)

    # --- intervals: posterior predictive of each cell's number of matches
    sets = _interval_sets(method, prior, np.random.default_rng(int(seed)), int(draws), (x_ab, n_ab, N_above),
                          (x_be, n_be, N_below), x_h, n_h)

    def metrics(tp_d: np.ndarray, fn_d: np.ndarray) -> dict[str, np.ndarray]:
        fp_d = n_above_t[:, None] - tp_d
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"fp": fp_d, "fn": fn_d, "precision": tp_d / n_above_t[:, None],
                    "recall": tp_d / (tp_d + fn_d), "f1": 2 * tp_d / (2 * tp_d + fp_d + fn_d)}

    m_high = metrics(*sets["high"])   # optimistic: upper bounds of the rates, lower bounds of the counts
    m_low = metrics(*sets["low"])
    lo_q, hi_q = (1 - confidence) / 2, 1 - (1 - confidence) / 2

    def q(a: np.ndarray, level: float) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanquantile(a, level, axis=1)

    out = pd.DataFrame({"threshold": T, "match_weight": tw, "pairs_above": n_above_t,
                        "labelled_above": n_ab.sum(axis=1).astype(int), "tp": tp, "fp": fp, "fn": fn, "tn": tn})
    for name, point in (("fp", fp), ("fn", fn)):
        out[f"{name}_low"] = np.fmin(q(m_high[name], lo_q), point)
        out[f"{name}_high"] = np.fmax(q(m_low[name], hi_q), point)
    for name, point in (("precision", prec), ("recall", rec), ("f1", f1)):
        out[name] = point
        # the point estimate always lies inside its interval
        out[f"{name}_low"] = np.fmin(q(m_low[name], lo_q), point)
        out[f"{name}_high"] = np.fmax(q(m_high[name], hi_q), point)
    out.attrs.update({"n_labels": int(is_lab.sum()), "label_counts": counts, "confidence": float(confidence),
                      "unsure": unsure, "method": method, "kind": "labelled", "population_pairs": float(Nh.sum()),
                      "exact_population": bool(design.exact)})
    return out


# ============================================================================ 3. label-free estimates


def label_free_estimates(result_or_pairs: Any, thresholds: Any = None) -> pd.DataFrame:
    """The model's own estimate of its errors at each threshold (no labels; in the manner of fastLink).

    Returns one row per threshold: ``threshold, match_weight, pairs_above``, ``expected_matches`` (sum of
    all p), ``tp`` (sum of p above), ``fp`` = expected false matches (sum of 1-p above), ``fn`` = expected
    missed matches (sum of p below), ``fp_sd, fn_sd`` (their spread if the model were exactly calibrated),
    ``precision, recall, f1``, ``false_match_rate`` (= 1 - precision, the FDR) and ``missed_match_rate``
    (= 1 - recall, the FNR). Only as good as the model's calibration; see :func:`compare_estimates`.
    """
    pairs = _pairs_of(result_or_pairs)
    p = pairs["match_probability"].to_numpy(dtype=float)
    T = _thresholds(thresholds, pairs)
    order = np.argsort(-p, kind="stable")
    ps = p[order]
    cum_p = np.concatenate([[0.0], np.cumsum(ps)])
    cum_1mp = np.concatenate([[0.0], np.cumsum(1 - ps)])
    cum_v = np.concatenate([[0.0], np.cumsum(ps * (1 - ps))])
    # number of pairs with p >= t: ps is descending
    k = len(ps) - np.searchsorted(ps[::-1], T, side="left")
    total = cum_p[-1]
    tp = cum_p[k]
    fp = cum_1mp[k]
    fn = total - tp
    var_above = cum_v[k]
    var_below = cum_v[-1] - var_above
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(k > 0, tp / np.maximum(k, 1), np.nan)
        rec = tp / total if total > 0 else np.full(len(T), np.nan)
        f1 = 2 * tp / (k + total)
    out = pd.DataFrame({"threshold": T, "match_weight": probability_to_weight(T), "pairs_above": k,
                        "expected_matches": total, "tp": tp, "fp": fp, "fn": fn,
                        "fp_sd": np.sqrt(var_above), "fn_sd": np.sqrt(var_below),
                        "precision": prec, "recall": rec, "f1": f1})
    out["false_match_rate"] = 1 - out["precision"]
    out["missed_match_rate"] = 1 - out["recall"]
    out.attrs.update({"kind": "label-free", "population_pairs": float(len(p))})
    return out


def compare_estimates(labelled: pd.DataFrame, label_free: pd.DataFrame | None = None, *,
                      result_or_pairs: Any = None) -> pd.DataFrame:
    """Labelled and label-free estimates side by side, at the labelled estimates' thresholds.

    Columns per metric (``precision``, ``recall``, ``f1``) and count (``fp`` = wrong merges, ``fn`` = missed
    links): ``<m>_labelled``, ``<m>_low``, ``<m>_high``, ``<m>_label_free`` and ``<m>_agrees`` (the label-free
    value lies inside the labelled interval). ``label_free`` may be omitted if ``result_or_pairs`` is given.
    """
    if label_free is None:
        if result_or_pairs is None:
            raise ValueError("give label_free= or result_or_pairs=")
        label_free = label_free_estimates(result_or_pairs, labelled["threshold"].to_numpy())
    lf = label_free.set_index(np.round(label_free["threshold"].to_numpy(), 12))
    t = np.round(labelled["threshold"].to_numpy(), 12)
    missing = ~pd.Index(t).isin(lf.index)
    if missing.any():
        raise ValueError("label_free was computed at other thresholds; compute it with "
                         "label_free_estimates(result, thresholds=labelled['threshold'])")
    out = pd.DataFrame({"threshold": labelled["threshold"].to_numpy(),
                        "match_weight": labelled["match_weight"].to_numpy(),
                        "pairs_above": labelled["pairs_above"].to_numpy()})
    for m in ("precision", "recall", "f1", "fp", "fn"):
        lo_c, hi_c = f"{m}_low", f"{m}_high"
        out[f"{m}_labelled"] = labelled[m].to_numpy()
        if lo_c in labelled:
            out[lo_c] = labelled[lo_c].to_numpy()
            out[hi_c] = labelled[hi_c].to_numpy()
        out[f"{m}_label_free"] = lf.loc[t, m].to_numpy()
        if lo_c in labelled:
            v = out[f"{m}_label_free"]
            out[f"{m}_agrees"] = (v >= out[lo_c] - 1e-12) & (v <= out[hi_c] + 1e-12)
    out.attrs.update({"confidence": labelled.attrs.get("confidence"), "n_labels": labelled.attrs.get("n_labels")})
    return out


# ===================================================================== 4. choosing and applying


@dataclass
class Recommendation:
    """A threshold and how it was chosen (``how`` is recorded as the result's ``threshold_source``)."""

    threshold: float
    match_weight: float
    how: str
    criterion: dict[str, Any] = field(default_factory=dict)
    estimate: dict[str, float] = field(default_factory=dict)

    def __float__(self) -> float:
        return float(self.threshold)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able record of the choice (for metadata)."""
        return {"threshold": float(self.threshold), "match_weight": float(self.match_weight), "how": self.how,
                "criterion": dict(self.criterion),
                "estimate": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                             for k, v in self.estimate.items()}}

    def __repr__(self) -> str:
        return f"Recommendation(threshold={self.threshold:.6g}, how={self.how!r})"


def _fmt_ci(row: pd.Series, m: str) -> str:
    if f"{m}_low" in row.index:
        return f"{row[m]:.4f} [{row[f'{m}_low']:.4f}, {row[f'{m}_high']:.4f}]"
    return f"{row[m]:.4f}"


def recommend_threshold(estimates: pd.DataFrame, target_precision: float | None = None,
                        target_recall: float | None = None, *, use: str = "point") -> Recommendation:
    """The threshold that reaches a target precision and/or recall.

    * ``target_precision`` alone: the **lowest** threshold whose precision reaches the target (the most
      recall that precision allows).
    * ``target_recall`` alone: the **highest** threshold whose recall reaches the target.
    * both: the lowest threshold reaching both.

    ``use="point"`` (default) compares the point estimate with the target; ``use="lower"`` requires the
    lower confidence bound to reach it (needs more labels: with a few hundred, the bound for precision
    rarely certifies 0.99). Works on labelled estimates (:func:`estimate_from_labels`) and, with
    ``use="point"``, on :func:`label_free_estimates`. Raises ``ValueError`` when no threshold qualifies,
    saying the best that was reached.
    """
    if target_precision is None and target_recall is None:
        raise ValueError("give target_precision and/or target_recall")
    if use not in ("point", "lower"):
        raise ValueError(f"use must be 'point' or 'lower', not {use!r}")
    est = estimates.sort_values("threshold").reset_index(drop=True)
    est = est[est["pairs_above"] > 0]
    suffix = "" if use == "point" else "_low"
    if use == "lower" and "precision_low" not in est.columns:
        raise ValueError("use='lower' needs estimates with intervals (from estimate_from_labels)")
    ok = np.ones(len(est), dtype=bool)
    parts = []
    if target_precision is not None:
        ok &= (est[f"precision{suffix}"] >= target_precision).fillna(False).to_numpy()
        parts.append(f"precision >= {target_precision:g}")
    if target_recall is not None:
        ok &= (est[f"recall{suffix}"] >= target_recall).fillna(False).to_numpy()
        parts.append(f"recall >= {target_recall:g}")
    what = "point estimate" if use == "point" else "lower confidence bound"
    if not ok.any():
        best = []
        if target_precision is not None:
            i = int(np.nanargmax(est[f"precision{suffix}"].to_numpy()))
            best.append(f"the highest precision ({what}) is {est[f'precision{suffix}'].iloc[i]:.4f} at "
                        f"threshold {est['threshold'].iloc[i]:.6g}")
        if target_recall is not None:
            i = int(np.nanargmax(est[f"recall{suffix}"].to_numpy()))
            best.append(f"the highest recall ({what}) is {est[f'recall{suffix}'].iloc[i]:.4f} at "
                        f"threshold {est['threshold'].iloc[i]:.6g}")
        raise ValueError(f"no threshold reaches {' and '.join(parts)} ({what}): " + "; ".join(best)
                         + ". Label more pairs, lower the target, or use='point'.")
    if target_precision is None:
        i = int(np.flatnonzero(ok)[-1])   # recall only: highest threshold keeping the recall
    else:
        i = int(np.flatnonzero(ok)[0])
    row = est.iloc[i]
    kind = est.attrs.get("kind", estimates.attrs.get("kind", "labelled"))
    if kind == "label-free":
        src = "label-free model estimates"
    else:
        n = estimates.attrs.get("n_labels")
        conf = estimates.attrs.get("confidence")
        src = (f"clerical review of {n} labelled pairs" if n is not None else "clerical review")
        if conf is not None:
            src += f", {conf:.0%} intervals"
    rule = "lowest" if target_precision is not None else "highest"
    how = (f"{src}: {rule} threshold with {what} of {' and '.join(parts)}; "
           f"precision {_fmt_ci(row, 'precision')}, recall {_fmt_ci(row, 'recall')}; "
           f"wrong merges ~{row['fp']:.0f}, missed links ~{row['fn']:.0f} pairs")
    estimate = {k: float(row[k]) for k in row.index if isinstance(row[k], (int, float, np.floating, np.integer))}
    return Recommendation(threshold=float(row["threshold"]), match_weight=float(row["match_weight"]), how=how,
                          criterion={"target_precision": target_precision, "target_recall": target_recall,
                                     "use": use}, estimate=estimate)


def recluster(linker: Any, threshold: float | Recommendation, how: str | None = None) -> Any:
    """Re-cluster a :class:`~linkmiskin.linkage.Linker` at ``threshold`` without retraining or rescoring.

    ``threshold`` is a probability or a :class:`Recommendation`; ``how`` (default: the recommendation's
    ``how``, else ``"user: chosen after calibration"``) is stored as the result's ``threshold_source`` and
    written by ``LinkResult.save`` to ``metadata.json``. A recommendation's details are also attached as
    ``result.calibration`` (a dict). A ``LinkResult`` that carries its linker (``result._linker``) is
    accepted in place of the linker.
    """
    lk = linker
    if not hasattr(lk, "cluster") and getattr(lk, "_linker", None) is not None:
        lk = lk._linker
    if not hasattr(lk, "cluster"):
        raise TypeError("recluster needs the Linker that made the result (linkmiskin.Linker); a LinkResult "
                        "alone cannot be re-clustered without its pairs and records")
    if isinstance(threshold, Recommendation):
        how = how or threshold.how
        t = threshold.threshold
    else:
        t = float(threshold)
    how = how or "user: chosen after calibration"
    result = lk.cluster(t, threshold_source=how)
    if isinstance(threshold, Recommendation):
        result.calibration = threshold.to_dict()
    return result


# =========================================================================================== report


def report_section(labelled: pd.DataFrame | None = None, label_free: pd.DataFrame | None = None,
                   recommendation: Recommendation | None = None, *, result: Any = None,
                   title: str = "Kalibrasi ambang / Threshold calibration") -> tuple[str, str]:
    """``(title, html)`` for ``report.write_report(..., extra_sections=[...])``: the charts (inline SVG) and
    a short table of the estimates at common thresholds."""
    from linkmiskin.report import charts

    parts = []
    chosen = recommendation.threshold if recommendation is not None else (
        getattr(result, "threshold", None) if result is not None else None)
    if recommendation is not None:
        parts.append(f"<p><b>Chosen threshold {recommendation.threshold:.6g}</b>: "
                     f"{html.escape(recommendation.how)}</p>")
    if labelled is not None or label_free is not None:
        parts.append(charts.threshold_selection_chart(labelled, label_free, chosen=chosen).svg)
        parts.append(charts.error_tradeoff_chart(labelled, label_free, chosen=chosen).svg)
        parts.append(charts.precision_recall_chart(labelled, label_free, chosen=chosen).svg)
    if result is not None:
        parts.append(charts.match_weight_histogram(result, threshold=chosen).svg)
    show = labelled if labelled is not None else label_free
    if show is not None:
        keep = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999] + ([chosen] if chosen else [])
        rows = show[np.isin(np.round(show["threshold"], 9), np.round(keep, 9))]
        cols = [c for c in ("threshold", "pairs_above", "fp", "fn", "precision", "precision_low", "precision_high",
                            "recall", "recall_low", "recall_high") if c in rows.columns]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td class='n'>{v:,.4g}</td>" for v in r) + "</tr>"
                       for r in rows[cols].itertuples(index=False))
        parts.append(f"<table><tr>{head}</tr>{body}</table>")
    parts.append("<p class='note'>Counts are record pairs among the scored pairs (probability >= 0.001); "
                 "true matches never scored are not counted, so recall is overstated by that share.</p>")
    return title, "".join(parts)
