"""Cannot-link rules: named reasons why two records can never be one person, whatever their score.

Person clustering (:mod:`linkmiskin.clustering.persons`) never puts two records in one person when a rule below
fires on them, and never merges two groups that hold such a pair. Each rule is a small function over a
:class:`PairEvidence` (the candidate pairs with both records' fields side by side, suffixes ``_a`` and
``_b``) that returns one boolean per pair. The rules are kept in :data:`RULES`, in the order they are
tried; ``result.pairs.cannot_link_rule`` names the first that fired on a pair, and
``link(..., cannot_link_off=("rule_name",))`` switches rules off by name.

The rules that trust recorded dates, names or sex are first checked against the data at hand
(:func:`check_rules`): each is measured on its *reference pairs* (:data:`REFERENCES`, pairs the data shows
to be one person by evidence the rule does not read), and a rule the data contradicts
(:func:`rule_contradicted_by_reference_pairs`) is switched off for the job; ``link(...,
cannot_link_check=False)`` skips the check.

Only NIKs that agree with their own record's birth date are *trusted* here (a head's NIK copied onto a
family member's row is not), and "a typo" means one substituted digit or one swapped pair of neighbours
(:func:`linkmiskin.facts.differ_beyond_typo`).

>>> [r.name for r in RULES.values()][:2]
['different_niks_and_dates', 'different_niks_no_common_name']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from linkmiskin.facts import differ_beyond_typo, one_vowel_apart
from linkmiskin.standardise.household_roles import role_generation
from linkmiskin.standardise.names import names_close

__all__ = ["REFERENCES", "RULES", "CannotLinkRule", "PairEvidence", "ReferencePairs", "cannot_link",
           "check_rules", "rule_contradicted_by_reference_pairs", "rules_table"]


# ------------------------------------------------------------------------------------------ evidence


def date_chars(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """ISO date strings as an (n, 10) byte matrix and a mask of rows that hold one."""
    b = s.astype(object).where(s.notna(), "").to_numpy(dtype="S10")
    mat = b.view(np.uint8).reshape(-1, 10) if len(b) else np.zeros((0, 10), dtype=np.uint8)
    ok = (mat[:, 4] == ord("-")) & (mat[:, 7] == ord("-"))
    return mat, ok


def _same_chars(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], k: int) -> np.ndarray:
    """Both dates present and equal in their first ``k`` characters."""
    return a[1] & b[1] & (a[0][:, :k] == b[0][:, :k]).all(axis=1)


def near_chars(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Both dates present and at most two characters apart."""
    return a[1] & b[1] & ((a[0] != b[0]).sum(axis=1) <= 2)


def _arr(s: pd.Series) -> np.ndarray:
    """A boolean array, missing values as False (without pandas' object-downcasting fillna)."""
    v = s.to_numpy(dtype=object)
    return np.where(pd.isna(v), False, v).astype(bool)


