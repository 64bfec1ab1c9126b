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

* **lambda** (the share of pairs that match) from deterministic rules with an assumed recall.

The birth date and sex coded in a NIK are counted once: when both NIKs code the same date, the birth-date
comparison falls into a null level ("already counted by the NIK").
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

from .comparisons import (
    BirthDateComparison,
    IndonesianAddressComparison,
    IndonesianNameComparison,
    MotherNameComparison,
    NikComparison,
    RelationshipComparison,
    SexComparison,
)

log = logging.getLogger("linkmiskin")

#: Columns of the table that the model scores (one row per input record).
MODEL_COLUMNS = [
    "unique_id", "source", "record_id", "nik", "nik15", "nik_consistent", "nik_own_date", "nik_dob", "nik_sex",
    "name", "name_tokens", "name_phon", "name_phon_key", "name_nick", "name_nick_phon", "name_rarity", "name_mask", "name_phon_mask",
    "name_first", "name_last",
    "nik_kec", "dob", "dob_year", "dob_placeholder", "sex", "desa_code", "kecamatan_code", "rt", "rw", "place",
    "relationship", "kk", "mother_name", "mother_tokens", "fingerprint",
    "block_nik15", "block_dob_kec", "block_first_dob", "block_phon_desa", "block_last_kec",
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
}

#: the fields the comparisons read (the rest of the model columns derive from them): records equal on all
#: of them share a :func:`fingerprint`
FINGERPRINT_COLUMNS = ("nik", "nik15", "name", "dob", "sex", "desa_code", "kecamatan_code", "rt", "rw", "place",
                       "relationship", "mother_name")

_NIK_TRUSTED = {"valid", "unknown_region", "invalid_date"}
_NIK15_TRUSTED = _NIK_TRUSTED | {"excel_damaged"}


def _list_col(s: pd.Series) -> pd.Series:
    return s.map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else [])


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
    """Name-derived model columns, computed once per distinct name and spread to the records."""
    from .names import comparison_tokens, phonetic_key, regroup_lists

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
    # rarity: relative frequency over all records of the rarest token of the name
    weight = np.bincount(codes, minlength=len(uniq))
    tok_count = pd.Series(weight[ex.index.to_numpy()], index=ex.to_numpy()).groupby(level=0).sum()
    freq = pd.Series(ex.map(tok_count).to_numpy(dtype=float) / max(n, 1), index=ex.index)
    rar = freq.groupby(level=0).min().reindex(range(len(uniq))).to_numpy(dtype=float)
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
        "name_rarity": rar,
        "name_mask": token_mask(tokens),
    }
    for col, values in per_name.items():
        t[col] = values[codes]


def model_table(std: pd.DataFrame) -> pd.DataFrame:
    """Build the table the model scores from standardised records (all sources concatenated).

    ``std`` must have the columns of :func:`linkmiskin.standardize` plus ``unique_id``.
    """
    t = pd.DataFrame({"unique_id": std["unique_id"].astype("int64").to_numpy()})
    t["source"] = std["source"].to_numpy()
    t["record_id"] = std["record_id"].astype(str).to_numpy()
    st = std["nik_status"].astype(str)
    nik = std["nik"].where(st.isin(_NIK_TRUSTED))
    nik15 = std["nik_prefix15"].where(st.isin(_NIK15_TRUSTED))
    nik = nik.where(nik.astype("string").str.fullmatch(r"\d{16}").fillna(False))
    nik15 = nik15.where(nik15.astype("string").str.fullmatch(r"\d{15}").fillna(False))
    t["nik"] = nik.astype(object).where(nik.notna(), None).to_numpy()
    t["nik15"] = nik15.astype(object).where(nik15.notna(), None).to_numpy()
    valid = st.eq("valid") | st.eq("unknown_region")
    t["nik_kec"] = std["nik_kecamatan"].where(valid & nik15.notna()).astype(object).to_numpy()
    t["nik_dob"] = std["nik_birth_date"].where(valid & nik15.notna()).astype(object).to_numpy()
    t["nik_sex"] = std["nik_sex"].where(valid & nik15.notna()).astype(object).to_numpy()
    t["name"] = std["name"].astype(object).where(std["name"].notna(), None).to_numpy()
    _name_columns(std, t)
    t["dob"] = std["birth_date"].astype(object).where(std["birth_date"].notna(), None).to_numpy()
    t["dob_year"] = pd.array(std["birth_year"], dtype="Int64")
    t["dob_placeholder"] = std["birth_date_placeholder"].fillna(False).astype(bool).to_numpy()
    sex = std["sex"].where(std["sex"].notna(), t["nik_sex"].to_numpy())
    t["sex"] = sex.astype(object).where(sex.notna(), None).to_numpy()
    for c in ("desa_code", "kecamatan_code", "relationship"):
        t[c] = std[c].astype(object).where(std[c].notna(), None).to_numpy()
    # the place without its type (KP / DSN / PERUM): lists write "Kp. Bojong" and "Dusun Bojong"
    t["place"] = std["place_name"].astype(object).where(std["place_name"].notna(), None).to_numpy()
    t["rt"] = pd.array(std["rt"], dtype="Int64")
    t["rw"] = pd.array(std["rw"], dtype="Int64")
    t["mother_name"] = std["mother_name"].astype(object).where(std["mother_name"].notna(), None).to_numpy()
    t["mother_tokens"] = _list_col(std["mother_name_tokens"]).to_numpy()
    kk = std["kk"].where(std["kk_status"].astype(str).isin(["valid", "unknown_region"]))
    t["kk"] = kk.astype(object).where(kk.notna(), None).to_numpy()

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
    k = pd.DataFrame({"s": t["source"], "n": t["nik"], "y": t["dob_year"]})
    k = k[k["n"].notna()]
    ny = k.groupby(["s", "n"])["y"].transform("nunique")
    shared = pd.Series(False, index=t.index)
    shared[ny.index[ny > 1]] = True
    t["nik_consistent"] = (cons & ~shared).to_numpy()
    t["nik_own_date"] = (nd.notna() & (nd == d) & ~ph.astype(bool)).to_numpy()
    t["fingerprint"] = fingerprint(t)
    for col, sizes in block_sizes(t).items():
        t[col] = sizes
    return t[MODEL_COLUMNS]


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


