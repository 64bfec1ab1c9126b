"""The Splink model for Indonesian person records: table preparation, settings, blocking and training.

How the model decides
---------------------
The model is a Fellegi-Sunter model (Splink): each comparison (NIK, name, birth date, sex, address,
relationship) puts a record pair into a level, each level has a match weight learnt from the data, and the
weights add up to a match probability.

Training stays sane on dense registers:

* **u** (how often non-matches agree) comes from random record pairs. For the NIK, the few random pairs
  that share a NIK are mostly one person listed twice; they are taken out (``u = (u_observed - lambda m) /
  (1 - lambda)``, floored at half an observation) so that an exact NIK is not capped at "one in the
  sample size".
* **m** (how often true matches agree) is learnt from *anchor pairs* that are almost surely the same person
  on independent evidence, never from blocks dominated by near-identical NIKs:

  - for names, dates, sex, address and relationship: pairs with the same valid NIK whose NIK agrees with
    both records' own birth date and sex (so a head's NIK typed into a child's row is not an anchor);
  - for the NIK: pairs with the same canonical name, the same real (non-placeholder) birth date and the
    same desa.

* **lambda** (the share of pairs that match) from deterministic rules with an assumed recall
  (:func:`estimate_prior`), never zero.

When anchors are missing or too few (lists without NIKs or desa codes), each comparison falls back to
anchors from other strong evidence (``ANCHOR_RULES``), then Splink's EM on a blocking rule that does not
involve it (``EM_RULES``), then the documented priors (``PRIOR_M``); lists without Indonesian structure get
the plain id and address-text comparisons (:func:`choose_comparisons`). :func:`train_with_report` says
which way each comparison took (``docs/training.md``).

The birth date and sex coded in a NIK are counted once: when both NIKs code the same date, the birth-date
comparison falls into a null level ("already counted by the NIK").
"""

from __future__ import annotations

import logging
import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

from linkmiskin.scoring.comparisons import (
    AddressTextComparison,
    BirthDateComparison,
    IndonesianAddressComparison,
    IndonesianNameComparison,
    KkComparison,
    MotherNameComparison,
    NameInKecamatanComparison,
    NikComparison,
    PlainIdComparison,
    RelationshipComparison,
    SexComparison,
    SpouseNameComparison,
    gamma_of,
    level_keys,
)
from linkmiskin.standardise.nik import TRUSTED_NIK15_STATUSES as _NIK15_TRUSTED
from linkmiskin.standardise.nik import TRUSTED_NIK_STATUSES as _NIK_TRUSTED

log = logging.getLogger("linkmiskin")

#: Columns of the table that the model scores (one row per input record).
MODEL_COLUMNS = [
    "unique_id", "source", "record_id", "nik", "nik15", "nik_consistent", "nik_own_date", "nik_dob", "nik_sex",
    "name", "name_tokens", "name_phon", "name_phon_key", "name_nick", "name_nick_phon", "name_rarity", "name_mask", "name_phon_mask",
    "name_first", "name_last",
    "nik_kec", "dob", "dob_year", "dob_placeholder", "dob_approx_year", "sex", "desa_code", "kecamatan_code", "rt", "rw", "place",
    "relationship", "kk", "mother_name", "mother_tokens", "id_plain", "addr_text", "addr_tokens", "addr_post", "addr_number",
    "fingerprint", "block_nik15", "block_dob_kec", "block_first_dob", "block_phon_desa", "block_last_kec",
    "block_kk_first", "block_kk_last", "block_phon_kec", "block_rt_first", "block_rt_last", "block_desa_first",
    "kk_name_unique", "name_kec_unique",
    "nik15_shared",
    "spouse_name", "husband_name", "name_form",
]

#: a block (the records sharing a loose blocking key) larger than this is not compared pair by pair: its
#: pairs would grow with the square of the density (a common name in one kecamatan, a dummy NIK such as
#: 3216000000000000). A tighter rule covers it (:func:`blocking_rules`).
BLOCK_CAP = 12
#: the loose blocking keys whose block sizes the model table counts: column -> key fields
CAPPED_BLOCKS = {
    "block_nik15": ("nik15",),
    "block_dob_kec": ("dob", "kecamatan_code"),
    "block_first_dob": ("name_first", "dob"),
    "block_phon_desa": ("name_phon_key", "desa_code"),
    "block_last_kec": ("name_last", "kecamatan_code", "dob_year", "sex"),
    "block_kk_first": ("kk", "name_first"),
    "block_kk_last": ("kk", "name_last"),
    "block_phon_kec": ("name_phon_key", "kecamatan_code"),
    "block_rt_first": ("desa_code", "rw", "rt", "name_first"),
    "block_rt_last": ("desa_code", "rw", "rt", "name_last"),
    "block_desa_first": ("desa_code", "name_first"),
}

#: the fields the comparisons read (the rest of the model columns derive from them): records equal on all
#: of them share a :func:`fingerprint`
FINGERPRINT_COLUMNS = ("nik", "nik15", "name", "dob", "sex", "desa_code", "kecamatan_code", "rt", "rw", "place",
                       "relationship", "mother_name", "spouse_name", "husband_name")


def _list_col(s: pd.Series) -> pd.Series:
    return s.map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else [])


def _shared_empty(lists: np.ndarray) -> np.ndarray:
    """``lists`` (an object array of lists) with one shared ``[]`` in place of each empty list: the same
    values, without an empty list object per record (the model table's lists are never changed in place).

    >>> out = _shared_empty(pd.Series([[], ["A"], []]).to_numpy())
    >>> out.tolist(), out[0] is out[2]
    ([[], ['A'], []], True)
    """
    empty = np.flatnonzero(pd.Series(lists, dtype=object).str.len().fillna(0).to_numpy() == 0)
    out = lists.copy()
    out[empty] = _one_empty_list()[np.zeros(len(empty), dtype=np.int64)]
    return out


def _one_empty_list() -> np.ndarray:
    """An object array holding one empty list (indexing it spreads that one list)."""
    holder = np.empty(1, dtype=object)
    holder[0] = []
    return holder


def token_mask(tokens: pd.Series) -> np.ndarray:
    """A 63-bit Bloom mask per list of tokens (BIGINT): names that share a token share a bit."""
    ex = tokens.explode().dropna()
    if len(ex) == 0:
        return np.zeros(len(tokens), dtype=np.int64)
    bits = (pd.util.hash_array(ex.astype(str).to_numpy()) % np.uint64(63)).astype(np.int64)
    # distinct bits of one name are distinct powers of two, so their OR is their sum
    df = pd.DataFrame({"i": ex.index.to_numpy(), "b": bits}).drop_duplicates()
    agg = (np.left_shift(np.int64(1), df["b"].to_numpy())).astype(np.int64)
    out = pd.Series(agg).groupby(df["i"].to_numpy()).sum()
    return out.reindex(tokens.index, fill_value=0).to_numpy(dtype=np.int64)


def _name_columns(std: pd.DataFrame, t: pd.DataFrame) -> None:
    """Name-derived model columns, computed once per distinct name and spread to the records (the name's
    rarity, counted over all records, is :func:`name_rarity`)."""
    from linkmiskin.standardise.names import comparison_tokens, phonetic_key, regroup_lists

    n = len(std)
    key = std["name"].astype(object).where(std["name"].notna(), "").to_numpy()
    codes, uniq = pd.factorize(key)
    first_row = np.zeros(len(uniq), dtype=np.int64)
    first_row[codes[::-1]] = np.arange(n)[::-1]              # first record holding each distinct name
    fused = _list_col(std["name_tokens"].iloc[first_row].reset_index(drop=True))
    phon_fused = _list_col(std["name_phonetic"].iloc[first_row].reset_index(drop=True))
    nick = _list_col(std["name_nicknames"].iloc[first_row].reset_index(drop=True))
    # token comparisons use the tokens with fused prefixes split off again (ABDULILHAM -> ABDUL ILHAM)
    tokens = comparison_tokens(fused)
    ex = tokens.explode().dropna()
    ph = phonetic_key(ex.astype(str)).to_numpy(dtype=object)
    phon = regroup_lists(ex.index.to_numpy(), ph, pd.RangeIndex(len(tokens)))
    # the formal names a nickname stands for, by sound too (IKI stands for RIZKI, written RIZKY)
    nx = nick.explode().dropna()
    nick_phon = regroup_lists(nx.index.to_numpy(), phonetic_key(nx.astype(str)).to_numpy(dtype=object),
                              pd.RangeIndex(len(nick)))
    per_name = {
        "name_phon_key": phon_fused.map(lambda v: " ".join(sorted(v)) if v else None).to_numpy(dtype=object),
        "name_tokens": tokens.to_numpy(dtype=object),
        "name_phon": phon.to_numpy(dtype=object),
        "name_phon_mask": token_mask(phon),
        "name_nick": nick.to_numpy(dtype=object),
        "name_nick_phon": nick_phon.to_numpy(dtype=object),
        "name_first": tokens.map(lambda v: v[0] if v else None).to_numpy(dtype=object),
        "name_last": tokens.map(lambda v: v[-1] if v else None).to_numpy(dtype=object),
        "name_mask": token_mask(tokens),
    }
    for col, values in per_name.items():
        t[col] = values[codes]


def name_rarity(t: pd.DataFrame) -> np.ndarray:
    """Per record, the relative frequency over all records of the rarest comparison token of its name
    (``name_tokens`` of the model table), counted once per distinct name.

    >>> t = pd.DataFrame({"name": ["ANI", "ANI", "BUDI ANI", None],
    ...                   "name_tokens": [["ANI"], ["ANI"], ["BUDI", "ANI"], []]})
    >>> name_rarity(t).tolist()
    [0.75, 0.75, 0.25, nan]
    """
    n = len(t)
    key = t["name"].astype(object).where(t["name"].notna(), "").to_numpy()
    codes, uniq = pd.factorize(key)
    first_row = np.zeros(len(uniq), dtype=np.int64)
    first_row[codes[::-1]] = np.arange(n)[::-1]              # first record holding each distinct name
    ex = pd.Series(t["name_tokens"].to_numpy(dtype=object)[first_row]).explode().dropna()
    weight = np.bincount(codes, minlength=len(uniq))
    tok_count = pd.Series(weight[ex.index.to_numpy()], index=ex.to_numpy()).groupby(level=0).sum()
    freq = pd.Series(ex.map(tok_count).to_numpy(dtype=float) / max(n, 1), index=ex.index)
    rar = freq.groupby(level=0).min().reindex(range(len(uniq))).to_numpy(dtype=float)
    return rar[codes]


def _approx_year(std: pd.DataFrame) -> pd.arrays.IntegerArray:
    """The birth year an age gives (± 1), on records without a birth date; null elsewhere."""
    n = len(std)
    if "birth_year_approx_from_age" not in std.columns:
        return pd.array(np.full(n, None, dtype=object), dtype="Int64")
    from_age = std["birth_year_approx_from_age"].fillna(False).astype(bool).to_numpy()
    year = pd.array(std["birth_year"], dtype="Int64").astype(object)
    return pd.array(np.where(from_age, year, None), dtype="Int64")


def _plain_columns(std: pd.DataFrame, t: pd.DataFrame) -> None:
    """Columns for data without Indonesian structure: the id as a plain identifier (``id_plain``: its digits,
    not for a single repeated digit or fewer than four digits; or, for an id with letters, the id upper-cased
    without spaces and punctuation, ``nik_text``) and the address text with its words and its postcode-like
    token (the last group of 4-6 digits)."""
    n = len(std)
    digits = std["nik_digits"] if "nik_digits" in std else pd.Series([None] * n, index=std.index)
    d = digits.astype("string").str.strip()
    usable = d.str.len().ge(4).fillna(False) & ~d.str.fullmatch(r"(\d)\1*").fillna(False)
    if "nik_text" in std:
        text_id = std["nik_text"].astype("string")
        d, usable = d.where(usable, text_id), usable | text_id.notna()
    t["id_plain"] = d.where(usable).astype(object).where(lambda s: s.notna(), None).to_numpy()
    raw = std["address_clean"] if "address_clean" in std else pd.Series([None] * n, index=std.index)
    # each distinct address text is read once (a desa's lists repeat a few thousand addresses)
    codes, uniques = pd.factorize(raw)
    text = pd.Series(np.asarray(uniques, dtype=object)).astype("string").str.strip().replace("", pd.NA)
    words = text.str.split()
    post = text.str.findall(r"\b\d{4,6}\b").str[-1]
    number = text.str.extract(r"^(\d{1,4})\b", expand=False)
    per_text = {
        "addr_text": text.astype(object).where(text.notna(), None),
        "addr_tokens": words.astype(object).where(words.notna(), None),
        "addr_post": post.astype(object).where(post.notna(), None),
        "addr_number": number.astype(object).where(number.notna(), None),
    }
    per_text["addr_tokens"] = _list_col(per_text["addr_tokens"])   # [] for none
    for col, values in per_text.items():   # a missing text (code -1) takes the value after the last
        missing = _one_empty_list() if col == "addr_tokens" else np.array([None], dtype=object)
        # (the words: one list per distinct text, shared by its records, and one [] for all without)
        t[col] = _shared_empty(np.append(values.to_numpy(dtype=object), missing)[codes]) \
            if col == "addr_tokens" else np.append(values.to_numpy(dtype=object), missing)[codes]