class PairEvidence:
    """The facts about candidate pairs that the rules combine, each computed once when first asked for.

    ``m`` has one row per pair and the record columns with suffixes ``_a`` and ``_b``: ``nik, nik15,
    nik_consistent, nik_own_date, nik_dob, dob, dob_placeholder, dob_year, source, kk, name, name_mask,
    sex, mother_name, desa_code, rt, rw, spouse_name, husband_name, name_form, nik_lists`` (on how many
    lists the record's trusted NIK is written, :func:`with_nik_lists`); where the model scored the pair, ``scored`` is true and
    ``name_weak``, ``nik_same`` and ``name_alike`` describe its comparison levels (see
    :data:`linkmiskin.scoring.comparisons.LEVEL_KEYS`).
    """

    def __init__(self, m: pd.DataFrame) -> None:
        self.m = m.reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.m)

    def col(self, name: str, side: str) -> pd.Series:
        c = f"{name}_{side}"
        return self.m[c] if c in self.m else pd.Series(None, index=self.m.index, dtype=object)

    # --- NIKs
    @cached_property
    def trusted_nik(self) -> tuple[pd.Series, pd.Series]:
        """The full NIK of each side where it agrees with its own record's birth date."""
        return tuple(self.col("nik", s).where(self.col("nik_consistent", s).fillna(False).astype(bool))
                     for s in "ab")

    @cached_property
    def trusted_nik15(self) -> tuple[pd.Series, pd.Series]:
        return tuple(self.col("nik15", s).where(self.col("nik_consistent", s).fillna(False).astype(bool))
                     for s in "ab")

    @cached_property
    def nik_diff(self) -> np.ndarray:
        """Both sides carry a trusted NIK and the NIKs differ (in the first 15 digits or in full)."""
        a15, b15 = self.trusted_nik15
        a, b = self.trusted_nik
        return _arr((a15.notna() & b15.notna() & (a15 != b15)) | (a.notna() & b.notna() & (a != b)))

    @cached_property
    def niks_differ_beyond_typo(self) -> np.ndarray:
        """Two trusted NIKs that differ by more than one typo (so they are not one NIK mistyped): on all 16
        digits where both sides have them (...0002 / ...0001 after another differing digit is two edits),
        on the first 15 where a side lost its last digit."""
        a15, b15 = self.trusted_nik15
        a, b = self.trusted_nik
        full = _arr(a.notna() & b.notna())
        return self.nik_diff & np.where(full, differ_beyond_typo(a, b), differ_beyond_typo(a15, b15))

    @cached_property
    def each_nik_on_two_lists(self) -> np.ndarray:
        """Each side's trusted NIK is written on two or more lists (``nik_lists``)."""
        la, lb = (self.col("nik_lists", s).astype("Float64").fillna(0).to_numpy(dtype=float) for s in "ab")
        return (la >= 2) & (lb >= 2)

    @cached_property
    def other_desa(self) -> np.ndarray:
        """Both sides name a desa, and not the same one."""
        da, db = self.col("desa_code", "a"), self.col("desa_code", "b")
        return _arr(da.notna() & db.notna() & (da != db))

    @cached_property
    def same_nik_code(self) -> np.ndarray:
        """The trusted NIKs share region and coded birth date (their first 12 digits)."""
        a15, b15 = self.trusted_nik15
        return _arr(a15.notna() & (a15.str[:12] == b15.str[:12]))

    @cached_property
    def same_trusted_nik(self) -> np.ndarray:
        """The same trusted NIK on both sides, or the same plain id where the lists' ids are not NIKs (the
        model then compares them as plain identifiers and ``trusted_id`` holds them)."""
        a, b = self.trusted_nik
        ia, ib = self.col("trusted_id", "a"), self.col("trusted_id", "b")
        return _arr((a.notna() & b.notna() & (a == b)) | (ia.notna() & ib.notna() & (ia == ib)))

    @cached_property
    def serial_only(self) -> np.ndarray:
        """Two different trusted full NIKs equal in their first 12 digits: only the serial differs."""
        a, b = self.trusted_nik
        return _arr(a.notna() & b.notna() & (a != b) & (a.str[:12] == b.str[:12]))

    # --- dates
    @cached_property
    def real_dates(self) -> np.ndarray:
        return ~_arr(self.col("dob_placeholder", "a")) & ~_arr(self.col("dob_placeholder", "b"))

    @cached_property
    def dob_diff(self) -> np.ndarray:
        """Both real recorded birth dates present and different."""
        a, b = self.col("dob", "a"), self.col("dob", "b")
        return _arr(a.notna() & b.notna() & (a != b)) & self.real_dates

    @cached_property
    def same_day(self) -> np.ndarray:
        a, b = self.col("dob", "a"), self.col("dob", "b")
        return _arr(a.notna() & (a == b))

    @cached_property
    def years(self) -> tuple[np.ndarray, np.ndarray]:
        """Recorded birth years as integers, -1 where missing."""
        return tuple(self.col("dob_year", s).astype("Float64").fillna(-1).to_numpy(dtype=float).astype(np.int64)
                     for s in "ab")

    @cached_property
    def year_gap(self) -> np.ndarray:
        ya, yb = self.years
        return np.where((ya >= 0) & (yb >= 0), np.abs(ya - yb), -1)

    @cached_property
    def year_digits_differ(self) -> np.ndarray:
        ya, yb = self.years
        both = (ya >= 0) & (yb >= 0)
        return sum(((ya // 10**k) % 10 != (yb // 10**k) % 10).astype(int) for k in range(4)) * both

    @cached_property
    def year_digits_swapped(self) -> np.ndarray:
        """Two digits of a year swapped (1973 / 1937): a typo."""
        ya, yb = self.years
        both = (ya >= 0) & (yb >= 0)
        return both & (ya // 100 == yb // 100) & (ya % 10 == (yb // 10) % 10) & ((ya // 10) % 10 == yb % 10)

    @cached_property
    def nik_codes_other_date(self) -> np.ndarray:
        """One row's NIK codes the other row's year and its own date is that date mistyped."""
        nda, da, ndb, db = (date_chars(self.col(c, s)) for c, s in
                            (("nik_dob", "a"), ("dob", "a"), ("nik_dob", "b"), ("dob", "b")))
        return (_same_chars(nda, db, 4) & near_chars(nda, da)) | (_same_chars(ndb, da, 4) & near_chars(ndb, db))

    # --- names, family, source
    @cached_property
    def same_source(self) -> np.ndarray:
        return _arr(self.col("source", "a") == self.col("source", "b"))

    @cached_property
    def same_kk_same_source(self) -> np.ndarray:
        a = self.col("kk", "a")
        return self.same_source & _arr(a.notna() & (a == self.col("kk", "b")))

    @cached_property
    def sex_diff(self) -> np.ndarray:
        a, b = self.col("sex", "a"), self.col("sex", "b")
        return _arr(a.notna() & b.notna() & (a != b))

    @cached_property
    def both_named(self) -> np.ndarray:
        """Both sides carry a name of their own (not missing, not a teknonym or a husband's name)."""
        return _arr(self.col("name", "a").notna() & self.col("name", "b").notna())

    @cached_property
    def different_names(self) -> np.ndarray:
        a, b = self.col("name", "a"), self.col("name", "b")
        return (a != b).fillna(True).to_numpy(dtype=bool)

    @cached_property
    def no_common_name(self) -> np.ndarray:
        """Both named, no name token in common, and (where it decides a rule) not one name mistyped.

        Names without a common word may still be one name mistyped (JUNAIDI / JUNAEDI, PUTRI / FUTRI);
        that is checked only for pairs where it can decide a rule (same KK on one list, or NIKs that differ
        beyond a typo) and for names of similar length, to keep the cost down.
        """
        ma = self.col("name_mask", "a").fillna(0).to_numpy(dtype=np.int64)
        mb = self.col("name_mask", "b").fillna(0).to_numpy(dtype=np.int64)
        out = ((ma & mb) == 0) & (ma != 0) & (mb != 0)
        need = out & (self.same_kk_same_source | self.niks_differ_beyond_typo)
        if need.any():
            na, nb = self.col("name", "a"), self.col("name", "b")
            la = na.str.len().to_numpy(dtype=float, na_value=0)
            lb = nb.str.len().to_numpy(dtype=float, na_value=0)
            need &= (np.abs(la - lb) <= 2) & (np.minimum(la, lb) >= 4)
            idx = np.flatnonzero(need)
            out[idx] = ~names_close(na.iloc[idx], nb.iloc[idx], contained=False)
        return out

    def one_name_mistyped(self, ask: np.ndarray) -> np.ndarray:
        """Where ``ask``: the two names are one name mistyped (:func:`~linkmiskin.standardise.names.names_close`
        without containment: GRACE SIHOMBING / GRACE SIHOMBIN, SANGKOT ROY / SANGKOT ROI) and not one vowel
        apart (PUTRA / PUTRI, the way twins are named); False elsewhere."""
        out = np.zeros(len(self.m), dtype=bool)
        idx = np.flatnonzero(ask)
        if len(idx):
            na, nb = self.col("name", "a").iloc[idx], self.col("name", "b").iloc[idx]
            out[idx] = names_close(na, nb, contained=False) & ~one_vowel_apart(na, nb)
        return out

    @cached_property
    def one_family(self) -> np.ndarray:
        """Same KK, the same mother's name (also written two ways), or the same desa and RT/RW."""
        kk_a, mo_a, de_a = self.col("kk", "a"), self.col("mother_name", "a"), self.col("desa_code", "a")
        fam = _arr((kk_a.notna() & (kk_a == self.col("kk", "b")))
                   | (mo_a.notna() & (mo_a == self.col("mother_name", "b")))
                   | (de_a.notna() & (de_a == self.col("desa_code", "b"))
                      & (self.col("rt", "a") == self.col("rt", "b")).fillna(False)
                      & (self.col("rw", "a") == self.col("rw", "b")).fillna(False)))
        # mothers' names written differently (SITI AMINAH / AMINAH), asked only where it can decide
        ask = np.flatnonzero(self.rhyming_same_day & ~fam & _arr(mo_a.notna() & self.col("mother_name", "b").notna()))
        if len(ask):
            fam[ask] = names_close(mo_a.iloc[ask], self.col("mother_name", "b").iloc[ask])
        return fam

    @cached_property
    def rhyming_same_day(self) -> np.ndarray:
        """One list, one real birth date, no shared trusted NIK, names one vowel apart (PUTRA / PUTRI)."""
        base = self.same_source & self.same_day & ~self.same_trusted_nik
        return base & one_vowel_apart(self.col("name", "a"), self.col("name", "b"))

    @cached_property
    def duplicate_row(self) -> np.ndarray:
        """One person listed twice: the same trusted NIK and the same real birth date."""
        return self.same_trusted_nik & self.same_day & self.real_dates

    # --- reference evidence (see :data:`REFERENCES`)
    @cached_property
    def same_full_name(self) -> np.ndarray:
        """One name of two or more words written the same on both sides."""
        a, b = self.col("name", "a"), self.col("name", "b")
        return _arr(a.notna() & (a == b) & a.astype("string").str.contains(" ", regex=False))

    @cached_property
    def same_address(self) -> np.ndarray:
        """The same address text, or the same desa code, RT and RW."""
        ta = self.col("addr_text", "a")
        de_a = self.col("desa_code", "a")
        return _arr((ta.notna() & (ta == self.col("addr_text", "b")))
                    | (de_a.notna() & (de_a == self.col("desa_code", "b"))
                       & (self.col("rt", "a") == self.col("rt", "b")).fillna(False)
                       & (self.col("rw", "a") == self.col("rw", "b")).fillna(False)))

    # --- the model's comparison levels (scored pairs only)
    def scored_flag(self, name: str) -> np.ndarray:
        if name not in self.m:
            return np.zeros(len(self.m), dtype=bool)
        return _arr(self.m[name])


# ------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class CannotLinkRule:
    """A named cannot-link rule: ``func(evidence) -> bool array``."""

    name: str
    func: Callable[[PairEvidence], np.ndarray]

    @property
    def description(self) -> str:
        """The first sentence of the rule's docstring."""
        doc = " ".join((self.func.__doc__ or "").split())
        return doc.split(". ")[0].rstrip(".") + "."

    def __call__(self, ev: PairEvidence) -> np.ndarray:
        return np.asarray(self.func(ev), dtype=bool)


RULES: dict[str, CannotLinkRule] = {}


def _rule(func: Callable[[PairEvidence], np.ndarray]) -> Callable[[PairEvidence], np.ndarray]:
    RULES[func.__name__] = CannotLinkRule(func.__name__, func)
    return func


@_rule
def different_niks_and_dates(ev: PairEvidence) -> np.ndarray:
    """Two trusted NIKs that differ beyond a typo, with real recorded birth dates that differ while the
    NIKs code different dates. A mistyped recorded date under one NIK code is left to the score."""
    return ev.niks_differ_beyond_typo & ev.dob_diff & ~ev.same_nik_code


@_rule
def different_niks_no_common_name(ev: PairEvidence) -> np.ndarray:
    """Two trusted NIKs that differ beyond a typo, and names with no word in common that are not one name
    mistyped."""
    return ev.niks_differ_beyond_typo & ev.no_common_name


@_rule
def niks_code_their_own_different_dates(ev: PairEvidence) -> np.ndarray:
    """Each NIK codes exactly its own record's real birth date, and those dates differ: a typo in one NIK
    would have made it disagree with its own record, so these are two people born days apart."""
    own = _arr(ev.col("nik_own_date", "a")) & _arr(ev.col("nik_own_date", "b"))
    a15, b15 = ev.trusted_nik15
    return own & ev.dob_diff & _arr(a15.str[6:12] != b15.str[6:12])


@_rule
def twins_named_in_rhyme(ev: PairEvidence) -> np.ndarray:
    """One list, one family (same KK, the same mother, or the same desa and RT/RW), the same birth date and
    names one vowel apart (PUTRA / PUTRI): twins, as Indonesian twins are usually named."""
    return ev.rhyming_same_day & ev.one_family


@_rule
def same_kk_different_names(ev: PairEvidence) -> np.ndarray:
    """Two members of one KK on one list whose names share no word and are not one name mistyped."""
    return ev.same_kk_same_source & ~ev.duplicate_row & ev.no_common_name


@_rule
def same_kk_years_apart(ev: PairEvidence) -> np.ndarray:
    """Two members of one KK on one list born two or more years apart, where no year typo explains it."""
    return (ev.same_kk_same_source & ~ev.duplicate_row & (ev.year_gap >= 2) & ~ev.year_digits_swapped
            & ~ev.nik_codes_other_date)


@_rule
def one_household_generations_apart(ev: PairEvidence) -> np.ndarray:
    """Two rows of one KK on one list whose relationships to the head are a generation or more apart (the
    head and a child, a child and a grandchild): two people, even with one name and no NIK or birth date."""
    ga = role_generation(ev.col("relationship", "a"))
    gb = role_generation(ev.col("relationship", "b"))
    return ev.same_kk_same_source & ~ev.duplicate_row & (np.abs(ga - gb) >= 1)


@_rule
def same_kk_different_niks(ev: PairEvidence) -> np.ndarray:
    """Two members of one KK on one list whose trusted NIKs differ beyond a typo."""
    return ev.same_kk_same_source & ~ev.duplicate_row & ev.niks_differ_beyond_typo


@_rule
def same_kk_different_sex(ev: PairEvidence) -> np.ndarray:
    """Two members of one KK on one list of different sex, unless one trusted NIK and one real birth date
    say it is one person listed twice."""
    return ev.same_kk_same_source & ~ev.duplicate_row & ev.sex_diff


@_rule
def same_list_same_nik_code(ev: PairEvidence) -> np.ndarray:
    """One list holds two different trusted NIKs of one region and birth date under different names:
    twins, or two babies born the same day in one kecamatan."""
    return ev.same_source & ev.nik_diff & ev.same_nik_code & ev.different_names


@_rule
def same_list_same_day_other_sex(ev: PairEvidence) -> np.ndarray:
    """One list holds two records of the same birth date and different sex without one trusted NIK."""
    return ev.same_source & ev.same_day & ev.sex_diff & ~ev.same_trusted_nik


@_rule
def a_generation_apart(ev: PairEvidence) -> np.ndarray:
    """Recorded birth years ten or more years apart in more than one digit (a father and a son with one
    name, even when the son's row carries the father's NIK), unless one trusted NIK, a NIK coding the other
    row's date, or two swapped year digits explain it."""
    return ((ev.year_gap >= 10) & (ev.year_digits_differ >= 2) & ~ev.same_trusted_nik
            & ~ev.nik_codes_other_date & ~ev.year_digits_swapped)


@_rule
def different_niks_loose_names(ev: PairEvidence) -> np.ndarray:
    """The model scored two trusted NIKs that differ beyond a typo and names that are only loosely related
    (a shared word at best)."""
    return ev.scored_flag("scored") & ev.niks_differ_beyond_typo & ev.scored_flag("name_weak")


@_rule
def loose_names_unconfirmed(ev: PairEvidence) -> np.ndarray:
    """The model scored names only loosely related and the pair is not confirmed by the same NIK and the
    same real birth date, nor by one trusted NIK: siblings or neighbours share a date and an address."""
    confirmed = ev.scored_flag("nik_same") & ev.same_day & ~_arr(ev.col("dob_placeholder", "a"))
    return ev.scored_flag("scored") & ev.scored_flag("name_weak") & ~confirmed & ~ev.same_trusted_nik


@_rule
def serial_only_niks_other_names(ev: PairEvidence) -> np.ndarray:
    """Two trusted NIKs that differ only in the serial, with two names neither the same, the same by sound,
    one inside the other, one with an initial for a given name nor one name mistyped: twins or two babies
    of one day in one kecamatan, not a serial typo (a side without its own name, a teknonym or a wife under
    her husband's name, says nothing here; names one vowel apart, as twins are named, are two names)."""
    fired = ev.scored_flag("scored") & ev.serial_only & ~ev.scored_flag("name_alike") & ev.both_named
    return fired & ~ev.one_name_mistyped(fired)


@_rule
def serial_only_niks_each_on_two_lists(ev: PairEvidence) -> np.ndarray:
    """Two trusted NIKs that differ only in the serial, each written on two or more lists, for records in
    different desa: two people born on one day in one kecamatan, whatever their names (a mistyped serial is
    seldom written again on another list)."""
    return ev.serial_only & ev.each_nik_on_two_lists & ev.other_desa


@_rule
def different_niks_each_on_two_lists(ev: PairEvidence) -> np.ndarray:
    """Two trusted NIKs that differ beyond a typo, each written on two or more lists, for records in
    different desa: two people, whatever their names and birth dates (one NIK mistyped the same way on two
    lists is rare; a person holding a second NIK, a migrant's old one or a re-issued one, is spared where
    both records name one desa)."""
    return ev.niks_differ_beyond_typo & ev.each_nik_on_two_lists & ev.other_desa


@_rule
def different_niks_kks_and_desa(ev: PairEvidence) -> np.ndarray:
    """Two trusted NIKs that differ beyond a typo, two different KKs and two different desa: no number and no
    place joins them, so they are two people (a person who moved and was given a new NIK and a new KK is the
    exception, checked on the data's own reference pairs)."""
    ka, kb = ev.col("kk", "a"), ev.col("kk", "b")
    return ev.niks_differ_beyond_typo & _arr(ka.notna() & kb.notna() & (ka != kb)) & ev.other_desa


@_rule
def husband_and_wife_by_name_form(ev: PairEvidence) -> np.ndarray:
    """A woman listed as Nyonya + a name read as her husband's (or unclear), and a man of that name or the
    head her household names as her husband on her list: husband and wife, never one person."""
    out = np.zeros(len(ev), dtype=bool)
    for me, other in (("a", "b"), ("b", "a")):
        spouse = ev.col("spouse_name", me)
        wife = _arr(ev.col("name_form", me).isin(["husband", "ambiguous"]) & spouse.notna())
        man = _arr(ev.col("sex", other) == "L")
        his_head = ev.same_source & _arr(ev.col("husband_name", me).notna()
                                         & (ev.col("husband_name", me) == ev.col("name", other)))
        ask = np.flatnonzero(wife & (man | his_head) & ~out)
        if len(ask):
            out[ask] = names_close(spouse.iloc[ask], ev.col("name", other).iloc[ask])
    return out


# ------------------------------------------------------------------------------------ reference pairs
# A rule that trusts recorded dates, names or sex is right on Indonesian registers but may be wrong on a list
# whose dates or names are noisier. Before clustering, each rule below is measured on *reference pairs*:
# pairs the data itself shows to be one person by evidence the rule does not read. A rule that fires on too
# many of them is contradicted by this data and is switched off for the job (:func:`check_rules`).

#: the share of reference pairs a rule may fire on (the lower 95% Wilson bound of its rate is compared)
MAX_REFERENCE_SHARE = 0.05
#: fewer reference pairs than this say nothing: the rule stays on
MIN_REFERENCE_PAIRS = 30
#: the normal quantile of the one-sided bound (1.96: a 95% two-sided Wilson interval)
REFERENCE_Z = 1.96


@dataclass(frozen=True)
class ReferencePairs(CannotLinkRule):
    """Pairs the data shows to be one person by evidence that ``rule`` does not read: ``func(evidence)``
    (named, described and called like a :class:`CannotLinkRule`)."""

    rule: str


#: the reference pairs of each checked rule, by rule name
REFERENCES: dict[str, ReferencePairs] = {}


def _reference(rule: str) -> Callable[[Callable[[PairEvidence], np.ndarray]], Callable[[PairEvidence], np.ndarray]]:
    def register(func: Callable[[PairEvidence], np.ndarray]) -> Callable[[PairEvidence], np.ndarray]:
        REFERENCES[rule] = ReferencePairs(func.__name__, func, rule)
        return func
    return register


@_reference("a_generation_apart")
def same_name_and_address(ev: PairEvidence) -> np.ndarray:
    """One full name of two or more words written the same, one address (the same text, or the same desa
    and RT/RW) and no difference in sex: one person by evidence that reads no birth date. (Pairs that also
    share a trusted id count too, so the rate is the share of such pairs the rule would keep apart.)"""
    return ev.same_full_name & ev.same_address & ~ev.sex_diff


@_reference("loose_names_unconfirmed")
def scored_same_date_and_address(ev: PairEvidence) -> np.ndarray:
    """A scored pair with one real birth date, one address and no difference in sex: one person by
    evidence that reads no name."""
    return ev.scored_flag("scored") & ev.same_day & ev.real_dates & ev.same_address & ~ev.sex_diff


@_reference("same_list_same_day_other_sex")
def one_list_same_name_date_address(ev: PairEvidence) -> np.ndarray:
    """One list, one full name, one real birth date and one address: one person listed twice, by evidence
    that reads no sex."""
    return ev.same_source & ev.same_full_name & ev.same_day & ev.real_dates & ev.same_address


@_reference("same_kk_different_sex")
def one_kk_same_name_and_date(ev: PairEvidence) -> np.ndarray:
    """One KK on one list, one full name and one real birth date: one person listed twice, by evidence that
    reads neither sex nor relationship."""
    return ev.same_kk_same_source & ev.same_full_name & ev.same_day & ev.real_dates


@_reference("different_niks_each_on_two_lists")
def same_name_date_and_kk_or_mother(ev: PairEvidence) -> np.ndarray:
    """One full name, one real birth date, no difference in sex, and one KK or one mother's name: one person
    by evidence that reads neither NIK nor desa (a list whose NIKs or desa are written wrongly the same way
    on two lists makes the rule fire on such pairs)."""
    mo_a, mo_b = ev.col("mother_name", "a"), ev.col("mother_name", "b")
    kk_a, kk_b = ev.col("kk", "a"), ev.col("kk", "b")
    family = _arr((kk_a.notna() & (kk_a == kk_b)) | (mo_a.notna() & (mo_a == mo_b)))
    return ev.same_full_name & ev.same_day & ev.real_dates & ~ev.sex_diff & family


@_reference("different_niks_kks_and_desa")
def same_name_date_and_mother(ev: PairEvidence) -> np.ndarray:
    """One full name, one real birth date, no difference in sex and one mother's name: one person by
    evidence that reads neither NIK, KK nor desa."""
    mo_a, mo_b = ev.col("mother_name", "a"), ev.col("mother_name", "b")
    return ev.same_full_name & ev.same_day & ev.real_dates & ~ev.sex_diff & _arr(mo_a.notna() & (mo_a == mo_b))


# one person listed twice under one KK is also the test of the rule that reads relationships
REFERENCES["one_household_generations_apart"] = ReferencePairs(
    "one_kk_same_name_and_date", one_kk_same_name_and_date, "one_household_generations_apart")


def wilson_lower_bound(fired: int, pairs: int, z: float = REFERENCE_Z) -> float:
    """The lower end of the Wilson score interval of ``fired / pairs`` (0 for no pairs).

    >>> round(wilson_lower_bound(2, 3), 3), round(wilson_lower_bound(200, 300), 3)
    (0.208, 0.612)
    """
    if pairs <= 0:
        return 0.0
    p = fired / pairs
    centre = p + z * z / (2 * pairs)
    spread = z * np.sqrt(p * (1 - p) / pairs + z * z / (4 * pairs * pairs))
    return float(max(0.0, (centre - spread) / (1 + z * z / pairs)))


def rule_contradicted_by_reference_pairs(fired: int, pairs: int, *, max_share: float = MAX_REFERENCE_SHARE,
                                         min_pairs: int = MIN_REFERENCE_PAIRS) -> bool:
    """A rule is contradicted by the data at hand when, on at least ``min_pairs`` reference pairs, even the
    lower 95% Wilson bound of the share it fires on is above ``max_share`` (a few pairs prove nothing).

    >>> rule_contradicted_by_reference_pairs(2, 3), rule_contradicted_by_reference_pairs(30, 200)
    (False, True)
    """
    return pairs >= min_pairs and wilson_lower_bound(fired, pairs) > max_share


def references_table() -> pd.DataFrame:
    """One row per checked rule: ``rule, reference, description`` (docs are generated from it)."""
    return pd.DataFrame({"rule": list(REFERENCES), "reference": [r.name for r in REFERENCES.values()],
                         "description": [r.description for r in REFERENCES.values()]})


def rules_table() -> pd.DataFrame:
    """One row per rule, in the order they are tried: ``rule, description`` (docs are generated from it)."""
    return pd.DataFrame({"rule": list(RULES), "description": [r.description for r in RULES.values()]})


# ----------------------------------------------------------------------------------------- evaluation

_RECORD_COLUMNS = ("nik", "nik15", "nik_consistent", "nik_own_date", "nik_dob", "dob", "dob_placeholder",
                   "dob_year", "source", "kk", "name", "name_mask", "sex", "mother_name", "desa_code", "rt", "rw",
                   "trusted_id", "addr_text", "spouse_name", "husband_name", "name_form", "relationship",
                   "nik_lists")
_SCORED_COLUMNS = ("name_weak", "nik_same", "name_alike")


def _check_rules(rules: Iterable[str] | None, off: Iterable[str]) -> list[CannotLinkRule]:
    names = list(RULES) if rules is None else list(rules)
    unknown = sorted((set(names) | set(off)) - set(RULES))
    if unknown:
        raise ValueError(f"unknown cannot-link rule(s) {unknown}; the rules are {list(RULES)}")
    return [RULES[n] for n in names if n not in set(off)]


def first_rule(ev: PairEvidence, rules: list[CannotLinkRule]) -> np.ndarray:
    """The name of the first rule that fires on each pair ('' where none does)."""
    out = np.full(len(ev), "", dtype=object)
    free = np.ones(len(ev), dtype=bool)
    for rule in rules:
        if not free.any():
            break
        hit = rule(ev) & free
        out[hit] = rule.name
        free &= ~hit
    return out


def pair_frame(recs: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Both records' rule columns side by side for node pairs ``(a, b)`` of ``recs`` (indexed by node)."""
    cols = [c for c in _RECORD_COLUMNS if c in recs]
    left = recs.loc[a, cols].reset_index(drop=True).add_suffix("_a")
    right = recs.loc[b, cols].reset_index(drop=True).add_suffix("_b")
    return pd.concat([left, right], axis=1).assign(node_a=np.asarray(a, dtype=np.int64),
                                                   node_b=np.asarray(b, dtype=np.int64))


def _component_pairs(comp: np.ndarray, max_component: int) -> tuple[np.ndarray, np.ndarray]:
    """Every node pair inside the components of 2 to ``max_component`` records."""
    size = np.bincount(comp)
    nodes = np.flatnonzero((size[comp] >= 2) & (size[comp] <= max_component))
    if not len(nodes):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    d = pd.DataFrame({"c": comp[nodes], "node": nodes})
    m = d.merge(d, on="c", suffixes=("_a", "_b"))
    m = m[m["node_a"] < m["node_b"]]
    return m["node_a"].to_numpy(np.int64), m["node_b"].to_numpy(np.int64)


def cannot_link(recs: pd.DataFrame, comp: np.ndarray, scored: pd.DataFrame | None = None,
                max_component: int = 400, *, rules: Iterable[str] | None = None,
                off: Iterable[str] = ()) -> pd.DataFrame:
    """The cannot-link record pairs inside the components ``comp``, with the first rule that fired.

    ``recs`` is indexed by node 0..n-1 with the columns of :class:`PairEvidence`. Every pair inside a
    component of at most ``max_component`` records is checked, and in larger components the pairs the
    model scored. ``scored`` holds the scored pairs (``l, r`` and the level flags ``name_weak, nik_same,
    name_alike``). Returns ``a, b, rule`` with ``a < b``.
    """
    chosen = _check_rules(rules, off)
    a, b = _component_pairs(comp, max_component)
    flags = None
    if scored is not None and len(scored):
        sl = scored["l"].to_numpy(np.int64)
        sr = scored["r"].to_numpy(np.int64)
        inner = comp[sl] == comp[sr]
        lo, hi = np.minimum(sl, sr)[inner], np.maximum(sl, sr)[inner]
        flags = pd.DataFrame({"node_a": lo, "node_b": hi, "scored": True})
        for c in _SCORED_COLUMNS:
            flags[c] = scored[c].to_numpy()[inner] if c in scored else False
        flags = flags.drop_duplicates(["node_a", "node_b"])
        big = np.bincount(comp)[comp[lo]] > max_component
        a, b = np.concatenate([a, lo[big]]), np.concatenate([b, hi[big]])
    empty = pd.DataFrame({"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64), "rule": np.zeros(0, object)})
    if not len(a) or not chosen:
        return empty
    m = pair_frame(with_nik_lists(recs), a, b)
    if flags is not None:
        m = m.merge(flags, on=["node_a", "node_b"], how="left")
    fired = first_rule(PairEvidence(m), chosen)
    keep = fired != ""
    return pd.DataFrame({"a": m["node_a"].to_numpy()[keep], "b": m["node_b"].to_numpy()[keep],
                         "rule": fired[keep]}).reset_index(drop=True)


def with_nik_lists(recs: pd.DataFrame) -> pd.DataFrame:
    """``recs`` with ``nik_lists``: on how many lists (sources) each record's trusted NIK is written (0 without
    one); kept as it is when the column is there already."""
    if "nik_lists" in recs or "nik" not in recs or "source" not in recs:
        return recs
    nik = recs["nik"].where(recs["nik_consistent"].fillna(False).astype(bool)) if "nik_consistent" in recs \
        else recs["nik"]
    lists = pd.DataFrame({"nik": nik.to_numpy(dtype=object), "source": recs["source"].to_numpy(dtype=object)})
    counts = lists.dropna().drop_duplicates().groupby("nik").size()
    return recs.assign(nik_lists=nik.map(counts).fillna(0).astype(np.int64).to_numpy())


def _same_value(recs: pd.DataFrame, column: str, pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Both records of each pair (row positions ``pa``, ``pb`` of ``recs``) hold one value of ``column``
    (False where it is missing or absent); compared as integer codes, one factorisation per column rather
    than one object comparison per pair."""
    if column not in recs:
        return np.zeros(len(pa), dtype=bool)
    codes = pd.factorize(recs[column])[0]
    return (codes[pa] >= 0) & (codes[pa] == codes[pb])


def _may_be_reference(recs: pd.DataFrame, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The node pairs that can be reference pairs of some rule of :data:`REFERENCES`: one name or one birth
    date, and one address text or desa (or one KK or one mother's name, with one name and one birth date). Every reference pair
    passes (each reads one of these combinations), so checking the rules on these pairs alone changes
    nothing."""
    pa, pb = recs.index.get_indexer(lo), recs.index.get_indexer(hi)
    name, dob = _same_value(recs, "name", pa, pb), _same_value(recs, "dob", pa, pb)
    place = _same_value(recs, "addr_text", pa, pb) | _same_value(recs, "desa_code", pa, pb)
    family = _same_value(recs, "kk", pa, pb) | _same_value(recs, "mother_name", pa, pb)
    return (name | dob) & (place | (name & dob & family))


def _candidate_references(recs: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The scored pairs that may be reference pairs (:func:`_may_be_reference`), with both records' rule
    columns and the model's level flags side by side."""
    lo = np.minimum(scored["l"].to_numpy(np.int64), scored["r"].to_numpy(np.int64))
    hi = np.maximum(scored["l"].to_numpy(np.int64), scored["r"].to_numpy(np.int64))
    keep = _may_be_reference(recs, lo, hi)
    m = pair_frame(with_nik_lists(recs), lo[keep], hi[keep]).assign(scored=True)
    for c in _SCORED_COLUMNS:
        m[c] = scored[c].to_numpy()[keep] if c in scored else False
    return m


def check_rules(recs: pd.DataFrame, scored: pd.DataFrame | None, *, off: Iterable[str] = (),
                check: bool = True, max_share: float = MAX_REFERENCE_SHARE,
                min_pairs: int = MIN_REFERENCE_PAIRS) -> dict:
    """Measure each rule of :data:`REFERENCES` on its reference pairs among the scored pairs, and name the
    rules this data contradicts (:func:`rule_contradicted_by_reference_pairs`).

    ``recs`` is indexed by node (the columns of :class:`PairEvidence`); ``scored`` holds the scored pairs
    (``l, r`` and the level flags). Rules in ``off`` (the user's) are not measured; with ``check=False`` no
    rule is. Returns ``{"checked", "max_share", "min_pairs", "rules": [{rule, reference, pairs, fired, rate,
    lower_bound, on, why}], "switched_off"}``; ``switched_off`` lists the rules the data contradicts.
    """
    user_off = set(off)
    report: dict = {"checked": bool(check), "max_share": max_share, "min_pairs": min_pairs, "rules": [],
                    "switched_off": []}
    if not check:
        report["why"] = "cannot_link_check=False: every rule stays on unless switched off by name"
        return report
    ev = PairEvidence(_candidate_references(recs, scored) if scored is not None and len(scored)
                      else pair_frame(recs, np.zeros(0, np.int64), np.zeros(0, np.int64)))
    for rule, ref in REFERENCES.items():
        row: dict = {"rule": rule, "reference": ref.name}
        if rule in user_off:
            report["rules"].append({**row, "pairs": 0, "fired": 0, "rate": None, "lower_bound": None, "on": False,
                                    "why": "switched off by the user (cannot_link_off)"})
            continue
        mask = ref(ev) if len(ev) else np.zeros(0, dtype=bool)
        n = int(mask.sum())
        k = int((RULES[rule](ev) & mask).sum()) if n else 0
        contradicted = rule_contradicted_by_reference_pairs(k, n, max_share=max_share, min_pairs=min_pairs)
        why = (f"fired on {k} of {n} reference pairs (at least {wilson_lower_bound(k, n):.1%} at 95%), more "
               f"than the {max_share:.0%} allowed: contradicted by this data" if contradicted else
               f"too few reference pairs ({n} < {min_pairs}) to judge" if n < min_pairs else
               f"fired on {k} of {n} reference pairs: consistent with this data")
        report["rules"].append({**row, "pairs": n, "fired": k, "rate": round(k / n, 4) if n else None,
                                "lower_bound": round(wilson_lower_bound(k, n), 4), "on": not contradicted,
                                "why": why})
        if contradicted:
            report["switched_off"].append(rule)
    return report


def check_warning(report: dict) -> str | None:
    """A plain sentence naming the rules the data switched off and why (None when it switched none off)."""
    off = [r for r in report.get("rules", []) if r["rule"] in report.get("switched_off", [])]
    if not off:
        return None
    parts = "; ".join(f"{r['rule']} fired on {r['fired']} of {r['pairs']} pairs that are one person by "
                      f"other evidence ({r['reference']})" for r in off)
    return (f"cannot-link rule(s) switched off for this job because this data contradicts them: {parts}. "
            "Pass cannot_link_check=False to keep every rule on (result.metadata['cannot_link'] has the "
            "figures)")