def fingerprint(t: pd.DataFrame) -> pd.array:
    """A 64-bit hash of every compared field (:data:`FINGERPRINT_COLUMNS`), null for a record with neither
    a name nor a NIK (nothing to link on), so that records identical on every field share one value.

    >>> t = pd.DataFrame({c: [None, None, None] for c in FINGERPRINT_COLUMNS}).assign(name=["ANI", "ANI", None])
    >>> fp = fingerprint(t)
    >>> bool(fp[0] == fp[1]), bool(pd.isna(fp[2]))
    (True, True)
    """
    cols = pd.DataFrame({c: t[c].astype(object).where(t[c].notna(), None) for c in FINGERPRINT_COLUMNS})
    h = pd.util.hash_pandas_object(cols, index=False).to_numpy(dtype=np.uint64).view(np.int64)
    has_ident = (t["name"].notna() | t["nik15"].notna() | t["nik"].notna()).to_numpy(dtype=bool)
    return pd.arrays.IntegerArray(h, ~has_ident)


def comparisons() -> list[Any]:
    """The linkmiskin comparisons, in model order."""
    return [
        NikComparison("nik", prefix15_col_name="nik15", consistent_col_name="nik_consistent",
                      own_date_col_name="nik_own_date"),
        IndonesianNameComparison("name"),
        BirthDateComparison("dob", nik_date_col_name="nik_dob", nik_col_name="nik15"),
        SexComparison("sex", nik_col_name="nik15", nik_sex_col_name="nik_sex"),
        IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec"),
        RelationshipComparison("relationship"),
        MotherNameComparison("mother_name"),
    ]


def _anchor_comparisons(recorded_dates_only: bool = False) -> list[Any]:
    """Same comparisons, with the date and sex not folded into the NIK, to learn their m from anchors.
    ``recorded_dates_only``: the birth-date comparison without the "other's NIK date" level, so that its
    other levels see the recorded-date differences that this level would take first on NIK anchors."""
    return [
        NikComparison("nik", prefix15_col_name="nik15", consistent_col_name="nik_consistent",
                      own_date_col_name="nik_own_date"),
        IndonesianNameComparison("name"),
        BirthDateComparison("dob", nik_date_col_name=None if recorded_dates_only else "nik_dob", nik_col_name=None),
        SexComparison("sex", nik_col_name=None),
        IndonesianAddressComparison("desa_code", nik_kecamatan_col_name="nik_kec"),
        RelationshipComparison("relationship"),
        MotherNameComparison("mother_name"),
    ]


