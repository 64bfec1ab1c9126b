"""Precision, recall and error counts by threshold: from clerical labels (with intervals) and label-free.

See :mod:`linkmiskin.review.calibration` for the estimators and their coverage.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.privacy import warn
from linkmiskin.review.sampling import (
    _MW_DECIMALS,
    LABELS,
    ReviewError,
    _pairs_of,
    _thresholds,
    design_of,
    probability_to_weight,
    threshold_grid,
)
from linkmiskin.review.workbook import _norm_label

__all__ = ['estimate_from_labels', 'label_free_estimates', 'compare_estimates']


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


def _thresholds_for(design: _Design, sw: np.ndarray, thresholds: Any) -> np.ndarray:
    """The thresholds asked for, or a grid up to the population's (or the sample's) highest match weight."""
    if design.exact:
        pop_range = (float(np.min(design.pop_weight)), float(np.max(design.pop_weight)))
    else:
        pop_range = (float(np.min(sw)), float(np.max(sw)))
    if thresholds is None:
        return threshold_grid(None, highest=min(20.0, pop_range[1]))
    return _thresholds(thresholds)


def _point_estimates(N_above: np.ndarray, N_below: np.ndarray, above: tuple[np.ndarray, np.ndarray],
                     below: tuple[np.ndarray, np.ndarray], pooled: np.ndarray) -> dict[str, np.ndarray]:
    """Estimated tp, fp, fn, tn, precision, recall and F1 per threshold: each cell's population size times
    its labelled match share (a cell without labels takes its stratum's ``pooled`` rate)."""
    (x_ab, n_ab), (x_be, n_be) = above, below

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
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": prec, "recall": rec, "f1": f1,
            "pairs_above": n_above_t}


def _add_intervals(out: pd.DataFrame, sets: dict[str, tuple[np.ndarray, np.ndarray]], pt: dict[str, np.ndarray],
                   confidence: float) -> None:
    """Add the equal-tailed intervals (``_low``, ``_high``) of the counts and rates, and the point rates, to
    ``out``; a point estimate always lies inside its interval."""
    n_above_t = pt["pairs_above"]

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

    for name in ("fp", "fn"):
        point = pt[name]
        out[f"{name}_low"] = np.fmin(q(m_high[name], lo_q), point)
        out[f"{name}_high"] = np.fmax(q(m_low[name], hi_q), point)
    for name in ("precision", "recall", "f1"):
        point = pt[name]
        out[name] = point
        # the point estimate always lies inside its interval
        out[f"{name}_low"] = np.fmin(q(m_low[name], lo_q), point)
        out[f"{name}_high"] = np.fmax(q(m_high[name], hi_q), point)


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
    T = _thresholds_for(design, sw, thresholds)
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
    pt = _point_estimates(N_above, N_below, (x_ab, n_ab), (x_be, n_be), pooled)
    n_above_t = pt["pairs_above"]

    # --- intervals: posterior predictive of each cell's number of matches
    sets = _interval_sets(method, prior, np.random.default_rng(int(seed)), int(draws), (x_ab, n_ab, N_above),
                          (x_be, n_be, N_below), x_h, n_h)

    out = pd.DataFrame({"threshold": T, "match_weight": tw, "pairs_above": n_above_t,
                        "labelled_above": n_ab.sum(axis=1).astype(int), "tp": pt["tp"], "fp": pt["fp"],
                        "fn": pt["fn"], "tn": pt["tn"]})
    _add_intervals(out, sets, pt, confidence)
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
