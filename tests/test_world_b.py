"""World B (benchmarks/worlds/world_b.py): a held-out generator. Generated data only."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from worlds import world_b  # noqa: E402

import linkmiskin as lm  # noqa: E402

H = 200


@pytest.fixture(scope="module")
def world():
    return world_b.generate(households=H, seed=3)


@pytest.fixture(scope="module")
def written(world, tmp_path_factory):
    d = tmp_path_factory.mktemp("worldb")
    world.write(d)
    return d


def _valid_nik(s: pd.Series) -> pd.Series:
    m = s.str.extract(r"^(\d{6})(\d{2})(\d{2})(\d{2})(\d{4})$")
    ok = m[0].notna()
    dd = pd.to_numeric(m[1], errors="coerce") % 40
    mm = pd.to_numeric(m[2], errors="coerce")
    yy = pd.to_numeric(m[3], errors="coerce")
    date_ok = pd.Series(False, index=s.index)
    for century in (1900, 2000):
        d = pd.to_datetime(pd.DataFrame({"year": century + yy, "month": mm, "day": dd}), errors="coerce")
        date_ok |= d.notna()
    return ok & date_ok & (m[4] != "0000")


def test_deterministic_per_seed(world):
    again = world_b.generate(households=H, seed=3)
    other = world_b.generate(households=H, seed=4)
    for src, df in world.sources.items():
        pd.testing.assert_frame_equal(df, again.sources[src])
    pd.testing.assert_frame_equal(world.truth, again.truth)
    assert not world.sources["dtsen"]["NAMA_ART"].equals(other.sources["dtsen"]["NAMA_ART"])


def test_truth_one_row_per_record(world):
    t = world.truth
    assert list(t.columns) == ["source", "record_id", "person_id", "household_id", "hard_negative_group"]
    assert set(t["source"]) == set(world.sources)
    for src, df in world.sources.items():
        rid = world.columns[src]["record_id"]
        assert sorted(t.loc[t["source"] == src, "record_id"]) == sorted(df[rid].astype(str))
    assert not t.duplicated(["source", "record_id"]).any()
    kinds = set(t["hard_negative_group"].str.split(":").str[0]) - {""}
    assert {"twin", "same_name_same_dob"} <= kinds


def test_dtsen_title_row_and_bps_codes(world, written):
    from openpyxl import load_workbook

    ws = load_workbook(written / "dtsen.xlsx", read_only=True).active
    rows = list(ws.iter_rows(min_row=1, max_row=3, values_only=True))
    assert rows[0][0].startswith("DATA TERPADU") and "GROBOGAN" in rows[0][0]
    assert all(v is None for v in rows[1])
    assert "NAMA_ART" in rows[2] and "HUB_KRT" in rows[2]
    back = pd.read_excel(written / "dtsen.xlsx", header=2, dtype=str)
    assert len(back) == len(world.sources["dtsen"])
    rel = pd.to_numeric(back["HUB_KRT"])
    assert set(rel) <= set(range(1, 10)) and rel.value_counts().idxmax() == 3
    assert set(pd.to_numeric(back["JNS_KEL"])) == {1, 2}
    assert back["DESA"].str.fullmatch(r"33\d{8}").sum() > 0          # some BPS 10-digit desa codes


def test_blt_dd_cp1252_semicolon_roundtrip(world, written):
    raw = (written / "blt_dd.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                                            # curly apostrophes in cp1252
    assert raw.splitlines()[0].decode("cp1252") == "NO;NIK;NAMA_KPM;TTL;ALAMAT;DESA;KETERANGAN"
    back = pd.read_csv(written / "blt_dd.csv", sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    src = world.sources["blt_dd"].fillna("").astype(str)
    pd.testing.assert_frame_equal(back, src, check_dtype=False)
    assert back["NAMA_KPM"].str.startswith("NY. ").any()


def test_excel_damaged_niks_end_in_zero(world):
    bl = world.sources["blt_dd"]
    pop = world.population.set_index("person_id")
    t = world.truth[world.truth["source"] == "blt_dd"]
    true_nik = pop.loc[t["person_id"], "nik"].to_numpy()
    nik = bl["NIK"].to_numpy()
    damaged = np.array([isinstance(a, str) and isinstance(b, str) and len(a) == 16 and a != b
                        and a[:15] == b[:15] for a, b in zip(nik, true_nik)])
    assert damaged.sum() > 0
    assert all(v.endswith("0") for v in nik[damaged])
    assert bl["NIK"].dropna().str.contains("E+", regex=False).any()   # scientific notation too


def test_nik_structure_valid_when_undamaged(world):
    pop = world.population
    nik = pop["nik"].dropna()
    assert _valid_nik(nik).all()
    assert (nik.str[:4] != "3315").any()                              # migrants registered elsewhere
    fem = pop.loc[nik.index, "female"].to_numpy(bool)
    dd = nik.str[6:8].astype(int).to_numpy()
    assert (dd[fem] > 40).all() and (dd[~fem] <= 31).all()
    kk = pd.concat([pop["kk_old"], pop["kk_new"]])
    assert kk.str.fullmatch(r"\d{16}").all()


def test_other_formats(world, written):
    ks = lm.read_table(written / "kesehatan.xlsx")
    assert ks["UMUR"].str.fullmatch(r"\d+( TH| THN| TAHUN| BLN)?").all()
    assert "TGL_LAHIR" not in ks.columns
    pk = world.sources["pkh"]
    fam = pk.groupby("ID_KELUARGA_PKH")["NIK_PENGURUS"].nunique(dropna=False)
    assert (fam == 1).all()                                           # one recipient NIK per family
    assert "NIK" not in pk.columns and not any("LAHIR" in c for c in pk.columns)
    sk = world.sources["sekolah"]
    assert sk["NISN"].str.fullmatch(r"\d{10}").all() and sk["NIK_SISWA"].isna().any()
    addr = pd.concat([sk["ALAMAT"], world.sources["blt_dd"]["ALAMAT"]])
    assert addr.str.contains(r"RT \d{3}/RW \d{3}").any() and addr.str.contains(r"Rt\.\d+ Rw\.\d+").any()
    assert addr.str.contains(r"^DK\. ").any()
    names = pd.concat([world.sources[s][c] for s, c in (("dtsen", "NAMA_ART"), ("blt_dd", "NAMA_KPM"))])
    assert names.str.contains(r"\bOE|DJ", regex=True).any()           # old spellings
    assert names.str.contains(r"^[A-Z']+$", regex=True).mean() > 0.2  # many mononyms


def test_lm_link_runs_end_to_end(world, written):
    src = {s: str(written / f) for s, f in world.files.items()}
    src["dtsen"] = pd.read_excel(written / "dtsen.xlsx", header=2, dtype=str)   # the title row needs this
    res = lm.link(src, columns=world.columns, region=world_b.REGION, progress=False)
    assert len(res.records) == len(world.truth)
    ev = lm.evaluate(res, world.truth)
    assert ev.person["pairwise_f1"] > 0.5
    assert re.fullmatch(r"HB\d{7}", world.truth["household_id"].iloc[0])
