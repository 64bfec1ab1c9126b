"""Golden records: one row per person and per household, chosen from every linked record by named rules.

A person is usually written on several lists, and the lists disagree (a damaged NIK on one, a placeholder
birth date on another, an old address on a third). :func:`persons_table` and :func:`households_table` pick,
for each field, one value out of the values the records of that person (household) carry, by applying
**survivorship rules** one after another:

* every rule scores each candidate value; only the candidates with the best score stay;
* the rule after which one value is left is the rule that *decided* the field, and its name is written in
  ``<field>_rule`` (``only_value`` when all records agree, ``no_value`` when none has a value);
* ``smallest_value`` breaks the ties that remain, so that the choice never depends on row order.

Which rules apply to which field, and in which order, is :data:`FIELD_RULES`. Identity fields (NIK, name,
birth date, sex) trust the value most records agree on; address fields (desa, RT/RW, place, KK) trust the
most recent list first, because a household that moved appears with its old address on older lists; for
the same reason a person whose own records give only an address older than the household's newest takes the
household's (``newer_household_address``), and one with no address of their own takes the household's
(``from_household``). A household none of whose records gives a desa (a BPJS-PBI family with no other list)
takes the desa its rows' neighbours agree on, in a list sorted by desa (``unit_without_address``).

Values that disagree although each is valid are *conflicts*, named in the ``conflicts`` column
(``several_valid_niks``, ``several_real_birth_dates``, ``several_sexes``...; see :data:`CONFLICTS`), for an
officer to look at.

>>> import linkmiskin as lm                                                        # doctest: +SKIP
>>> result = lm.link(sources, region="32.16")                                      # doctest: +SKIP
>>> result.persons[["person_id", "name", "nik", "birth_date", "nik_rule", "conflicts"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from linkmiskin.standardise.household_roles import HEAD

__all__ = ["FIELD_RULES", "RULES", "CONFLICTS", "SOURCE_TRUST", "HEAD_RECIPIENT_LISTS", "persons_table", "households_table",
           "rules_table", "golden_accuracy"]

# ============================================================================================ trust

def _source_facts() -> pd.DataFrame:
    with resources.files("linkmiskin").joinpath("data/source_trust.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f, comment="#", dtype={"list": str, "recipient_is_head": str})


_SOURCES = _source_facts()
#: Default trust of a known list, per kind of field (first = trusted most; lists not named come last), from
#: ``data/source_trust.csv``: identity (DTKS and BPJS-PBI are matched against Dukcapil), address (lists kept
#: by the desa every month know where a family lives now). Used only when no snapshot dates are given or
#: they tie.
SOURCE_TRUST: dict[str, tuple[str, ...]] = {
    kind: tuple(_SOURCES.sort_values(kind, kind="stable")["list"]) for kind in ("identity", "address")}
#: Lists of one recipient per household (BLT-DD), whose row without a relationship is a vote for the head
#: (``data/source_trust.csv``, ``recipient_is_head``).
HEAD_RECIPIENT_LISTS: frozenset[str] = frozenset(_SOURCES.loc[_SOURCES["recipient_is_head"] == "yes", "list"])

# ============================================================================================ rules
# Each rule takes the candidate table (one row per entity and distinct value; see _candidates) and returns
# a score per row: higher is better. The engine keeps, per entity, the rows with the best score.

Rule = Callable[[pd.DataFrame], np.ndarray]


def valid_value(c: pd.DataFrame) -> np.ndarray:
    """Prefer a value that passes the field's own check (a valid NIK or KK, a parsed date, a resolved desa)."""
    return c["valid"].to_numpy(dtype=np.int64)


def consistent_with_birth_date(c: pd.DataFrame) -> np.ndarray:
    """Prefer a NIK whose coded birth date and sex agree with the person's most frequent birth date and sex."""
    return c["consistent"].to_numpy(dtype=np.int64)


def most_frequent(c: pd.DataFrame) -> np.ndarray:
    """Prefer the value written on the most records."""
    return c["n"].to_numpy(dtype=np.int64)


def most_recent_snapshot(c: pd.DataFrame) -> np.ndarray:
    """Prefer the value from the list with the most recent snapshot date (lists without a date count as oldest)."""
    return c["snapshot"].to_numpy(dtype=np.int64)


def trusted_source(c: pd.DataFrame) -> np.ndarray:
    """Prefer the value from the list trusted most for this kind of field (see ``SOURCE_TRUST``)."""
    return -c["trust"].to_numpy(dtype=np.int64)


def not_placeholder(c: pd.DataFrame) -> np.ndarray:
    """Prefer a birth date that is not a Dukcapil placeholder (1 July, 31 December, 1 January)."""
    return (~c["placeholder"].to_numpy(dtype=bool)).astype(np.int64)


def word_consensus(c: pd.DataFrame) -> np.ndarray:
    """Prefer the name whose words (by sound) most writings of the person's name share, without words most lack
    (the person's records, and the father's or mother's name their children's records give)."""
    return c["consensus"].to_numpy(dtype=np.int64)


def common_spelling(c: pd.DataFrame) -> np.ndarray:
    """Prefer the name whose rarest word is written most often across all the lists, parents' names on children's
    records included (a typo makes a rare word)."""
    return c["commonness"].to_numpy(dtype=np.int64)


def fullest_name(c: pd.DataFrame) -> np.ndarray:
    """Prefer the name with the most words (an abbreviated or truncated name loses words)."""
    return c["words"].to_numpy(dtype=np.int64)


def named_by_children(c: pd.DataFrame) -> np.ndarray:
    """Prefer the name whose words (by sound for the words, as written for the spelling) differ least from the
    father's or mother's name that the records of the person's children in the household write."""
    return c["named_by_children"].to_numpy(dtype=np.int64)


def written_as_head(c: pd.DataFrame) -> np.ndarray:
    """Prefer the person the most records of lists with a relationship column write as head (KEPALA)."""
    return c["written_head"].to_numpy(dtype=np.int64)


def not_written_otherwise(c: pd.DataFrame) -> np.ndarray:
    """Prefer a person no record writes with another relationship (a spouse or child who receives BLT-DD is not the head)."""
    return -c["other_role"].to_numpy(dtype=np.int64)


def head_votes(c: pd.DataFrame) -> np.ndarray:
    """Prefer the person the most records name as head of the household (KEPALA, or the BLT-DD recipient)."""
    return c["head_votes"].to_numpy(dtype=np.int64)


def first_in_family(c: pd.DataFrame) -> np.ndarray:
    """Prefer the person written first among their household's neighbouring rows, in a list whose households
    with a known head prove that it lists the head first (as a KK does)."""
    return c["first_row"].to_numpy(dtype=np.int64)


def not_a_child(c: pd.DataFrame) -> np.ndarray:
    """Prefer a member not known to be under 17 on the newest list's date (a child does not head a KK)."""
    return (~c["child"].to_numpy(dtype=bool)).astype(np.int64)


def adult_man(c: pd.DataFrame) -> np.ndarray:
    """Prefer a man of at least 17 on the newest list's date (a KK names the husband as head when there is one)."""
    return c["adult_man"].to_numpy(dtype=np.int64)


def eldest(c: pd.DataFrame) -> np.ndarray:
    """Prefer the eldest member (earliest golden birth date)."""
    return -c["birth_days"].to_numpy(dtype=np.int64)


