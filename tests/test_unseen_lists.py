"""Lists never seen before: ages instead of birth dates, BPS desa codes, role headings, heaped dates.

All rows are hand-made (no generator)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from linkmiskin.linkage import Linker, LinkError
from linkmiskin.scoring.comparisons import BirthDateComparison, gamma_of, level_keys
from linkmiskin.scoring.model import model_table
from linkmiskin.standardise.records import standardize


def _level(creator, left: dict, right: dict) -> str:
    """Stable key of the first level whose SQL holds for the pair."""
    comp = creator.get_comparison("duckdb")
    df = pd.DataFrame({f"{k}_l": [v] for k, v in left.items()} | {f"{k}_r": [v] for k, v in right.items()})
    con = duckdb.connect()
    con.register("p", df)
    for lvl, key in zip(comp.comparison_levels, level_keys(creator), strict=True):
        if lvl.sql_condition.strip().upper() == "ELSE":
            return key
        if con.execute(f"SELECT COALESCE(({lvl.sql_condition}), false) FROM p").fetchone()[0]:
            return key
    raise AssertionError("no level matched")


# --- item 6: an age instead of a birth date ------------------------------------------------------------

def _dob_rec(dob=None, approx=None, nik_dob=None, nik=None) -> dict:
    return {"dob": dob, "dob_placeholder": False, "dob_approx_year": approx, "nik_dob": nik_dob, "nik15": nik}


def test_approx_year_level_between_an_age_and_a_date() -> None:
    creator = BirthDateComparison("dob", approx_year_col_name="dob_approx_year")
    approx = "approx_year"
    assert _level(creator, _dob_rec(approx=1990), _dob_rec(dob="1991-05-02")) == approx
    assert _level(creator, _dob_rec(approx=1990), _dob_rec(approx=1989)) == approx
    # the year coded in the other's NIK counts as its year
    assert _level(creator, _dob_rec(approx=1990), _dob_rec(nik_dob="1989-12-30", nik="321601701289000")) == approx
    # an age two or three years off is no evidence; further off is evidence against
    assert _level(creator, _dob_rec(approx=1990), _dob_rec(dob="1992-05-02")) == "approx_year_unsure"
    assert _level(creator, _dob_rec(approx=1990), _dob_rec(dob="1994-05-02")) == "else"
    assert _level(creator, _dob_rec(approx=1990), _dob_rec()) == "null"
    # two real dates never reach it
    assert _level(creator, _dob_rec(dob="1990-05-02"), _dob_rec(dob="1991-08-09")) == "else"


def test_approx_year_level_is_keyed_after_the_date_levels_and_optional() -> None:
    with_age = BirthDateComparison("dob", approx_year_col_name="dob_approx_year")
    keys = level_keys(with_age)
    assert keys[-4:] == ["same_year", "approx_year", "approx_year_unsure", "else"]
    assert gamma_of(with_age, "approx_year") == 1 and gamma_of(with_age, "approx_year_unsure") == -1
    assert "approx_year" not in level_keys(BirthDateComparison("dob"))


def _posyandu() -> pd.DataFrame:
    return pd.DataFrame({"NIK": ["3216015505900003", "3216015505900003", "3216014101850002"],
                         "NAMA": ["SITI AMINAH", "SITI AMINAH", "DEDI"],
                         "TGL_LAHIR": ["1990-05-15", None, None],
                         "UMUR": [None, "34 TH", "40"]})


def test_model_table_carries_the_approximate_year_and_ignores_it_for_copied_niks() -> None:
    std = standardize(_posyandu(), source="posyandu", list_date="2025-03-01")
    std.insert(0, "unique_id", range(len(std)))
    t = model_table(std)
    assert t["dob_approx_year"].tolist()[0] is pd.NA
    assert t["dob_approx_year"].tolist()[1:] == [1990, 1984]
    # 1990 (date) and 1990±1 (age) under one NIK on one list: not a NIK copied to another person
    assert t["nik_consistent"].tolist() == [True, True, True]


def test_link_passes_list_date_and_header_per_source(tmp_path) -> None:
    path = tmp_path / "sekolah.csv"
    path.write_text("DATA SISWA 2025\nNAMA;UMUR\nBUDI;10\n", encoding="utf-8")
    lk = Linker(progress=False)
    lk.set_sources({"posyandu": _posyandu(), "sekolah": str(path)},
                   list_date={"posyandu": "2025-03-01", "sekolah": 2020}, header={"sekolah": 2})
    std = lk.standardized
    assert std["birth_year_approx"].astype(str).tolist() == ["<NA>", "1990", "1984", "2009"]
    assert std.loc[3, "name"] == "BUDI"
    with pytest.raises(LinkError, match="list_date= names sources that are not in sources"):
        Linker(progress=False).set_sources({"posyandu": _posyandu()}, list_date={"pkh": 2020})


# --- item 4: a region given as a 10-digit BPS desa code -----------------------------------------------

def test_bps_desa_codes_are_desa_keys_that_records_share() -> None:
    df = pd.DataFrame({"NAMA": ["ANI", "ANI", "BUDI", "CICI"],
                       "KODE_DESA": ["3216010005", "3216010005.0", "3216010006", "3216099001"],
                       "RT": ["1", "1", "2", "3"], "RW": ["2", "2", "2", "4"]})
    std = standardize(df, {"desa": "KODE_DESA"}, "32.16", source="posyandu")
    assert std["desa_code"].tolist() == ["BPS:3216010005", "BPS:3216010005", "BPS:3216010006", "BPS:3216099001"]
    # BPS kecamatan 3216010 is Setu (32.16.18) in the bundled bridge; 3216099 is unknown and kept as a key
    assert std["kecamatan_code"].tolist() == ["32.16.18", "32.16.18", "32.16.18", "BPS:3216099"]
    assert std["region_status"].tolist() == ["bps_desa_code"] * 4
    assert all("region:bps_desa_code" in f for f in std["flags"])


def test_a_kecamatan_column_wins_over_an_unbridged_bps_code() -> None:
    df = pd.DataFrame({"NAMA": ["ANI", "BUDI"], "KODE_DESA": ["3216099001", "3216099002"],
                       "KECAMATAN": ["TAMBUN SELATAN", None]})
    std = standardize(df, {"desa": "KODE_DESA"}, "32.16", source="pkh")
    assert std["desa_code"].tolist() == ["BPS:3216099001", "BPS:3216099002"]
    assert std["kecamatan_code"].tolist() == ["32.16.06", "BPS:3216099"]  # Tambun Selatan


def test_bps_desa_key_reaches_the_same_desa_level() -> None:
    from linkmiskin.scoring.comparisons import IndonesianAddressComparison

    creator = IndonesianAddressComparison("desa_code", nik_kecamatan_col_name=None)
    rec = {"desa_code": "BPS:3216010005", "kecamatan_code": "32.16.18", "rt": 1, "rw": 2, "place": None}
    assert _level(creator, rec, rec) == "desa_rt_rw"
    assert _level(creator, rec, rec | {"desa_code": "BPS:3216010006"}) == "kecamatan"
    # a BPS key beside a Kemendagri code: the bridged kecamatan still compares; an unbridged one is unknown
    kemendagri = rec | {"desa_code": "32.16.18.2001"}
    assert _level(creator, rec, kemendagri) == "kecamatan"
    assert _level(creator, rec, kemendagri | {"kecamatan_code": "32.16.01"}) == "else"
    unbridged = {"desa_code": "BPS:3216099001", "kecamatan_code": "BPS:3216099", "rt": 1, "rw": 2, "place": None}
    assert _level(creator, unbridged, kemendagri) == "null"
    assert _level(creator, unbridged, unbridged) == "desa_rt_rw"


def test_a_column_of_kemendagri_codes_is_not_read_as_bps() -> None:
    std = standardize(pd.DataFrame({"NAMA": ["A", "B"], "DESA": ["3216071001", "3216070001"]}), region="32.16")
    assert std["desa_code"].tolist() == ["32.16.07.1001", None]
    assert std["region_status"].tolist() == ["resolved", "unresolved"]


# --- item 1: the role a heading gives its column ------------------------------------------------------

def _cm(headings: list[str], mapping: dict | None = None):
    from linkmiskin.standardise.columns import detect_columns

    return detect_columns(pd.DataFrame(columns=headings), mapping, source="posyandu")


def test_a_child_list_maps_the_child_to_the_person_and_the_parents_to_their_fields() -> None:
    cm = _cm(["NAMA_ANAK", "TGL_LAHIR_ANAK", "JK", "NAMA_IBU", "NIK_IBU", "NAMA_AYAH", "NIK_AYAH"])
    assert cm.mapping == {"name": "NAMA_ANAK", "birth_date": "TGL_LAHIR_ANAK", "sex": "JK",
                          "mother_name": "NAMA_IBU", "father_name": "NAMA_AYAH", "mother_nik": "NIK_IBU",
                          "father_nik": "NIK_AYAH"}
    assert cm.subject == "child"
    assert cm.roles["NIK_IBU"] == "the mother's nik (IBU) -> mother_nik"
    assert cm.roles["TGL_LAHIR_ANAK"] == "the child's birth_date (ANAK) -> birth_date (the list's own person)"
    assert "the list is about: child" in cm.report()


def test_the_recipients_nik_on_member_rows_is_not_the_members() -> None:
    cm = _cm(["NAMA", "NO_KK", "NIK_PENGURUS", "HUB_KEL"])
    assert "nik" not in cm.mapping and cm.subject == "self"
    assert cm.roles["NIK_PENGURUS"] == "the recipient's nik (PENGURUS): not this list's person, not used"
    assert cm.unmapped == ["NIK_PENGURUS"]
    # a list of recipients only: the recipient is the subject
    assert _cm(["NIK_PENGURUS", "NAMA_PENGURUS"]).mapping == {"nik": "NIK_PENGURUS", "name": "NAMA_PENGURUS"}


def test_a_list_of_mothers_with_the_husbands_name() -> None:
    cm = _cm(["NAMA_IBU", "NIK_IBU", "UMUR_IBU", "SUAMI"])
    assert cm.mapping == {"nik": "NIK_IBU", "name": "NAMA_IBU", "age": "UMUR_IBU", "spouse_name": "SUAMI"}
    std = standardize(pd.DataFrame({"NAMA_IBU": ["SITI AMINAH", "NY. JOKO"], "NIK_IBU": [None, None],
                                    "UMUR_IBU": ["30", "25"], "SUAMI": ["AHMAD", "JOKO"]}),
                      source="bumil", list_date=2025)
    assert std["name"].tolist() == ["SITI AMINAH", None]
    assert std["spouse_name"].tolist() == ["AHMAD", "JOKO"]
    assert [list(t) for t in std["spouse_name_tokens"]] == [["AHMAD"], ["JOKO"]]


def test_other_persons_niks_are_kept_apart_from_the_persons_nik() -> None:
    std = standardize(pd.DataFrame({"NAMA_ANAK": ["BUDI"], "NIK_ANAK": [None], "NIK_IBU": ["3216015505900003"],
                                    "NIK_AYAH": ["12345"]}), source="sekolah")
    assert std["nik"].isna().all()
    assert std["mother_nik"].tolist() == ["3216015505900003"] and std["father_nik"].tolist() == [None]


def test_user_mapping_and_unmarked_headings_keep_working() -> None:
    # the user says the mother's name column is the person's name: the user wins
    assert _cm(["NAMA_IBU", "NIK"], {"name": "NAMA_IBU"}).mapping == {"nik": "NIK", "name": "NAMA_IBU"}
    # JUMLAH_ART / ANAK_KE name no person field: not reported, not used
    cm = _cm(["NIK", "NAMA", "JUMLAH_ART", "ANAK_KE", "NAMA_IBU_KANDUNG_ART"])
    assert cm.mapping == {"nik": "NIK", "name": "NAMA", "mother_name": "NAMA_IBU_KANDUNG_ART"}
    assert list(cm.roles) == ["NAMA_IBU_KANDUNG_ART"]


# --- item 8: placeholder birth dates learnt from the data at hand -------------------------------------

def _spread(year: int = 1980) -> list[str]:
    """36 dates over every month and days 2..28, no date repeated: a list without heaps."""
    return [f"{year}-{i % 12 + 1:02d}-{(i * 7) % 27 + 2:02d}" for i in range(36)]


def test_a_day_heaped_far_above_its_neighbours_is_a_placeholder() -> None:
    from linkmiskin.standardise.dates import heaped_dates

    dates = ["1975-08-17"] * 10 + _spread() + _spread(1981)
    h = heaped_dates(pd.Series(dates))
    assert h[:10].all() and not h[10:].any()
    # the same day in another kabupaten of the list, with only two records there, is not heaped
    groups = ["32.16"] * 10 + ["33.01"] * 38
    dates2 = ["1975-08-17"] * 10 + ["1975-08-17"] * 2 + _spread()
    h2 = heaped_dates(pd.Series(dates2), pd.Series(groups))
    assert h2[:10].all() and not h2[10:].any()


def test_a_small_coincidence_is_not_a_heap() -> None:
    from linkmiskin.standardise.dates import heaped_dates

    # seven people on one day (below HEAP_MIN_COUNT) is not enough evidence
    assert not heaped_dates(pd.Series(["1990-03-04"] * 7 + _spread())).any()
    assert not heaped_dates(pd.Series(["1990-03-04", "bukan tanggal", None])).any()


def test_every_first_of_the_month_heaped() -> None:
    from linkmiskin.standardise.dates import heaped_dates

    firsts = [f"{y}-{m:02d}-01" for y in (1970, 1971, 1972) for m in range(1, 13)]  # 36 on the 1st
    dates = firsts + _spread(1970) + _spread(1975) + _spread(1985)
    h = heaped_dates(pd.Series(dates))
    assert h[:36].all() and not h[36:].any()


def test_standardize_flags_learnt_placeholders_beside_the_fixed_list() -> None:
    dates = ["17-08-1975"] * 10 + ["01-07-1960"] + [f"{d[8:10]}-{d[5:7]}-{d[:4]}" for d in _spread()]
    std = standardize(pd.DataFrame({"NAMA": [f"ORANG {i}" for i in range(len(dates))], "TGL_LAHIR": dates}),
                      source="sekolah")
    assert std["birth_date_placeholder"].tolist()[:11] == [True] * 11
    assert std["birth_date_placeholder"].sum() == 11 + sum(d[8:10] == "15" for d in _spread())
    heaped = std["flags"].fillna("").str.contains("birth_date:heaped")
    assert heaped.tolist() == [True] * 10 + [False] * 37   # 1 July is the fixed list's, not learnt


# --- item 7: migrants (NIK issued in another kabupaten or province) ----------------------------------

_KK_A, _KK_B, _KK_C = "3216012003150007", "3216011105050003", "3216010802000011"
_DTKS = pd.DataFrame({
    "NIK": ["3374011203800005", "3374015406820003", "3216010907100002",   # migrants from Semarang + a child
            "3216011001750001", "3216014502780002", "3216010305990004", "3216014708010006"],
    "NO_KK": [_KK_A] * 3 + [_KK_B] * 2 + [_KK_C] * 2,
    "NAMA": ["AGUS SANTOSO", "SRI WAHYUNI", "DIMAS PRASETYO", "BUDI HARTONO", "RINI ASTUTI", "EKO SAPUTRA",
             "DEWI LESTARI"],
    "TGL_LAHIR": ["12-03-1980", "14-06-1982", "09-07-2010", "10-01-1975", "05-02-1978", "03-05-1999",
                  "07-08-2001"],
    "JK": ["L", "P", "L", "L", "P", "L", "P"],
    "HUB_KELUARGA": ["KEPALA KELUARGA", "ISTRI", "ANAK", "KEPALA KELUARGA", "ISTRI", "KEPALA KELUARGA", "ISTRI"],
    "ALAMAT": ["KP. BOJONG RT 01 RW 02"] * 3 + ["KP. CIBEBER RT 03 RW 04"] * 2 + ["PERUM MAWAR RT 05 RW 06"] * 2,
    "DESA": ["SETIA ASIH"] * 7,
})
_BPJS = pd.DataFrame({
    "NIK": ["3374011203800005", "3374015406820003", "3216011001750001", "3216010305990004"],
    "NAMA": ["AGUS SANTOSO", "SRI WAHYUNI", "BUDI HARTONO", "EKO SAPUTRA"],
    "TGL_LAHIR": ["1980-03-12", "1982-06-14", "1975-01-10", "1999-05-03"],
    "JK": ["L", "P", "L", "L"],
    "ALAMAT": ["KP BOJONG RT 1 RW 2 SETIA ASIH"] * 2 + ["KP CIBEBER RT 3 RW 4 SETIA ASIH",
                                                      "PERUM MAWAR RT 5 RW 6 SETIA ASIH"],
})


def test_a_migrants_address_keeps_its_evidence() -> None:
    from linkmiskin.scoring.comparisons import IndonesianAddressComparison

    creator = IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec")
    rec = {"desa_code": "32.16.01.1007", "kecamatan_code": "32.16.01", "rt": 1, "rw": 2, "place": "BOJONG",
           "nik_kec": "33.74.01"}
    assert _level(creator, rec, rec) == "desa_rt_rw"
    assert _level(creator, rec, rec | {"nik_kec": None}) == "desa_rt_rw"


def test_no_cannot_link_rule_assumes_the_nik_region_is_the_address() -> None:
    from linkmiskin.clustering.cannot_link import RULES, PairEvidence, pair_frame

    stds = [standardize(df, region="32.16", source=s) for s, df in (("dtks", _DTKS), ("bpjs", _BPJS))]
    std = pd.concat(stds, ignore_index=True)
    std.insert(0, "unique_id", range(len(std)))
    t = model_table(std)
    assert t["nik_kec"].tolist()[:2] == ["33.74.01", "33.74.01"]
    assert t["nik_consistent"].all()
    # the migrants' own records across the lists: no rule keeps them apart
    m = pair_frame(t.assign(name_mask=1), np.array([0, 1]), np.array([7, 8]))
    fired = {name: rule(PairEvidence(m)).tolist() for name, rule in RULES.items()}
    assert {name: hits for name, hits in fired.items() if any(hits)} == {}


def test_migrants_link_across_lists_and_stay_one_household() -> None:
    import linkmiskin as lm

    res = lm.link({"dtks": _DTKS, "bpjs": _BPJS}, region="32.16", progress=False)
    r = res.records.set_index(["source", "record_id"])
    for dtks_row, bpjs_row in (("1", "1"), ("2", "2")):
        assert r.loc[("dtks", dtks_row), "person_id"] == r.loc[("bpjs", bpjs_row), "person_id"], dtks_row
    assert r.loc[[("dtks", "1"), ("dtks", "2"), ("dtks", "3")], "household_id"].nunique() == 1
    assert r.loc[[("dtks", "1"), ("dtks", "4"), ("dtks", "6")], "household_id"].nunique() == 3


def _every_day(years: range) -> list[str]:
    """Every day 1..28 of every month of ``years``: a large list with no heaped day."""
    return [f"{y}-{m:02d}-{d:02d}" for y in years for m in range(1, 13) for d in range(1, 29)]


def test_a_fixed_placeholder_day_the_data_does_not_heap_is_a_real_date() -> None:
    from linkmiskin.standardise.dates import placeholder_days_not_heaped

    days = pd.Series(_every_day(range(1970, 1980)))
    ordinary = placeholder_days_not_heaped(days)
    fixed = days.str[8:10].eq("15") | days.str[5:].isin(["01-01", "07-01", "12-31"])
    assert ordinary.tolist() == fixed.tolist()         # every fixed day here is as common as any other day
    # a list that piles unknown days on 1 January keeps 1 January a placeholder, and the 15ths are real
    heaped = pd.Series(["1975-01-01"] * 60 + days.tolist())
    o2 = placeholder_days_not_heaped(heaped)
    assert not o2[heaped.str[5:].eq("01-01").to_numpy()].any()
    assert o2[heaped.str[8:10].eq("15").to_numpy()].all()
    # too few dates to judge: the fixed list stands
    assert not placeholder_days_not_heaped(days.iloc[::40]).any()


def test_standardize_reads_unheaped_fixed_days_as_real_dates() -> None:
    days = _every_day(range(1970, 1980))
    raw = pd.DataFrame({"NAMA": [f"ORANG {i}" for i in range(len(days))],
                        "TGL_LAHIR": [f"{d[8:10]}-{d[5:7]}-{d[:4]}" for d in days]})
    std = standardize(raw, source="sekolah")
    assert not std["birth_date_placeholder"].any()
    lifted = std["flags"].fillna("").str.contains("birth_date:placeholder_day_not_heaped")
    assert lifted.sum() == 10 * 12 + 10 * 2            # every 15th, 1 January and 1 July
    small = standardize(raw.iloc[::40].reset_index(drop=True), source="sekolah")
    on_fixed_day = small["birth_date"].str[8:10].eq("15") | small["birth_date"].str[5:].isin(["01-01", "07-01"])
    assert on_fixed_day.any() and small["birth_date_placeholder"].tolist() == on_fixed_day.tolist()
