"""Issue 14: no NIK leaks, no formula injection, validation of inputs and model files, no silent choices.

Every case of the issue is reproduced on generated data (``synthetic.generate(households=60, seed=1)``).
"""

from __future__ import annotations

import csv
import json
import logging
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import linkmiskin as lm
from linkmiskin.linkage import Linker, LinkError
from linkmiskin.review import calibration as cal
from linkmiskin.standardise.columns import ColumnMappingError
from linkmiskin.synthetic import generator as synthetic

REGION = "32.16"
ID_RUN = re.compile(r"(?<!\d\.)(?<!\d)\d{15,}")   # a NIK or KK (not the decimals of a float)


def _leaks(text: str) -> list[str]:
    return ID_RUN.findall(text)


@pytest.fixture(scope="module")
def data():
    return synthetic.generate(households=60, seed=1)


@pytest.fixture(scope="module")
def linked(data):
    lk = Linker({"dtks": data.sources["dtks"], "bpjs": data.sources["bpjs_pbi"]}, region=REGION, progress=False)
    res = lk.cluster()
    return lk, res


# ==================================================================================== 1. masking pass

def test_headerless_csv_error_does_not_list_full_niks(data, tmp_path):
    dt = data.sources["dtks"]
    dt.to_csv(tmp_path / "nh.csv", index=False, header=False)
    with pytest.raises(ColumnMappingError) as ei:
        lm.link({"dtks": tmp_path / "nh.csv", "bpjs": data.sources["bpjs_pbi"]}, region=REGION, progress=False)
    msg = str(ei.value)
    assert "columns are:" in msg
    assert _leaks(msg) == []
    assert dt["NIK"].iloc[0][:4] + "********" + dt["NIK"].iloc[0][-4:] in msg


def test_not_used_report_and_duplicate_heading_warning_are_masked(data, caplog):
    dt = data.sources["dtks"].copy()
    nik = dt["NIK"].iloc[0]
    extra = pd.DataFrame([[1, 2]] * len(dt), columns=[nik, nik])   # two columns headed by one NIK
    df = pd.concat([dt, extra], axis=1)
    with caplog.at_level(logging.DEBUG, logger="linkmiskin"):
        std = lm.standardize(df, region=REGION, source="dtks")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "duplicate column headers" in text and "not used:" in text
    assert _leaks(text) == []
    cm = std.attrs["column_mapping"]
    assert _leaks(repr(cm)) == [] and _leaks(cm.report()) == []


def _all_nik_list(data) -> tuple[pd.DataFrame, dict[str, str]]:
    """DTKS with every heading a NIK, a NIK as record id, and an unused and a duplicated NIK heading."""
    dt = data.sources["dtks"].reset_index(drop=True).copy()
    rng = np.random.default_rng(3)
    dt["ID_DTKS"] = [f"3216{int(x):012d}" for x in rng.choice(10**12, size=len(dt), replace=False)]
    heads = [f"32160{i:02d}50885{i:04d}" for i in range(len(dt.columns))]
    mapping = dict(zip(dt.columns, heads, strict=True))
    dt.columns = heads
    dup = pd.DataFrame({"a": dt[mapping["NIK"]], "b": dt[mapping["NO_KK"]]})
    dup.columns = ["3216999999990001", "3216999999990001"]
    dt = pd.concat([dt, dup], axis=1)
    fields = {"record_id": "ID_DTKS", "nik": "NIK", "kk": "NO_KK", "name": "NAMA", "birth_date": "TGL_LAHIR",
              "sex": "JENIS_KELAMIN", "relationship": "HUB_KELUARGA", "address": "ALAMAT", "rt": "RT",
              "rw": "RW", "desa": "DESA_KELURAHAN", "kecamatan": "KECAMATAN"}
    return dt, {f: mapping[c] for f, c in fields.items()}