#: a woman with no recorded relationship on a list with households is taken as the head's wife when born
#: within this many years of him (a daughter is usually born later)
WIFE_MAX_AGE_GAP = 15


def husband_names(std: pd.DataFrame, sex: np.ndarray) -> np.ndarray:
    """The husband's name of each record that is (or may be) a wife on a list with households: the name of
    the head (not a woman) of her KK, else of her list's household key, on the same list, for a record in the
    spouse role that is not a man, or a woman with no recorded relationship born within
    :data:`WIFE_MAX_AGE_GAP` years of the head; None elsewhere. ``sex`` is each record's known sex.

    >>> std = pd.DataFrame({"source": ["d"] * 3, "kk": ["3216010101010001"] * 3, "kk_status": ["valid"] * 3,
    ...     "household_key": [None] * 3, "relationship": ["KEPALA", "PASANGAN", "ANAK"],
    ...     "name": ["BUDI SANTOSO", None, "ANI"], "birth_year": [1970, 1972, 2000]})
    >>> husband_names(std, np.array(["L", "P", "P"], dtype=object)).tolist()
    [None, 'BUDI SANTOSO', None]
    """
    from linkmiskin.standardise.household_roles import HEAD, SPOUSE

    n = len(std)
    kk = std["kk"].where(std["kk_status"].astype(str).isin(["valid", "unknown_region"]))
    hk = std["household_key"] if "household_key" in std else pd.Series(None, index=std.index, dtype=object)
    fam = kk.astype(object).where(kk.notna(), hk.astype(object)).to_numpy(dtype=object)
    rel = std["relationship"].astype(object).to_numpy()
    sx = pd.Series(sex, dtype=object).to_numpy()
    d = pd.DataFrame({"source": std["source"].to_numpy(dtype=object), "fam": fam, "rel": rel, "sex": sx,
                      "name": std["name"].astype(object).to_numpy(), "year": pd.array(std["birth_year"], dtype="Int64")})
    head = (d["rel"] == HEAD) & d["name"].notna() & d["fam"].notna() & (d["sex"] != "P")
    heads = d[head].drop_duplicates(["source", "fam"])[["source", "fam", "name", "year"]]
    m = d[["source", "fam"]].merge(heads, on=["source", "fam"], how="left", suffixes=("", "_head"))
    gap = (d["year"] - m["year"].to_numpy()).abs()
    spouse = (d["rel"] == SPOUSE) & (d["sex"] != "L")
    unknown_woman = d["rel"].isna() & (d["sex"] == "P") & gap.le(WIFE_MAX_AGE_GAP).fillna(False).to_numpy(dtype=bool)
    wife = (spouse | unknown_woman).to_numpy(dtype=bool) & d["fam"].notna().to_numpy(dtype=bool) & ~head.to_numpy(dtype=bool)
    out = np.full(n, None, dtype=object)
    hn = m["name"].to_numpy(dtype=object)
    take = wife & pd.notna(hn)
    out[take] = hn[take]
    return out


#: the standardised columns :func:`table_wide_columns` reads (a record whose values of these are a previous
#: record's has that record's per-record model columns)
WIDE_INPUTS = ("source", "record_id", "nik_status", "nik", "nik_prefix15", "nik_kecamatan", "nik_birth_date",
               "nik_sex", "name", "name_tokens", "name_phonetic", "name_nicknames", "birth_date", "birth_year",
               "birth_date_placeholder", "birth_year_approx_from_age", "sex", "desa_code", "kecamatan_code",
               "relationship", "place_name", "rt", "rw", "mother_name", "mother_name_tokens", "kk", "kk_status",
               "spouse_name", "name_form", "nik_digits", "nik_text", "address_clean")

#: the standardised columns of :data:`WIDE_INPUTS` that hold lists of words
WIDE_LIST_INPUTS = ("name_tokens", "name_phonetic", "name_nicknames", "mother_name_tokens")
#: the columns :func:`table_wide_columns` makes, in its order
WIDE_COLUMNS = ("source", "record_id", "nik", "nik15", "nik_kec", "nik_dob", "nik_sex", "name", "name_phon_key",
                "name_tokens", "name_phon", "name_phon_mask", "name_nick", "name_nick_phon", "name_first",
                "name_last", "name_mask", "dob", "dob_year", "dob_placeholder", "dob_approx_year", "sex",
                "desa_code", "kecamatan_code", "relationship", "place", "rt", "rw", "mother_name",
                "mother_tokens", "kk", "spouse_name", "name_form", "id_plain", "addr_text", "addr_tokens",
                "addr_post", "addr_number", "nik_own_date")


def table_wide_columns(std: pd.DataFrame) -> pd.DataFrame:
    """The model table's per-record columns (the wide columns Splink compares): each computed from the
    record's own standardised row (:data:`WIDE_INPUTS`), the name-derived ones once per distinct name; the
    columns counted over all records are added by :func:`model_table`."""
    t = pd.DataFrame({"source": std["source"].to_numpy()})
    t["record_id"] = std["record_id"].astype(str).to_numpy()
    st = std["nik_status"].astype(str)
    nik = std["nik"].where(st.isin(_NIK_TRUSTED))
    nik15 = std["nik_prefix15"].where(st.isin(_NIK15_TRUSTED))
    nik = nik.where(nik.astype("string").str.fullmatch(r"\d{16}").fillna(False))
    nik15 = nik15.where(nik15.astype("string").str.fullmatch(r"\d{15}").fillna(False))
    t["nik"] = nik.astype(object).where(nik.notna(), None).to_numpy()
    t["nik15"] = nik15.astype(object).where(nik15.notna(), None).to_numpy()
    valid = st.eq("valid") | st.eq("unknown_region")
    for c, src in (("nik_kec", "nik_kecamatan"), ("nik_dob", "nik_birth_date"), ("nik_sex", "nik_sex")):
        v = std[src].where(valid & nik15.notna())   # (missing as None, like every other column here)
        t[c] = v.astype(object).where(v.notna(), None).to_numpy()
    t["name"] = std["name"].astype(object).where(std["name"].notna(), None).to_numpy()
    _name_columns(std, t)
    t["dob"] = std["birth_date"].astype(object).where(std["birth_date"].notna(), None).to_numpy()
    t["dob_year"] = pd.array(std["birth_year"], dtype="Int64")
    t["dob_placeholder"] = std["birth_date_placeholder"].fillna(False).astype(bool).to_numpy()
    t["dob_approx_year"] = _approx_year(std)
    sex = std["sex"].where(std["sex"].notna(), t["nik_sex"].to_numpy())
    t["sex"] = sex.astype(object).where(sex.notna(), None).to_numpy()
    for c in ("desa_code", "kecamatan_code", "relationship"):
        t[c] = std[c].astype(object).where(std[c].notna(), None).to_numpy()
    # the place without its type (KP / DSN / PERUM): lists write "Kp. Bojong" and "Dusun Bojong"
    t["place"] = std["place_name"].astype(object).where(std["place_name"].notna(), None).to_numpy()
    t["rt"] = pd.array(std["rt"], dtype="Int64")
    t["rw"] = pd.array(std["rw"], dtype="Int64")
    t["mother_name"] = std["mother_name"].astype(object).where(std["mother_name"].notna(), None).to_numpy()
    t["mother_tokens"] = _shared_empty(_list_col(std["mother_name_tokens"]).to_numpy())
    kk = std["kk"].where(std["kk_status"].astype(str).isin(["valid", "unknown_region"]))
    t["kk"] = kk.astype(object).where(kk.notna(), None).to_numpy()
    # the spouse's name a record gives (NY. + his name, a SUAMI column) and how a NY. name was read, for
    # SpouseNameComparison (with the husband's name its household gives, husband_names, in model_table)
    for c in ("spouse_name", "name_form"):
        v = std[c] if c in std else pd.Series(None, index=std.index, dtype=object)
        t[c] = v.astype(object).where(v.notna(), None).to_numpy()
    _plain_columns(std, t)
    t["nik_own_date"] = (t["nik_dob"].notna() & (t["nik_dob"] == t["dob"]) & ~t["dob_placeholder"]).to_numpy()
    return t


def model_table(std: pd.DataFrame, wide: pd.DataFrame | None = None) -> pd.DataFrame:
    """Build the table the model scores from standardised records (all sources concatenated).

    ``std`` must have the columns of :func:`linkmiskin.standardise.records` plus ``unique_id``. ``wide``:
    :func:`table_wide_columns` of ``std`` when the caller has them (an update takes the unchanged records'
    from the previous run); the columns counted over all records are computed here.
    """
    t = table_wide_columns(std) if wide is None else wide.copy(deep=False)
    t["unique_id"] = std["unique_id"].astype("int64").to_numpy()
    t["name_rarity"] = name_rarity(t)
    t["husband_name"] = husband_names(std, t["sex"].to_numpy(dtype=object)) if len(t) else \
        np.full(0, None, dtype=object)
    # does each NIK agree with its own record's recorded birth date and sex?
    nd = pd.Series(t["nik_dob"], dtype=object)
    d = pd.Series(t["dob"], dtype=object)
    ph = pd.Series(t["dob_placeholder"])
    # the same date, a day/month swap, or at most two mistyped digits (1998-10-29 / 1999-10-29)
    same_date = (nd == d) | (nd.str[:7] == d.str[:7]) | (
        (nd.str[:4] == d.str[:4]) & (nd.str[5:7] == d.str[8:10]) & (nd.str[8:10] == d.str[5:7]))
    both = nd.notna() & d.notna() & (nd.str.len() == 10) & (d.str.len() == 10)
    if both.any():
        a = np.frombuffer("".join(nd[both]).encode("ascii"), dtype=np.uint8).reshape(-1, 10)
        b = np.frombuffer("".join(d[both]).encode("ascii"), dtype=np.uint8).reshape(-1, 10)
        close = pd.Series(False, index=nd.index)
        close[both] = (a != b).sum(axis=1) <= 2
        same_date = same_date | close
    date_ok = nd.isna() | d.isna() | ph | same_date | (nd.str[:4] == d.str[:4])
    # (a recorded sex that disagrees with the NIK is left to the sex comparison: sex is often mistyped)
    cons = date_ok
    # the same NIK on several records of one source with different birth years: someone's NIK was copied
    # (a birth year from an age is ± 1: not a different birth year)
    k = pd.DataFrame({"s": t["source"], "n": t["nik"], "y": t["dob_year"]})
    k["y"] = k["y"].where(pd.isna(t["dob_approx_year"]))
    k = k[k["n"].notna()]
    ny = k.groupby(["s", "n"])["y"].transform("nunique")
    shared = pd.Series(False, index=t.index)
    shared[ny.index[ny > 1]] = True
    t["nik_consistent"] = (cons & ~shared).to_numpy()
    t["kk_name_unique"] = kk_name_unique(t)
    t["name_kec_unique"] = name_kec_unique(t)
    t["nik15_shared"] = nik15_shared(t)
    t["fingerprint"] = fingerprint(t)
    for col, sizes in block_sizes(t).items():
        t[col] = sizes
    return t[MODEL_COLUMNS]


def nik15_shared(t: pd.DataFrame) -> np.ndarray:
    """Per record, whether its first 15 NIK digits are those of two or more different full (trusted) NIKs
    in the data: an Excel-damaged NIK with these digits may then be any of them.

    >>> t = pd.DataFrame({"nik15": ["1", "1", "1", "2", "2", None],
    ...                   "nik": ["10", "11", None, "20", None, None]})
    >>> nik15_shared(t).tolist()
    [True, True, True, False, False, False]
    """
    k = pd.DataFrame({"p": t["nik15"], "n": t["nik"]})
    distinct = k.dropna().groupby("p")["n"].nunique()
    return k["p"].map(distinct).fillna(0).to_numpy(dtype=float) >= 2


