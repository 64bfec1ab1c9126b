"""Tests for linkmiskin.standardise.nik (invented NIK/KK numbers only)."""

from __future__ import annotations

import datetime as dt
import logging
import time
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from linkmiskin.standardise.nik import (
    KK_COLUMNS,
    NIK_COLUMNS,
    known_kabupaten_codes,
    known_kecamatan_codes,
    mask_nik,
    parse_kk,
    parse_nik,
)

REF = 2024  # fixed reference year: tests do not depend on today's date

# Invented NIK: Kab. Bekasi (32.16), kecamatan 06, woman born 5 Aug 1985, serial 0003.
NIK = "3216064508850003"

VALID = {
    "nik": NIK,
    "nik_status": "valid",
    "nik_region": "321606",
    "nik_province": "32",
    "nik_kabupaten": "32.16",
    "nik_kecamatan": "32.16.06",
    "nik_kecamatan_known": True,
    "nik_birth_date": "1985-08-05",
    "nik_sex": "P",
    "nik_serial": "0003",
    "nik_prefix15": "321606450885000",
    "nik_digits": NIK,
}
NOTHING = dict.fromkeys(NIK_COLUMNS)


def nik(x, **kw):
    kw.setdefault("reference_year", REF)
    return parse_nik(x, **kw)


def empty(status, **extra):
    return {**NOTHING, "nik_status": status, **extra}


# ------------------------------------------------------------------------------------------------------
# valid values and cleaning
# ------------------------------------------------------------------------------------------------------


def test_valid_female_full_output():
    assert nik(NIK) == VALID


def test_valid_male():
    out = nik("3216061708850001")
    assert out["nik_status"] == "valid"
    assert out["nik_birth_date"] == "1985-08-17"
    assert out["nik_sex"] == "L"
    assert out["nik_serial"] == "0001"


@pytest.mark.parametrize(
    "raw",
    [
        "'3216064508850003",  # Excel text prefix
        '"3216064508850003"',
        "\u20183216064508850003\u2019",
        "32.16.06.450885.0003",
        "32.16.06.45.08.85.0003",
        " 3216 0645 0885 0003 ",
        "3216 0645 0885 0003\t",
        "3216-0645-0885-0003",
        "3216\u20130645\u20130885\u20130003",  # en dashes
        "3216\u00a00645\u200b08850003",  # non-breaking and zero-width space
        "\uff13\uff12\uff11\uff16\uff10\uff16\uff14\uff15\uff10\uff18\uff18\uff15\uff10\uff10\uff10\uff13",  # full width
        "3216064508850003.0",  # float text with a non-zero 16th digit: intact
        "3.216064508850003e+15",  # 16 significant digits: intact
        3216064508850003,  # int: intact
        3216064508850003.0,  # float below 2**53: exact
        np.int64(3216064508850003),
        np.float64(3216064508850003.0),
        Decimal("3216064508850003"),
    ],
)
def test_cleaning_variants_give_the_same_valid_nik(raw):
    assert nik(raw) == VALID


def test_text_ending_in_zero_is_valid_unless_from_number():
    assert nik("3216064508850010")["nik_status"] == "valid"
    assert nik("3216064508850010")["nik_serial"] == "0010"
    out = nik("3216064508850010", from_number=True)
    assert out["nik_status"] == "excel_damaged"
    assert out["nik"] == "3216064508850010"
    assert out["nik_serial"] is None
    assert out["nik_prefix15"] == "321606450885001"
    # from_number does not touch values whose 16th digit survived
    assert nik(NIK, from_number=True) == VALID


# ------------------------------------------------------------------------------------------------------
# missing and placeholder
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [None, np.nan, float("nan"), pd.NA, pd.NaT, "", "   ", "-", "--", "0", 0, "BELUM ADA", "belum ada",
     "TIDAK ADA", "Tdk Ada", "NULL", "nan", "NaN", "N/A", "None", "TIDAK PUNYA", "'-", True, float("inf")],
)
def test_missing(raw):
    assert nik(raw) == empty("missing")


