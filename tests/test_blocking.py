"""Blocking: records identical on every compared field are always compared, and then linked."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

import linkmiskin as lm
from linkmiskin.scoring.model import FINGERPRINT_COLUMNS, blocking_rules, fingerprint


def _rules_matching(t: pd.DataFrame, i: int, j: int) -> list[str]:
    """The SQL of every prediction blocking rule that proposes the pair of rows ``i`` and ``j`` of ``t``."""
    con = duckdb.connect()
    scalar = [c for c in t.columns if not t[c].map(lambda v: isinstance(v, list)).any()]
    con.register("l_df", t.iloc[[i]][scalar])
    con.register("r_df", t.iloc[[j]][scalar])
    out = []
    for rule in blocking_rules():
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
        if con.execute(f"SELECT count(*) FROM l_df AS l, r_df AS r WHERE {sql}").fetchone()[0]:
            out.append(sql)
    return out


def test_fingerprint_equal_for_identical_records_and_null_without_name_or_nik():
    t = pd.DataFrame({c: [None] * 4 for c in FINGERPRINT_COLUMNS})
    t["name"] = ["ANI SUSANTI", "ANI SUSANTI", "ANI SUSANTI", None]
    t["kecamatan_code"] = ["32.16.18", "32.16.18", "32.16.19", "32.16.18"]
    fp = fingerprint(t)
    assert fp[0] == fp[1]
    assert fp[0] != fp[2]          # one field differs: another fingerprint
    assert pd.isna(fp[3])          # nothing to link on: no block of all empty records


@pytest.fixture(scope="module")
def copies():
    d = lm.synthetic.generate(households=60, seed=1)
    dt = d.sources["dtks"]
    return dt, lm.link({"a": dt, "b": dt.copy()}, region="32.16", progress=False)


def test_only_the_fingerprint_rule_compares_a_record_without_nik_date_or_desa(copies):
    _, res = copies
    t = res._linker._table
    i = int(t.index[(t["source"] == "a") & t["nik"].isna() & t["desa_code"].isna()][0])
    j = int(t.index[(t["source"] == "b") & (t["record_id"] == t.at[i, "record_id"])][0])
    bare = t.copy()
    for c in ("dob", "dob_year", "nik15", "nik", "kk"):
        bare.loc[[i, j], c] = None
    bare["fingerprint"] = fingerprint(bare)
    # (with a kecamatan, the name and the kecamatan pair it too: same_name_sound_in_kecamatan_one_without_desa)
    assert 'l."fingerprint" = r."fingerprint"' in _rules_matching(bare, i, j)
    bare.loc[[i, j], "kecamatan_code"] = None
    bare["fingerprint"] = fingerprint(bare)
    assert _rules_matching(bare, i, j) == ['l."fingerprint" = r."fingerprint"']


def test_every_record_links_with_its_identical_copy(copies):
    dt, res = copies
    r = res.records
    a = r[r["source"] == "a"].set_index("record_id")["person_id"]
    b = r[r["source"] == "b"].set_index("record_id")["person_id"]
    assert len(a) == len(dt) and (a == b.loc[a.index]).all(), a.index[a != b.loc[a.index]].tolist()
    # the case of issue 14 item 5: no NIK and no desa code, yet linked to its copy
    t = res._linker._table
    bare = t[(t["source"] == "a") & t["nik"].isna() & t["desa_code"].isna()]["record_id"]
    assert len(bare) >= 1 and (a.loc[bare] == b.loc[bare]).all()


def test_real_date_tf_adjustment_uses_its_own_level(copies):
    """Splink's exact-match detection would adjust the real-date level by the placeholder level's u."""
    from linkmiskin.scoring.comparisons import BirthDateComparison, gamma_of

    comp = BirthDateComparison("dob", nik_date_col_name="nik_dob", nik_col_name="nik15")
    levels = comp.get_comparison("duckdb").comparison_levels
    tf_levels = [lv for lv in levels if lv._tf_adjustment_input_column is not None]
    assert len(tf_levels) == 2 and all(lv._disable_tf_exact_match_detection for lv in tf_levels)
    assert gamma_of(comp, "exact_real") is not None


def _with_nik15(t: pd.DataFrame, rows: list[int], nik15: str) -> pd.DataFrame:
    from linkmiskin.scoring.model import block_sizes

    out = t.copy()
    out.loc[rows, "nik15"] = nik15
    out.loc[rows, "nik"] = nik15 + "0"    # one dummy NIK typed on every row (3216000000000000)
    for col, sizes in block_sizes(out).items():
        out[col] = sizes
    return out


def test_an_over_large_block_is_left_to_its_tighter_rule(copies):
    """A dummy NIK on more records than BLOCK_CAP: its records are compared only where the first name
    agrees too, while a small NIK block is compared whole."""
    from linkmiskin.scoring.model import BLOCK_CAP

    _, res = copies
    t = res._linker._table
    t = t[t["name_first"].notna()].reset_index(drop=True)
    a = t.index[t["name_first"] == t.at[0, "name_first"]][:2].tolist()        # two records, one first name
    b = int(t.index[t["name_first"] != t.at[0, "name_first"]][0])               # and one with another
    others = [i for i in t.index if i not in a + [b]][: BLOCK_CAP]
    big = _with_nik15(t, a + [b] + others, "321600000000000")
    assert int(big.at[a[0], "block_nik15"]) == BLOCK_CAP + 3
    from linkmiskin.scoring.model import same_nik15_unless_full_niks_differ

    nik_rule = same_nik15_unless_full_niks_differ().get_blocking_rule("duckdb").blocking_rule_sql
    cover = '(l."nik15" = r."nik15") AND (l."name_first" = r."name_first")'
    assert nik_rule not in _rules_matching(big, a[0], b) and cover not in _rules_matching(big, a[0], b)
    assert cover in _rules_matching(big, a[0], a[1])
    small = _with_nik15(t, [a[0], b], "321600000000000")
    assert nik_rule in _rules_matching(small, a[0], b)


def test_duckdb_memory_limit_follows_the_machine(monkeypatch):
    from linkmiskin import linkage

    monkeypatch.delenv("LINKMISKIN_DUCKDB_MEMORY", raising=False)
    monkeypatch.setattr(linkage, "_machine_memory", lambda: 10 * 2**30)
    assert linkage.duckdb_memory_limit() == "4.0GiB"          # 40 % of 10 GiB
    monkeypatch.setattr(linkage, "_machine_memory", lambda: 2 * 2**30)
    assert linkage.duckdb_memory_limit() == "1.0GiB"          # never below 1 GiB
    monkeypatch.setattr(linkage, "_machine_memory", lambda: 10 * 2**30)
    monkeypatch.setattr(linkage, "_available_memory", lambda: 30 * 2**30)
    assert linkage.duckdb_memory_limit() == "4.0GiB"          # connecting: the machine's share
    assert linkage.duckdb_memory_limit(in_use=2**30) == "2.5GiB"   # held + 5 % of the 30 GiB left
    assert linkage.duckdb_memory_limit(in_use=3 * 2**30) == "4.0GiB"   # never above the machine's share
    monkeypatch.setattr(linkage, "_available_memory", lambda: 3 * 2**30)
    assert linkage.duckdb_memory_limit(in_use=2**30) == "1.5GiB"   # held + at least 512 MiB to work in
    assert linkage.duckdb_memory_limit(in_use=0) == "1.0GiB"  # never below 1 GiB
    monkeypatch.setattr(linkage, "_available_memory", lambda: None)
    assert linkage.duckdb_memory_limit(in_use=0) == "4.0GiB"  # availability unknown
    monkeypatch.setattr(linkage, "_machine_memory", lambda: None)
    assert linkage.duckdb_memory_limit() == "1.5GB"           # memory unknown
    monkeypatch.setenv("LINKMISKIN_DUCKDB_MEMORY", "800MB")
    assert linkage.duckdb_memory_limit() == "800MB"           # the variable wins


def _holds(rule, left: dict, right: dict) -> bool:
    """Whether blocking ``rule`` proposes the pair of hand-made records (left, right)."""
    con = duckdb.connect()
    con.register("l_df", pd.DataFrame([left]))
    con.register("r_df", pd.DataFrame([right]))
    sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
    return bool(con.execute(f"SELECT count(*) FROM l_df AS l, r_df AS r WHERE {sql}").fetchone()[0])


def test_name_sound_in_desa_pairs_only_where_a_birth_date_is_missing():
    from linkmiskin.scoring.model import BLOCK_CAP, same_name_sound_in_desa_one_undated

    rule = same_name_sound_in_desa_one_undated()
    a = {"name_phon_key": "SUPRIYATI", "desa_code": "32.16.04.2007", "dob": "1980-02-11", "block_phon_desa": 3}
    undated = a | {"dob": None}
    assert _holds(rule, a, undated) and _holds(rule, undated, a)
    # dated on both sides (even on different dates): the name-and-date rules decide, this one stays out
    assert not _holds(rule, a, a | {"dob": "1980-11-02"})
    assert not _holds(rule, a, undated | {"desa_code": "32.16.04.2008"})
    big = {"block_phon_desa": BLOCK_CAP + 1}
    assert not _holds(rule, a | big, undated | big)


def test_last_name_year_and_sex_in_kecamatan_pairs_only_across_lists_where_a_desa_is_missing():
    from linkmiskin.scoring.model import (
        BLOCK_CAP,
        same_last_name_year_and_sex_in_kecamatan_across_lists_one_without_desa,
    )

    rule = same_last_name_year_and_sex_in_kecamatan_across_lists_one_without_desa()
    dtks = {"source": "dtks", "name_last": "MAHMUD", "kecamatan_code": "32.16.13", "desa_code": "32.16.13.1011", "dob_year": 1954,
            "sex": "L", "block_last_kec": 4, "nik15": "321613110754000", "dob": "1954-07-11", "dob_placeholder": False}
    bpjs = dtks | {"source": "bpjs_pbi", "desa_code": None, "nik15": None}   # a list that gives only the kecamatan
    assert _holds(rule, dtks, bpjs) and _holds(rule, bpjs, dtks)
    # NIKs and dates on both sides: the NIK and date rules decide, this one stays out
    assert not _holds(rule, dtks, bpjs | {"nik15": "321613110754001", "dob": "1954-11-07"})
    assert _holds(rule, dtks, bpjs | {"nik15": "321613110754001", "dob": None})
    # two rows of that one list (neighbours, kin): left to the rules that pair a list's own duplicates
    assert not _holds(rule, bpjs, bpjs)
    # desas on both sides: the same key in one desa pairs them (another desa is left out here)
    assert not _holds(rule, dtks, dtks | {"source": "pkh", "desa_code": "32.16.13.1012"})
    assert not _holds(rule, dtks, bpjs | {"sex": "P"})
    big = {"block_last_kec": BLOCK_CAP + 1}
    assert not _holds(rule, dtks | big, bpjs | big)
    # the same key in one desa (the cover rule) still pairs two records of one desa on two lists
    from linkmiskin.scoring.model import same_last_name_year_and_sex_in_desa_across_lists as cover
    assert _holds(cover(), dtks | {"source": "dtks"}, dtks | {"source": "pkh", "block_last_kec": BLOCK_CAP + 5})
    # birth dates that differ in both day and month: two people of one name and year
    assert not _holds(rule, dtks, bpjs | {"dob": "1954-09-23"})


def test_last_name_year_and_sex_in_desa_pairs_only_across_lists():
    from linkmiskin.scoring.model import same_last_name_year_and_sex_in_desa_across_lists

    rule = same_last_name_year_and_sex_in_desa_across_lists()
    a = {"source": "dtks", "name_last": "MAHMUD", "desa_code": "32.16.13.1011", "dob_year": 1954, "sex": "L",
         "dob": "1954-03-11", "dob_placeholder": False}
    assert _holds(rule, a, a | {"source": "pkh"}) and _holds(rule, a | {"source": "pkh"}, a)
    # dates one slip apart (day and month swapped) or one a placeholder: still paired; two slips: not
    assert _holds(rule, a, a | {"source": "pkh", "dob": "1954-11-03"})
    assert _holds(rule, a, a | {"source": "pkh", "dob": "1954-07-01", "dob_placeholder": True})
    assert not _holds(rule, a, a | {"source": "pkh", "dob": "1954-08-21"})
    # two rows of one list (neighbours, kin): the name-and-date rules pair a list's own duplicates
    assert not _holds(rule, a, a)
    assert not _holds(rule, a, a | {"source": "pkh", "desa_code": "32.16.13.1012"})
    assert not _holds(rule, a, a | {"source": "pkh", "dob_year": 1955})
    assert rule.get_blocking_rule("duckdb").blocking_rule_sql in {
        r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules()}


def test_real_date_in_kecamatan_pairs_only_where_a_desa_is_missing():
    from linkmiskin.scoring.model import BLOCK_CAP, same_real_date_in_kecamatan_one_without_desa

    rule = same_real_date_in_kecamatan_one_without_desa()
    a = {"dob": "1980-02-11", "dob_placeholder": False, "kecamatan_code": "32.16.04",
         "desa_code": "32.16.04.2007", "block_dob_kec": 3, "sex": "P"}
    no_desa = a | {"desa_code": None}
    assert _holds(rule, a, no_desa) and _holds(rule, no_desa, a) and _holds(rule, no_desa, no_desa)
    # a man and a woman of one date: two people (a sex missing on a side does not tell them apart)
    assert not _holds(rule, a, no_desa | {"sex": "L"})
    assert _holds(rule, a | {"sex": None}, no_desa | {"sex": "L"})
    # desas on both sides (one desa or two): the same date in one desa pairs them, this rule stays out
    assert not _holds(rule, a, a) and not _holds(rule, a, a | {"desa_code": "32.16.04.2008"})
    assert not _holds(rule, a | {"dob_placeholder": True}, no_desa | {"dob_placeholder": True})
    assert not _holds(rule, a, no_desa | {"kecamatan_code": "32.16.05"})
    big = {"block_dob_kec": BLOCK_CAP + 1}
    assert not _holds(rule, a | big, no_desa | big)


def test_name_token_and_real_date_pair_only_where_a_nik_is_missing():
    from linkmiskin.scoring.model import (
        BLOCK_CAP,
        same_first_name_and_real_date_one_without_nik,
        same_last_name_and_real_date_one_without_nik,
    )

    a = {"name_first": "ALIF", "name_last": "YUSUF", "dob": "2021-05-28", "dob_placeholder": False,
         "nik15": "321614280521000", "block_first_dob": 3}
    b = a | {"nik15": None}                     # ALIF FARHAN YUSUF / ALIF YUSUF on a list without NIK
    for rule in (same_first_name_and_real_date_one_without_nik(), same_last_name_and_real_date_one_without_nik()):
        assert _holds(rule, a, b) and _holds(rule, b, a)
        # NIKs on both sides: the NIK rules pair one person, two different NIKs are two people
        assert not _holds(rule, a, a | {"nik15": "321614280521003"})
        assert not _holds(rule, a, b | {"dob": "2021-05-29"})
        # a placeholder date (1 July) is shared by thousands
        assert not _holds(rule, a | {"dob_placeholder": True}, b | {"dob_placeholder": True})
    big = {"block_first_dob": BLOCK_CAP + 1}
    assert not _holds(same_first_name_and_real_date_one_without_nik(), a | big, b | big)
    in_use = {r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules()}
    assert same_last_name_and_real_date_one_without_nik().get_blocking_rule("duckdb").blocking_rule_sql in in_use


def test_kk_and_last_name_pair_only_where_a_nik_or_date_is_missing():
    from linkmiskin.scoring.model import BLOCK_CAP, same_kk_and_last_name_one_thin

    rule = same_kk_and_last_name_one_thin()
    # a Batak family under one KK: the marga is every member's last name
    father = {"kk": "1202010101100001", "name_last": "SIMANJUNTAK", "nik15": "120201010170000",
              "dob": "1970-01-01", "block_kk_last": 4}
    son = father | {"nik15": "120201150595000", "dob": "1995-05-15"}
    assert not _holds(rule, father, son)
    member_row = father | {"nik15": None, "dob": None}   # a programme's member row: KK and name only
    assert _holds(rule, father, member_row) and _holds(rule, member_row, father)
    assert not _holds(rule, father, member_row | {"kk": "1202010101100002"})
    big = {"block_kk_last": BLOCK_CAP + 1}
    assert not _holds(rule, father | big, member_row | big)


def test_nik15_pairs_unless_two_full_niks_differ():
    from linkmiskin.scoring.model import BLOCK_CAP, same_nik15_unless_full_niks_differ

    rule = same_nik15_unless_full_niks_differ()
    a = {"nik15": "321614280521000", "nik": "3216142805210001", "block_nik15": 3}
    assert _holds(rule, a, a)
    assert _holds(rule, a, a | {"nik": None})           # the 16th digit lost in Excel
    # two full NIKs that differ in the serial: two people born on one day in one kecamatan
    assert not _holds(rule, a, a | {"nik": "3216142805210002"})
    assert not _holds(rule, a | {"block_nik15": BLOCK_CAP + 1}, a | {"block_nik15": BLOCK_CAP + 1, "nik": None})


def test_teknonym_in_desa_pairs_a_row_without_own_name_by_sex_and_birth_year():
    from linkmiskin.scoring.model import teknonym_in_desa_same_sex_and_birth_year

    rules = teknonym_in_desa_same_sex_and_birth_year()
    tek = {"name_form": "teknonym", "desa_code": "12.02.01.1001", "sex": "P", "dob_year": 1956}
    named = {"name_form": None, "desa_code": "12.02.01.1001", "sex": "P", "dob_year": 1957}

    def pairs(left: dict, right: dict) -> bool:
        return any(_holds(rule, left, right) for rule in rules)

    # the teknonym on either side, a birth year one apart (an age gives the year +- 1)
    assert pairs(tek, named) and pairs(named, tek)
    assert _holds(rules[0], tek, named) and _holds(rules[1], named, tek)
    # two named rows are left to the name rules; another sex, desa or a year two apart is not paired
    assert not pairs(named, named)
    assert not pairs(tek, named | {"sex": "L"})
    assert not pairs(tek, named | {"desa_code": "12.02.01.1002"})
    assert not pairs(tek, named | {"dob_year": 1958})
    assert not pairs(tek | {"dob_year": None}, named)
    sqls = {r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules()}
    assert all(r.get_blocking_rule("duckdb").blocking_rule_sql in sqls for r in rules)


def test_first_name_sex_and_desa_pair_birth_years_one_apart_only_across_lists():
    from linkmiskin.scoring.model import same_first_name_and_sex_in_desa_birth_years_one_apart_across_lists

    rule = same_first_name_and_sex_in_desa_birth_years_one_apart_across_lists()
    a = {"source": "pbi", "name_first": "PAULUS", "desa_code": "12.02.13.2022", "sex": "L", "dob_year": 1964}
    lansia = a | {"source": "lansia", "dob_year": 1965}    # PAULUS MARTIN SIHOBMING / PAULUS SIHOMBING
    assert _holds(rule, a, lansia) and _holds(rule, lansia, a) and _holds(rule, a, a | {"source": "lansia"})
    assert not _holds(rule, a, a | {"dob_year": 1965})      # one list: kin or neighbours
    assert not _holds(rule, a, lansia | {"dob_year": 1966})
    assert not _holds(rule, a, lansia | {"sex": "P"})
    assert not _holds(rule, a, lansia | {"desa_code": "12.02.13.2023"})


def test_last_name_sex_and_desa_pair_years_one_apart_only_where_a_year_is_uncertain():
    from linkmiskin.scoring.model import same_last_name_and_sex_in_desa_birth_years_one_apart_across_lists

    rule = same_last_name_and_sex_in_desa_birth_years_one_apart_across_lists()
    pbi = {"source": "pbi", "name_last": "PURBA", "desa_code": "12.02.11.2001", "sex": "P", "dob_year": 1931,
           "dob_approx_year": None, "dob_placeholder": False}
    aged = pbi | {"source": "lansia", "dob_year": 1930, "dob_approx_year": 1930}   # MARTA PURBA, 94 years old
    heaped = pbi | {"source": "lansia", "dob_year": 1930, "dob_placeholder": True}  # 1930-01-01
    assert _holds(rule, pbi, aged) and _holds(rule, aged, pbi) and _holds(rule, heaped, pbi)
    # two real dates a year apart, the same year (the exact-year rule's), two years, one list: not paired
    assert not _holds(rule, pbi, aged | {"dob_approx_year": None})
    assert not _holds(rule, pbi, aged | {"dob_year": 1931})
    assert not _holds(rule, pbi, aged | {"dob_year": 1929})
    assert not _holds(rule, pbi, aged | {"source": "pbi"})
    sqls = {r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules()}
    assert rule.get_blocking_rule("duckdb").blocking_rule_sql in sqls


def test_name_sound_and_year_in_kecamatan_pair_dates_one_slip_apart():
    from linkmiskin.scoring.model import same_name_sound_and_year_in_kecamatan_dates_one_slip_apart

    rule = same_name_sound_and_year_in_kecamatan_dates_one_slip_apart()
    a = {"name_phon_key": "MUHAMAT RISKI", "dob_year": 2022, "kecamatan_code": "32.16.03", "dob": "2022-01-07",
         "dob_placeholder": False}
    for other in ("2022-01-07", "2022-01-17", "2022-02-07", "2022-07-01"):   # equal, a day, a month, swapped
        assert _holds(rule, a, a | {"dob": other}), other
    assert _holds(rule, a, a | {"dob": "2022-12-31", "dob_placeholder": True})
    assert _holds(rule, a, a | {"dob": None})
    # two people of a common name born in one year in one kecamatan: day and month both differ
    assert not _holds(rule, a, a | {"dob": "2022-09-22"})
    assert not _holds(rule, a, a | {"kecamatan_code": "32.16.04"})


def test_thin_evidence_and_rw_rules_leave_out_dates_two_slips_apart():
    from linkmiskin.scoring.model import (
        same_name_sound_in_kecamatan_one_without_desa,
        same_name_sound_in_rw_dates_one_slip_apart,
        same_rt_and_first_name,
        same_rt_and_last_name,
    )

    a = {"name_phon_key": "SITI AISAH", "name_first": "SITI", "name_last": "AISAH", "kecamatan_code": "32.16.05",
         "desa_code": "32.16.05.2002", "rw": 3, "rt": 4, "block_phon_kec": 2, "block_rt_first": 2,
         "block_rt_last": 2, "nik15": None, "dob": "1994-05-12", "dob_placeholder": False}
    b = a | {"desa_code": None, "nik15": "321605520594000", "dob": "1994-12-05"}   # day and month swapped
    rules = (same_rt_and_first_name(), same_rt_and_last_name(), same_name_sound_in_rw_dates_one_slip_apart())
    for rule in rules:
        assert _holds(rule, a, b | {"desa_code": a["desa_code"]})
        assert not _holds(rule, a, b | {"desa_code": a["desa_code"], "dob": "1994-08-23"})
    rule = same_name_sound_in_kecamatan_one_without_desa()
    assert _holds(rule, a, b) and not _holds(rule, a, b | {"dob": "1994-08-23"})
    assert _holds(rule, a | {"dob": None}, b | {"dob": "1994-08-23"})
