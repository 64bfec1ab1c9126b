"""A small self-contained HTML report of a linkage result (no internet needed, NIK/KK masked).

>>> from linkmiskin.report.html import write_report
>>> write_report(result, "hasil/report.html")          # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import pandas as pd

from linkmiskin.privacy import mask_series, mask_text

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:.9em}
th{background:#f3f3f3}td.n{text-align:right}.note{color:#666;font-size:.85em}
"""


def bar_chart_svg(labels: list[str], values: list[float], *, title: str = "", width: int = 640,
                  bar_height: int = 18, color: str = "#3b7dd8") -> str:
    """A horizontal bar chart as inline SVG (renders offline, in Jupyter and in any browser)."""
    vmax = max([float(v) for v in values] + [1.0])
    label_w = 170
    h = bar_height * len(values) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for i, (lab, v) in enumerate(zip(labels, values)):
        y = 24 + i * bar_height
        w = (width - label_w - 80) * float(v) / vmax
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" font-size="11" '
                     f'text-anchor="end">{html.escape(str(lab))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height - 4}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="11">'
                     f'{v:,.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(mask_text(c))}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for v in r:
            cls = ' class="n"' if isinstance(v, (int, float)) else ""
            text = f"{v:,.3f}" if isinstance(v, float) else (f"{v:,}" if isinstance(v, int) else str(v))
            cells.append(f"<td{cls}>{html.escape(mask_text(text))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def programme_reach(result: Any) -> pd.DataFrame:
    """Households reached by each programme, and by how many programmes each household is reached."""
    hh = result.households
    per_prog = hh.explode("programmes").groupby("programmes").size().rename("households").reset_index()
    per_prog.columns = ["programme", "households"]
    return per_prog.sort_values("households", ascending=False)


def write_report(result: Any, path: str | os.PathLike, *, title: str = "linkmiskin: hasil linkage",
                 extra_sections: list[tuple[str, str]] | None = None) -> Path:
    """Write a self-contained HTML report: sizes, cluster sizes, programme reach, examples with masked NIK."""
    rec = result.records
    hh = result.households
    sizes = pd.DataFrame({
        "source": rec.groupby("source").size().index,
        "records": rec.groupby("source").size().to_numpy(),
        "persons": rec.groupby("source")["person_id"].nunique().to_numpy(),
        "households": rec.groupby("source")["household_id"].nunique().to_numpy(),
        "valid NIK": rec.groupby("source")["nik_status"].apply(lambda s: int((s == "valid").sum())).to_numpy(),
    })
    person_sizes = rec.groupby("person_id").size().value_counts().sort_index()
    hh_sizes = hh["n_persons"].value_counts().sort_index()
    reach = programme_reach(result)
    multi = hh["n_programmes"].value_counts().sort_index()
    sections = [
        ("Ringkasan / Summary",
         f"<p>{len(rec):,} records, {rec['person_id'].nunique():,} persons, {len(hh):,} households. "
         f"Person threshold {result.threshold:.3f} ({html.escape(result.threshold_source)}).</p>" + _table(sizes)),
        ("Records per person", bar_chart_svg([str(i) for i in person_sizes.index[:15]],
                                             list(person_sizes.to_numpy()[:15]), title="persons by number of records")),
        ("Persons per household", bar_chart_svg([str(i) for i in hh_sizes.index[:15]],
                                                list(hh_sizes.to_numpy()[:15]), title="households by number of persons")),
        ("Jangkauan program / Programme reach",
         bar_chart_svg(list(reach["programme"]), list(reach["households"]), title="households per programme")
         + bar_chart_svg([f"{i} programme(s)" for i in multi.index], list(multi.to_numpy()),
                         title="households by number of programmes reaching them", color="#d8833b")),
    ]
    ex = rec[rec.groupby("person_id")["person_id"].transform("size") > 1].head(12)
    if len(ex):
        show = pd.DataFrame({
            "person_id": ex["person_id"], "source": ex["source"], "record_id": ex["record_id"],
            "NIK": mask_series(ex["nik"].astype("string")).to_numpy(), "name": ex["name"],
            "birth_date": ex["birth_date"], "desa": ex["desa_name"], "confidence": ex["person_confidence"]})
        sections.append(("Contoh / Examples of linked records (NIK masked)", _table(show)))
    for t, body in extra_sections or []:
        sections.append((t, body))
    body = "".join(f"<h2>{html.escape(t)}</h2>{b}" for t, b in sections)
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
           f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}"
           f"<p class='note'>Generated by linkmiskin. NIK and KK numbers are masked.</p></body></html>")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(mask_text(doc), encoding="utf-8")  # the last pass: no NIK/KK anywhere in the page
    return p
