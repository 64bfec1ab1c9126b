"""NY. / NYONYA + a name: her own name with a title, her husband's name, or unclear (issue 13 item 5).
Hand-made rows only."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from linkmiskin.scoring.comparisons import SpouseNameComparison, level_keys
from linkmiskin.scoring.model import husband_names, model_table
from linkmiskin.standardise.names import female_probability, name_sex_table, nyonya_reading
from linkmiskin.standardise.records import standardize


def _level(creator, left: dict, right: dict) -> str:
    """Key of the first level of ``creator`` whose SQL condition holds for the pair."""
    comp = creator.get_comparison("duckdb")
    df = pd.DataFrame({f"{k}_l": [v] for k, v in left.items()} | {f"{k}_r": [v] for k, v in right.items()})
    con = duckdb.connect()
    con.register("p", df)
    for lvl, key in zip(comp.comparison_levels, level_keys(creator), strict=True):
        cond = lvl.sql_condition
        if cond.strip().upper() == "ELSE" or con.execute(f"SELECT COALESCE(({cond}), false) FROM p").fetchone()[0]:
            return key
    raise AssertionError("no level matched")


# ----------------------------------------------------------------------------------------- the decision
def test_nyonya_reading_is_a_named_decision_on_the_female_probability() -> None:
    assert nyonya_reading([0.99, 0.9, 0.5, 0.1, 0.01, np.nan]).tolist() == [
        "own", "own", "ambiguous", "husband", "husband", "ambiguous"]


def test_the_word_table_is_learnt_from_the_records_of_known_sex() -> None:
    # on this list WAGIYEM and TUKIRAN are learnt from the data (neither is in the seed file)
    tokens = pd.Series([["WAGIYEM"]] * 6 + [["TUKIRAN"]] * 6 + [["WAGIYEM"]])
    sex = pd.Series(["P"] * 6 + ["L"] * 6 + [None])
    table = name_sex_table(tokens, sex, seed=False)
    assert table.loc["WAGIYEM", "female"] == 6 and table.loc["TUKIRAN", "male"] == 6
    p = female_probability(pd.Series([["WAGIYEM"], ["TUKIRAN"], ["PARJO"]]), table)
    assert nyonya_reading(p).tolist() == ["own", "husband", "ambiguous"]


def _list_with_sexes() -> pd.DataFrame:
    """A DTKS-like list: men and women of known sex, and NY. names of the three kinds."""
    return pd.DataFrame({
        "NAMA": ["WAGIYEM SUPRAPTI", "WAGIYEM", "TUKIRAN", "TUKIRAN HADI", "SUPRAPTI", "HADI",
                 "NY. WAGIYEM SUPRAPTI", "NY. TUKIRAN HADI", "NY. KLIWON"],
        "JK": ["P", "P", "L", "L", "P", "L", "P", "P", "P"],
    })


def test_standardize_reads_each_nyonya_name_and_records_the_reading() -> None:
    out = standardize(_list_with_sexes(), source="dtks")
    ny = out.iloc[6:]
    assert ny["name_form"].tolist() == ["own", "husband", "ambiguous"]
    assert out["name_form"].iloc[:6].isna().all()
    # her own name, title dropped
    assert ny["name"].tolist() == ["WAGIYEM SUPRAPTI", None, "KLIWON"]
    # the husband's name, and the unclear one kept as both
    assert ny["spouse_name"].tolist() == [None, "TUKIRAN HADI", "KLIWON"]
    assert ny["name_status"].tolist() == ["ok", "spouse_name", "ok"]
    assert list(ny["name_tokens"].iloc[1]) == [] and list(ny["spouse_name_tokens"].iloc[2]) == ["KLIWON"]


def test_a_husband_column_decides_the_reading() -> None:
    out = standardize(pd.DataFrame({"NAMA": ["NY. KLIWON", "NY. PAIMAN"], "SUAMI": ["KLIWON", "SLAMET"]}),
                      source="bumil")
    assert out["name_form"].tolist() == ["husband", "own"]
    assert out["name"].tolist() == [None, "PAIMAN"]
    assert out["spouse_name"].tolist() == ["KLIWON", "SLAMET"]


# ------------------------------------------------------------------------------------------ model side
_KK = "3216010101100001"


def _std(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    std = pd.concat([standardize(df, region="32.16", source=s) for s, df in frames.items()], ignore_index=True)
    std.insert(0, "unique_id", range(len(std)))
    return std


def test_husband_name_is_the_head_of_her_household_on_her_list() -> None:
    std = pd.DataFrame({
        "source": ["d"] * 5 + ["p"], "kk": [_KK] * 4 + [None, None], "kk_status": ["valid"] * 4 + ["missing"] * 2,
        "household_key": [None] * 4 + ["F1", None],
        "relationship": ["KEPALA", "PASANGAN", "ANAK", None, "PASANGAN", "PASANGAN"],
        "name": ["BUDI SANTOSO", "SRI WAHYUNI", "ANI", "SITI", "RINA", "TUTI"],
        "birth_year": [1970, 1972, 2000, 1974, 1980, 1980]})
    sex = np.array(["L", "P", "P", "P", "P", "P"], dtype=object)
    # the spouse and a woman of his age without a relationship; not his daughter, nor wives without a head
    assert husband_names(std, sex).tolist() == [None, "BUDI SANTOSO", None, "BUDI SANTOSO", None, None]


def test_spouse_name_comparison_levels() -> None:
    c = SpouseNameComparison()
    wife = {"spouse_name": "BUDI SANTOSO", "husband_name": None}
    assert _level(c, wife, {"spouse_name": None, "husband_name": "BUDI SANTOSO"}) == "exact"
    assert _level(c, wife, {"spouse_name": None, "husband_name": "BUDI SANTOSA"}) == "close"
    assert _level(c, {"spouse_name": "BUDI", "husband_name": None},
                  {"spouse_name": None, "husband_name": "BUDI SANTOSO"}) == "close"
    assert _level(c, wife, {"spouse_name": "BUDI SANTOSO", "husband_name": None}) == "exact"
    assert _level(c, wife, {"spouse_name": None, "husband_name": "AGUS SALIM"}) == "else"
    # the husband himself (no spouse name, no husband's name) and two wives without a spouse-name form
    assert _level(c, wife, {"spouse_name": None, "husband_name": None}) == "null"
    assert _level(c, {"spouse_name": None, "husband_name": "X"}, {"spouse_name": None, "husband_name": "X"}) == "null"


def _dtks() -> pd.DataFrame:
    return pd.DataFrame({
        "NIK": [None] * 6,
        "NO_KK": [_KK] * 3 + ["3216010101100002"] * 3,
        "NAMA": ["BUDI SANTOSO", "NY. BUDI SANTOSO", "DIMAS PRASETYO", "AGUS SALIM", "NY. SITI AMINAH", "RINA"],
        "TGL_LAHIR": ["10-01-1975", "05-02-1978", "09-07-2005", "12-03-1980", "14-06-1982", "01-09-2008"],
        "JK": ["L", "P", "L", "L", "P", "P"],
        "HUB_KELUARGA": ["KEPALA KELUARGA", "ISTRI", "ANAK", "KEPALA KELUARGA", "ISTRI", "ANAK"],
        "ALAMAT": ["KP. CIBEBER RT 03 RW 04"] * 3 + ["KP. BOJONG RT 01 RW 02"] * 3,
        "DESA": ["SETIA ASIH"] * 6,
    })


def _p3ke() -> pd.DataFrame:
    return pd.DataFrame({
        "NIK": [None] * 5, "ID_KELUARGA": ["K1", "K1", "K1", "K2", "K2"],
        "NAMA": ["BUDI SANTOSO", "SRI WAHYUNI", "DIMAS PRASETYO", "AGUS SALIM", "SITI AMINAH"],
        "TGL_LAHIR": ["1975-01-10", "1978-02-05", "2005-07-09", "1980-03-12", "1982-06-14"],
        "JK": ["L", "P", "L", "L", "P"],
        "HUB_KELUARGA": ["KEPALA KELUARGA", "ISTRI", "ANAK", "KEPALA KELUARGA", "ISTRI"],
        "ALAMAT": ["KP CIBEBER RT 3 RW 4 SETIA ASIH"] * 3 + ["KP BOJONG RT 1 RW 2 SETIA ASIH"] * 2,
    })


def test_model_table_carries_spouse_and_husband_names() -> None:
    std = _std({"dtks": _dtks(), "p3ke": _p3ke()})
    t = model_table(std)
    wife = t.iloc[1]
    assert wife["name"] is None and wife["spouse_name"] == "BUDI SANTOSO" and wife["name_form"] == "husband"
    assert wife["husband_name"] == "BUDI SANTOSO"
    assert t.iloc[4]["name"] == "SITI AMINAH" and t.iloc[4]["name_form"] == "own"
    sri = t.iloc[7]
    assert sri["name"] == "SRI WAHYUNI" and sri["husband_name"] == "BUDI SANTOSO"


@pytest.mark.filterwarnings("ignore::UserWarning")   # two small lists without NIKs: the priors are used
def test_a_wife_under_her_husbands_name_links_by_his_name_and_never_to_him() -> None:
    import linkmiskin as lm

    res = lm.link({"dtks": _dtks(), "p3ke": _p3ke()}, region="32.16", progress=False)
    r = res.records.set_index(["source", "record_id"])
    pid = r["person_id"]
    # NY. BUDI SANTOSO (the istri of head BUDI SANTOSO) is SRI WAHYUNI, the istri of his household on P3KE
    assert pid[("dtks", "2")] == pid[("p3ke", "2")]
    # and never her husband
    assert pid[("dtks", "2")] != pid[("dtks", "1")] and pid[("dtks", "2")] != pid[("p3ke", "1")]
    # NY. SITI AMINAH is SITI AMINAH
    assert pid[("dtks", "5")] == pid[("p3ke", "5")]
    assert pid[("dtks", "1")] == pid[("p3ke", "1")]


def test_unclear_readings_are_settled_with_every_list_of_the_job() -> None:
    from linkmiskin.standardise.records import settle_unclear_nyonya_names

    small = standardize(pd.DataFrame({"NAMA": ["NY. WAGIYEM", "NY. TUKIRAN", "NY. KLIWON"],
                                      "NIK": [None, "32160101018", None]}), source="blt")
    assert small["name_form"].tolist() == ["ambiguous"] * 3
    other = standardize(pd.DataFrame({"NAMA": ["WAGIYEM"] * 5 + ["TUKIRAN"] * 5, "JK": ["P"] * 5 + ["L"] * 5}),
                        source="dtks")
    job = settle_unclear_nyonya_names(pd.concat([small, other], ignore_index=True))
    assert job["name_form"].tolist()[:3] == ["own", "husband", "ambiguous"]
    assert job["name"].tolist()[:3] == ["WAGIYEM", None, "KLIWON"]
    assert job["spouse_name"].tolist()[:3] == [None, "TUKIRAN", "KLIWON"]
    assert job["name_status"].tolist()[1] == "spouse_name" and list(job["name_tokens"].iloc[1]) == []
    assert job["flags"].tolist()[1] == "nik:wrong_length;name:spouse_name"   # in field order
    # the other list's own records are untouched
    assert job["name_form"].iloc[3:].isna().all() and job["name"].tolist()[3:] == other["name"].tolist()
