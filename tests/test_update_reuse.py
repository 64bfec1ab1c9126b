"""What an update reuses: standardised lists whose input did not change, the model-table columns of records
whose standardised values did not change, and golden rows of groups whose records did not change; each
gives exactly what a fresh computation gives."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.clustering import golden, golden_update, updates
from linkmiskin.linkage import _households_table
from linkmiskin.scoring.model import WIDE_COLUMNS, WIDE_INPUTS, table_wide_columns
from linkmiskin.standardise.reuse import (
    SavedList,
    load_lists,
    one_reading_per_name,
    reused_wide_columns,
    source_fingerprint,
    unchanged_list,
    wide_input_hashes,
)
from linkmiskin.synthetic import generator as synthetic


@pytest.fixture(scope="module")
def world():
    data = synthetic.generate(households=300, seed=4)
    first = lm.link(data.sources, region="32.16", progress=False, snapshots=synthetic.SNAPSHOT)
    later = synthetic.later(data, months=3, seed=5)
    upd = lm.link(later.sources, region="32.16", previous=first, progress=False, snapshots=synthetic.SNAPSHOT)
    return data, first, later, upd


# ----------------------------------------------------------------------------- standardised lists


def test_fingerprint_changes_with_a_cell_the_mapping_the_region_or_the_list_date():
    df = pd.DataFrame({"NAMA": ["ANI", "BUDI"], "NIK": ["3216074101900001", "3216074101900002"]})
    base = source_fingerprint(df, None, "32.16", None, None)
    assert base == source_fingerprint(df.copy(), None, "32.16", None, None)
    changed = df.copy()
    changed.loc[1, "NAMA"] = "BUDI S"
    assert source_fingerprint(changed, None, "32.16", None, None) != base
    assert source_fingerprint(df, {"name": "NAMA"}, "32.16", None, None) != base
    assert source_fingerprint(df, None, "32.17", None, None) != base
    assert source_fingerprint(df, None, "32.16", "2025-01-31", None) != base


def test_fingerprint_tells_a_number_cell_from_its_text():
    a = pd.DataFrame({"NIK": pd.Series([3216074101900001, "3216074101900002"], dtype=object)})
    b = pd.DataFrame({"NIK": pd.Series(["3216074101900001", "3216074101900002"], dtype=object)})
    assert source_fingerprint(a, None, None, None, None) != source_fingerprint(b, None, None, None, None)


def test_fingerprint_of_a_file_reads_its_bytes(tmp_path):
    p = tmp_path / "dtks.csv"
    p.write_text("NAMA,NIK\nANI,3216074101900001\n", encoding="utf-8")
    before = source_fingerprint(p, None, None, None, None)
    p.write_text("NAMA,NIK\nANI,3216074101900009\n", encoding="utf-8")
    assert source_fingerprint(p, None, None, None, None) != before


def test_list_whose_ages_were_read_today_is_reused_only_that_day():
    t = pd.DataFrame({"a": [1]})
    assert unchanged_list(SavedList("f", None, t), "f")
    assert not unchanged_list(SavedList("f", "2000-01-01", t), "f")
    assert not unchanged_list(SavedList("g", None, t), "f")
    assert not unchanged_list(None, "f")


def _one_list_unchanged(data, later):
    srcs = dict(later.sources)
    name = next(iter(srcs))
    srcs[name] = data.sources[name]
    return srcs, name


def test_unchanged_list_reused_gives_the_same_model_table_as_a_fresh_standardisation(world, tmp_path):
    data, first, later, _ = world
    srcs, name = _one_list_unchanged(data, later)
    fresh = lm.Linker(srcs, region="32.16", progress=False)
    first.save(tmp_path / "hasil", formats=("parquet",))
    for previous in (first, tmp_path / "hasil"):
        upd = lm.link(srcs, region="32.16", previous=previous, progress=False, snapshots=synthetic.SNAPSHOT)
        reuse = upd.metadata["update_reuse"]
        assert reuse["lists_reused"] == [name]
        assert reuse["standardised_rows_reused"] == len(data.sources[name])
        pd.testing.assert_frame_equal(upd._linker._std, fresh._std)
        pd.testing.assert_frame_equal(upd._linker._table, fresh._table)
        assert upd.column_mapping[name] == fresh.column_mapping[name]


def test_result_keeps_no_second_copy_of_the_standardised_rows(world):
    """The lists are kept compact (no rows); rebuilt from the records they equal the list's own
    standardisation, with its attrs, including rows the job-level NY. step changed afterwards."""
    from linkmiskin.standardise.records import standardize
    from linkmiskin.standardise.reuse import with_records

    data, first, _, _ = world
    assert all(v.table is None for v in first.standardised.values())
    lists = with_records(first.standardised, first.records)
    for name, src in data.sources.items():
        own = standardize(src, None, "32.16", source=name)
        rows = lists[name].rows(name)
        pd.testing.assert_frame_equal(rows, own)
        assert rows.attrs["column_mapping"] == own.attrs["column_mapping"]
        assert rows.attrs["relationship_scheme"] == own.attrs["relationship_scheme"]


def test_rows_changed_by_the_job_level_nyonya_step_are_rebuilt_as_the_list_gave_them():
    from linkmiskin.standardise.reuse import compact_list

    own = pd.DataFrame({"source": ["a", "a"], "record_id": ["1", "2"], "name": ["ADITYA", "SITI"],
                        "name_form": ["ambiguous", None], "name_status": ["ok", "ok"],
                        "flags": [None, None], "rt": pd.array([1, None], dtype="Int64")})
    own.attrs["source"] = "a"
    compact = compact_list(SavedList("f", None, own))
    assert compact.table is None and compact.n_rows == 2
    settled = own.assign(name=[None, "SITI"], name_form=["husband", None], name_status=["spouse_name", "ok"])
    records = pd.concat([settled.assign(source="b"), settled, settled.assign(source="c")], ignore_index=True)
    records.insert(2, "person_id", "P1")
    rebuilt = dataclasses.replace(compact, records=records).rows("a")
    pd.testing.assert_frame_equal(rebuilt, own)
    assert rebuilt.attrs == {"source": "a"}
    assert dataclasses.replace(compact, records=records.drop(columns=["rt"])).rows("a") is None


def test_changed_lists_are_standardised_again(world):
    *_, upd = world
    assert upd.metadata["update_reuse"]["lists_reused"] == []   # every list of `later` changed


def test_masked_folder_keeps_no_standardised_rows_or_golden_state(world, tmp_path):
    _, first, _, _ = world
    first.save(tmp_path / "m", formats=("parquet",), mask_ids=True)
    names = {p.name for p in (tmp_path / "m").iterdir()}
    assert not any(n.startswith("standardised") for n in names)
    assert golden_update.GOLDEN_STATE_FILE not in names and golden_update.GOLDEN_HOUSEHOLDS_FILE not in names


def test_saved_lists_of_another_format_are_not_read(world, tmp_path):
    _, first, _, _ = world
    d = tmp_path / "hasil"
    first.save(d, formats=("parquet",))
    assert set(load_lists(d)) == set(first.standardised)
    index = json.loads((d / "standardised.json").read_text())
    index["format"] = 999
    (d / "standardised.json").write_text(json.dumps(index))
    assert load_lists(d) is None


# ----------------------------------------------------------------------------------- golden rows


def test_incremental_golden_rows_equal_a_full_recompute(world, tmp_path):
    _, first, later, upd = world
    reuse = upd.metadata["update_reuse"]
    assert reuse["golden_persons_reused"] > 0 and reuse["golden_households_reused"] > 0
    persons = golden.persons_table(upd.records, snapshots=upd.snapshots)
    households = golden.households_table(upd.records, persons, _households_table(upd.records),
                                         snapshots=upd.snapshots)
    pd.testing.assert_frame_equal(upd.persons, persons)
    pd.testing.assert_frame_equal(upd.households, households)
    first.save(tmp_path / "hasil", formats=("parquet",))
    again = lm.link(later.sources, region="32.16", previous=tmp_path / "hasil", progress=False,
                    snapshots=synthetic.SNAPSHOT)
    pd.testing.assert_frame_equal(again.persons, persons)
    pd.testing.assert_frame_equal(again.households, households)


def test_every_record_once_and_every_id_one_golden_row(world):
    _, _, later, upd = world
    assert len(upd.records) == sum(map(len, later.sources.values()))
    assert not upd.records.duplicated(["source", "record_id"]).any()
    assert upd.persons["person_id"].is_unique and set(upd.persons["person_id"]) == set(upd.records["person_id"])
    assert upd.households["household_id"].is_unique
    assert set(upd.households["household_id"]) == set(upd.records["household_id"])


def _records(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source", "record_id", "person_id", "household_id", "name"])


def _state(rec: pd.DataFrame) -> golden_update.GoldenState:
    sig = golden_update.golden_signatures(rec, None)
    persons = rec.groupby("person_id").size().rename("n_records").reset_index()
    households = rec.groupby("household_id").size().rename("n_records").reset_index()
    return golden_update.GoldenState(pd.DataFrame({"source": rec["source"], "record_id": rec["record_id"],
                                                   "golden_hash": sig}), persons, households, None)


def test_unchanged_groups_keep_only_groups_with_the_same_records():
    old = _records([("a", "1", "P1", "H1", "ANI"), ("b", "1", "P1", "H1", "ANI"), ("a", "2", "P2", "H2", "BUDI"),
                    ("a", "3", "P3", "H3", "CICI"), ("b", "3", "P3", "H3", "CICI"), ("a", "4", "P4", "H4", "DEDI")])
    new = _records([("a", "1", "P1", "H1", "ANI"), ("b", "1", "P1", "H1", "ANI"),      # unchanged
                    ("a", "2", "P2", "H2", "BUDY"),                                     # a value changed
                    ("a", "3", "P3", "H3", "CICI"),                                     # lost a record
                    ("a", "4", "P4", "H4", "DEDI"), ("c", "9", "P4", "H4", "DEDI")])    # gained a record
    keep = golden_update.unchanged_groups(new, golden_update.golden_signatures(new, None), _state(old))
    assert keep.tolist() == [True, True, False, False, False, False]


@pytest.mark.parametrize("ids", [["P3", "P1"], ["P3", "P9"], []])
@pytest.mark.parametrize("twice", [False, True])
def test_previous_rows_by_id_equal_set_index_reindex(ids, twice):
    # the previous golden rows of the kept ids, taken without copying the table; an id missing from the
    # table or a table with an id twice give what set_index/reindex gives
    table = pd.DataFrame({"n_records": pd.array([2, None, 1], dtype="Int64"), "person_id": ["P1", "P2", "P3"],
                          "head": [True, False, True], "names": [["ANI"], [], ["CICI", "C"]]},
                         index=[10, 11, 12])
    if twice:
        table.loc[13] = [1, "P3", False, ["X"]]
    want_ids = pd.Index(ids, dtype=object, name="person_id")
    if twice:   # (what pandas says of reindexing on an id given twice)
        with pytest.raises(ValueError, match="duplicate"):
            table.set_index("person_id").reindex(want_ids)
        with pytest.raises(ValueError, match="duplicate"):
            golden_update._rows_by_id(table, "person_id", want_ids)
        return
    got = golden_update._rows_by_id(table, "person_id", want_ids)
    pd.testing.assert_frame_equal(got, table.set_index("person_id").reindex(want_ids).reset_index())
    by = golden_update._column_by_id(table, "person_id", "n_records")
    pd.testing.assert_series_equal(by, table.set_index("person_id")["n_records"])


def test_a_group_joined_by_a_person_in_two_households_is_one_unit():
    old = _records([("a", "1", "P1", "H1", "ANI"), ("b", "1", "P1", "H2", "ANI"), ("a", "2", "P2", "H2", "BUDI")])
    new = old.copy()
    new.loc[2, "name"] = "BUDY"     # changes H2, and so P1 (whose records are in H1 and H2) and H1
    keep = golden_update.unchanged_groups(new, golden_update.golden_signatures(new, None), _state(old))
    assert not keep.any()


def test_name_commonness_counts_only_for_persons_with_several_names():
    rec = _records([("a", "1", "P1", "H1", "ANI"), ("b", "1", "P1", "H1", "ANI"),
                    ("a", "2", "P2", "H2", "BUDI"), ("b", "2", "P2", "H2", "BUDY")])
    rec["name_tokens"] = rec["name"].str.split()
    got = golden_update._name_commonness(rec)
    assert got[:2].tolist() == [0, 0] and (got[2:] > 0).all()


def test_snapshot_rank_keeps_only_the_order_of_the_lists_dates():
    src = np.array(["a", "b", "c"], dtype=object)
    r1 = golden_update._snapshot_rank(src, {"a": "2025-01-31", "b": "2024-06-30"})
    r2 = golden_update._snapshot_rank(src, {"a": "2025-02-28", "b": "2024-07-31"})
    assert r1.tolist() == r2.tolist() == [1, 0, -1]


# ------------------------------------------------------------------------------------ id carry-over


def test_unchanged_clusters_are_those_with_one_old_id_wholly_inside():
    okey = np.array([0, 1, 2, 3, 4, 5])
    old_ids = np.array(["P1", "P1", "P2", "P3", "P3", "P4"], dtype=object)
    nkey = np.array([0, 1, 2, 3, 4, 6])               # 5 removed, 6 new
    labels = np.array(["a", "a", "b", "c", "d", "b"], dtype=object)
    same_new, same_old, carried = updates.unchanged_clusters(okey, old_ids, nkey, labels)
    # a = all of P1; b mixes P2 with a new record; P3 split into c and d; P4 removed
    assert same_new.tolist() == [True, True, False, False, False, False]
    assert same_old.tolist() == [True, True, False, False, False, False]
    assert carried[:2].tolist() == ["P1", "P1"]


def test_carry_over_on_changed_clusters_only_equals_carry_over_on_all(world):
    _, first, _, upd = world
    fresh = upd._linker.cluster(upd.threshold)      # the update's clusters with fresh labels
    prev = updates.as_previous(first)
    a = updates.apply_previous(fresh.records, prev)
    b = updates.apply_previous(fresh.records, prev, skip_unchanged=False)
    for x, y in zip(a[:3], b[:3], strict=True):
        pd.testing.assert_frame_equal(x, y)
    assert len(a[1]) > 0


def test_missing_file_is_never_reused_and_keeps_its_clear_error(tmp_path):
    assert source_fingerprint(tmp_path / "gone.csv", None, None, None, None) == ""
    assert not unchanged_list(SavedList("", None, pd.DataFrame()), "")


# ----------------------------------------------------------------------------- model-table rows


def test_wide_columns_read_only_their_inputs_and_each_record_on_its_own(world):
    std = world[3]._linker._std
    full = table_wide_columns(std)
    assert tuple(full.columns) == WIDE_COLUMNS
    pd.testing.assert_frame_equal(table_wide_columns(std[[c for c in WIDE_INPUTS if c in std]]), full)
    _, names = wide_input_hashes(std)
    assert one_reading_per_name(std, names)
    rows = np.arange(0, len(std), 7)
    pd.testing.assert_frame_equal(table_wide_columns(std.iloc[rows].reset_index(drop=True)),
                                  full.iloc[rows].reset_index(drop=True))


def test_reused_wide_columns_take_unchanged_records_and_compute_the_others(world):
    lk = world[1]._linker
    std, prev = lk._std, lk._model_rows
    wide, _, once, n = reused_wide_columns(std, prev)
    assert once and n == len(std)
    pd.testing.assert_frame_equal(wide, table_wide_columns(std))
    edited = std.copy()
    edited.loc[5, "rt"] = 99
    edited.loc[9, "name"] = "ZZZ QQQ"
    edited.at[9, "name_tokens"] = ["ZZZ", "QQQ"]
    wide, _, _, n = reused_wide_columns(edited, prev)
    assert n == len(std) - 2
    pd.testing.assert_frame_equal(wide, table_wide_columns(edited))
    # a run in which one name had two readings: every record computed again
    assert reused_wide_columns(std, dataclasses.replace(prev, names_read_once=False))[3] == 0
    assert reused_wide_columns(std, None)[3] == 0


def test_update_takes_unchanged_model_rows_and_gives_the_fresh_model_table(world):
    _, _, later, upd = world
    assert upd.metadata["update_reuse"]["model_rows_reused"] > len(upd.records) / 2
    fresh = lm.Linker(later.sources, region="32.16", progress=False)
    pd.testing.assert_frame_equal(upd._linker._table, fresh._table)


def _without_reuse(first):
    """The previous run without what the update reuses beyond the standardised lists and pairs."""
    return dataclasses.replace(updates.from_result(first), model_rows=None, person_state=None)


def test_update_with_reuse_gives_the_same_records_persons_households_and_ids_as_without(world):
    _, first, later, upd = world
    plain = lm.link(later.sources, region="32.16", previous=_without_reuse(first), progress=False,
                    snapshots=synthetic.SNAPSHOT)
    assert plain.metadata["update_reuse"]["model_rows_reused"] == 0
    assert plain.metadata["update_reuse"]["cannot_link_records_reused"] == 0
    for name in ("records", "persons", "households", "changes", "id_registry", "pairs"):
        pd.testing.assert_frame_equal(getattr(upd, name), getattr(plain, name), obj=name)


# ----------------------------------------------------------------------------- person components


def test_update_takes_over_the_cannot_link_pairs_of_unchanged_components(world):
    _, _, _, upd = world   # (about a tenth of the records changed and the threshold moved: fewer components kept)
    assert upd.metadata["update_reuse"]["cannot_link_records_reused"] > len(upd.records) / 3


def test_cannot_link_rules_read_a_pair_either_way_round(world):
    """What lets an update take over a component's cannot-link pairs when its records came in another order."""
    from linkmiskin.clustering import cannot_link as cl
    from linkmiskin.linkage import _cluster_records

    lk = world[1]._linker
    recs = cl.with_nik_lists(_cluster_records(lk._table, False)).set_index("node")
    a, b = lk._pairs["unique_id_l"].to_numpy(), lk._pairs["unique_id_r"].to_numpy()

    def evidence(x, y):
        m = cl.pair_frame(recs, x, y).assign(scored=True)
        for c in cl._SCORED_COLUMNS:
            m[c] = lk._pairs[c].to_numpy()
        return cl.PairEvidence(m)

    one, other = evidence(a, b), evidence(b, a)
    fired = 0
    for name, rule in cl.RULES.items():
        x = rule(one)
        fired += int(x.sum())
        assert np.array_equal(x, rule(other)), name
    assert fired > 0


