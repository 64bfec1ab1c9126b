"""linkmiskin.review.calibration and linkmiskin.report.charts: review workbook, estimators, label-free estimates, charts."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import linkmiskin as lm
from linkmiskin.report import charts
from linkmiskin.review import calibration as cal
from linkmiskin.review import sampling
from linkmiskin.synthetic.generator import generate

# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def linked():
    """One generated set linked once (about 10 s): the linker, its result and the truth."""
    data = generate(households=2000, seed=3)
    linker = lm.Linker(data.sources, region="32.16", progress=False)
    result = linker.cluster()
    return SimpleNamespace(linker=linker, result=result, truth=data.truth)


def _pair_truth(pairs: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    key = pd.Series(truth["person_id"].to_numpy(),
                    index=truth["source"].astype(str) + "\x1f" + truth["record_id"].astype(str))
    pl = key.reindex(pairs["source_l"].astype(str) + "\x1f" + pairs["record_id_l"].astype(str)).to_numpy()
    pr = key.reindex(pairs["source_r"].astype(str) + "\x1f" + pairs["record_id_r"].astype(str)).to_numpy()
    assert not pd.isna(pl).any() and not pd.isna(pr).any()
    return pl == pr


def _true_at(p: np.ndarray, y: np.ndarray, t: float) -> tuple[float, float]:
    s = p >= t
    return float(y[s].mean()), float(y[s].sum() / y.sum())


@pytest.fixture(scope="module")
def workbook(linked, tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "review.xlsx"
    sample = cal.review_sample(linked.result, n=40, seed=5, path=path)
    return SimpleNamespace(path=path, sample=sample)


def _copy_edit(src: Path, dst: Path, edit) -> Path:
    wb = load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def _header(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value is not None}


def _fill_from_truth(wb, truth: pd.DataFrame, *, style=lambda lab, i: lab) -> None:
    ws = wb["review"]
    h = _header(ws)
    key = pd.Series(truth["person_id"].to_numpy(),
                    index=truth["source"].astype(str) + "\x1f" + truth["record_id"].astype(str))
    for i, row in enumerate(ws.iter_rows(min_row=2), start=0):
        a = key[f"{row[h['source_A'] - 1].value}\x1f{row[h['record_id_A'] - 1].value}"]
        b = key[f"{row[h['source_B'] - 1].value}\x1f{row[h['record_id_B'] - 1].value}"]
        row[h["label"] - 1].value = style("match" if a == b else "non-match", i)


# --------------------------------------------------------------------------------- review workbook


def test_review_sample_design(linked):
    pairs = linked.result.pairs
    s = cal.review_sample(linked.result, n=300, seed=0)
    assert len(s) == 300 and s["review_id"].tolist() == list(range(1, 301))
    assert s["label"].isna().all()
    design = cal.design_of(s)
    strata = pd.DataFrame(design["strata"])
    assert strata["population_pairs"].sum() == len(pairs)
    assert strata["sampled_pairs"].sum() == 300
    # the weight of a sampled pair is population pairs / sampled pairs of its stratum
    counts = s.groupby("stratum").size()
    for r in strata.itertuples():
        assert counts[r.stratum] == r.sampled_pairs
        w = s.loc[s["stratum"] == r.stratum, "stratum_weight"].unique()
        assert np.allclose(w, r.population_pairs / r.sampled_pairs)
    # sampling rates are highest in the uncertain middle (probability 0.1-0.99)
    rate = strata.set_index("stratum")["sampled_pairs"] / strata.set_index("stratum")["population_pairs"]
    middle = strata[(strata["mw_low"] >= -3.2) & (strata["mw_high"] <= 6.7)]["stratum"]
    confident = strata[strata["mw_low"] >= 9.9]["stratum"]
    assert rate[middle].min() > rate[confident].max()
    # deterministic and records side by side
    again = cal.review_sample(linked.result, n=300, seed=0)
    assert again[["source_l", "record_id_l", "source_r", "record_id_r"]].equals(
        s[["source_l", "record_id_l", "source_r", "record_id_r"]])
    for f in ("name", "nik", "birth_date", "desa"):
        assert {f"{f}_l", f"{f}_r", f"differs_{f}"} <= set(s.columns)
    assert set(s["differs_name"]) <= {"", "differ", "one missing"}


def test_allocation_rules():
    N = np.array([67, 75, 97, 92, 137, 389, 756, 2155])
    pbar = np.array([0.006, 0.03, 0.24, 0.78, 0.97, 0.9966, 0.9998, 0.99997])
    a = sampling._allocate(N, pbar, 300)
    assert a.sum() == 300 and (a <= N).all() and (a >= 9).all()
    assert sampling._allocate(N, pbar, 10_000).tolist() == N.tolist()      # census when n >= population
    small = sampling._allocate(np.array([2, 500, 500]), np.array([0.5, 0.5, 0.999]), 100)
    assert small[0] == 2 and small.sum() == 100


def test_workbook_round_trip(linked, workbook, tmp_path):
    filled = _copy_edit(workbook.path, tmp_path / "filled.xlsx", lambda wb: _fill_from_truth(wb, linked.truth))
    got = cal.read_review(filled)
    want = cal.simulate_labels(workbook.sample, linked.truth)
    assert got["review_id"].tolist() == want["review_id"].tolist()
    assert got["label"].tolist() == want["label"].tolist()
    assert got["record_id_l"].tolist() == want["record_id_l"].tolist()
    assert np.allclose(got["stratum_weight"], want["stratum_weight"])
    # the design survives the round trip: identical estimates
    e1 = cal.estimate_from_labels(want, thresholds=[0.5, 0.9, 0.99], seed=1)
    e2 = cal.estimate_from_labels(got, thresholds=[0.5, 0.9, 0.99], seed=1)
    pd.testing.assert_frame_equal(e1, e2, check_exact=False, atol=1e-9)


def test_workbook_layout(workbook):
    wb = load_workbook(workbook.path)
    assert wb.sheetnames == ["review", "instructions", "meta", "design"]
    ws = wb["review"]
    h = _header(ws)
    assert list(h)[:7] == ["review_id", "label", "note", "source_A", "record_id_A", "source_B", "record_id_B"]
    assert ws.freeze_panes == "D2"
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 1 and dvs[0].formula1 == '"match,non-match,unsure"'
    assert str(dvs[0].sqref) == f"B2:B{len(workbook.sample) + 1}"
    # differing fields are filled orange, identical ones not
    s = workbook.sample.set_index("review_id")
    na = h["name_A"]
    for row in ws.iter_rows(min_row=2):
        rid = row[0].value
        fill = row[na - 1].fill.fgColor.rgb
        status = s.loc[rid, "differs_name"]
        assert fill == {"differ": "FFF8CBAD", "one missing": "FFE7E6E6", "": "00000000"}[status]
    for name in ("meta", "design"):
        assert wb[name].sheet_state == "hidden" and wb[name].protection.sheet
    text = " ".join(str(c.value) for c in wb["instructions"]["A"] if c.value)
    assert "PETUNJUK" in text and "ORANG YANG SAMA" in text and "SAME PERSON" in text
    # blind review: no scores in the review sheet by default
    assert "match_probability" not in h


def test_read_review_normalises_labels_and_blanks(linked, workbook, tmp_path):
    styles = ["Match ", "NON-MATCH", None, "unsure", "non match"]

    def edit(wb):
        ws = wb["review"]
        _fill_from_truth(wb, linked.truth)
        for i, row in enumerate(ws.iter_rows(min_row=2, max_row=6)):
            row[1].value = styles[i]

    got = cal.read_review(_copy_edit(workbook.path, tmp_path / "w.xlsx", edit))
    assert got["label"].tolist()[:5] == ["match", "non-match", None, "unsure", "non-match"]


def test_read_review_sorted_rows_are_fine(linked, workbook, tmp_path):
    def edit(wb):
        _fill_from_truth(wb, linked.truth)
        ws = wb["review"]
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
        rows.reverse()
        for r_cells, values in zip(ws.iter_rows(min_row=2), rows, strict=True):
            for c, v in zip(r_cells, values, strict=True):
                c.value = v

    got = cal.read_review(_copy_edit(workbook.path, tmp_path / "sorted.xlsx", edit))
    want = cal.simulate_labels(workbook.sample, linked.truth)
    assert got["label"].tolist() == want["label"].tolist()


@pytest.mark.parametrize("case, pattern", [
    ("missing_column", r"sheet 'review', row 1: required column 'label' is missing"),
    ("bad_label", r"sheet 'review', row 3, column B \('label'\): 'yes' is not a valid label"),
    ("edited_id", r"sheet 'review', row 4, column E \('record_id_A'\): 'XXX' but review id \d+ was drawn as"),
    ("deleted_row", r"1 pair\(s\) of sheet 'meta' are missing, review id\(s\) \d+ \(rows deleted\?\)"),
    ("duplicated_row", r"sheet 'review', row 42, column A \('review_id'\): review id \d+ also on row 2"),
    ("added_row", r"sheet 'review', row 42, column A \('review_id'\): review id 999 is not in the sample"),
    ("no_meta", r"sheet 'meta' is missing"),
])
def test_read_review_rejects_malformed(workbook, tmp_path, case, pattern):
    def edit(wb):
        ws = wb["review"]
        if case == "missing_column":
            ws["B1"].value = "keputusan"
        elif case == "bad_label":
            ws["B3"].value = "yes"
        elif case == "edited_id":
            ws["E4"].value = "XXX"
        elif case == "deleted_row":
            ws.delete_rows(5)
        elif case == "duplicated_row":
            ws.append([c.value for c in ws[2]])
        elif case == "added_row":
            ws.append([999, "match", None, "dtks", "1", "p3ke", "2"])
        elif case == "no_meta":
            del wb["meta"]

    path = _copy_edit(workbook.path, tmp_path / f"{case}.xlsx", edit)
    with pytest.raises(cal.ReviewError, match=pattern):
        cal.read_review(path)


def test_read_review_not_a_workbook(tmp_path):
    p = tmp_path / "review.xlsx"
    p.write_text("source,record_id\n", encoding="utf-8")
    with pytest.raises(cal.ReviewError, match="not a readable Excel workbook"):
        cal.read_review(p)
    with pytest.raises(cal.ReviewError, match="not found"):
        cal.read_review(tmp_path / "nope.xlsx")


def _all_cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    # text and whole numbers (a NIK typed as a number); scores are floats and not IDs
    return [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
            if isinstance(c, (str, int))]


def test_ids_masked_by_default_and_shown_on_request(linked, workbook, tmp_path):
    recs = linked.result.records
    full_niks = set(recs["nik"].dropna().astype(str)) | set(recs["kk"].dropna().astype(str))
    cells = _all_cells(workbook.path)
    assert not any(re.search(r"\d{16}", c) for c in cells)
    assert any(re.fullmatch(r"\d{4}\*{8}\d{4}", c) for c in cells)
    assert not (set(workbook.sample[["nik_l", "nik_r", "kk_l", "kk_r"]].to_numpy().ravel()) & full_niks)
    shown = tmp_path / "authorised.xlsx"
    s = cal.review_sample(linked.result, n=40, seed=5, path=shown, show_ids=True)
    cells = _all_cells(shown)
    sixteen = {c for c in cells if re.fullmatch(r"\d{16}", c)}
    assert sixteen and sixteen <= full_niks
    assert set(s["nik_l"]) & full_niks
    assert any("RAHASIA" in c for c in cells)


# ---------------------------------------------------------------------------------------- estimators


def test_label_free_exact_numbers():
    pairs = pd.DataFrame({"match_probability": [0.9, 0.6, 0.2, 0.05]})
    lf = cal.label_free_estimates(pairs, thresholds=[0.5, 0.95])
    r = lf.iloc[0]
    assert r["pairs_above"] == 2
    assert r["tp"] == pytest.approx(1.5) and r["fp"] == pytest.approx(0.5) and r["fn"] == pytest.approx(0.25)
    assert r["precision"] == pytest.approx(0.75) and r["recall"] == pytest.approx(1.5 / 1.75)
    assert r["f1"] == pytest.approx(2 * 1.5 / (2 + 1.75))
    assert r["false_match_rate"] == pytest.approx(0.25)
    assert lf.iloc[1]["pairs_above"] == 0 and np.isnan(lf.iloc[1]["precision"])
    assert lf.iloc[1]["fn"] == pytest.approx(1.75)


def _scored_population(seed: int, n: int = 6000):
    """Synthetic scores whose truth is *not* what the model says (over-confident at the top, under at the
    bottom), with a truth table for simulate_labels."""
    rng = np.random.default_rng(seed)
    w = np.concatenate([rng.normal(-7, 2, n // 3), rng.normal(1, 4, n // 6), rng.normal(14, 3, n - n // 3 - n // 6)])
    p = 1 / (1 + 2.0 ** -w)
    y = rng.random(len(w)) < 1 / (1 + 2.0 ** -(0.6 * w + 0.8))
    ids = np.arange(len(w)).astype(str)
    pairs = pd.DataFrame({"source_l": "a", "record_id_l": ids, "source_r": "b", "record_id_r": ids,
                          "match_probability": p, "match_weight": w})
    truth = pd.DataFrame({"source": ["a"] * len(w) + ["b"] * len(w), "record_id": np.concatenate([ids, ids]),
                          "person_id": np.concatenate([ids, np.where(y, ids, np.char.add("x", ids))])})
    return pairs, truth, y


def test_census_gives_the_truth_exactly():
    pairs, truth, y = _scored_population(0, n=600)
    s = cal.simulate_labels(cal.review_sample(pairs, n=10_000), truth)
    assert len(s) == 600 and (s["stratum_weight"] == 1).all()
    est = cal.estimate_from_labels(s, thresholds=[0.3, 0.5, 0.9])
    p = pairs["match_probability"].to_numpy()
    for r in est.itertuples():
        tp, tr = _true_at(p, y, r.threshold)
        assert r.precision == pytest.approx(tp) and r.recall == pytest.approx(tr)
        # nothing left to estimate: the interval is the point
        assert r.precision_low == pytest.approx(tp) and r.precision_high == pytest.approx(tp)
        assert r.fp == pytest.approx(((p >= r.threshold) & ~y).sum())
        assert r.fn == pytest.approx(((p < r.threshold) & y).sum())


def test_stratified_estimator_unbiased_and_covers():
    """Repeated samples from one population: the estimates centre on the truth and the 95% intervals
    cover it at least at the nominal rate (the default interval is conservative)."""
    pairs, truth, y = _scored_population(1)
    p = pairs["match_probability"].to_numpy()
    ts = [0.5, 0.9, 0.99]
    true = {t: _true_at(p, y, t) for t in ts}
    reps = 100
    err = {t: [] for t in ts}
    cover_p = {t: 0 for t in ts}
    cover_r = {t: 0 for t in ts}
    for seed in range(reps):
        s = cal.simulate_labels(cal.review_sample(pairs, n=200, seed=seed), truth)
        est = cal.estimate_from_labels(s, thresholds=ts, draws=800, seed=seed)
        for r in est.itertuples():
            tp, tr = true[r.threshold]
            err[r.threshold].append(r.precision - tp)
            cover_p[r.threshold] += r.precision_low <= tp <= r.precision_high
            cover_r[r.threshold] += r.recall_low <= tr <= r.recall_high
    for t in ts:
        e = np.asarray(err[t])
        assert abs(e.mean()) < 4 * e.std() / np.sqrt(reps) + 1e-4, (t, e.mean(), e.std())
        assert cover_p[t] / reps >= 0.93, (t, cover_p[t])
        assert cover_r[t] / reps >= 0.93, (t, cover_r[t])


def test_unsure_and_blank_labels(linked):
    s = cal.review_sample(linked.result, n=300, seed=2)
    lab = cal.simulate_labels(s, linked.truth, unsure_rate=0.1, seed=4)
    lab.loc[lab.index[:5], "label"] = None
    est = cal.estimate_from_labels(lab, thresholds=[0.9])
    counts = est.attrs["label_counts"]
    assert counts["blank"] == 5 and counts["unsure"] == int((lab["label"] == "unsure").sum())
    assert est.attrs["n_labels"] == 300 - counts["blank"] - counts["unsure"]
    as_match = cal.estimate_from_labels(lab, thresholds=[0.9], unsure="match")
    as_non = cal.estimate_from_labels(lab, thresholds=[0.9], unsure="non-match")
    # unsure pairs read as non-matches can only lower precision, read as matches only raise it (the
    # labelled pairs above 0.9 may all be true matches, so the middle figure may equal the upper one)
    assert as_non["precision"].iloc[0] <= est["precision"].iloc[0] <= as_match["precision"].iloc[0]
    assert as_non["precision"].iloc[0] < as_match["precision"].iloc[0]
    bad = lab.copy()
    bad.loc[bad.index[0], "label"] = "maybe"
    with pytest.raises(cal.ReviewError, match="labels must be one of"):
        cal.estimate_from_labels(bad)


def test_recommend_threshold_rules():
    est = pd.DataFrame({
        "threshold": [0.1, 0.5, 0.9, 0.99],
        "match_weight": [-3.17, 0.0, 3.17, 6.63],
        "pairs_above": [100, 90, 80, 50],
        "fp": [8.0, 2.0, 0.5, 0.0], "fn": [0.0, 3.0, 10.0, 40.0],
        "precision": [0.92, 0.978, 0.994, 1.0], "precision_low": [0.9, 0.95, 0.985, 0.992],
        "precision_high": [0.95, 0.99, 0.998, 1.0],
        "recall": [1.0, 0.97, 0.88, 0.55], "recall_low": [0.98, 0.95, 0.85, 0.5],
        "recall_high": [1.0, 0.98, 0.9, 0.6],
    })
    est.attrs.update({"n_labels": 300, "confidence": 0.95, "kind": "labelled"})
    r = cal.recommend_threshold(est, target_precision=0.99)
    assert r.threshold == 0.9 and float(r) == 0.9
    assert "lowest threshold with point estimate of precision >= 0.99" in r.how and "300 labelled pairs" in r.how
    assert cal.recommend_threshold(est, target_precision=0.99, use="lower").threshold == 0.99
    assert cal.recommend_threshold(est, target_recall=0.95).threshold == 0.5
    assert cal.recommend_threshold(est, target_recall=0.95, use="lower").threshold == 0.5
    assert cal.recommend_threshold(est, target_precision=0.97, target_recall=0.9).threshold == 0.5
    with pytest.raises(ValueError, match=r"highest precision \(lower confidence bound\) is 0.9920"):
        cal.recommend_threshold(est, target_precision=0.995, use="lower")
    with pytest.raises(ValueError, match="target_precision and/or target_recall"):
        cal.recommend_threshold(est)


# ------------------------------------------------------------------------------- the Done-means


def test_done_means_recommended_threshold_from_300_labels(linked):
    """300 simulated labels, target precision 0.99: the recommended threshold's true precision (over all
    scored pairs, from the full truth) is >= 0.98 and inside the reported interval; over several review
    samples, not one lucky draw."""
    pairs = linked.result.pairs
    y = _pair_truth(pairs, linked.truth)
    p = pairs["match_probability"].to_numpy()
    rows = []
    for seed in range(6):
        s = cal.simulate_labels(cal.review_sample(linked.result, n=300, seed=seed), linked.truth)
        est = cal.estimate_from_labels(s, seed=seed)
        rec = cal.recommend_threshold(est, target_precision=0.99)
        row = est.loc[est["threshold"] == rec.threshold].iloc[0]
        true_p, true_r = _true_at(p, y, rec.threshold)
        rows.append((seed, rec.threshold, row["precision"], row["precision_low"], row["precision_high"], true_p,
                     row["recall_low"], row["recall_high"], true_r))
        assert row["precision"] >= 0.99
    df = pd.DataFrame(rows, columns=["seed", "t", "est", "lo", "hi", "true", "rlo", "rhi", "rtrue"])
    assert (df["true"] >= 0.98).all(), df
    # 95% intervals: over six review samples at most one may miss the truth (all six would be a coin
    # that never lands tails; two or more misses in six happen about 3% of the time)
    assert ((df["lo"] <= df["true"]) & (df["true"] <= df["hi"])).sum() >= 5, df
    assert ((df["rlo"] <= df["rtrue"]) & (df["rtrue"] <= df["rhi"])).sum() >= 5, df


def test_done_means_label_free_close_to_truth(linked):
    """Label-free precision and recall at the default threshold within 0.03 of the truth (recall among
    the scored pairs: pairs never scored are invisible to every estimate here)."""
    res = linked.result
    y = _pair_truth(res.pairs, linked.truth)
    p = res.pairs["match_probability"].to_numpy()
    lf = cal.label_free_estimates(res, thresholds=[res.threshold]).iloc[0]
    true_p, true_r = _true_at(p, y, res.threshold)
    assert abs(lf["precision"] - true_p) <= 0.03, (lf["precision"], true_p)
    assert abs(lf["recall"] - true_r) <= 0.03, (lf["recall"], true_r)
    lab = cal.simulate_labels(cal.review_sample(res, n=300, seed=0), linked.truth)
    cmp = cal.compare_estimates(cal.estimate_from_labels(lab), result_or_pairs=res)
    assert {"precision_labelled", "precision_label_free", "precision_agrees", "fp_label_free"} <= set(cmp.columns)
    # "agrees" says whether the model's own figure lies inside the labelled interval
    inside = (cmp["recall_label_free"] >= cmp["recall_low"]) & (cmp["recall_label_free"] <= cmp["recall_high"])
    assert (cmp["recall_agrees"] == inside).all()
    at = cmp.iloc[(cmp["threshold"] - res.threshold).abs().argmin()]
    assert at["recall_low"] <= _true_at(p, y, at["threshold"])[1] <= at["recall_high"]


def test_recluster_records_the_choice(linked, tmp_path):
    lk = linked.linker
    model = lk.model
    lab = cal.simulate_labels(cal.review_sample(linked.result, n=300, seed=0), linked.truth)
    rec = cal.recommend_threshold(cal.estimate_from_labels(lab), target_precision=0.99)
    new = cal.recluster(lk, rec)
    assert lk.model is model                       # no retraining
    assert new.threshold == pytest.approx(rec.threshold) and new.threshold_source == rec.how
    assert new.calibration["criterion"] == {"target_precision": 0.99, "target_recall": None, "use": "point"}
    assert new.calibration["estimate"]["precision"] >= 0.99
    json.dumps(new.calibration)
    assert len(new.pairs) == len(linked.result.pairs)
    meta = json.loads((new.save(tmp_path / "out", formats=("csv",)) / "metadata.json").read_text())
    assert meta["threshold"] == pytest.approx(rec.threshold) and meta["threshold_source"].startswith("clerical review")
    assert meta["calibration"]["criterion"]["target_precision"] == 0.99
    # a LinkResult remembers its Linker, so it can be re-clustered directly
    again = cal.recluster(linked.result, 0.9)
    assert again.threshold == pytest.approx(0.9)
    with pytest.raises(TypeError, match="needs the Linker"):
        cal.recluster(object(), 0.9)


# -------------------------------------------------------------------------------------------- charts


def _check_svg(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg.lower() and "href" not in svg.lower()
    assert svg.count("http") == svg.count('xmlns="http://www.w3.org/2000/svg"')
    return root


def test_charts_are_offline_svg(linked, tmp_path):
    lab = cal.simulate_labels(cal.review_sample(linked.result, n=300, seed=0), linked.truth)
    est = cal.estimate_from_labels(lab)
    free = cal.label_free_estimates(linked.result, est["threshold"])
    made = [charts.threshold_selection_chart(est, free, chosen=0.9),
            charts.error_tradeoff_chart(est, free, chosen=0.9),
            charts.precision_recall_chart(est, free, chosen=0.9),
            charts.match_weight_histogram(linked.result),
            charts.threshold_selection_chart(None, free)]
    for ch in made:
        root = _check_svg(ch.svg)
        assert root.findall(".//{http://www.w3.org/2000/svg}polyline") or \
            root.findall(".//{http://www.w3.org/2000/svg}rect")
        assert ch._repr_svg_() == ch.svg and ch.svg in ch._repr_html_()
    # labelled lines solid with a shaded band, label-free dashed
    svg = made[0].svg
    assert "<polygon" in svg and 'stroke-dasharray="6,4"' in svg
    out = made[0].save(tmp_path / "c.html")
    assert "<script" not in out.read_text(encoding="utf-8")
    _check_svg(made[3].save(tmp_path / "h.svg").read_text(encoding="utf-8").split("\n", 1)[1])
    title, body = cal.report_section(est, free, cal.recommend_threshold(est, target_precision=0.99),
                                     result=linked.result)
    from linkmiskin.report.html import write_report

    page = write_report(linked.result, tmp_path / "report.html", extra_sections=[(title, body)]).read_text("utf-8")
    assert page.count("<svg") >= 4 + 2 and "<script" not in page
    assert not re.search(r"\d{16}", page)
