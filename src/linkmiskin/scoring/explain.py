"""Why two records were (or were not) made one person: a level-by-level account of one pair.

``result.explain(("dtks", "D-0012"), ("p3ke", "P-0457"))`` works for any two records, scored or not:

* the level of every comparison with its label, m, u and match weight (with the term-frequency
  adjustment), the prior, the total and the probability (a Fellegi-Sunter waterfall);
* whether the pair was a candidate (and which blocking rules found it), and whether it is in
  ``result.pairs``;
* whether a cannot-link rule keeps the two apart (:mod:`linkmiskin.clustering.cannot_link`), which one, and why;
* whether they ended in one person and one household, and by which rule.

>>> ex = result.explain(("dtks", "D-0012"), ("p3ke", "P-0457"))   # doctest: +SKIP
>>> ex.table                  # doctest: +SKIP
>>> print(ex.summary())       # doctest: +SKIP
>>> ex.chart()                # doctest: +SKIP

``ex.table`` has one row per step (prior, each comparison, total), ``ex.summary()`` gives the verdict in
words and ``ex.chart()`` an offline SVG waterfall for Jupyter or the report.

NIK and KK values are masked in the table, the summary and the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.clustering.cannot_link import RULES, PairEvidence, first_rule, pair_frame, with_nik_lists
from linkmiskin.privacy import mask_series, mask_text
from linkmiskin.scoring.levels import levels_by_gamma

__all__ = ["Explanation", "explain"]

_ID_COLUMNS = ("nik", "nik15", "kk", "nik_digits")


@dataclass
class Explanation:
    """The account of one record pair, returned by :meth:`LinkResult.explain`.

    ``table`` has one row per step (``step, comparison, level, level_key, value_a, value_b, m_probability,
    u_probability, match_weight, cumulative_weight``; ``level_key`` is the level's stable key,
    :mod:`linkmiskin.scoring.levels`): the prior first, then each comparison, then the
    total. The other attributes give the verdict.
    """

    record_a: tuple[str, str]
    record_b: tuple[str, str]
    table: pd.DataFrame
    match_weight: float
    match_probability: float
    threshold: float
    candidate: bool
    blocking_rules: list[str]
    in_pairs: bool
    cannot_link_rule: str
    same_person: bool
    same_household: bool
    person_decision: str
    household_decision: str
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The verdict in a few plain sentences."""
        a, b = (f"{s}:{mask_text(str(r))}" for s, r in (self.record_a, self.record_b))
        lines = [f"{a} and {b}: match weight {self.match_weight:+.2f}, probability {self.match_probability:.4f} "
                 f"(threshold {self.threshold:.3f})."]
        if self.candidate:
            lines.append("Candidate pair, found by blocking rule(s): " + "; ".join(self.blocking_rules) + ".")
        else:
            lines.append("Never compared: no blocking rule proposes this pair.")
        if self.cannot_link_rule:
            lines.append(f"Kept apart by cannot-link rule `{self.cannot_link_rule}`: "
                         f"{RULES[self.cannot_link_rule].description}")
        lines.append(f"Person: {self.person_decision}.")
        lines.append(f"Household: {self.household_decision}.")
        lines.extend(self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Explanation(\n{self.summary()}\n)"

    def chart(self) -> Any:
        """An offline SVG waterfall of the match weight (prior, then each comparison, then the total)."""
        return waterfall_chart(self.table, title=f"{self.record_a[0]} vs {self.record_b[0]}: "
                                                 f"p = {self.match_probability:.4f}")


def _locate(table: pd.DataFrame, record: Any, which: str) -> int:
    if not (isinstance(record, tuple | list) and len(record) == 2):
        raise ValueError(f"record_{which} must be (source, record_id), got {mask_text(repr(record))}")
    source, rid = str(record[0]), str(record[1])
    hit = np.flatnonzero((table["source"].astype(str).to_numpy() == source)
                         & (table["record_id"].astype(str).to_numpy() == rid))
    if not len(hit):
        sources = sorted(table["source"].astype(str).unique())
        raise KeyError(f"no record {mask_text(rid)!s} in source {source!r} (sources: {sources}) / "
                       f"tidak ada record {mask_text(rid)} di sumber {source!r}")
    return int(hit[0])


def _shown(v: Any, col: str) -> Any:
    if isinstance(v, list | np.ndarray):
        return " ".join(map(str, v))
    if col in _ID_COLUMNS or col.startswith("nik"):
        return mask_series(pd.Series([v], dtype=object)).iloc[0]
    return v


def _waterfall_table(scored: pd.Series, model: dict) -> pd.DataFrame:
    prior = float(model.get("probability_two_random_records_match", 1e-6))
    prior_w = math.log2(prior / (1 - prior))
    rows = [{"step": "prior", "comparison": "", "level": "prior (two random records match)", "level_key": "",
             "value_a": None,
             "value_b": None, "m_probability": None, "u_probability": None, "match_weight": prior_w}]
    for comp, levels in levels_by_gamma(model).items():
        g = int(scored.get(f"gamma_{comp}", -1))
        lv = levels.get(g, {})
        w = float(scored.get(f"mw_{comp}", 0.0) or 0.0) + float(scored.get(f"mw_tf_adj_{comp}", 0.0) or 0.0)
        rows.append({"step": "comparison", "comparison": comp, "level": lv.get("label_for_charts", str(g)),
                     "level_key": lv.get("key"),
                     "value_a": _shown(scored.get(f"{comp}_l"), comp),
                     "value_b": _shown(scored.get(f"{comp}_r"), comp),
                     "m_probability": lv.get("m_probability"), "u_probability": lv.get("u_probability"),
                     "match_weight": w})
    t = pd.DataFrame(rows)
    t["cumulative_weight"] = t["match_weight"].cumsum()
    total = {"step": "total", "comparison": "", "level": "final match weight", "level_key": "", "value_a": None,
             "value_b": None,
             "m_probability": None, "u_probability": None, "match_weight": float(scored["match_weight"]),
             "cumulative_weight": float(scored["match_weight"])}
    return pd.concat([t, pd.DataFrame([total])], ignore_index=True)


def _person_decision(same: bool, p: float, threshold: float, rule: str, chained: bool) -> str:
    if same and p >= threshold:
        return "one person: the pair scores at or above the threshold"
    if same:
        return "one person, through other records of the same person (this pair alone is below the threshold)"
    if rule:
        return f"two persons: cannot-link rule `{rule}`"
    if p >= threshold:
        return ("two persons: the pair scores above the threshold but the average-linkage rebuild cut the "
                "weak bridge between their groups" if chained else "two persons")
    return "two persons: the pair scores below the threshold"


def explain(result: Any, record_a: Any, record_b: Any) -> Explanation:
    """Explain the decision on two records given as ``(source, record_id)`` (see the module docstring)."""
    lk = result._linker
    if lk is None or lk._table is None or lk.model is None:
        raise ValueError("this result has no linker attached (it was loaded from files); re-run link() "
                         "to explain pairs / hasil ini tidak punya model; jalankan link() lagi")
    t = lk._table
    ia, ib = _locate(t, record_a, "a"), _locate(t, record_b, "b")
    if ia == ib:
        raise ValueError("record_a and record_b are the same record")
    if ia > ib:
        ia, ib = ib, ia
        record_a, record_b = record_b, record_a
    scored = _score_pair(lk, ia, ib)
    p = float(scored["match_probability"])
    rules = _blocking_rules_found(scored, lk.model)
    in_pairs = bool(((result.pairs["source_l"].astype(str) == str(record_a[0]))
                     & (result.pairs["record_id_l"].astype(str) == str(record_a[1]))
                     & (result.pairs["source_r"].astype(str) == str(record_b[0]))
                     & (result.pairs["record_id_r"].astype(str) == str(record_b[1]))).any()
                    | ((result.pairs["source_r"].astype(str) == str(record_a[0]))
                       & (result.pairs["record_id_r"].astype(str) == str(record_a[1]))
                       & (result.pairs["source_l"].astype(str) == str(record_b[0]))
                       & (result.pairs["record_id_l"].astype(str) == str(record_b[1]))).any())
    from linkmiskin.linkage import _pair_flags

    flags = _pair_flags(lk.model, pd.DataFrame([scored]))
    # (on how many lists each NIK is written counts over the whole table, as in clustering)
    m = pair_frame(with_nik_lists(t.assign(node=np.arange(len(t))).set_index("node")), np.array([ia]), np.array([ib]))
    m = m.assign(scored=True, **{k: v for k, v in flags.items()})
    # the rules off for this result: the user's and those the data contradicted (cannot_link.check_rules)
    off = set(result.metadata.get("cannot_link_off", lk.cannot_link_off))
    chosen = [r for n, r in RULES.items() if n not in off]
    rule = str(first_rule(PairEvidence(m), chosen)[0])
    rec = result.records   # in input order; the linker's table is in its canonical order
    order = getattr(lk, "_input_order", None)
    ra, rb = (rec.iloc[order[ia]], rec.iloc[order[ib]]) if order is not None and len(order) else (rec.iloc[ia], rec.iloc[ib])
    same_person = ra["person_id"] == rb["person_id"]
    same_hh = ra["household_id"] == rb["household_id"]
    hh_decision = (f"one household ({ra['household_evidence'] or 'same person'})" if same_hh else
                   f"two households (evidence: {ra['household_evidence'] or 'none'} / "
                   f"{rb['household_evidence'] or 'none'})")
    thr = float(result.threshold)
    notes = []
    if not in_pairs and rules:
        notes.append("The pair was compared but scored below the kept minimum, so it is not in result.pairs.")
    return Explanation(
        record_a=(str(record_a[0]), str(record_a[1])), record_b=(str(record_b[0]), str(record_b[1])),
        table=_waterfall_table(scored, lk.model), match_weight=float(scored["match_weight"]), match_probability=p,
        threshold=thr, candidate=bool(rules), blocking_rules=rules, in_pairs=in_pairs, cannot_link_rule=rule,
        same_person=bool(same_person), same_household=bool(same_hh),
        person_decision=_person_decision(bool(same_person), p, thr, rule, not same_person and p >= thr),
        household_decision=hh_decision, notes=notes)


def _score_pair(lk: Any, ia: int, ib: int) -> pd.Series:
    """Score two records of the linker's table with the trained model (Splink ``score_pair``)."""
    t = lk._table
    sl = lk._splink_linker()
    rec_a = {k: (None if _isna(v) else v) for k, v in t.iloc[ia].to_dict().items()}
    rec_b = {k: (None if _isna(v) else v) for k, v in t.iloc[ib].to_dict().items()}
    out = sl.inference.score_pair(rec_a, rec_b, include_found_by_blocking_rules=True)
    df = out.as_pandas_dataframe() if hasattr(out, "as_pandas_dataframe") else out
    return df.iloc[0]


def _blocking_rules_found(scored: pd.Series, model: dict) -> list[str]:
    """The blocking rule that proposed the pair (Splink reports the first that matched), as SQL."""
    if not bool(scored.get("found_by_blocking_rules", False)):
        return []
    brs = model.get("blocking_rules_to_generate_predictions", [])
    try:
        k = int(scored.get("match_key"))
        return [f"#{k}: " + " ".join(str(brs[k].get("blocking_rule", brs[k])).split())]
    except (TypeError, ValueError, IndexError):
        return ["a blocking rule"]


def _isna(v: Any) -> bool:
    if isinstance(v, list | np.ndarray):
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def waterfall_chart(table: pd.DataFrame, *, title: str = "") -> Any:
    """An offline SVG waterfall from an explanation table: one bar per step, green adds, red subtracts."""
    from linkmiskin.report.charts import SvgChart, _esc

    steps = table[table["step"] != "total"]
    total = float(table["match_weight"].iloc[-1])
    labels = [("prior" if s == "prior" else f"{c}: {lv}") for s, c, lv in
              zip(steps["step"], steps["comparison"], steps["level"])] + ["total"]
    starts = np.concatenate([[0.0], steps["cumulative_weight"].to_numpy(dtype=float)[:-1], [0.0]])
    ends = np.concatenate([steps["cumulative_weight"].to_numpy(dtype=float), [total]])
    lo, hi = float(min(starts.min(), ends.min(), 0)), float(max(starts.max(), ends.max(), 0))
    span = (hi - lo) or 1.0
    width, row_h, left, right = 760, 24, 330, 30
    height = 50 + row_h * len(labels)

    def x(v: float) -> float:
        return left + (v - lo) / span * (width - left - right)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="system-ui,sans-serif" font-size="12" role="img">',
             f'<text x="10" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>',
             f'<line x1="{x(0):.1f}" y1="28" x2="{x(0):.1f}" y2="{height - 10}" stroke="#888" />']
    for i, (lab, s, e) in enumerate(zip(labels, starts, ends)):
        y = 34 + i * row_h
        color = "#3b7dd8" if i == len(labels) - 1 else ("#4a9c5d" if e >= s else "#c0392b")
        x0, x1 = sorted((x(s), x(e)))
        parts.append(f'<text x="10" y="{y + 15}">{_esc(mask_text(str(lab))[:52])}</text>')
        parts.append(f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 8}" '
                     f'fill="{color}"><title>{_esc(lab)}: {e - s:+.2f}</title></rect>')
        parts.append(f'<text x="{min(x1 + 4, width - 28):.1f}" y="{y + 15}" font-size="10">{e - s:+.1f}</text>')
    parts.append("</svg>")
    return SvgChart("".join(parts), title=title)