def test_with_a_threshold_given_the_pairs_taken_over_change_nothing(world):
    data, _, later, _ = world
    first = lm.link(data.sources, region="32.16", threshold=0.6, progress=False, snapshots=synthetic.SNAPSHOT)
    upd = lm.link(later.sources, region="32.16", previous=first, threshold=0.6, progress=False,
                  snapshots=synthetic.SNAPSHOT)
    plain = lm.link(later.sources, region="32.16", previous=_without_reuse(first), threshold=0.6, progress=False,
                    snapshots=synthetic.SNAPSHOT)
    assert upd.metadata["update_reuse"]["cannot_link_records_reused"] > len(upd.records) / 2
    for name in ("records", "persons", "households", "changes", "id_registry", "pairs"):
        pd.testing.assert_frame_equal(getattr(upd, name), getattr(plain, name), obj=name)


# ------------------------------------------------------------- golden rows that read the whole list


def _sorted_list_records(desa: list[str | None]) -> pd.DataFrame:
    """One person per household, on a list sorted by desa that gives no desa (BPJS-like) and, for each
    household with a desa in ``desa``, on DTKS that gives it; a household given None is on the first only."""
    rows = []
    for i, d in enumerate(desa):
        base = {"person_id": f"P{i:03d}", "household_id": f"H{i:03d}", "name": f"SITI {i:03d}",
                "kecamatan_code": None}
        rows.append({**base, "source": "bpjs_pbi", "record_id": str(i), "row_number": i, "desa_code": None,
                     "region_status": "missing"})
        if d is not None:
            rows.append({**base, "source": "dtks", "record_id": str(i), "row_number": i, "desa_code": d,
                         "kecamatan_code": d[:8], "region_status": "resolved"})
    r = pd.DataFrame(rows)
    for c, v in (("nik", None), ("nik_status", "missing"), ("kk", None), ("kk_status", "missing"),
                 ("name_status", "ok"), ("birth_date", None), ("birth_date_status", "missing"),
                 ("birth_date_placeholder", False), ("sex", None), ("sex_status", "missing"),
                 ("relationship", None), ("relationship_status", "missing"), ("rt", None), ("rw", None),
                 ("place", None), ("decile", None), ("person_confidence", 1.0), ("household_confidence", 1.0)):
        r[c] = v
    return r


