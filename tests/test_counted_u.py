"""u probabilities counted over every record pair (scoring.model.counted_u_probabilities): the counts by group
pairs equal a brute-force count of every pair of a hand-made table, level by level."""

from __future__ import annotations

import itertools

import duckdb
import pandas as pd
import pytest

from linkmiskin.scoring.comparisons import (
    IndonesianAddressComparison,
    RelationshipComparison,
    SexComparison,
    level_keys,
)
from linkmiskin.scoring.model import ADDRESS_PASSES, COUNTED_U, counted_u_probabilities, level_pair_counts

ROWS = pd.DataFrame({
    "desa_code": ["32.16.01.2001", "32.16.01.2001", "32.16.01.2001", "32.16.01.2002", None, None,
                  "32.16.02.2001", "32.16.02.2001", None, "BPS:3216010001", "32.16.01.2001", "32.16.01.2001"],
    "kecamatan_code": ["32.16.01", "32.16.01", "32.16.01", "32.16.01", "32.16.01", None,
                       "32.16.02", "32.16.02", "32.16.02", "BPS:3216010", "32.16.01", "32.16.01"],
    "rt": [1, 1, 2, 1, None, None, 3, 3, None, 1, 5, 2],
    "rw": [1, 1, 1, 1, None, None, 2, 2, None, 1, 3, 4],
    "place": ["BOJONG", None, "BOJONG", "BOJONG", None, None, None, "SUKA", None, None, "KAUM", "BOJONG"],
    "nik_kec": [None, "32.16.02", None, None, None, None, "32.16.01", None, None, None, None, None],
    "sex": ["L", "L", "P", "P", None, "L", "P", "L", "P", "L", "P", "L"],
    "nik15": ["321601", None, "321601", "321602", None, "3", "3", None, "3", None, None, "3"],
    "nik_sex": ["L", None, "P", "P", None, "L", "P", None, "L", None, None, "L"],
    "relationship": ["KEPALA", "KEPALA", "PASANGAN", "ANAK", None, "ANAK", "KEPALA", "LAINNYA", "ANAK", None,
                     "ANAK", "KEPALA"],
})


def brute_force(creator, rows: pd.DataFrame) -> dict[str, float]:
    """Every record pair put in its first level whose SQL holds, one pair at a time."""
    comp = creator.get_comparison("duckdb")
    out: dict[str, float] = {}
    t = table(rows)
    for i, j in itertools.combinations(range(len(rows)), 2):
        con = t.cursor()
        side = ", ".join(f'{s}.{c} AS "{c}_{s}"' for s in ("l", "r") for c in rows)
        con.execute(f"CREATE TEMP TABLE p AS SELECT {side} FROM (SELECT * FROM t ORDER BY rowid LIMIT 1 OFFSET {i}) l, "
                    f"(SELECT * FROM t ORDER BY rowid LIMIT 1 OFFSET {j}) r")
        for key, lvl in zip(level_keys(creator), comp.comparison_levels, strict=True):
            cond = lvl.sql_condition
            if cond.strip().upper() == "ELSE" or con.execute(f"SELECT coalesce(({cond}), false) FROM p").fetchall()[0][0]:
                k = "null" if lvl.is_null_level else key
                out[k] = out.get(k, 0.0) + 1
                break
    return out


def table(rows: pd.DataFrame):
    con = duckdb.connect()
    con.register("df_in", rows.astype({"rt": "Int64", "rw": "Int64"}))
    con.execute("CREATE TABLE t AS SELECT * FROM df_in")
    con.unregister("df_in")
    return con


@pytest.mark.parametrize("creator", [
    IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec"),
    SexComparison("sex", nik_col_name="nik15", nik_sex_col_name="nik_sex"),
    RelationshipComparison("relationship"),
], ids=["address", "sex", "relationship"])
def test_level_counts_equal_every_pair_compared(creator):
    reduce, passes = COUNTED_U.get(type(creator), ({}, ADDRESS_PASSES))
    got = level_pair_counts(table(ROWS), "t", creator, reduce, passes)
    want = brute_force(creator, ROWS)
    assert {k: v for k, v in got.items() if v} == want


def test_address_passes_count_every_desa_level():
    creator = IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec")
    got = level_pair_counts(table(ROWS), "t", creator, {}, ADDRESS_PASSES)
    # one desa, another RW and place (the rest of the desa's pairs); one desa and place, another RW
    assert got["desa"] > 0 and got["desa_place"] > 0


def test_address_joins_leave_no_level_uncounted():
    # a NIK issued in another kecamatan is the only link of two records: counted by the nik_kec join
    creator = IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec")
    got = level_pair_counts(table(ROWS), "t", creator, {}, ADDRESS_PASSES)
    assert got["nik_issued_in_others_kecamatan"] == brute_force(creator, ROWS)["nik_issued_in_others_kecamatan"] > 0


def test_u_is_the_share_of_non_null_pairs_and_deterministic():
    creator = RelationshipComparison("relationship")
    con = table(ROWS)
    u = counted_u_probabilities(con, "t", creator)
    want = brute_force(creator, ROWS)
    non_null = sum(v for k, v in want.items() if k != "null")
    assert u == pytest.approx({k: want.get(k, 0.5) / non_null for k in ("same", "head_spouse", "else")})
    assert counted_u_probabilities(con, "t", creator) == u


def test_other_comparisons_are_not_counted():
    from linkmiskin.scoring.comparisons import AddressTextComparison, IndonesianNameComparison

    assert counted_u_probabilities(table(ROWS), "t", IndonesianNameComparison("name")) is None
    # the address-text comparison (data without desa codes) has the same output name as the desa one
    assert counted_u_probabilities(table(ROWS), "t", AddressTextComparison("addr_text")) is None


def test_roles_are_counted_as_if_every_pair_were_of_one_household():
    # the model's relationship comparison reads the KK and desa only for its null "another household" level:
    # its u is that of the roles alone (among different people the role does not depend on where they live)
    rows = ROWS.assign(kk=["K1", "K1", "K2", "K2", None, "K3", "K4", "K4", None, None, "K5", "K6"])
    with_households = RelationshipComparison("relationship", kk_col_name="kk", desa_col_name="desa_code")
    roles_only = RelationshipComparison("relationship")
    reduce, passes = COUNTED_U[RelationshipComparison]
    assert level_pair_counts(table(rows), "t", with_households, reduce, passes) == brute_force(roles_only, rows)
    # compared pair by pair, pairs in two households fall into the null level instead
    assert brute_force(with_households, rows)["null"] > brute_force(roles_only, rows)["null"]
    assert counted_u_probabilities(table(rows), "t", with_households) == counted_u_probabilities(
        table(rows), "t", roles_only)