def test_no_full_nik_in_any_output(data, tmp_path, caplog):
    from linkmiskin.report.charts import match_weight_histogram, threshold_selection_chart
    from linkmiskin.report.html import write_report

    dt, cols = _all_nik_list(data)
    outputs: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="linkmiskin"), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = lm.link({"dtks": dt, "bpjs": data.sources["bpjs_pbi"]}, columns={"dtks": cols}, region=REGION,
                      progress=False)
        sample = cal.review_sample(res, n=60, seed=1, path=tmp_path / "review.xlsx", show_scores=True)
        back = cal.read_review(tmp_path / "review.xlsx")
        write_report(res, tmp_path / "report.html")
        est = cal.label_free_estimates(res)
        charts = [threshold_selection_chart(label_free=est), match_weight_histogram(res)]
        res.save(tmp_path / "out", formats=("parquet", "csv", "xlsx"), mask_ids=True)
        for bad in ({"name": "NAMA_KRT"}, {"name": "3216000000000009"}):
            try:
                lm.link({"dtks": dt}, columns={"dtks": {**cols, **bad}}, region=REGION, progress=False)
            except ColumnMappingError as e:
                outputs.append(str(e))
    assert len(outputs) == 2
    assert (sample["record_id_l"].str.fullmatch(r"\d{16}") | sample["record_id_r"].str.fullmatch(r"\d{16}")).any()
    outputs += [r.getMessage() for r in caplog.records] + [str(x.message) for x in w]
    outputs += [repr(res), str(res.summary()), repr(res.column_mapping), res.column_mapping["dtks"].report(),
                str(back), (tmp_path / "report.html").read_text(encoding="utf-8")]
    outputs += [c.svg + c.to_html() + repr(c) for c in charts]
    files = sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file()) + [tmp_path / "review.xlsx"]
    for f in files:
        if f.suffix == ".xlsx":
            wb = load_workbook(f)
            outputs += [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                        if c.value is not None]
        elif f.suffix == ".parquet":
            outputs.append(pd.read_parquet(f).to_csv(index=False))
        else:
            outputs.append(f.read_text(encoding="utf-8"))
    assert any("3216****" in o for o in outputs)      # the ids are there, masked
    leaks = [(i, m, o[max(0, o.find(m) - 80):o.find(m) + 40]) for i, o in enumerate(outputs) for m in _leaks(o)]
    assert leaks == []
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert meta["ids_masked"] is True


def test_masking_filter_masks_log_arguments(caplog):
    log = logging.getLogger("linkmiskin")
    with caplog.at_level(logging.DEBUG, logger="linkmiskin"):
        log.debug("id %s and %r", "3216064508850003", ["3216061203800001"])
    assert caplog.records[-1].getMessage() == "id 3216********0003 and ['3216********0001']"


# =========================================================================== 2. review workbook ids

def test_review_workbook_masks_nik_record_ids_and_reads_back(data, tmp_path):
    # lists whose only id is a NIK-like number (the records keep their duplicates, as real lists do)
    rng = np.random.default_rng(5)
    dt = data.sources["dtks"].copy()
    bp = data.sources["bpjs_pbi"].copy()
    ids = [f"3216{int(x):012d}" for x in rng.choice(10**12, size=len(dt) + len(bp), replace=False)]
    dt["ID_DTKS"], bp["NO_KARTU"] = ids[:len(dt)], ids[len(dt):]
    res = lm.link({"dtks": dt, "bpjs": bp}, region=REGION, progress=False)
    path = tmp_path / "review.xlsx"
    sample = cal.review_sample(res, n=40, seed=2, path=path)
    assert sample["record_id_l"].str.fullmatch(r"\d{16}").all()      # the ids are NIKs
    wb = load_workbook(path)
    assert wb["meta"].sheet_state == "hidden"
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [m for c in cells for m in _leaks(c)] == []
    # the labels still map back to the pairs: by review id, and with the sample to the full ids
    ws = wb["review"]
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, head.index("label") + 1).value = "match" if r % 2 else "non-match"
    wb.save(path)
    got = cal.read_review(path)
    assert got["record_id_l"].str.contains(r"\*{8}").all()
    full = cal.read_review(path, sample=sample)
    want = sample.sort_values("review_id").reset_index(drop=True)
    assert full["record_id_l"].tolist() == want["record_id_l"].tolist()
    assert full["record_id_r"].tolist() == want["record_id_r"].tolist()
    assert full["label"].notna().all()
    other = sample.copy()
    other.loc[other.index[0], "record_id_l"] = "3216000000000001"
    with pytest.raises(cal.ReviewError, match="another pair"):
        cal.read_review(path, sample=other)


# ========================================================================== 3. formula injection

