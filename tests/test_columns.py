"""detect_columns: the headings Indonesian agencies use, user overrides, errors and the report."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from linkmiskin.standardise.columns import (
    CANONICAL_FIELDS,
    ColumnMapping,
    ColumnMappingError,
    detect_columns,
    heading_key,
)


def _detect(headings: list[str], mapping: dict | None = None, source: str = "data") -> dict[str, str]:
    return detect_columns(pd.DataFrame(columns=headings), mapping, source=source).mapping


@pytest.mark.parametrize(("field", "headings"), [
    ("nik", ["NIK", "NIK_KTP", "nik", "No NIK", "NOMOR INDUK KEPENDUDUKAN", "NIK (16 digit)", "nik_art"]),
    ("kk", ["NO_KK", "NOKK", "NKK", "No. KK", "Nomor Kartu Keluarga", "no_kk"]),
    ("name", ["NAMA", "NAMA_LENGKAP", "NAMA_KPM", "NAMA_PESERTA", "NAMA_ART", "Nama Lengkap", "nama lengkap",
              "Nama-Lengkap", "NAMA_LGKP", "Nama Penerima"]),
    ("birth_date", ["TGL_LAHIR", "TANGGAL_LAHIR", "tgl lahir", "Tgl. Lahir", "TGL LHR", "Tanggal Lahir"]),
    ("sex", ["JK", "JENIS_KELAMIN", "Jenis Kelamin", "L/P", "J/K", "Jenis Kelamin (L/P)", "JENIS_KLMIN"]),
    ("relationship", ["HUB_KELUARGA", "SHDK", "Hubungan Keluarga", "HUB. DGN KK", "STAT_HBKEL",
                      "Hubungan dengan Kepala Keluarga"]),
    ("address", ["ALAMAT", "Alamat", "ALAMAT LENGKAP", "alamat_domisili"]),
    ("rt", ["RT", "rt", "NO_RT", "No. RT"]),
    ("rw", ["RW", "rw", "NO_RW"]),
    ("rt_rw", ["RT/RW", "RT_RW", "rt / rw"]),
    ("desa", ["DESA", "KELURAHAN", "DESA_KELURAHAN", "Desa/Kelurahan", "Kelurahan/Desa", "DESA/KEL", "NAMA_KEL"]),
    ("kecamatan", ["KECAMATAN", "Kecamatan", "KEC", "Kec.", "NAMA_KEC"]),
    ("kabupaten", ["KABUPATEN", "KAB/KOTA", "Kabupaten/Kota"]),
    ("mother_name", ["NAMA_IBU", "NAMA_IBU_KANDUNG", "Nama Ibu Kandung", "IBU KANDUNG", "NAMA_LGKP_IBU"]),
    ("father_name", ["NAMA_AYAH", "Nama Ayah"]),
    ("record_id", ["ID_DTKS", "ID_P3KE", "NO_KARTU", "ID", "IDDTKS"]),
    ("decile", ["DESIL", "Desil Kesejahteraan"]),
])
def test_agency_headings(field: str, headings: list[str]) -> None:
    for h in headings:
        other = "NIK" if field != "nik" else "NAMA"  # a source needs a name or a NIK
        mapping = _detect([h, other])
        assert mapping.get(field) == h, (field, h, mapping)


def test_a_typical_dtks_export() -> None:
    cols = ["ID_DTKS", "NIK", "NO_KK", "NAMA", "TGL_LAHIR", "JENIS_KELAMIN", "HUB_KELUARGA", "ALAMAT", "RT", "RW",
            "DESA_KELURAHAN", "KECAMATAN", "PEKERJAAN", "STATUS_KAWIN"]
    cm = detect_columns(pd.DataFrame(columns=cols), source="dtks")
    assert cm.mapping == {
        "record_id": "ID_DTKS", "nik": "NIK", "kk": "NO_KK", "name": "NAMA", "birth_date": "TGL_LAHIR",
        "sex": "JENIS_KELAMIN", "relationship": "HUB_KELUARGA", "address": "ALAMAT", "rt": "RT", "rw": "RW",
        "desa": "DESA_KELURAHAN", "kecamatan": "KECAMATAN"}
    assert cm.unmapped == ["PEKERJAAN", "STATUS_KAWIN"]
    assert cm.user == {}
    assert list(cm.mapping) == [f for f in CANONICAL_FIELDS if f in cm.mapping]  # canonical order


def test_a_posyandu_list_keeps_child_mother_and_father_apart() -> None:
    m = _detect(["No", "Nama Anak", "Tgl Lahir", "JK", "Nama Ibu", "Nama Ayah", "Alamat", "RT", "RW", "Desa"])
    assert m == {"record_id": "No", "name": "Nama Anak", "birth_date": "Tgl Lahir", "sex": "JK",
                 "address": "Alamat", "rt": "RT", "rw": "RW", "desa": "Desa", "mother_name": "Nama Ibu",
                 "father_name": "Nama Ayah"}


def test_weaker_headings_only_when_no_usual_one() -> None:
    # NAMA_KEPALA_KELUARGA is the person's name only when there is no NAMA column
    assert _detect(["NAMA_KEPALA_KELUARGA", "NIK"])["name"] == "NAMA_KEPALA_KELUARGA"
    assert _detect(["NAMA_KEPALA_KELUARGA", "NAMA", "NIK"])["name"] == "NAMA"
    assert _detect(["NO", "ID_DTKS", "NAMA"])["record_id"] == "ID_DTKS"
    assert _detect(["NO", "NAMA"])["record_id"] == "NO"
    assert _detect(["KK", "NAMA"])["kk"] == "KK"
    assert _detect(["KK", "NO_KK", "NAMA"])["kk"] == "NO_KK"


def test_a_note_in_brackets_is_a_weaker_match_than_the_heading_itself() -> None:
    assert _detect(["NIK", "NIK (Kepala Keluarga)", "NAMA"])["nik"] == "NIK"
    with pytest.raises(ColumnMappingError, match=r"'NIK \(16 digit\)'.*'NIK \(baru\)'"):
        _detect(["NIK (16 digit)", "NIK (baru)", "NAMA"])
    # the head's NIK (a role in the note) is not the person's
    assert _detect(["NIK (16 digit)", "NIK (Kepala Keluarga)", "NAMA"])["nik"] == "NIK (16 digit)"


def test_heading_key() -> None:
    assert heading_key(" Nama  Lengkap ") == "NAMA_LENGKAP"
    assert heading_key("Tgl. Lahir") == "TGL_LAHIR"
    assert heading_key("RT/RW") == "RT_RW"
    assert heading_key("nama-lengkap") == "NAMA_LENGKAP"


def test_user_mapping_wins_and_frees_the_detected_column() -> None:
    cols = ["NIK", "NIK_KTP_BARU", "NAMA", "NAMA_IBU", "ALAMAT", "ALAMAT_KTP"]
    cm = detect_columns(pd.DataFrame(columns=cols), {"nik": "NIK_KTP_BARU", "address": "ALAMAT_KTP"}, source="p3ke")
    assert cm.mapping["nik"] == "NIK_KTP_BARU"
    assert cm.mapping["address"] == "ALAMAT_KTP"
    assert cm.user == {"nik": "NIK_KTP_BARU", "address": "ALAMAT_KTP"}
    assert "NIK" in cm.unmapped and "ALAMAT" in cm.unmapped
    # a column the user gave to one field is not also detected for another
    cm = detect_columns(pd.DataFrame(columns=["NAMA", "NAMA_IBU"]), {"name": "NAMA_IBU"})
    assert cm.mapping == {"name": "NAMA_IBU"}
    assert cm.unmapped == ["NAMA"]


def test_none_switches_a_field_off() -> None:
    cm = detect_columns(pd.DataFrame(columns=["NO", "NIK", "NAMA"]), {"record_id": None})
    assert "record_id" not in cm.mapping
    assert cm.mapping == {"nik": "NIK", "name": "NAMA"}


def test_mapping_to_a_missing_column_names_source_and_column() -> None:
    with pytest.raises(ColumnMappingError) as err:
        _detect(["NIK", "Nama Lengkap"], {"name": "NAMA_LENGKAP"}, source="bpjs_pbi")
    msg = str(err.value)
    assert "source 'bpjs_pbi'" in msg and "'NAMA_LENGKAP'" in msg
    assert "did you mean 'Nama Lengkap'" in msg
    with pytest.raises(ColumnMappingError, match=r"source 'blt'.*no column 'TGL'.*columns are: NIK, NAMA"):
        _detect(["NIK", "NAMA"], {"birth_date": "TGL"}, source="blt")


def test_unknown_field_is_an_error() -> None:
    with pytest.raises(ColumnMappingError, match=r"source 'dtks'.*unknown field 'tanggal_lahir'.*birth_date"):
        _detect(["NIK", "NAMA", "TGL"], {"tanggal_lahir": "TGL"}, source="dtks")


def test_no_name_and_no_nik_is_an_error_naming_the_source() -> None:
    with pytest.raises(ColumnMappingError) as err:
        _detect(["ALAMAT", "RT", "RW", "DESA"], source="posyandu")
    assert "source 'posyandu'" in str(err.value)
    assert "ALAMAT, RT, RW, DESA" in str(err.value)
    # switching the only name column off has the same effect
    with pytest.raises(ColumnMappingError, match="no name column and no NIK column"):
        _detect(["NAMA", "ALAMAT"], {"name": None})


def test_ambiguous_headings_are_an_error_naming_both() -> None:
    with pytest.raises(ColumnMappingError) as err:
        _detect(["NIK", "NAMA", "DESA", "KELURAHAN"], source="blt_dd")
    msg = str(err.value)
    assert "source 'blt_dd'" in msg and "'DESA'" in msg and "'KELURAHAN'" in msg and "desa" in msg
    assert _detect(["NIK", "NAMA", "DESA", "KELURAHAN"], {"desa": "KELURAHAN"})["desa"] == "KELURAHAN"


def test_dedup_suffix_only_for_numbered_copies() -> None:
    # "NAMA__IBU" is a heading of its own, not a second NAMA column
    assert _detect(["NAMA", "NAMA__IBU"]) == {"name": "NAMA", "mother_name": "NAMA__IBU"}


def test_report_lists_the_chosen_mapping(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="linkmiskin"):
        cm = detect_columns(pd.DataFrame(columns=["ID_P3KE", "NIK", "NAMA_LENGKAP", "DESIL", "CATATAN"]),
                            {"name": "NAMA_LENGKAP"}, source="p3ke")
    report = cm.report()
    assert report.splitlines() == [
        "Columns for source 'p3ke':",
        "  record_id    <- ID_P3KE",
        "  nik          <- NIK",
        "  name         <- NAMA_LENGKAP   (given by you)",
        "  decile       <- DESIL",
        "  not used: CATATAN",
    ]
    assert report in caplog.text
    assert repr(cm) == ("ColumnMapping('p3ke': record_id <- 'ID_P3KE', nik <- 'NIK', "
                        "name <- 'NAMA_LENGKAP' (user), decile <- 'DESIL')")
    assert isinstance(cm, ColumnMapping)


def test_standardize_records_the_mapping() -> None:
    from linkmiskin.standardise.records import standardize

    std = standardize(pd.DataFrame({"Nama Lengkap": ["BUDI"], "NIK KTP": ["3216012509700001"]}), source="x")
    cm = std.attrs["column_mapping"]
    assert cm.mapping == {"nik": "NIK KTP", "name": "Nama Lengkap"}
    assert cm.source == "x"
