"""The local name count as person evidence (NameInKecamatanComparison): a name that no list repeats in a
kecamatan points to one person there; hand-made rows."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from linkmiskin.scoring.comparisons import NameInKecamatanComparison, level_keys
from linkmiskin.scoring.model import name_kec_u_probabilities, name_kec_unique


def level_of(left: dict, right: dict) -> str:
    creator = NameInKecamatanComparison()
    comp = creator.get_comparison("duckdb")
    con = duckdb.connect()
    row = {f"{k}_l": [v] for k, v in left.items()} | {f"{k}_r": [v] for k, v in right.items()}
    con.register("df_in", pd.DataFrame(row))
    con.execute("CREATE TABLE p AS SELECT * FROM df_in")
    for key, lvl in zip(level_keys(creator), comp.comparison_levels, strict=True):
        cond = lvl.sql_condition
        if cond.strip().upper() == "ELSE" or con.execute(f"SELECT coalesce(({cond}), false) FROM p").fetchall()[0][0]:
            return key
    raise AssertionError("no level")


def rec(name="AZAHRA", kec="32.16.05", unique=True):
    return {"name_phon_key": name, "kecamatan_code": kec, "name_kec_unique": unique}


def test_levels():
    assert level_of(rec(), rec()) == "unique_on_each_list"
    assert level_of(rec(), rec(unique=False)) == "else"
    # other kecamatan, other name, or unknown: no evidence
    assert level_of(rec(), rec(kec="32.16.06")) == "null"
    assert level_of(rec(), rec(name="SITI")) == "null"
    assert level_of(rec(), rec(kec=None)) == "null"
    assert level_of(rec(), rec(unique=None)) == "null"


def test_a_name_repeated_on_one_list_is_repeated_for_every_list():
    # p3ke holds two FARHAN in K1 (two people): the bpjs and dtks FARHAN there are not unique either
    t = pd.DataFrame({"source": ["p3ke", "p3ke", "bpjs", "dtks", "bpjs", "dtks"], "desa_code": [None] * 6,
                      "kecamatan_code": ["K1", "K1", "K1", "K1", "K2", "K2"],
                      "name_phon_key": ["FARHAN"] * 6, "nik15": [None, None, None, None, None, None]})
    assert name_kec_unique(t).tolist() == [False, False, False, False, True, True]


def test_one_person_listed_twice_under_one_nik_is_unique():
    t = pd.DataFrame({"source": ["a", "a", "b"], "kecamatan_code": ["K1"] * 3, "desa_code": [None] * 3,
                      "name_phon_key": ["ANI"] * 3,
                      "nik15": ["321605010190000", "321605010190000", None]})
    assert name_kec_unique(t).tolist() == [True, True, True]
    t.loc[1, "nik15"] = None   # may be another ANI
    assert name_kec_unique(t).tolist() == [False, False, False]


def test_u_from_pairs_sure_to_be_two_people():
    # pairs of one name and kecamatan whose NIKs code different birth dates: 3 pairs (the two of one birth
    # code are not counted), one of them with the name unique on every list
    con = duckdb.connect()
    con.register("df_in", pd.DataFrame({
        "name_phon_key": ["ANI", "ANI", "BUDI", "BUDI", "BUDI", "SITI"],
        "kecamatan_code": ["K1", "K1", "K1", "K1", "K1", "K1"],
        "name_kec_unique": [True, True, False, False, False, True],
        "nik15": ["321605010190000", "321605020290000", "321605030390000", "321605030390000",
                  "321605040490000", None]}))
    con.execute("CREATE TABLE t AS SELECT * FROM df_in")
    assert name_kec_u_probabilities(con, "t", min_pairs=1) == pytest.approx({"unique_on_each_list": 1 / 3,
                                                                              "else": 2 / 3})
    assert name_kec_u_probabilities(con, "t", min_pairs=4) is None


def test_a_name_in_two_desas_of_the_kecamatan_is_not_unique():
    # one WULAN PUTRI per list, but the lists place them in two desas: two people (or one who moved)
    t = pd.DataFrame({"source": ["bpjs", "dtks", "p3ke"], "kecamatan_code": ["K1"] * 3,
                      "desa_code": [None, "D1", "D2"], "name_phon_key": ["WULAN PUTRI"] * 3, "nik15": [None] * 3})
    assert name_kec_unique(t).tolist() == [False, False, False]
    t.loc[2, "desa_code"] = "D1"
    assert name_kec_unique(t).tolist() == [True, True, True]