@pytest.mark.parametrize(
    "raw",
    [
        "0000000000000000",
        "9999999999999999",
        "1111111111111111",
        "1234567890123456",
        "9876543210987654",
        "1212121212121212",
        "1231231231231231",
        "3216321632163216",
        "3216060000000000",  # region then zeros
        "3216069999999999",  # region then nines
        "3216061234560000",  # serial 0000 and no real date
        "000000",
        "123456",
        "00",
    ],
)
def test_placeholder(raw):
    assert nik(raw) == empty("placeholder", nik_digits=raw)


def test_placeholder_int_with_all_same_digits():
    assert nik(1111111111111111) == empty("placeholder", nik_digits="1111111111111111")


# ------------------------------------------------------------------------------------------------------
# Excel damage
# ------------------------------------------------------------------------------------------------------

DAMAGED_16 = {
    **VALID,
    "nik": "3216064508850000",
    "nik_status": "excel_damaged",
    "nik_serial": None,
    "nik_digits": "3216064508850000",
}


@pytest.mark.parametrize(
    "raw",
    [
        "3.216064508850000e+15",
        "3.21606450885000E+15",  # exactly 15 significant digits
        "3216064508850000.0",
        "3216064508850000,0",
        3216064508850000,
        3216064508850000.0,
        "3,216,064,508,850,000",
        "3.216.064.508.850.000",
        "3216064508850000",  # serial 0000 with a real date and region: damaged even as text
        "'3216064508850000",
    ],
)
def test_excel_damaged_with_15_trustworthy_digits(raw):
    assert nik(raw) == DAMAGED_16


@pytest.mark.parametrize("raw", ["3.21601E+15", "3,21601E+15", "3.21601e15", "'3.21601E+15", 3.21601e15])
def test_excel_damaged_scientific_unrecoverable(raw):
    # 6 shown digits, rounded: only 5 are certain -> province and kabupaten, no kecamatan
    assert nik(raw) == empty("excel_damaged", nik_province="32", nik_kabupaten="32.16")


def test_excel_damaged_trailing_zero_in_mantissa_reduces_certainty():
    # 3.2160E+15 may be 3.21595... rounded up: only '32' is certain
    assert nik("3.2160E+15") == empty("excel_damaged", nik_province="32")
    assert nik("3.2161E+15") == empty("excel_damaged", nik_province="32", nik_kabupaten="32.16")


def test_excel_damaged_partial_region_and_date():
    part = {
        "nik_region": "321606",
        "nik_province": "32",
        "nik_kabupaten": "32.16",
        "nik_kecamatan": "32.16.06",
        "nik_kecamatan_known": True,
        "nik_sex": "P",
    }
    # 12 shown digits -> 11 certain: region and sex (day digits), not the year
    assert nik("3.21606450885E+15") == empty("excel_damaged", **part)
    # 13 shown digits ending in 3 -> 12 certain: the birth date too
    assert nik("3.216064508853E+15") == empty("excel_damaged", **part, nik_birth_date="1985-08-05")


def test_float_above_2_pow_53_is_unreliable():
    # provinces 91-96: a double cannot hold every 16-digit integer
    out = nik(9101010101900002.0)
    assert out["nik_status"] == "excel_damaged"
    assert out["nik"] == "9101010101900002"
    assert out["nik_serial"] is None
    assert nik("9101010101900002.0")["nik_status"] == "excel_damaged"
    # an int is exact
    assert nik(9101010101900002)["nik_status"] == "valid"
    assert nik("9101010101900002")["nik_status"] == "valid"


def test_wrong_exponent_scientific_is_wrong_length():
    assert nik("3.2E+14") == empty("wrong_length")
    assert nik(1.2345678901234568e16) == empty("wrong_length")


# ------------------------------------------------------------------------------------------------------
# wrong length
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("321606450885000", "321606450885000"),  # 15 digits: nothing derived
        (321606450885000, "321606450885000"),
        ("32160645088500031", "32160645088500031"),  # 17
        ("3216 0645 0885 00031", "32160645088500031"),
        ("12345", "12345"),
        ("32160645O8850003", None),  # letter O: not guessed
        ("NIK: 3216064508850003", None),
    ],
)
def test_wrong_length(raw, digits):
    assert nik(raw) == empty("wrong_length", nik_digits=digits)


