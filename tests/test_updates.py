"""Stable ids: each carry-over rule, split/merge/removal/no-change on hand-built lists, and updates end to end
(from the object and from a saved folder), crosswalks and bad ``previous`` input."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.clustering import updates
from linkmiskin.clustering.updates import PreviousRun, UpdateError, apply_previous, carry_over
from linkmiskin.synthetic import generator as synthetic

ISSUED = {"Pold00000000a", "Pold00000000b", "Pold00000000c"}


def _old(pairs: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([(k, i) for i, ks in pairs.items() for k in ks], columns=["key", "id"])


def _new(pairs: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([(k, lab) for lab, ks in pairs.items() for k in ks], columns=["key", "label"])


# -------------------------------------------------------------------------------- rules on their own


def test_majority_of_records():
    t = pd.DataFrame({"new": ["n1", "n1", "n2"], "old": ["A", "B", "B"], "n": [1, 3, 2]})
    assert updates.majority_of_records(t).to_dict() == {"n1": "B", "n2": "B"}


def test_largest_part_keeps_id():
    claims = pd.DataFrame({"new": ["n1", "n2"], "old": ["A", "A"], "n": [1, 3], "size": [5, 3]})
    assert updates.largest_part_keeps_id(claims).to_dict() == {"n2": "A"}


def test_merged_into_larger():
    t = pd.DataFrame({"new": ["n1", "n1"], "old": ["A", "B"], "n": [3, 1]})
    out = updates.merged_into_larger(t, {"A"}, pd.Series({"n1": "A"}))
    assert out[["old_id", "new_id", "change"]].values.tolist() == [["B", "A", "merged_into"]]


def test_all_records_removed():
    out = updates.all_records_removed(pd.Series(["A", "A", "B"]), {"A"})
    assert out["old_id"].tolist() == ["B"] and out["change"].tolist() == ["removed"]


def test_new_records_only():
    assert updates.new_records_only(np.array(["n1", "n2"], dtype=object), {"n1"}).tolist() == [False, True]


def test_never_reuse_redraws_issued_ids():
    seeds = pd.Series(["dtks:1", "dtks:2"], index=["n1", "n2"])
    first = updates.never_reuse("P", seeds, set())
    again = updates.never_reuse("P", seeds, {first["n1"]})
    assert again["n1"] != first["n1"] and again["n2"] == first["n2"]
    assert re.fullmatch(r"P[0-9a-f]{12}", again["n1"])


def test_moved_household():
    old = pd.DataFrame({"person_id": ["P1", "P2"], "household_id": ["H1", "H1"]})
    new = pd.DataFrame({"person_id": ["P1", "P2"], "household_id": ["H1", "H2"]})
    out = updates.moved_household(old, new)
    assert out["old_id"].tolist() == ["P2"] and out["new_household_id"].tolist() == ["H2"]


def test_every_carry_over_rule_has_a_one_sentence_docstring():
    for name, f in updates.CHANGE_RULES.items():
        doc = " ".join((f.__doc__ or "").split())
        assert doc and doc.count(". ") <= 1 and doc.endswith("."), name


# -------------------------------------------------------------------------------- hand-built cases


def test_no_change_keeps_every_id():
    old = _old({"A": ["s:1", "s:2"], "B": ["s:3"]})
    new = _new({"x": ["s:1", "s:2"], "y": ["s:3"]})
    co = carry_over(old, new, prefix="P", issued={"A", "B"})
    assert co.ids.to_dict() == {"x": "A", "y": "B"}
    assert co.changes.empty and co.issued == []


def test_split_largest_part_keeps_id_other_gets_new():
    old = _old({"A": ["s:1", "s:2", "s:3"]})
    new = _new({"x": ["s:1"], "y": ["s:2", "s:3"]})
    co = carry_over(old, new, prefix="P", issued={"A"})
    assert co.ids["y"] == "A" and co.ids["x"] not in {"A"}
    ch = co.changes.set_index("change")
    assert ch.loc["split_from", "old_id"] == "A" and ch.loc["split_from", "new_id"] == co.ids["x"]
    assert ch.loc["split_from", "rule"] == "largest_part_keeps_id"


def test_merge_keeps_larger_id_and_retires_other():
    old = _old({"A": ["s:1", "s:2"], "B": ["s:3"]})
    new = _new({"x": ["s:1", "s:2", "s:3"]})
    co = carry_over(old, new, prefix="P", issued={"A", "B"})
    assert co.ids["x"] == "A"
    row = co.changes.iloc[0]
    assert (row["change"], row["old_id"], row["new_id"], row["rule"]) == ("merged_into", "B", "A", "merged_into_larger")


def test_removal_and_new():
    old = _old({"A": ["s:1"], "B": ["s:2"]})
    new = _new({"x": ["s:1"], "z": ["s:9"]})
    co = carry_over(old, new, prefix="P", issued={"A", "B"})
    ch = co.changes.set_index("change")
    assert co.ids["x"] == "A"
    assert ch.loc["removed", "old_id"] == "B" and ch.loc["removed", "rule"] == "all_records_removed"
    assert ch.loc["new", "new_id"] == co.ids["z"] and pd.isna(ch.loc["new", "old_id"])
    assert ch.loc["new", "rule"] == "new_records_only"


def test_retired_id_is_never_reissued():
    # run 2: B merges into A and is retired; run 3: the record that was B's comes back alone, with the same
    # smallest key that once gave B its hash: it must get a fresh id, not B
    b = updates.never_reuse("P", pd.Series(["s:3"], index=["q"]), set())["q"]
    reg = updates.new_registry(pd.Series(["Paaaaaaaaaaaa", b]), pd.Series(["Hx", "Hx"]))
    prev = PreviousRun(pd.DataFrame({"source": ["s", "s", "s"], "record_id": ["1", "2", "3"],
                                     "person_id": ["Paaaaaaaaaaaa", "Paaaaaaaaaaaa", b],
                                     "household_id": ["Hx", "Hx", "Hx"]}),
                       None, 0.9, "32.16", reg, 1, {"s": "digits"}, "test")
    merged = pd.DataFrame({"source": ["s"] * 3, "record_id": ["1", "2", "3"], "person_id": ["n", "n", "n"],
                           "household_id": ["h", "h", "h"]})
    rec2, ch2, reg2, run2 = apply_previous(merged, prev)
    assert set(rec2["person_id"]) == {"Paaaaaaaaaaaa"}
    assert reg2.set_index("id").loc[b, "status"] == "retired"
    prev2 = PreviousRun(rec2, None, 0.9, "32.16", reg2, run2, {"s": "digits"}, "test")
    split = merged.assign(person_id=["n", "n", "m"])
    rec3, ch3, reg3, _ = apply_previous(split, prev2)
    again = rec3.loc[rec3["record_id"] == "3", "person_id"].iloc[0]
    assert again != b and again != "Paaaaaaaaaaaa"
    assert reg3["id"].is_unique


# -------------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def world():
    data = synthetic.generate(households=500, seed=8)
    first = lm.link(data.sources, region="32.16", progress=False)
    later = synthetic.later(data, months=3, seed=2)
    upd = lm.link(later.sources, region="32.16", previous=first, progress=False)
    return data, first, later, upd


def test_later_snapshot_events_and_truth(world):
    data, _, later, _ = world
    ev = later.events["event"].value_counts()
    assert {"kept", "removed", "added"} <= set(ev.index)
    for name, df in later.sources.items():
        t = later.truth[later.truth["source"] == name]
        assert len(t) == len(df)
        rid = synthetic.RECORD_ID_COLUMN[name]
        assert df[rid].astype(str).is_unique
        old_ids = set(data.sources[name][rid].astype(str))
        kept = set(later.events.query("source == @name and event != 'added' and event != 'removed'")["record_id"])
        assert kept <= old_ids and kept <= set(df[rid].astype(str))


def test_update_keeps_most_ids_and_reports_changes(world):
    _, first, later, upd = world
    assert upd.run == 2 and upd.changes is not None
    assert set(upd.changes["change"]) <= set(updates.CHANGE_KINDS)
    assert set(upd.changes["rule"]) <= set(updates.CHANGE_RULES)
    kept = set(first.records["person_id"]) & set(upd.records["person_id"])
    assert len(kept) >= 0.95 * upd.records["person_id"].nunique()
    # every removed or merged id is retired and never in use
    retired = set(upd.id_registry.loc[upd.id_registry["status"] == "retired", "id"])
    assert not retired & set(upd.records["person_id"]) and not retired & set(upd.records["household_id"])
    gone = upd.changes[upd.changes["change"].isin(["removed", "merged_into"])]["old_id"]
    assert set(gone) <= retired
    assert upd.id_registry["id"].is_unique
    # every input record exactly once
    assert len(upd.records) == sum(map(len, later.sources.values()))
    assert not upd.records.duplicated(["source", "record_id"]).any()
    assert upd.timings.get("train") is None     # model reused
    # the update's own steps are named (the benchmark's 'other' is what no step names)
    assert {"previous_run", "carry_ids", "records_and_diagnostics"} <= set(upd.timings)
    assert "previous_run" not in first.timings


def test_update_from_saved_folder_equals_update_from_object(world, tmp_path):
    _, first, later, upd = world
    first.save(tmp_path / "hasil")
    again = lm.link(later.sources, region="32.16", previous=tmp_path / "hasil", progress=False)
    assert (again.records["person_id"].to_numpy() == upd.records["person_id"].to_numpy()).all()
    assert (again.records["household_id"].to_numpy() == upd.records["household_id"].to_numpy()).all()
    pd.testing.assert_frame_equal(again.changes, upd.changes)
    # the folder gives the same reuse (the model table's rows and the person components too)
    counts = [{k: v for k, v in r.metadata["update_reuse"].items() if k != "blocking_seconds"} for r in (again, upd)]
    assert counts[0] == counts[1] and counts[0]["pairs_reused"] > 0
    assert again.metadata["update_reuse"]["model_rows_reused"] > 0


def _partition(records: pd.DataFrame, col: str) -> set[frozenset]:
    keys = records["source"] + ":" + records["record_id"]
    return {frozenset(g) for g in keys.groupby(records[col].to_numpy()).agg(list)}


def test_incremental_scoring_equals_full_rescore_with_the_same_model(world):
    _, first, later, upd = world
    reuse = upd.metadata["update_reuse"]
    assert reuse["pairs_reused"] > 0 and 0 < reuse["records_changed_or_new"] < reuse["records_unchanged"]
    full = lm.Linker(later.sources, region="32.16", progress=False)
    full.model = first.model                  # the same model, every candidate pair scored
    pairs = full.predict()
    assert lm.linkage.choose_threshold(pairs["match_probability"]) == upd.threshold
    res = full.cluster(upd.threshold)
    key = ["source_l", "record_id_l", "source_r", "record_id_r"]
    a = upd.pairs.set_index(key).sort_index()
    b = res.pairs.set_index(key).sort_index()
    assert a.index.equals(b.index)
    np.testing.assert_array_equal(a["match_weight"].to_numpy(), b["match_weight"].to_numpy())
    assert _partition(upd.records, "person_id") == _partition(res.records, "person_id")
    assert _partition(upd.records, "household_id") == _partition(res.records, "household_id")


def test_unchanged_records_match_source_record_id_and_row_hash():
    prev = pd.DataFrame({"source": ["a", "a", "b"], "record_id": ["1", "2", "1"], "row_hash": [10, 20, 30]})
    table = pd.DataFrame({"source": ["a", "a", "b", "b"], "record_id": ["1", "2", "1", "2"]})
    got = updates.unchanged_records(prev, table, np.array([10, 21, 30, 40], dtype=np.int64))
    assert got.tolist() == [True, False, True, False]


def test_no_pair_reuse_from_a_run_scored_by_another_model():
    hashes = pd.DataFrame({"source": ["a"], "record_id": ["1"], "row_hash": [1]})
    pairs = pd.DataFrame({"source_l": ["a"], "record_id_l": ["1"], "source_r": ["a"], "record_id_r": ["2"]})
    prev = PreviousRun(pd.DataFrame(), {"probability_two_random_records_match": 0.01}, 0.9, "32.16",
                       pd.DataFrame(), 1, {}, "test", hashes, pairs)
    table = pd.DataFrame({"source": ["a", "a"], "record_id": ["1", "2"]})
    other = {"probability_two_random_records_match": 0.02}
    assert updates.reusable_pairs(prev, table, np.array([1, 2], dtype=np.int64), other) is None


def test_update_row_hash_reads_table_counts_only_as_the_model_does(world):
    import duckdb

    _, first, _, _ = world
    t = pd.DataFrame({"unique_id": [0, 1, 2, 3, 4], "source": ["a"] * 5, "record_id": list("12345"),
                      "name": ["X"] * 5, "name_rarity": [0.0010, 0.0011, 0.5, 0.0010, 0.0010],
                      "block_nik15": [1, 1, 1, 12, 13]})
    con = duckdb.connect()
    con.execute("CREATE TABLE lm_records AS SELECT * FROM t")
    h = lm.linkage.update_row_hashes(con, t, first.model)
    assert h[0] == h[1] == h[3]            # rarity still rare, block size still within the cap
    assert h[2] != h[0] and h[4] != h[0]   # rarity no longer rare; block over the cap
    assert len(set(lm.linkage.row_hashes(t.drop(columns="unique_id")))) == 5   # canonical order: the whole row


def test_saved_folder_keeps_what_an_update_reuses(world, tmp_path):
    _, first, later, upd = world
    first.save(tmp_path / "full", formats=("parquet",))
    assert (tmp_path / "full" / updates.ROW_HASHES_FILE).exists()
    size = (tmp_path / "full" / updates.ROW_HASHES_FILE).stat().st_size
    assert size < 40 * len(first.records) + 20_000
    again = lm.link(later.sources, region="32.16", previous=tmp_path / "full", progress=False)
    assert again.metadata["update_reuse"]["pairs_reused"] == upd.metadata["update_reuse"]["pairs_reused"]
    first.save(tmp_path / "masked", formats=("parquet",), mask_ids=True)
    assert not (tmp_path / "masked" / updates.ROW_HASHES_FILE).exists()   # record ids may be NIKs


def test_bad_previous_errors(world, tmp_path):
    data, first, later, _ = world
    with pytest.raises(UpdateError, match="not found"):
        lm.link(later.sources, region="32.16", previous=tmp_path / "missing", progress=False)
    with pytest.raises(UpdateError, match="region 32.16.*32.75|32.75.*32.16"):
        lm.link(later.sources, region="32.75", previous=first, progress=False)
    d = first.save(tmp_path / "old")
    state = json.loads((d / "update_state.json").read_text())
    state["format"] = 99
    (d / "update_state.json").write_text(json.dumps(state))
    with pytest.raises(UpdateError, match="format 99"):
        lm.link(later.sources, region="32.16", previous=d, progress=False)
    d2 = tmp_path / "noupd"
    shutil.copytree(tmp_path / "old", d2)
    (d2 / "update_state.json").unlink()
    with pytest.raises(UpdateError, match="without stable ids"):
        lm.link(later.sources, region="32.16", previous=d2, progress=False)
    with pytest.raises(UpdateError, match="LinkResult or a folder"):
        lm.link(later.sources, region="32.16", previous=42, progress=False)
    changed = dict(later.sources)
    changed["dtks"] = changed["dtks"].assign(ID_DTKS="DT-" + changed["dtks"]["ID_DTKS"].astype(str))
    with pytest.raises(UpdateError, match="'dtks'.*digits before, text now"):
        lm.link(changed, region="32.16", previous=first, progress=False)


def test_crosswalk_returns_the_agency_rows_in_order(world):
    data, first, _, _ = world
    for name, src in data.sources.items():
        cw = first.crosswalk(name)
        assert list(cw.columns) == list(src.columns) + ["person_id", "household_id", "person_confidence"]
        assert len(cw) == len(src)
        rid = synthetic.RECORD_ID_COLUMN[name]
        assert (cw[rid].astype(str).to_numpy() == src[rid].astype(str).to_numpy()).all()
        rec = first.records[first.records["source"] == name].set_index("record_id")
        assert (cw["person_id"].to_numpy() == rec.loc[src[rid].astype(str), "person_id"].to_numpy()).all()
    with pytest.raises(ValueError, match="no source 'nope'"):
        first.crosswalk("nope")


def test_save_writes_one_crosswalk_per_source_in_its_format(world, tmp_path):
    data, _, _, _ = world
    files = data.write(tmp_path / "in")
    paths = {k: str(v) for k, v in files.items() if k in data.sources}
    res = lm.link(paths, region="32.16", progress=False)
    out = res.save(tmp_path / "out")
    for name, p in paths.items():
        suffix = p.rsplit(".", 1)[1]
        cw_path = out / "crosswalk" / f"{name}.{suffix}"
        assert cw_path.exists(), cw_path
        back = lm.read_table(cw_path)
        orig = lm.read_table(p)
        assert list(back.columns) == list(orig.columns) + ["person_id", "household_id", "person_confidence"]
        assert (back[orig.columns[0]].to_numpy() == orig[orig.columns[0]].to_numpy()).all()
    # a CSV keeps its separator
    assert (out / "crosswalk" / "p3ke.csv").read_text(encoding="utf-8-sig").splitlines()[0].count(";") > 3


def test_to_excel_by_desa_masks_nik(world, tmp_path):
    _, first, _, _ = world
    import openpyxl

    path = first.to_excel(tmp_path / "verifikasi.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    n_rows, text = 0, []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        n_rows += len(rows) - 1
        text += [str(v) for r in rows for v in r if v is not None]
    assert n_rows == len(first.persons)                      # every person exactly once
    assert not any(re.fullmatch(r"\d{15,16}", t) for t in text)
    assert len(wb.worksheets) == first.persons["desa_code"].fillna("-").nunique() or len(wb.worksheets) > 1
    folder = first.to_excel(tmp_path / "per_desa")
    assert len(list(folder.glob("*.xlsx"))) == len(wb.worksheets)


def test_repr_and_changes_never_show_full_nik(world):
    _, _, _, upd = world
    assert not re.search(r"\d{15,16}", repr(upd))
    assert not re.search(r"\d{15,16}", upd.changes.to_string())


def test_docs_update_rule_tables_match_code():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for doc in ("golden_records_and_updates.md", "golden_records_and_updates_id.md"):
        text = (root / "docs" / doc).read_text(encoding="utf-8")
        m = re.search(r"<!-- generated: update_rules -->\n(.*?)\n<!-- /generated -->", text, re.S)
        assert m, f"{doc}: no generated update-rules block"
        assert m.group(1).strip() == updates.rules_markdown().strip(), f"{doc}: run python docs/build_tables.py"


def test_mask_ids_in_text_matches_mask_text_cell_by_cell():
    from linkmiskin.privacy import mask_text
    from linkmiskin.report.exports import _mask_all_ids, mask_ids_in_text

    s = pd.Series(["NIK 3216064508850003", None, 7, "321606450885000", "a 32160645088500031 b 3216064508850003",
                   "0.0042587170614852289", "tanpa nomor"], dtype=object)
    want = [mask_text(v) if isinstance(v, str) else v for v in s]
    assert mask_ids_in_text(s).tolist() == want
    assert want[0] == "NIK 3216********0003" and want[2] == 7 and want[5] == "0.0042587170614852289"
    df = pd.DataFrame({"3216064508850003": s, "n": range(len(s))})
    out = _mask_all_ids(df)
    assert list(out.columns) == ["3216********0003", "n"] and out.iloc[:, 0].tolist() == want


def test_write_state_writes_formula_like_cells_as_text(tmp_path):
    from types import SimpleNamespace

    reg = updates.new_registry(pd.Series(["=1+1"]), pd.Series(["H1"]))
    ch = pd.DataFrame({"level": ["person"], "change": ["new"], "old_id": [None], "new_id": ["@SUM(A1)"]})
    res = SimpleNamespace(region="32.16", run=1, records=pd.DataFrame({"source": ["a"], "record_id": ["1"]}),
                          snapshots=None, id_registry=reg, changes=ch)
    updates.write_state(res, tmp_path)
    assert (tmp_path / "id_registry.csv").read_text(encoding="utf-8").splitlines()[1].startswith("'=1+1,")
    assert "'@SUM(A1)" in (tmp_path / "changes.csv").read_text(encoding="utf-8")


def test_cluster_labels_of_an_update_are_the_smallest_record_key_and_ids_its_hash():
    from linkmiskin.clustering.persons import stable_id
    from linkmiskin.linkage import _cluster_ids

    keys = np.array(["b:2", "a:1", "c:3", "b:9"], dtype=object)
    rep = np.array([0, 0, 2, 2])
    assert _cluster_ids("P", keys, rep, hashed=False).tolist() == ["a:1", "a:1", "b:9", "b:9"]
    hashed = _cluster_ids("P", keys, rep)
    assert hashed.tolist() == stable_id("P", pd.Series(["a:1", "a:1", "b:9", "b:9"])).tolist()


def test_word_lists_read_from_parquet_equal_pyarrow_lists_in_every_case(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from linkmiskin.standardise.reuse import lists_from_parquet

    cases = {"words": [["ANI", "SITI"], [], None, ["ANI", "SITI"], ["BUDI"]],
             "empty_word": [["ANI", ""], [""], [], None],           # "" cannot be told from [] once joined
             "joining_character": [["A\x1fB"], ["A", "B"], None],   # the joining character inside a word
             "missing_word": [["A", None], ["A"], None, [None]],
             "lengths": [["A", ""], ["A"], ["", ""], [""], [], None],  # the length tells them apart
             "numbers": [[1, 2], [], None],
             "no_words": [[], None, []]}                            # stored as lists of nulls
    for name, values in cases.items():
        pq.write_table(pa.table({"c": pa.array(values)}), tmp_path / f"{name}.parquet")
        col = pq.read_table(tmp_path / f"{name}.parquet").column("c")
        got = lists_from_parquet(col)
        assert got.dtype == object and got.tolist() == values, name
        assert all(v is None or type(v) is list for v in got), name
    got = lists_from_parquet(pa.chunked_array([pa.array([["ANI"], ["ANI"], [], []])]))
    assert got[0] is got[1] and got[2] is got[3]   # one list object per distinct list


def test_unchanged_records_equal_matching_source_record_id_and_hash_together():
    rng = np.random.default_rng(3)
    n = 400
    prev = pd.DataFrame({"source": rng.choice(["a", "b"], n), "record_id": rng.integers(0, 150, n),
                         "row_hash": rng.integers(0, 3, n)}).drop_duplicates(["source", "record_id"])
    table = pd.DataFrame({"source": rng.choice(["a", "b", "c"], n), "record_id": rng.integers(0, 150, n).astype(str)})
    hashes = rng.integers(0, 3, n)

    def together(p):
        old = pd.MultiIndex.from_arrays([p["source"].astype(str), p["record_id"].astype(str), p["row_hash"]])
        return pd.MultiIndex.from_arrays([table["source"], table["record_id"], hashes]).isin(old)

    got = updates.unchanged_records(prev, table, hashes)
    assert 0 < got.sum() < n and (got == together(prev)).all()
    twice = pd.concat([prev, prev.assign(row_hash=prev["row_hash"] + 1)], ignore_index=True)   # a key twice
    assert (updates.unchanged_records(twice, table, hashes) == together(twice)).all()


def test_record_id_kinds_of_all_sources_at_once_equal_each_source_on_its_own():
    from linkmiskin.clustering.updates import _kinds, record_id_kind

    ids = ["1", "007", "", "x1", "1 ", "\u0663\u0661", "\u00b2", "12a", "99", "-1", "1.0"]
    rng = np.random.default_rng(5)
    rec = pd.DataFrame({"source": rng.choice(["a", "b", "c", "d"], 60), "record_id": rng.choice(ids, 60)})
    rec = pd.concat([rec, pd.DataFrame({"source": ["e", "e", "f", "g", "h"],
                                        "record_id": ["12", "3", "\u00b2", "\u0663\u0661", ""]})], ignore_index=True)
    want = {str(k): record_id_kind(g) for k, g in rec.groupby("source")["record_id"]}
    assert _kinds(rec) == want
    assert [want[s] for s in "efgh"] == ["digits", "text", "digits", "text"]   # a superscript is no digit


def test_record_codes_are_equal_exactly_for_equal_source_and_record_id():
    from linkmiskin.clustering.updates import record_codes

    rng = np.random.default_rng(8)
    parts = [(pd.Series(rng.choice(["a", "b", "ab"], 50)), pd.Series(rng.choice(["1", "2", "b1", "12"], 50)))
             for _ in range(3)]
    parts.append((pd.Series(["a", "a1"]), pd.Series([21, 1])))    # record ids as numbers: their text
    codes = np.concatenate(record_codes(*parts))
    text = np.concatenate([(s.astype(str) + "\x1f" + r.astype(str)).to_numpy() for s, r in parts])
    same_code = codes[:, None] == codes[None, :]
    same_text = text[:, None] == text[None, :]
    assert (same_code == same_text).all()
