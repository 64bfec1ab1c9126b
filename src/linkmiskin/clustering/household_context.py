"""Household context: a second pass over the persons, once the households are known.

A record without NIK and birth date (a programme's member row, a health list's child with an age) carries
little besides its name, so the model may leave it a person of its own even when its household holds a
record of the very same name. Inside one household a name is nearly always one person; the exceptions
are a father and a son of one name, or two members whose names were cut to one word, and their records
say so (two NIKs, two birth dates or ages, two sexes, a head and a child) or a list writes both.

:func:`join_same_name_in_household` therefore joins the persons of one household that carry one
(standardised) name when the named rule :func:`same_name_in_household` holds for every pair of them:

* no record of one contradicts a record of the other: two trusted NIKs that differ beyond a typo, real
  birth dates more than a typo apart, birth years (from a date or an age) more than
  :data:`~linkmiskin.scoring.comparisons.APPROX_YEAR_UNSURE` years apart, two sexes, relationships to
  the head a generation apart, or a cannot-link rule (:mod:`linkmiskin.clustering.cannot_link`);
* and the data at hand shows that such pairs are one person more often than not. That is measured on
  the record pairs of one name in one household that both carry a trusted NIK and that nothing but the
  NIK could tell apart (:func:`reference_rates`): the share whose NIKs are one (the same, or a typo
  apart). It is measured separately for pairs from two lists and pairs from one list (one list holding
  one name twice in one household is more often two people: a father and a son), and the rule is used
  for a kind of pair only where the lower 95% Wilson bound of that share is above one half.

A household with a third person of that name whom the records tell apart from one of the two is left as
it is: the evidence cannot say which person a record without NIK and date is.

The records of the persons joined carry the rule's name in ``link_reason``
(``linked: same_name_in_household``); their ``person_confidence`` is at most the measured share.
``out.attrs["household_context"]`` reports the measured shares.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from linkmiskin.clustering.cannot_link import (
    RULES,
    PairEvidence,
    date_chars,
    first_rule,
    near_chars,
    pair_frame,
    wilson_lower_bound,
)
from linkmiskin.clustering.persons import components, confidence
from linkmiskin.scoring.comparisons import APPROX_YEAR_UNSURE
from linkmiskin.standardise.household_roles import role_generation

__all__ = ["RULE", "RULES_OF_PASS", "join_same_name_in_household", "dates_told_apart", "reference_rates", "rules_markdown",
           "same_name_in_household"]

#: the rule's name, recorded on the records it joined (``link_reason``) and in the docs
RULE = "same_name_in_household"
#: fewer reference pairs than this say nothing: the rule stays off for that kind of pair
MIN_REFERENCE_PAIRS = 30
#: the share of reference pairs that must be one person (its lower 95% Wilson bound is compared)
MIN_SHARE = 0.5
#: the kinds of pair measured apart: records from two lists, records from one list
KINDS = ("two_lists", "one_list")


def same_name_in_household(one_household_one_name: np.ndarray, contradicted: np.ndarray,
                           kind_is_one_person: np.ndarray) -> np.ndarray:
    """Two persons of one household with a record each of one name are one person when no record of one
    contradicts a record of the other and the data's own NIK-carrying pairs of that kind are one person
    more often than not.

    >>> same_name_in_household(np.array([True, True, True]), np.array([False, True, False]),
    ...                        np.array([True, True, False])).tolist()
    [True, False, False]
    """
    return one_household_one_name & ~contradicted & kind_is_one_person


# ------------------------------------------------------------------------------------------ evidence


def _years(recs: pd.DataFrame, approx_year: pd.Series | None) -> np.ndarray:
    """Each record's birth year from its date, else from its age; NaN where neither is known."""
    y = (recs["dob_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan) if "dob_year" in recs
         else np.full(len(recs), np.nan))
    if approx_year is not None:
        a = pd.Series(approx_year).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        y = np.where(np.isnan(y), a, y)
    return y


def _contradictions(recs: pd.DataFrame, years: np.ndarray, a: np.ndarray, b: np.ndarray,
                    off: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For record pairs ``(a, b)`` (nodes): (told apart by anything but a NIK, told apart by NIKs, the NIKs
    are one (both trusted, equal or a typo apart), both from one list)."""
    ev = PairEvidence(pair_frame(recs, a, b))
    da, db = (date_chars(ev.col("dob", s)) for s in "ab")
    dates = ev.dob_diff & dates_told_apart(da, db)
    ya, yb = years[a], years[b]
    year_gap = ~np.isnan(ya) & ~np.isnan(yb) & (np.abs(ya - yb) > APPROX_YEAR_UNSURE)
    ga, gb = role_generation(ev.col("relationship", "a")), role_generation(ev.col("relationship", "b"))
    generation = ~np.isnan(ga) & ~np.isnan(gb) & (ga != gb)
    rules = [r for name, r in RULES.items() if name not in set(off)]
    ruled = first_rule(ev, rules) != "" if len(ev) else np.zeros(0, dtype=bool)
    other = dates | year_gap | ev.sex_diff | generation | ruled
    ta, tb = ev.trusted_nik
    both = (ta.notna() & tb.notna()).to_numpy(dtype=bool)
    one_nik = both & ~ev.niks_differ_beyond_typo
    return other, ev.niks_differ_beyond_typo, one_nik, ev.same_source


def dates_told_apart(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Two recorded birth dates (:func:`~linkmiskin.clustering.cannot_link.date_chars`) tell two people
    apart when they are more than two characters apart, or differ both in the year and in the day or month
    (two slips in two fields: siblings of one name a year apart, 2023-02-17 / 2024-02-27).

    >>> from linkmiskin.clustering.cannot_link import date_chars
    >>> d = lambda *v: date_chars(pd.Series(list(v)))
    >>> dates_told_apart(d("2023-02-17", "2023-02-17", "1973-02-17", "2023-02-17"),
    ...                  d("2024-02-27", "2023-02-27", "1937-02-17", "1990-05-06")).tolist()
    [True, False, False, True]
    """
    year = (a[0][:, :4] != b[0][:, :4]).any(axis=1)
    day = (a[0][:, 5:] != b[0][:, 5:]).any(axis=1)
    return ~near_chars(a, b) | (year & day)


def _pairs_within(groups: pd.DataFrame, key: str, item: str) -> pd.DataFrame:
    """Every pair ``item_a < item_b`` of one ``key`` group."""
    m = groups.merge(groups, on=key, suffixes=("_a", "_b"))
    return m[m[f"{item}_a"] < m[f"{item}_b"]].reset_index(drop=True)


def reference_rates(other: np.ndarray, nik_apart: np.ndarray, one_nik: np.ndarray,
                    one_list: np.ndarray) -> dict[str, dict]:
    """Per kind of pair (:data:`KINDS`), among record pairs of one name in one household that nothing but a
    NIK tells apart and that both carry a trusted NIK: how many, how many are one NIK, the share, its lower
    95% Wilson bound and whether the rule is used (``on``).

    >>> r = reference_rates(np.zeros(40, bool), np.arange(40) < 2, np.arange(40) >= 2, np.zeros(40, bool))
    >>> r["two_lists"]["pairs"], r["two_lists"]["one_person"], r["two_lists"]["on"], r["one_list"]["on"]
    (40, 38, True, False)
    """
    out = {}
    for kind, sel in zip(KINDS, (~one_list, one_list)):
        ref = sel & ~other & (nik_apart | one_nik)
        n, k = int(ref.sum()), int((ref & one_nik).sum())
        low = wilson_lower_bound(k, n)
        out[kind] = {"pairs": n, "one_person": k, "share": round(k / n, 4) if n else None,
                     "lower_bound": round(low, 4), "on": n >= MIN_REFERENCE_PAIRS and low > MIN_SHARE}
    return out


# ------------------------------------------------------------------------------------------ the pass


def join_same_name_in_household(persons: pd.DataFrame, household: np.ndarray,
                                pairs: pd.DataFrame | Callable[[np.ndarray], pd.DataFrame], *,
                                approx_year: pd.Series | None = None, off: tuple[str, ...] = ()) -> pd.DataFrame:
    """Join the persons of one household that carry one name where :func:`same_name_in_household` holds for
    every pair of them.

    ``persons``: :func:`linkmiskin.clustering.persons.person_clusters`' output (positional ``node``,
    ``person_node``, ``person_confidence`` and the cannot-link rules' record columns); ``household``: each
    record's household label; ``pairs``: the scored pairs (``l, r, p``) for the confidences, or a function
    giving the scored pairs that touch the given nodes (all a joined record's confidence reads: Spark's
    driver collects only those);
    ``approx_year``: each record's birth year from an age (None if no list gives ages); ``off``: the
    cannot-link rules switched off. Returns ``persons`` with ``person_node`` and ``person_confidence``
    updated and ``joined_by`` (the rule's name on the records of the persons it joined, '' elsewhere);
    ``out.attrs["household_context"]`` holds the measured shares (:func:`reference_rates`).
    """
    n = len(persons)
    out = persons.copy(deep=False)
    out.attrs = dict(persons.attrs)
    out["joined_by"] = np.full(n, "", dtype=object)
    ctx = _Context(persons, approx_year, off)
    groups = _name_groups(persons, household)
    rates = _reference(ctx, groups)
    out.attrs["household_context"] = rates
    if not any(r["on"] for r in rates.values()):
        return out
    pp = _person_pairs(ctx, groups)
    kind_on = np.where(pp["one_list"].to_numpy(dtype=bool), rates["one_list"]["on"], rates["two_lists"]["on"])
    pp["ok"] = same_name_in_household(np.ones(len(pp), dtype=bool), pp["told_apart"].to_numpy(dtype=bool),
                                      kind_on)
    # a group is joined only when every pair of its persons is (a third person told apart leaves it as it is)
    take = _checked_throughout(n, pp[pp.groupby("g")["ok"].transform("all").to_numpy(dtype=bool)])
    if not len(take):
        return out
    rep = persons["person_node"].to_numpy(np.int64)
    comp = components(n, take["person_a"].to_numpy(np.int64), take["person_b"].to_numpy(np.int64))
    new = pd.Series(np.arange(n)).groupby(comp[rep]).transform("min").to_numpy()
    touched = np.isin(rep, np.union1d(take["person_a"].to_numpy(), take["person_b"].to_numpy()))
    # a joined record: its tie inside the new person if the model scored one, else at most the measured share
    share = min(r["share"] or 0.0 for r in rates.values() if r["on"])
    old = persons["person_confidence"].to_numpy(dtype=float)
    out["person_node"] = new
    if callable(pairs):
        pairs = pairs(np.flatnonzero(touched))
    out["person_confidence"] = np.where(touched, np.maximum(confidence(n, new, pairs), np.minimum(old, share)), old)
    out["joined_by"] = np.where(touched, RULE, "").astype(object)
    return out


def _checked_throughout(n: int, take: pd.DataFrame) -> pd.DataFrame:
    """The person pairs of ``take`` whose joined persons were all checked pairwise: a person in two groups
    (two households, or two names) could chain two persons no group compared, so such a chain is dropped."""
    pairs = take[["person_a", "person_b"]].drop_duplicates()
    comp = components(n, pairs["person_a"].to_numpy(np.int64), pairs["person_b"].to_numpy(np.int64))
    c = comp[pairs["person_a"].to_numpy(np.int64)]
    people = pd.Series(np.concatenate([pairs["person_a"], pairs["person_b"]]), dtype=np.int64)
    k = people.groupby(np.concatenate([c, c])).nunique()
    checked = pd.Series(c).value_counts()
    whole = (checked.reindex(k.index) == k * (k - 1) // 2)
    return take[whole.reindex(comp[take["person_a"].to_numpy(np.int64)]).to_numpy(dtype=bool)]


class _Context:
    """What the contradiction checks read: the records by node, their birth years, the rules switched off."""

    def __init__(self, persons: pd.DataFrame, approx_year: pd.Series | None, off: tuple[str, ...]) -> None:
        self.recs = persons.set_index("node")
        self.recs.attrs = {}   # (person_clusters' cannot-link table in attrs would be compared at every concat)
        self.years = _years(persons, approx_year)
        self.off = tuple(off)
        nik = persons["nik"].notna().to_numpy(dtype=bool)
        ok = persons["nik_consistent"].fillna(False).astype(bool).to_numpy(dtype=bool) \
            if "nik_consistent" in persons else np.ones(len(persons), dtype=bool)
        self.trusted = nik & ok
        self.person = persons["person_node"].to_numpy(np.int64)

    def check(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return _contradictions(self.recs, self.years, a, b, self.off)


def _name_groups(persons: pd.DataFrame, household: np.ndarray) -> pd.DataFrame:
    """The records of (household, name) groups of two or more records: ``g, node, person``."""
    name = persons["name"].to_numpy(dtype=object)
    ok = ~pd.isna(name) & (np.asarray(household) >= 0)
    rf = pd.DataFrame({"node": persons["node"].to_numpy(np.int64)[ok],
                       "person": persons["person_node"].to_numpy(np.int64)[ok],
                       "household": np.asarray(household, dtype=np.int64)[ok], "name": name[ok]})
    rf["g"] = pd.MultiIndex.from_arrays([rf["household"], rf["name"]]).factorize()[0] if len(rf) else 0
    return rf.loc[rf.groupby("g")["node"].transform("size") >= 2, ["g", "node", "person"]]


def _reference(ctx: _Context, groups: pd.DataFrame) -> dict[str, dict]:
    """:func:`reference_rates` on the record pairs of one name in one household that both carry a trusted NIK."""
    rp = _pairs_within(groups, "g", "node")
    a, b = rp["node_a"].to_numpy(np.int64), rp["node_b"].to_numpy(np.int64)
    keep = ctx.trusted[a] & ctx.trusted[b]
    return reference_rates(*ctx.check(a[keep], b[keep]))


def _person_pairs(ctx: _Context, groups: pd.DataFrame) -> pd.DataFrame:
    """The persons of each group, pairwise (``g, person_a, person_b``), with ``told_apart`` (a record pair
    between the two persons, any record of theirs, is contradicted) and ``one_list`` (a list holds both)."""
    gp = groups[["g", "person"]].drop_duplicates()
    gp = gp[gp.groupby("g")["person"].transform("size") >= 2]
    pp = _pairs_within(gp, "g", "person")
    members = pd.DataFrame({"person": ctx.person, "node": np.arange(len(ctx.person), dtype=np.int64)})
    xr = (pp[["person_a", "person_b"]].drop_duplicates()
          .merge(members.rename(columns={"person": "person_a", "node": "node_a"}), on="person_a")
          .merge(members.rename(columns={"person": "person_b", "node": "node_b"}), on="person_b"))
    other, nik_apart, _, one_list = ctx.check(xr["node_a"].to_numpy(np.int64), xr["node_b"].to_numpy(np.int64))
    xr = xr.assign(told_apart=other | nik_apart, one_list=one_list)
    verdict = xr.groupby(["person_a", "person_b"])[["told_apart", "one_list"]].any().reset_index()
    return pp.merge(verdict, on=["person_a", "person_b"], how="left")


#: the pass's named rules (one so far), by name
RULES_OF_PASS = {RULE: same_name_in_household}


def rules_markdown() -> str:
    """Markdown table of the pass's named rules with the first sentence of their docstrings (docs are
    generated from this)."""
    lines = ["| person rule | what it joins |", "|---|---|"]
    for name, f in RULES_OF_PASS.items():
        doc = " ".join((f.__doc__ or "").split("\n\n")[0].split())
        lines.append(f"| `{name}` | {doc} |")
    return "\n".join(lines)
