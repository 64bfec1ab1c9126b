"""Sex (jenis kelamin) and relationship to the household head (SHDK / hubungan keluarga).

Both are small code lists kept in ``data/sex_codes.csv`` and ``data/relationship_codes.csv``.

>>> from linkmiskin.household_roles import normalize_sex, normalize_relationship
>>> normalize_sex("Laki-Laki"), normalize_sex("PR"), normalize_sex("2")
('L', 'P', 'P')
>>> normalize_relationship("Kepala Keluarga"), normalize_relationship("ISTRI")
('KEPALA', 'PASANGAN')
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

_MISSING = {"", "-", "0", "NAN", "NONE", "NULL", "N/A", "NA", "BELUM ADA", "TIDAK ADA", "TDK ADA", "?"}


@lru_cache(maxsize=None)
def _table(name: str) -> dict[str, str]:
    with resources.files("linkmiskin").joinpath(f"data/{name}").open(encoding="utf-8") as f:
        df = pd.read_csv(f, comment="#", dtype=str, keep_default_na=False)
    return dict(zip(df.iloc[:, 0], df.iloc[:, 1]))


def _sex_key(s: pd.Series) -> pd.Series:
    return s.astype("string").str.upper().str.replace(r"[\s.\-_/]+", "", regex=True)


def sex_frame(values: pd.Series) -> pd.DataFrame:
    """Vectorised sex normalisation: columns ``sex`` (L/P/None) and ``sex_status`` (ok/missing/unknown)."""
    s = pd.Series(values, copy=False).astype("string").str.strip()
    raw_upper = s.str.upper()
    key = _sex_key(s.str.replace(r"^(\d)\.0$", r"\1", regex=True))
    sex = key.map(_table("sex_codes.csv"))
    missing = s.isna() | raw_upper.isin(_MISSING)
    status = pd.Series("ok", index=s.index, dtype=object)
    status[sex.isna()] = "unknown"
    status[missing] = "missing"
    return pd.DataFrame({"sex": sex.astype(object).where(sex.notna(), None), "sex_status": status})


def relationship_frame(values: pd.Series) -> pd.DataFrame:
    """Vectorised relationship normalisation: ``relationship`` and ``relationship_status``."""
    s = pd.Series(values, copy=False).astype("string").str.strip()
    key = s.str.upper().str.replace(r"\s+", " ", regex=True).str.replace(r"^\d+\s*[.)\-]\s*(?=\D)", "", regex=True)
    key = key.str.replace(r"\.0$", "", regex=True)
    rel = key.map(_table("relationship_codes.csv"))
    missing = s.isna() | s.str.upper().isin(_MISSING)
    status = pd.Series("ok", index=s.index, dtype=object)
    numeric = key.str.fullmatch(r"\d+").fillna(False)
    status[rel.isna()] = "unknown"
    status[rel.isna() & numeric] = "numeric_code_unknown_scheme"
    status[missing] = "missing"
    return pd.DataFrame({"relationship": rel.astype(object).where(rel.notna(), None),
                         "relationship_status": status})


def normalize_sex(x: object) -> str | None:
    """``L``, ``P`` or ``None`` for one value."""
    return sex_frame(pd.Series([x], dtype=object))["sex"].iloc[0]


def normalize_relationship(x: object) -> str | None:
    """Canonical relationship role for one value (``KEPALA``, ``PASANGAN``, ``ANAK``, ...)."""
    return relationship_frame(pd.Series([x], dtype=object))["relationship"].iloc[0]


