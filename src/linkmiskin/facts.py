"""Shared facts: the small definitions that several steps of the pipeline must agree on.

One home for each: the cell values that mean "missing" (:data:`MISSING_TOKENS`, from
``data/missing_tokens.csv``), what "a typo" of a number is, what "one vowel apart" is for two names, and
union-find with a veto (:class:`UnionFind`). Import them from here; never restate them. (The trusted NIK
and KK statuses live beside the NIK parser: :data:`linkmiskin.standardise.nik.TRUSTED_NIK_STATUSES`.)

>>> import pandas as pd
>>> differ_beyond_typo(pd.Series(["3216010101900001"]), pd.Series(["3216010101900010"])).tolist()
[False]
>>> one_vowel_apart(pd.Series(["PUTRA"]), pd.Series(["PUTRI"])).tolist()
[True]
>>> "BELUM ADA" in MISSING_TOKENS, "0" in MISSING_TOKENS - ZERO_TOKENS
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["MISSING_TOKENS", "ZERO_TOKENS", "UnionFind", "differ_beyond_typo", "one_typo_apart",
           "one_vowel_apart"]


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


def one_typo_apart(a: pd.Series, b: pd.Series) -> np.ndarray:
    """True where two number strings (both present, same length) differ, but by one typo only: one
    substituted digit or one swap of neighbouring digits (the complement of :func:`differ_beyond_typo`).

    >>> one_typo_apart(pd.Series(["3216", "3216", "3216"]), pd.Series(["3217", "3261", "3216"])).tolist()
    [True, True, False]
    """
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    ok = (a.notna() & b.notna() & (a.str.len() == b.str.len()) & (a != b)).to_numpy(dtype=bool)
    return ok & ~differ_beyond_typo(a, b)


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


class UnionFind:
    """Disjoint sets over integer ids, merged one link at a time (for merges that a rule may refuse, such as
    the constrained person and household merges); plain connected components use
    :func:`linkmiskin.clustering.persons.components` (scipy) instead.

    >>> uf = UnionFind([1, 2, 3, 4])
    >>> uf.union(1, 2); uf.union(4, 3); uf.find(2), uf.find(3)
    (1, 4)
    >>> uf.labels([1, 2, 3, 4]).tolist()
    [1, 1, 4, 4]
    """

    def __init__(self, ids: Iterable[int]) -> None:
        self.parent: dict[int, int] = {int(x): int(x) for x in ids}

    def find(self, x: int) -> int:
        """The representative of ``x``'s set (with path halving)."""
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, keep: int, gone: int) -> None:
        """Merge the set whose representative is ``gone`` into the set represented by ``keep``."""
        self.parent[gone] = keep

    def labels(self, ids: Iterable[int]) -> np.ndarray:
        """The representative of each id, as an int64 array."""
        return np.array([self.find(int(x)) for x in ids], dtype=np.int64)