#: m probabilities (share of true matches at each non-null level, in level order) used when the data hold
#: too few anchor pairs to learn them (fewer than ``MIN_ANCHORS``), e.g. a small desa list. They are priors
#: from how Indonesian registers usually differ for the same person, not fitted to any data set.
PRIOR_M = {
    # exact+consistent, exact+inconsistent, Excel 15 digits, same region+date other serial,
    # one digit apart but each codes its own date, one typo, other
    "nik": [0.84, 0.02, 0.02, 0.01, 0.002, 0.06, 0.05],
    # exact, phonetic, contained+rare, contained, contained by sound, typo, typo anywhere, contained with a
    # typo, nickname, share+JW, share, other
    "name": [0.70, 0.10, 0.03, 0.05, 0.02, 0.04, 0.01, 0.005, 0.02, 0.01, 0.01, 0.005],
    # exact, exact placeholder, other's NIK date, swapped, year mistyped, same year-month, same year, other
    "dob": [0.78, 0.06, 0.05, 0.02, 0.02, 0.02, 0.02, 0.03],
    "sex": [0.98, 0.02],
    # desa+RT+RW, desa+place, desa+RW, desa, kecamatan, other kecamatan but NIK issued there, other
    "address": [0.50, 0.05, 0.05, 0.10, 0.20, 0.04, 0.06],
    "relationship": [0.85, 0.05, 0.10],
    "mother_name": [0.85, 0.10, 0.05],
}
#: comparisons of identifiers issued to one person each (the NIK): their u is corrected for the true
#: matches in the random sample (:func:`_u_without_matches`). Not for names, dates or addresses: people
#: who share those (twins, neighbours) also share other evidence, and the uncorrected u keeps their
#: weights modest.
UNIQUE_IDENTIFIERS = ("nik",)
#: below this many anchor pairs the m probabilities come from ``PRIOR_M``.
MIN_ANCHORS = 20


def blocking_rules() -> list[Any]:
    """Blocking rules for prediction: keep recall when NIKs are missing or mistyped, without
    comparing every pair of people who share a common name or a placeholder birth date."""
    real_dob = "NOT l.dob_placeholder AND NOT r.dob_placeholder"

    def capped(condition: str, column: str) -> CustomRule:
        # both records share the key, so they share the block size
        return CustomRule(f"{condition} AND l.{column} <= {BLOCK_CAP}")

    return [
        capped("l.nik15 = r.nik15", "block_nik15"),
        block_on("name", "dob"),
        block_on("name_phon_key", "dob_year", "kecamatan_code"),
        block_on("name", "substr(nik15, 7, 6)"),
        capped(f"l.dob = r.dob AND l.kecamatan_code = r.kecamatan_code AND {real_dob}", "block_dob_kec"),
        capped(f"l.name_first = r.name_first AND l.dob = r.dob AND {real_dob}", "block_first_dob"),
        CustomRule(f"l.name_last = r.name_last AND l.dob = r.dob AND {real_dob}"),
        capped("l.name_phon_key = r.name_phon_key AND l.desa_code = r.desa_code", "block_phon_desa"),
        capped("l.name_last = r.name_last AND l.kecamatan_code = r.kecamatan_code AND l.dob_year = r.dob_year "
               "AND l.sex = r.sex", "block_last_kec"),
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
        block_on("name_phon_key", "desa_code", "rw"),
        block_on("name_last", "desa_code", "dob_year", "sex"),
    ]


def settings(prior: float = 1e-5, comps: list[Any] | None = None) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comps or comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
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


def _anchor_pairs(con: Any, table: str, condition: str, limit: int, seed: int) -> pd.DataFrame:
    # equi-join part of the condition lets DuckDB use a hash join; the sample is the pairs with the smallest
    # hash of their (canonical) ids, so it does not depend on the order in which the join yields them
    sql = f"""
        SELECT l.unique_id AS unique_id_l, r.unique_id AS unique_id_r
        FROM {table} l JOIN {table} r ON {condition} AND l.unique_id < r.unique_id
        ORDER BY hash(l.unique_id, r.unique_id, {int(seed)}), l.unique_id, r.unique_id LIMIT {int(limit)}
    """
    return con.execute(sql).df()


def _m_from_model(model: dict, idx: int) -> list[float | None]:
    levels = model["comparisons"][idx]["comparison_levels"]
    return [lv.get("m_probability") for lv in levels if not lv.get("is_null_level")]


def _u_from_model(model: dict, idx: int) -> list[float | None]:
    levels = model["comparisons"][idx]["comparison_levels"]
    return [lv.get("u_probability") for lv in levels if not lv.get("is_null_level")]


def _labelled_m(model: dict, idx: int) -> dict[str, float]:
    levels = model["comparisons"][idx]["comparison_levels"]
    return {lv["label_for_charts"]: float(lv.get("m_probability") or 0.0) for lv in levels
            if not lv.get("is_null_level")}


def _combine_date_m(full: dict, recorded: dict, idx: int) -> list[float]:
    """m of the birth-date levels: the exact levels and the "other's NIK date" level from ``full``; each
    other level gets its share of the remaining probability in the proportions that ``recorded`` (the
    comparison without the NIK-date level) finds, or what ``full`` found when that is more."""
    mf, mr = _labelled_m(full, idx), _labelled_m(recorded, idx)
    first = [lab for lab in mf if lab.startswith(("Exact", "Recorded date equals"))]
    rest_f = max(1.0 - sum(mf[lab] for lab in first), 0.0)
    rest_r = sum(v for lab, v in mr.items() if lab not in first)
    # never below what the full comparison found (it is renormalised afterwards)
    return [mf[lab] if lab in first or rest_r <= 0 else max(mf[lab], mr.get(lab, 0.0) * rest_f / rest_r)
            for lab in mf]


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


