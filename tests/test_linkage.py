"""End-to-end linkage on generated agency lists: accuracy floor, record accounting, save/load, bad input."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.linkage import Linker, LinkError, choose_threshold
from linkmiskin.standardise.columns import ColumnMappingError
from linkmiskin.standardise.read import SourceError
from linkmiskin.synthetic import generator as synthetic


@pytest.fixture(scope="module")
def data():
    return synthetic.generate(households=1200, seed=21)


@pytest.fixture(scope="module")
def linker(data):
    lk = Linker(data.sources, region="32.16", progress=False)
    lk.train()
    lk.predict()
    return lk


@pytest.fixture(scope="module")
def result(linker):
    return linker.cluster()


def test_accuracy_floor(result, data):
    ev = lm.evaluate(result, data.truth)
    assert ev.person["pairwise_precision"] >= 0.98
    assert ev.person["pairwise_recall"] >= 0.93
    assert ev.person["pairwise_f1"] >= 0.96
    assert ev.household["pairwise_precision"] >= 0.93
    assert ev.household["pairwise_f1"] >= 0.75
    hn = ev.hard_negatives.set_index("kind")
    for kind in ("twin", "father_son"):
        if kind in hn.index and hn.loc[kind, "pairs"] >= 10:
            assert hn.loc[kind, "merge_rate"] <= 0.1, kind


def test_every_record_exactly_once(result, data):
    rec = result.records
    n_in = sum(len(s) for s in data.sources.values())
    assert len(rec) == n_in
    assert not rec.duplicated(["source", "record_id"]).any()
    for name, src in data.sources.items():
        assert (rec["source"] == name).sum() == len(src)
    assert rec["person_id"].notna().all() and rec["household_id"].notna().all()
    assert rec["person_id"].map(type).eq(str).all() and rec["household_id"].map(type).eq(str).all()
    # a person is never split over two households... unless the person moved: then most are together
    per = rec.groupby("person_id")["household_id"].nunique()
    assert (per == 1).mean() > 0.95
    assert rec["link_reason"].notna().all()
    assert rec["person_confidence"].between(0, 1).all()
    assert rec["household_confidence"].between(0, 1).all()


def test_pairs_and_households_tables(result):
    p = result.pairs
    for c in ("source_l", "record_id_l", "source_r", "record_id_r", "match_probability", "match_weight",
              "nik_level", "name_level", "dob_level", "address_level", "agreeing_evidence",
              "nik_level_key", "name_level_key", "dob_level_key", "address_level_key"):
        assert c in p.columns, c
    assert p["match_probability"].between(0, 1).all()
    # the evidence that agreed, named after the comparisons, in the model's order
    exact_nik = p[p["nik_level_key"] == "exact_consistent"]
    assert len(exact_nik) and exact_nik["agreeing_evidence"].str.split(",").str[0].eq("nik").all()
    assert not p["agreeing_evidence"].str.contains(",,|^,|,$", regex=True).any()
    weak = p[(p["nik_level_key"] == "else") & (p["name_level_key"] == "else")]
    assert not weak["agreeing_evidence"].str.contains("(?:^|,)(?:nik|name)(?:,|$)", regex=True).any()
    hh = result.households
    assert hh["household_id"].is_unique
    assert set(hh["household_id"]) == set(result.records["household_id"])
    assert hh["n_records"].sum() == len(result.records)
    assert hh["programmes"].map(len).ge(1).all()
    assert set(result.column_mapping) == {"dtks", "p3ke", "bpjs_pbi", "blt_dd", "posyandu"}


def test_confidence_at_090_means_what_it_says(result, data):
    t = data.truth.assign(key=lambda d: d["source"] + ":" + d["record_id"].astype(str))
    pid = dict(zip(t["key"], t["person_id"]))
    p = result.pairs[result.pairs["match_probability"] >= 0.9]
    same = [pid[a + ":" + b] == pid[c + ":" + d] for a, b, c, d in
            zip(p["source_l"], p["record_id_l"], p["source_r"], p["record_id_r"])]
    assert np.mean(same) >= 0.9


def test_person_confidence_is_monotone_with_correctness(result, data):
    rec = result.records.merge(data.truth.assign(record_id=lambda d: d["record_id"].astype(str)),
                               on=["source", "record_id"], suffixes=("", "_true"))
    # a record is "right" when its predicted cluster equals its true cluster exactly
    pred = rec.groupby("person_id")["person_id_true"].agg(lambda s: frozenset(s))
    true = rec.groupby("person_id_true")["person_id"].agg(lambda s: frozenset(s))
    right = rec.apply(lambda r: len(pred[r["person_id"]]) == 1 and len(true[r["person_id_true"]]) == 1, axis=1)
    low = right[rec["person_confidence"] < 0.5].mean()
    high = right[rec["person_confidence"] >= 0.9].mean()
    assert high > 0.97
    assert np.isnan(low) or low < high


def test_ids_are_deterministic(data):
    a = lm.link(data.sources, region="32.16", progress=False)
    b = lm.link(data.sources, region="32.16", progress=False)
    pd.testing.assert_series_equal(a.records["person_id"], b.records["person_id"])
    pd.testing.assert_series_equal(a.records["household_id"], b.records["household_id"])


def test_save_and_load_give_identical_scores(linker, result, data, tmp_path):
    path = linker.save_model(tmp_path / "model.json")
    payload = json.loads(path.read_text())
    assert "splink_model" in payload and payload["threshold"] == pytest.approx(result.threshold)
    again = Linker.load(path, sources=data.sources, region="32.16", progress=False)
    pairs2 = again.predict()
    p1 = linker._pairs.set_index(["unique_id_l", "unique_id_r"])["match_weight"]
    p2 = pairs2.set_index(["unique_id_l", "unique_id_r"])["match_weight"]
    assert len(p1) == len(p2)
    assert np.allclose(p1.sort_index().to_numpy(), p2.sort_index().to_numpy())
    res2 = again.cluster()
    assert res2.threshold == pytest.approx(result.threshold)
    pd.testing.assert_series_equal(result.records["person_id"], res2.records["person_id"])


def test_result_save_writes_files_and_threshold(result, tmp_path):
    d = result.save(tmp_path / "out")
    for name in ("records", "pairs", "households"):
        assert (d / f"{name}.parquet").exists() and (d / f"{name}.csv").exists()
    meta = json.loads((d / "metadata.json").read_text())
    assert meta["threshold"] == pytest.approx(result.threshold)
    assert "maximises expected F1" in meta["threshold_source"]
    back = pd.read_parquet(d / "records.parquet")
    assert len(back) == len(result.records)


def test_recluster_without_retraining(linker):
    strict = linker.cluster(0.99)
    loose = linker.cluster(0.6)
    assert strict.threshold_source == "user"
    assert strict.records["person_id"].nunique() >= loose.records["person_id"].nunique()


def test_no_full_nik_in_repr_or_report(result, data, tmp_path):
    from linkmiskin.report.html import write_report

    text = repr(result) + str(result.summary())
    path = write_report(result, tmp_path / "r.html")
    html = path.read_text()
    niks = set(result.records["nik"].dropna())
    assert not any(n in text for n in niks)
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", html)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in html


def test_choose_threshold_picks_expected_f1_optimum():
    p = np.array([0.999] * 100 + [0.8] * 10 + [0.3] * 50 + [0.01] * 500)
    t = choose_threshold(p)
    assert 0.5 <= t <= 0.99
    assert t == pytest.approx(0.8)


# --- bad input ------------------------------------------------------------------------------------

def _small():
    return pd.DataFrame({"NIK": ["3216064508850003", "3216061203800001"], "NAMA": ["SITI AMINAH", "BUDI"],
                         "TGL_LAHIR": ["05-08-1985", "12-03-1980"]})


def test_empty_source_names_the_source():
    with pytest.raises(LinkError, match="'bpjs'.*empty"):
        lm.link({"dtks": _small(), "bpjs": _small().iloc[:0]}, progress=False)


def test_duplicate_record_ids_name_the_source():
    df = _small().assign(ID_DTKS=["A1", "A1"])
    with pytest.raises(LinkError, match="'dtks'.*record id"):
        lm.link({"dtks": df}, progress=False)


def test_unknown_region_code():
    with pytest.raises(ValueError, match="99.99"):
        lm.link({"dtks": _small()}, region="99.99", progress=False)


def test_missing_file_names_the_source(tmp_path):
    with pytest.raises(SourceError, match="'p3ke'.*not found"):
        lm.link({"dtks": _small(), "p3ke": tmp_path / "nope.csv"}, progress=False)


def test_mapping_to_missing_column_names_source_and_column():
    with pytest.raises(ColumnMappingError, match="'dtks'.*NAMA_KRT"):
        lm.link({"dtks": _small()}, columns={"dtks": {"name": "NAMA_KRT"}}, progress=False)


def test_unlinkable_record_is_its_own_cluster_with_reason():
    df = pd.concat([_small(), pd.DataFrame({"NIK": [None], "NAMA": [None], "TGL_LAHIR": ["01-01-1990"]})],
                   ignore_index=True)
    res = lm.link({"dtks": df, "p3ke": _small()}, progress=False)
    row = res.records[(res.records["source"] == "dtks") & (res.records["record_id"] == "3")].iloc[0]
    assert row["link_reason"].startswith("unlinkable")
    assert (res.records["person_id"] == row["person_id"]).sum() == 1


def test_household_key_groups_members_of_a_list_without_kk():
    p3ke = pd.DataFrame({
        "ID_P3KE": ["a1", "a2", "b1"], "ID_KELUARGA": ["K-01", "K-01", "K-02"],
        "NIK": ["3216064508850003", "3216061203800001", "3216062101900002"],
        "NAMA_LENGKAP": ["SITI AMINAH", "BUDI SANTOSO", "AGUS SALIM"],
        "TANGGAL_LAHIR": ["05-08-1985", "12-03-1980", "21-01-1990"], "JK": ["P", "L", "L"]})
    bpjs = pd.DataFrame({"NO_KARTU": ["x"], "NIK": ["3216062101900002"], "NAMA_PESERTA": ["AGUS SALIM"],
                         "TGL_LAHIR": ["1990-01-21"]})
    res = lm.link({"p3ke": p3ke, "bpjs": bpjs}, progress=False)
    assert res.column_mapping["p3ke"].mapping["household_key"] == "ID_KELUARGA"
    r = res.records.set_index(["source", "record_id"])
    assert r.loc[("p3ke", "a1"), "household_id"] == r.loc[("p3ke", "a2"), "household_id"]
    assert r.loc[("p3ke", "a1"), "household_id"] != r.loc[("p3ke", "b1"), "household_id"]
    assert r.loc[("p3ke", "b1"), "household_id"] == r.loc[("bpjs", "x"), "household_id"]
