"""Offline charts for threshold calibration: inline SVG, no JavaScript, no internet.

Splink's charts are Vega-Lite and need a CDN to display in Jupyter (Splink guide A12). These are plain SVG
strings wrapped in :class:`SvgChart`, which displays itself in Jupyter (``_repr_svg_`` / ``_repr_html_``),
embeds in the HTML report (``chart.svg``) and saves to ``.svg`` or ``.html``::

    from linkmiskin.review import calibration as cal

    from linkmiskin.report import charts
    est = cal.estimate_from_labels(labels)
    free = cal.label_free_estimates(result, est["threshold"])
    charts.threshold_selection_chart(est, free, chosen=0.9)      # precision/recall/F1 vs threshold
    charts.error_tradeoff_chart(est, free)                        # wrong merges vs missed links (pairs)
    charts.precision_recall_chart(est, free)
    charts.match_weight_histogram(result, threshold=0.9)

Labelled estimates are solid lines with a shaded confidence band; label-free (model) estimates are dashed
lines of the same colour, so disagreement between the two is visible at a glance.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.privacy import mask_text

__all__ = ["SvgChart", "threshold_selection_chart", "error_tradeoff_chart", "precision_recall_chart",
           "match_weight_histogram", "line_chart"]

_FONT = "system-ui,-apple-system,Segoe UI,Roboto,sans-serif"
_COLORS = {"precision": "#3b7dd8", "recall": "#d8833b", "f1": "#4a9c5d", "fp": "#c0392b", "fn": "#7d52b3"}
_LABELS = {"precision": "precision", "recall": "recall", "f1": "F1",
           "fp": "wrong merges (false matches)", "fn": "missed links (missed matches)"}


class SvgChart:
    """An SVG chart that renders offline: in Jupyter, in the HTML report (``.svg``) and in any browser."""

    def __init__(self, svg: str, title: str = "") -> None:
        self.svg = mask_text(svg)  # the masking pass: no NIK/KK in any chart
        self.title = mask_text(title)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return f'<div class="linkmiskin-chart">{self.svg}</div>'

    def to_html(self) -> str:
        """A complete, self-contained HTML page with the chart."""
        t = html.escape(self.title or "linkmiskin chart")
        return (f"<!doctype html><html><head><meta charset='utf-8'><title>{t}</title></head>"
                f"<body>{self.svg}</body></html>")

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``.svg`` (standalone SVG) or ``.html`` (a page holding the SVG)."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.suffix.lower() == ".svg":
            p.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + self.svg, encoding="utf-8")
        else:
            p.write_text(self.to_html(), encoding="utf-8")
        return p

    def __str__(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"SvgChart({self.title!r}, {len(self.svg):,} characters of SVG)"


# ============================================================================================ helpers


def _nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=10 * mag)
    start = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    return ticks


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10 or float(v).is_integer():
        return f"{v:.0f}"
    if a >= 1:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return f"{v:.3f}".rstrip("0").rstrip(".")


def _esc(s: Any) -> str:
    return html.escape(mask_text(s), quote=True)


class _Canvas:
    def __init__(self, width: int, height: int, title: str, x_range: tuple[float, float],
                 y_range: tuple[float, float], *, left: int = 64, right: int = 20, top: int = 34,
                 bottom: int = 52, y_log: bool = False, legend_rows: int = 0) -> None:
        self.legend_h = 16 * legend_rows + (6 if legend_rows else 0)
        height = height + self.legend_h
        bottom = bottom + self.legend_h
        self.w, self.h = width, height
        self.l, self.r, self.t, self.b = left, right, top, bottom
        self.x0, self.x1 = x_range
        if self.x1 <= self.x0:
            self.x1 = self.x0 + 1.0
        self.y_log = y_log
        y0, y1 = y_range
        if y_log:
            y0, y1 = math.log10(max(y0, 1e-9)), math.log10(max(y1, 1e-9))
        if y1 <= y0:
            y1 = y0 + 1.0
        self.y0, self.y1 = y0, y1
        self.parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                      f'viewBox="0 0 {width} {height}" role="img" font-family="{_FONT}">',
                      f"<title>{_esc(title)}</title>",
                      f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
                      f'<text x="{left}" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>']

    # coordinates
    def X(self, x: Any) -> Any:
        return self.l + (np.asarray(x, dtype=float) - self.x0) / (self.x1 - self.x0) * (self.w - self.l - self.r)

    def Y(self, y: Any) -> Any:
        y = np.asarray(y, dtype=float)
        if self.y_log:
            y = np.log10(np.maximum(y, 1e-9))
        return self.t + (self.y1 - y) / (self.y1 - self.y0) * (self.h - self.t - self.b)

    def clip_y(self, y: Any) -> Any:
        lo, hi = (10 ** self.y0, 10 ** self.y1) if self.y_log else (self.y0, self.y1)
        return np.clip(np.asarray(y, dtype=float), lo, hi)

    def axes(self, x_label: str, y_label: str, x_ticks: Sequence[tuple[float, str]],
             y_ticks: Sequence[tuple[float, str]]) -> None:
        px0, px1 = self.l, self.w - self.r
        py0, py1 = self.t, self.h - self.b
        p = self.parts
        for v, lab in y_ticks:
            y = float(self.Y(v))
            if py0 - 0.5 <= y <= py1 + 0.5:
                p.append(f'<line x1="{px0}" y1="{y:.1f}" x2="{px1}" y2="{y:.1f}" stroke="#e5e5e5"/>')
                p.append(f'<text x="{px0 - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_esc(lab)}</text>')
        for v, lab in x_ticks:
            x = float(self.X(v))
            if px0 - 0.5 <= x <= px1 + 0.5:
                p.append(f'<line x1="{x:.1f}" y1="{py0}" x2="{x:.1f}" y2="{py1}" stroke="#f0f0f0"/>')
                lines = lab.split("\n")
                for k, line in enumerate(lines):
                    p.append(f'<text x="{x:.1f}" y="{py1 + 15 + 11 * k}" font-size="{11 if k == 0 else 9}" '
                             f'text-anchor="middle" fill="{"#222" if k == 0 else "#777"}">{_esc(line)}</text>')
        p.append(f'<rect x="{px0}" y="{py0}" width="{px1 - px0}" height="{py1 - py0}" fill="none" stroke="#999"/>')
        p.append(f'<text x="{(px0 + px1) / 2:.1f}" y="{self.h - self.legend_h - 6}" font-size="12" text-anchor="middle">'
                 f'{_esc(x_label)}</text>')
        p.append(f'<text x="14" y="{(py0 + py1) / 2:.1f}" font-size="12" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(py0 + py1) / 2:.1f})">{_esc(y_label)}</text>')

    def polyline(self, x: Any, y: Any, color: str, *, dash: bool = False, width: float = 2.0,
                 label: str = "") -> None:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() == 0:
            return
        # break the line where values are missing
        segs, cur = [], []
        for xi, yi, good in zip(self.X(x), self.Y(self.clip_y(y)), ok, strict=True):
            if good:
                cur.append(f"{xi:.1f},{yi:.1f}")
            elif cur:
                segs.append(cur)
                cur = []
        if cur:
            segs.append(cur)
        d = ' stroke-dasharray="6,4"' if dash else ""
        for s in segs:
            self.parts.append(f'<polyline points="{" ".join(s)}" fill="none" stroke="{color}" '
                              f'stroke-width="{width}"{d}><title>{_esc(label)}</title></polyline>')

    def band(self, x: Any, lo: Any, hi: Any, color: str, label: str = "") -> None:
        x, lo, hi = (np.asarray(a, dtype=float) for a in (x, lo, hi))
        ok = np.isfinite(x) & np.isfinite(lo) & np.isfinite(hi)
        if ok.sum() < 2:
            return
        x, lo, hi = x[ok], self.clip_y(lo[ok]), self.clip_y(hi[ok])
        pts = [f"{a:.1f},{b:.1f}" for a, b in zip(self.X(x), self.Y(hi), strict=True)]
        pts += [f"{a:.1f},{b:.1f}" for a, b in zip(self.X(x[::-1]), self.Y(lo[::-1]), strict=True)]
        self.parts.append(f'<polygon points="{" ".join(pts)}" fill="{color}" fill-opacity="0.16" stroke="none">'
                          f'<title>{_esc(label)}</title></polygon>')

    def vline(self, x: float, label: str, color: str = "#333") -> None:
        if not (self.x0 <= x <= self.x1):
            return
        px = float(self.X(x))
        self.parts.append(f'<line x1="{px:.1f}" y1="{self.t}" x2="{px:.1f}" y2="{self.h - self.b}" '
                          f'stroke="{color}" stroke-width="1.5" stroke-dasharray="2,3"/>')
        anchor = "end" if px > (self.l + self.w - self.r) / 2 else "start"
        dx = -4 if anchor == "end" else 4
        self.parts.append(f'<text x="{px + dx:.1f}" y="{self.t + 12}" font-size="11" text-anchor="{anchor}" '
                          f'fill="{color}">{_esc(label)}</text>')

    def point(self, x: float, y: float, color: str, label: str = "") -> None:
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        self.parts.append(f'<circle cx="{float(self.X(x)):.1f}" cy="{float(self.Y(self.clip_y(y))):.1f}" r="4.5" '
                          f'fill="{color}" stroke="white"><title>{_esc(label)}</title></circle>')

    def legend(self, items: list[tuple[str, str, str]]) -> None:
        """items: (label, color, style) with style 'solid', 'dashed' or 'band'; drawn under the x-axis
        (reserve rows with ``legend_rows``) or, without reserved rows, inside the top of the plot."""
        x = self.l + 8
        y = self.h - self.legend_h + 14 if self.legend_h else self.t + 14
        right_edge = self.w - self.r - 8
        for lab, color, style in items:
            wlab = int(6.2 * len(lab)) + 40
            if x + wlab > right_edge:
                x = self.l + 8
                y += 15
            if style == "band":
                self.parts.append(f'<rect x="{x}" y="{y - 8}" width="22" height="9" fill="{color}" fill-opacity="0.2"/>')
            else:
                d = ' stroke-dasharray="6,4"' if style == "dashed" else ""
                self.parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="{color}" '
                                  f'stroke-width="2"{d}/>')
            self.parts.append(f'<text x="{x + 27}" y="{y}" font-size="11">{_esc(lab)}</text>')
            x += wlab

    def done(self) -> str:
        return "".join(self.parts) + "</svg>"


def _weight_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    ticks = _nice_ticks(lo, hi, 9)
    out = []
    for t in ticks:
        p = 1.0 / (1.0 + 2.0 ** (-t))
        ps = f"p={p:.4g}" if 0.0001 < p < 0.9999 else (f"p={p:.1e}" if p <= 0.0001 else f"1-p={1 - p:.0e}")
        out.append((t, f"{_fmt(t)}\n{ps}"))
    return out


def _tw(est: pd.DataFrame) -> np.ndarray:
    if "match_weight" in est.columns:
        return est["match_weight"].to_numpy(dtype=float)
    p = np.clip(est["threshold"].to_numpy(dtype=float), 1e-300, 1 - 1e-16)
    return np.log2(p / (1 - p))


#: Default x-range of the threshold charts, in match weight: probability 0.0078 to 0.999, where choices are made.
DEFAULT_WEIGHT_RANGE: tuple[float, float] = (-7.0, 10.0)


def _legend_rows(labels: list[str], width: int) -> int:
    rows, x = 1, 0
    for lab in labels:
        w = int(6.2 * len(lab)) + 40
        if x + w > width - 100 and x > 0:
            rows += 1
            x = 0
        x += w
    return rows


def _restrict(est: pd.DataFrame | None, weight_range: tuple[float, float] | None) -> pd.DataFrame | None:
    if est is None or weight_range is None:
        return est
    w = _tw(est)
    keep = (w >= weight_range[0] - 1e-9) & (w <= weight_range[1] + 1e-9)
    if keep.sum() < 2:
        return est
    out = est[keep]
    out.attrs = dict(est.attrs)
    return out


def _to_weight(t: float | None) -> float | None:
    if t is None:
        return None
    t = float(t)
    return math.log2(t / (1 - t))


def _chosen_label(t: float) -> str:
    return f"threshold p={t:.4g}"


# ============================================================================================= charts


def line_chart(series: list[dict[str, Any]], *, title: str = "", x_label: str = "", y_label: str = "",
               x_range: tuple[float, float] | None = None, y_range: tuple[float, float] | None = None,
               x_ticks: Sequence[tuple[float, str]] | None = None, width: int = 720, height: int = 380,
               vlines: Sequence[tuple[float, str]] = ()) -> SvgChart:
    """A general line chart. Each series: ``{"x", "y", "label", "color"}`` and optionally ``"lo", "hi"``
    (a shaded band) and ``"dash": True``."""
    xs = np.concatenate([np.asarray(s["x"], dtype=float) for s in series]) if series else np.array([0.0, 1.0])
    ys = np.concatenate([np.asarray(s["y"], dtype=float) for s in series]) if series else np.array([0.0, 1.0])
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    xr = x_range or ((float(xs.min()), float(xs.max())) if len(xs) else (0.0, 1.0))
    yr = y_range or ((float(ys.min()), float(ys.max())) if len(ys) else (0.0, 1.0))
    c = _Canvas(width, height, title, xr, yr)
    xt = list(x_ticks) if x_ticks is not None else [(v, _fmt(v)) for v in _nice_ticks(*xr)]
    c.axes(x_label, y_label, xt, [(v, _fmt(v)) for v in _nice_ticks(c.y0, c.y1)])
    for s in series:
        if "lo" in s and "hi" in s:
            c.band(s["x"], s["lo"], s["hi"], s["color"], s.get("label", ""))
    for s in series:
        c.polyline(s["x"], s["y"], s["color"], dash=bool(s.get("dash")), label=s.get("label", ""))
    for x, lab in vlines:
        c.vline(x, lab)
    c.legend([(s["label"], s["color"], "dashed" if s.get("dash") else "solid") for s in series if s.get("label")])
    return SvgChart(c.done(), title)


def _y_floor(values: list[np.ndarray], floor: float | None) -> float:
    if floor is not None:
        return floor
    v = np.concatenate([a[np.isfinite(a)] for a in values]) if values else np.array([0.0])
    if not len(v):
        return 0.0
    lo = float(v.min())
    step = 0.01 if lo >= 0.95 else (0.05 if lo >= 0.5 else 0.1)
    return max(0.0, math.floor(lo / step - 1e-9) * step)


def _estimate_frames(labelled: pd.DataFrame | None, label_free: pd.DataFrame | None,
                     weight_range: tuple[float, float] | None) -> tuple[Any, Any, list[pd.DataFrame]]:
    """The labelled and label-free estimates limited to ``weight_range``, and those given, as a list; an
    error when neither is given."""
    if labelled is None and label_free is None:
        raise ValueError("give labelled and/or label_free estimates")
    labelled, label_free = _restrict(labelled, weight_range), _restrict(label_free, weight_range)
    return labelled, label_free, [f for f in (labelled, label_free) if f is not None]


def threshold_selection_chart(labelled: pd.DataFrame | None = None, label_free: pd.DataFrame | None = None, *,
                              metrics: Sequence[str] = ("precision", "recall", "f1"), chosen: float | None = None,
                              y_min: float | None = None,
                              weight_range: tuple[float, float] | None = DEFAULT_WEIGHT_RANGE,
                              width: int = 760, height: int = 400,
                              title: str = "Precision, recall and F1 by threshold") -> SvgChart:
    """Precision/recall/F1 against the threshold (x: match weight, with probabilities under the ticks).

    Labelled estimates (:func:`~linkmiskin.review.calibration.estimate_from_labels`) are solid with their
    confidence band; label-free ones (:func:`~linkmiskin.review.calibration.label_free_estimates`) dashed.
    ``chosen`` (a probability) is marked with a vertical line. ``weight_range`` limits the x-axis (default
    match weight -7 to 10, probability 0.008 to 0.999; ``None`` for all thresholds).
    """
    labelled, label_free, frames = _estimate_frames(labelled, label_free, weight_range)
    xw = np.concatenate([_tw(f) for f in frames])
    xr = (float(np.nanmin(xw)), float(np.nanmax(xw)))
    vals = [f[m].to_numpy(dtype=float) for f in frames for m in metrics if m in f]
    y0 = _y_floor(vals, y_min)
    c = _Canvas(width, height, title, xr, (y0, 1.0), legend_rows=_legend_rows(
        [f"{_LABELS[m]} (model, no labels)" for m in metrics] * 2 + ["95% interval"], width))
    c.axes("threshold (match weight; match probability below)", "estimate", _weight_ticks(*xr),
           [(v, _fmt(v)) for v in _nice_ticks(y0, 1.0)])
    items: list[tuple[str, str, str]] = []
    conf = labelled.attrs.get("confidence", 0.95) if labelled is not None else 0.95
    if labelled is not None:
        x = _tw(labelled)
        for m in metrics:
            if f"{m}_low" in labelled:
                c.band(x, labelled[f"{m}_low"], labelled[f"{m}_high"], _COLORS[m], f"{_LABELS[m]} {conf:.0%} interval")
    for m in metrics:
        items += _estimate_lines(c, labelled, label_free, m, "(model, no labels)")
    if labelled is not None and any(f"{m}_low" in labelled for m in metrics):
        items.append((f"{conf:.0%} interval", "#888", "band"))
    return _finished(c, items, chosen, title)


def error_tradeoff_chart(labelled: pd.DataFrame | None = None, label_free: pd.DataFrame | None = None, *,
                         chosen: float | None = None,
                         weight_range: tuple[float, float] | None = DEFAULT_WEIGHT_RANGE,
                         width: int = 760, height: int = 400,
                         title: str = "Wrong merges against missed links, by threshold (record pairs)"
                         ) -> SvgChart:
    """Estimated wrong merges (false-match pairs) and missed links (missed-match pairs) against the
    threshold: what each threshold buys. Labelled estimates solid with bands, label-free dashed."""
    labelled, label_free, frames = _estimate_frames(labelled, label_free, weight_range)
    xw = np.concatenate([_tw(f) for f in frames])
    xr = (float(np.nanmin(xw)), float(np.nanmax(xw)))
    ymax = max(float(np.nanmax(f[m].to_numpy(dtype=float))) for f in frames for m in ("fp", "fn") if m in f)
    if labelled is not None:
        for m in ("fp", "fn"):
            if f"{m}_high" in labelled:
                ymax = max(ymax, float(np.nanmax(labelled[f"{m}_high"])))
    ymax = max(ymax, 1.0)
    c = _Canvas(width, height, title, xr, (0.0, ymax * 1.05),
                legend_rows=_legend_rows([f"{_LABELS['fn']} (labels)"] * 4, width))
    c.axes("threshold (match weight; match probability below)", "record pairs", _weight_ticks(*xr),
           [(v, _fmt(v)) for v in _nice_ticks(0.0, ymax * 1.05)])
    items: list[tuple[str, str, str]] = []
    for m in ("fp", "fn"):
        if labelled is not None and m in labelled and f"{m}_low" in labelled:
            c.band(_tw(labelled), labelled[f"{m}_low"], labelled[f"{m}_high"], _COLORS[m])
        items += _estimate_lines(c, labelled, label_free, m, "(model)")
    return _finished(c, items, chosen, title)


def _estimate_lines(c: _Canvas, labelled: pd.DataFrame | None, label_free: pd.DataFrame | None, m: str,
                    model_legend: str) -> list[tuple[str, str, str]]:
    """Draw metric ``m`` against the threshold: solid from the labelled estimates, dashed from the
    label-free ones; returns their legend items."""
    items = []
    if labelled is not None and m in labelled:
        c.polyline(_tw(labelled), labelled[m], _COLORS[m], label=f"{_LABELS[m]} (labels)")
        items.append((f"{_LABELS[m]} (labels)", _COLORS[m], "solid"))
    if label_free is not None and m in label_free:
        c.polyline(_tw(label_free), label_free[m], _COLORS[m], dash=True, label=f"{_LABELS[m]} (model)")
        items.append((f"{_LABELS[m]} {model_legend}", _COLORS[m], "dashed"))
    return items


def _finished(c: _Canvas, items: list[tuple[str, str, str]], chosen: float | None, title: str) -> SvgChart:
    """Mark the chosen threshold, draw the legend and close the chart."""
    if chosen is not None:
        c.vline(_to_weight(chosen), _chosen_label(chosen))
    c.legend(items)
    return SvgChart(c.done(), title)


def precision_recall_chart(labelled: pd.DataFrame | None = None, label_free: pd.DataFrame | None = None, *,
                           chosen: float | None = None,
                           weight_range: tuple[float, float] | None = DEFAULT_WEIGHT_RANGE,
                           width: int = 560, height: int = 460,
                           title: str = "Precision against recall") -> SvgChart:
    """Precision (y) against recall (x) as the threshold moves; ``chosen`` marked with a dot (and the
    labelled confidence intervals there as cross-hairs)."""
    labelled, label_free, frames = _estimate_frames(labelled, label_free, weight_range)
    rec = np.concatenate([f["recall"].to_numpy(dtype=float) for f in frames])
    pre = np.concatenate([f["precision"].to_numpy(dtype=float) for f in frames])
    x0 = _y_floor([rec], None)
    y0 = _y_floor([pre], None)
    c = _Canvas(width, height, title, (x0, 1.0), (y0, 1.0),
                legend_rows=_legend_rows(["model, no labels", "labels", "threshold p=0.12345"], width))
    c.axes("recall (among scored pairs)", "precision", [(v, _fmt(v)) for v in _nice_ticks(x0, 1.0)],
           [(v, _fmt(v)) for v in _nice_ticks(y0, 1.0)])
    items: list[tuple[str, str, str]] = []
    for f, dash, name, color in ((labelled, False, "labels", "#3b7dd8"), (label_free, True, "model, no labels",
                                                                          "#d8833b")):
        if f is None:
            continue
        order = np.argsort(f["threshold"].to_numpy())
        xr_ = np.clip(f["recall"].to_numpy(dtype=float)[order], x0, 1.0)
        c.polyline(xr_, f["precision"].to_numpy(dtype=float)[order], color, dash=dash, label=name)
        items.append((name, color, "dashed" if dash else "solid"))
        if chosen is not None:
            i = int(np.argmin(np.abs(f["threshold"].to_numpy(dtype=float) - chosen)))
            r = f.iloc[i]
            if "precision_low" in f and "recall_low" in f:
                cx, cy = float(c.X(max(r["recall"], x0))), float(c.Y(c.clip_y(r["precision"])))
                ylo, yhi = float(c.Y(c.clip_y(r["precision_low"]))), float(c.Y(c.clip_y(r["precision_high"])))
                xlo, xhi = float(c.X(max(r["recall_low"], x0))), float(c.X(min(r["recall_high"], 1.0)))
                c.parts.append(f'<line x1="{cx:.1f}" y1="{ylo:.1f}" x2="{cx:.1f}" y2="{yhi:.1f}" stroke="{color}"/>')
                c.parts.append(f'<line x1="{xlo:.1f}" y1="{cy:.1f}" x2="{xhi:.1f}" y2="{cy:.1f}" stroke="{color}"/>')
            c.point(max(float(r["recall"]), x0), float(r["precision"]), color,
                    f"{name}: threshold {r['threshold']:.4g}, precision {r['precision']:.4f}, "
                    f"recall {r['recall']:.4f}")
    if chosen is not None:
        items.append((_chosen_label(chosen), "#333", "solid"))
    c.legend(items)
    return SvgChart(c.done(), title)


def match_weight_histogram(result_or_pairs: Any, *, threshold: float | None = None, bin_width: float = 1.0,
                           log_y: bool = True, width: int = 760, height: int = 340,
                           title: str = "Scored pairs by match weight") -> SvgChart:
    """Histogram of the scored pairs' match weights; bars at or above ``threshold`` (a probability) are
    blue, below grey. ``log_y`` (default) keeps the few uncertain pairs visible beside the many sure ones."""
    pairs = result_or_pairs if isinstance(result_or_pairs, pd.DataFrame) else result_or_pairs.pairs
    if "match_weight" in pairs:
        w = pairs["match_weight"].to_numpy(dtype=float)
    else:
        p = np.clip(pairs["match_probability"].to_numpy(dtype=float), 1e-300, 1 - 1e-16)
        w = np.log2(p / (1 - p))
    w = w[np.isfinite(w)]
    if threshold is None and not isinstance(result_or_pairs, pd.DataFrame):
        threshold = getattr(result_or_pairs, "threshold", None)
    if len(w) == 0:
        c = _Canvas(width, height, title, (0, 1), (0, 1))
        c.axes("match weight", "pairs", [], [])
        return SvgChart(c.done(), title)
    lo = math.floor(w.min() / bin_width) * bin_width
    hi = math.ceil((w.max() + 1e-9) / bin_width) * bin_width
    edges = np.arange(lo, hi + bin_width / 2, bin_width)
    if len(edges) < 2:
        edges = np.array([lo, lo + bin_width])
    counts, edges = np.histogram(w, bins=edges)
    ymax = max(int(counts.max()), 1)
    if log_y:
        c = _Canvas(width, height, title, (edges[0], edges[-1]), (0.8, ymax * 1.3), y_log=True)
        yt = [10 ** k for k in range(0, int(math.log10(ymax * 1.3)) + 1)]
        c.axes("match weight (match probability below)", "record pairs (log scale)", _weight_ticks(edges[0], edges[-1]),
               [(v, _fmt(v)) for v in yt])
    else:
        c = _Canvas(width, height, title, (edges[0], edges[-1]), (0, ymax * 1.05))
        c.axes("match weight (match probability below)", "record pairs", _weight_ticks(edges[0], edges[-1]),
               [(v, _fmt(v)) for v in _nice_ticks(0, ymax * 1.05)])
    tw = _to_weight(threshold) if threshold is not None else None
    base = float(c.Y(0.8 if log_y else 0))
    for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True):
        if n == 0:
            continue
        x0, x1 = float(c.X(a)), float(c.X(b))
        y = float(c.Y(n))
        color = "#3b7dd8" if tw is None or a >= tw else ("#9aa5b1" if b <= tw else "#7f9fcf")
        c.parts.append(f'<rect x="{x0 + 0.5:.1f}" y="{y:.1f}" width="{max(x1 - x0 - 1, 0.5):.1f}" '
                       f'height="{max(base - y, 0):.1f}" fill="{color}"><title>weight {_fmt(a)} to {_fmt(b)}: '
                       f'{n:,} pairs</title></rect>')
    if threshold is not None:
        c.vline(tw, _chosen_label(threshold))
    return SvgChart(c.done(), title)