def kk_name_unique(t: pd.DataFrame) -> np.ndarray:
    """Per record, whether its KK and name (by sound) point to one person: false when one list holds two or
    more records under that KK and name that are not all one NIK (a father and his son of one name, or a
    record without NIK that may be either). True where the KK or the name is missing.

    >>> t = pd.DataFrame({"source": ["a", "a", "a", "a", "b"], "kk": ["K1", "K1", "K2", "K2", "K1"],
    ...                   "name_phon_key": ["ISMAIL"] * 5, "nik15": ["1", "2", "3", "3", None]})
    >>> kk_name_unique(t).tolist()
    [False, False, True, True, False]
    """
    k = pd.DataFrame({"s": t["source"], "kk": t["kk"], "n": t["name_phon_key"], "nik": t["nik15"]})
    has = k["kk"].notna() & k["n"].notna()
    g = k[has].groupby(["s", "kk", "n"], sort=False)
    size = g["nik"].transform("size")
    # all the group's records carry one and the same NIK: one person listed twice
    one_nik = (g["nik"].transform("count") == size) & (g["nik"].transform("nunique") == 1)
    bad = k[has][(size > 1) & ~one_nik]
    ambiguous = set(zip(bad["kk"], bad["n"], strict=True))
    if not ambiguous:
        return np.ones(len(t), dtype=bool)
    keys = pd.Series(list(zip(k["kk"], k["n"], strict=True)), index=k.index)
    return ~(keys.isin(ambiguous).to_numpy() & has.to_numpy())


def name_kec_unique(t: pd.DataFrame) -> pd.arrays.BooleanArray:
    """Per record, whether no list holds two records of its name (by sound) in its kecamatan (records of one
    and the same NIK count as one) and the records of that name there give at most one desa: every list
    knows one person of that name there. Null where the name or the kecamatan is missing.

    >>> t = pd.DataFrame({"source": ["a", "a", "b", "a", "a", "b", "a", "a", "b"],
    ...                   "kecamatan_code": ["K1", "K1", "K1", "K2", "K2", "K2", None, "K3", "K3"],
    ...                   "desa_code": [None, None, None, "D1", None, "D1", None, "D2", "D3"],
    ...                   "name_phon_key": ["ANI"] * 9, "nik15": [None, None, None, "3", "3", None, None, None, None]})
    >>> name_kec_unique(t).tolist()
    [False, False, False, True, True, True, <NA>, False, False]
    """
    k = pd.DataFrame({"s": t["source"], "kec": t["kecamatan_code"], "n": t["name_phon_key"], "nik": t["nik15"]})
    has = (k["kec"].notna() & k["n"].notna()).to_numpy()
    k = k[has]
    g = k.groupby(["s", "kec", "n"], sort=False)["nik"]
    size = g.transform("size")
    # all the group's records carry one and the same NIK: one person listed twice
    one_nik = (g.transform("count") == size) & (g.transform("nunique") == 1)
    repeated = ((size > 1) & ~one_nik).to_numpy(dtype=bool)
    by_place = [k["kec"], k["n"]]
    any_repeated = pd.Series(repeated, index=k.index).groupby(by_place, sort=False).transform("any")
    # records of the name in two desas of the kecamatan are two people, or one who moved: not one for sure
    desas = t["desa_code"][has].groupby(by_place, sort=False).transform("nunique")
    out = pd.array(np.full(len(t), None, dtype=object), dtype="boolean")
    out[np.flatnonzero(has)] = ~(any_repeated.to_numpy(dtype=bool) | (desas.to_numpy() > 1))
    return out


