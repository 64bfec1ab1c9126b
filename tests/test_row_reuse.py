"""An update standardises only the new and changed rows of a changed list (``standardise/reuse.py``): the
result equals a fresh standardisation of the whole list, also when an edit moves a list-level fact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linkmiskin.standardise.records import standardize
from linkmiskin.standardise.reuse import compact_list, standardised_list, with_records
from linkmiskin.synthetic import generator as synthetic

REGION = "32.16"


def _update(old: pd.DataFrame, new: pd.DataFrame, region: str | None = REGION, via_records: bool = False):
    """(rows of ``new`` through an update from ``old``, a fresh standardisation of ``new``, rows reused)."""
    _, keep, _ = standardised_list("x", old, None, region, None, None, None)
    saved = keep
    if via_records:   # as a LinkResult keeps it: compact, rows rebuilt from a records table
        records = keep.table.copy()
        saved = with_records({"x": compact_list(keep)}, records)["x"]
    rows, kept, whole = standardised_list("x", new, None, region, None, None, {"x": saved})
    fresh = standardize(new, None, region, source="x")
    return rows, fresh, kept.rows_reused


def _people(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = np.array(["SITI", "AMINAH", "BUDI", "AGUS", "DEWI", "RINA", "JOKO", "ANDI", "NUR", "EKO"])
    day = rng.integers(1, 28, n)
    month = rng.integers(1, 12, n)
    year = rng.integers(1950, 2010, n)
    nik = [f"321607{d + 40 * (i % 2):02d}{m:02d}{y % 100:02d}{1 + i % 9000:04d}" for i, (d, m, y) in
           enumerate(zip(day, month, year, strict=True))]
    return pd.DataFrame({
        "ID": [f"R{i}" for i in range(n)],
        "NAMA": [f"{first[i % 10]} {first[(i * 7) % 10]}" for i in range(n)],
        "NIK": nik,
        "NO_KK": [f"3216070101{(i // 4):06d}" for i in range(n)],
        "TGL_LAHIR": [f"{d:02d}-{m:02d}-{y}" for d, m, y in zip(day, month, year, strict=True)],
        "JK": np.where(np.arange(n) % 2 == 0, "L", "P"),
        "HUB_KRT": np.where(np.arange(n) % 4 == 0, "KEPALA KELUARGA", "ANAK"),
        "ALAMAT": [f"KP. SUKAMAJU RT {1 + i % 9:03d}/RW 00{1 + i % 3}" for i in range(n)],
        "DESA": "SUKAMAJU", "KECAMATAN": "TAMBELANG"})


def test_a_few_edited_rows_are_standardised_and_the_rest_reused():
    old = _people(200)
    new = old.copy()
    new.loc[5, "NAMA"] = "HJ. SITI AMINAH"
    new.loc[17, "TGL_LAHIR"] = "1980-02-30"
    new = pd.concat([new.drop(index=[3, 4]), _people(3, seed=9).assign(ID=["N1", "N2", "N3"])], ignore_index=True)
    rows, fresh, reused = _update(old, new)
    pd.testing.assert_frame_equal(rows, fresh)
    assert rows.attrs["column_mapping"] == fresh.attrs["column_mapping"]
    assert reused == len(new) - 5


def test_rows_rebuilt_from_records_give_the_same():
    old = _people(120)
    new = old.copy()
    new.loc[7, "ALAMAT"] = "PERUM TAMAN ALAMANDA BLOK C2 NO 7"
    rows, fresh, reused = _update(old, new, via_records=True)
    pd.testing.assert_frame_equal(rows, fresh)
    assert reused == len(new) - 1


def test_rows_found_among_the_records_of_other_lists_give_the_same():
    """A result's records hold every list: the changed list's previous rows are found by their source
    after another list's rows, and only they are read."""
    old = _people(150)
    new = old.copy()
    new.loc[11, "NAMA"] = "NY. DEWI RINA"
    new.loc[40, "NO_KK"] = "3216070101999999"
    _, keep, _ = standardised_list("x", old, None, REGION, None, None, None)
    _, other, _ = standardised_list("y", _people(60, seed=3), None, REGION, None, None, None)
    records = pd.concat([other.table, keep.table], ignore_index=True)
    saved = with_records({"x": compact_list(keep)}, records)["x"]
    rows, kept, _ = standardised_list("x", new, None, REGION, None, None, {"x": saved})
    fresh = standardize(new, None, REGION, source="x")
    pd.testing.assert_frame_equal(rows, fresh)
    assert kept.rows_reused >= len(new) - 2


def test_missing_record_ids_are_numbered_on_the_whole_list():
    old = _people(60)
    old.loc[[10, 20], "ID"] = ""
    new = old.drop(index=[0]).reset_index(drop=True)
    rows, fresh, reused = _update(old, new)
    pd.testing.assert_frame_equal(rows, fresh)
    assert rows.loc[rows["record_id_status"] == "missing", "record_id"].tolist() == ["row10", "row20"]
    assert reused > 0


