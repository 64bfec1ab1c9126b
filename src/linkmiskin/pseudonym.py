"""Keyed pseudonyms for NIK and KK, so that lists can be shared and linked without clear identifiers.

Agencies often may not hand raw NIKs to Dinas Sosial (UU PDP, and the PKS terms of Dukcapil data). With
:func:`pseudonymise` each agency replaces the NIK and KK columns of its list by **keyed tokens** before
sharing it; every agency uses the same secret key, so one NIK gives one token everywhere and
:func:`linkmiskin.link` can still use it as identifier evidence (exact token equality)::

    key = open("/secure/linkmiskin.key", "rb").read()          # held by one custodian, never shipped
    shared = lm.pseudonymise(dtks, key=key)                    # NIK and NO_KK become PSN-... tokens
    result = lm.link({"dtks": shared, "p3ke": lm.pseudonymise(p3ke, key=key)}, region="32.16")
    result.metadata["pseudonymised_sources"]                   # ['dtks', 'p3ke']

A token is ``PSN-`` followed by 32 hex digits: the first 128 bits of HMAC-SHA-256(key, the NIK's 16 digits).
A plain hash of a NIK is **not** a pseudonym: the NIK's structure (about 7,300 kecamatan x 73,000 coded
birth days x 10,000 serials, some 5 x 10^12 candidates) can be enumerated on ordinary hardware. The HMAC
key is what makes the tokens safe, so the key must never travel with the data (see ``docs/privacy.md``).

``keep_region=True`` keeps the NIK's first 6 digits (kecamatan of first registration) in clear,
``PSN-R321606-...``; ``keep_birth_code=True`` keeps digits 7-12 (birth date, plus 40 for women),
``PSN-B450885-...``. The region, birth date and sex are personal data themselves and narrow down who a
token belongs to, so both are off by default; linkmiskin links on the token alone either way.

What a token loses: the NIK's check of a record's birth date and sex, and **typo tolerance**. Two NIKs one
digit apart give unrelated tokens, and an Excel-damaged NIK (16th digit lost) cannot be tokenised reliably:
such cells, placeholders (``0000000000000000``) and cells that are not a NIK at all become empty, and the
records are linked on names, dates and addresses as any record without a NIK.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import numpy as np
import pandas as pd

from linkmiskin.standardise.nik import TRUSTED_NIK_STATUSES

#: how linkmiskin recognises a pseudonymised NIK or KK
TOKEN_PREFIX = "PSN-"
TOKEN_PATTERN = r"PSN-(?:R\d{6}-)?(?:B\d{6}-)?[0-9a-f]{32}"
_TOKEN = re.compile(TOKEN_PATTERN)
#: statuses of a parsed NIK/KK whose 16 digits are trustworthy enough to tokenise
_TOKENISE = TRUSTED_NIK_STATUSES


def is_token(value: Any) -> bool:
    """True for a pseudonym made by :func:`pseudonymise` (``PSN-`` + 32 hex digits)."""
    return isinstance(value, str) and _TOKEN.fullmatch(value.strip()) is not None


def token_mask(values: pd.Series) -> np.ndarray:
    """Boolean array: which cells hold a pseudonym token."""
    s = values.astype("string").str.strip()
    return s.str.fullmatch(TOKEN_PATTERN).fillna(False).to_numpy(dtype=bool)


def _key_bytes(key: Any) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError("key must be bytes or a str (a secret of at least 16 bytes, e.g. secrets.token_bytes(32))")
    if len(key) < 16:
        raise ValueError("key must be at least 16 bytes long (use secrets.token_bytes(32) and keep it secret)")
    return bytes(key)


def _tokens(digits: np.ndarray, key: bytes, keep_region: bool, keep_birth_code: bool) -> np.ndarray:
    """One token per distinct 16-digit string."""
    out = np.empty(len(digits), dtype=object)
    for i, d in enumerate(digits):
        mac = hmac.new(key, d.encode("ascii"), hashlib.sha256).hexdigest()[:32]
        parts = [TOKEN_PREFIX]
        if keep_region:
            parts.append(f"R{d[:6]}-")
        if keep_birth_code:
            parts.append(f"B{d[6:12]}-")
        out[i] = "".join(parts) + mac
    return out


def _tokenise_column(values: pd.Series, from_number: np.ndarray, kind: str, key: bytes, keep_region: bool,
                     keep_birth_code: bool) -> tuple[np.ndarray, int]:
    """The column with every NIK/KK replaced by its token; (values, number of cells emptied)."""
    from linkmiskin.standardise.nik import parse_kk, parse_nik
    from linkmiskin.standardise.records import _parse_ids

    s = values.reset_index(drop=True)
    already = token_mask(s)
    parse = parse_nik if kind == "nik" else parse_kk
    # the same cleaning as link(): Excel number cells and lists of NIKs that lost their 16th digit
    p = _parse_ids(parse, s.astype(object).where(~pd.Series(already), None), from_number)
    status = p[f"{kind}_status"].astype(str).to_numpy()
    digits = p[kind].astype(object).to_numpy()
    ok = np.isin(status, list(_TOKENISE)) & pd.notna(digits)
    out = np.full(len(s), None, dtype=object)
    if ok.any():
        codes, uniq = pd.factorize(pd.Series(digits[ok], dtype=object))
        out[ok] = _tokens(np.asarray(uniq, dtype=object), key, keep_region, keep_birth_code)[codes]
    out[already] = s[already].astype(str).str.strip().to_numpy(dtype=object)
    had_value = ~np.isin(status, ["missing"]) & ~already
    emptied = int((had_value & ~ok).sum())
    return out, emptied


def _tokenise_text(values: pd.Series, key: bytes) -> np.ndarray:
    """Any other column named in ``columns=``: each non-empty cell becomes the token of its stripped text."""
    s = values.reset_index(drop=True).astype("string").str.strip()
    present = (s.notna() & (s != "")).to_numpy(dtype=bool)
    already = token_mask(s)
    out = np.full(len(s), None, dtype=object)
    todo = present & ~already
    if todo.any():
        codes, uniq = pd.factorize(s[todo])
        toks = np.array([TOKEN_PREFIX + hmac.new(key, str(u).encode("utf-8"), hashlib.sha256).hexdigest()[:32]
                         for u in uniq], dtype=object)
        out[todo] = toks[codes]
    out[already] = s[already].to_numpy(dtype=object)
    return out


def pseudonymise(df: pd.DataFrame, key: bytes | str, columns: list[str] | None = None, *,
                 keep_region: bool = False, keep_birth_code: bool = False) -> pd.DataFrame:
    """Replace NIK and KK numbers by keyed HMAC-SHA-256 tokens (``PSN-`` + 32 hex digits).

    Parameters
    ----------
    df:
        An agency list (a DataFrame; read files with :func:`linkmiskin.read_table` first).
    key:
        The secret key (bytes, or text encoded as UTF-8), at least 16 bytes; the same key for every list
        that is to be linked. Keep it away from the data (see ``docs/privacy.md``).
    columns:
        The columns to replace. By default the NIK and KK columns that linkmiskin's column detection finds
        (``NIK``, ``NIK_KTP``, ``NO_KK``, ``NKK``...). A NIK or KK column is parsed first, so that
        ``'3216.0645.0885.0003`` and ``3216064508850003`` give the same token; other columns named here
        (e.g. an id column that holds NIKs) get the token of their stripped text.
    keep_region, keep_birth_code:
        Keep the NIK's first 6 digits / digits 7-12 in clear inside the token (off by default).

    Returns
    -------
    A copy of ``df`` in which every cell of those columns is a token or empty. Cells without a
    trustworthy 16-digit number (placeholders, wrong length, Excel-damaged) become empty, so that they can
    never match; how many is in ``.attrs["pseudonymised"]``. Cells that already hold a token are kept, so
    running it twice changes nothing.

    >>> import pandas as pd
    >>> out = pseudonymise(pd.DataFrame({"NIK": ["3216064508850003"], "NAMA": ["SITI"]}), key=b"k" * 32)
    >>> bool(out["NIK"].str.startswith("PSN-").all()), out["NAMA"].tolist()
    (True, ['SITI'])
    """
    from linkmiskin.privacy import warn
    from linkmiskin.standardise.columns import detect_columns
    from linkmiskin.standardise.read import _from_frame

    if not isinstance(df, pd.DataFrame):
        raise TypeError("pseudonymise() takes a DataFrame; read a file with linkmiskin.read_table() first")
    k = _key_bytes(key)
    if isinstance(columns, str):
        columns = [columns]
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise ValueError(f"pseudonymise: no column(s) {missing} in the table")
    text = _from_frame(df, "data", copy=False)  # keeps the column order: headings map back by position
    by_text = dict(zip(text.columns, df.columns, strict=True))
    try:
        cm = detect_columns(text, source="data")
        found = {by_text[cm.mapping[f]]: f for f in ("nik", "kk") if f in cm.mapping}
    except ValueError:  # no name and no NIK column: only columns= can say what to replace
        found = {}
    if columns is None:
        if not found:
            warn("pseudonymise: no NIK or KK column found, the table is returned unchanged; name the "
                 "columns with columns=[...] if it has them", stacklevel=2)
        kinds = found
    else:
        kinds = {c: found.get(c, "text") for c in columns}
    numeric = text.attrs.get("numeric_cells") or {}
    by_orig = {v: k_ for k_, v in by_text.items()}
    out = df.copy()
    report: dict[str, int] = {}
    for col, kind in kinds.items():
        if kind == "text":
            vals, emptied = _tokenise_text(text[by_orig[col]], k), 0
        else:
            from_number = np.zeros(len(df), dtype=bool)
            rows = numeric.get(by_orig[col])
            if rows is not None and len(rows):
                from_number[np.asarray(rows, dtype=np.int64)] = True
            vals, emptied = _tokenise_column(text[by_orig[col]], from_number, kind, k, keep_region,
                                             keep_birth_code)
        out[col] = pd.Series(vals, index=df.index, dtype=object)
        report[str(col)] = emptied
    attrs = dict(df.attrs)
    if isinstance(attrs.get("numeric_cells"), dict):  # the replaced columns are text now
        attrs["numeric_cells"] = {c: v for c, v in attrs["numeric_cells"].items() if c not in kinds}
    out.attrs = {**attrs,
                 "pseudonymised": {"columns": {str(c): f for c, f in kinds.items()}, "emptied": report,
                                   "keep_region": keep_region, "keep_birth_code": keep_birth_code}}
    return out


def model_ids(std: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Put pseudonymised NIKs into the model table as exact-only identifiers.

    The model table (:func:`linkmiskin.scoring.model.model_table`) keeps only 16-digit NIKs. A token goes in as
    16 hex digits of its HMAC (``nik``) and their first 15 (``nik15``), the same lengths as a NIK, so
    every NIK level and blocking rule works on it unchanged: equal tokens are "Exact NIK", and the
    prefix, birth-code and typo levels never fire between different tokens (they share digits only by
    chance: about one pair in 2^48 agrees on the first 12). Nothing is derived from a token (no birth
    date, sex or kecamatan), so it is never checked against its record's birth date.
    """
    if "nik" not in std:
        return table
    tok = token_mask(std["nik"])
    if not tok.any():
        return table
    idx = np.flatnonzero(tok)
    mac = std["nik"].iloc[idx].astype(str).str.strip().str[-32:].str[:16].to_numpy(dtype=object)
    t = table.copy()
    nik = t["nik"].to_numpy(dtype=object).copy()
    nik15 = t["nik15"].to_numpy(dtype=object).copy()
    nik[idx] = mac
    nik15[idx] = np.array([m[:15] for m in mac], dtype=object)
    t["nik"] = nik
    t["nik15"] = nik15
    cons = t["nik_consistent"].to_numpy(dtype=bool).copy()
    cons[idx] = True
    t["nik_consistent"] = cons
    return t


def pseudonymised_sources(std: pd.DataFrame) -> list[str]:
    """The sources whose NIK or KK column holds pseudonym tokens."""
    found: set[str] = set()
    for c in ("nik", "kk"):
        if c in std:
            tok = token_mask(std[c])
            if tok.any():
                found.update(str(s) for s in std["source"].to_numpy()[tok])
    return sorted(found)
