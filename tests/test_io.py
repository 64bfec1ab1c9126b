"""read_table: CSV (encodings, separators), Excel, Parquet and DataFrames, always as text."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from linkmiskin.standardise.columns import ColumnMappingError, detect_columns
from linkmiskin.standardise.read import SourceError, read_table
from linkmiskin.standardise.records import standardize

# invented, structurally valid NIKs/KKs of Kabupaten Bekasi (32.16), kecamatan Tarumajaya (01)
NIK_A = "3216012509700001"   # man born 25-09-1970
NIK_B = "3216016312800002"   # woman born 23-12-1980 (day + 40)
NIK_C = "3216011504780010"   # man born 15-04-1978, serial 0010: ends in 0 like a damaged number
KK_A = "3216011709140001"


def _numeric(df: pd.DataFrame) -> dict[str, list[int]]:
    return {k: [int(i) for i in v] for k, v in df.attrs["numeric_cells"].items()}


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _xlsx(path: Path, sheets: dict[str, list[list[object]]], text_columns: tuple[int, ...] = ()) -> Path:
    """Write a workbook; cells in ``text_columns`` (0-based) are text cells (format "@")."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if c - 1 in text_columns and isinstance(v, str):
                    cell.number_format = "@"
    wb.save(path)
    return path


# --------------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------------
CSV_ROWS = [
    ["NIK", "NO_KK", "NAMA", "RT", "RW", "ALAMAT"],
    [NIK_A, KK_A, "JOSÉ MARIÑO", "003", "005", "KP. CIUDIK"],
    [NIK_B, KK_A, "SITI NUR’AINI", "003", "005", "KP. CIUDIK"],
]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_csv_separators_and_encodings(tmp_path: Path, sep: str, encoding: str) -> None:
    text = "\r\n".join(sep.join(r) for r in CSV_ROWS) + "\r\n"
    df = read_table(_write(tmp_path / "dtks.csv", text, encoding))
    assert list(df.columns) == CSV_ROWS[0]
    assert df.values.tolist() == [CSV_ROWS[1], CSV_ROWS[2]]
    assert _numeric(df) == {}
    assert df.attrs["source_path"] == str(tmp_path / "dtks.csv")


