"""linkmiskin.evaluate against brute-force pair enumeration."""

from __future__ import annotations

import itertools
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import linkmiskin
from linkmiskin.review.evaluation import Evaluation, evaluate


def _random_case(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    sources = np.array(["dtks", "p3ke", "bpjs_pbi"])
    src = sources[rng.integers(0, 3, n)]
    rid = np.array([f"{s}-{i}" for i, s in enumerate(src)], dtype=object)
    true_p = rng.integers(0, n // 3, n)
    true_h = true_p // 3
    # predictions: mostly right, with random merges and splits
    pred_p = np.where(rng.random(n) < 0.7, true_p, rng.integers(0, n // 2, n))
    pred_h = np.where(rng.random(n) < 0.8, true_h, rng.integers(0, n // 6, n))
    hn = np.array([None] * n, dtype=object)
    look = rng.random(n) < 0.5
    hn[look] = np.array([f"{k}:{g}" for k, g in zip(rng.choice(["twin", "father_son"], n)[look],
                                                    rng.integers(0, 4, n)[look], strict=True)])
    truth = pd.DataFrame({"source": src, "record_id": rid, "person_id": [f"P{x}" for x in true_p],
                          "household_id": [f"H{x}" for x in true_h], "hard_negative_group": hn})
    pred = pd.DataFrame({"source": src, "record_id": rid, "person_id": [f"x{x}" for x in pred_p],
                         "household_id": [f"y{x}" for x in pred_h]})
    # shuffle the prediction rows: evaluation must join, not rely on order
    pred = pred.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return pred, truth


def _brute(pred: pd.DataFrame, truth: pd.DataFrame, col: str):
    m = truth.merge(pred, on=["source", "record_id"], suffixes=("_t", "_p"))
    t, p, s = m[col + "_t"].tolist(), m[col + "_p"].tolist(), m["source"].tolist()
    tp = pp = tt = 0
    by: dict[tuple[str, str], list[int]] = {}
    for i, j in itertools.combinations(range(len(m)), 2):
        same_t, same_p = t[i] == t[j], p[i] == p[j]
        tt += same_t
        pp += same_p
        tp += same_t and same_p
        key = tuple(sorted((s[i], s[j])))
        c = by.setdefault(key, [0, 0, 0])
        c[0] += same_t
        c[1] += same_p
        c[2] += same_t and same_p
    n = len(m)
    bp = sum(sum(1 for j in range(n) if p[j] == p[i] and t[j] == t[i]) / sum(1 for j in range(n) if p[j] == p[i])
             for i in range(n)) / n
    br = sum(sum(1 for j in range(n) if p[j] == p[i] and t[j] == t[i]) / sum(1 for j in range(n) if t[j] == t[i])
             for i in range(n)) / n
    return tp, pp, tt, bp, br, by


def _brute_hard(pred: pd.DataFrame, truth: pd.DataFrame):
    m = truth.merge(pred, on=["source", "record_id"], suffixes=("_t", "_p"))
    m = m[m["hard_negative_group"].notna()]
    out: dict[str, list[int]] = {}
    for i, j in itertools.combinations(range(len(m)), 2):
        a, b = m.iloc[i], m.iloc[j]
        if a["hard_negative_group"] != b["hard_negative_group"] or a["person_id_t"] == b["person_id_t"]:
            continue
        c = out.setdefault(a["hard_negative_group"].split(":")[0], [0, 0])
        c[0] += 1
        c[1] += a["person_id_p"] == b["person_id_p"]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_matches_brute_force(seed):
    pred, truth = _random_case(seed)
    ev = evaluate(pred, truth)
    for level, col in (("person", "person_id"), ("household", "household_id")):
        tp, pp, tt, bp, br, _ = _brute(pred, truth, col)
        m = getattr(ev, level)
        assert m["tp_pairs"] == tp and m["predicted_pairs"] == pp and m["true_pairs"] == tt, level
        assert m["pairwise_precision"] == pytest.approx(tp / pp)
        assert m["pairwise_recall"] == pytest.approx(tp / tt)
        p, r = tp / pp, tp / tt
        assert m["pairwise_f1"] == pytest.approx(2 * p * r / (p + r))
        assert m["bcubed_precision"] == pytest.approx(bp)
        assert m["bcubed_recall"] == pytest.approx(br)
        assert m["bcubed_f1"] == pytest.approx(2 * bp * br / (bp + br))
    # by source pair
    *_, by = _brute(pred, truth, "person_id")
    bsp = ev.by_source_pair.set_index(["source_l", "source_r"])
    assert len(bsp) == 6  # 3 sources: 3 within + 3 across
    for (a, b), (t_, p_, tp_) in by.items():
        row = bsp.loc[(a, b)]
        assert (row["true_pairs"], row["predicted_pairs"], row["tp_pairs"]) == (t_, p_, tp_), (a, b)
        if p_:
            assert row["precision"] == pytest.approx(tp_ / p_)
        if t_:
            assert row["recall"] == pytest.approx(tp_ / t_)
    assert bsp["true_pairs"].sum() == ev.person["true_pairs"]
    # hard negatives
    hard = _brute_hard(pred, truth)
    hn = ev.hard_negatives.set_index("kind")
    assert set(hn.index) == {k for k, v in hard.items() if v[0] > 0}
    for kind, (pairs, merged) in hard.items():
        assert hn.loc[kind, "pairs"] == pairs and hn.loc[kind, "merged_pairs"] == merged, kind
        assert hn.loc[kind, "merge_rate"] == pytest.approx(merged / pairs)


def test_perfect_and_singleton_predictions():
    _, truth = _random_case(7)
    perfect = evaluate(truth[["source", "record_id", "person_id", "household_id"]], truth)
    assert perfect.person["pairwise_precision"] == 1.0 and perfect.person["pairwise_recall"] == 1.0
    assert perfect.person["bcubed_f1"] == 1.0 and perfect.household["pairwise_f1"] == 1.0
    assert (perfect.hard_negatives["merged_pairs"] == 0).all()
    # unlinked records (missing person_id) are singletons: nothing predicted, precision undefined
    single = truth[["source", "record_id"]].assign(person_id=None)
    ev = evaluate(single, truth, level="person")
    assert ev.person["predicted_pairs"] == 0 and ev.person["tp_pairs"] == 0
    assert np.isnan(ev.person["pairwise_precision"]) and ev.person["pairwise_recall"] == 0.0
    assert ev.person["bcubed_precision"] == 1.0
    assert ev.household == {}


def test_exact_small_example():
    truth = pd.DataFrame({"source": ["a", "a", "b", "b"], "record_id": ["1", "2", "1", "2"],
                          "person_id": ["p1", "p1", "p1", "p2"], "household_id": ["h", "h", "h", "h"],
                          "hard_negative_group": [None, None, "twin:1", "twin:1"]})
    pred = pd.DataFrame({"source": ["a", "a", "b", "b"], "record_id": [1, 2, 1, 2],  # ids as numbers
                         "person_id": ["x", "y", "x", "x"]})
    ev = evaluate(pred, truth)
    # true pairs: (a1,a2) (a1,b1) (a2,b1) = 3; predicted: (a1,b1) (a1,b2) (b1,b2) = 3; tp: (a1,b1) = 1
    assert (ev.person["true_pairs"], ev.person["predicted_pairs"], ev.person["tp_pairs"]) == (3, 3, 1)
    assert ev.person["pairwise_precision"] == pytest.approx(1 / 3)
    # B-cubed precision: a1 1/3... per record |pred∩true|/|pred|: a1 2/3, a2 1/1, b1 2/3, b2 1/3
    assert ev.person["bcubed_precision"] == pytest.approx((2 / 3 + 1 + 2 / 3 + 1 / 3) / 4)
    assert ev.person["bcubed_recall"] == pytest.approx((2 / 3 + 1 / 3 + 2 / 3 + 1) / 4)
    hn = ev.hard_negatives.set_index("kind")
    assert hn.loc["twin", "pairs"] == 1 and hn.loc["twin", "merged_pairs"] == 1
    assert hn.loc["twin", "merge_rate"] == 1.0 and hn.loc["twin", "groups_merged"] == 1
    bsp = ev.by_source_pair.set_index(["source_l", "source_r"])
    assert bsp.loc[("a", "b"), "tp_pairs"] == 1 and bsp.loc[("a", "b"), "true_pairs"] == 2
    assert bsp.loc[("b", "b"), "true_pairs"] == 0 and np.isnan(bsp.loc[("b", "b"), "recall"])
    assert ev.household == {}  # the prediction has no household_id
    assert isinstance(ev, Evaluation)
    text = str(ev)
    assert "person" in text and "twin" in text and "a - b" in text.replace("  ", " ").replace("  ", " ")
    frame = ev.to_frame()
    assert list(frame.columns) == ["level", "metric", "value"] and (frame["level"] == "person").all()


def test_accepts_result_objects_and_lazy_top_level_function():
    pred, truth = _random_case(5)
    result = SimpleNamespace(records=pred)
    a = evaluate(result, truth)
    b = linkmiskin.evaluate(pred, SimpleNamespace(truth=truth))
    assert a.person == b.person and a.household == b.household


def test_clear_errors():
    pred, truth = _random_case(6)
    with pytest.raises(ValueError, match="person_id"):
        evaluate(pred.drop(columns="person_id"), truth)
    with pytest.raises(ValueError, match=r"2 record\(s\) of the truth are missing"):
        evaluate(pred.iloc[2:], truth)
    extra = pd.concat([pred, pd.DataFrame({"source": ["dtks"], "record_id": ["nope"], "person_id": ["z"],
                                           "household_id": ["z"]})])
    with pytest.raises(ValueError, match=r"1 record\(s\) of the result are not in the truth"):
        evaluate(extra, truth)
    with pytest.raises(ValueError, match="duplicated"):
        evaluate(pd.concat([pred, pred.iloc[:1]]), truth)
    with pytest.raises(ValueError, match="level"):
        evaluate(pred, truth, level="village")
    with pytest.raises(ValueError, match="household_id"):
        evaluate(pred.drop(columns="household_id"), truth, level="household")
    with pytest.raises(TypeError):
        evaluate([1, 2, 3], truth)


def test_linear_time_on_many_records():
    rng = np.random.default_rng(0)
    n = 300_000
    true_p = rng.integers(0, n // 3, n)
    truth = pd.DataFrame({"source": rng.choice(["dtks", "p3ke", "bpjs_pbi", "blt_dd", "posyandu"], n),
                          "record_id": np.arange(n).astype(str), "person_id": true_p,
                          "household_id": true_p // 4,
                          "hard_negative_group": np.where(rng.random(n) < 0.1, "twin:" + (true_p // 10).astype(str), None)})
    pred = truth[["source", "record_id"]].assign(
        person_id=np.where(rng.random(n) < 0.9, true_p, rng.integers(0, n, n)), household_id=true_p // 4)
    t = time.perf_counter()
    ev = evaluate(pred, truth)
    assert time.perf_counter() - t < 15
    assert 0.7 < ev.person["pairwise_recall"] < 0.9 and ev.household["pairwise_f1"] == 1.0


def test_on_generated_data():
    from linkmiskin.synthetic.generator import generate

    data = generate(households=300, seed=2)
    # link by exact (stripped) NIK only: precise but incomplete
    recs = []
    for src, df in data.sources.items():
        rid = {"dtks": "ID_DTKS", "p3ke": "ID_P3KE", "bpjs_pbi": "NO_KARTU"}.get(src, "NO")
        nik = df["NIK"].astype(str).str.strip() if "NIK" in df else pd.Series("", index=df.index)
        key = np.where(nik.str.fullmatch(r"\d{16}") & ~nik.str.endswith("0000"), "N" + nik,
                       src + ":" + df[rid].astype(str))
        recs.append(pd.DataFrame({"source": src, "record_id": df[rid].astype(str), "person_id": key}))
    ev = evaluate(pd.concat(recs), data.truth, level="person")
    assert ev.person["pairwise_precision"] > 0.8
    assert 0.2 < ev.person["pairwise_recall"] < 0.95
    assert set(ev.hard_negatives["kind"]) <= {"twin", "father_son", "same_name_neighbour", "same_day_kecamatan"}