HOSTILE = ['=HYPERLINK("http://x","y")', "=2+2", "+1", "-3+4", "@SUM(A1)", "\tTAB", "=cmd|' /C calc'!A0"]


def _hostile_sources(data):
    dt = data.sources["dtks"].copy()
    bp = data.sources["bpjs_pbi"].copy()
    dt.loc[dt.index[0], "NAMA"] = HOSTILE[0]
    for i, v in enumerate(["=2+2", "+1", "-3+4", "@SUM(A1)"]):
        dt.loc[dt.index[i + 1], "ID_DTKS"] = v
    dt.loc[dt.index[6], "ALAMAT"] = HOSTILE[6]
    bp.loc[bp.index[0], "NAMA_PESERTA"] = HOSTILE[5]
    return {"=1+1": dt, "bpjs": bp}


def _formula_cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f"]


def test_review_workbook_has_no_formula_cells_and_reads_back(data, tmp_path):
    res = lm.link(_hostile_sources(data), region=REGION, progress=False)
    path = tmp_path / "review.xlsx"
    sample = cal.review_sample(res, n=10_000, seed=0, path=path)   # every pair: the hostile ones are in
    assert (sample["source_l"] == "=1+1").any()
    assert {"=2+2", "+1", "-3+4", "@SUM(A1)"} & (set(sample["record_id_l"]) | set(sample["record_id_r"]))
    assert _formula_cells(path) == []
    got = cal.read_review(path)                       # the untouched file is accepted
    assert len(got) == len(sample)
    assert set(got["record_id_l"]) | set(got["record_id_r"]) >= (
        set(sample["record_id_l"]) | set(sample["record_id_r"]))
    assert "=1+1" in set(got["source_l"]) | set(got["source_r"])


