"""Damage rates and the fixed facts of a generated world: the lists, their snapshot dates, roles.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SOURCES", "SNAPSHOT", "REFERENCE_DATE", "DamageRates"]


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