_DATES = {"bpjs_pbi": "2025-01-31", "dtks": "2024-12-31"}


def _full(rec: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    persons = golden.persons_table(rec, snapshots=_DATES)
    return persons, golden.households_table(rec, persons, _households_table(rec), snapshots=_DATES)


def _update_equals_full_recompute(old: pd.DataFrame, new: pd.DataFrame) -> dict:
    p, h = _full(old)
    state = golden_update.GoldenState(pd.DataFrame({"source": old["source"], "record_id": old["record_id"],
                                                    "golden_hash": golden_update.golden_signatures(old, _DATES)}),
                                      p, h, _DATES)
    persons, households, _, stats = golden_update.update_tables(new, _DATES, state, _households_table)
    want_p, want_h = _full(new)
    pd.testing.assert_frame_equal(persons, want_p)
    pd.testing.assert_frame_equal(households, want_h)
    return stats


A, B = "32.16.01.2001", "32.16.01.2002"


def test_update_of_a_neighbour_moves_the_desa_of_a_household_placed_by_its_list_neighbours():
    desa = [A] * 25 + [None] + [A] * 10 + [B] * 10
    old = _sorted_list_records(desa)
    assert _full(old)[1].set_index("household_id").loc["H025", "desa_code_rule"] == "unit_without_address"
    # the row after H025 now gives desa B: its neighbours disagree, H025 (whose records did not change) has none
    new = old.copy()
    new.loc[(new["household_id"] == "H026") & (new["source"] == "dtks"), ["desa_code", "kecamatan_code"]] = \
        [B, B[:8]]
    stats = _update_equals_full_recompute(old, new)
    assert stats["golden_households_reused"] > 0
    # and back: H025's neighbours agree again
    _update_equals_full_recompute(new, old)


def test_update_of_the_household_placed_by_its_neighbours_alone_still_reads_the_whole_list():
    desa = [A] * 25 + [None] + [A] * 10 + [B] * 10
    old = _sorted_list_records(desa)
    new = old.copy()
    new.loc[new["household_id"] == "H025", "name"] = "SITI AMINAH"   # only H025's group is recomputed
    stats = _update_equals_full_recompute(old, new)
    assert stats["golden_households_reused"] == len(desa) - 1


def test_update_of_lists_that_did_not_change_reuses_every_row_with_the_same_types():
    old = _sorted_list_records([A] * 25 + [None] + [A] * 10 + [B] * 10)
    stats = _update_equals_full_recompute(old, old.copy())
    assert stats == {"golden_persons_reused": 46, "golden_households_reused": 46}


def test_update_that_moves_rows_of_a_list_rereads_their_neighbours():
    desa = [A] * 25 + [None] + [A] * 10 + [B] * 10
    old = _sorted_list_records(desa)
    new = old.copy()    # H025's and H040's BPJS rows swap places (row numbers are not read by the signatures)
    bpjs = new["source"] == "bpjs_pbi"
    new.loc[bpjs & (new["household_id"] == "H025"), "row_number"] = 40
    new.loc[bpjs & (new["household_id"] == "H040"), "row_number"] = 25
    _update_equals_full_recompute(old, new)


# ----------------------------------------------------------------------------- from a saved folder


@pytest.fixture(scope="module")
def saved(world, tmp_path_factory):
    d = tmp_path_factory.mktemp("saved")
    world[1].save(d)
    return d


def test_saved_folder_holds_the_model_rows_and_person_state_as_the_run_held_them(world, saved):
    lk = world[1]._linker
    prev = updates.load_previous(saved)
    assert prev.model_rows is not None and prev.person_state is not None
    assert np.array_equal(prev.model_rows.hashes, lk._model_rows.hashes)
    assert prev.model_rows.names_read_once == lk._model_rows.names_read_once
    _same_cells(prev.model_rows.table, lk._model_rows.table[list(WIDE_COLUMNS)], "model rows")
    assert prev.person_state.keys.equals(lk._person_state.keys)
    assert np.array_equal(prev.person_state.signature, lk._person_state.signature)
    pd.testing.assert_frame_equal(prev.person_state.cannot, lk._person_state.cannot)


def _same_cells(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    """Equal frames whose text columns hold values of the same types (3 is not 3.0, None is not NaN)."""
    pd.testing.assert_frame_equal(a, b, obj=name)
    for c in a.columns:
        if a[c].dtype == object:
            assert a[c].map(type).equals(b[c].map(type)), (name, c)


def test_update_from_a_folder_takes_over_what_an_update_from_the_result_does(world, saved):
    _, _, later, upd = world
    got = lm.link(later.sources, region="32.16", previous=saved, progress=False, snapshots=synthetic.SNAPSHOT)
    for k in ("model_rows_reused", "cannot_link_records_reused", "golden_persons_reused"):
        assert got.metadata["update_reuse"][k] == upd.metadata["update_reuse"][k] > 0, k
    for name in ("records", "persons", "households", "changes", "id_registry", "pairs"):
        _same_cells(getattr(got, name), getattr(upd, name), name)


def test_folder_whose_reuse_files_are_of_another_version_computes_them_again(world, saved, tmp_path):
    import shutil

    _, _, later, upd = world
    d = tmp_path / "old"
    shutil.copytree(saved, d)
    state = json.loads((d / "update_state.json").read_text())
    state["model_rows"]["version"] = state["person_state"]["version"] = "0.0.1"
    (d / "update_state.json").write_text(json.dumps(state))
    prev = updates.load_previous(d)
    assert prev.model_rows is None and prev.person_state is None
    got = lm.link(later.sources, region="32.16", previous=d, progress=False, snapshots=synthetic.SNAPSHOT)
    assert got.metadata["update_reuse"]["model_rows_reused"] == 0
    assert got.metadata["update_reuse"]["cannot_link_records_reused"] == 0
    for name in ("records", "persons", "households", "changes", "id_registry", "pairs"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(upd, name), obj=name)


def test_masked_folder_keeps_no_model_rows_or_person_state(world, tmp_path):
    world[1].save(tmp_path, mask_ids=True)
    state = json.loads((tmp_path / "update_state.json").read_text())
    assert "model_rows" not in state and "person_state" not in state
    assert not list(tmp_path.glob("model_rows*")) and not list(tmp_path.glob("person_*"))


def test_folder_model_is_rebuilt_from_linkmiskin_comparisons_and_an_edited_one_is_refused(world, saved, tmp_path):
    import shutil

    prev = updates.load_previous(saved)
    assert {k: v for k, v in prev.model.items() if k != "linker_uid"} == \
        {k: v for k, v in world[1].model.items() if k != "linker_uid"}
    d = tmp_path / "edited"
    shutil.copytree(saved, d)
    model = json.loads((d / "model.json").read_text())
    model["comparisons"][0]["comparison_levels"][1]["sql_condition"] = "1 = 1"
    (d / "model.json").write_text(json.dumps(model))
    with pytest.raises(updates.UpdateError, match="cannot be reused"):
        updates.load_previous(d)