# ------------------------------------------------------------------------------------------------------
# invalid date
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "sex"),
    [
        ("3216063202850003", None),  # day 32
        ("3216067202850003", None),  # day 72
        ("3216060008850003", None),  # day 00
        ("3216061713850003", "L"),  # month 13
        ("3216061700850003", "L"),  # month 00
        ("3216063102850003", "L"),  # 31 February
        ("3216067102850003", "P"),  # 31 February, woman
        ("3216062902010003", "L"),  # 29 February 2001 and 1901
    ],
)
def test_invalid_date_keeps_number_and_region(raw, sex):
    out = nik(raw)
    assert out == {
        "nik": raw,
        "nik_status": "invalid_date",
        "nik_region": "321606",
        "nik_province": "32",
        "nik_kabupaten": "32.16",
        "nik_kecamatan": "32.16.06",
        "nik_kecamatan_known": True,
        "nik_birth_date": None,
        "nik_sex": sex,
        "nik_serial": "0003",
        "nik_prefix15": raw[:15],
        "nik_digits": raw,
    }


def test_leap_day():
    assert nik("3216066902000003")["nik_birth_date"] == "2000-02-29"
    assert nik("3216062902880003")["nik_birth_date"] == "1988-02-29"


# ------------------------------------------------------------------------------------------------------
# regions
# ------------------------------------------------------------------------------------------------------


def test_unknown_region():
    out = nik("3299064508850003")
    assert out["nik_status"] == "unknown_region"
    assert out["nik"] == "3299064508850003"
    assert out["nik_kabupaten"] == "32.99"
    assert out["nik_kecamatan_known"] is False
    assert out["nik_birth_date"] == "1985-08-05"
    assert nik("0016064508850003")["nik_status"] == "unknown_region"


def test_unknown_kecamatan_is_still_valid():
    out = nik("3216994508850003")
    assert out["nik_status"] == "valid"
    assert out["nik_kecamatan"] == "32.16.99"
    assert out["nik_kecamatan_known"] is False


def test_codes_from_before_province_splits_are_known():
    # Kota Tarakan was 64.73 before Kalimantan Utara; Merauke was 91.01 before Papua Selatan.
    assert nik("6473011708850001")["nik_status"] == "valid"
    assert nik("9101011708850001")["nik_status"] == "valid"
    assert nik("9128011708850001")["nik_status"] == "valid"
    assert nik("9201011708850001")["nik_status"] == "valid"  # Sorong before Papua Barat Daya
    assert nik("9129011708850001")["nik_status"] == "unknown_region"
    assert nik("9272011708850001")["nik_status"] == "unknown_region"
    assert nik("6475011708850001")["nik_status"] == "unknown_region"


def test_known_code_sets():
    kab = known_kabupaten_codes()
    assert "3216" in kab and "3275" in kab and "6473" in kab and "9101" in kab
    assert "3299" not in kab
    kec = known_kecamatan_codes()
    assert "321606" in kec and "321699" not in kec
    assert len(kec) > 7000


# ------------------------------------------------------------------------------------------------------
# century
# ------------------------------------------------------------------------------------------------------


def test_century_rule_with_reference_year():
    assert nik("3216061708240001", reference_year=2024)["nik_birth_date"] == "2024-08-17"
    assert nik("3216061708250001", reference_year=2024)["nik_birth_date"] == "1925-08-17"
    assert nik("3216061708200001", reference_year=2019)["nik_birth_date"] == "1920-08-17"
    assert nik("3216061708000001", reference_year=2024)["nik_birth_date"] == "2000-08-17"
    assert nik("3216061708990001", reference_year=2024)["nik_birth_date"] == "1999-08-17"
    # only 2000 has 29 February 00: used even with an earlier reference
    assert nik("3216062902000001", reference_year=1999)["nik_birth_date"] == "2000-02-29"


def test_century_rule_default_is_today():
    today = dt.date.today()
    yy = today.year % 100
    born = parse_nik(f"321606{today.day:02d}{today.month:02d}{yy:02d}0001")
    assert born["nik_birth_date"] == today.isoformat()
    if (today.month, today.day) != (12, 31):
        later = parse_nik(f"3216063112{yy:02d}0001")  # 31 Dec of this year is still in the future
        assert later["nik_birth_date"] == f"{today.year - 100}-12-31"