def test_an_edit_that_moves_the_excel_share_of_niks_is_standardised_in_full():
    """A quarter of the list's 16-digit NIKs ending in 0 makes them Excel-damaged: an edit that crosses that
    share changes unchanged rows too, so the list is standardised in full (and equals a fresh one)."""
    old = _people(80)
    ends0 = old["NIK"].str[-1] == "0"
    old.loc[ends0, "NIK"] = old.loc[ends0, "NIK"].str[:-1] + "1"
    old.loc[:17, "NIK"] = old.loc[:17, "NIK"].str[:-1] + "0"    # 18 of 80 end in 0: below a quarter
    below = old.copy()
    below.loc[40, "NAMA"] = "RINA WATI"
    rows, fresh, reused = _update(old, below)
    pd.testing.assert_frame_equal(rows, fresh)
    assert reused == len(below) - 1
    above = old.copy()
    above.loc[18:22, "NIK"] = above.loc[18:22, "NIK"].str[:-1] + "0"   # 23 of 80: above a quarter
    rows, fresh, reused = _update(old, above)
    pd.testing.assert_frame_equal(rows, fresh)
    assert (fresh["nik_status"] == "excel_damaged").sum() > 0
    assert reused == 0


def test_an_edit_that_heaps_a_birth_date_is_standardised_in_full():
    old = _people(300, seed=3)
    new = old.copy()
    new.loc[:60, "TGL_LAHIR"] = "17-08-1970"    # one day now far above its neighbours
    rows, fresh, reused = _update(old, new)
    pd.testing.assert_frame_equal(rows, fresh)
    assert fresh["flags"].fillna("").str.contains("birth_date:heaped").any()


def test_nyonya_names_are_read_with_the_name_words_of_the_whole_list():
    old = _people(150)
    old.loc[[3, 9], "NAMA"] = ["NY. SITI AMINAH", "NY. BUDI AGUS"]
    new = old.copy()
    new.loc[20:40, "NAMA"] = "BUDI SANTOSO"      # the words' sexes move
    rows, fresh, reused = _update(old, new)
    pd.testing.assert_frame_equal(rows, fresh)
    assert 0 < reused <= len(new) - 2 - 21    # the NY. rows are read again


def test_without_a_region_the_list_is_standardised_in_full():
    old = _people(50)
    new = old.copy()
    new.loc[1, "NAMA"] = "ANDI"
    rows, fresh, reused = _update(old, new, region=None)
    pd.testing.assert_frame_equal(rows, fresh)
    assert reused == 0


@pytest.fixture(scope="module")
def world():
    data = synthetic.generate(households=400, seed=21)
    return data, synthetic.later(data, months=3, seed=22)


@pytest.mark.parametrize("name", ["dtks", "p3ke", "bpjs_pbi", "blt_dd", "posyandu"])
def test_generated_lists_three_months_later(world, name):
    data, later = world
    rows, fresh, reused = _update(data.sources[name], later.sources[name], region=data.region,
                                  via_records=True)
    pd.testing.assert_frame_equal(rows, fresh)
    assert reused > 0.5 * len(fresh)


def test_rows_are_not_reused_under_another_list_date_or_other_knowledge_files(monkeypatch):
    from linkmiskin.standardise import reuse

    old = _people(60).drop(columns="TGL_LAHIR").assign(UMUR=[f"{20 + i % 50} TH" for i in range(60)])
    new = old.copy()
    new.loc[7, "NAMA"] = "SITI RAHMAWATI"     # a changed list: its other rows could be taken row by row
    _, keep, _ = standardised_list("x", old, None, REGION, "2024-06-01", None, None)
    rows, kept, whole = standardised_list("x", new, None, REGION, "2024-06-01", None, {"x": keep})
    assert not whole and kept.rows_reused == len(new) - 1          # the same options: rows reused
    rows, kept, whole = standardised_list("x", new, None, REGION, "2026-06-01", None, {"x": keep})
    assert not whole and kept.rows_reused == 0                    # another list date: every age read again
    fresh = standardize(new, None, REGION, source="x", list_date="2026-06-01")
    pd.testing.assert_frame_equal(rows, fresh)
    # other knowledge files (a title or particle added): neither the list nor its rows are reused
    _, same, whole = standardised_list("x", old, None, REGION, "2024-06-01", None, {"x": keep})
    assert whole
    monkeypatch.setattr(reuse, "knowledge_digest", lambda: "another")
    _, again, whole = standardised_list("x", old, None, REGION, "2024-06-01", None, {"x": keep})
    assert not whole and again.rows_reused == 0
