"""Sex (jenis kelamin) and relationship to the household head (SHDK / hubungan keluarga).

Both are small code lists kept in ``data/sex_codes.csv`` and ``data/relationship_codes.csv``.

>>> from linkmiskin.standardise.household_roles import normalize_sex, normalize_relationship
>>> normalize_sex("Laki-Laki"), normalize_sex("PR"), normalize_sex("2")
('L', 'P', 'P')
>>> normalize_relationship("Kepala Keluarga"), normalize_relationship("ISTRI")
('KEPALA', 'PASANGAN')
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from linkmiskin.facts import MISSING_TOKENS

_MISSING = MISSING_TOKENS

#: The canonical role of the household head (kepala keluarga / KRT), as ``data/relationship_codes.csv``
#: writes it. Code compares with these constants, never with the literal.
HEAD = "KEPALA"
#: The canonical role of the head's spouse (istri / suami).
SPOUSE = "PASANGAN"
#: The canonical role of a child of the head.
CHILD = "ANAK"
#: The canonical roles of a child's spouse and of a grandchild of the head (a married child's family still
#: in the parents' KK).
CHILD_IN_LAW, GRANDCHILD = "MENANTU", "CUCU"


def sql_in_roles(column: str, roles: tuple[str, ...]) -> str:
    """A SQL condition ``column IN ('KEPALA', 'PASANGAN')`` built from the role constants.

    >>> sql_in_roles("l.relationship", (HEAD, SPOUSE))
    "l.relationship IN ('KEPALA', 'PASANGAN')"
    """
    return f"{column} IN (" + ", ".join("'" + r.replace("'", "''") + "'" for r in roles) + ")"


@cache
def _table(name: str) -> dict[str, str]:
    with resources.files("linkmiskin").joinpath(f"data/{name}").open(encoding="utf-8") as f:
        df = pd.read_csv(f, comment="#", dtype=str, keep_default_na=False)
    return dict(zip(df.iloc[:, 0], df.iloc[:, 1], strict=True))


def _uniques(values: object) -> tuple[np.ndarray, pd.Series]:
    """Factorize: codes (missing -> the extra last unique) and the distinct values as a string Series."""
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    u = pd.concat([u, pd.Series([None], dtype=object)], ignore_index=True)
    codes = np.where(codes < 0, len(u) - 1, codes)
    return codes, u.astype("string").str.strip()


def _missing(u: pd.Series) -> np.ndarray:
    return (u.isna() | u.str.upper().isin(_MISSING)).to_numpy(dtype=bool)


def _expand(codes: np.ndarray, index: pd.Index, **columns: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({k: v.take(codes) for k, v in columns.items()}, index=index)


def _index_of(values: object) -> pd.Index:
    return values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))  # type: ignore[arg-type]


def sex_frame(values: pd.Series) -> pd.DataFrame:
    """Vectorised sex normalisation: columns ``sex`` (L/P/None) and ``sex_status`` (ok/missing/unknown).

    Works once per distinct value. Accepted: ``L``/``P``, ``LK``/``PR``, ``Laki-laki``, ``Laki2``,
    ``Perempuan``, ``Pria``/``Wanita``, ``M``/``F``, ``1``/``2`` (Dukcapil/BPS: 1 laki-laki, 2 perempuan),
    ``1.0``/``2.0`` and coded labels such as ``1. Laki-laki``; the list is ``data/sex_codes.csv``.
    """
    codes, u = _uniques(values)
    key = u.str.upper().str.replace(r"^(\d)\.0$", r"\1", regex=True)
    key = key.str.replace(r"^\d+\s*[.)\-:]\s*(?=\D)", "", regex=True)  # "1. LAKI-LAKI", "2 - PEREMPUAN"
    key = key.str.replace(r"\s*\(.*\)\s*$", "", regex=True)  # "L (LAKI-LAKI)"
    key = key.str.replace(r"[\s.\-_/]+", "", regex=True)
    sex = key.map(_table("sex_codes.csv")).astype(object)
    sex = sex.where(sex.notna(), None)
    status = np.where(sex.isna().to_numpy(), "unknown", "ok").astype(object)
    missing = _missing(u)
    status[missing] = "missing"
    sex_arr = sex.to_numpy(dtype=object)
    sex_arr[missing] = None
    return _expand(codes, _index_of(values), sex=sex_arr, sex_status=status)


#: the fewest bare codes from which a column's numbering scheme is judged
_SCHEME_MIN_CODES = 10


def _bare_codes(values: object) -> pd.Series:
    """Each value as an integer when it is a bare number (``3``, ``03``, ``3.0``), else ``<NA>``."""
    codes, u = _uniques(values)
    key = u.str.replace(r"\.0$", "", regex=True)
    num = pd.to_numeric(key.where(key.str.fullmatch(r"\d{1,3}").fillna(False)), errors="coerce")
    return pd.Series(num.astype("Int64").array.take(codes, allow_fill=False))


def detect_relationship_scheme(values: object, family: object = None) -> tuple[str | None, str]:
    """Which numbering a column of bare relationship codes follows: ``"bps"`` or ``None``, and why.

    Only code 1 (the head) means the same in every scheme. The BPS/DTKS/Regsosek codes (``1`` kepala,
    ``2`` istri/suami, ``3`` anak, ``4`` menantu, ``5`` cucu, ``6`` orang tua/mertua, ``7`` famili lain,
    ``8`` pembantu, ``9`` lainnya; ``data/relationship_codes_bps.csv``) are taken as proven when at least
    ten cells are bare codes and make up nine in ten of the filled cells, every code is within 1..9, code 3
    (anak) is more common than code 4 and at least as common as code 2 (under Dukcapil SHDK, 4 is anak and
    3 istri, so 4 outnumbers 3), and, where ``family`` (the KK number or household id per row) is given,
    code 1 occurs at most once in nine families in ten and no more often than there are families.
    """
    num = _bare_codes(values)
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    ucodes, u = _uniques(s)
    filled = int((~_missing(u))[ucodes].sum())
    coded = num[num.notna() & (num != 0)]
    if len(coded) < _SCHEME_MIN_CODES:
        return None, f"only {len(coded)} bare codes"
    if len(coded) < 0.9 * filled:
        return None, f"only {len(coded)} of {filled} filled cells are bare codes"
    if coded.max() > 9:
        return None, f"code {int(coded.max())} is outside 1..9"
    c = coded.value_counts()
    n1, n2, n3, n4 = (int(c.get(k, 0)) for k in (1, 2, 3, 4))
    if not (n3 > n4 and n3 >= n2 and n1 > 0):
        return None, f"codes 1/2/3/4 occur {n1}/{n2}/{n3}/{n4} times, not the BPS pattern (3 = anak most common)"
    why = f"{len(coded)} bare codes within 1..9; code 3 (anak) {n3} times, 2 {n2}, 4 {n4}"
    if family is not None:
        fam = pd.Series(np.asarray(family, dtype=object), dtype=object)
        fam = fam.where(fam.notna() & (fam.astype(str).str.strip() != ""))
        heads = pd.Series((num == 1).fillna(False).to_numpy(dtype=bool))
        known = fam.notna().to_numpy(dtype=bool)
        if known.sum() >= _SCHEME_MIN_CODES:
            per = heads[known].groupby(fam[known].to_numpy()).sum()
            if (per <= 1).mean() < 0.9 or per.sum() > len(per):
                return None, (f"code 1 is not about once per family ({int(per.sum())} in {len(per)} families, "
                              f"{int((per > 1).sum())} with more than one)")
            why += f"; code 1 in {int((per == 1).sum())} of {len(per)} families, never twice in most"
    return "bps", why


def relationship_frame(values: pd.Series, scheme: str | None = None) -> pd.DataFrame:
    """Vectorised relationship normalisation: ``relationship`` and ``relationship_status``.

    Statuses: ``ok``, ``missing``, ``unknown`` (text not in ``data/relationship_codes.csv``) and
    ``numeric_code_unknown_scheme`` (a bare code other than 1: Dukcapil SHDK and BDT/DTKS number the roles
    differently). With ``scheme="bps"`` (see :func:`detect_relationship_scheme`) bare codes 1..9 are read
    with ``data/relationship_codes_bps.csv``. Works once per distinct value.
    """
    if scheme not in (None, "bps"):
        raise ValueError(f"unknown relationship code scheme {scheme!r}; known: 'bps'")
    codes, u = _uniques(values)
    key = u.str.upper().str.replace(r"\.0$", "", regex=True)
    if scheme == "bps":
        bps = {str(int(k)): v for k, v in _table("relationship_codes_bps.csv").items()}
        bare = key.str.fullmatch(r"\d{1,3}").fillna(False)
        key = key.where(~bare, key.str.lstrip("0").map(lambda k: f"#BPS{k}"))
        table = {**_table("relationship_codes.csv"), **{f"#BPS{k}": v for k, v in bps.items()}}
    else:
        table = _table("relationship_codes.csv")
    key = key.str.replace(r"^\d+\s*(?:[.):\-]\s*|\s+)(?=\D)", "", regex=True)  # "1. KEPALA", "03 ANAK"
    key = key.str.replace(r"\s*/\s*", "/", regex=True).str.replace(r"[\s_]+", " ", regex=True)
    key = key.str.strip(" .")
    rel = key.map(table).astype(object)
    rel = rel.where(rel.notna(), None)
    numeric = key.str.fullmatch(r"\d+|#BPS\d*").fillna(False).to_numpy(dtype=bool)
    unknown = rel.isna().to_numpy()
    status = np.where(unknown, "unknown", "ok").astype(object)
    status[unknown & numeric] = "numeric_code_unknown_scheme"
    missing = _missing(u)
    status[missing] = "missing"
    rel_arr = rel.to_numpy(dtype=object)
    rel_arr[missing] = None
    return _expand(codes, _index_of(values), relationship=rel_arr, relationship_status=status)


def normalize_sex(x: object) -> str | None:
    """``L``, ``P`` or ``None`` for one value."""
    return sex_frame(pd.Series([x], dtype=object))["sex"].iloc[0]


def normalize_relationship(x: object) -> str | None:
    """Canonical relationship role for one value (``KEPALA``, ``PASANGAN``, ``ANAK``, ...)."""
    return relationship_frame(pd.Series([x], dtype=object))["relationship"].iloc[0]


def role_generation(values: object) -> np.ndarray:
    """The generation of each canonical relationship relative to the head (``data/role_generations.csv``:
    KEPALA and PASANGAN 0, ANAK and MENANTU 1, CUCU 2, ORANG_TUA and MERTUA -1), NaN where it has none.

    >>> role_generation(pd.Series(["KEPALA", "ANAK", "CUCU", "FAMILI", None])).tolist()
    [0.0, 1.0, 2.0, nan, nan]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    table = {k: float(v) for k, v in _table("role_generations.csv").items()}
    return s.map(table).to_numpy(dtype=float, na_value=np.nan)