def test_bad_reference_year_raises_without_the_nik():
    for bad in ("2020", 2020.0, True):
        with pytest.raises(TypeError) as err:
            parse_nik(NIK, reference_year=bad)
        assert NIK not in str(err.value) and NIK not in repr(err.value)
    with pytest.raises(ValueError) as err:
        parse_nik(NIK, reference_year=1500)
    assert NIK not in str(err.value)


# ------------------------------------------------------------------------------------------------------
# KK
# ------------------------------------------------------------------------------------------------------

KK = "3216061203150007"


def test_kk_valid_full_output():
    assert parse_kk(KK, reference_year=REF) == {
        "kk": KK,
        "kk_status": "valid",
        "kk_region": "321606",
        "kk_province": "32",
        "kk_kabupaten": "32.16",
        "kk_kecamatan": "32.16.06",
        "kk_kecamatan_known": True,
        "kk_date": "2015-03-12",
        "kk_serial": "0007",
        "kk_prefix15": "321606120315000",
        "kk_digits": KK,
    }


def test_kk_date_is_optional():
    out = parse_kk("3216069999150001", reference_year=REF)
    assert out["kk_status"] == "valid"
    assert out["kk_date"] is None
    # no +40 rule for KK: day 45 is not a date
    assert parse_kk("3216064508150001", reference_year=REF)["kk_date"] is None


def test_kk_statuses():
    nothing = dict.fromkeys(KK_COLUMNS)
    assert parse_kk(None) == {**nothing, "kk_status": "missing"}
    assert parse_kk("BELUM ADA") == {**nothing, "kk_status": "missing"}
    assert parse_kk("3216060000000000") == {**nothing, "kk_status": "placeholder", "kk_digits": "3216060000000000"}
    assert parse_kk("3.21601E+15") == {
        **nothing, "kk_status": "excel_damaged", "kk_province": "32", "kk_kabupaten": "32.16"
    }
    assert parse_kk("3216061203150000")["kk_status"] == "excel_damaged"
    assert parse_kk(3216061203150010)["kk_status"] == "excel_damaged"
    assert parse_kk("321606120315000")["kk_status"] == "wrong_length"
    assert parse_kk("3299061203150007")["kk_status"] == "unknown_region"
    assert "kk_sex" not in parse_kk(KK)


# ------------------------------------------------------------------------------------------------------
# Series form
# ------------------------------------------------------------------------------------------------------


def test_series_matches_scalar_and_keeps_index():
    values = [NIK, None, "3.21601E+15", 3216064508850000.0, "321606450885000", "0000000000000000",
              "3216063202850003", "3299064508850003", "'3216064508850003", NIK]
    s = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    df = nik(s)
    assert list(df.columns) == list(NIK_COLUMNS)
    assert list(df.index) == list(s.index)
    assert df["nik_status"].tolist() == [
        "valid", "missing", "excel_damaged", "excel_damaged", "wrong_length", "placeholder",
        "invalid_date", "unknown_region", "valid", "valid",
    ]
    for i, v in enumerate(values):
        row = {c: (None if pd.isna(x) else x) for c, x in df.iloc[i].items()}
        if row["nik_kecamatan_known"] is not None:
            row["nik_kecamatan_known"] = bool(row["nik_kecamatan_known"])
        assert row == nik(v)


def test_series_dtypes():
    df = nik(pd.Series([NIK, None]))
    assert str(df["nik"].dtype) == "string"
    assert df["nik"].dtype.storage == "pyarrow"
    assert str(df["nik_kecamatan_known"].dtype) == "boolean"
    assert df["nik"].isna().tolist() == [False, True]


def test_float_column_from_csv_with_empty_cells():
    # pandas turns an integer column with a missing cell into float64
    s = pd.read_csv(__import__("io").StringIO("nik\n3216064508850003\n\n3216064508850010\n"),
                    skip_blank_lines=False)["nik"]
    assert s.dtype == np.float64
    assert nik(s)["nik_status"].tolist() == ["valid", "missing", "excel_damaged"]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", "category", object])
def test_string_dtypes(dtype):
    s = pd.Series([NIK, None, "3.21601E+15"], dtype=dtype)
    assert nik(s)["nik_status"].tolist() == ["valid", "missing", "excel_damaged"]