def test_csv_latin1_bytes_that_cp1252_cannot_decode(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252: the file is read as latin-1 and nothing is lost
    path = tmp_path / "p3ke.csv"
    path.write_bytes(b"NIK;NAMA\n" + NIK_A.encode() + b";ANDR\xc9 \x81\n")
    df = read_table(path)
    assert df["NAMA"].tolist() == ["ANDR\xc9 \x81"]
    assert df["NIK"].tolist() == [NIK_A]


def test_csv_quoted_fields_with_separator_inside(tmp_path: Path) -> None:
    text = f'NIK,NAMA,ALAMAT\n{NIK_A},"BUDI, S.PD","KP. CIUDIK, DESA PAHLAWAN SETIA"\n'
    df = read_table(_write(tmp_path / "x.csv", text))
    assert df.loc[0, "NAMA"] == "BUDI, S.PD"
    assert df.loc[0, "ALAMAT"] == "KP. CIUDIK, DESA PAHLAWAN SETIA"


def test_semicolon_file_with_commas_in_addresses(tmp_path: Path) -> None:
    text = (f"NIK;NAMA;ALAMAT\n{NIK_A};BUDI;KP. CIUDIK RT 03, DESA PAHLAWAN SETIA, KEC. TARUMAJAYA\n"
            f"{NIK_B};SITI;KP. GARDU, SAGARA MAKMUR\n")
    df = read_table(_write(tmp_path / "x.csv", text))
    assert list(df.columns) == ["NIK", "NAMA", "ALAMAT"]
    assert df.loc[1, "ALAMAT"] == "KP. GARDU, SAGARA MAKMUR"


def test_tsv_and_txt_suffixes_and_explicit_sep(tmp_path: Path) -> None:
    tsv = read_table(_write(tmp_path / "a.tsv", f"NIK\tNAMA\n{NIK_A}\tBUDI, S\n"))
    assert tsv.values.tolist() == [[NIK_A, "BUDI, S"]]
    txt = read_table(_write(tmp_path / "a.txt", f"NIK|NAMA\n{NIK_A}|BUDI\n"))
    assert txt.values.tolist() == [[NIK_A, "BUDI"]]
    forced = read_table(_write(tmp_path / "b.csv", f"NIK;NAMA\n{NIK_A};A,B\n"), sep=";")
    assert forced.values.tolist() == [[NIK_A, "A,B"]]


def test_leading_zeros_and_all_16_digits_are_kept(tmp_path: Path) -> None:
    text = f"ID,NIK,RT,RW,KODE_POS\n0001,{NIK_C},003,012,17211\n0002,{NIK_A},000,001,07011\n"
    df = read_table(_write(tmp_path / "x.csv", text))
    assert df["ID"].tolist() == ["0001", "0002"]
    assert df["NIK"].tolist() == [NIK_C, NIK_A]
    assert df["RT"].tolist() == ["003", "000"]
    assert df["KODE_POS"].tolist() == ["17211", "07011"]
    assert all(isinstance(v, str) for v in df.to_numpy().ravel())


def test_utf8_bom_is_not_part_of_the_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfNIK;NAMA\n" + NIK_A.encode() + b";BUDI\n")
    df = read_table(path)
    assert list(df.columns) == ["NIK", "NAMA"]
    assert detect_columns(df).mapping["nik"] == "NIK"


def test_utf8_bom_in_a_file_that_falls_back_to_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfNIK,NAMA\n" + NIK_A.encode() + b",JOS\xe9\n")  # BOM, then a cp1252 byte
    df = read_table(path)
    assert list(df.columns) == ["NIK", "NAMA"]
    assert df["NAMA"].tolist() == ["JOSé"]


def test_utf16_unicode_text_export(tmp_path: Path) -> None:
    # Excel's "Unicode Text" export: UTF-16 with a BOM, tab-separated
    path = tmp_path / "export.txt"
    path.write_bytes(f"NIK\tNAMA\r\n{NIK_A}\tJOSÉ\r\n".encode("utf-16"))
    df = read_table(path)
    assert df.values.tolist() == [[NIK_A, "JOSÉ"]]


def test_blank_lines_and_empty_rows_are_skipped_empty_cells_are_none(tmp_path: Path) -> None:
    text = f"NIK;NAMA;RT\n\n{NIK_A};BUDI;\n;;\n\n{NIK_B};;004\n\n"
    df = read_table(_write(tmp_path / "x.csv", text))
    assert df.values.tolist() == [[NIK_A, "BUDI", None], [NIK_B, None, "004"]]


def test_short_rows_are_padded_long_rows_raise_naming_the_line(tmp_path: Path) -> None:
    short = read_table(_write(tmp_path / "short.csv", f"NIK,NAMA,RT\n{NIK_A},BUDI\n"))
    assert short.values.tolist() == [[NIK_A, "BUDI", None]]
    with pytest.raises(SourceError, match=r"source 'long'.*line 3"):
        read_table(_write(tmp_path / "long.csv", f"NIK,NAMA\n{NIK_A},BUDI\n{NIK_B},SITI,EXTRA\n"))


def test_duplicate_headers_are_kept_and_detection_reports_the_ambiguity(tmp_path: Path, caplog) -> None:
    text = f"NIK;NAMA;NIK\n{NIK_A};BUDI;{NIK_B}\n"
    with caplog.at_level(logging.WARNING, logger="linkmiskin"):
        df = read_table(_write(tmp_path / "dup.csv", text))
    assert list(df.columns) == ["NIK", "NAMA", "NIK__2"]
    assert df.values.tolist() == [[NIK_A, "BUDI", NIK_B]]
    assert "duplicate column headers" in caplog.text
    with pytest.raises(ColumnMappingError) as err:
        detect_columns(df, source="dup")
    assert "'NIK'" in str(err.value) and "'NIK__2'" in str(err.value) and "source 'dup'" in str(err.value)
    # the user can say which one
    assert detect_columns(df, {"nik": "NIK__2"}, source="dup").mapping["nik"] == "NIK__2"


def test_blank_headers_get_a_name(tmp_path: Path) -> None:
    df = read_table(_write(tmp_path / "x.csv", f"NIK,,NAMA\n{NIK_A},x,BUDI\n"))
    assert list(df.columns) == ["NIK", "column_2", "NAMA"]


# --------------------------------------------------------------------------------------------------------
# errors that name the source
# --------------------------------------------------------------------------------------------------------
def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"source 'kosong'.*empty"):
        read_table(_write(tmp_path / "kosong.csv", ""))
    with pytest.raises(SourceError, match=r"source 'spasi'.*empty"):
        read_table(_write(tmp_path / "spasi.csv", "\n \r\n"))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"source 'p3ke'.*header but no rows"):
        read_table(_write(tmp_path / "x.csv", "NIK;NAMA\n;\n\n"), source="p3ke")


