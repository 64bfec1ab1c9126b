"""World C (benchmarks/worlds/world_c.py): a development world of Tapanuli Utara. Generated data only."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import linkmiskin as lm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from worlds import world_c  # noqa: E402


@pytest.fixture(scope="module")
def world() -> world_c.WorldC:
    return world_c.generate(households=400, seed=3)


def test_truth_covers_every_record_once(world):
    t = world.truth
    assert not t.duplicated(["source", "record_id"]).any()
    for src, df in world.sources.items():
        rid = df[world_c.COLUMNS[src]["record_id"]].astype(str)
        assert sorted(rid) == sorted(t.loc[t["source"] == src, "record_id"])
    assert t["person_id"].notna().all() and t["household_id"].notna().all()


def test_every_list_is_present_and_the_population_spans_two_epochs(world):
    assert set(world.sources) == set(world_c.LIST_FORMATS)
    assert all(len(df) > 0 for df in world.sources.values())
    pop = world.population
    assert (pop["hh0"] < 0).any() and (pop["hh1"] < 0).any()      # born or arrived / died between the lists
    moved = pop[(pop["hh0"] >= 0) & (pop["hh1"] >= 0) & (pop["hh0"] != pop["hh1"])]
    assert len(moved) > 0                                             # married or split off into another KK


def test_hard_negative_groups_are_present_and_hold_different_people(world):
    g = world.truth.loc[world.truth["hard_negative_group"] != ""]
    kinds = set(g["hard_negative_group"].str.split(":").str[0])
    assert {"twin", "father_son", "same_name_same_dob"} <= kinds
    assert (g.groupby("hard_negative_group")["person_id"].nunique() >= 2).any()   # pairs on the lists
    pop = world.population[world.population["hard_negative_group"] != ""]
    assert (pop.groupby("hard_negative_group")["pid"].nunique() >= 2).all()       # every group: 2+ people


def test_same_name_same_dob_strangers_share_name_and_date(world):
    pop = world.population
    grp = pop[pop["hard_negative_group"].str.startswith("same_name_same_dob:")]
    assert len(grp) >= 2
    assert (grp.groupby("hard_negative_group")[["given1", "marga", "dob"]].nunique() == 1).all().all()


def test_same_seed_same_world_other_seed_other_world():
    a, b = world_c.generate(households=150, seed=11), world_c.generate(households=150, seed=11)
    for src in a.sources:
        pd.testing.assert_frame_equal(a.sources[src], b.sources[src])
    pd.testing.assert_frame_equal(a.truth, b.truth)
    c = world_c.generate(households=150, seed=12)
    assert not a.truth.equals(c.truth)


def test_files_are_written_and_read_by_read_table(world, tmp_path):
    paths = world.write(tmp_path)
    truth = pd.read_csv(paths["truth"], dtype=str, keep_default_na=False)
    assert len(truth) == len(world.truth)
    for src in world_c.LIST_FORMATS:
        header = world_c.HEADER.get(src)
        raw = lm.read_table(paths[src], source=src, header=header)
        assert len(raw) == len(world.sources[src])
        mapping = lm.detect_columns(raw, world_c.COLUMNS[src], source=src).mapping
        assert mapping["record_id"] == world_c.COLUMNS[src]["record_id"]
        assert sorted(raw[mapping["record_id"]].astype(str)) == sorted(truth.loc[truth["source"] == src, "record_id"])


def test_the_two_row_header_is_read_without_help(world, tmp_path):
    path = world.write(tmp_path)["kpm_sembako_2024"]
    found = lm.read_table(path, source="kpm_sembako_2024")     # the group row over the headings is merged
    given = lm.read_table(path, source="kpm_sembako_2024", header=world_c.HEADER["kpm_sembako_2024"])
    assert "ID DTKS" in found.columns and "NIK PENGURUS" in found.attrs["numeric_cells"]   # Excel-typed NIKs
    named = [c for c in given.columns if not c.startswith("column_")]
    assert [c for c in found.columns if c in named] == named      # and the group row's NO, KECAMATAN... too
    assert not any(c.startswith("column_") for c in found.columns) and len(found) == len(given)
    pd.testing.assert_frame_equal(found[["ID DTKS", "NIK PENGURUS"]], given[["ID DTKS", "NIK PENGURUS"]])


def test_region_is_outside_java_and_desa_resolve(world):
    from linkmiskin.standardise.regions import region_table

    assert not world.region.startswith(("31", "32", "33", "34", "35", "36"))
    codes = set(region_table(world.region)["desa_code"])
    desa = pd.read_csv(world_c.DATA / "c_desa.csv", comment="#", dtype=str)
    assert set(desa["desa_code"]) <= codes


def test_wrong_pairs_tells_scored_from_chained_merges():
    from types import SimpleNamespace

    from bench_recall import wrong_pairs

    recs = pd.DataFrame({"source": ["a", "a", "b"], "record_id": ["1", "2", "1"], "person_id": ["x", "x", "x"],
                         "nik_status": ["valid", "missing", "valid"], "birth_date": ["1980-01-02", None, None],
                         "name": ["ROSMA SIREGAR", "ROSMA", "ROSMA SIREGAR"],
                         "name_tokens": [["ROSMA", "SIREGAR"], ["ROSMA"], ["ROSMA", "SIREGAR"]],
                         "birth_date_placeholder": False, "birth_year_approx_from_age": False})
    truth = pd.DataFrame({"source": ["a", "a", "b"], "record_id": ["1", "2", "1"], "person_id": ["p", "q", "q"],
                          "hard_negative_group": ["same_name_same_dob:1", "same_name_same_dob:1", ""]})
    pairs = pd.DataFrame({"source_l": ["a", "a"], "record_id_l": ["1", "2"], "source_r": ["b", "b"],
                          "record_id_r": ["1", "1"], "match_probability": [0.97, 0.99]})
    out = wrong_pairs(SimpleNamespace(records=recs, pairs=pairs, threshold=0.5), truth)
    got = out.set_index(["record_id_l", "source_r", "record_id_r"])
    assert len(out) == 2                                    # a1-a2 and a1-b1: different people in one person
    assert got.loc[("1", "b", "1"), "how"] == "scored_above_threshold"
    assert got.loc[("1", "a", "2"), "how"] == "joined_by_clustering"
    assert got.loc[("1", "a", "2"), "kind"] == "same_name_same_dob"