def train(db_api: Any, con: Any, sdf: Any, *, seed: int = 42, u_max_pairs: float = 2e6,
          anchor_limit: int = 200_000) -> dict:
    """Train the model on a registered table and return the Splink model dict (with m, u and lambda)."""
    from splink import Linker

    table_name = sdf.physical_name
    # 1. u from random pairs, lambda from deterministic rules -------------------------------------------
    linker = Linker(sdf, settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [ANCHOR_SAME_PERSON_BY_NIK, block_on("name", "dob", "desa_code")], recall=0.85)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    main = linker.misc.save_model_to_json()
    # 2. m from anchors -------------------------------------------------------------------------------
    anchors_nik = _anchor_pairs(con, table_name, ANCHOR_SAME_PERSON_BY_NIK, anchor_limit, seed)
    anchors_name = _anchor_pairs(con, table_name, ANCHOR_SAME_PERSON_BY_NAME, anchor_limit, seed)
    log.info("anchor pairs: %d by NIK, %d by name+date+desa", len(anchors_nik), len(anchors_name))
    m_lists: dict[int, list[float]] = {}
    n_anchors: dict[int, int] = {}   # how many anchor pairs each learnt m rests on
    if len(anchors_nik) >= MIN_ANCHORS:
        a_linker = Linker(sdf, settings(comps=_anchor_comparisons()), log_level=logging.WARNING)
        lab = anchors_nik.assign(source_dataset_l="records", source_dataset_r="records", clerical_match_score=1.0)
        a_linker.training.estimate_m_from_pairwise_labels(db_api.register(lab, table_name="__lm_anchor_nik"))
        a_model = a_linker.misc.save_model_to_json()
        for i in range(1, 6):
            m_lists[i] = _m_from_model(a_model, i)
            n_anchors[i] = len(anchors_nik)
        # the birth date's recorded-date levels (a swapped day and month, a mistyped year...) are hidden on
        # NIK anchors behind the "other's NIK date" level: learn their shape without it
        r_linker = Linker(sdf, settings(comps=_anchor_comparisons(recorded_dates_only=True)),
                          log_level=logging.WARNING)
        r_linker.training.estimate_m_from_pairwise_labels(db_api.register(lab, table_name="__lm_anchor_nik_dates"))
        m_lists[2] = _combine_date_m(a_model, r_linker.misc.save_model_to_json(), 2)
    if len(anchors_name) >= MIN_ANCHORS:
        lab = anchors_name.assign(source_dataset_l="records", source_dataset_r="records", clerical_match_score=1.0)
        n_linker = Linker(sdf, settings(comps=_anchor_comparisons()), log_level=logging.WARNING)
        n_linker.training.estimate_m_from_pairwise_labels(db_api.register(lab, table_name="__lm_anchor_name"))
        n_model = n_linker.misc.save_model_to_json()
        m_lists[0] = _m_from_model(n_model, 0)
        n_anchors[0] = len(anchors_name)
        for i in range(1, 6):
            m_lists.setdefault(i, _m_from_model(n_model, i))
            n_anchors.setdefault(i, len(anchors_name))
    # 3. assemble the final model: u from the main model, m from the anchors ---------------------------
    comps = comparisons()
    configured = []
    for i, c in enumerate(comps):
        name = c.create_output_column_name()
        n_levels = len(_u_from_model(main, i))
        if name in PRIOR_M and i not in m_lists and len(PRIOR_M[name]) == n_levels:
            m_lists[i] = PRIOR_M[name]
        u = _smooth(_u_from_model(main, i), floor=0.5 / u_max_pairs)
        m_src = m_lists.get(i)
        if m_src is not None:
            m = _smooth(m_src)
            if len(m) != len(u):  # anchor comparison had no "already counted" null level: same non-null levels
                m = _smooth(m[: len(u)])
            if i in n_anchors and len(PRIOR_M.get(name, ())) == len(m):
                m = m_with_prior(m, PRIOR_M[name], n_anchors[i])
        else:
            m = _smooth(_m_from_model(main, i))
        if name in UNIQUE_IDENTIFIERS:
            u = _u_without_matches(u, m, main["probability_two_random_records_match"], floor=0.5 / u_max_pairs)
        configured.append(c.configure(m_probabilities=m, u_probabilities=u))
    final = Linker(sdf, settings(prior=main["probability_two_random_records_match"], comps=configured),
                   log_level=logging.WARNING)
    return final.misc.save_model_to_json()
