"""Shared facts have one home: missing tokens, typos, union-find, roles and trusted statuses."""

import importlib

import numpy as np
import pandas as pd

from linkmiskin.facts import MISSING_TOKENS, ZERO_TOKENS, UnionFind, differ_beyond_typo, one_typo_apart
from linkmiskin.standardise import ages, dates, household_roles, nik, regions


def test_missing_tokens_come_from_the_data_file_and_every_standardiser_uses_them():
    assert {"", "-", "0", "BELUM ADA", "TIDAK ADA", "TDK ADA", "NULL", "N/A", "TIDAK DIKETAHUI"} <= MISSING_TOKENS
    assert ZERO_TOKENS == {"0", "00"}
    assert regions.MISSING_TOKENS is MISSING_TOKENS
    assert set(dates._MISSING_TOKENS) == MISSING_TOKENS
    assert set(nik._MISSING_TOKENS) == MISSING_TOKENS - {"00"}  # "00" is a placeholder number
    standardize = importlib.import_module("linkmiskin.standardise.records")  # the package exports a function by that name
    assert set(standardize._MISSING_TEXT) == MISSING_TOKENS
    assert household_roles._MISSING == MISSING_TOKENS
    assert ages._MISSING == MISSING_TOKENS - ZERO_TOKENS  # an age of 0 is a baby


def test_a_word_for_missing_is_missing_in_every_field():
    for word in ("TIDAK DIKETAHUI", "tdk tahu", " - "):
        assert nik.parse_nik(pd.Series([word]))["nik_status"].iloc[0] == "missing", word
        assert dates.parse_date(pd.Series([word]))["date_status"].iloc[0] == "missing", word
        assert household_roles.relationship_frame(pd.Series([word]))["relationship_status"].iloc[0] == "missing"
    got = ages.parse_age(pd.Series(["0", "BELUM ADA"]), "2025-01-01")
    assert got["age_status"].tolist() == ["ok", "missing"] and got["age_years"].iloc[0] == 0


def test_one_typo_apart_is_the_complement_of_differ_beyond_typo():
    a = pd.Series(["3216010101900001", "3216010101900001", "3216010101900001", "3216010101900001", None, "12"])
    b = pd.Series(["3216010101900002", "3216010101900010", "3216010101900001", "3216010101909901", "1", "123"])
    assert one_typo_apart(a, b).tolist() == [True, True, False, False, False, False]
    assert differ_beyond_typo(a, b).tolist() == [False, False, False, True, False, False]


def test_union_find_merges_into_the_kept_representative():
    uf = UnionFind([10, 11, 12, 13])
    uf.union(10, 11)
    uf.union(12, 13)
    uf.union(12, 10)
    assert uf.labels([10, 11, 12, 13]).tolist() == [12, 12, 12, 12]
    assert uf.labels([]).dtype == np.int64


def test_role_constants_are_roles_of_the_data_file():
    roles = set(household_roles._table("relationship_codes.csv").values())
    assert {household_roles.HEAD, household_roles.SPOUSE, household_roles.CHILD} <= roles
    assert household_roles.normalize_relationship("Kepala Keluarga") == household_roles.HEAD
    assert household_roles.normalize_relationship("ISTRI") == household_roles.SPOUSE
    assert household_roles.sql_in_roles("r.rel", (household_roles.HEAD, "O'BRIEN")) == \
        "r.rel IN ('KEPALA', 'O''BRIEN')"


def test_trusted_statuses_live_in_nik():
    assert nik.TRUSTED_NIK_STATUSES == {"valid", "unknown_region", "invalid_date"}
    assert nik.TRUSTED_NIK15_STATUSES == nik.TRUSTED_NIK_STATUSES | {"excel_damaged"}
    assert nik.TRUSTED_KK_STATUSES == {"valid", "unknown_region"}
    assert nik.TRUSTED_NIK_STATUSES <= set(nik.NIK_STATUSES)
    assert nik.TRUSTED_KK_STATUSES <= set(nik.KK_STATUSES)
