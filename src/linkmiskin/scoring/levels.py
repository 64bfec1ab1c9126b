"""The model's comparison levels by stable key: the one bridge from Splink's gamma numbers to level keys.

Splink numbers the levels of a comparison by position (gamma 0 is the last level). Code outside
:mod:`linkmiskin.scoring.comparisons` never uses those numbers, labels or positions: it names levels by their
stable key (:func:`linkmiskin.scoring.comparisons.level_keys`) and asks this module for the gammas of the keys
(:func:`gammas`), or for a trained model's levels by gamma with their keys (:func:`levels_by_gamma`).

>>> gammas("name", "exact", "same_sound")
[13, 12]
>>> sorted(level_table()["comparison"].unique())[:2]
['address', 'dob']
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from linkmiskin.scoring.comparisons import gamma_of, level_keys

__all__ = ["LEVEL_MEANINGS", "gammas", "level_table", "levels_by_gamma"]

#: What each level means, in a sentence, by (comparison, key). Every level of every comparison has an
#: entry (tests/test_levels.py checks it), and the docs' level table is generated from it.
LEVEL_MEANINGS: dict[tuple[str, str], str] = {
    ("nik", "null"): "a NIK is missing, a placeholder or unreadable on either side: no evidence",
    ("nik", "exact_consistent"): "the same NIK, and it codes each record's own birth date and sex",
    ("nik", "exact_inconsistent"): "the same NIK, but it disagrees with a record (a head's NIK or the KK "
                                   "number typed into a member's row)",
    ("nik", "exact"): "the same NIK (when the consistency of NIKs is not known)",
    ("nik", "excel_15_digits"): "the first 15 digits agree and one side lost its 16th digit in an Excel cell",
    ("nik", "same_birth_code_other_serial"): "same region and birth code, another serial: usually two people "
                                             "born on one day in one kecamatan",
    ("nik", "own_dates_one_digit_apart"): "one digit apart, but each NIK codes its own record's real date: "
                                          "two people born days apart",
    ("nik", "typo"): "one typo or transposition in the region or birth part",
    ("nik", "else"): "any other pair of NIKs",
    ("name", "null"): "a name is missing: no evidence",
    ("name", "exact"): "the same canonical name (spelling normalised)",
    ("name", "same_sound"): "the same phonetic key: a spelling variant or the words reordered",
    ("name", "inside_rare"): "one name inside the other, and the shorter one is rare",
    ("name", "inside"): "one name inside the other (SITI AMINAH / AMINAH)",
    ("name", "inside_by_sound"): "one name inside the other by sound",
    ("name", "typo_jaro_winkler"): "a typo: Jaro-Winkler similarity at the threshold or above",
    ("name", "typo_anywhere"): "a typo anywhere in the name (small edit distance)",
    ("name", "inside_with_typo"): "one name inside the other, with a typo",
    ("name", "nickname"): "one name is a nickname of the other's name (IKI / RIZKI)",
    ("name", "initials"): "a given name written as its initial (P. HUTAPEA / PUTRI HUTAPEA)",
    ("name", "other_family_name"): "the same given names and another family name, not a man: a married woman "
                                   "under her husband's marga (DUMARIA LUMBANTOBING / DUMARIA SIMORANGKIR)",
    ("name", "share_token_close"): "the names share a word and are otherwise close",
    ("name", "share_token"): "the names share a word",
    ("name", "else"): "any other pair of names",
    ("dob", "null"): "a birth date is missing: no evidence",
    ("dob", "counted_by_nik"): "both NIKs code the same date: already counted by the NIK",
    ("dob", "exact_real"): "the same real birth date",
    ("dob", "exact_placeholder"): "the same placeholder date (1 January, 15th of the month...)",
    ("dob", "others_nik_date"): "a recorded date equals the date the other's NIK codes",
    ("dob", "day_month_swapped"): "day and month swapped",
    ("dob", "year_mistyped"): "the same day and month, the year mistyped",
    ("dob", "same_year_month"): "the same year and month",
    ("dob", "same_year"): "the same year",
    ("dob", "approx_year"): "birth years from an age (or a date and an age) within one year: weaker than a date",
    ("dob", "approx_year_unsure"): "birth years from an age two or three years apart: an age is often a year "
                                   "or two off, so no evidence",
    ("dob", "else"): "any other pair of dates",
    ("sex", "null"): "a sex is unknown: no evidence",
    ("sex", "counted_by_nik"): "both NIKs code the same sex: already counted by the NIK",
    ("sex", "same"): "the same sex",
    ("sex", "else"): "different sexes",
    ("address", "null"): "no desa and no kecamatan on a side: no evidence",
    ("address", "desa_rt_rw"): "the same desa, RT and RW",
    ("address", "desa_place"): "the same desa and place (kampung, dusun, perumahan)",
    ("address", "desa_rw"): "the same desa and RW",
    ("address", "desa"): "the same desa",
    ("address", "kecamatan_desa_unknown"): "the same kecamatan, and one side gives no desa (all the place a "
                                           "kecamatan-level list gives)",
    ("address", "kecamatan"): "the same kecamatan, another desa",
    ("address", "nik_issued_in_others_kecamatan"): "another kecamatan, but a NIK issued in the other's "
                                                   "(the person moved)",
    ("address", "else"): "any other pair of addresses",
    ("address", "text_exact"): "the same address text (lists without desa codes)",
    ("address", "postcode_text_close"): "the same postcode-like token and close address text",
    ("address", "text_close"): "close address text (shared words, or Jaro-Winkler 0.9 or more)",
    ("address", "postcode_share_words"): "the same postcode-like token and two or more address words in common",
    ("address", "share_words"): "two or more address words in common (typos elsewhere in the address)",
    ("address", "postcode"): "the same postcode-like token",
    ("relationship", "null"): "a relationship is unknown: no evidence",
    ("relationship", "same"): "the same relationship to the head",
    ("relationship", "other_household"): "another role, and the records are in two households (both KKs or both "
                                         "desas known and different): a person who moved takes another role, "
                                         "no evidence",
    ("relationship", "head_spouse"): "one is the head and the other the spouse (lists swap them)",
    ("relationship", "else"): "any other pair of relationships",
    ("mother_name", "null"): "a mother's name is missing: no evidence",
    ("mother_name", "exact"): "the same mother's name",
    ("mother_name", "close"): "mothers' names close or one inside the other",
    ("mother_name", "else"): "any other pair of mothers' names",
    ("kk", "null"): "a KK is missing or untrusted: no evidence",
    ("kk", "names_differ"): "the names are not the same or close (or one vowel apart, or a list holds two people "
                            "of that name under that KK): household members, the name decides",
    ("kk", "exact"): "the same KK and the same or a close name: inside one KK names are nearly unique",
    ("kk", "typo"): "KKs one typo apart and the same or a close name",
    ("kk", "moved_one_nik"): "another KK in another desa under one NIK consistent with both records: a person "
                             "who moved (the address counts the move, the NIK says who): no evidence",
    ("kk", "else"): "another KK under the same or a close name (another family, a split, a new card)",
    ("spouse_name", "null"): "no spouse's name (NY. + his name, a SUAMI column) against a husband's name: "
                             "no evidence",
    ("spouse_name", "exact"): "the husband's name a wife is listed under is the husband's name of the other "
                              "record's household",
    ("spouse_name", "close"): "those names close (a typo, or one inside the other: NYONYA BUDI / BUDI SANTOSO)",
    ("spouse_name", "else"): "another husband's name",
    ("name_in_kecamatan", "null"): "the names (by sound) or the kecamatans differ, or one is missing: no evidence",
    ("name_in_kecamatan", "unique_on_each_list"): "one name in one kecamatan, and each list holds that name once "
                                                  "there: likely one person",
    ("name_in_kecamatan", "else"): "one name in one kecamatan, and a list holds that name more than once "
                                       "there (a father and son, two neighbours)",
}


@cache
def _creators_of_kinds(kinds: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    from linkmiskin.scoring.model import comparisons

    return {c.create_output_column_name(): c for c in comparisons(dict(kinds))}


def _creators(model: dict | None = None) -> dict[str, Any]:
    """linkmiskin's comparison creators of a trained model (its default comparisons without one), by output
    column name (``nik``, ``name``, ``dob``...). The one place that knows which creators built a model: a
    model trained on data without NIKs or desa codes uses the plain id and address-text comparisons."""
    from linkmiskin.scoring.model import DEFAULT_KINDS, kinds_of_model

    kinds = kinds_of_model(model) if model else DEFAULT_KINDS
    return _creators_of_kinds(tuple(sorted(kinds.items())))


def gammas(comparison: str, *keys: str, model: dict | None = None) -> list[int]:
    """Splink's gamma values of the levels with stable ``keys`` in linkmiskin's comparison ``comparison``
    (its output column name) of ``model``. A key the comparison does not build (an optional level) is left
    out.

    >>> gammas("nik", "exact_consistent", "exact", "excel_15_digits")
    [6, 4]
    """
    creators = _creators(model)
    creator = creators.get(comparison)
    if creator is None:
        raise KeyError(f"no comparison {comparison!r}; comparisons are {sorted(creators)}")
    have = set(level_keys(creator))
    return [gamma_of(creator, k) for k in keys if k in have]


def levels_by_gamma(model: dict) -> dict[str, dict[int, dict]]:
    """Each comparison's levels of a trained model (Splink settings dict) by gamma value, every level dict
    with its stable ``key`` added; gamma -1 holds the null levels together (``key`` ``"null"``).

    >>> from linkmiskin.scoring.model import settings
    >>> lv = levels_by_gamma(settings().get_settings("duckdb").as_dict())
    >>> lv["name"][13]["key"], lv["name"][-1]["key"]
    ('exact', 'null')
    """
    out: dict[str, dict[int, dict]] = {}
    creators = _creators(model)
    for comp in model.get("comparisons", []):
        name = comp["output_column_name"]
        levels = comp["comparison_levels"]
        creator = creators.get(name)
        keys = level_keys(creator) if creator is not None else []
        if len(keys) != len(levels):
            raise ValueError(f"comparison {name!r} of this model has {len(levels)} levels, linkmiskin builds "
                             f"{len(keys)}: the model was made by another version; retrain it")
        by_gamma: dict[int, dict] = {}
        nulls = []
        for key, lv in zip(keys, levels, strict=True):
            if lv.get("is_null_level"):
                nulls.append(lv.get("label_for_charts", ""))
                continue
            by_gamma[gamma_of(creator, key)] = {**lv, "key": key}
        by_gamma[-1] = {"key": "null", "label_for_charts": "no evidence (" + " / ".join(n for n in nulls if n) + ")"}
        out[name] = by_gamma
    return out


def level_table() -> pd.DataFrame:
    """Every level of every comparison in model order: ``comparison, key, label, meaning`` (the docs'
    level table).

    >>> level_table().iloc[1][["comparison", "key"]].tolist()
    ['nik', 'exact_consistent']
    """
    from linkmiskin.scoring.model import COMPARISON_KINDS, DEFAULT_KINDS

    rows = []
    seen: set[tuple[str, str]] = set()
    # the default comparisons, then the plain ones chosen for data without NIKs or desa codes
    plain = {field: kinds[-1] for field, kinds in COMPARISON_KINDS.items()}
    for kinds in (DEFAULT_KINDS, plain):
        for name, creator in _creators_of_kinds(tuple(sorted(kinds.items()))).items():
            for lv, key in zip(creator.create_comparison_levels(), level_keys(creator), strict=True):
                if (name, str(key)) in seen:
                    continue
                seen.add((name, str(key)))
                label = getattr(lv, "label_for_charts", None) or lv.create_label_for_charts()
                rows.append({"comparison": name, "key": key, "label": label,
                             "meaning": LEVEL_MEANINGS.get((name, str(key)), "")})
    return pd.DataFrame(rows, columns=["comparison", "key", "label", "meaning"])
