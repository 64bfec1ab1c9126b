"""Ages instead of birth dates (health and school lists): parse_age and standardize()."""

from __future__ import annotations

import logging

import pandas as pd

from linkmiskin.standardise.ages import parse_age
from linkmiskin.standardise.columns import detect_columns
from linkmiskin.standardise.records import standardize


def test_age_forms() -> None:
    ages = ["34 TH", "34 THN", "34", "34 tahun", "34.0", "7 BLN", "2 TH 3 BLN", "10 HARI", "Umur: 40 th",
            "abc", "150", "-", None]
    r = parse_age(pd.Series(ages, dtype=object), "2025-03-01")
    assert r["age_status"].tolist() == ["ok"] * 9 + ["invalid", "invalid", "missing", "missing"]
    assert r["age_years"].round(3).tolist()[:9] == [34, 34, 34, 34, 34, 0.583, 2.25, 0.027, 40]
    # aged 34 on 1 March 2025: born between March 1990 and March 1991
    assert r["birth_year_approx"].tolist() == [1990] * 5 + [2024, 2022, 2025, 1984] + [pd.NA] * 4


def test_birth_year_is_within_one_year_of_the_truth() -> None:
    for born, visit in (("1990-01-01", "2025-06-30"), ("1990-12-31", "2025-06-30"), ("1990-06-15", "2025-01-05")):
        b, v = pd.Timestamp(born), pd.Timestamp(visit)
        age = v.year - b.year - ((v.month, v.day) < (b.month, b.day))
        got = parse_age(pd.Series([f"{age} TH"]), visit)["birth_year_approx"].iloc[0]
        assert abs(got - b.year) <= 1, (born, visit, got)


def test_columns_detect_age_and_visit_date() -> None:
    cm = detect_columns(pd.DataFrame(columns=["NAMA", "USIA", "TGL_KUNJUNGAN"]))
    assert cm.mapping["age"] == "USIA" and cm.mapping["list_date"] == "TGL_KUNJUNGAN"
    assert detect_columns(pd.DataFrame(columns=["NAMA", "UMUR"])).mapping["age"] == "UMUR"
    assert detect_columns(pd.DataFrame(columns=["NAMA", "Age"])).mapping["age"] == "Age"


def test_standardize_fills_the_birth_year_from_the_age_and_flags_it() -> None:
    df = pd.DataFrame({
        "NAMA": ["SITI AMINAH", "BAYI NY. SITI", "BUDI", "ANI", "EKO"],
        "TGL_LAHIR": [None, None, "1985-08-17", None, None],
        "UMUR": ["34 THN", "7 BLN", "39", "tua", None],
        "TGL_KUNJUNGAN": ["2025-03-01", "01-02-2024", "2025-03-01", "2025-03-01", "2025-03-01"],
    })
    out = standardize(df, source="posyandu")
    assert out["birth_year_approx"].tolist() == [1990, 2023, 1985, pd.NA, pd.NA]
    assert out["birth_year"].tolist() == [1990, 2023, 1985, pd.NA, pd.NA]   # the date wins where there is one
    assert out["birth_year_approx_from_age"].tolist() == [True, True, False, False, False]
    assert out["birth_date"].isna().tolist() == [True, True, False, True, True]   # no date is invented
    assert out["age_status"].tolist() == ["ok", "ok", "ok", "invalid", "missing"]
    assert "birth_year:approx_from_age" in out["flags"].iloc[0]
    assert "age:invalid" in out["flags"].iloc[3]
    assert str(out["birth_year"].dtype) == "Int64"


def test_list_date_parameter_and_default(caplog) -> None:
    df = pd.DataFrame({"NAMA": ["A", "B"], "UMUR": ["34", "5 TH"]})
    out = standardize(df, list_date=2020)
    assert out["birth_year"].tolist() == [1985, 2014]   # mid-2020: 34 years and a half before
    with caplog.at_level(logging.INFO, logger="linkmiskin"):
        today = standardize(df)
    assert today["birth_year_approx"].notna().all()
    assert "read as of today" in caplog.text
    none = standardize(pd.DataFrame({"NAMA": ["A"]}))
    assert none["birth_year_approx"].isna().all() and not none["birth_year_approx_from_age"].any()