def test_saved_csv_and_xlsx_are_formula_safe(data, tmp_path):
    res = lm.link(_hostile_sources(data), region=REGION, progress=False)
    out = res.save(tmp_path / "out", formats=("csv", "xlsx"))
    for name in ("records", "pairs", "households"):
        assert _formula_cells(out / f"{name}.xlsx") == []
        with open(out / f"{name}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        bad = []
        for row in rows:
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r"):
                    bad.append(cell)
                elif cell[:1] == "-":                  # only numbers may start with a minus
                    try:
                        float(cell)
                    except ValueError:
                        bad.append(cell)
        assert bad == [], name
    rec = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    assert "'=2+2" in set(rec["record_id"]) and "'=1+1" in set(rec["source"])
    assert "'" + HOSTILE[0] in set(rec["name_raw"])
    pairs = pd.read_csv(out / "pairs.csv")
    assert (pairs["match_weight"] < 0).any()          # negative numbers stay numbers


def test_safe_cells_helpers():
    from linkmiskin.safe_cells import csv_text, safe_frame_for_csv

    df = pd.DataFrame({"t": ["=1", "-x", "ok", None], "n": [-1.5, 2.0, -3.0, np.nan]})
    out = safe_frame_for_csv(df)
    assert out["t"].tolist()[:3] == ["'=1", "'-x", "ok"] and out["t"].isna().iloc[3]
    assert out["n"].tolist()[:3] == [-1.5, 2.0, -3.0]
    assert csv_text("@x") == "'@x" and csv_text(5) == 5


# ============================================================================ 6. model files run SQL

def _saved_model(linked, tmp_path) -> tuple[Path, dict]:
    lk, _ = linked
    p = lk.save_model(tmp_path / "model.json")
    return p, json.loads(p.read_text())


def test_model_file_with_edited_sql_is_rejected(linked, data, tmp_path):
    p, payload = _saved_model(linked, tmp_path)
    lv = payload["splink_model"]["comparisons"][0]["comparison_levels"][1]
    lv["sql_condition"] = "length(read_text('/etc/hostname')) > 0"
    p.write_text(json.dumps(payload))
    with pytest.raises(LinkError, match=r"comparison 'nik', level 1 .*SQL condition"):
        Linker.load(p, sources={"dtks": data.sources["dtks"]}, progress=False)


@pytest.mark.parametrize("edit, pattern", [
    (lambda m: m["blocking_rules_to_generate_predictions"].append({"blocking_rule": "1=1", "sql_dialect": "duckdb"}),
     "blocking_rules_to_generate_predictions"),
    (lambda m: m.__setitem__("additional_columns_to_retain", ["read_text('/etc/passwd')"]),
     "additional_columns_to_retain"),
    (lambda m: m["comparisons"][1]["comparison_levels"][1].__setitem__("m_probability", "0.5"), "m_probability"),
    (lambda m: m["comparisons"][1]["comparison_levels"][1].__setitem__("tf_adjustment_column", "x"),
     "comparison 'name', level 1"),
    (lambda m: m["comparisons"].pop(), "comparisons"),
    (lambda m: m.__setitem__("probability_two_random_records_match", 3), "probability_two_random"),
])
def test_model_file_settings_are_checked(linked, tmp_path, edit, pattern):
    p, payload = _saved_model(linked, tmp_path)
    edit(payload["splink_model"])
    p.write_text(json.dumps(payload))
    with pytest.raises(LinkError, match=pattern):
        Linker.load(p, progress=False)


def test_untouched_model_file_loads_and_scores_alike(linked, data, tmp_path):
    lk, _ = linked
    p, _ = _saved_model(linked, tmp_path)
    again = Linker.load(p, sources={"dtks": data.sources["dtks"], "bpjs": data.sources["bpjs_pbi"]},
                        region=REGION, progress=False)
    assert again.model["comparisons"] == lk.model["comparisons"]
    a, b = lk.predict(), again.predict()
    assert np.allclose(a["match_probability"].to_numpy(), b["match_probability"].to_numpy())


# ============================================================================== 7. validation gaps

@pytest.mark.parametrize("bad", ["0.9", True, 7, -0.1, float("nan"), [0.9]])
def test_threshold_must_be_a_probability(data, bad):
    with pytest.raises(LinkError, match="threshold must be a"):
        lm.link({"dtks": data.sources["dtks"]}, threshold=bad, region=REGION, progress=False)


def test_model_file_threshold_out_of_range_is_rejected(linked, tmp_path):
    p, payload = _saved_model(linked, tmp_path)
    payload["threshold"] = 7
    p.write_text(json.dumps(payload))
    with pytest.raises(LinkError, match="threshold"):
        Linker.load(p, progress=False)


def test_plain_cluster_after_user_threshold_uses_the_models_own(linked):
    lk, first = linked
    strict = lk.cluster(0.99)
    assert strict.threshold == 0.99 and strict.threshold_source == "user"
    again = lk.cluster()
    assert again.threshold == pytest.approx(first.threshold) and again.threshold != 0.99
    assert again.threshold_source == first.threshold_source
    assert "saved model" not in again.threshold_source


def test_loaded_model_threshold_is_kept_after_user_threshold(linked, data, tmp_path):
    p, payload = _saved_model(linked, tmp_path)
    payload["threshold"] = 0.77
    p.write_text(json.dumps(payload))
    again = Linker.load(p, sources={"dtks": data.sources["dtks"], "bpjs": data.sources["bpjs_pbi"]},
                        region=REGION, progress=False)
    assert again.cluster(0.95).threshold == 0.95
    r = again.cluster()
    assert r.threshold == 0.77 and r.threshold_source == "saved model"


def test_save_xlsx_writes_workbooks_and_unknown_format_is_an_error(linked, tmp_path):
    _, res = linked
    out = res.save(tmp_path / "x", formats=("xlsx",))
    assert {p.name for p in out.glob("*.xlsx")} == {"records.xlsx", "pairs.xlsx", "households.xlsx"}
    wb = load_workbook(out / "records.xlsx")
    assert wb["records"].max_row == len(res.records) + 1
    with pytest.raises(LinkError, match="parquet, csv, xlsx"):
        res.save(tmp_path / "y", formats=("xls",))
    with pytest.raises(LinkError, match="formats"):
        res.save(tmp_path / "y", formats=())


@pytest.mark.parametrize("src, pattern", [(None, "'p3ke' is None"), ([1, 2], "'p3ke' is a list"),
                                          (42, "'p3ke' is a int")])
def test_source_of_wrong_type_names_the_source(data, src, pattern):
    with pytest.raises(LinkError, match=pattern):
        lm.link({"dtks": data.sources["dtks"], "p3ke": src}, region=REGION, progress=False)


@pytest.mark.parametrize("columns, pattern", [(["NIK"], "columns must be a dict"),
                                              ({"dtks": "NIK"}, "columns for source 'dtks'"),
                                              ({"dtks": {"nik": 5}}, "columns for source 'dtks'")])
def test_columns_of_wrong_type_is_a_clear_error(data, columns, pattern):
    with pytest.raises(LinkError, match=pattern):
        lm.link({"dtks": data.sources["dtks"]}, columns=columns, region=REGION, progress=False)


def test_truncated_model_file_names_the_path(linked, tmp_path):
    p, _ = _saved_model(linked, tmp_path)
    p.write_text(p.read_text()[:500])
    with pytest.raises(LinkError, match=re.escape(str(p))):
        Linker.load(p, progress=False)


def test_temp_folder_with_a_quote_and_memory_setting(data, tmp_path, monkeypatch):
    import tempfile

    odd = tmp_path / "it's here"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    lk = Linker({"dtks": data.sources["dtks"]}, region=REGION, progress=False)
    got = lk._con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert got.startswith(str(odd))
    monkeypatch.setenv("LINKMISKIN_DUCKDB_MEMORY", "1GB'; SET threads=1; --")
    with pytest.raises(LinkError, match="LINKMISKIN_DUCKDB_MEMORY"):
        Linker({"dtks": data.sources["dtks"]}, region=REGION, progress=False)
    monkeypatch.setenv("LINKMISKIN_DUCKDB_MEMORY", "800MiB")
    Linker({"dtks": data.sources["dtks"]}, region=REGION, progress=False)


# ============================================================================== 8. silent choices

def test_excel_with_two_sheets_warns_and_sheet_can_be_chosen(data, tmp_path):
    path = tmp_path / "dtks.xlsx"
    with pd.ExcelWriter(path) as w:
        data.sources["dtks"].to_excel(w, sheet_name="DTKS", index=False)
        data.sources["bpjs_pbi"].to_excel(w, sheet_name="Tambahan", index=False)
    with pytest.warns(UserWarning, match=r"2 sheets.*'Tambahan'.*sheet="):
        first = lm.read_table(path)
    assert len(first) == len(data.sources["dtks"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = lm.read_table(path, sheet="Tambahan")
    assert len(second) == len(data.sources["bpjs_pbi"])


def test_excel_with_an_empty_default_second_sheet_does_not_warn(tmp_path):
    wb = Workbook()
    wb.active.append(["NIK", "NAMA"])
    wb.active.append(["3216064508850003", "SITI"])
    wb.create_sheet("Sheet2")
    wb.save(tmp_path / "one.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(lm.read_table(tmp_path / "one.xlsx")) == 1


def test_utf8_file_with_one_cp1252_byte_keeps_its_utf8_letters(tmp_path):
    p = tmp_path / "mix.csv"
    p.write_bytes("NIK,NAMA\n3216064508850003,JOSÉ\n".encode() + b"3216061203800001,ANDR\xc9\n")
    with pytest.warns(UserWarning, match=r"1 byte\(s\).*line 3.*cp1252"):
        df = lm.read_table(p)
    assert df["NAMA"].tolist() == ["JOSÉ", "ANDRÉ"]
    q = tmp_path / "cp.csv"                           # a plain cp1252 file still reads without a warning
    q.write_bytes("NIK,NAMA\n3216064508850003,JOSÉ\n".encode("cp1252"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lm.read_table(q)["NAMA"].tolist() == ["JOSÉ"]


def test_saving_again_removes_stale_files_and_warns_about_foreign_ones(linked, tmp_path):
    _, res = linked
    d = tmp_path / "hasil"
    res.save(d, formats=("parquet", "csv"))
    assert (d / "records.csv").exists()
    (d / "catatan.txt").write_text("not ours")
    with pytest.warns(UserWarning, match="catatan.txt"):
        res.save(d, formats=("parquet",))
    assert not (d / "records.csv").exists() and (d / "records.parquet").exists()
    assert (d / "catatan.txt").exists()
    files = json.loads((d / "linkmiskin_files.json").read_text())["files"]
    assert {"households.parquet", "metadata.json", "model.json", "pairs.parquet", "records.parquet",
            "persons.parquet"} <= set(files)
    assert not {"records.csv", "pairs.csv", "households.csv", "persons.csv", "catatan.txt"} & set(files)
    assert not (d / "persons.csv").exists()
