"""Choosing and applying a threshold from the estimates, and the calibration section of the HTML report.

See :mod:`linkmiskin.review.calibration` for the rules.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ['Recommendation', 'recommend_threshold', 'recluster', 'report_section']


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