def from_household(own: np.ndarray, own_rule: np.ndarray, household: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A person none of whose records gives an address takes the golden address of the person's household."""
    take = pd.isna(own) & pd.notna(household)
    return np.where(take, household, own), np.where(take, "from_household", own_rule)


def newer_household_address(own_days: np.ndarray, household_days: np.ndarray, differs: np.ndarray) -> np.ndarray:
    """A person whose own records give only an address older than their household's newest address takes the
    household's (the family moved, and a newer list of another member knows it)."""
    return differs & (household_days > own_days) & (own_days >= 0)


def unit_without_address(before: np.ndarray, after: np.ndarray, kecamatan_ok: np.ndarray) -> np.ndarray:
    """A household none of whose records gives a desa takes the desa on which the nearest rows before and after
    one of its records agree, in a list whose own rows prove it sorted by desa (the desa only, not RT/RW)."""
    return pd.notna(before) & (before == after) & kecamatan_ok


#: every survivorship rule by name, in no particular order (``FIELD_RULES`` gives the order per field)
RULES: dict[str, Rule] = {f.__name__: f for f in (
    valid_value, consistent_with_birth_date, most_frequent, most_recent_snapshot, trusted_source,
    not_placeholder, word_consensus, common_spelling, fullest_name, named_by_children, written_as_head,
    not_written_otherwise,
    head_votes, first_in_family, not_a_child, adult_man, eldest)}

#: names of the pseudo-rules that mark fields no scoring rule had to decide
ONLY_VALUE, NO_VALUE, SMALLEST_VALUE = "only_value", "no_value", "smallest_value"
#: a person's kecamatan is that of the golden desa when there is one
OF_DESA = "of_desa"

_IDENTITY = ("valid_value", "most_frequent", "most_recent_snapshot", "trusted_source")
_ADDRESS = ("valid_value", "most_recent_snapshot", "trusted_source", "most_frequent")

#: the rules applied to each golden field, in order (then ``smallest_value`` breaks remaining ties)
FIELD_RULES: dict[str, tuple[str, ...]] = {
    "nik": ("valid_value", "consistent_with_birth_date", "most_frequent", "most_recent_snapshot", "trusted_source"),
    "name": ("valid_value", "word_consensus", "most_frequent", "named_by_children", "fullest_name", "common_spelling",
             "trusted_source", "most_recent_snapshot"),
    "name_spelling": ("valid_value", "common_spelling", "named_by_children", "most_frequent", "trusted_source",
                      "most_recent_snapshot"),
    "birth_date": ("valid_value", "most_frequent", "not_placeholder", "most_recent_snapshot", "trusted_source"),
    "sex": _IDENTITY,
    "relationship": ("valid_value", "most_recent_snapshot", "trusted_source", "most_frequent"),
    "kk": _ADDRESS,
    "desa_code": _ADDRESS,
    "rt": _ADDRESS,
    "rw": _ADDRESS,
    "place": _ADDRESS,
    "decile": ("valid_value", "most_recent_snapshot", "most_frequent"),
    "kecamatan_code": _ADDRESS,
    "head_person_id": ("written_as_head", "not_written_otherwise", "not_a_child", "first_in_family", "head_votes", "adult_man",
                       "eldest"),
}

#: kind of trust (``SOURCE_TRUST`` key) used by each field
_FIELD_KIND = {"kecamatan_code": "address", "nik": "identity", "name": "identity", "name_spelling": "identity", "birth_date": "identity", "sex": "identity",
               "relationship": "address", "kk": "address", "desa_code": "address", "rt": "address",
               "rw": "address", "place": "address", "decile": "address", "head_person_id": "address"}

#: named conflicts: field -> name written in ``conflicts`` when an entity holds more than one such value
CONFLICTS: dict[str, str] = {
    "nik": "several_valid_niks",
    "birth_date": "several_real_birth_dates",
    "sex": "several_sexes",
    "name": "several_names",
    "kk": "several_valid_kks",
    "desa_code": "several_desas",
    "head_person_id": "several_heads",
}

_CONFLICT_TEXT = {
    "several_valid_niks": "two or more valid NIKs (not damaged, not placeholders)",
    "several_real_birth_dates": "two or more birth dates that are neither missing nor placeholders",
    "several_sexes": "records say both L and P",
    "several_names": "two or more names that differ in sound (not spelling variants)",
    "several_valid_kks": "two or more valid KK numbers (a household that split or re-registered)",
    "several_desas": "records place the household in two or more desa",
    "several_heads": "two or more members are written as head of the household",
}


# =========================================================================================== engine


@dataclass
class Choice:
    """The chosen value and deciding rule per entity code (``value[i]``, ``rule[i]`` for entity ``i``)."""

    value: np.ndarray
    rule: np.ndarray


def _snapshot_days(sources: np.ndarray, snapshots: dict[str, str] | None) -> np.ndarray:
    days = np.full(len(sources), -1, dtype=np.int64)
    for src, date in (snapshots or {}).items():
        ts = pd.Timestamp(date)
        days[sources == src] = int((ts - pd.Timestamp("1970-01-01")).days)
    return days


def _trust_rank(sources: np.ndarray, kind: str, trust: dict[str, tuple[str, ...]] | None) -> np.ndarray:
    order = (trust or SOURCE_TRUST).get(kind, ())
    rank = np.full(len(sources), len(order), dtype=np.int64)
    for i, src in enumerate(order):
        rank[sources == src] = i
    return rank


def _group_reduce(a: np.ndarray, perm: np.ndarray, starts: np.ndarray, how: str) -> np.ndarray:
    """Per group of the rows sorted by ``perm`` (groups begin at ``starts``), the maximum or minimum of ``a``
    (missing values skipped, as pandas does)."""
    a = np.asarray(a)[perm]
    if a.dtype.kind == "f":
        return (np.fmin if how == "min" else np.fmax).reduceat(a, starts)
    if a.dtype.kind == "b":
        a = a.view(np.int8)
    return (np.minimum if how == "min" else np.maximum).reduceat(a, starts)


def choose(entity: np.ndarray, n_entities: int, value: np.ndarray, attrs: dict[str, np.ndarray],
           rules: tuple[str, ...]) -> Choice:
    """Apply ``rules`` in order to the (entity, value) candidates built from one row per record.

    ``attrs`` are per-record columns aggregated per (entity, value): ``n`` (count) is added; ``valid``,
    ``consistent``, ``snapshot``, ``words``, ``head_votes``, ``birth_days`` take the maximum, ``trust`` the
    minimum (best), ``placeholder`` the minimum. Null values are not candidates.

    Memory: the values are factorized once into integer codes; candidates, their attributes and the deciding
    rule are integer arrays (the rule names are spelled out once, at the end).
    """
    value = value if isinstance(value, pd.Series) else np.asarray(value, dtype=object)
    present = pd.notna(value) if isinstance(value, np.ndarray) else value.notna().to_numpy(dtype=bool)
    out_v = np.full(n_entities, None, dtype=object)
    if not present.any():
        return Choice(out_v, np.full(n_entities, NO_VALUE, dtype=object))
    everywhere = bool(present.all())
    # candidates = distinct (entity, value), as integer codes sorted by entity then value (values are
    # sorted once, among the distinct ones, not row by row; a column of strings or nullable integers is
    # factorized as it is, and only its distinct values become Python objects)
    vcode, uniq = pd.factorize(value if everywhere else value[present], sort=True)
    uniq = _as_objects(uniq)
    nv = max(len(uniq), 1)
    key = np.asarray(entity)
    key = (key if everywhere else key[present]).astype(np.int64) * nv + vcode
    del vcode
    perm = np.argsort(key, kind="stable")
    key = key[perm]
    starts = np.r_[0, np.flatnonzero(key[1:] != key[:-1]) + 1]
    ukey = key[starts]
    del key
    cols: dict[str, np.ndarray] = {"e": ukey // nv}
    for k, a in attrs.items():
        cols[k] = _group_reduce(a if everywhere else np.asarray(a)[present], perm, starts,
                                "min" if k in ("trust", "placeholder") else "max")
    cols["n"] = np.diff(np.r_[starts, len(perm)])
    del perm
    c = pd.DataFrame(cols, copy=False)
    e = cols["e"]
    alive = np.ones(len(e), dtype=bool)
    n_cand = np.bincount(e, minlength=n_entities)
    has = n_cand > 0
    decided = n_cand == 1
    # deciding rule as a code: 0 no value, 1 only value, 2 + i rules[i], then smallest value
    names = np.array([NO_VALUE, ONLY_VALUE, *rules, SMALLEST_VALUE], dtype=object)
    rule = decided.astype(np.int16)
    for i, name in enumerate(rules):
        s = RULES[name](c).astype(np.float64)
        s[~alive] = -np.inf
        best = np.full(n_entities, -np.inf)
        np.maximum.at(best, e, s)
        alive &= s == best[e]
        left = np.bincount(e, weights=alive, minlength=n_entities)
        now = (left == 1) & ~decided & has
        rule[now] = 2 + i
        decided |= now
    rule[has & ~decided] = len(names) - 1
    # first alive candidate per entity (candidates are sorted by value within entity)
    idx = np.flatnonzero(alive)
    first = idx[np.r_[True, e[idx][1:] != e[idx][:-1]]] if len(idx) else idx
    out_v[e[first]] = uniq[ukey[first] % nv]
    return Choice(out_v, names[rule])


def _distinct_count(entity: np.ndarray, n: int, value: np.ndarray | pd.Series, mask: np.ndarray) -> np.ndarray:
    """Per entity, the number of distinct non-missing ``value`` among its rows where ``mask`` holds."""
    code = pd.factorize(value)[0]   # integer codes, -1 for a missing value
    m = mask & (code >= 0)
    if not m.any():
        return np.zeros(n, dtype=np.int64)
    k = int(code.max()) + 1
    pairs = np.unique(np.asarray(entity)[m].astype(np.int64) * k + code[m])
    return np.bincount(pairs // k, minlength=n)


def _as_objects(values) -> np.ndarray:
    """Values (an array, Index or extension array) as an object array, missing values as None (as :func:`_col`)."""
    out = pd.Series(values, dtype=getattr(values, "dtype", None), copy=False).to_numpy(dtype=object, copy=True)
    out[pd.isna(out)] = None
    return out


def _sequence_codes(lists: pd.Series) -> np.ndarray:
    """Per row, a code of its list of words that is equal exactly when the words joined by spaces are
    (NaN where the row has no list or a word of its list is missing), without building the joined strings:
    word codes in a row-by-position integer matrix, whose distinct rows are numbered."""
    n = len(lists)
    length = lists.str.len().to_numpy(dtype=np.float64)     # NaN: not a list
    words = pd.Series(lists.to_numpy(dtype=object)).explode()
    r = words.index.to_numpy(dtype=np.int64)                  # row of each word, in row order
    # sorted word codes: a list's code then depends on the words in the table, not on the row order (the
    # smallest form wins a tie, so Spark's driver, which gets the rows in another order, must number alike)
    tok, uniq = pd.factorize(words.to_numpy(dtype=object), sort=True)
    del words
    filled = length > 0
    bad = np.zeros(n, dtype=bool)
    bad[r[(tok < 0) & filled[r]]] = True                      # a missing word: the joined text is missing
    ok = ~np.isnan(length) & ~bad
    word = filled[r] & ok[r]
    pos = np.arange(len(r)) - np.searchsorted(r, r)
    width = max(int(length[ok].max()) if ok.any() else 0, 1)
    m = np.zeros((n, width), dtype=np.int32 if len(uniq) < 2 ** 31 - 1 else np.int64)
    m[r[word], pos[word]] = tok[word] + 1
    empty = np.flatnonzero(np.asarray(uniq, dtype=object) == "")
    if len(empty):   # [""] joins to "" as [] does
        m[(length == 1) & (m[:, 0] == empty[0] + 1)] = 0
    _, inv = np.unique(m.view(np.dtype((np.void, width * m.itemsize))).ravel(), return_inverse=True)
    return np.where(ok, inv.ravel(), np.nan)


def _values(rec: pd.DataFrame, name: str) -> np.ndarray | pd.Series:
    """The column ``name`` of ``rec`` as :func:`choose` and :func:`_distinct_count` take it: a column of
    strings or nullable integers as it is (not one Python object per record), any other as :func:`_col`."""
    if name in rec and rec[name].dtype != object:
        return rec[name]
    return _col(rec, name)


def _col(rec: pd.DataFrame, name: str) -> np.ndarray:
    if name not in rec:
        return np.full(len(rec), None, dtype=object)
    s = rec[name]
    out = s.to_numpy(dtype=object, copy=True)   # one object array; missing values (NaN, NA) become None
    out[s.isna().to_numpy()] = None
    return out


def _date_days(values: np.ndarray) -> np.ndarray:
    d = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", format="%Y-%m-%d")
    out = ((d - pd.Timestamp("1970-01-01")).dt.days).fillna(10 ** 6).to_numpy(dtype=np.int64)
    return out


def _group_lists(groups: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list[list]]:
    """(group keys, list of values per group) for arrays already sorted by group."""
    if len(groups) == 0:
        return groups, []
    cut = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    return groups[np.r_[0, cut]], [p.tolist() for p in np.split(values, cut)]


def _source_sets(entity: np.ndarray, n: int, sources: np.ndarray, sep: str | None) -> np.ndarray:
    """Sorted distinct sources per entity: a joined string (``sep``) or a list (``sep=None``).

    One bit per source, OR-ed per entity; each distinct bit pattern is spelled out once."""
    scodes, names = pd.factorize(pd.Series(sources), sort=True)
    mask = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(mask, entity, np.left_shift(1, scodes.astype(np.int64)))
    pats, inv = np.unique(mask, return_inverse=True)
    spelled = [[str(names[b]) for b in range(len(names)) if p >> b & 1] for p in pats]
    out = np.empty(len(pats), dtype=object)
    for i, lst in enumerate(spelled):
        out[i] = sep.join(lst) if sep is not None else lst
    res = out[inv]
    if sep is None:   # one list object per entity (not shared), so that callers may edit them
        res = np.array([list(x) for x in res] + [None], dtype=object)[:-1]
    return res


def _conflict_text(parts: list[tuple[np.ndarray, str]], n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    for flag, name in parts:   # only the flagged rows get a new string
        idx = np.flatnonzero(flag)
        old = out[idx]
        out[idx] = np.where(old == "", name, old + ("; " + name))
    return out


def _record_context(rec: pd.DataFrame, snapshots: dict[str, str] | None,
                    trust: dict[str, tuple[str, ...]] | None) -> dict[str, np.ndarray]:
    src = rec["source"].to_numpy(dtype=object)
    return {"snapshot": _snapshot_days(src, snapshots),
            "trust_identity": _trust_rank(src, "identity", trust),
            "trust_address": _trust_rank(src, "address", trust)}


def _field_inputs(rec: pd.DataFrame, field: str, ctx: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    """(values, attrs) of one golden field from the record table."""
    kind = _FIELD_KIND[field]
    attrs: dict[str, np.ndarray] = {"snapshot": ctx["snapshot"], "trust": ctx[f"trust_{kind}"]}
    if field == "nik":
        v = _values(rec, "nik")
        attrs["valid"] = (rec["nik_status"] == "valid").fillna(False).to_numpy(dtype=bool)
    elif field == "kk":
        v = _values(rec, "kk")
        attrs["valid"] = (rec["kk_status"] == "valid").fillna(False).to_numpy(dtype=bool)
    elif field == "name":
        v = _col(rec, "name")
        attrs["valid"] = (rec["name_status"] == "ok").to_numpy(dtype=bool)
        attrs["words"] = pd.Series(v, dtype=object).str.count(" ").fillna(-1).to_numpy(dtype=np.int64) + 1
    elif field == "birth_date":
        v = _values(rec, "birth_date")
        attrs["valid"] = rec["birth_date_status"].isin(["ok", "placeholder"]).to_numpy(dtype=bool)
        attrs["placeholder"] = rec["birth_date_placeholder"].fillna(False).to_numpy(dtype=bool)
    elif field == "sex":
        v = _values(rec, "sex")
        attrs["valid"] = (rec["sex_status"] == "ok").to_numpy(dtype=bool)
    elif field == "relationship":
        v = _values(rec, "relationship")
        attrs["valid"] = (rec["relationship_status"] == "ok").to_numpy(dtype=bool)
    elif field == "desa_code":
        v = _values(rec, "desa_code")
        attrs["valid"] = (rec["region_status"] == "resolved").to_numpy(dtype=bool)
    elif field in ("rt", "rw", "place", "decile", "kecamatan_code"):
        v = _values(rec, field)
        attrs["valid"] = pd.notna(v) if isinstance(v, np.ndarray) else v.notna().to_numpy(dtype=bool)
    else:  # pragma: no cover - programming error
        raise KeyError(field)
    return v, attrs


def _word_consensus(entity: np.ndarray, rec: pd.DataFrame, named: np.ndarray,
                    also: pd.DataFrame | None = None) -> np.ndarray:
    """Per record: the sum, over its distinct word sounds, of 2 × (the person's writings with that sound)
    − (the person's writings); a word on most writings adds, a word on few subtracts. The writings are the
    person's named records, and ``also`` (``p``: entity code, ``w``: writing, ``word``: sound; the parent's
    names children's records write, :func:`_parents_written`).

    Memory: word sounds are integer codes; (record, sound) and (person, sound) pairs are int64 keys."""
    out = np.zeros(len(rec), dtype=np.int64)
    idx = np.flatnonzero(named)
    if not len(idx):
        return out
    col = "name_phonetic" if "name_phonetic" in rec else "name_tokens" if "name_tokens" in rec else None
    words = rec[col].iloc[idx] if col else pd.Series(_col(rec, "name")[idx]).str.split()
    words = pd.Series(words.to_numpy(dtype=object), index=idx).explode().dropna()
    if not len(words):
        return out
    also = also if also is not None else pd.DataFrame({"p": [], "w": [], "word": []})
    r = words.index.to_numpy(dtype=np.int64)
    t, _ = pd.factorize(np.concatenate([words.to_numpy(dtype=object), also["word"].to_numpy(dtype=object)]))
    t, t_also = t[:len(r)], t[len(r):]
    del words
    nt = int(t.max()) + 1 if not len(t_also) else int(max(t.max(), t_also.max())) + 1
    rt = np.unique(r * nt + t)                      # distinct (record, sound)
    r, t = rt // nt, rt % nt
    del rt
    e = np.asarray(entity)[r].astype(np.int64)
    keys = e * nt + t
    extra = also["p"].to_numpy(dtype=np.int64) * nt + t_also
    _, inv, cnt = np.unique(np.concatenate([keys, extra]), return_inverse=True, return_counts=True)
    support = cnt[inv.ravel()[:len(keys)]]
    size = int(entity.max()) + 1 if len(entity) else 0
    n_named = np.bincount(entity[idx], minlength=size)
    voters = also[["p", "w"]].drop_duplicates()
    n_named = n_named + np.bincount(voters["p"].to_numpy(dtype=np.int64), minlength=size)[:size]
    score = 2 * support - n_named[e]
    return out + np.bincount(r, weights=score, minlength=len(rec)).astype(np.int64)


def _word_commonness(rec: pd.DataFrame, named: np.ndarray) -> np.ndarray:
    """Per record: how many names of the whole table carry its rarest name word (0 without a name); the names
    are the records' own and the parents' names children's records write (:data:`_PARENT_NAME_COLUMNS`)."""
    out = np.zeros(len(rec), dtype=np.int64)
    idx = np.flatnonzero(named)
    if not len(idx):
        return out
    words = rec["name_tokens"].iloc[idx] if "name_tokens" in rec else pd.Series(_col(rec, "name")[idx]).str.split()
    words = pd.Series(words.to_numpy(dtype=object), index=idx).explode().dropna()
    if not len(words):
        return out
    parents = [np.empty(0, dtype=object)]
    for col, _ in _PARENT_NAME_COLUMNS:   # each parent's name once per word, as a record's
        pw = _word_pairs(pd.Series(_col(rec, col)).dropna().str.split())
        parents.append(pw["word"].to_numpy(dtype=object))
    parents = np.concatenate(parents)
    r = words.index.to_numpy(dtype=np.int64)
    t, _ = pd.factorize(np.concatenate([words.to_numpy(dtype=object), parents]))
    t, t_parents = t[:len(r)], t[len(r):]
    del words
    nt = int(t.max() if not len(t_parents) else max(t.max(), t_parents.max())) + 1
    rt = np.unique(r * nt + t)                      # distinct (record, word), as int64 keys
    r, t = rt // nt, rt % nt
    freq = (np.bincount(t, minlength=nt) + np.bincount(t_parents, minlength=nt))[t]
    rarest = np.full(len(rec), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(rarest, r, freq)
    return np.where(rarest == np.iinfo(np.int64).max, 0, rarest)


#: the parents' name columns a child's record may carry, with the sex of the parent each names
_PARENT_NAME_COLUMNS = (("father_name", "L"), ("mother_name", "P"))


def _word_pairs(words: pd.Series) -> pd.DataFrame:
    """Distinct (row, word) of a column of word lists (its index the rows)."""
    w = words.explode().dropna()
    return pd.DataFrame({"row": w.index.to_numpy(dtype=np.int64), "word": w.to_numpy(dtype=object)}).drop_duplicates()


def _record_words(rec: pd.DataFrame, idx: np.ndarray, by_sound: bool) -> pd.DataFrame:
    """(row, word) of the names of the records ``idx``: their word sounds (``name_phonetic``) or their words as
    written (``name_tokens``; the name split when a column is missing)."""
    col = "name_phonetic" if by_sound else "name_tokens"
    if col in rec:
        words = rec[col].iloc[idx]
    else:
        words = pd.Series(_col(rec, "name")[idx]).str.split()
    return _word_pairs(pd.Series(words.to_numpy(dtype=object), index=idx))


def _parents_written(rec: pd.DataFrame, codes: np.ndarray, hcode: np.ndarray, sex: np.ndarray,
                     birth_days: np.ndarray, sounds: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The parents' names written on children's records, each given to the one man (father) or woman (mother) of
    the child's household, other than the child, at least ``PARENT_MIN_YEARS`` older when both birth dates are
    known, who shares the most word sounds (one at least) with the written name (``hcode``: the records'
    household codes; ``sounds``: row, word). Returns the rows (writing ``w``, person ``p``) and each writing's
    name (index ``w``)."""
    from linkmiskin.clustering.households import PARENT_MIN_YEARS

    parts = []
    for col, sex_ in _PARENT_NAME_COLUMNS:
        v = _col(rec, col)
        k = np.flatnonzero(pd.notna(v) & pd.notna(_col(rec, "household_id")))
        if len(k):
            parts.append(pd.DataFrame({"k": k, "pname": v[k], "psex": sex_}))
    none = pd.DataFrame({"w": np.array([], dtype=np.int64), "p": np.array([], dtype=np.int64)})
    if not parts:
        return none, pd.Series(dtype=object)
    w = pd.concat(parts, ignore_index=True)
    kw = w["k"].to_numpy()
    ws = _written_sounds(w["pname"], rec)
    there = np.isin(hcode, np.unique(hcode[kw]))
    members = pd.DataFrame({"h": hcode[there], "p": codes[there]}).drop_duplicates()
    cand = pd.DataFrame({"w": np.arange(len(w)), "h": hcode[kw], "child": codes[kw],
                         "psex": w["psex"].to_numpy(dtype=object)}).merge(members, on="h")
    p = cand["p"].to_numpy()
    born_p, born_c = birth_days[p], birth_days[cand["child"].to_numpy()]
    known = (born_p < 10 ** 6) & (born_c < 10 ** 6)
    fits = ((p != cand["child"].to_numpy()) & (pd.isna(sex[p]) | (sex[p] == cand["psex"].to_numpy(dtype=object)))
            & (~known | (born_p <= born_c - PARENT_MIN_YEARS * 365.25)))
    cand = cand.loc[fits, ["w", "p"]]
    person_sounds = sounds.assign(p=codes[sounds["row"].to_numpy()])[["p", "word"]].drop_duplicates()
    shared = (cand.merge(ws, on="w").merge(person_sounds, on=["p", "word"])
              .groupby(["w", "p"]).size().rename("n").reset_index())
    best = shared.groupby("w")["n"].transform("max").to_numpy()
    top = shared[shared["n"].to_numpy() == best]
    return top[~top["w"].duplicated(keep=False)][["w", "p"]], w["pname"]


def _words_apart(rows: pd.DataFrame, words: pd.DataFrame, written: pd.DataFrame, n: int) -> np.ndarray:
    """Per record (``n`` of them): minus the sum, over the writings ``rows`` pairs it with, of the number of
    words in its name (``words``: row, word) or the writing's (``written``: w, word) but not in both."""
    out = np.zeros(n, dtype=np.int64)
    n_r = words.groupby("row").size()
    n_w = written.groupby("w").size()
    inter = (rows.merge(words, on="row").merge(written, on=["w", "word"]).groupby(["row", "w"]).size()
             .rename("i").reset_index())
    rows = rows.merge(inter, on=["row", "w"], how="left")
    d = (n_r.reindex(rows["row"]).fillna(0).to_numpy() + n_w.reindex(rows["w"]).fillna(0).to_numpy()
         - 2 * rows["i"].fillna(0).to_numpy())
    np.subtract.at(out, rows["row"].to_numpy(dtype=np.int64), d.astype(np.int64))
    return out


def _parent_name_distance(rec: pd.DataFrame, codes: np.ndarray, named: np.ndarray, sex: np.ndarray,
                          birth_days: np.ndarray) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Per record, for :func:`named_by_children`: minus the number of words in which its name and each parent's
    name written for its person on a child's record (:func:`_parents_written`) differ, summed over those
    writings (0 for a person no child's record names); by sound (to choose the words) and as written (to
    choose the spelling). Also the writings' sounds per person (``p``, ``w``, ``word``: votes for
    :func:`_word_consensus`).

    Memory: only the records of the members of households where a child's record names a parent, and their
    words, are joined."""
    zero = np.zeros(len(rec), dtype=np.int64)
    none = pd.DataFrame({"p": np.array([], dtype=np.int64), "w": np.array([], dtype=np.int64), "word": []})
    written = np.zeros(len(rec), dtype=bool)
    for col, _ in _PARENT_NAME_COLUMNS:
        written |= pd.notna(_col(rec, col))
    if not written.any():
        return zero, zero, none
    hcode, _ = pd.factorize(rec["household_id"])
    there = np.isin(hcode, np.unique(hcode[written & (hcode >= 0)]))
    idx = np.flatnonzero(named & np.isin(codes, np.unique(codes[there])))
    if not len(idx):
        return zero, zero, none
    sounds = _record_words(rec, idx, by_sound="name_phonetic" in rec)
    given, names = _parents_written(rec, codes, hcode, sex, birth_days, sounds)
    if not len(given):
        return zero, zero, none
    rows = pd.DataFrame({"row": idx, "p": codes[idx]}).merge(given, on="p")[["row", "w"]]
    mine = rows["row"].unique()
    heard_words = _written_sounds(names, rec)
    heard = _words_apart(rows, sounds[sounds["row"].isin(mine)], heard_words, len(rec))
    spelled = _word_pairs(pd.Series(names.str.split().to_numpy(dtype=object))).rename(columns={"row": "w"})
    seen = _words_apart(rows, _record_words(rec, mine, by_sound=False), spelled, len(rec))
    return heard, seen, given.merge(heard_words, on="w")[["p", "w", "word"]]


def _written_sounds(names: pd.Series, rec: pd.DataFrame) -> pd.DataFrame:
    """(w, word) of the word sounds of written names (their words when the records have no sounds)."""
    from linkmiskin.standardise.names import phonetic_key

    inv, uniq = pd.factorize(names)
    uniq = pd.Series(np.asarray(uniq, dtype=object))
    keys = phonetic_key(uniq) if "name_phonetic" in rec else uniq
    return _word_pairs(pd.Series(keys.str.split().to_numpy(dtype=object)[inv])).rename(columns={"row": "w"})


def _reference_days(snapshots: dict[str, str] | None) -> int:
    """The day ages are counted at: the newest list's snapshot date, or today when no dates are given."""
    dates = [pd.Timestamp(d) for d in (snapshots or {}).values()]
    ref = max(dates) if dates else pd.Timestamp.today().normalize()
    return int((ref - pd.Timestamp("1970-01-01")).days)


def _nik_consistency(nik_birth: np.ndarray | pd.Series, nik_sex: np.ndarray | pd.Series, codes: np.ndarray,
                     dob: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Per record: its NIK's coded birth date is its entity's ``dob[code]``, and its coded sex its ``sex[code]``
    (or the entity has no sex)."""
    return _same_as_chosen(nik_birth, codes, dob) & (_same_as_chosen(nik_sex, codes, sex) | pd.isna(sex)[codes])


def _same_as_chosen(values: np.ndarray | pd.Series, codes: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Per record: is ``values`` (a column, missing never equal) equal to its entity's ``chosen[code]``?
    On integer codes: only the distinct values of the column are compared."""
    vcode, uniq = pd.factorize(values)
    ccode = pd.Index(_as_objects(uniq), dtype=object).get_indexer(np.asarray(chosen, dtype=object))
    return (vcode >= 0) & (vcode == ccode[codes])


def _choose_fields(rec: pd.DataFrame, codes: np.ndarray, n: int, ctx: dict[str, np.ndarray],
                   fields: tuple[str, ...]) -> dict[str, Choice]:
    """Each of ``fields`` chosen per entity (``codes``) by its own rules (``FIELD_RULES``)."""
    out = {}
    for f in fields:
        v, at = _field_inputs(rec, f, ctx)
        out[f] = choose(codes, n, v, at, FIELD_RULES[f])
    return out


def _name_forms(rec: pd.DataFrame, v: np.ndarray, sounds: np.ndarray | None = None) -> np.ndarray:
    """Per record, a code of its name's *form* (its words by sound, in order; NaN without a name): two
    spellings of the same words (SUPRIYANTO, SUPRIANTO) share a form. A name whose sounds are not known is a
    form of its own. ``sounds``: :func:`_sequence_codes` of ``name_phonetic`` if known."""
    named = pd.notna(v)
    if sounds is None:
        sounds = _sequence_codes(rec["name_phonetic"]) if "name_phonetic" in rec else np.full(len(rec), np.nan)
    form = np.array(sounds, dtype=np.float64)
    alone = named & np.isnan(form)
    if alone.any():
        form[alone] = -1.0 - pd.factorize(pd.Series(v[alone], dtype=object), sort=True)[0]
    form[~named] = np.nan
    return form


def _choose_name(rec: pd.DataFrame, codes: np.ndarray, n: int, ctx: dict[str, np.ndarray],
                 commonness: np.ndarray | None, sounds: np.ndarray | None = None,
                 sex: np.ndarray | None = None, birth_days: np.ndarray | None = None) -> Choice:
    """The name in two steps: which words (the form, by ``FIELD_RULES["name"]``), then, among the records
    written with those words, which spelling (``FIELD_RULES["name_spelling"]``). The deciding rule is the
    spelling's when the chosen words are spelled in more than one way, else the form's. ``sex`` and
    ``birth_days`` (per entity; unknown if not given) tell which member a child's record names as a parent."""
    v, a = _field_inputs(rec, "name", ctx)
    named = pd.notna(v)
    heard, seen, votes = _parent_name_distance(
        rec, codes, named, np.full(n, None, dtype=object) if sex is None else sex,
        np.full(n, 10 ** 6, dtype=np.int64) if birth_days is None else birth_days)
    a["consensus"] = _word_consensus(codes, rec, named, votes)
    a["named_by_children"] = heard
    a["commonness"] = _word_commonness(rec, named) if commonness is None else commonness
    form = _name_forms(rec, v, sounds)
    words = choose(codes, n, form, a, FIELD_RULES["name"])
    chosen_form = pd.to_numeric(pd.Series(words.value, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    keep = named & (form == chosen_form[codes])
    spelled = choose(codes, n, np.where(keep, v, None),
                     {**{k: x for k, x in a.items() if k != "consensus"}, "named_by_children": seen},
                     FIELD_RULES["name_spelling"])
    several = ~np.isin(spelled.rule, [ONLY_VALUE, NO_VALUE])
    return Choice(spelled.value, np.where(several, spelled.rule, words.rule))


def _choose_in_desa(rec: pd.DataFrame, codes: np.ndarray, n: int, ctx: dict[str, np.ndarray],
                    desa: np.ndarray) -> dict[str, Choice]:
    """RT, RW and place chosen only from the records in the entity's chosen desa (``desa[code]``), so that
    an address is never mixed from two desa."""
    chosen = desa[codes]
    in_desa = (_col(rec, "desa_code") == chosen) | pd.isna(chosen)
    out = {}
    for f in ("rt", "rw", "place"):
        v, at = _field_inputs(rec, f, ctx)
        v = np.where(in_desa, v, None) if isinstance(v, np.ndarray) else v.where(in_desa)
        out[f] = choose(codes, n, v, at, FIELD_RULES[f])
    return out


def _household_address(rec: pd.DataFrame, snapshots: dict[str, str] | None,
                       trust: dict[str, tuple[str, ...]] | None,
                       neighbour_desa: pd.Series | None = None) -> pd.DataFrame:
    """Golden KK, desa, RT, RW, place and decile per household id, with the deciding rules.
    ``neighbour_desa``: :func:`_list_neighbour_desa` of a larger table than ``rec`` (else ``rec``'s own)."""
    codes, hids = pd.factorize(rec["household_id"], sort=True)
    n = len(hids)
    ctx = _record_context(rec, snapshots, trust)
    out = pd.DataFrame(index=pd.Index(np.asarray(hids, dtype=object), name="household_id"))
    ch = _choose_fields(rec, codes, n, ctx, ("kk", "desa_code", "decile"))
    ch.update(_choose_in_desa(rec, codes, n, ctx, ch["desa_code"].value))
    for f, c in ch.items():
        out[f], out[f"{f}_rule"] = c.value, c.rule
    if neighbour_desa is None:
        desa, rule = _desa_from_list_neighbours(rec, codes, n, ch["desa_code"].value)
    else:   # only a household without a desa of its own takes one
        desa = neighbour_desa.reindex(out.index).to_numpy(dtype=object)
        desa, rule = np.where(pd.isna(ch["desa_code"].value), desa, None), unit_without_address.__name__
    out["desa_code"] = np.where(pd.notna(desa), desa, out["desa_code"].to_numpy(dtype=object))
    out["desa_code_rule"] = np.where(pd.notna(desa), rule, out["desa_code_rule"].to_numpy(dtype=object))
    return out


def _household_own_desa(records: pd.DataFrame, snapshots: dict[str, str] | None = None,
                       trust: dict[str, tuple[str, ...]] | None = None) -> pd.Series:
    """Per household id, the golden desa its own records give (before :func:`unit_without_address`)."""
    codes, hids = pd.factorize(records["household_id"], sort=True)
    ctx = _record_context(records, snapshots, trust)
    ch = _choose_fields(records, codes, len(hids), ctx, ("desa_code",))["desa_code"]
    return pd.Series(ch.value, index=pd.Index(np.asarray(hids, dtype=object), name="household_id"), dtype=object)


def _list_neighbour_desa(records: pd.DataFrame, own_desa: pd.Series) -> pd.Series:
    """Per household id of ``records``, the desa :func:`unit_without_address` gives it (None for the others),
    from each household's own desa (``own_desa``, by household id: :func:`_household_own_desa`)."""
    codes, hids = pd.factorize(records["household_id"], sort=True)
    index = pd.Index(np.asarray(hids, dtype=object), name="household_id")
    desa, _ = _desa_from_list_neighbours(records, codes, len(hids), own_desa.reindex(index).to_numpy(dtype=object))
    return pd.Series(desa, index=index, dtype=object)


#: a list is read as sorted by desa when, on its rows whose household has a desa, the nearest such rows before
#: and after agree with the row itself at least this often where they agree with each other ...
NEIGHBOUR_DESA_SHARE = 0.95
#: ... checked on at least this many rows.
NEIGHBOUR_DESA_MIN_CHECKED = 20


def _desa_from_list_neighbours(rec: pd.DataFrame, codes: np.ndarray, n: int,
                               chosen: np.ndarray) -> tuple[np.ndarray, str]:
    """:func:`unit_without_address` for the households without a golden desa (``chosen[code]`` is None): per
    household the one desa its records' list neighbours agree on (None where they give none or several)."""
    out = np.full(n, None, dtype=object)
    name = unit_without_address.__name__
    if "row_number" not in rec or not len(rec) or not pd.isna(chosen).any():
        return out, name
    src = rec["source"].astype(str).to_numpy()
    row = pd.to_numeric(rec["row_number"], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    order = np.lexsort((row, src))
    s, c = src[order], codes[order]
    d = pd.Series(chosen[c], dtype=object)
    before = d.groupby(s).shift(1)
    before = before.groupby(s).ffill().to_numpy(dtype=object)
    after = d.groupby(s).shift(-1)
    after = after.groupby(s).bfill().to_numpy(dtype=object)
    own = d.to_numpy(dtype=object)
    # the list's order is proved on its own rows: where the neighbours agree, is the row's desa theirs?
    check = pd.notna(own) & pd.notna(before) & (before == after)
    hit = pd.Series(own[check] == before[check]).groupby(s[check])
    share, size = hit.mean(), hit.size()
    proved = set(share.index[(share >= NEIGHBOUR_DESA_SHARE) & (size >= NEIGHBOUR_DESA_MIN_CHECKED)])
    kec_of = _region_lookup(rec).get("kecamatan_code", pd.Series(dtype=object))
    own_kec = _col(rec, "kecamatan_code")[order]
    cand_kec = pd.Series(before, dtype=object).map(kec_of).to_numpy(dtype=object)
    kec_ok = pd.isna(own_kec) | pd.isna(cand_kec) | (own_kec == cand_kec)
    take = pd.isna(own) & np.isin(s, list(proved)) & unit_without_address(before, after, kec_ok)
    if not take.any():
        return out, name
    votes = pd.DataFrame({"e": c[take], "v": before[take]}).drop_duplicates()
    one = votes.groupby("e")["v"].agg(["first", "size"])
    one = one[one["size"] == 1]
    out[one.index.to_numpy()] = one["first"].to_numpy(dtype=object)
    return out, name


#: a list is read as writing each household's head first when, on its runs of rows of one household that hold
#: the person some record writes as the household's head, that person is on the first row at least this often ...
HEAD_FIRST_SHARE = 0.9
#: ... checked on at least this many families.
HEAD_FIRST_MIN_CHECKED = 20


def _first_rows_of_families(rec: pd.DataFrame) -> np.ndarray:
    """Per record: is it the first row of a run of two or more neighbouring rows of one household, in a list
    proved to write each household's head first (:func:`first_in_family`; the list's own order checked on the
    households whose head a record, of any list, names)."""
    out = np.zeros(len(rec), dtype=bool)
    if "row_number" not in rec or not len(rec):
        return out
    src = rec["source"].astype(str).to_numpy()
    row = pd.to_numeric(rec["row_number"], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    order = np.lexsort((row, src))
    s = src[order]
    hcode, _ = pd.factorize(rec["household_id"])
    h = hcode[order]
    same_prev = (h[1:] == h[:-1]) & (s[1:] == s[:-1]) & (h[1:] >= 0)
    run = np.cumsum(np.r_[True, ~same_prev])
    first = np.r_[True, ~same_prev] & (np.bincount(run)[run] >= 2) & (h >= 0)
    pcode, _ = pd.factorize(rec["person_id"])
    person = pcode[order]
    # the head of a household: the one person a record (any list) writes as head
    written = (_col(rec, "relationship") == HEAD)[order] & (h >= 0)
    hp = pd.DataFrame({"h": h[written], "p": person[written]}).drop_duplicates()
    hp = hp[~hp["h"].duplicated(keep=False)]
    head_of = np.full(len(h) and int(h.max()) + 2, -1, dtype=np.int64)
    head_of[hp["h"].to_numpy()] = hp["p"].to_numpy()
    head = head_of[h]   # h = -1 reads the last slot, -1
    # the list's households whose head is known and on the list: is the head on the first row?
    listed = pd.Series(person == head).groupby(run).transform("any").to_numpy()
    check = first & (head >= 0) & listed
    hit = pd.Series(person[check] == head[check]).groupby(s[check])
    share, checked = hit.mean(), hit.size()
    proved = share.index[(share >= HEAD_FIRST_SHARE) & (checked >= HEAD_FIRST_MIN_CHECKED)]
    out[order] = first & np.isin(s, list(proved))
    return out


# ========================================================================================== persons

#: The standardised record columns the golden records read (besides ``source``, ``person_id``,
#: ``household_id`` and ``person_confidence``): a backend that builds the golden rows elsewhere (Spark, on the
#: driver) brings only these.
RECORD_COLUMNS = ("nik", "nik_status", "nik_birth_date", "nik_sex", "kk", "kk_status", "name", "name_status",
                  "name_tokens", "name_phonetic", "birth_date", "birth_date_status", "birth_date_placeholder",
                  "sex", "sex_status", "relationship", "relationship_status", "desa_code", "desa_name",
                  "kecamatan_code", "kecamatan_name", "region_status", "rt", "rw", "place", "decile", "row_number",
                  "father_name", "mother_name")

PERSON_COLUMNS = ["person_id", "household_id", "name", "nik", "kk", "birth_date", "sex", "relationship",
                  "desa_code", "desa_name", "kecamatan_code", "kecamatan_name", "rt", "rw", "place", "sources",
                  "n_records", "person_confidence", "conflicts"]
_PERSON_FIELDS = ("name", "birth_date", "sex", "nik", "kk", "relationship", "desa_code", "rt", "rw", "place")


def _region_lookup(rec: pd.DataFrame) -> pd.DataFrame:
    """desa_code -> desa_name, kecamatan_code, kecamatan_name (the most frequent spelling of each)."""
    cols = [c for c in ("desa_name", "kecamatan_code", "kecamatan_name") if c in rec]
    if "desa_code" not in rec:
        return pd.DataFrame(columns=cols)
    d = rec.loc[rec["desa_code"].notna(), ["desa_code", *cols]]
    return d.drop_duplicates("desa_code").set_index("desa_code")


def _own_kecamatan(rec: pd.DataFrame, codes: np.ndarray, n: int, ctx: dict[str, np.ndarray],
                   out: pd.DataFrame, rules: dict[str, np.ndarray]) -> None:
    """A person with no golden desa keeps the kecamatan their own records give (BPJS-PBI lists only the
    kecamatan), chosen by the ``kecamatan_code`` rules; in place on ``out`` and ``rules``."""
    if "kecamatan_code" not in rec:
        return
    v, a = _field_inputs(rec, "kecamatan_code", ctx)
    ch = choose(codes, n, v, a, FIELD_RULES["kecamatan_code"])
    no_desa = pd.isna(out["desa_code"]).to_numpy() & pd.notna(ch.value)
    if not no_desa.any():
        return
    out["kecamatan_code"] = np.where(no_desa, ch.value, out["kecamatan_code"].to_numpy(dtype=object))
    if "kecamatan_name" in rec:
        names = rec.loc[rec["kecamatan_code"].notna() & rec["kecamatan_name"].notna(),
                        ["kecamatan_code", "kecamatan_name"]].drop_duplicates("kecamatan_code")
        named = out["kecamatan_code"].map(names.set_index("kecamatan_code")["kecamatan_name"]).to_numpy(dtype=object)
        out["kecamatan_name"] = np.where(no_desa, named, out["kecamatan_name"].to_numpy(dtype=object))
    rules["kecamatan_code"] = np.where(no_desa, ch.rule, rules["kecamatan_code"])


def _newest_desa_days(entity: np.ndarray, n: int, desa: np.ndarray, days: np.ndarray,
                      chosen: np.ndarray | None = None) -> np.ndarray:
    """Per entity, the newest snapshot day of its records with a desa (only those with the entity's
    ``chosen`` desa when given); -1 when none has one or the lists have no dates."""
    has = pd.notna(desa)
    if chosen is not None:
        has &= desa == chosen[entity]
    out = np.full(n, -1, dtype=np.int64)
    np.maximum.at(out, entity[has], days[has])
    return out


def _take_newer_household_address(rec: pd.DataFrame, codes: np.ndarray, n: int, ctx: dict[str, np.ndarray],
                                  household_of: np.ndarray, haddr: pd.DataFrame, chosen: dict[str, np.ndarray],
                                  rules: dict[str, np.ndarray]) -> None:
    """:func:`newer_household_address` applied to the whole address (desa, RT, RW, place); in place."""
    desa = _col(rec, "desa_code")
    days = ctx["snapshot"]
    own_days = _newest_desa_days(codes, n, desa, days)
    hcodes, hids = pd.factorize(rec["household_id"], sort=True)
    hchosen = haddr["desa_code"].reindex(np.asarray(hids, dtype=object)).to_numpy(dtype=object)
    hdays = pd.Series(_newest_desa_days(hcodes, len(hids), desa, days, hchosen), index=np.asarray(hids, dtype=object))
    hdesa = haddr["desa_code"].reindex(household_of).to_numpy(dtype=object)
    differs = pd.notna(hdesa) & pd.notna(chosen["desa_code"]) & (hdesa != chosen["desa_code"])
    take = newer_household_address(own_days, hdays.reindex(household_of).fillna(-1).to_numpy(dtype=np.int64),
                                   differs)
    if not take.any():
        return
    for f in ("desa_code", "rt", "rw", "place"):
        hv = haddr[f].reindex(household_of).to_numpy(dtype=object)
        chosen[f] = np.where(take, hv, chosen[f])
        rules[f] = np.where(take, "newer_household_address", rules[f])


def _main_household(codes: np.ndarray, n: int, household_id: pd.Series) -> np.ndarray:
    """Per person (``codes``), the household of most of its records (ties: the smallest id), on integer codes."""
    hcode, hids = pd.factorize(household_id, sort=True)
    nh = max(len(hids), 1)
    has = hcode >= 0
    key, cnt = np.unique(codes[has].astype(np.int64) * nh + hcode[has], return_counts=True)
    out = np.full(n, None, dtype=object)
    if not len(key):
        return out
    e, h = key // nh, key % nh
    order = np.lexsort((h, -cnt, e))
    first = order[np.r_[True, e[order][1:] != e[order][:-1]]]
    out[e[first]] = np.asarray(hids, dtype=object)[h[first]]
    return out


def persons_table(records: pd.DataFrame, *, snapshots: dict[str, str] | None = None,
                  trust: dict[str, tuple[str, ...]] | None = None,
                  commonness: np.ndarray | None = None,
                  neighbour_desa: pd.Series | None = None) -> pd.DataFrame:
    """One golden row per person from ``records`` (a :class:`LinkResult`'s ``records``).

    ``snapshots`` gives each list's snapshot date (``{"dtks": "2025-01-31", ...}``) for the
    ``most_recent_snapshot`` rule; ``trust`` replaces :data:`SOURCE_TRUST`. Columns: the golden fields
    (see :data:`PERSON_COLUMNS`), ``<field>_rule`` (the rule that decided each field) and ``conflicts``.
    ``commonness``: per record, :func:`_word_commonness` counted over a larger table than ``records`` (an
    update recomputing some persons only, :func:`update_tables`); ``neighbour_desa`` likewise, the households'
    desa by :func:`unit_without_address` over the larger table (:func:`_list_neighbour_desa`).
    """
    rec = records
    codes, pids = pd.factorize(rec["person_id"], sort=True)
    n = len(pids)
    ctx = _record_context(rec, snapshots, trust)
    out = pd.DataFrame({"person_id": np.asarray(pids, dtype=object)})
    rules: dict[str, np.ndarray] = {}
    chosen: dict[str, np.ndarray] = {}
    # birth date and sex; then the name: word sounds shared by most of the person's records
    sounds = _sequence_codes(rec["name_phonetic"]) if "name_phonetic" in rec else None
    for f, ch in _choose_fields(rec, codes, n, ctx, ("birth_date", "sex")).items():
        chosen[f], rules[f] = ch.value, ch.rule
    ch = _choose_name(rec, codes, n, ctx, commonness, sounds, chosen["sex"], _date_days(chosen["birth_date"]))
    chosen["name"], rules["name"] = ch.value, ch.rule
    # NIK: consistent with the person's chosen birth date and sex
    v, a = _field_inputs(rec, "nik", ctx)
    a["consistent"] = _nik_consistency(_values(rec, "nik_birth_date"), _values(rec, "nik_sex"), codes,
                                       chosen["birth_date"], chosen["sex"])
    ch = choose(codes, n, v, a, FIELD_RULES["nik"])
    chosen["nik"], rules["nik"] = ch.value, ch.rule
    more = _choose_fields(rec, codes, n, ctx, ("kk", "relationship", "desa_code"))
    more.update(_choose_in_desa(rec, codes, n, ctx, more["desa_code"].value))
    for f, ch in more.items():
        chosen[f], rules[f] = ch.value, ch.rule
    # household: the household of most of the person's records (ties: the smallest id)
    out["household_id"] = _main_household(codes, n, rec["household_id"])
    # a person without an address of their own takes the household's (a BPJS-PBI row has no desa)
    haddr = _household_address(rec, snapshots, trust, neighbour_desa)
    hdesa = haddr["desa_code"].reindex(out["household_id"]).to_numpy(dtype=object)
    swap = pd.isna(chosen["desa_code"]) & pd.notna(hdesa)   # the whole address is taken, not mixed
    for f in ("desa_code", "rt", "rw", "place"):
        hv = haddr[f].reindex(out["household_id"]).to_numpy(dtype=object)
        v, r = from_household(np.where(swap, None, chosen[f]), rules[f], np.where(swap, hv, None))
        chosen[f], rules[f] = v, np.where(swap, "from_household", rules[f]) if f != "desa_code" else r
    # a household desa found only from list neighbours is named as such on its persons too
    by_neighbours = haddr["desa_code_rule"].reindex(out["household_id"]).to_numpy(dtype=object) == "unit_without_address"
    rules["desa_code"] = np.where(swap & by_neighbours, "unit_without_address", rules["desa_code"])
    _take_newer_household_address(rec, codes, n, ctx, out["household_id"].to_numpy(dtype=object), haddr,
                                  chosen, rules)
    for f in _PERSON_FIELDS:
        out[f] = chosen[f]
    look = _region_lookup(rec)
    for c in ("desa_name", "kecamatan_code", "kecamatan_name"):
        out[c] = out["desa_code"].map(look[c]) if c in look else None
    rules["kecamatan_code"] = np.where(pd.notna(out["desa_code"]), OF_DESA, NO_VALUE).astype(object)
    _own_kecamatan(rec, codes, n, ctx, out, rules)
    out["sources"] = _source_sets(codes, n, rec["source"].to_numpy(dtype=object), ", ")
    out["n_records"] = np.bincount(codes, minlength=n)
    conf = rec["person_confidence"].to_numpy(dtype=float)
    mn = np.full(n, np.inf)
    np.minimum.at(mn, codes, conf)
    out["person_confidence"] = mn
    # conflicts
    valid_nik = (rec["nik_status"] == "valid").fillna(False).to_numpy(dtype=bool)
    real_dob = (rec["birth_date_status"] == "ok").to_numpy(dtype=bool)
    phon = sounds if sounds is not None else _col(rec, "name")
    parts = [
        (_distinct_count(codes, n, _values(rec, "nik"), valid_nik) > 1, CONFLICTS["nik"]),
        (_distinct_count(codes, n, _values(rec, "birth_date"), real_dob) > 1, CONFLICTS["birth_date"]),
        (_distinct_count(codes, n, _values(rec, "sex"), np.ones(len(rec), bool)) > 1, CONFLICTS["sex"]),
        (_distinct_count(codes, n, phon, np.ones(len(rec), bool)) > 1, CONFLICTS["name"]),
    ]
    out["conflicts"] = _conflict_text(parts, n)
    for f in _PERSON_FIELDS:
        out[f"{f}_rule"] = rules[f]
    out["kecamatan_code_rule"] = rules["kecamatan_code"]
    out = out[PERSON_COLUMNS + [f"{f}_rule" for f in (*_PERSON_FIELDS, "kecamatan_code")]]
    if out["person_id"].is_monotonic_increasing:   # factorized sorted: already in order, no copy
        return out
    return out.sort_values("person_id", kind="stable").reset_index(drop=True)


# ======================================================================================= households

HOUSEHOLD_COLUMNS = ["head_person_id", "head_name", "kk", "desa_code", "desa_name", "kecamatan_name", "rt",
                     "rw", "place", "n_persons", "member_roles", "programmes", "decile", "conflicts"]


def households_table(records: pd.DataFrame, persons: pd.DataFrame, base: pd.DataFrame | None = None, *,
                     snapshots: dict[str, str] | None = None,
                     trust: dict[str, tuple[str, ...]] | None = None,
                     neighbour_desa: pd.Series | None = None,
                     first_rows: np.ndarray | None = None) -> pd.DataFrame:
    """Golden household rows: ``base`` (today's household table, if given) with the head, KK, address,
    members with their roles, decile and conflicts added; ``<field>_rule`` names the deciding rules.
    ``neighbour_desa``: as in :func:`persons_table`; ``first_rows``: per record of ``records``,
    :func:`_first_rows_of_families` over a larger table (an update recomputing some households only)."""
    rec = records
    codes, hids = pd.factorize(rec["household_id"], sort=True)
    n = len(hids)
    out = pd.DataFrame({"household_id": np.asarray(hids, dtype=object)})
    rules: dict[str, np.ndarray] = {}
    # head: among the household's persons, the one most records call head (BLT-DD recipients count)
    rel = _col(rec, "relationship")
    is_head_vote = (rel == HEAD) | (rec["source"].isin(HEAD_RECIPIENT_LISTS).to_numpy() & pd.isna(rel))
    pers = persons.set_index("person_id")
    bdays = _date_days(pers["birth_date"].reindex(rec["person_id"]).to_numpy(dtype=object))
    sex = pers["sex"].reindex(rec["person_id"]).to_numpy(dtype=object)
    adult = bdays <= _reference_days(snapshots) - int(17 * 365.25)
    first_rows = _first_rows_of_families(rec) if first_rows is None else first_rows
    hv = pd.DataFrame({"e": codes, "v": rec["person_id"].to_numpy(dtype=object), "first_row": first_rows,
                       "head_votes": is_head_vote.astype(np.int64), "birth_days": bdays,
                       "written_head": (rel == HEAD).astype(np.int64),
                       "other_role": (pd.notna(rel) & (rel != HEAD)).astype(np.int64),
                       "adult_man": (sex == "L") & adult, "child": (bdays < 10 ** 6) & ~adult})
    c = hv.groupby(["e", "v"], sort=True).agg(head_votes=("head_votes", "sum"), birth_days=("birth_days", "min"),
                                              written_head=("written_head", "sum"), other_role=("other_role", "max"),
                                              adult_man=("adult_man", "max"), first_row=("first_row", "max"),
                                              child=("child", "min"))
    c = c.reset_index()
    ch = choose(c["e"].to_numpy(), n, c["v"].to_numpy(dtype=object),
                {k: c[k].to_numpy() for k in ("head_votes", "birth_days", "adult_man", "written_head", "other_role",
                                              "first_row", "child")},
                FIELD_RULES["head_person_id"])
    # with one row per (household, person), 'only_value' means a one-person household
    out["head_person_id"] = ch.value
    rules["head_person_id"] = ch.rule
    out["head_name"] = pd.Series(ch.value).map(pers["name"]).to_numpy(dtype=object)
    haddr = _household_address(rec, snapshots, trust, neighbour_desa).reindex(out["household_id"])
    for f in ("kk", "desa_code", "decile", "rt", "rw", "place"):
        out[f], rules[f] = haddr[f].to_numpy(dtype=object), haddr[f"{f}_rule"].to_numpy(dtype=object)
    look = _region_lookup(rec)
    out["desa_name"] = out["desa_code"].map(look["desa_name"]) if "desa_name" in look else None
    out["kecamatan_name"] = out["desa_code"].map(look["kecamatan_name"]) if "kecamatan_name" in look else None
    # members with roles: golden relationship of each person; the head is KEPALA
    mem = persons[["person_id", "household_id", "relationship"]].copy()
    mem = mem[mem["household_id"].isin(set(out["household_id"]))]
    head_set = set(out["head_person_id"].dropna())
    role = mem["relationship"].astype(object).where(mem["relationship"].notna(), "?")
    role = np.where(mem["person_id"].isin(head_set), HEAD, np.where(role == HEAD, HEAD + "?", role))
    mem = mem.assign(role=role, item=mem["person_id"] + ":" + role)
    mem = mem.sort_values(["household_id", "person_id"])
    hid, items = _group_lists(mem["household_id"].to_numpy(dtype=object), mem["item"].to_numpy(dtype=object))
    out["member_roles"] = out["household_id"].map(pd.Series(items, index=hid, dtype=object))
    # programmes and persons
    out["programmes"] = _source_sets(codes, n, rec["source"].to_numpy(dtype=object), None)
    npers = pd.DataFrame({"e": codes, "p": rec["person_id"].to_numpy(dtype=object)}).drop_duplicates()
    out["n_persons"] = np.bincount(npers["e"].to_numpy(), minlength=n)
    # conflicts
    valid_kk = (rec["kk_status"] == "valid").fillna(False).to_numpy(dtype=bool)
    heads_written = pd.DataFrame({"e": codes, "p": rec["person_id"].to_numpy(dtype=object),
                                  "h": rel == HEAD})
    heads_written = heads_written[heads_written["h"]].drop_duplicates(["e", "p"])
    parts = [
        (_distinct_count(codes, n, _values(rec, "kk"), valid_kk) > 1, CONFLICTS["kk"]),
        (_distinct_count(codes, n, _col(rec, "desa_code"), np.ones(len(rec), bool)) > 1, CONFLICTS["desa_code"]),
        (np.bincount(heads_written["e"].to_numpy(), minlength=n) > 1, CONFLICTS["head_person_id"]),
    ]
    out["conflicts"] = _conflict_text(parts, n)
    for f in ("head_person_id", "kk", "desa_code", "rt", "rw", "place", "decile"):
        out[f"{f}_rule"] = rules[f]
    if base is not None:
        # today's columns stay, except the desa, which is the golden one (so that it agrees with its rule)
        golden_cols = [c for c in ("desa_code",) if c in base.columns]
        keep = [c for c in out.columns if c not in base.columns or c == "household_id" or c in golden_cols]
        merged = base.drop(columns=golden_cols).merge(out[keep], on="household_id", how="left",
                                                      validate="one_to_one")
        return merged[[*base.columns, *[c for c in merged.columns if c not in base.columns]]]
    return out


def rules_table() -> pd.DataFrame:
    """The survivorship rules per golden field, in order, with each rule's one-sentence description."""
    rows = []
    for f, names in FIELD_RULES.items():
        for i, name in enumerate(names, 1):
            rows.append({"field": f, "order": i, "rule": name,
                         "description": " ".join((RULES[name].__doc__ or "").split())})
    return pd.DataFrame(rows)


def rules_markdown() -> str:
    """Markdown tables of the survivorship rules and named conflicts (docs are generated from this)."""
    lines = ["| rule | what it prefers |", "|---|---|"]
    for name, f in {**RULES, "from_household": from_household, "newer_household_address": newer_household_address,
                    "unit_without_address": unit_without_address}.items():
        lines.append(f"| `{name}` | {' '.join((f.__doc__ or '').split())} |")
    lines += ["", "| field | rules, in order |", "|---|---|"]
    for field_, names in FIELD_RULES.items():
        lines.append(f"| `{field_}` | " + " → ".join(f"`{n}`" for n in names) + " |")
    lines += ["", "| conflict | meaning |", "|---|---|"]
    for name in CONFLICTS.values():
        lines.append(f"| `{name}` | {_CONFLICT_TEXT[name]} |")
    return "\n".join(lines)


# ========================================================================================= accuracy


def _majority(j: pd.DataFrame, by: str, of: str) -> pd.Series:
    """For each ``by`` label, the ``of`` label holding most of its records (ties: the smallest)."""
    c = j.groupby([by, of]).size().rename("c").reset_index()
    c = c.sort_values([by, "c", of], ascending=[True, False, True]).drop_duplicates(by)
    return c.set_index(by)[of]


def _holds(pairs: pd.DataFrame, values: pd.DataFrame, key: str, col: str) -> np.ndarray:
    """Per row of ``pairs`` (``key``, ``truth``): is ``truth`` among the ``col`` values of the ``key``'s rows
    in ``values``?"""
    m = pairs.reset_index().merge(values[[key, col]], on=key)
    hit = m[col].astype(str).to_numpy() == m["truth"].astype(str).to_numpy()
    return pd.Series(hit).groupby(m["index"].to_numpy()).any().reindex(range(len(pairs)), fill_value=False).to_numpy()


def _accuracy_row(field_: str, level: str, ok: np.ndarray, eq: np.ndarray, recoverable: np.ndarray,
                  available: np.ndarray) -> dict:
    eq, rec, av = eq & ok, recoverable & ok, available & ok
    return {"field": field_, "level": level, "n": int(ok.sum()), "correct": int(eq.sum()),
            "accuracy": float(eq.sum() / max(ok.sum(), 1)),
            "n_recoverable": int(rec.sum()), "accuracy_recoverable": float((eq & rec).sum() / max(rec.sum(), 1)),
            "n_available": int(av.sum()), "accuracy_when_available": float((eq & av).sum() / max(av.sum(), 1))}


def golden_accuracy(result, data) -> pd.DataFrame:
    """Share of golden values equal to the truth, for generated data (``data`` from
    :func:`linkmiskin.synthetic.generator.generate`).

    Rows: ``nik``, ``birth_date``, ``name`` (canonical), ``desa_code`` per true person (its golden row is
    that of the predicted person holding most of its records); ``head_name`` (the golden head's name is the
    true head's) and ``head_person`` (the golden head is the true head) per true household (its golden row
    is that of the predicted household holding most of its records). Only entities that have the value in
    the truth count. Three denominators:

    * ``accuracy``: all of them;
    * ``accuracy_recoverable``: those whose true value is written on at least one of their own records
      (``desa_code``: or on a record of their true household, which a person without an address takes;
      ``head_person``: the true head is on some list; ``head_name``: the true head's name, canonical, is
      written on a record of the true head, as for ``name``). A value no record carries cannot be right;
    * ``accuracy_when_available``: those whose true value is on a record of the *predicted* person
      (household), which is what survivorship can at best pick: the rest is damage or linkage
      (``head_name``: a record of the true head in the predicted household carries the true name).

    >>> acc = golden_accuracy(lm.link(data.sources, region=data.region), data)   # doctest: +SKIP
    """
    from linkmiskin.standardise.names import normalize_name

    rec = result.records
    tr = data.truth[["source", "record_id", "person_id", "household_id"]].rename(
        columns={"person_id": "true_person", "household_id": "true_household"})
    j = rec.merge(tr.astype({"record_id": str}), on=["source", "record_id"], how="inner")
    best = _majority(j, "true_person", "person_id")
    pop = data.population.set_index("person_id")
    g = result.persons.set_index("person_id")
    own = j.rename(columns={"true_person": "key"})
    pred = rec.rename(columns={"person_id": "key"})
    hh_of = pop["household_id"]
    rows = []
    for f in ("nik", "birth_date", "name", "desa_code"):
        t = (normalize_name(pop["name"]) if f == "name" else pop[f]).reindex(best.index)
        ok = t.notna().to_numpy()
        got = g[f].reindex(best.to_numpy()).to_numpy(dtype=object)
        eq = got.astype(str) == t.astype(str).to_numpy()
        pairs = pd.DataFrame({"key": best.index, "truth": t.to_numpy()})
        recoverable = _holds(pairs, own, "key", f)
        available = _holds(pairs.assign(key=best.to_numpy()), pred, "key", f)
        if f == "desa_code":   # a person without an address of their own takes the household's
            hrec = j.rename(columns={"true_household": "key"})
            recoverable |= _holds(pairs.assign(key=hh_of.reindex(best.index).to_numpy()), hrec, "key", f)
            prec = rec.rename(columns={"household_id": "key"})
            available |= _holds(pairs.assign(key=g["household_id"].reindex(best.to_numpy()).to_numpy()),
                                prec, "key", f)
        rows.append(_accuracy_row(f, "person", ok, eq, recoverable, available))
    # households: true household -> predicted household holding most of its records
    hb = _majority(j, "true_household", "household_id")
    heads = data.population[data.population["relationship"] == "KEPALA KELUARGA"].drop_duplicates("household_id")
    heads = heads.set_index("household_id")
    t_name = normalize_name(heads["name"]).reindex(hb.index)
    t_pers = heads["person_id"].reindex(hb.index)
    ok = t_pers.notna().to_numpy()
    hh = result.households.set_index("household_id")
    got_name = hh["head_name"].reindex(hb.to_numpy()).to_numpy(dtype=object)
    got_head = hh["head_person_id"].reindex(hb.to_numpy()).to_numpy(dtype=object)
    true_of_pred = _majority(j, "person_id", "true_person")
    listed = t_pers.isin(set(j["true_person"])).to_numpy()
    # available: the true head has a record in the predicted household
    in_pred = pd.MultiIndex.from_arrays([hb.to_numpy(), t_pers.to_numpy()]).isin(
        pd.MultiIndex.from_frame(j[["household_id", "true_person"]]))
    eq_name = got_name.astype(str) == t_name.astype(str).to_numpy()
    eq_head = true_of_pred.reindex(got_head).to_numpy(dtype=object).astype(str) == t_pers.astype(str).to_numpy()
    # the head's name, as the person's name: written on a record of the true head (in the predicted household)
    named = pd.DataFrame({"key": t_pers.to_numpy(), "truth": t_name.to_numpy()})
    name_listed = _holds(named, j.rename(columns={"true_person": "key"}), "key", "name")
    in_pred_hh = j[["household_id", "true_person", "name"]].assign(
        key=j["household_id"].astype(str) + "|" + j["true_person"].astype(str))
    name_in_pred = _holds(named.assign(key=pd.Series(hb.to_numpy()).astype(str).to_numpy() + "|"
                                       + t_pers.astype(str).to_numpy()), in_pred_hh, "key", "name")
    rows.append(_accuracy_row("head_name", "household", ok, eq_name, listed & name_listed, in_pred & name_in_pred))
    rows.append(_accuracy_row("head_person", "household", ok, eq_head, listed, in_pred))
    return pd.DataFrame(rows)