def test_missing_file_folder_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"source 'dtks'.*not found"):
        read_table(tmp_path / "dtks.csv")
    with pytest.raises(SourceError, match=r"source 'bpjs'.*folder"):
        read_table(tmp_path, source="bpjs")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(SourceError, match=r"source 'list'.*unsupported file type '.json'"):
        read_table(tmp_path / "list.json")


def test_source_error_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        read_table(tmp_path / "nothing.xlsx")


def test_broken_excel_and_parquet_files(tmp_path: Path) -> None:
    (tmp_path / "fake.xlsx").write_text("NIK,NAMA\n")
    with pytest.raises(SourceError, match=r"source 'fake'.*not a readable Excel"):
        read_table(tmp_path / "fake.xlsx")
    # an old binary .xls (no xlrd installed) and an HTML table saved as .xls, as some portals export
    (tmp_path / "lama.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(SourceError, match=r"source 'lama'.*save it as .xlsx or CSV"):
        read_table(tmp_path / "lama.xls")
    (tmp_path / "siks.xls").write_text("<html><table><tr><td>NIK</td></tr></table></html>")
    with pytest.raises(SourceError, match=r"source 'siks'.*not a readable Excel"):
        read_table(tmp_path / "siks.xls")
    (tmp_path / "fake.parquet").write_text("NIK,NAMA\n")
    with pytest.raises(SourceError, match=r"source 'fake'.*not a readable Parquet"):
        read_table(tmp_path / "fake.parquet")


# --------------------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------------------
def test_excel_first_sheet_and_named_sheet(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "dtks.xlsx", {
        "DTKS": [["NIK", "NAMA", "RT"], [NIK_A, "BUDI", "003"], [NIK_B, "SITI", "004"]],
        "BLT DD": [["NO", "NIK", "NAMA_KPM"], [1, NIK_C, "H. SOLEH"]],
    }, text_columns=(0, 1, 2))
    first = read_table(path)
    assert first.values.tolist() == [[NIK_A, "BUDI", "003"], [NIK_B, "SITI", "004"]]
    assert _numeric(first) == {}
    named = read_table(path, sheet="BLT DD")
    assert named.values.tolist() == [["1", NIK_C, "H. SOLEH"]]
    assert _numeric(named) == {"NO": [0]}
    by_position = read_table(path, sheet=1)
    assert by_position.values.tolist() == named.values.tolist()


def test_excel_unknown_sheet_names_the_source_and_lists_sheets(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "dtks.xlsx", {"DTKS": [["NIK"], [NIK_A]]})
    with pytest.raises(SourceError, match=r"source 'dtks'.*'P3KE'.*sheets are: 'DTKS'"):
        read_table(path, sheet="P3KE")
    with pytest.raises(SourceError, match=r"source 'dtks'"):
        read_table(path, sheet=5)


def test_excel_numeric_nik_cell_is_flagged_and_becomes_excel_damaged(tmp_path: Path) -> None:
    # Excel keeps 15 significant digits: a NIK typed into a number cell has lost its 16th digit
    damaged = int(NIK_C)  # 3216011504780010 as a number cell
    path = _xlsx(tmp_path / "blt.xlsx", {"KPM BLT DD": [
        ["NO", "NIK", "NAMA_KPM", "RT"],
        [1, NIK_A, "H. HAMDANI", "007"],
        [2, damaged, "SUPRIATNA", 3],
        [3, NIK_C, "SOLEH", "001"],
    ]}, text_columns=(1, 3))
    df = read_table(path)
    assert df["NIK"].tolist() == [NIK_A, NIK_C, NIK_C]          # the same digits as text ...
    assert _numeric(df) == {"NO": [0, 1, 2], "NIK": [1], "RT": [1]}  # ... but row 1 was a number
    assert df["RT"].tolist() == ["007", "3", "001"]
    std = standardize(path)
    assert std["nik_status"].tolist() == ["valid", "excel_damaged", "valid"]
    # the flag survives reading first and standardising the frame afterwards
    again = standardize(df, source="blt")
    assert again["nik_status"].tolist() == ["valid", "excel_damaged", "valid"]
    # ... and selecting rows (the flag follows the row, not the position)
    again = standardize(df.iloc[[2, 1]], source="blt")
    assert again["nik_status"].tolist() == ["valid", "excel_damaged"]


def test_excel_number_shown_in_e_notation_and_dates(tmp_path: Path) -> None:
    import datetime as dt

    path = _xlsx(tmp_path / "x.xlsx", {"S": [
        ["NIK", "TGL_LAHIR", "NILAI"],
        [3.21601250970e15, dt.datetime(1970, 9, 25), 1.5],
        [None, dt.datetime(2021, 11, 30, 8, 30), None],
    ]})
    df = read_table(path)
    assert df["NIK"].tolist() == ["3216012509700000", None]
    assert df["TGL_LAHIR"].tolist() == ["1970-09-25", "2021-11-30T08:30:00"]
    assert df["NILAI"].tolist() == ["1.5", None]
    assert _numeric(df) == {"NIK": [0], "NILAI": [0]}


def test_excel_blank_rows_and_header_only(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "x.xlsx", {"S": [["NIK", "NAMA"], [NIK_A, "BUDI"], [None, None], [NIK_B, "SITI"]]},
                 text_columns=(0,))
    assert read_table(path).values.tolist() == [[NIK_A, "BUDI"], [NIK_B, "SITI"]]
    empty = _xlsx(tmp_path / "kosong.xlsx", {"S": [["NIK", "NAMA"]]})
    with pytest.raises(SourceError, match=r"source 'kosong'.*header but no rows"):
        read_table(empty)


def test_excel_duplicate_headers(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "x.xlsx", {"S": [["NIK", "NAMA", "NIK"], [NIK_A, "BUDI", NIK_B]]}, text_columns=(0, 2))
    df = read_table(path)
    assert list(df.columns) == ["NIK", "NAMA", "NIK__2"]
    with pytest.raises(ColumnMappingError, match=r"'NIK'.*'NIK__2'"):
        detect_columns(df, source="x")


# --------------------------------------------------------------------------------------------------------
# Parquet and DataFrames
# --------------------------------------------------------------------------------------------------------
def test_parquet(tmp_path: Path) -> None:
    src = pd.DataFrame({"NIK": [NIK_A, None], "NAMA": ["BUDI", "SITI"], "RT": ["003", "010"],
                        "DESIL": [1, 2]})
    path = tmp_path / "p3ke.parquet"
    src.to_parquet(path)
    df = read_table(path)
    assert df.values.tolist() == [[NIK_A, "BUDI", "003", "1"], [None, "SITI", "010", "2"]]
    assert _numeric(df) == {"DESIL": [0, 1]}
    assert df.attrs["source_path"] == str(path)


def test_dataframe_input_becomes_text_without_touching_the_input() -> None:
    src = pd.DataFrame({
        "NIK": [NIK_A, 3216011504780010.0, None, np.nan],
        "NAMA": ["BUDI", "SITI", pd.NA, ""],
        "RT": pd.array([3, None, 12, 1], dtype="Int64"),
        "TGL": pd.to_datetime(["1970-09-25", None, "2001-01-02", "1999-12-31"]),
        "MIX": ["a", 2, pd.NaT, 1.5],
        "KAT": pd.Categorical(["L", "P", None, "L"]),
    }, index=[10, 11, 12, 13])
    before = src.copy()
    df = read_table(src, source="bansos")
    assert df.index.tolist() == [0, 1, 2, 3]
    assert df["NIK"].tolist() == [NIK_A, NIK_C, None, None]
    assert df["NAMA"].tolist() == ["BUDI", "SITI", None, ""]
    assert df["RT"].tolist() == ["3", None, "12", "1"]
    assert df["TGL"].tolist() == ["1970-09-25", None, "2001-01-02", "1999-12-31"]
    assert df["MIX"].tolist() == ["a", "2", None, "1.5"]
    assert df["KAT"].tolist() == ["L", "P", None, "L"]
    assert _numeric(df) == {"NIK": [1], "RT": [0, 2, 3], "MIX": [1, 3]}
    pd.testing.assert_frame_equal(src, before)
    df.loc[0, "NAMA"] = "CHANGED"
    assert src.loc[10, "NAMA"] == "BUDI"


def test_dataframe_with_float_nik_column_is_flagged() -> None:
    # what pandas.read_excel gives for a column of number cells
    src = pd.DataFrame({"NIK": [3216012509700000.0, np.nan], "NAMA": ["A", "B"]})
    std = standardize(src)
    assert std["nik_status"].tolist() == ["excel_damaged", "missing"]


def test_empty_dataframe_has_no_rows_but_keeps_columns() -> None:
    df = read_table(pd.DataFrame({"NIK": pd.Series([], dtype=object)}))
    assert list(df.columns) == ["NIK"] and len(df) == 0


# --------------------------------------------------------------------------------------------------------
# Title rows above the headings
# --------------------------------------------------------------------------------------------------------
def test_csv_title_rows_above_the_header_are_found_and_logged(tmp_path: Path, caplog) -> None:
    text = ("DATA PENERIMA BANTUAN SOSIAL KABUPATEN BEKASI TAHUN 2025;;;;\n"
            "KECAMATAN TARUMAJAYA;;;;\n"
            ";;;;\n"
            "NO;NIK;NAMA;RT;RW\n"
            f"1;{NIK_A};BUDI, S.PD;003;005\n"
            f"2;{NIK_B};SITI;003;005\n")
    with caplog.at_level(logging.INFO, logger="linkmiskin"):
        df = read_table(_write(tmp_path / "bansos.csv", text))
    assert list(df.columns) == ["NO", "NIK", "NAMA", "RT", "RW"]
    assert df["NIK"].tolist() == [NIK_A, NIK_B]
    assert df["NAMA"].tolist() == ["BUDI, S.PD", "SITI"]
    assert "header found on row 4; rows 1-3 are a title" in caplog.text


def test_csv_title_line_with_one_field_and_a_comma_in_it(tmp_path: Path) -> None:
    # the title has fewer fields than the table (pandas would refuse the table's lines) and a comma
    text = (f"\"REKAP DTKS DESA SETIA ASIH, KAB. BEKASI\"\n\nNIK;NAMA;ALAMAT\n{NIK_A};BUDI;KP. CIUDIK\n"
            f"{NIK_B};SITI;KP. CIUDIK\n")
    df = read_table(_write(tmp_path / "rekap.csv", text))
    assert list(df.columns) == ["NIK", "NAMA", "ALAMAT"]
    assert len(df) == 2


def test_first_row_header_is_unchanged_and_not_logged(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="linkmiskin"):
        df = read_table(_write(tmp_path / "x.csv", f"NIK,NAMA\n{NIK_A},BUDI\n"))
    assert list(df.columns) == ["NIK", "NAMA"]
    assert "header found" not in caplog.text


def test_header_parameter_overrides_detection(tmp_path: Path, caplog) -> None:
    # a sub-heading row that fills the width: detection would take row 2, the user says row 3
    text = (f"DATA 2025,,\nIDENTITAS,IDENTITAS,ALAMAT\nNIK,NAMA,ALAMAT\n{NIK_A},BUDI,KP. CIUDIK\n")
    path = _write(tmp_path / "x.csv", text)
    assert list(read_table(path).columns)[0] == "IDENTITAS"
    with caplog.at_level(logging.INFO, logger="linkmiskin"):
        df = read_table(path, header=3)
    assert list(df.columns) == ["NIK", "NAMA", "ALAMAT"]
    assert df["NIK"].tolist() == [NIK_A]
    assert "header on row 3, as given" in caplog.text
    with pytest.raises(SourceError, match="row number"):
        read_table(path, header=0)


def test_excel_title_rows_keep_the_number_cell_record(tmp_path: Path, caplog) -> None:
    path = _xlsx(tmp_path / "dtks.xlsx", {"DTKS": [
        [None, None, None],
        ["DATA TERPADU KESEJAHTERAAN SOSIAL KABUPATEN BEKASI 2025", None, None],
        [None, None, None],
        ["NIK", "NAMA", "RT"],
        [int(NIK_A), "BUDI", 3],
        [NIK_B, "SITI", "003"],
        [3216011504780010, "ANI", 4],
    ]}, text_columns=(0,))
    with caplog.at_level(logging.INFO, logger="linkmiskin"):
        df = read_table(path)
    assert list(df.columns) == ["NIK", "NAMA", "RT"]
    assert df["NIK"].tolist() == [NIK_A, NIK_B, "3216011504780010"]
    assert _numeric(df)["NIK"] == [0, 2]  # rows of the table, not of the sheet
    assert "header found on row 4; rows 1-3 are a title" in caplog.text
    std = standardize(path)
    assert std["name"].tolist() == ["BUDI", "SITI", "ANI"]
    assert std["nik_status"].tolist()[1:] == ["valid", "excel_damaged"]  # a number cell ending in 0
    forced = read_table(path, header=4)
    assert _numeric(forced)["NIK"] == [0, 2]


def test_a_heading_row_with_many_blank_headings_is_still_the_header(tmp_path: Path) -> None:
    text = f"NIK,NAMA,RT,,,,,,,\n{NIK_A},BUDI,3,a,b,c,d,e,f,g\n{NIK_B},SITI,4,a,b,c,d,e,f,g\n"
    df = read_table(_write(tmp_path / "x.csv", text))
    assert list(df.columns)[:4] == ["NIK", "NAMA", "RT", "column_4"]
    assert df["NIK"].tolist() == [NIK_A, NIK_B]


def test_a_two_row_heading_with_merged_cells_is_read_as_one_row(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["DATA KPM SEMBAKO KABUPATEN CONTOH 2024"])
    ws.append([])
    ws.append(["NO", "DATA KPM", None, None, "ALAMAT", None, "JML ART"])
    ws.append([None, "NIK", "NAMA", "TGL LAHIR", "RT", "DESA", None])
    ws.append([1, 3216075505800001, "SITI AMINAH", "15-05-1980", "003", "SUKAMAJU", 4])
    ws.append([2, 3216071204750002, "BUDI SANTOSO", "12-04-1975", "001", "SUKARAJA", 3])
    for cells in ("A3:A4", "B3:D3", "E3:F3", "G3:G4"):
        ws.merge_cells(cells)
    wb.save(tmp_path / "kpm.xlsx")
    df = read_table(tmp_path / "kpm.xlsx", source="kpm")
    assert list(df.columns) == ["NO", "NIK", "NAMA", "TGL LAHIR", "RT", "DESA", "JML ART"]
    assert df["NAMA"].tolist() == ["SITI AMINAH", "BUDI SANTOSO"]
    assert set(df.attrs["numeric_cells"]["NIK"]) == {0, 1}     # the Excel number cells are still known
    # the same heading written to CSV (merged cells leave their other cells blank)
    (tmp_path / "kpm.csv").write_text("NO,DATA KPM,,,ALAMAT,,JML ART\n,NIK,NAMA,TGL LAHIR,RT,DESA,\n"
                                      "1,3216075505800001,SITI AMINAH,15-05-1980,003,SUKAMAJU,4\n", encoding="utf-8")
    assert list(read_table(tmp_path / "kpm.csv", source="kpm").columns) == list(df.columns)


def test_a_heading_with_blank_cells_over_data_rows_stays_one_row(tmp_path: Path) -> None:
    # the row below fills the blank heading and leaves a cell empty, but it holds data, not headings
    (tmp_path / "x.csv").write_text("NAMA,ALAMAT,,DESA\nSITI AMINAH,,CATATAN,SUKAMAJU\n"
                                    "BUDI SANTOSO,KP X,,SUKARAJA\n", encoding="utf-8")
    df = read_table(tmp_path / "x.csv", source="x")
    assert list(df.columns)[:2] == ["NAMA", "ALAMAT"] and len(df) == 2
    # a heading given with header= is taken as it is
    (tmp_path / "y.csv").write_text("NO,DATA KPM,\n,NIK,NAMA\n1,3216075505800001,SITI\n", encoding="utf-8")
    assert read_table(tmp_path / "y.csv", source="y", header=1).columns[1] == "DATA KPM"
