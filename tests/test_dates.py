"""Tests for linkmiskin.standardise.dates (invented dates only)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from linkmiskin.standardise.dates import DATE_COLUMNS, is_placeholder, month_names, parse_date

REF = "2025-06-01"  # fixed reference date: tests do not depend on today's date


def pdate(x, **kw):
    kw.setdefault("reference_date", REF)
    return parse_date(x, **kw)


def res(status, date=None, year=None, month=None, day=None, placeholder=False):
    return {
        "date": date,
        "year": year,
        "month": month,
        "day": day,
        "date_status": status,
        "date_placeholder": placeholder,
    }


AUG17 = res("ok", "1985-08-17", 1985, 8, 17)


@pytest.mark.parametrize(
    "raw",
    [
        "17-08-1985",
        "17/08/1985",
        "17/8/1985",
        "17.08.1985",
        "17 - 08 - 1985",
        "17 08 1985",
        "17-08-85",
        "17/8/85",
        "1985-08-17",
        "1985/08/17",
        "1985-08-17 00:00:00",
        "1985-08-17T00:00:00",
        "1985-08-17 00:00:00.000",
        "17/08/1985 00:00",
        "19850817",
        "17081985",
        "170885",
        "17 Agustus 1985",
        "17 AGUSTUS 1985",
        "17 agustus 1985",
        "17-Agt-1985",
        "17 Ags 1985",
        "17 Agu 1985",
        "17 Agst. 1985",
        "17 AGUSTUS 85",
        "17Agustus1985",
        "August 17, 1985",
        "17 Aug 1985",
        "BEKASI, 17-08-1985",
        "Bekasi, 17 Agustus 1985",
        "KAB. BEKASI 17-08-1985",
        "'17-08-1985",
        " 17-08-1985 ",
        "17-08-1985.",
        "\uff11\uff17-\uff10\uff18-\uff11\uff19\uff18\uff15",  # full-width digits
        "31276",  # Excel serial
        "31276.0",
        31276,
        31276.0,
        pd.Timestamp("1985-08-17"),
        pd.Timestamp("1985-08-17 13:45"),
        dt.date(1985, 8, 17),
        dt.datetime(1985, 8, 17, 7, 30),
        np.datetime64("1985-08-17"),
        "08-17-1985",  # month-first export: 17 cannot be a month, so swapped
    ],
)
def test_formats_giving_17_august_1985(raw):
    assert pdate(raw) == AUG17


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("3 Pebruari 1960", "1960-02-03"),
        ("3 Peb 1960", "1960-02-03"),
        ("3 Februari 1960", "1960-02-03"),
        ("9 Nop 1971", "1971-11-09"),
        ("9 Nopember 1971", "1971-11-09"),
        ("9 November 1971", "1971-11-09"),
        ("5 Sept. 1990", "1990-09-05"),
        ("5 Sep 1990", "1990-09-05"),
        ("5 Okt 1990", "1990-10-05"),
        ("5 October 1990", "1990-10-05"),
        ("5 Mei 1990", "1990-05-05"),
        ("5 May 1990", "1990-05-05"),
        ("5 Mrt 1990", "1990-03-05"),
        ("5 Des 1990", "1990-12-05"),
        ("5 Desember 1990", "1990-12-05"),
        ("7-8-1985", "1985-08-07"),
        ("29-02-2000", "2000-02-29"),
        ("29-02-1988", "1988-02-29"),
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_month_names_and_short_forms(raw, iso):
    assert pdate(raw)["date"] == iso
    assert pdate(raw)["date_status"] == "ok"


def test_dayfirst_false_reads_month_first():
    assert pdate("08-07-1985", dayfirst=False) == res("ok", "1985-08-07", 1985, 8, 7)
    assert pdate("08-07-1985") == res("ok", "1985-07-08", 1985, 7, 8)
    assert pdate("17-08-1985", dayfirst=False) == AUG17  # 17 cannot be a month
    assert pdate("08171985", dayfirst=False) == AUG17


def test_two_digit_year_century():
    assert pdate("17-08-85")["year"] == 1985
    assert pdate("17-08-15")["year"] == 2015
    assert pdate("17-08-25")["year"] == 1925  # 2025-08-17 is after the reference date
    assert pdate("01-05-25")["year"] == 2025
    assert pdate("17-08-00")["year"] == 2000
    assert pdate("170825")["year"] == 1925
    assert pdate("17 AGT 25")["year"] == 1925


def test_impossible_day_keeps_year_and_month():
    assert pdate("45-03-1987") == res("impossible_day", None, 1987, 3, None)
    assert pdate("31-02-1990") == res("impossible_day", None, 1990, 2, None)
    assert pdate("29-02-1991") == res("impossible_day", None, 1991, 2, None)
    assert pdate("31-04-1991") == res("impossible_day", None, 1991, 4, None)
    assert pdate("00-07-1960") == res("impossible_day", None, 1960, 7, None)
    assert pdate("Agustus 1985") == res("impossible_day", None, 1985, 8, None)
    assert pdate("08-1985") == res("impossible_day", None, 1985, 8, None)
    assert pdate("1985-08") == res("impossible_day", None, 1985, 8, None)
    assert pdate("19850845") == res("impossible_day", None, 1985, 8, None)


def test_year_only():
    for raw in ("1985", 1985, 1985.0, "1985.0", "THN 1985", "Tahun 1985", "\u00b1 1985", "BEKASI, 1985",
                "00-00-1985", "17-00-1985"):
        assert pdate(raw) == res("year_only", year=1985), raw


def test_out_of_range():
    assert pdate("1850") == res("out_of_range", year=1850)
    assert pdate("17-08-1899") == res("out_of_range", None, 1899, 8, 17)
    assert pdate("17-08-2085") == res("out_of_range", None, 2085, 8, 17)
    assert pdate("2026") == res("out_of_range", year=2026)
    assert pdate("02-06-2025") == res("out_of_range", None, 2025, 6, 2)  # the day after the reference
    assert pdate("01-06-2025") == res("ok", "2025-06-01", 2025, 6, 1)
    assert pdate("07-2025") == res("out_of_range", None, 2025, 7, None)
    assert pdate("99999") == res("out_of_range", None, 2173, 10, 13)  # Excel serial far in the future


@pytest.mark.parametrize(
    "raw",
    [None, np.nan, pd.NaT, pd.NA, "", "  ", "-", "--", "0", 0, "BELUM ADA", "TIDAK ADA", "NULL", "nan", "N/A",
     "TIDAK TAHU", "Tdk Tahu", "00-00-0000", "0000-00-00", "00/00/0000", "00000000"],
)
def test_missing(raw):
    assert pdate(raw) == res("missing")


@pytest.mark.parametrize("raw", ["abc", "17-08", "1234567", "17-13-1985", "AGUSTUS", "12/34/56/78"])
def test_unparseable(raw):
    out = pdate(raw)
    assert out["date_status"] == "unparseable"
    assert out["date"] is None and out["month"] is None and out["day"] is None


def test_unparseable_keeps_year():
    assert pdate("17-13-1985") == res("unparseable", year=1985)


def test_placeholders():
    assert pdate("01-07-1970") == res("placeholder", "1970-07-01", 1970, 7, 1, True)
    assert pdate("31-12-1950") == res("placeholder", "1950-12-31", 1950, 12, 31, True)
    assert pdate("01-01-1960") == res("placeholder", "1960-01-01", 1960, 1, 1, True)
    assert pdate("1 Juli 1970") == res("placeholder", "1970-07-01", 1970, 7, 1, True)
    # the 15th: flagged, but the status stays ok
    assert pdate("15-03-1970") == res("ok", "1970-03-15", 1970, 3, 15, True)
    assert pdate("02-07-1970") == res("ok", "1970-07-02", 1970, 7, 2, False)
    # only usable dates are flagged
    assert pdate("01-07-2085")["date_placeholder"] is False


def test_is_placeholder():
    assert is_placeholder(7, 1) and is_placeholder(12, 31) and is_placeholder(1, 1) and is_placeholder(3, 15)
    assert not is_placeholder(7, 2)
    assert not is_placeholder(None, 1)


def test_month_names_table():
    names = month_names()
    assert names["PEBRUARI"] == 2 and names["AGT"] == 8 and names["AGS"] == 8 and names["AGU"] == 8
    assert names["NOP"] == 11 and names["NOPEMBER"] == 11 and names["SEPT"] == 9 and names["AUGUST"] == 8
    assert len(names) >= 45


def test_series_matches_scalar_and_keeps_index():
    values = ["17-08-1985", None, "45-03-1987", "1985", "01-07-1970", "abc", "17-08-2085", 31276.0,
              "BEKASI, 17 Agustus 1985", "17-08-1985"]
    s = pd.Series(values, index=list("abcdefghij"), dtype=object)
    df = pdate(s)
    assert list(df.columns) == list(DATE_COLUMNS)
    assert list(df.index) == list("abcdefghij")
    assert df["date_status"].tolist() == [
        "ok", "missing", "impossible_day", "year_only", "placeholder", "unparseable", "out_of_range", "ok",
        "ok", "ok",
    ]
    assert str(df["year"].dtype) == "Int64" and str(df["month"].dtype) == "Int64" and str(df["day"].dtype) == "Int64"
    assert df["date_placeholder"].dtype == bool
    for i, v in enumerate(values):
        row = {c: (None if pd.isna(x) else x) for c, x in df.iloc[i].items()}
        row = {c: (int(x) if isinstance(x, (np.integer,)) else bool(x) if isinstance(x, np.bool_) else x)
               for c, x in row.items()}
        assert row == pdate(v)


def test_datetime64_columns():
    s = pd.Series(pd.to_datetime(["1985-08-17 00:00", None, "1970-07-01 10:00"]))
    df = pdate(s)
    assert df["date"].tolist()[0] == "1985-08-17"
    assert df["date_status"].tolist() == ["ok", "missing", "placeholder"]
    tz = pdate(s.dt.tz_localize("Asia/Jakarta"))
    assert tz["date"].tolist()[0] == "1985-08-17"


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", "category", object])
def test_string_dtypes(dtype):
    s = pd.Series(["17-08-1985", None, "1985"], dtype=dtype)
    assert pdate(s)["date_status"].tolist() == ["ok", "missing", "year_only"]


def test_numeric_columns():
    assert pdate(pd.Series([31276.0, np.nan, 1985.0]))["date_status"].tolist() == ["ok", "missing", "year_only"]
    assert pdate(pd.Series([31276, None], dtype="Int64"))["date"].tolist()[0] == "1985-08-17"


def test_never_raises_on_odd_cells():
    odd = [[1, 2], {"a": 1}, object(), b"17-08-1985", "x" * 10_000, "\ud800", -5, 3.5, complex(1, 2), True]
    df = pdate(pd.Series(odd, dtype=object))
    assert len(df) == len(odd)
    assert df["date_status"].isin(["missing", "unparseable", "ok", "year_only", "out_of_range"]).all()


def test_bad_reference_date_raises():
    with pytest.raises(TypeError):
        parse_date("17-08-1985", reference_date=2025)


def test_default_reference_is_today():
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    assert parse_date(today.isoformat())["date_status"] in {"ok", "placeholder"}
    assert parse_date(tomorrow.isoformat())["date_status"] == "out_of_range"


def test_speed_200k_repeating_dates():
    rng = np.random.default_rng(0)
    days = rng.integers(-20000, 19000, 200_000)
    iso = np.datetime_as_string(np.datetime64("1970-01-01") + days.astype("timedelta64[D]"))
    s = pd.Series([f"{x[8:10]}-{x[5:7]}-{x[:4]}" for x in iso], dtype=object)
    pdate(s.iloc[:10])
    start = time.perf_counter()
    df = pdate(s)
    assert time.perf_counter() - start < 3
    assert df["date_status"].isin(["ok", "placeholder"]).all()
