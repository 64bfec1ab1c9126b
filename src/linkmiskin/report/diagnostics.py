"""Self-diagnosis: does the data look like what the model assumes?

After a link, :func:`diagnose` runs a few checks on the standardised records and warns in plain words when
a list looks unlike what linkmiskin's model expects, so that a user of a list never seen before learns
*why* results may be weaker, and what to do. Each check is a small named function returning findings (one
per source or one for all); :func:`diagnose` gathers them, warns (masked, through
:func:`linkmiskin.privacy.warn`) and returns them for ``result.metadata["diagnostics"]``.

Each finding is a dict: ``check`` (the function's name), ``source`` (``None`` for all sources), ``value``
(the measured share or count), ``limit`` (the threshold it crossed) and ``message`` (plain English).

>>> import pandas as pd
>>> std = pd.DataFrame({"source": ["a"] * 4, "nik_status": ["excel_damaged"] * 3 + ["valid"]})
>>> [f["check"] for f in damaged_niks(std)]
['damaged_niks']
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

__all__ = ["CHECKS", "damaged_niks", "diagnose", "empty_mapped_fields", "few_anchor_pairs", "repeated_names",
           "unresolved_desa"]

#: a source with at least this share of Excel-damaged NIKs (16th digit lost) is reported
DAMAGED_NIK_SHARE = 0.2
#: the chance that two records of one list share a name, above which a list's names "repeat far more than
#: usual" (Indonesian lists of one kabupaten: about 1 in 1,000 to 1 in 300) ...
NAME_COLLISION_LIMIT = 0.01
#: ... and at least this many times the median of all the sources
NAME_COLLISION_RATIO = 3.0
#: a mapped field empty on at least this share of a source's rows is reported
EMPTY_FIELD_SHARE = 0.8
#: fewer anchor pairs than this (per kind) and the model learns little from the data
FEW_ANCHORS = 200
#: a source with at least this share of region texts that resolve to no desa is reported
UNRESOLVED_DESA_SHARE = 0.3

Finding = dict[str, Any]


def _finding(check: str, source: str | None, value: float, limit: float, message: str) -> Finding:
    return {"check": check, "source": source, "value": round(float(value), 4), "limit": limit, "message": message}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def damaged_niks(std: pd.DataFrame) -> list[Finding]:
    """Sources where a large share of NIKs lost their 16th digit to Excel (kept as numbers).

    >>> std = pd.DataFrame({"source": ["a", "a", "b"], "nik_status": ["excel_damaged", "valid", "valid"]})
    >>> damaged_niks(std)[0]["source"], damaged_niks(std)[0]["value"]
    ('a', 0.5)
    """
    if "nik_status" not in std:
        return []
    st = std["nik_status"].astype(str)
    has = st.ne("missing")
    share = st.eq("excel_damaged")[has].groupby(std["source"][has]).mean()
    return [_finding("damaged_niks", s, v, DAMAGED_NIK_SHARE,
                     f"source {s!r}: {_pct(v)} of its NIKs lost their last digit to Excel (the 16th digit is 0). "
                     "A damaged NIK proves a region and a birth date, not a person, so these records link "
                     "on names and dates. Export the list with the NIK column as text to fix it.")
            for s, v in share.items() if v >= DAMAGED_NIK_SHARE]


def repeated_names(std: pd.DataFrame) -> list[Finding]:
    """Sources whose names repeat far more than usual: the chance that two of its records share a name is
    above ``NAME_COLLISION_LIMIT`` and ``NAME_COLLISION_RATIO`` times the median of the other sources.

    >>> std = pd.DataFrame({"source": ["a"] * 10 + ["b"] * 10, "name": ["SLAMET"] * 8 + ["X", "Y"] +
    ...                     [f"N{i}" for i in range(10)]})
    >>> [(f["source"], f["value"]) for f in repeated_names(std)]
    [('a', 0.6222)]
    """
    # (the two columns read: a row filter of the whole standardised table would copy all its columns)
    named = std.loc[std["name"].notna().to_numpy(), ["source", "name"]]
    if named.empty:
        return []
    counts = named.groupby(["source", "name"]).size().astype(float)
    totals = counts.groupby(level=0).sum()
    # two different records of the source with the same name
    collision = (counts * (counts - 1)).groupby(level=0).sum() / np.maximum(totals * (totals - 1), 1.0)
    out = []
    for s, v in collision.items():
        others = collision.drop(s).to_numpy()
        usual = float(np.median(others)) if len(others) else 0.0
        if v >= NAME_COLLISION_LIMIT and v >= NAME_COLLISION_RATIO * usual:
            out.append(_finding(
                "repeated_names", s, v, NAME_COLLISION_LIMIT,
                f"source {s!r}: two of its records picked at random have the same name 1 time in "
                f"{max(round(1 / v), 1)}, far more often than usual (single names such as SLAMET, or names "
                "cut short?). Names weigh less there; a NIK, birth date or address has to confirm a match."))
    return out


#: how each mapped field is seen empty in the standardised records: (column, value meaning empty or None)
_EMPTY = {
    "nik": ("nik_status", "missing"), "kk": ("kk_status", "missing"), "name": ("name_raw", None),
    "birth_date": ("birth_date_status", "missing"), "age": ("age_status", "missing"),
    "sex": ("sex_status", "missing"), "relationship": ("relationship_status", "missing"),
    "address": ("address_raw", None), "desa": ("desa_text", None), "kecamatan": ("kecamatan_text", None),
    "rt": ("rt", None), "rw": ("rw", None), "mother_name": ("mother_name", None),
    "father_name": ("father_name", None),
}


def empty_mapped_fields(std: pd.DataFrame, mappings: dict[str, Any]) -> list[Finding]:
    """Fields mapped to a column that is empty (or unreadable) on most of a source's rows: a wrong column
    mapped, or a column the agency left blank.

    ``mappings``: ``{source: ColumnMapping}`` (or ``{source: {field: column}}``).
    """
    out = []
    for source, cm in mappings.items():
        mapping = getattr(cm, "mapping", cm) or {}
        rows = std["source"].eq(source).to_numpy()
        if not rows.any():
            continue
        for fld, column in mapping.items():
            if fld not in _EMPTY or _EMPTY[fld][0] not in std:
                continue
            col, empty_value = _EMPTY[fld]
            v = std[col].to_numpy(dtype=object)[rows]
            empty = pd.isna(v) if empty_value is None else (v == empty_value)
            share = float(np.mean(empty))
            if share >= EMPTY_FIELD_SHARE:
                out.append(_finding(
                    "empty_mapped_fields", source, share, EMPTY_FIELD_SHARE,
                    f"source {source!r}: the {fld} column {column!r} is empty on {_pct(share)} of the rows. Is it "
                    f"the right column? Map another with columns={{{source!r}: {{{fld!r}: '<column>'}}}}."))
    return out


def few_anchor_pairs(table: pd.DataFrame) -> list[Finding]:
    """Too few anchor pairs (same valid NIK; or same name, real birth date and desa) to learn from: the
    model then falls back on priors that were not learnt from this data.

    ``table``: the model table (:func:`linkmiskin.scoring.model.model_table`).
    """
    from linkmiskin.scoring.model import ANCHOR_SAME_PERSON_BY_NAME, ANCHOR_SAME_PERSON_BY_NIK, MIN_ANCHORS

    con = duckdb.connect()
    con.register("t", table)
    counts = {}
    for kind, cond in (("NIK", ANCHOR_SAME_PERSON_BY_NIK), ("name, birth date and desa", ANCHOR_SAME_PERSON_BY_NAME)):
        counts[kind] = int(con.execute(
            f"SELECT count(*) FROM t l JOIN t r ON {cond} AND l.unique_id < r.unique_id").fetchone()[0])
    con.close()
    out = []
    for kind, n in counts.items():
        if n < FEW_ANCHORS:
            what = ("so the model uses prior weights for it, not ones learnt from these lists"
                    if n < MIN_ANCHORS else "so what the model learns from them is uncertain")
            out.append(_finding(
                "few_anchor_pairs", None, n, FEW_ANCHORS,
                f"only {n} pairs of records share a {kind} (the sure pairs the model learns from), {what}. "
                "Lists with more NIKs, or linking more lists at once, help."))
    return out


def unresolved_desa(std: pd.DataFrame) -> list[Finding]:
    """Sources where many region texts resolve to no desa: the address comparison then says little.

    >>> std = pd.DataFrame({"source": ["a"] * 3, "region_status": ["unresolved", "unresolved", "resolved"]})
    >>> unresolved_desa(std)[0]["value"]
    0.6667
    """
    if "region_status" not in std:
        return []
    st = std["region_status"].astype(str)
    given = ~st.isin(["missing", "None", "nan", "<NA>"])
    if not given.any():
        return []
    share = st.isin(["unresolved", "ambiguous"])[given].groupby(std["source"][given]).mean()
    return [_finding("unresolved_desa", s, v, UNRESOLVED_DESA_SHARE,
                     f"source {s!r}: the desa of {_pct(v)} of its records with an address could not be found. "
                     "Pass region= (the kabupaten code, e.g. '32.16'), or map the desa and kecamatan columns.")
            for s, v in share.items() if v >= UNRESOLVED_DESA_SHARE]


#: the checks :func:`diagnose` runs, in order
CHECKS = ("damaged_niks", "repeated_names", "empty_mapped_fields", "few_anchor_pairs", "unresolved_desa")


def diagnose(std: pd.DataFrame, table: pd.DataFrame | None = None, mappings: dict[str, Any] | None = None, *,
             warn: bool = True) -> list[Finding]:
    """Run every check, warn (in plain English, masked) about each finding and return the findings.

    ``std``: standardised records of all sources; ``table``: the model table (for the anchor count);
    ``mappings``: ``{source: ColumnMapping}``.

    >>> std = pd.DataFrame({"source": ["a"] * 2, "name": ["ANI", "BUDI"], "nik_status": ["valid"] * 2,
    ...                     "region_status": ["resolved"] * 2})
    >>> diagnose(std, warn=False)
    []
    """
    from linkmiskin.privacy import warn as _warn

    findings = damaged_niks(std) + repeated_names(std)
    if mappings:
        findings += empty_mapped_fields(std, mappings)
    if table is not None:
        findings += few_anchor_pairs(table)
    findings += unresolved_desa(std)
    if warn:
        for f in findings:
            _warn(f"linkmiskin: {f['message']}", stacklevel=3)
    return findings
