"""Shared facts: the small definitions that several steps of the pipeline must agree on.

One home for each: the cell values that mean "missing" (:data:`MISSING_TOKENS`, from
``data/missing_tokens.csv``), what "a typo" of a number is, what "one vowel apart" is for two names, and
union-find with a veto (:class:`UnionFind`). Import them from here; never restate them. (The trusted NIK
and KK statuses live beside the NIK parser: :data:`linkmiskin.nik.TRUSTED_NIK_STATUSES`.)

>>> import pandas as pd
>>> differ_beyond_typo(pd.Series(["3216010101900001"]), pd.Series(["3216010101900010"])).tolist()
[False]
>>> one_vowel_apart(pd.Series(["PUTRA"]), pd.Series(["PUTRI"])).tolist()
[True]
>>> "BELUM ADA" in MISSING_TOKENS, "0" in MISSING_TOKENS - ZERO_TOKENS
(True, False)
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["MISSING_TOKENS", "ZERO_TOKENS", "differ_beyond_typo", "one_vowel_apart"]


def _missing_tokens() -> pd.DataFrame:
    with resources.files("linkmiskin").joinpath("data/missing_tokens.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f, comment="#", dtype=str, keep_default_na=False)


_TOKENS = _missing_tokens()
#: Cell values that mean "no value" (compared after trimming and upper-casing): "", "-", "0", "BELUM ADA",
#: "TIDAK ADA", "NULL", "N/A"... (``data/missing_tokens.csv``). Every standardiser uses this one set.
MISSING_TOKENS: frozenset[str] = frozenset(_TOKENS["token"])
#: The missing tokens that are a number zero ("0", "00"): not missing in a field where 0 is a real value
#: (an age of a baby), which uses ``MISSING_TOKENS - ZERO_TOKENS``.
ZERO_TOKENS: frozenset[str] = frozenset(_TOKENS.loc[_TOKENS["kind"] == "zero", "token"])


def differ_beyond_typo(a: pd.Series, b: pd.Series) -> np.ndarray:
    """True where two NIK strings (both present, same length) differ by more than one substitution or
    one swap of neighbouring digits."""
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    out = np.zeros(len(a), dtype=bool)
    ok = a.notna() & b.notna() & (a.str.len() == b.str.len())
    if not ok.any():
        return out
    for length in a[ok].str.len().unique():
        sel = (ok & (a.str.len() == length)).to_numpy()
        x = np.frombuffer("".join(a[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, int(length))
        y = np.frombuffer("".join(b[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, int(length))
        neq = x != y
        cnt = neq.sum(axis=1)
        swap = np.zeros(len(x), dtype=bool)
        two = np.flatnonzero(cnt == 2)
        if len(two):
            pos = np.argsort(~neq[two], axis=1, kind="stable")[:, :2]
            i, j = pos[:, 0], pos[:, 1]
            r = np.arange(len(two))
            swap[two] = (j == i + 1) & (x[two][r, i] == y[two][r, j]) & (x[two][r, j] == y[two][r, i])
        out[np.flatnonzero(sel)] = (cnt > 1) & ~swap
    return out


_VOWELS = np.frombuffer(b"AEIOU", dtype=np.uint8)


def one_vowel_apart(a: pd.Series, b: pd.Series) -> np.ndarray:
    """True where two names (both present) have the same length and differ in exactly one letter, a vowel
    for a vowel: ILHAM / ILHIM, PUTRA / PUTRI, AMELIA / AMELII (the way Indonesian twins are named)."""
    # Y and I are one sound (RIZKY / RIZKI): RIZKY ALIF BAYU / RIZKI ALIF BAYI are one vowel apart
    a = a.reset_index(drop=True).str.replace("Y", "I", regex=False)
    b = b.reset_index(drop=True).str.replace("Y", "I", regex=False)
    out = np.zeros(len(a), dtype=bool)
    ok = (a.notna() & b.notna()).to_numpy()
    if not ok.any():
        return out
    la = a.str.len().to_numpy(dtype=float, na_value=-1)
    lb = b.str.len().to_numpy(dtype=float, na_value=-2)
    ok &= la == lb
    for length in np.unique(la[ok]).astype(int):
        sel = ok & (la == length)
        try:
            x = np.frombuffer("".join(a[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, length)
            y = np.frombuffer("".join(b[sel]).encode("ascii"), dtype=np.uint8).reshape(-1, length)
        except (UnicodeEncodeError, ValueError):
            continue
        neq = x != y
        one = neq.sum(axis=1) == 1
        pos = neq.argmax(axis=1)
        r = np.arange(len(x))
        out[np.flatnonzero(sel)] = one & np.isin(x[r, pos], _VOWELS) & np.isin(y[r, pos], _VOWELS)
    return out
