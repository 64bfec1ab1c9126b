"""standardize(): one canonical row per input row; sex/relationship normalisation (household_roles)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from linkmiskin.standardise.household_roles import (
    detect_relationship_scheme,
    normalize_relationship,
    normalize_sex,
    relationship_frame,
    sex_frame,
)
from linkmiskin.standardise.records import standardize
from linkmiskin.synthetic.generator import generate

# invented, structurally valid NIKs/KKs of Kabupaten Bekasi, kecamatan Tarumajaya (32.16.01)
NIK_A = "3216012509700001"   # man born 25-09-1970
NIK_B = "3216016312800002"   # woman born 23-12-1980
KK_A = "3216011709140001"

COLS = ["ID", "NIK", "NO_KK", "NAMA", "TGL_LAHIR", "JK", "SHDK", "ALAMAT", "RT", "RW", "DESA", "KECAMATAN", "DESIL"]


def _messy() -> pd.DataFrame:
    rows = [
        ["D-001", NIK_A, KK_A, "H. Budi Santoso", "25-09-1970", "L", "1. KEPALA KELUARGA", "KP. CIUDIK RT 03/04",
         "003", "004", "PAHLAWAN SETIA", "TARUMAJAYA", "1"],
        [""] * 13,
        ["-"] * 13,
        ["BELUM ADA"] * 13,
        ["0"] * 13,
        # what pandas.read_excel gives for number cells
        ["D-006", 3216016312800000.0, 3216011709140000.0, "Siti Aminah", 2.0, 2.0, 3.0, "KP. GARDU", 7.0, 2.0,
         "SAGARA MAKMUR", "TARUMAJAYA", 2.0],
        [None] * 13,
        ["D-008", NIK_B, KK_A, "SITI NURHASANAH", "1980-12-23", "P", "ISTRI", "KP. CIUDIK RT 03/04", None, None,
         None, None, "11"],
    ]
    return pd.DataFrame(rows, columns=COLS, index=[70, 71, 72, 73, 74, 75, 76, 77])


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    return standardize(_messy(), region="32.16", source="messy")


def test_one_row_per_input_row_in_order(messy: pd.DataFrame) -> None:
    assert len(messy) == 8
    assert messy.index.tolist() == list(range(8))
    assert messy["row_number"].tolist() == list(range(1, 9))
    assert messy["source"].unique().tolist() == ["messy"]
    assert messy["record_id"].tolist() == ["D-001", "row2", "row3", "row4", "row5", "D-006", "row7", "D-008"]
    assert messy["record_id_status"].tolist() == ["ok"] + ["missing"] * 4 + ["ok", "missing", "ok"]


def test_missing_markers_are_missing_everywhere(messy: pd.DataFrame) -> None:
    empty_rows = [1, 2, 3, 4, 6]  # "", "-", "BELUM ADA", "0", None
    sub = messy.loc[empty_rows]
    for col in ("nik_status", "kk_status", "name_status", "birth_date_status", "sex_status", "relationship_status",
                "region_status", "address_status"):
        assert sub[col].tolist() == ["missing"] * 5, col
    for col in ("nik", "kk", "name", "birth_date", "sex", "relationship", "desa_code", "name_raw", "address_raw"):
        assert sub[col].isna().all(), col
    assert sub["rt"].isna().all() and sub["rw"].isna().all() and sub["decile"].isna().all()
    assert sub["flags"].tolist() == ["name:missing;birth_date:missing;region:missing"] * 5


def test_values_of_a_clean_row(messy: pd.DataFrame) -> None:
    r = messy.loc[0]
    assert (r["nik"], r["nik_status"], r["kk"], r["kk_status"]) == (NIK_A, "valid", KK_A, "valid")
    assert (r["name"], r["name_raw"], r["name_status"]) == ("BUDI SANTOSO", "H. Budi Santoso", "ok")
    assert (r["birth_date"], r["birth_year"], r["birth_month"], r["birth_day"]) == ("1970-09-25", 1970, 9, 25)
    assert (r["sex"], r["relationship"]) == ("L", "KEPALA")
    assert (r["rt"], r["rw"], r["place"]) == (3, 4, "KP CIUDIK")
    assert (r["desa_code"], r["kecamatan_code"], r["kabupaten_code"]) == ("32.16.01.2004", "32.16.01", "32.16")
    assert (r["region_status"], r["address_status"], r["decile"]) == ("resolved", "ok", 1)
    assert r["flags"] is None


def test_number_cells(messy: pd.DataFrame) -> None:
    r = messy.loc[5]
    assert (r["nik_status"], r["kk_status"]) == ("excel_damaged", "excel_damaged")
    assert r["sex"] == "P"                                    # 2.0 -> "2" -> perempuan
    assert r["relationship_status"] == "numeric_code_unknown_scheme"   # 3 is a spouse or a child, by scheme
    assert (r["rt"], r["rw"], r["decile"]) == (7, 2, 2)
    assert r["desa_code"] == "32.16.01.2001"                  # Sagara Makmur
    assert r["address_status"] == "ok"                        # the place from the text, RT/RW from columns
    assert r["flags"] == ("nik:excel_damaged;kk:excel_damaged;birth_date:unparseable;"
                          "relationship:numeric_code_unknown_scheme")


def test_flags_for_an_out_of_range_decile_and_no_region(messy: pd.DataFrame) -> None:
    r = messy.loc[7]
    assert (r["rt"], r["rw"]) == (3, 4)                       # from the address text: the columns are empty
    assert pd.isna(r["decile"])
    assert r["flags"] == "region:missing;decile:invalid"


def test_output_dtypes(messy: pd.DataFrame) -> None:
    for col in ("birth_year", "birth_month", "birth_day", "rt", "rw", "decile"):
        assert str(messy[col].dtype) == "Int64", col
    assert messy["row_number"].dtype == np.int64
    assert messy["birth_date_placeholder"].dtype == bool
    assert messy.attrs["source"] == "messy"
    assert messy.attrs["column_mapping"].mapping["relationship"] == "SHDK"


def test_input_frame_is_not_changed() -> None:
    df = _messy()
    before = df.copy()
    standardize(df, region="32.16")
    pd.testing.assert_frame_equal(df, before)


def test_no_flags_column_content_when_everything_is_fine() -> None:
    df = pd.DataFrame({"NAMA": ["BUDI", "SITI"], "JK": ["L", "P"]})
    out = standardize(df)
    assert out["flags"].tolist() == [None, None]
    assert out["record_id"].tolist() == ["1", "2"]
    assert out["record_id_status"].tolist() == ["row_number", "row_number"]


def test_unknown_sex_and_relationship_are_flagged() -> None:
    out = standardize(pd.DataFrame({"NAMA": ["A", "B"], "JK": ["X", "L"], "HUB_KELUARGA": ["TETANGGA", "ANAK"]}))
    assert out["sex_status"].tolist() == ["unknown", "ok"]
    assert out["relationship_status"].tolist() == ["unknown", "ok"]
    assert out["flags"].tolist() == ["sex:unknown;relationship:unknown", None]


def test_record_id_duplicates_are_flagged() -> None:
    df = pd.DataFrame({"ID_DTKS": ["A1", "A2", " A1", "A3", "A2.0", None],
                       "NAMA": ["BUDI", "SITI", "BUDI", "ANI", "SITI", "DEWI"]})
    out = standardize(df, source="dtks")
    assert out["record_id"].tolist() == ["A1", "A2", "A1", "A3", "A2", "row6"]
    assert out["record_id_status"].tolist() == ["duplicate", "duplicate", "duplicate", "ok", "duplicate", "missing"]
    assert out["flags"].tolist() == ["record_id:duplicate"] * 3 + [None, "record_id:duplicate", None]


def test_separate_desa_and_kecamatan_columns_are_resolved() -> None:
    df = pd.DataFrame({
        "NAMA": ["A", "B", "C", "D"],
        "DESA": ["Pahlawan Setia", "SAGARA MAKMUR", "Ds. Karang-Bahagia", None],
        "KECAMATAN": ["TARUMAJAYA", "Kec. Tarumajaya", "KARANGBAHAGIA", "Tarumajaya"],
    })
    out = standardize(df, region="32.16")
    assert out["desa_code"].tolist() == ["32.16.01.2004", "32.16.01.2001", "32.16.10.2005", None]
    assert out["kecamatan_code"].tolist() == ["32.16.01", "32.16.01", "32.16.10", "32.16.01"]
    assert out["region_status"].tolist() == ["resolved"] * 4
    assert out["desa_text"].tolist() == ["Pahlawan Setia", "SAGARA MAKMUR", "Ds. Karang-Bahagia", None]
    assert out["address_status"].tolist() == ["partial"] * 4   # region only, no address text


def test_desa_column_wins_over_the_address_text_but_the_text_is_the_fallback() -> None:
    df = pd.DataFrame({
        "NAMA": ["A", "B", "C"],
        "ALAMAT": ["KP. CIUDIK DESA PAHLAWAN SETIA KEC. TARUMAJAYA"] * 3,
        "DESA": ["SAGARA MAKMUR", "QWERTYXYZ", None],
    })
    out = standardize(df, region="32.16")
    assert out["desa_code"].tolist() == ["32.16.01.2001", "32.16.01.2004", "32.16.01.2004"]
    assert out["desa_text"].tolist() == ["SAGARA MAKMUR", "QWERTYXYZ", "PAHLAWAN SETIA"]


def test_region_scoping() -> None:
    df = pd.DataFrame({"NAMA": ["A"], "DESA": ["SUKAMAJU"]})
    scoped = standardize(df, region="32.16")
    assert scoped.loc[0, "desa_code"] == "32.16.04.2002"          # the Sukamaju of Tambelang
    assert scoped.loc[0, "region_status"] == "resolved"
    assert standardize(df, region="3216").loc[0, "desa_code"] == "32.16.04.2002"
    national = standardize(df)
    assert national.loc[0, "desa_code"] is None                   # 65 Sukamaju in Indonesia
    assert national.loc[0, "region_status"] == "ambiguous"
    assert national.loc[0, "flags"] == "region:ambiguous"
    with pytest.raises(ValueError, match="99.99"):
        standardize(df, region="99.99")


def test_rt_rw_columns_override_the_address_text() -> None:
    df = pd.DataFrame({
        "NAMA": ["A", "B", "C", "D", "E", "F"],
        "ALAMAT": ["KP. CIUDIK RT 01/02", "KP. CIUDIK RT 01/02", "KP. CIUDIK", "KP. CIUDIK RT 005 RW 006",
                   "KP. CIUDIK", "KP. CIUDIK"],
        "RT": ["007", "", "003/014", "0", "RT 04", "1000"],
        "RW": ["009", "", None, "-", "RW.05", "2"],
    })
    out = standardize(df)
    assert out["rt"].tolist() == [7, 1, 3, 5, 4, pd.NA]
    assert out["rw"].tolist() == [9, 2, 14, 6, 5, 2]
    assert out["flags"].fillna("").str.contains("rt:invalid").tolist() == [False] * 5 + [True]


def test_rt_rw_in_one_column() -> None:
    df = pd.DataFrame({"NAMA": ["A", "B", "C"], "ALAMAT": ["KP X RT 1 RW 2"] * 3,
                       "RT/RW": ["003/005", "04 / 12", None]})
    out = standardize(df)
    assert out["rt"].tolist() == [3, 4, 1]
    assert out["rw"].tolist() == [5, 12, 2]


def test_user_mapping_is_used() -> None:
    df = pd.DataFrame({"KODE": ["K1", "K2"], "NAMA_KK": ["BUDI", "SITI"], "NIK": [NIK_A, NIK_B]})
    out = standardize(df, {"record_id": "KODE", "name": "NAMA_KK"})
    assert out["record_id"].tolist() == ["K1", "K2"]
    assert out["name"].tolist() == ["BUDI", "SITI"]
    assert out.attrs["column_mapping"].user == {"record_id": "KODE", "name": "NAMA_KK"}


def test_a_file_path_names_the_source(tmp_path) -> None:
    path = tmp_path / "bpjs_pbi.csv"
    path.write_text(f"NO_KARTU;NIK;NAMA_PESERTA;RT\n0002048149028;{NIK_B};KHODIJAH;003\n", encoding="utf-8")
    out = standardize(path)
    assert out["source"].tolist() == ["bpjs_pbi"]
    assert out["record_id"].tolist() == ["0002048149028"]
    assert out["rt"].tolist() == [3]
    assert standardize(str(path), source="pbi")["source"].tolist() == ["pbi"]


def test_empty_frame_gives_an_empty_result_with_all_columns() -> None:
    full = standardize(pd.DataFrame({"NIK": [NIK_A], "NAMA": ["A"]}))
    empty = standardize(pd.DataFrame({"NIK": pd.Series([], dtype=object), "NAMA": pd.Series([], dtype=object)}))
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)


# --------------------------------------------------------------------------------------------------------
# end to end on the five synthetic lists
# --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic() -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    data = generate(households=300, seed=5)
    return {name: (df, standardize(df, region="32.16", source=name)) for name, df in data.sources.items()}


def _share(mask: pd.Series) -> float:
    return float(np.asarray(mask, dtype=bool).mean())


@pytest.mark.parametrize("name", ["dtks", "p3ke", "bpjs_pbi", "blt_dd", "posyandu"])
def test_synthetic_sources_keep_every_row(synthetic, name: str) -> None:
    raw, std = synthetic[name]
    assert len(std) == len(raw) > 0
    id_col = std.attrs["column_mapping"].mapping["record_id"]
    assert std["record_id"].tolist() == raw[id_col].astype(str).str.strip().tolist()
    assert (std["record_id_status"] == "ok").all()
    assert std["source"].eq(name).all()
    assert std["row_number"].tolist() == list(range(1, len(raw) + 1))


# measured on generate(households=300, seed=5): thresholds leave a margin for damage-rate changes
def test_synthetic_dtks(synthetic) -> None:
    _, s = synthetic["dtks"]
    assert _share(s["nik_status"] == "valid") >= 0.85          # measured 0.94
    assert _share(s["kk_status"] == "valid") >= 0.85           # 0.97
    assert _share(s["name_status"] == "ok") >= 0.97            # 1.00
    assert _share(s["birth_date_status"].isin(["ok", "placeholder"])) >= 0.93  # 0.99
    assert _share(s["sex_status"] == "ok") >= 0.97             # 1.00
    assert _share(s["relationship_status"] == "ok") >= 0.97    # 1.00
    assert _share(s["desa_code"].notna()) >= 0.93              # 0.99
    assert _share(s["kecamatan_code"].notna()) >= 0.97         # 1.00
    assert _share(s["rt"].notna() & s["rw"].notna()) >= 0.95   # 1.00
    assert _share(s["flags"].isna()) >= 0.85                   # 0.96
    assert s["desa_code"].dropna().str.startswith("32.16.").all()


def test_synthetic_p3ke(synthetic) -> None:
    _, s = synthetic["p3ke"]
    assert _share(s["nik_status"] == "valid") >= 0.80          # 0.90
    assert _share(s["desa_code"].notna()) >= 0.90              # 0.98 (from the address text alone)
    assert _share(s["rt"].notna()) >= 0.90                     # 1.00
    assert _share(s["decile"].notna()) >= 0.95
    assert s["decile"].dropna().between(1, 10).all()
    assert _share(s["relationship_status"] == "ok") >= 0.95    # HUBUNGAN_DENGAN_KEPALA_KELUARGA
    assert _share(s["household_key"].notna()) >= 0.9          # ID_KELUARGA_P3KE


def test_synthetic_bpjs_pbi(synthetic) -> None:
    _, s = synthetic["bpjs_pbi"]
    assert _share(s["nik_status"] == "valid") >= 0.88          # 0.96
    assert _share(s["kecamatan_code"].notna()) >= 0.93         # 0.99: only a KECAMATAN column
    assert s["desa_code"].isna().all()                          # ... so never a desa
    assert s["rt"].isna().all()
    assert _share(s["sex_status"] == "ok") >= 0.97             # coded 1/2


def test_synthetic_blt_dd(synthetic) -> None:
    _, s = synthetic["blt_dd"]
    assert _share(s["nik_status"] == "excel_damaged") >= 0.6   # 0.81: NIKs typed into number cells
    assert _share(s["desa_code"].notna()) >= 0.75              # 0.89
    assert _share(s["rt"].notna()) >= 0.9                      # 0.97
    assert (s["birth_date_status"] == "missing").all()


def test_synthetic_posyandu(synthetic) -> None:
    _, s = synthetic["posyandu"]
    assert (s["nik_status"] == "missing").all()                 # children without NIK
    assert _share(s["name_status"] == "ok") >= 0.9             # 0.96
    assert _share(s["mother_name"].notna()) >= 0.9
    assert _share(s["birth_date_status"].isin(["ok", "placeholder"])) >= 0.93  # 0.99, Excel date cells
    assert _share(s["desa_code"].notna()) >= 0.8               # 0.93


# --------------------------------------------------------------------------------------------------------
# household_roles
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("L", "L"), ("P", "P"), ("l", "L"), (" p ", "P"), ("LK", "L"), ("Lk.", "L"), ("PR", "P"), ("Pr.", "P"),
    ("Laki-Laki", "L"), ("LAKI - LAKI", "L"), ("laki2", "L"), ("Perempuan", "P"), ("PEREMPUAN ", "P"),
    ("Pria", "L"), ("Wanita", "P"), ("M", "L"), ("F", "P"), ("1", "L"), ("2", "P"), ("1.0", "L"), (2.0, "P"),
    (1, "L"), ("1. Laki-laki", "L"), ("2 - Perempuan", "P"), ("L (Laki-laki)", "L"),
    ("", None), ("-", None), ("0", None), ("BELUM ADA", None), (None, None), (np.nan, None), ("X", None),
    ("3", None),
])
def test_normalize_sex(value: object, expected: str | None) -> None:
    assert normalize_sex(value) == expected


def test_sex_frame_statuses_and_index() -> None:
    s = pd.Series(["L", "x", None, "-", "Perempuan", "L"], index=[5, 9, 2, 7, 1, 0])
    out = sex_frame(s)
    assert out.index.tolist() == [5, 9, 2, 7, 1, 0]
    assert out["sex"].tolist() == ["L", None, None, None, "P", "L"]
    assert out["sex_status"].tolist() == ["ok", "unknown", "missing", "missing", "ok", "ok"]
    assert sex_frame(["P"])["sex"].tolist() == ["P"]


@pytest.mark.parametrize(("value", "expected"), [
    ("Kepala Keluarga", "KEPALA"), ("KEPALA RUMAH TANGGA", "KEPALA"), ("KRT", "KEPALA"), ("1", "KEPALA"),
    ("1.0", "KEPALA"), ("1. KEPALA KELUARGA", "KEPALA"), ("Kep. Keluarga", "KEPALA"), ("ISTRI", "PASANGAN"),
    ("Isteri", "PASANGAN"), ("SUAMI", "PASANGAN"), ("istri / suami", "PASANGAN"), ("Anak", "ANAK"),
    ("03 ANAK", "ANAK"), ("ANAK KANDUNG", "ANAK"), ("Anak Tiri", "ANAK"), ("MENANTU", "MENANTU"),
    ("Cucu", "CUCU"), ("Orang Tua", "ORANG_TUA"), ("Orang Tua / Mertua", "ORANG_TUA"), ("MERTUA", "MERTUA"),
    ("Famili Lain", "FAMILI"), ("FAMILI_LAIN", "FAMILI"), ("keponakan", "FAMILI"), ("Pembantu", "PEMBANTU"),
    ("LAINNYA", "LAINNYA"), ("3", None), ("TETANGGA", None), ("", None), ("-", None), (None, None),
])
def test_normalize_relationship(value: object, expected: str | None) -> None:
    assert normalize_relationship(value) == expected


def test_relationship_frame_statuses() -> None:
    out = relationship_frame(pd.Series(["KEPALA KELUARGA", "3", 4.0, "TETANGGA", "BELUM ADA", None, "1"]))
    assert out["relationship"].tolist() == ["KEPALA", None, None, None, None, None, "KEPALA"]
    assert out["relationship_status"].tolist() == [
        "ok", "numeric_code_unknown_scheme", "numeric_code_unknown_scheme", "unknown", "missing", "missing", "ok"]


def test_csv_list_whose_niks_went_through_excel_number_cells():
    # 30 NIKs that lost their 16th digit in Excel number cells, then saved as CSV (no type left)
    rng = np.random.default_rng(0)
    damaged = [f"3216{rng.integers(10, 24):02d}{rng.integers(1, 29):02d}0{rng.integers(1, 10)}"
               f"{rng.integers(60, 99)}00{rng.integers(1, 10)}0" for _ in range(30)]
    fine = [f"3216{rng.integers(10, 24):02d}{rng.integers(1, 29):02d}0{rng.integers(1, 10)}"
            f"{rng.integers(60, 99)}000{rng.integers(1, 10)}" for _ in range(10)]
    std = standardize(pd.DataFrame({"NIK": damaged + fine, "NAMA": ["BUDI"] * 40}), source="blt_dd")
    assert (std["nik_status"].iloc[:30] == "excel_damaged").all()
    assert (std["nik_status"].iloc[30:] == "valid").all()
    # a list where 16-digit NIKs end in 0 as often as serials do keeps them valid
    normal = fine * 3 + damaged[:2]
    std = standardize(pd.DataFrame({"NIK": normal, "NAMA": ["BUDI"] * len(normal)}), source="dtks")
    assert (std["nik_status"] == "valid").all()


def test_the_records_own_kk_in_the_nik_column_is_not_a_nik():
    df = pd.DataFrame({"NIK": ["3216011304110001", "3216015808700001"],
                       "NO_KK": ["3216011304110001", "3216011304110001"], "NAMA": ["BUDI", "SITI"]})
    std = standardize(df, source="dtks")
    assert std["nik_status"].tolist() == ["kk_number", "valid"]
    assert "nik:kk_number" in std["flags"].iloc[0]


# --------------------------------------------------------------------------------------------------------
# BPS / DTKS numeric relationship codes
# --------------------------------------------------------------------------------------------------------
def _coded_families(codes_per_family: list[list[str]]) -> pd.DataFrame:
    rows = []
    for f, codes in enumerate(codes_per_family, start=1):
        kk = f"32160117091400{f:02d}"
        for j, code in enumerate(codes, start=1):
            rows.append({"NO_KK": kk, "NAMA": f"ORANG {f} {j}", "HUB_KRT": code})
    return pd.DataFrame(rows)


# head, spouse, children; one with a menantu and a grandchild, one with a parent-in-law and a maid
BPS_FAMILIES = [["1", "2", "3", "3"], ["1", "2", "3"], ["01", "02", "03", "04", "05"], ["1", "3", "3"],
                ["1", "2", "3", "6", "8"], ["1", "2", "3", "3", "3", "7", "9"]]


def test_bps_relationship_codes_are_recognised_and_mapped(caplog) -> None:
    df = _coded_families(BPS_FAMILIES)
    with caplog.at_level(logging.INFO, logger="linkmiskin"):
        out = standardize(df, source="dtks")
    assert out.attrs["relationship_scheme"] == "bps"
    got = dict(zip(df["HUB_KRT"].str.lstrip("0"), out["relationship"], strict=True))
    assert got == {"1": "KEPALA", "2": "PASANGAN", "3": "ANAK", "4": "MENANTU", "5": "CUCU",
                   "6": "ORANG_TUA", "7": "FAMILI", "8": "PEMBANTU", "9": "LAINNYA"}
    assert set(out["relationship_status"]) == {"ok"}
    assert out["flags"].isna().all()
    assert "holds BPS/DTKS codes" in caplog.text


def test_dukcapil_shdk_codes_are_not_read_as_bps() -> None:
    # Dukcapil SHDK: 1 kepala keluarga, 2 suami, 3 istri, 4 anak: 4 outnumbers 3
    shdk = [["1", "3", "4", "4"], ["1", "3", "4"], ["1", "3", "4", "4", "4"], ["1", "4", "4"], ["1", "3"]]
    out = standardize(_coded_families(shdk))
    assert out.attrs["relationship_scheme"] is None
    assert set(out.loc[out["relationship"].isna(), "relationship_status"]) == {"numeric_code_unknown_scheme"}
    assert (out.loc[out["relationship"].notna(), "relationship"] == "KEPALA").all()


def test_bps_codes_need_one_head_per_kk_and_enough_rows() -> None:
    two_heads = [["1", "1", "3", "3"], ["1", "1", "3"], ["1", "1", "3", "3"], ["1", "2", "3"]]
    assert standardize(_coded_families(two_heads)).attrs["relationship_scheme"] is None
    assert standardize(_coded_families([["1", "2", "3"]])).attrs["relationship_scheme"] is None  # 3 rows
    assert detect_relationship_scheme(["1", "2", "3", "3", "12"] * 3)[0] is None  # 12 is outside 1..9
    scheme, why = detect_relationship_scheme(pd.Series(["1", "2", "3", "3", "3.0"] * 3))
    assert scheme == "bps" and "code 3 (anak)" in why
    rel = relationship_frame(pd.Series(["1", "4", "KEPALA", "03", None]), scheme="bps")
    assert rel["relationship"].tolist() == ["KEPALA", "MENANTU", "KEPALA", "ANAK", None]


# --------------------------------------------------------------------------------------------------------
# NY. / NYONYA: a married woman under her husband's name
# --------------------------------------------------------------------------------------------------------
def test_nyonya_name_is_kept_as_spouse_name_and_not_compared_as_hers() -> None:
    df = pd.DataFrame({
        "NIK": [NIK_B, None, None, None, None, None],
        "NAMA": ["NY. ADITYA PRATAMA", "Nyonya Budi", "NY BUDI SANTOSO", "NYOMAN SUARDANA", "SITI AMINAH",
                 "BAYI NY. SITI"],
        "NAMA_IBU": ["NY. SLAMET", None, None, None, None, None],
    })
    out = standardize(df)
    assert out["name_status"].tolist() == ["spouse_name", "spouse_name", "spouse_name", "ok", "ok", "missing"]
    assert out["name"].tolist()[:3] == [None, None, None]
    assert out["name_tokens"].tolist()[:3] == [[], [], []]
    assert out["name_phonetic"].tolist()[:3] == [[], [], []]
    assert out["spouse_name"].tolist() == ["ADITYA PRATAMA", "BUDI", "BUDI SANTOSO", None, None, None]
    assert out["spouse_name_tokens"].tolist() == [["ADITYA", "PRATAMA"], ["BUDI"], ["BUDI", "SANTOSO"],
                                                  [], [], []]
    assert out["name"].tolist()[3:5] == ["NYOMAN SUARDANA", "SITI AMINAH"]   # the Balinese given name
    assert out["name_raw"].tolist()[0] == "NY. ADITYA PRATAMA"
    assert out["flags"].tolist()[0] == "name:spouse_name"
    assert out["mother_name"].tolist()[0] == "SLAMET"   # other people's name columns are unchanged


def test_spouse_name_column_is_present_when_nobody_is_listed_so() -> None:
    out = standardize(pd.DataFrame({"NAMA": ["A B", "C D"]}))
    assert out["spouse_name"].tolist() == [None, None]
    assert out["spouse_name_tokens"].tolist() == [[], []]