def test_int64_dtypes():
    assert nik(pd.Series([3216064508850003, 3216064508850000]))["nik_status"].tolist() == [
        "valid", "excel_damaged",
    ]
    s = pd.Series([3216064508850003, None], dtype="Int64")
    assert nik(s)["nik_status"].tolist() == ["valid", "missing"]


def test_list_and_array_inputs():
    assert nik([NIK, None])["nik_status"].tolist() == ["valid", "missing"]
    assert nik(np.array([NIK, "x"], dtype=object))["nik_status"].tolist() == ["valid", "missing"]
    assert len(nik(pd.Series([], dtype=object))) == 0


def test_never_raises_on_odd_cells():
    odd = {
        "list": ([1, 2], "wrong_length"),
        "dict": ({"a": 1}, "wrong_length"),
        "object": (object(), "wrong_length"),
        "bytes": (b"3216064508850003", "valid"),  # pandas decodes bytes
        "date": (dt.date(2020, 1, 1), "wrong_length"),
        "long text": ("x" * 10_000, "missing"),
        "lone surrogate": ("\ud800", "missing"),
        "minus sign": (-3216064508850003, "valid"),  # a stray dash
        "fraction": (3.5, "wrong_length"),
        "complex": (complex(1, 2), "wrong_length"),
        "tuple": (("a",), "missing"),
    }
    values = [v for v, _ in odd.values()]
    df = nik(pd.Series(values, dtype=object))
    assert df["nik_status"].tolist() == [status for _, status in odd.values()]
    for v, status in odd.values():
        if not isinstance(v, (list, tuple)):  # a list or tuple is a sequence of values, not one cell
            assert nik(v)["nik_status"] == status


def test_no_full_nik_in_logs_or_warnings(caplog):
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nik(pd.Series([NIK, "3216064508850000.0", "3.21601E+15", None]))
        parse_kk(pd.Series([KK]))
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not any(NIK in m or KK in m for m in messages)


def test_mask_nik():
    assert mask_nik(NIK) == "3216********0003"


def test_speed_100k():
    rng = np.random.default_rng(0)
    n = 100_000
    s = pd.Series([f"3216{a:02d}{b:02d}{c:02d}85{d:04d}" for a, b, c, d in zip(
        rng.integers(1, 24, n), rng.integers(1, 29, n), rng.integers(1, 13, n), rng.integers(1, 999, n), strict=True)])
    nik(s.iloc[:10])
    start = time.perf_counter()
    df = nik(s)
    assert time.perf_counter() - start < 3
    assert (df["nik_status"] == "valid").all()


def test_large_mostly_unique_series_gives_the_same_result_as_small_chunks():
    # >= 50,000 nearly distinct values skip factorization: a second code path that must agree.
    rng = np.random.default_rng(1)
    n = 60_000
    base = [f"32{a:02d}{b:02d}{c:02d}{d:02d}{e:02d}{f:04d}" for a, b, c, d, e, f in zip(
        rng.integers(1, 30, n), rng.integers(1, 40, n), rng.integers(1, 72, n), rng.integers(0, 14, n),
        rng.integers(0, 100, n), rng.integers(0, 400, n), strict=True)]
    odd = [None, "3.21601E+15", "321606450885000", "'3216064508850003", "0000000000000000", "BELUM ADA",
           "3216064508850000.0", "32.16.06.450885.0003", "32160645088500031", "x", np.nan]
    values = pd.Series(base, dtype=object)
    values.iloc[::997] = pd.Series(odd * (len(values.iloc[::997]) // len(odd) + 1))[: len(values.iloc[::997])].values
    whole = nik(values)
    parts = pd.concat([nik(values.iloc[i : i + 20_000]) for i in range(0, n, 20_000)])
    pd.testing.assert_frame_equal(whole, parts)
    assert set(whole["nik_status"]) >= {"valid", "missing", "excel_damaged", "wrong_length", "placeholder",
                                        "invalid_date", "unknown_region"}
    as_float = pd.to_numeric(values, errors="coerce")
    pd.testing.assert_frame_equal(
        nik(as_float), pd.concat([nik(as_float.iloc[i : i + 20_000]) for i in range(0, n, 20_000)])
    )
    as_arrow = values.astype("string[pyarrow]")
    pd.testing.assert_frame_equal(nik(as_arrow), whole)