def block_sizes(t: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per record, how many records share its key of each capped blocking rule (:data:`CAPPED_BLOCKS`).

    >>> t = pd.DataFrame({"nik15": ["1", "1", "2", None]})
    >>> block_sizes(t.assign(**{c: None for k in CAPPED_BLOCKS.values() for c in k if c != "nik15"}))["block_nik15"].tolist()
    [2, 2, 1, 1]
    """
    out = {}
    for col, keys in CAPPED_BLOCKS.items():
        g = t.groupby(list(keys), dropna=False, sort=False).ngroup().to_numpy()
        out[col] = np.bincount(g)[g].astype(np.int64) if len(g) else np.zeros(0, dtype=np.int64)
    return out


def hash_as_objects(t: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> np.ndarray:
    """A 64-bit hash (as int64) per row of ``t[columns]``: pandas' hash of the values made Python objects
    (``astype(object)``, missing values None). Each column is factorised in its own dtype and only its
    distinct values are made objects, which gives the same hashes as converting every row first.

    >>> t = pd.DataFrame({"y": pd.array([1970, None, 1970], dtype="Int64"), "s": ["A", None, "A"]})
    >>> objects = pd.DataFrame({c: t[c].astype(object).where(t[c].notna(), None) for c in t})
    >>> bool((hash_as_objects(t, ["y", "s"]) == pd.util.hash_pandas_object(objects, index=False).to_numpy(
    ...     dtype=np.uint64).view(np.int64)).all())
    True
    """
    cols = {}
    for c in columns:
        codes, uniques = pd.factorize(t[c])
        categories = pd.Index(np.asarray(uniques, dtype=object))   # as hash_array categorises object values
        cols[c] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))
    frame = pd.DataFrame(cols, index=t.index)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64).view(np.int64)


def fingerprint(t: pd.DataFrame) -> pd.array:
    """A 64-bit hash of every compared field (:data:`FINGERPRINT_COLUMNS`), null for a record with neither
    a name nor a NIK (nothing to link on), so that records identical on every field share one value.

    >>> t = pd.DataFrame({c: [None, None, None] for c in FINGERPRINT_COLUMNS}).assign(name=["ANI", "ANI", None])
    >>> fp = fingerprint(t)
    >>> bool(fp[0] == fp[1]), bool(pd.isna(fp[2]))
    (True, True)
    """
    h = hash_as_objects(t, FINGERPRINT_COLUMNS)
    has_ident = (t["name"].notna() | t["nik15"].notna() | t["nik"].notna()).to_numpy(dtype=bool)
    return pd.arrays.IntegerArray(h, ~has_ident)


#: the comparisons linkmiskin can use for the NIK and the address; :func:`choose_comparisons` picks one each
COMPARISON_KINDS = {"nik": ("nik", "plain_id"), "address": ("desa", "text")}
DEFAULT_KINDS = {"nik": "nik", "address": "desa"}
#: below this share of valid NIKs among the ids (or of resolved desa/kecamatan codes among the address
#: texts) the data is taken to have no Indonesian structure, and the plain comparison is used
MIN_STRUCTURED_SHARE = 0.05


def data_profile(con: Any, table: str) -> dict[str, int]:
    """How many records hold each piece of evidence (non-null values per model column group)."""
    row = con.execute(f"""
        SELECT count(*), count(nik15), count(id_plain), count(name), count(dob) FILTER (WHERE NOT dob_placeholder),
               count(sex), count(coalesce(desa_code, kecamatan_code)), count(addr_text), count(relationship),
               count(mother_name), count(kk), count(spouse_name)
        FROM {table}""").fetchall()[0]
    keys = ("records", "nik", "id", "name", "dob", "sex", "desa", "address_text", "relationship", "mother_name",
            "kk", "spouse_name")
    return {k: int(v) for k, v in zip(keys, row, strict=True)}


def choose_comparisons(profile: dict[str, int]) -> dict[str, str]:
    """Which NIK and address comparisons suit the data: the plain ones when it has no Indonesian structure.

    ``plain_id`` (:class:`~linkmiskin.scoring.comparisons.PlainIdComparison`) when the id column holds ids but almost
    no valid NIK; ``text`` (:class:`~linkmiskin.scoring.comparisons.AddressTextComparison`) when there is address
    text but almost no desa or kecamatan code resolves.

    >>> choose_comparisons({"nik": 0, "id": 500, "desa": 0, "address_text": 500})
    {'nik': 'plain_id', 'address': 'text'}
    >>> choose_comparisons({"nik": 480, "id": 500, "desa": 450, "address_text": 500})
    {'nik': 'nik', 'address': 'desa'}
    """
    plain_id = profile["id"] > 0 and profile["nik"] < MIN_STRUCTURED_SHARE * profile["id"]
    text = profile["address_text"] > 0 and profile["desa"] < MIN_STRUCTURED_SHARE * profile["address_text"]
    return {"nik": "plain_id" if plain_id else "nik", "address": "text" if text else "desa"}


def kinds_of_model(model: Any) -> dict[str, str]:
    """The comparison kinds a saved Splink model dict was built with (by each comparison's class name)."""
    kinds = dict(DEFAULT_KINDS)
    comps = model.get("comparisons") if isinstance(model, dict) else None
    for c in comps if isinstance(comps, list) else []:
        desc = c.get("comparison_description") if isinstance(c, dict) else None
        if desc == PlainIdComparison.__name__:
            kinds["nik"] = "plain_id"
        elif desc == AddressTextComparison.__name__:
            kinds["address"] = "text"
    return kinds


def _id_comparison(kinds: dict[str, str]) -> Any:
    if kinds.get("nik") == "plain_id":
        return PlainIdComparison("id_plain", output_column_name="nik")
    # (shared15_col_name is left out: at 200,000 households of world A, where many Excel-damaged NIKs share
    # their 15 digits with two full NIKs, the null level it adds cost person recall 0.971 -> 0.965 and F1
    # 0.9815 -> 0.9781; the excel level's evidence that it is one of a few people is worth keeping, and the
    # names decide which)
    return NikComparison("nik", prefix15_col_name="nik15", consistent_col_name="nik_consistent",
                         own_date_col_name="nik_own_date")


def _address_comparison(kinds: dict[str, str]) -> Any:
    if kinds.get("address") == "text":
        return AddressTextComparison("addr_text", output_column_name="address")
    return IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec")


def comparisons(kinds: dict[str, str] | None = None) -> list[Any]:
    """The linkmiskin comparisons, in model order (``kinds`` from :func:`choose_comparisons`)."""
    kinds = kinds or DEFAULT_KINDS
    return [
        _id_comparison(kinds),
        IndonesianNameComparison("name"),
        BirthDateComparison("dob", nik_date_col_name="nik_dob", nik_col_name="nik15",
                            approx_year_col_name="dob_approx_year"),
        SexComparison("sex", nik_col_name="nik15", nik_sex_col_name="nik_sex"),
        _address_comparison(kinds),
        RelationshipComparison("relationship", kk_col_name="kk", desa_col_name="desa_code"),
        MotherNameComparison("mother_name"),
        KkComparison("kk", nik_col_name="nik", nik_consistent_col_name="nik_consistent", desa_col_name="desa_code",
                     kecamatan_col_name="kecamatan_code"),
        SpouseNameComparison("spouse_name", husband_col_name="husband_name"),
        NameInKecamatanComparison(),
    ]


def _anchor_comparisons(kinds: dict[str, str] | None = None, recorded_dates_only: bool = False) -> list[Any]:
    """Same comparisons, with the date, the sex and the KK of a person who moved not folded into the NIK, to
    learn their m from anchors (the NIK anchors are one NIK: each would fall into those null levels).
    ``recorded_dates_only``: the birth-date comparison without the "other's NIK date" level, so that its
    other levels see the recorded-date differences that this level would take first on NIK anchors."""
    kinds = kinds or DEFAULT_KINDS
    return [
        _id_comparison(kinds),
        IndonesianNameComparison("name"),
        BirthDateComparison("dob", nik_date_col_name=None if recorded_dates_only else "nik_dob", nik_col_name=None,
                            approx_year_col_name="dob_approx_year"),
        SexComparison("sex", nik_col_name=None),
        _address_comparison(kinds),
        RelationshipComparison("relationship", kk_col_name="kk", desa_col_name="desa_code"),
        MotherNameComparison("mother_name"),
        KkComparison("kk"),
        SpouseNameComparison("spouse_name", husband_col_name="husband_name"),
        NameInKecamatanComparison(),
    ]


#: m probabilities (share of true matches at each level, by the level's stable key) used when the data
#: hold neither anchor pairs nor enough pairs for EM to learn them, e.g. a small desa list. They are priors
#: from how Indonesian registers usually differ for the same person, not fitted to any data set. A level
#: without a prior gets a small floor.
PRIOR_M: dict[str, dict[str, float]] = {
    "nik": {"exact_consistent": 0.84, "exact_inconsistent": 0.02, "excel_15_digits": 0.02,
            "same_birth_code_other_serial": 0.01, "own_dates_one_digit_apart": 0.002, "typo": 0.06,
            "else": 0.05,
            # a plain id (PlainIdComparison) and a NIK compared without the consistency check
            "exact": 0.86},
    "name": {"exact": 0.70, "same_sound": 0.10, "inside_rare": 0.03, "inside": 0.05, "inside_by_sound": 0.02,
             "typo_jaro_winkler": 0.04, "typo_anywhere": 0.01, "inside_with_typo": 0.005, "nickname": 0.02,
             "initials": 0.005, "other_family_name": 0.005, "share_token_close": 0.01, "share_token": 0.01, "else": 0.005},
    "dob": {"exact_real": 0.78, "exact_placeholder": 0.06, "others_nik_date": 0.05, "day_month_swapped": 0.02,
            "year_mistyped": 0.02, "same_year_month": 0.02, "same_year": 0.02,
            "approx_year": 0.01, "else": 0.03},
    "sex": {"same": 0.98, "else": 0.02},
    "address": {"desa_rt_rw": 0.50, "desa_place": 0.05, "desa_rw": 0.05, "desa": 0.10, "kecamatan_desa_unknown": 0.12,
                "kecamatan": 0.08,
                "nik_issued_in_others_kecamatan": 0.04, "else": 0.06,
                # address text (AddressTextComparison)
                "text_exact": 0.60, "postcode_text_close": 0.15, "text_close": 0.08, "postcode_share_words": 0.04,
                "share_words": 0.02, "postcode": 0.03},
    "relationship": {"same": 0.85, "head_spouse": 0.05, "else": 0.10},
    "mother_name": {"exact": 0.85, "close": 0.10, "else": 0.05},
    # (of pairs of one person with close names and a KK on both sides: a new card or a split family is "else")
    "kk": {"exact": 0.80, "typo": 0.03, "else": 0.17},
    # a wife's NY. + husband's name against the husband's name of the other record's household (an
    # unclear NY. reading that was her own name falls in else)
    "spouse_name": {"exact": 0.60, "close": 0.15, "else": 0.25},
    # of pairs of one person with one name (by sound) in one kecamatan: each list holds it once there
    "name_in_kecamatan": {"unique_on_each_list": 0.80, "else": 0.20},
}
#: comparisons of identifiers issued to one person each (the NIK): their u is corrected for the true
#: matches in the random sample (:func:`_u_without_matches`). Not for names, dates or addresses: people
#: who share those (twins, neighbours) also share other evidence, and the uncorrected u keeps their
#: weights modest.
UNIQUE_IDENTIFIERS = ("nik",)
#: below this many anchor pairs the m probabilities come from the next way in the fallback order.
MIN_ANCHORS = 20
#: comparisons whose m always comes from ``PRIOR_M`` (few lists record a mother's name)
PRIOR_ONLY = ("mother_name",)


def _capped(condition: str, column: str) -> CustomRule:
    """``condition`` on blocks of at most :data:`BLOCK_CAP` records (both records share the key, so they
    share the block size ``column``)."""
    return CustomRule(f"{condition} AND l.{column} <= {BLOCK_CAP}")


#: the pair lacks a NIK or a birth date on a side: the rules keyed on them cannot pair it
_THIN = "(l.nik15 IS NULL OR r.nik15 IS NULL OR l.dob IS NULL OR r.dob IS NULL)"

#: the two birth dates are not told apart: one is missing or a placeholder, or they differ by one slip at
#: most (the same month, the same day, or day and month swapped); two people of one name and birth year in
#: one kecamatan have dates that differ in both far more often
_DATES_ONE_SLIP_APART = (
    "(l.dob IS NULL OR r.dob IS NULL OR l.dob_placeholder OR r.dob_placeholder "
    "OR substr(l.dob, 6, 2) = substr(r.dob, 6, 2) OR substr(l.dob, 9, 2) = substr(r.dob, 9, 2) "
    "OR (substr(l.dob, 6, 2) = substr(r.dob, 9, 2) AND substr(l.dob, 9, 2) = substr(r.dob, 6, 2)))")
#: the two records do not give different sexes
_SEX_NOT_DIFFERENT = "(l.sex IS NULL OR r.sex IS NULL OR l.sex = r.sex)"


def same_name_sound_and_year_in_kecamatan_dates_one_slip_apart() -> CustomRule:
    """The same name by sound and birth year in one kecamatan where the birth dates differ by one slip at
    most (:data:`_DATES_ONE_SLIP_APART`): a name spelt two ways; two people of a common name born in one
    year in one kecamatan (a block that grows with the square of its density) have dates that differ more."""
    return CustomRule("l.name_phon_key = r.name_phon_key AND l.dob_year = r.dob_year "
                      f"AND l.kecamatan_code = r.kecamatan_code AND {_DATES_ONE_SLIP_APART}")


def same_nik15_unless_full_niks_differ() -> CustomRule:
    """The same first 15 NIK digits, unless both records carry a full NIK and the two differ: those are two
    people born on one day in one kecamatan (NIK serials ...0001 and ...0002), whose block grows with the
    square of the density; a typo in the 16th digit is paired where the first name agrees too
    (``nik15`` and ``name_first``, also the cover of over-large blocks)."""
    return _capped("l.nik15 = r.nik15 AND (l.nik IS NULL OR r.nik IS NULL OR l.nik = r.nik)", "block_nik15")


def same_name_sound_in_kecamatan_one_without_desa() -> CustomRule:
    """The same name by sound in one kecamatan where one record has no desa code (a list that gives only
    the kecamatan) and a NIK or a birth date is missing on a side, so that no NIK or date rule pairs them,
    and the birth dates are one slip apart at most (:data:`_DATES_ONE_SLIP_APART`)."""
    return _capped("l.name_phon_key = r.name_phon_key AND l.kecamatan_code = r.kecamatan_code "
                   f"AND (l.desa_code IS NULL OR r.desa_code IS NULL) AND {_THIN} AND {_DATES_ONE_SLIP_APART}",
                   "block_phon_kec")


def same_name_sound_in_desa_one_undated() -> CustomRule:
    """The same name by sound in one desa where a side has no birth date: with dates on both sides the
    name-and-date rules pair them, and this block would grow with the square of the desa's density."""
    return _capped("l.name_phon_key = r.name_phon_key AND l.desa_code = r.desa_code "
                   "AND (l.dob IS NULL OR r.dob IS NULL)", "block_phon_desa")


def same_last_name_year_and_sex_in_kecamatan_across_lists_one_without_desa() -> CustomRule:
    """The same last name, birth year and sex in one kecamatan on two different lists where a side has no
    desa code (a list that gives only the kecamatan) and a NIK or a birth date is missing on a side: with
    desa codes on both sides the same key in one desa pairs them
    (:func:`same_last_name_year_and_sex_in_desa_across_lists`); with NIKs and dates on both sides the NIK and
    date rules do; within one list such records are neighbours and kin far more often than one person
    written twice (the name-and-date rules pair a list's own duplicates); their birth dates differ by one
    slip at most (:data:`_DATES_ONE_SLIP_APART`); and this block would grow with the square of the
    kecamatan's density."""
    return _capped("l.name_last = r.name_last AND l.kecamatan_code = r.kecamatan_code AND l.dob_year = r.dob_year "
                   "AND l.sex = r.sex AND (l.desa_code IS NULL OR r.desa_code IS NULL) AND l.source <> r.source "
                   f"AND {_THIN} AND {_DATES_ONE_SLIP_APART}", "block_last_kec")


def same_real_date_in_kecamatan_one_without_desa() -> CustomRule:
    """The same real birth date in one kecamatan where a side has no desa code (a list that gives only the
    kecamatan) and the sexes do not differ: with desa codes on both sides the same date in one desa pairs
    them; a man and a woman of one date whose names differ too are two people; and this block would grow
    with the square of the kecamatan's density."""
    return _capped("l.dob = r.dob AND l.kecamatan_code = r.kecamatan_code AND NOT l.dob_placeholder "
                   "AND NOT r.dob_placeholder AND (l.desa_code IS NULL OR r.desa_code IS NULL) "
                   f"AND {_SEX_NOT_DIFFERENT}", "block_dob_kec")


def same_last_name_year_and_sex_in_desa_across_lists() -> CustomRule:
    """The same last name, birth year and sex in one desa on two different lists, the birth dates one slip
    apart at most (:data:`_DATES_ONE_SLIP_APART`; the cover of the kecamatan-wide rule's over-large blocks):
    within one list such records are neighbours and kin far more often than one person written twice, and
    the name-and-date rules pair a list's own duplicates."""
    return CustomRule("l.name_last = r.name_last AND l.desa_code = r.desa_code AND l.dob_year = r.dob_year "
                      f"AND l.sex = r.sex AND l.source <> r.source AND {_DATES_ONE_SLIP_APART}")


#: a NIK is missing on a side (with NIKs on both sides the NIK rules pair a typo, and two different NIKs
#: tell two people apart)
_ONE_WITHOUT_NIK = "(l.nik15 IS NULL OR r.nik15 IS NULL)"


def same_first_name_and_real_date_one_without_nik() -> CustomRule:
    """The same first name token and real birth date where a NIK is missing on a side: a dropped or added
    name token (ALIF FARHAN / ALIF FARHAN YUSUF) that the NIK rules cannot pair; with NIKs on both sides
    those rules pair one person, and this block would grow with the square of the records."""
    return _capped("l.name_first = r.name_first AND l.dob = r.dob AND NOT l.dob_placeholder "
                   f"AND NOT r.dob_placeholder AND {_ONE_WITHOUT_NIK}", "block_first_dob")


def same_last_name_and_real_date_one_without_nik() -> CustomRule:
    """The same last name token and real birth date where a NIK is missing on a side, as
    :func:`same_first_name_and_real_date_one_without_nik`."""
    return CustomRule("l.name_last = r.name_last AND l.dob = r.dob AND NOT l.dob_placeholder "
                      f"AND NOT r.dob_placeholder AND {_ONE_WITHOUT_NIK}")


def same_kk_and_last_name_one_thin() -> CustomRule:
    """One KK and the same last name token where a NIK or a birth date is missing on a side: a member row
    without them and its register row; with both on both sides the NIK and date rules pair one person, and
    where the last name is a family name (a marga) this block holds the whole family."""
    return _capped(f"l.kk = r.kk AND l.name_last = r.name_last AND {_THIN}", "block_kk_last")


def same_name_sound_in_rw_dates_one_slip_apart() -> CustomRule:
    """The same name by sound in one desa and RW, the birth dates one slip apart at most
    (:data:`_DATES_ONE_SLIP_APART`): the cover of :func:`same_name_sound_in_desa_one_undated`'s over-large
    blocks, and a name spelt two ways by neighbours' lists; two people of one name in one RW whose dates
    differ in both day and month are two people."""
    return CustomRule("l.name_phon_key = r.name_phon_key AND l.desa_code = r.desa_code AND l.rw = r.rw "
                      f"AND {_DATES_ONE_SLIP_APART}")


def same_rt_and_first_name() -> CustomRule:
    """One desa, RW and RT and the same first name, where a NIK or a birth date is missing on a side and the
    birth dates are one slip apart at most (:data:`_DATES_ONE_SLIP_APART`): a name written shorter or longer
    on another list (UMAR / UMAR ARIF) that no NIK or date rule pairs."""
    return _capped("l.desa_code = r.desa_code AND l.rw = r.rw AND l.rt = r.rt AND l.name_first = r.name_first "
                   f"AND {_THIN} AND {_DATES_ONE_SLIP_APART}", "block_rt_first")


def same_rt_and_last_name() -> CustomRule:
    """One desa, RW and RT and the same last name (BAYU AGUS / ZAINAL BAYU AGUS), as
    :func:`same_rt_and_first_name`."""
    return _capped("l.desa_code = r.desa_code AND l.rw = r.rw AND l.rt = r.rt AND l.name_last = r.name_last "
                   f"AND {_THIN} AND {_DATES_ONE_SLIP_APART}", "block_rt_last")


def same_desa_and_first_name_one_undated() -> CustomRule:
    """One desa and the same first name where a side has no birth date (an age-only list, a list of names
    and KKs): a name written shorter or longer that no date rule pairs, where the lists write no RT."""
    return _capped("l.desa_code = r.desa_code AND l.name_first = r.name_first "
                   "AND ((l.dob IS NULL AND l.nik15 IS NULL) OR (r.dob IS NULL AND r.nik15 IS NULL))",
                   "block_desa_first")


def _teknonym_in_desa(tek: str, other: str) -> CustomRule:
    return CustomRule(f"{tek}.name_form = 'teknonym' AND {tek}.desa_code = {other}.desa_code "
                      f"AND {tek}.sex = {other}.sex AND abs({tek}.dob_year - {other}.dob_year) <= 1")


def teknonym_in_desa_same_sex_and_birth_year() -> list[CustomRule]:
    """A record named only by a teknonym (``OP. DANIEL``: no own name, ``name_form`` ``teknonym``) and a
    record of one desa, sex and birth year (± 1: an age gives the year ± 1): no name rule can pair such a
    record, and its NIK and KK are mostly missing too (elderly lists). One rule per side the teknonym stands
    on (an equality join on the desa and the sex each, filtered on the teknonym side, not a join on an OR)."""
    return [_teknonym_in_desa("l", "r"), _teknonym_in_desa("r", "l")]


#: a side's birth year is uncertain: it comes from an age, or from a heaped date (01-01, 07-01, 12-31 ...)
_YEAR_UNCERTAIN = ("(l.dob_approx_year IS NOT NULL OR r.dob_approx_year IS NOT NULL OR l.dob_placeholder "
                   "OR r.dob_placeholder)")


def same_first_name_and_sex_in_desa_birth_years_one_apart_across_lists() -> CustomRule:
    """The same first name and sex in one desa on two different lists, with birth years at most one apart:
    a last name mistyped or written another way (a married woman's marga) and an age or a mistyped year,
    which no name-and-date rule pairs; within one list such records are kin or neighbours far more often."""
    return CustomRule("l.name_first = r.name_first AND l.desa_code = r.desa_code AND l.sex = r.sex "
                      "AND abs(l.dob_year - r.dob_year) <= 1 AND l.source <> r.source")


def same_last_name_and_sex_in_desa_birth_years_one_apart_across_lists() -> CustomRule:
    """The same last name and sex in one desa on two different lists, with birth years one apart where a
    side's year is uncertain (an age, a heaped date): the given names written another way or in part (*Marta
    Purba* / *Nurmaida Marta Purba*); the same year is :func:`same_last_name_year_and_sex_in_desa_across_lists`."""
    return CustomRule("l.name_last = r.name_last AND l.desa_code = r.desa_code AND l.sex = r.sex "
                      f"AND abs(l.dob_year - r.dob_year) = 1 AND l.source <> r.source AND {_YEAR_UNCERTAIN}")


def thin_evidence_rules() -> list[CustomRule]:
    """The blocking rules for pairs without a NIK or a birth date in common (:func:`blocking_rules` ends with
    them and the teknonym rules; the Spark backend leaves them out, see ``docs/spark.md``)."""
    return [same_name_sound_in_kecamatan_one_without_desa(), same_rt_and_first_name(), same_rt_and_last_name(),
            same_desa_and_first_name_one_undated()]


def blocking_rules(thin_evidence: bool = True) -> list[Any]:
    """Blocking rules for prediction: keep recall when NIKs are missing or mistyped, without
    comparing every pair of people who share a common name or a placeholder birth date
    (``thin_evidence``: with :func:`thin_evidence_rules`)."""
    real_dob = "NOT l.dob_placeholder AND NOT r.dob_placeholder"
    return [
        same_nik15_unless_full_niks_differ(),
        block_on("name", "dob"),
        same_name_sound_and_year_in_kecamatan_dates_one_slip_apart(),
        block_on("name", "substr(nik15, 7, 6)"),
        same_real_date_in_kecamatan_one_without_desa(),
        same_first_name_and_real_date_one_without_nik(),
        same_last_name_and_real_date_one_without_nik(),
        same_name_sound_in_desa_one_undated(),
        same_last_name_year_and_sex_in_kecamatan_across_lists_one_without_desa(),
        block_on("substr(nik15, 1, 12)", "name_first"),
        # the same name, day and month in one kecamatan: a mistyped birth year
        block_on("name", "kecamatan_code", "substr(dob, 6, 5)"),
        # records identical on every compared field are always compared, whatever they lack
        block_on("fingerprint"),
        # blocks over BLOCK_CAP of the capped rules above, covered by the same key tightened
        block_on("nik15", "name_first"),
        CustomRule(f"l.dob = r.dob AND l.desa_code = r.desa_code AND {real_dob}"),
        CustomRule(f"l.name_first = r.name_first AND l.dob = r.dob AND l.kecamatan_code = r.kecamatan_code "
                   f"AND {real_dob}"),
        same_name_sound_in_rw_dates_one_slip_apart(),
        same_last_name_year_and_sex_in_desa_across_lists(),
        # one KK and one first or last name: a member row without NIK or birth date and its register row
        _capped("l.kk = r.kk AND l.name_first = r.name_first", "block_kk_first"),
        same_kk_and_last_name_one_thin(),
    ] + (thin_evidence_rules() if thin_evidence else []) + teknonym_in_desa_same_sex_and_birth_year() + [
        same_first_name_and_sex_in_desa_birth_years_one_apart_across_lists(),
        same_last_name_and_sex_in_desa_birth_years_one_apart_across_lists()]


def fallback_blocking_rules(kinds: dict[str, str] | None = None) -> list[Any]:
    """Extra blocking rules for data without Indonesian structure (plain ids, address text), added after
    :func:`blocking_rules`: without NIKs and desa codes those rules miss pairs whose name or date has a typo."""
    kinds = kinds or DEFAULT_KINDS
    rules: list[Any] = []
    if kinds.get("nik") == "plain_id":
        rules.append(block_on("id_plain"))
    if kinds.get("address") == "text":
        rules += [block_on("addr_post", "name_first"), block_on("addr_post", "name_last"),
                  block_on("addr_post", "dob"), block_on("addr_text"),
                  # names and date both mistyped: the house number and the postcode
                  block_on("addr_post", "addr_number")]
    if kinds != DEFAULT_KINDS:
        # without desa codes a real birth date alone is a selective key (names with typos, swapped names)
        rules += [block_on("name_first", "name_last"), block_on("name_first", "dob_year"),
                  block_on("name_last", "dob_year"), block_on("name_phon_key", "dob_year"),
                  CustomRule("l.dob = r.dob AND NOT l.dob_placeholder AND NOT r.dob_placeholder")]
    return rules


def settings(prior: float = 1e-5, comps: list[Any] | None = None,
             kinds: dict[str, str] | None = None, thin_evidence: bool = True) -> SettingsCreator:
    """Splink settings of the linkmiskin model (``kinds`` from :func:`choose_comparisons`; ``thin_evidence``
    as in :func:`blocking_rules`)."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comps or comparisons(kinds),
        blocking_rules_to_generate_predictions=blocking_rules(thin_evidence) + fallback_blocking_rules(kinds),
        probability_two_random_records_match=prior,
        # (Splink keeps the comparison levels only together with the compared values; linkmiskin fetches
        # just ids, scores and levels from DuckDB, see Linker.predict)
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        unique_id_column_name="unique_id",
    )


ANCHOR_SAME_PERSON_BY_NIK = (
    "l.nik = r.nik AND l.nik_consistent AND r.nik_consistent AND l.nik IS NOT NULL"
)
ANCHOR_SAME_PERSON_BY_NAME = (
    "l.name = r.name AND l.dob = r.dob AND NOT l.dob_placeholder AND l.desa_code = r.desa_code "
    "AND l.nik15 IS NOT NULL AND r.nik15 IS NOT NULL AND len(l.name_tokens) >= 2"
)
_FULL_NAME = "l.name = r.name AND len(l.name_tokens) >= 2"
_REAL_DOB = "l.dob = r.dob AND NOT l.dob_placeholder"
_SAME_ID = "l.id_plain = r.id_plain"
_SAME_ADDRESS_TEXT = "l.addr_text = r.addr_text"
_SAME_DESA_RT_RW = "l.desa_code = r.desa_code AND l.rt = r.rt AND l.rw = r.rw"


class AnchorRule(NamedTuple):
    """Pairs taken as the same person on strong evidence, to learn m of the comparisons it does not use.

    ``conditions`` are alternatives (their pairs are united); ``fields`` the comparisons it involves.
    """
    name: str
    conditions: tuple[str, ...]
    fields: frozenset[str]


#: anchor rules in the order they are tried for each comparison: the first that does not involve the
#: comparison and finds at least ``MIN_ANCHORS`` pairs trains it. The first two are linkmiskin's own
#: (valid NIKs, desa codes); the others are the fallbacks for data without them.
ANCHOR_RULES: tuple[AnchorRule, ...] = (
    AnchorRule("same_nik", (ANCHOR_SAME_PERSON_BY_NIK,), frozenset({"nik"})),
    AnchorRule("same_name_dob_desa", (ANCHOR_SAME_PERSON_BY_NAME,), frozenset({"name", "dob", "address"})),
    AnchorRule("same_id_name", (f"{_SAME_ID} AND {_FULL_NAME}",), frozenset({"nik", "name"})),
    AnchorRule("same_id_dob", (f"{_SAME_ID} AND {_REAL_DOB}",), frozenset({"nik", "dob"})),
    AnchorRule("same_name_dob_address", (f"{_FULL_NAME} AND {_REAL_DOB} AND {_SAME_ADDRESS_TEXT}",
                                         f"{_FULL_NAME} AND {_REAL_DOB} AND l.desa_code = r.desa_code"),
               frozenset({"name", "dob", "address"})),
    AnchorRule("same_name_dob", (f"{_FULL_NAME} AND {_REAL_DOB}",), frozenset({"name", "dob"})),
    AnchorRule("same_name_address", (f"{_FULL_NAME} AND {_SAME_ADDRESS_TEXT}", f"{_FULL_NAME} AND {_SAME_DESA_RT_RW}"),
               frozenset({"name", "address"})),
    AnchorRule("same_dob_address", (f"{_REAL_DOB} AND {_SAME_ADDRESS_TEXT}", f"{_REAL_DOB} AND {_SAME_DESA_RT_RW}"),
               frozenset({"dob", "address"})),
)
#: blocking rules for Splink's EM when no anchor rule trains a comparison: the first that does not involve
#: the comparison and gives between ``MIN_EM_PAIRS`` and ``MAX_EM_PAIRS`` pairs is used.
EM_RULES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("same_dob", "dob", frozenset({"dob"})),
    ("same_name", "name", frozenset({"name"})),
)
MIN_EM_PAIRS = 100
MAX_EM_PAIRS = 20_000_000


#: deterministic rules whose pairs are taken as matches when estimating the prior (lambda), in order: the
#: first rule set that finds any pair is used; each assumed to find ``PRIOR_RECALL`` of the true matches
PRIOR_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("same_nik_or_name_dob_desa", (ANCHOR_SAME_PERSON_BY_NIK, "l.name = r.name AND l.dob = r.dob AND l.desa_code = r.desa_code")),
    ("same_id_or_name_dob", (_SAME_ID, f"{_FULL_NAME} AND {_REAL_DOB}")),
)
PRIOR_RECALL = 0.85
#: the prior when there are no record pairs at all (a single record)
DEFAULT_PRIOR = 1e-5


def count_rule_pairs(con: Any, table: str, conditions: tuple[str, ...]) -> int:
    """Number of distinct record pairs that satisfy any of ``conditions`` (SQL on ``l.`` and ``r.``)."""
    union = " UNION ".join(
        f"SELECT l.unique_id AS a, r.unique_id AS b FROM {table} l JOIN {table} r "
        f"ON ({c}) AND l.unique_id < r.unique_id" for c in conditions)
    return int(con.execute(f"SELECT count(*) FROM ({union})").fetchall()[0][0])


def estimate_prior(con: Any, table: str, rules: tuple[tuple[str, tuple[str, ...]], ...] = PRIOR_RULES,
                   recall: float = PRIOR_RECALL) -> dict[str, Any]:
    """The probability that two random records are the same person (lambda), never zero.

    The pairs found by the first rule set of ``rules`` that finds any, divided by ``recall``, over all
    pairs. When no rule finds a pair the count is floored at half a pair (lists without duplicates are
    normal: their records then stay apart), and when there are no pairs at all (one record)
    ``DEFAULT_PRIOR`` is used. Never above 0.5.

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT range AS unique_id, range % 5 AS k FROM range(10)")
    >>> estimate_prior(con, "t", (("same_k", ("l.k = r.k",)),), recall=1.0)["probability"]
    0.1111111111111111
    """
    n = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    total = n * (n - 1) / 2
    if total <= 0:
        return {"probability": DEFAULT_PRIOR, "method": "default", "rule": None, "pairs": 0}
    found, used = 0, None
    for name, conditions in rules:
        found = count_rule_pairs(con, table, conditions)
        if found > 0:
            used = name
            break
    expected = max(float(found), 0.5) / recall
    return {"probability": min(expected / total, 0.5), "method": "rules" if used else "floor",
            "rule": used, "pairs": found}


def warn_no_duplicates(con: Any, table: str) -> None:
    """Warn, naming the sources, that no two records agree on strong evidence: each will be its own person."""
    from linkmiskin.privacy import warn

    names = [r[0] for r in con.execute(f"SELECT DISTINCT source FROM {table} ORDER BY source").fetchall()]
    warn(f"no two records in {', '.join(repr(n) for n in names)} share strong evidence of being one person "
         "(the same NIK or id, or the same name and birth date): the lists look free of duplicates, so each "
         "record is likely its own person. The model's prior is floored at half a pair", stacklevel=3)


def _anchor_pairs(con: Any, table: str, conditions: tuple[str, ...], limit: int, seed: int) -> pd.DataFrame:
    """A sample of at most ``limit`` distinct pairs satisfying any of ``conditions``."""
    # one equi-join per alternative lets DuckDB use hash joins (an OR would compare every pair)
    union = " UNION ".join(
        f"SELECT l.unique_id AS unique_id_l, r.unique_id AS unique_id_r FROM {table} l JOIN {table} r "
        f"ON ({c}) AND l.unique_id < r.unique_id" for c in conditions)
    # the sample is the pairs with the smallest hash of their (canonical) ids, so it does not depend on the
    # order in which the join yields them (issue 14: results independent of row and source order)
    sql = (f"SELECT * FROM ({union}) ORDER BY hash(unique_id_l, unique_id_r, {int(seed)}), unique_id_l, "
           f"unique_id_r LIMIT {int(limit)}")
    return con.execute(sql).df()


def by_output_name(comps: list[Any], name: str) -> Any:
    """The comparison creator of ``comps`` whose output column is ``name`` (never found by position)."""
    for c in comps:
        if c.create_output_column_name() == name:
            return c
    raise KeyError(f"no comparison {name!r}")


def _comparison_dict(model: dict, name: str) -> dict:
    """The comparison of a Splink model dict with output column ``name``."""
    for comp in model["comparisons"]:
        if comp.get("output_column_name") == name:
            return comp
    raise KeyError(f"the model has no comparison {name!r}")


def _keyed(model: dict, comparison: Any, field: str) -> dict[str, float | None]:
    """``field`` (m_probability / u_probability) of each non-null level of ``comparison`` in ``model``, by
    the level's stable key."""
    levels = _comparison_dict(model, comparison.create_output_column_name())["comparison_levels"]
    keys = level_keys(comparison)
    if len(keys) != len(levels):
        raise ValueError(f"{type(comparison).__name__}: {len(keys)} levels, the model has {len(levels)}")
    return {k: lv.get(field) for k, lv in zip(keys, levels, strict=True)
            if not lv.get("is_null_level") and k is not None}


#: birth-date levels whose m the NIK anchors estimate directly (see :func:`_combine_date_m`)
_DATE_FIRST_KEYS = ("exact_real", "exact_placeholder", "others_nik_date")


def _combine_date_m(full: dict[str, float | None], recorded: dict[str, float | None]) -> dict[str, float]:
    """m of the birth-date levels (by key): the exact levels and the "other's NIK date" level from ``full``;
    each other level gets its share of the remaining probability in the proportions that ``recorded`` (the
    comparison without the NIK-date level) finds, or what ``full`` found when that is more."""
    mf = {k: float(v or 0.0) for k, v in full.items()}
    mr = {k: float(v or 0.0) for k, v in recorded.items()}
    first = [k for k in mf if k in _DATE_FIRST_KEYS]
    rest_f = max(1.0 - sum(mf[k] for k in first), 0.0)
    rest_r = sum(v for k, v in mr.items() if k not in first)
    # never below what the full comparison found (it is renormalised afterwards)
    return {k: mf[k] if k in first or rest_r <= 0 else max(mf[k], mr.get(k, 0.0) * rest_f / rest_r) for k in mf}


def _smooth(ps: list[float | None], floor: float = 1e-4) -> list[float]:
    vals = [floor if (p is None or (isinstance(p, float) and math.isnan(p)) or p <= 0) else float(p) for p in ps]
    total = sum(vals)
    return [v / total for v in vals]


def m_with_prior(m: list[float], prior: list[float], n: int, weight: int = MIN_ANCHORS) -> list[float]:
    """m learnt from ``n`` anchor pairs, with ``PRIOR_M`` counted as ``weight`` more pairs: a level that few
    anchors can show (one side knows only the kecamatan, on a small list) keeps a plausible m instead of the
    floor, which would make it strong evidence against. On a kabupaten (thousands of anchors) it is
    invisible.

    >>> [round(v, 2) for v in m_with_prior([1.0, 0.0], [0.5, 0.5], n=20)]
    [0.75, 0.25]
    """
    return _smooth([(n * mi + weight * pi) / (n + weight) for mi, pi in zip(m, prior, strict=True)])


def _u_without_matches(u: list[float], m: list[float], prior: float, floor: float) -> list[float]:
    """Remove the true matches that a random sample of pairs contains from its u estimates.

    A random pair is the same person with probability ``prior`` (lambda), so the observed share of random
    pairs at a level is ``(1 - lambda) u + lambda m``. For common levels the correction is invisible, but for
    an exact NIK the few random pairs that agree are mostly the same person listed twice, and taking them as
    non-matches would cap the weight of the strongest identifier at "one in the sample size". The corrected
    value is floored at ``floor`` (half an observation) and the levels are renormalised.
    """
    lam = min(max(float(prior), 0.0), 0.5)
    vals = [max((ui - lam * mi) / (1.0 - lam), floor) for ui, mi in zip(u, m, strict=True)]
    total = sum(vals)
    return [v / total for v in vals]


#: exact levels that Splink's term-frequency adjustment divides by (its "exact match" level on the column),
#: with the level whose u stands in when the random sample never saw them
_TF_EXACT_STAND_IN = {"dob": ("exact_placeholder", "exact_real")}


def _u_for_unseen_exact_levels(name: str, u: dict[str, float | None]) -> dict[str, float | None]:
    """u of the exact placeholder-date level, when no random pair had one, taken from the exact real-date
    level: Splink adjusts both exact levels for term frequency by dividing by this u, so a floor value
    (one in millions) would make every exact date count strongly against a match (lists without
    placeholder dates, small lists)."""
    if name not in _TF_EXACT_STAND_IN:
        return u
    unseen, stand_in = _TF_EXACT_STAND_IN[name]
    v = u.get(unseen)
    if unseen in u and (v is None or not v > 0):
        return {**u, unseen: u.get(stand_in)}
    return u


#: Bayes factors (m / u) of levels that anchor pairs may be unable to show, by comparison and level key. An
#: age stands in for a birth date mostly on lists without NIKs (posyandu, school lists), so NIK anchors
#: rarely hold such a pair and would leave the level at the floor, strong evidence against every age. A
#: true match's two ages fall within a year of each other about 85% of the time, two strangers' about 5%.
UNSHOWN_LEVEL_BAYES_FACTOR: dict[str, dict[str, float]] = {"dob": {"approx_year": 16.0}}


def m_for_unshown_levels(name: str, keys: list[str], m: list[float], u: list[float],
                         learned: dict[str, float | None]) -> list[float]:
    """m of the levels in ``UNSHOWN_LEVEL_BAYES_FACTOR`` that training did not see (no learnt m above zero):
    their u times the documented Bayes factor (at most 0.5), the other levels scaled to make room.

    >>> m = m_for_unshown_levels("dob", ["exact_real", "approx_year", "else"], [0.9, 0.0001, 0.0999],
    ...                          [0.01, 0.02, 0.97], learned={"approx_year": 0.0})
    >>> [round(v, 4) for v in m]
    [0.6121, 0.32, 0.0679]
    """
    out = list(m)
    for key, factor in UNSHOWN_LEVEL_BAYES_FACTOR.get(name, {}).items():
        if key not in keys or (learned.get(key) or 0.0) > 0.0:
            continue
        i = keys.index(key)
        target = min(factor * u[i], 0.5)
        rest = 1.0 - out[i]
        out = [target if j == i else v * (1.0 - target) / rest for j, v in enumerate(out)]
    return out


#: a KK (or a KK's first 12 digits) on more records than this is no family (a dummy number, a mass issuance
#: day): :func:`kk_u_probabilities` counts its pairs without comparing their names
KK_GROUP_CAP = 200


def kk_u_probabilities(con: Any, table: str, comparison: KkComparison) -> dict[str, float] | None:
    """u of the KK levels (by key), counted on the whole table rather than sampled: the levels are
    conditional on close names, and the few random pairs with close names are mostly one person.

    Among different people the KK is taken as independent of how close their names are, so:

    - ``exact``: the share of record pairs (both with a KK and a name) that share a KK under names that are
      not close (household members, the non-matches one KK holds);
    - ``typo``: the share of pairs whose KKs differ by one typo; counted among KKs with the same first 12
      digits (region and issue date), where one-digit differences live: families registered the same day
      get consecutive serials;
    - ``else``: the rest.

    Each count is floored at half a pair. None when fewer than two records have both a KK and a name. A KK
    on more than ``KK_GROUP_CAP`` records counts all its pairs as household members without comparing their
    names, and such a group of first 12 digits is left out of the typo count (its pairs would grow with the
    square of its size).

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT range AS unique_id, 'K' AS kk, 'ANI' || range AS name, "
    ...                 "['ANI' || range] AS name_tokens, 'A' || range AS name_phon_key, 0 AS name_mask, "
    ...                 "true AS kk_name_unique FROM range(4)")
    >>> kk_u_probabilities(con, "t", KkComparison())["exact"]
    1.0
    """
    n = int(con.execute(f"SELECT count(*) FROM {table} WHERE kk IS NOT NULL AND name IS NOT NULL")
            .fetchall()[0][0])
    pairs = n * (n - 1) / 2
    if pairs < 1:
        return None
    cols = comparison._names.values()
    side = ", ".join(f'{s}."{c}" AS "{c}_{s}"' for s in ("l", "r") for c in cols)
    base = f"(SELECT * FROM {table} WHERE kk IS NOT NULL AND name IS NOT NULL)"

    def small(key: str) -> str:
        return (f"(SELECT * FROM {base} WHERE {key} IN (SELECT {key} FROM {base} GROUP BY {key} "
                f"HAVING count(*) <= {KK_GROUP_CAP}))")

    def count(key: str, on: str, where: str) -> float:
        sql = (f"SELECT count(*) FROM (SELECT {side} FROM {small(key)} l JOIN {small(key)} r "
               f"ON {on} AND l.unique_id < r.unique_id) WHERE {where}")
        return float(con.execute(sql).fetchall()[0][0])

    big = con.execute(f"SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM (SELECT count(*) AS c FROM {base} "
                      f"GROUP BY kk HAVING count(*) > {KK_GROUP_CAP})").fetchall()[0][0]
    same = max(float(big) + count("kk", "l.kk = r.kk", f"NOT {comparison.names_close_sql()}"), 0.5)
    typo = max(_kk_typo_pairs(con, small("substr(kk, 1, 12)")), 0.5)
    u_exact, u_typo = same / pairs, typo / pairs
    return {"exact": u_exact, "typo": u_typo, "else": max(1.0 - u_exact - u_typo, 0.5 / pairs)}


def _kk_typo_pairs(con: Any, records: str) -> float:
    """The record pairs of ``records`` (a subquery with a ``kk`` column) whose KKs share their first 12 digits
    and differ by one typo: one substituted digit, or two neighbouring digits swapped (Damerau-Levenshtein
    distance 1 between KKs of one length).

    Counted without comparing pairs, so that the cost grows with the records and not with the square of a
    day's registrations in one desa: KKs that differ only at digit ``i`` share the KK with digit ``i`` left
    out, so each such group of ``s`` records, ``q`` of them per distinct KK summed as squares, holds
    ``(s² − q) / 2`` of those pairs; a swap pairs each KK with the KK its digits ``i, i+1`` swapped make. Plain
    SQL (no table functions), so that it runs on Spark SQL too.

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _kk_typo_pairs(con, "(SELECT * FROM (VALUES ('3216010101010012'), ('3216010101010013'), "
    ...                "('3216010101010021'), ('3216010101010099'), ('3216010101010012')) v(kk))")
    4.0
    """
    longest = con.execute(f"SELECT max(length(kk)) FROM {records}").fetchall()[0][0]
    if longest is None or int(longest) <= 12:
        return 0.0
    at = " UNION ALL ".join(f"SELECT kk, n, {i} AS i FROM lm_kk_counts WHERE length(kk) >= {i}"
                            for i in range(13, int(longest) + 1))
    substituted = ("SELECT coalesce(sum(s * s - q), 0) / 2 FROM (SELECT sum(n) AS s, sum(n * n) AS q FROM "
                   "lm_kk_at GROUP BY i, length(kk), substr(kk, 1, i - 1) || substr(kk, i + 1)) g")
    swapped = ("SELECT coalesce(sum(a.n * b.n), 0) FROM lm_kk_at a JOIN lm_kk_counts b ON b.kk = "
               "substr(a.kk, 1, i - 1) || substr(a.kk, i + 1, 1) || substr(a.kk, i, 1) || substr(a.kk, i + 2) "
               "WHERE a.i < length(a.kk) AND substr(a.kk, i, 1) < substr(a.kk, i + 1, 1)")
    sql = (f"WITH lm_kk_counts AS (SELECT kk, count(*) AS n FROM {records} GROUP BY kk), lm_kk_at AS ({at}) "
           f"SELECT ({substituted}) + ({swapped})")
    return float(con.execute(sql).fetchall()[0][0])


class CountPass(NamedTuple):
    """One pass of :func:`level_pair_counts`: the pairs of groups joined by one of ``joins`` (each a tuple of
    pairs of columns, all equal), the groups formed on the columns ``keep`` only (the others read as NULL; None: every column), and
    the pairs an earlier pass counted left out (``skip``, SQL on the groups ``l`` and ``r``). ``rest``: a
    level key and columns: the pairs equal on those columns (none NULL) that this and the earlier passes do
    not put at another level are at that level (counted without forming them)."""
    joins: tuple[tuple[tuple[str, str], ...], ...]
    keep: tuple[str, ...] | None = None
    skip: str | None = None
    rest: tuple[str, tuple[str, ...]] | None = None


#: passes that count the address levels (:class:`~linkmiskin.scoring.comparisons.IndonesianAddressComparison`):
#: one desa and one RW or place (the rest of one desa: "desa"); one kecamatan, not one desa (the desa's RT, RW
#: and place cannot matter); a NIK issued in the other's kecamatan, another kecamatan. Not in :data:`COUNTED_U`:
#: on world A at 20,000 households (68,000 records) the count takes about 6 s, and it grows with the records
#: of a desa, so the address keeps Splink's sampled u.
ADDRESS_PASSES = (
    CountPass(((("desa_code", "desa_code"), ("rw", "rw")),), ("desa_code", "kecamatan_code", "rt", "rw", "place")),
    CountPass(((("desa_code", "desa_code"), ("place", "place")),), ("desa_code", "kecamatan_code", "rt", "rw", "place"),
              skip="coalesce(l.rw = r.rw, false)", rest=("desa", ("desa_code",))),
    CountPass(((("kecamatan_code", "kecamatan_code"),),), ("desa_code", "kecamatan_code", "nik_kec"),
              "coalesce(l.desa_code = r.desa_code, false)"),
    CountPass(((("nik_kec", "kecamatan_code"),), (("kecamatan_code", "nik_kec"),)), ("desa_code", "kecamatan_code", "nik_kec"),
              "coalesce(l.kecamatan_code = r.kecamatan_code, false) OR coalesce(l.desa_code = r.desa_code, false)"),
)

#: comparisons whose u is counted over the whole table (:func:`counted_u_probabilities`) instead of sampled:
#: comparison class -> (SQL standing in for columns the comparison reads only in part, and the passes that
#: count every pair at a level other than the null and the last ones, or None to compare every pair of
#: distinct values). The sex comparison reads the NIK only as present or not (a few groups each: counting
#: takes milliseconds at 20,000 households). The relationship's roles are counted as if every pair were of
#: one household (its KK and desa read as unknown): among different people the role does not depend on
#: where they live, and its "another household" level is a null level.
COUNTED_U: dict[type, tuple[dict[str, str], tuple[CountPass, ...] | None]] = {
    SexComparison: ({"nik15": "CASE WHEN nik15 IS NULL THEN NULL ELSE 'nik' END"}, None),
    RelationshipComparison: ({"kk": "CAST(NULL AS VARCHAR)", "desa_code": "CAST(NULL AS VARCHAR)"}, None),
}


def _level_case(comparison: Any) -> tuple[str, str, str]:
    """A SQL CASE giving a pair (``_l``/``_r`` columns) the stable key of its first level of ``comparison``
    (``'null'`` for a null level), the key of the last (else) level, and the OR of the null levels."""
    levels = comparison.get_comparison("duckdb").comparison_levels
    whens, nulls, last = [], [], "else"
    for key, lv in zip(level_keys(comparison), levels, strict=True):
        cond = lv.sql_condition
        if cond.strip().upper() == "ELSE":
            last = str(key)
            continue
        whens.append(f"WHEN coalesce(({cond}), false) THEN '{'null' if lv.is_null_level else key}'")
        if lv.is_null_level:
            nulls.append(f"coalesce(({cond}), false)")
    return f"CASE {' '.join(whens)} ELSE '{last}' END", last, " OR ".join(nulls) or "false"


def _group_pair_sums(con: Any, table: str, cols: list[str], expr: str, reduce: dict[str, str],
                     count_pass: CountPass | None = None) -> dict[str, float]:
    """The number of record pairs of ``table`` by the value of ``expr`` (SQL on ``<col>_l``/``<col>_r``):
    records with the same values of ``cols`` form a group, and each pair of groups (those of ``count_pass``,
    or every pair when None) is evaluated once, weighing the product of the groups' sizes."""
    keep = count_pass.keep if count_pass is not None and count_pass.keep is not None else cols
    grouped = ", ".join(f"{reduce.get(c, c) if c in keep else 'NULL'} AS {c}" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE lm_u_groups AS SELECT row_number() OVER () AS gid, * FROM "
                f"(SELECT {grouped}, count(*) AS c FROM {table} GROUP BY ALL)")
    if count_pass is None:
        pairs = "SELECT l.gid AS a, r.gid AS b FROM lm_u_groups l JOIN lm_u_groups r ON l.gid <= r.gid"
    else:
        skip = f" WHERE NOT ({count_pass.skip})" if count_pass.skip else ""
        pairs = " UNION ".join(
            [f"SELECT least(l.gid, r.gid) AS a, greatest(l.gid, r.gid) AS b FROM lm_u_groups l "
             f"JOIN lm_u_groups r ON {' AND '.join(f'l.{x} = r.{y}' for x, y in on)}{skip}" for on in count_pass.joins]
            + ["SELECT l.gid, l.gid FROM lm_u_groups l, lm_u_groups r WHERE l.gid = r.gid"
               + (f" AND NOT ({count_pass.skip})" if count_pass.skip else "")])
    side = ", ".join(f'{s}.{c} AS "{c}_{s}"' for s in ("l", "r") for c in cols)
    sql = (f"SELECT k, sum(w) FROM (SELECT {expr} AS k, w FROM (SELECT {side}, CASE WHEN p.a = p.b "
           f"THEN l.c * (l.c - 1) / 2 ELSE l.c * r.c END AS w FROM ({pairs}) p "
           f"JOIN lm_u_groups l ON l.gid = p.a JOIN lm_u_groups r ON r.gid = p.b)) GROUP BY k")
    out = {str(k): float(w) for k, w in con.execute(sql).fetchall()}
    con.execute("DROP TABLE IF EXISTS lm_u_groups")
    return out


def level_pair_counts(con: Any, table: str, comparison: Any, reduce: dict[str, str] | None = None,
                      passes: tuple[CountPass, ...] | None = None) -> dict[str, float]:
    """The number of record pairs of ``table`` at each level of ``comparison`` (by stable key, ``'null'`` for
    the null levels together), counted without comparing every pair of records (:func:`_group_pair_sums`).

    ``reduce``: SQL standing in for columns the comparison reads only in part (a NIK read only as present).
    ``passes``: :class:`CountPass` es that together hold every pair at a level other than the null and the
    last ones, each such pair in one pass; the null levels are counted on groups of the columns they read,
    and the last level takes the remaining pairs. None: every pair of groups is compared (columns with few
    distinct values).

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('KEPALA'), ('KEPALA'), ('ANAK'), "
    ...                 "(NULL)) v(relationship)")
    >>> sorted(level_pair_counts(con, "t", RelationshipComparison()).items())
    [('else', 2.0), ('null', 3.0), ('same', 1.0)]
    """
    reduce = reduce or {}
    cols = list(dict.fromkeys(e.raw_sql_expression for e in comparison.col_expressions.values()))
    case, last, null_sql = _level_case(comparison)
    if passes is None:
        return _group_pair_sums(con, table, cols, case, reduce)
    counts: dict[str, float] = {}
    for count_pass in passes:
        for k, v in _group_pair_sums(con, table, cols, case, reduce, count_pass).items():
            if k not in ("null", last):
                counts[k] = counts.get(k, 0.0) + v
        if count_pass.rest is not None:
            key, on = count_pass.rest
            counts[key] = _equal_pairs(con, table, on) - sum(counts.values())
    null_cols = [c for c in cols if f'"{c}_l"' in null_sql or f'"{c}_r"' in null_sql]
    totals = _group_pair_sums(con, table, null_cols, f"CASE WHEN {null_sql} THEN 'null' ELSE 'pair' END",
                              reduce) if null_cols else {"pair": float(_pairs_of(con, table))}
    counts["null"] = totals.get("null", 0.0)
    counts[last] = totals.get("pair", 0.0) - sum(v for k, v in counts.items() if k not in ("null", last))
    return counts


def _equal_pairs(con: Any, table: str, columns: tuple[str, ...]) -> float:
    """The number of record pairs of ``table`` equal on ``columns``, none of them NULL."""
    on = ", ".join(columns)
    where = " AND ".join(f"{c} IS NOT NULL" for c in columns)
    return float(con.execute(f"SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM (SELECT count(*) AS c FROM {table} "
                             f"WHERE {where} GROUP BY {on})").fetchall()[0][0])


def _pairs_of(con: Any, table: str) -> float:
    n = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    return n * (n - 1) / 2


def counted_u_probabilities(con: Any, table: str, comparison: Any) -> dict[str, float] | None:
    """u of each non-null level (by key) of a comparison of :data:`COUNTED_U`, from the level counts of every
    record pair (:func:`level_pair_counts`) rather than a random sample of pairs: exact, so the same data
    always train the same weights. Matches are counted too, as in a random sample (a negligible share of
    pairs). None for another comparison, or when no pair is compared (each count floored at half a pair).

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('KEPALA'), ('KEPALA'), ('ANAK'), "
    ...                 "('PASANGAN')) v(relationship)")
    >>> {k: round(v, 3) for k, v in counted_u_probabilities(con, "t", RelationshipComparison()).items()}
    {'same': 0.167, 'head_spouse': 0.333, 'else': 0.5}
    """
    if type(comparison) not in COUNTED_U:
        return None
    reduce, passes = COUNTED_U[type(comparison)]
    counts = level_pair_counts(con, table, comparison, reduce, passes)
    keys = [k for k in level_keys(comparison) if k is not None and gamma_of(comparison, k) >= 0]
    total = sum(counts.get(k, 0.0) for k in keys)
    if total < 1:
        return None
    return {k: max(counts.get(k, 0.0), 0.5) / total for k in keys}



def name_kec_u_probabilities(con: Any, table: str, min_pairs: int = MIN_ANCHORS) -> dict[str, float] | None:
    """u of the :class:`~linkmiskin.scoring.comparisons.NameInKecamatanComparison` levels (by key), counted on
    pairs sure to be two people: records of one name (by sound) and one kecamatan whose NIKs code different
    birth dates. A random sample holds few pairs of one name in one kecamatan, and most of those are one
    person. None when fewer than ``min_pairs`` such pairs exist (the sampled u is kept).

    Counted from group sizes, without forming the pairs: the pairs of a name in a kecamatan less those of
    one birth code.

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('ANI', 'K', true, '321601010190'), "
    ...                 "('ANI', 'K', true, '321601020290'), ('ANI', 'K', false, '321601030390'), "
    ...                 "('ANI', 'K', false, '321601030390')) v(name_phon_key, kecamatan_code, name_kec_unique, nik15)")
    >>> name_kec_u_probabilities(con, "t", min_pairs=1)
    {'unique_on_each_list': 0.2, 'else': 0.8}
    """
    sql = f"""
        WITH r AS (SELECT name_phon_key AS n, kecamatan_code AS k, name_kec_unique AS f,
                          substr(nik15, 7, 6) AS b FROM {table}
                   WHERE nik15 IS NOT NULL AND name_phon_key IS NOT NULL AND kecamatan_code IS NOT NULL
                         AND name_kec_unique IS NOT NULL),
             g AS (SELECT n, k, count(*) AS c, count(*) FILTER (WHERE f) AS u FROM r GROUP BY n, k),
             gb AS (SELECT n, k, b, count(*) AS c, count(*) FILTER (WHERE f) AS u FROM r GROUP BY n, k, b)
        SELECT (SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM g) - (SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM gb),
               (SELECT coalesce(sum(u * (u - 1) / 2), 0) FROM g) - (SELECT coalesce(sum(u * (u - 1) / 2), 0) FROM gb)"""
    total, unique = (float(v) for v in con.execute(sql).fetchall()[0])
    if total < min_pairs:
        return None
    u = min(max(unique, 0.5), total - 0.5) / total
    return {"unique_on_each_list": u, "else": 1.0 - u}


def _profile_key(name: str, kinds: dict[str, str]) -> str:
    """The :func:`data_profile` count that says whether comparison ``name`` has any data."""
    if name == "nik":
        return "id" if kinds.get("nik") == "plain_id" else "nik"
    if name == "address":
        return "address_text" if kinds.get("address") == "text" else "desa"
    if name == "name_in_kecamatan":
        return "desa"
    return name


class _Trainer:
    """One training run: the m of each comparison by the first way of the fallback order that works
    (anchors, then EM, then ``PRIOR_M``), and a record of which way each took."""

    def __init__(self, db_api: Any, con: Any, sdf: Any, kinds: dict[str, str], seed: int, anchor_limit: int):
        self.db_api, self.con, self.sdf, self.kinds = db_api, con, sdf, kinds
        self.table = sdf.physical_name
        self.seed, self.anchor_limit = seed, anchor_limit
        self._pairs: dict[str, pd.DataFrame] = {}
        self._models: dict[tuple[str, bool], dict] = {}

    def _splink(self, comps: list[Any], prior: float = 1e-5) -> Any:
        from splink import Linker

        # train_with_report's main Linker already checked these columns against the table
        return Linker(self.sdf, settings(prior=prior, comps=comps, kinds=self.kinds), log_level=logging.WARNING,
                      validate_settings=False)

    def anchor_pairs(self, rule: AnchorRule) -> pd.DataFrame:
        if rule.name not in self._pairs:
            self._pairs[rule.name] = _anchor_pairs(self.con, self.table, rule.conditions, self.anchor_limit,
                                                   self.seed)
        return self._pairs[rule.name]

    def anchor_model(self, rule: AnchorRule, recorded_dates_only: bool = False) -> dict:
        """The anchor comparisons with m estimated from ``rule``'s pairs as labelled matches."""
        key = (rule.name, recorded_dates_only)
        if key not in self._models:
            lab = self.anchor_pairs(rule).assign(source_dataset_l="records", source_dataset_r="records",
                                                 clerical_match_score=1.0)
            linker = self._splink(_anchor_comparisons(self.kinds, recorded_dates_only))
            tag = "_dates" if recorded_dates_only else ""
            linker.training.estimate_m_from_pairwise_labels(
                self.db_api.register(lab, table_name=f"__lm_anchor_{rule.name}{tag}"))
            self._models[key] = linker.misc.save_model_to_json()
        return self._models[key]

    def m_from_anchors(self, name: str) -> tuple[dict | None, dict]:
        """m of the comparison named ``name`` from the first anchor rule that does not involve it, or None."""
        tried = []
        for rule in ANCHOR_RULES:
            if name in rule.fields:
                continue
            n = len(self.anchor_pairs(rule))
            tried.append(f"{rule.name}: {n}")
            if n < MIN_ANCHORS:
                continue
            comp = by_output_name(_anchor_comparisons(self.kinds), name)
            m = _keyed(self.anchor_model(rule), comp, "m_probability")
            if name == "dob" and rule.name == "same_nik":
                # the birth date's recorded-date levels (a swapped day and month, a mistyped year...) are
                # hidden on NIK anchors behind the "other's NIK date" level: learn their shape without it
                rec = by_output_name(_anchor_comparisons(self.kinds, recorded_dates_only=True), name)
                m = _combine_date_m(m, _keyed(self.anchor_model(rule, True), rec, "m_probability"))
            return m, {"method": "anchors", "anchors": rule.name, "pairs": n}
        return None, {"anchors_tried": tried}

    def m_from_em(self, comps_todo: dict[str, Any], main: dict) -> dict[str, tuple[dict, dict]]:
        """m of the comparisons in ``comps_todo`` from Splink's EM, each on the first blocking rule of
        ``EM_RULES`` that does not involve it and gives a workable number of pairs."""
        from splink import Linker

        out: dict[str, tuple[dict, dict]] = {}
        for rule_name, column, fields in EM_RULES:
            todo = {n: c for n, c in comps_todo.items() if n not in out and n not in fields}
            if not todo:
                continue
            n_pairs = count_rule_pairs(self.con, self.table, (f"l.{column} = r.{column}",))
            if not MIN_EM_PAIRS <= n_pairs <= MAX_EM_PAIRS:
                continue
            splink_log = logging.getLogger("splink")
            level = splink_log.level
            try:
                # (Splink warns for every level EM cannot see; the report says how each comparison was trained)
                splink_log.setLevel(logging.ERROR)
                linker = Linker(self.sdf, main, log_level=logging.ERROR, validate_settings=False)
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(column), fix_u_probabilities=True,
                    populate_probability_two_random_records_match_from_trained_values=False)
                em = linker.misc.save_model_to_json()
            except Exception as e:  # noqa: BLE001 - EM failing on odd data falls back to the priors
                log.info("EM on %s failed (%s): those comparisons use the priors", rule_name, type(e).__name__)
                continue
            finally:
                splink_log.setLevel(level)
            for n, c in todo.items():
                out[n] = (_keyed(em, c, "m_probability"), {"method": "em", "blocking": rule_name, "pairs": n_pairs})
        return out


def _little_to_learn(profile: dict[str, int], how: dict[str, dict]) -> str | None:
    """A plain warning naming what the data lacks, when some comparison could not learn from anchors."""
    weak = [n for n, h in how.items() if h["method"] != "anchors" and n not in PRIOR_ONLY and h.get("reason") != "no data"]
    if not weak:
        return None
    missing = [what for key, what in (("nik", "valid NIKs"), ("id", "ids"), ("name", "names"),
                                      ("dob", "real birth dates"), ("desa", "desa codes"),
                                      ("address_text", "address text"))
               if profile.get(key, 0) == 0]
    ways = ", ".join(f"{n} ({how[n]['method']})" for n in weak)
    lacking = f"the lists have no {', '.join(missing)}" if missing else "too few record pairs agree on strong evidence"
    return (f"little to learn from: {lacking}. These comparisons were not trained on anchor pairs: {ways}. "
            "Check the links (result.metadata['training'] says how each comparison was trained)")


def train_with_report(db_api: Any, con: Any, sdf: Any, *, seed: int = 42, u_max_pairs: float = 2e6,
                      anchor_limit: int = 200_000) -> tuple[dict, dict]:
    """Train the model on a registered table: the Splink model dict (with m, u and lambda) and a report of
    how it was trained (the comparisons chosen, the prior, and per comparison ``anchors`` / ``em`` /
    ``prior``). The order is documented in ``docs/training.md``."""
    from splink import Linker

    from linkmiskin.privacy import warn

    table_name = sdf.physical_name
    profile = data_profile(con, table_name)
    kinds = choose_comparisons(profile)
    comps = comparisons(kinds)
    # 1. u from random pairs, lambda from deterministic rules -------------------------------------------
    prior = estimate_prior(con, table_name, PRIOR_RULES)
    if prior["method"] != "rules":
        warn_no_duplicates(con, table_name)
    # Splink checks the settings' columns against the table here, once: the anchor, EM and final models read
    # the same columns, and each check costs about as much as a small training step
    linker = Linker(sdf, settings(comps=comps, kinds=kinds), log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    main = linker.misc.save_model_to_json()
    main["probability_two_random_records_match"] = prior["probability"]
    # 2. m: anchors, else EM, else the priors ---------------------------------------------------------------
    trainer = _Trainer(db_api, con, sdf, kinds, seed, anchor_limit)
    m: dict[str, dict] = {}
    how: dict[str, dict] = {}
    for c in comps:
        name = c.create_output_column_name()
        if name in PRIOR_ONLY:
            how[name] = {"method": "prior", "reason": "always (PRIOR_ONLY)"}
        elif profile.get(_profile_key(name, kinds), 0) == 0:
            how[name] = {"method": "prior", "reason": "no data"}
        elif prior["method"] != "rules":
            how[name] = {"method": "prior", "reason": "no pair agrees on strong evidence"}
        else:
            got, how[name] = trainer.m_from_anchors(name)
            if got is not None:
                m[name] = got
    todo = {n: c for c, n in ((c, c.create_output_column_name()) for c in comps)
            if n not in m and n not in PRIOR_ONLY and how[n].get("reason") is None}
    for n, (got, h) in trainer.m_from_em(todo, main).items():
        m[n], how[n] = got, {**how[n], **h}
    for n in todo:
        if n not in m:
            how[n] = {**how[n], "method": "prior"}
    log.info("training: %s", {n: h["method"] for n, h in how.items()})
    # 3. assemble the final model: u from the main model, m as trained ------------------------------------
    configured = []
    for c in comps:
        name = c.create_output_column_name()
        keys = list(_keyed(main, c, "u_probability"))
        u_by_key = _u_for_unseen_exact_levels(name, _keyed(main, c, "u_probability"))
        if isinstance(c, KkComparison):
            u_by_key = kk_u_probabilities(con, table_name, c) or u_by_key
        u_by_key = counted_u_probabilities(con, table_name, c) or u_by_key
        if isinstance(c, NameInKecamatanComparison):
            u_by_key = name_kec_u_probabilities(con, table_name) or u_by_key
        m_by_key = m.get(name) or PRIOR_M.get(name, {})
        u = _smooth([u_by_key[k] for k in keys], floor=0.5 / u_max_pairs)
        mm = _smooth([m_by_key.get(k) for k in keys])
        prior_m = PRIOR_M.get(name, {})
        if how.get(name, {}).get("method") == "anchors" and all(k in prior_m for k in keys):
            # few anchors cannot show every level: PRIOR_M counts as MIN_ANCHORS more pairs
            mm = m_with_prior(mm, _smooth([prior_m[k] for k in keys]), int(how[name]["pairs"]))
        learned = m.get(name) or {}          # nothing learnt when the m came from PRIOR_M
        mm = m_for_unshown_levels(name, keys, mm, u, learned)
        if name in UNIQUE_IDENTIFIERS:
            u = _u_without_matches(u, mm, prior["probability"], floor=0.5 / u_max_pairs)
        configured.append(c.configure(m_probabilities=mm, u_probabilities=u))
    final = Linker(sdf, settings(prior=prior["probability"], comps=configured, kinds=kinds), log_level=logging.WARNING,
                   validate_settings=False)
    message = _little_to_learn(profile, how)
    if message:
        warn(message, stacklevel=3)
    report = {"comparisons": {c.create_output_column_name(): type(c).__name__ for c in comps},
              "kinds": kinds, "records_with": profile, "prior": prior, "m": how,
              "u": {"method": "random_sampling", "counted": sorted(c.create_output_column_name() for c in comps if type(c) in COUNTED_U)}}
    return final.misc.save_model_to_json(), report


def train(db_api: Any, con: Any, sdf: Any, *, seed: int = 42, u_max_pairs: float = 2e6,
          anchor_limit: int = 200_000) -> dict:
    """Train the model on a registered table and return the Splink model dict (with m, u and lambda);
    :func:`train_with_report` also says how each comparison was trained."""
    return train_with_report(db_api, con, sdf, seed=seed, u_max_pairs=u_max_pairs, anchor_limit=anchor_limit)[0]
