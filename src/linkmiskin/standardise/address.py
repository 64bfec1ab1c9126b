"""Parse free-text Indonesian addresses into comparable parts and Kemendagri region codes.

A typical line in DTKS / P3KE / BPJS-PBI / BLT-DD / posyandu lists looks like
``KP. CIBENDA RT 003 RW 005 DS. SUKAMAJU KEC. TAMBELANG``. :func:`parse_address` splits it into

* ``address_clean``: upper case, punctuation removed, abbreviations standardised (``Kampung``/``Kmp``/``Kp.``
  -> ``KP``, ``Jln``/``Jalan`` -> ``JL``, ``Perumahan`` -> ``PERUM``, ``Ds.`` -> ``DESA``, ``Kec.`` -> ``KEC``,
  ``Bks`` -> ``BEKASI``, ...; the list is ``data/address_abbreviations.csv``) and RT/RW written as
  ``RT 003 RW 005``;
* ``place_type`` (``KP``, ``PERUM``, ``JL``, ``GG``, ``DSN``, ``KOMP``, ``CLUSTER``, ``LINGK``, ``DK``, ...),
  ``place_name`` (``CIBENDA``), ``place`` (``KP CIBENDA``: the key to compare), ``block`` (``C2``) and
  ``house_number`` (``5``);
* ``rt`` and ``rw`` (nullable ``Int64``) from any of the usual shapes: ``RT 003 RW 005``, ``RT 003/RW 005``,
  ``Rt.3 Rw.5``, ``RT/RW 03/05``, ``RT/RW: 003/005``, ``RT02 RW05``, ``RT 3/5``, ``RT.01/12``,
  ``Rt 01 / Rw 02``, ``RW 05 RT 03`` and a bare ``003/005``. House numbers (``No 5/7``), blocks (``Blok C2``)
  and 5-digit postcodes are never taken for RT/RW;
* ``desa_text`` and ``kecamatan_text`` as written (after ``DESA``/``KEL``/``KEC`` or, without a prefix, a
  kecamatan/desa name recognised at the end of the text), then the region columns of
  :func:`linkmiskin.standardise.regions.resolve_regions`: ``desa_code, desa_name, kecamatan_code, kecamatan_name,
  kabupaten_code, region_status``;
* ``address_status``: ``ok``; ``missing`` (None, "", "-", "BELUM ADA", ...); ``partial`` (no RT or no RW, or
  nothing but RT/RW); ``rt_rw_invalid`` (RT or RW 0 or above 999: that value is set to missing).

>>> from linkmiskin.standardise.address import parse_address
>>> p = parse_address("KP. CIBENDA RT 003 RW 005 DS. SUKAMAJU KEC. TAMBELANG", region="32.16")
>>> p["address_clean"], p["place"], p["rt"], p["rw"], p["desa_code"], p["region_status"]
('KP CIBENDA RT 003 RW 005 DESA SUKAMAJU KEC TAMBELANG', 'KP CIBENDA', 3, 5, '32.16.04.2002', 'resolved')
>>> p = parse_address("Perum Griya Asri Blok C2 No 5 Rt.01/12")
>>> p["place"], p["block"], p["house_number"], p["rt"], p["rw"], p["address_status"]
('PERUM GRIYA ASRI', 'C2', '5', 1, 12, 'ok')
>>> parse_address("DUSUN II RT 01 RW 02 KEL. JATIMULYA TAMBUN SELATAN", region="32.16")["desa_code"]
'32.16.06.1001'

A Series gives a DataFrame with the same index and the columns of :data:`ADDRESS_COLUMNS`. The work is
done once per distinct address with Arrow string kernels (RE2 regular expressions), once per distinct word
and once per distinct region text in Python, so a million rows (400,000 distinct addresses) take a few
seconds.
Separate desa / kecamatan / kabupaten columns, when the source has them, can be passed as ``desa=``,
``kecamatan=``, ``kabupaten=``: a non-missing value there wins over what the text says. Bad input never
raises: it is kept as text and flagged.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkmiskin.standardise.regions import (
    MISSING_TOKENS,
    RESOLVE_COLUMNS,
    _frames,
    _is_missing,
    _name_sets,
    _NameSets,
    resolve_regions,
    validate_region,
)

__all__ = ["ADDRESS_COLUMNS", "ADDRESS_STATUSES", "parse_address"]

ADDRESS_STATUSES = ("ok", "partial", "rt_rw_invalid", "missing")
_PARSE_COLUMNS = [
    "address_clean", "place_type", "place_name", "block", "house_number", "place", "rt", "rw",
    "desa_text", "kecamatan_text",
]
ADDRESS_COLUMNS = [*_PARSE_COLUMNS, *RESOLVE_COLUMNS, "address_status"]


# --------------------------------------------------------------------------------------------------------
# Abbreviations
# --------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _abbreviations() -> tuple[dict[str, str], tuple[str, ...]]:
    """Token -> canonical token (``KAMPUNG`` -> ``KP``) and the canonical place types (``KP``, ``JL``, ...)."""
    path = resources.files("linkmiskin").joinpath("data", "address_abbreviations.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df = df.apply(lambda c: c.str.strip())
    mapping = dict(zip(df["variant"].str.upper(), df["canonical"].str.upper(), strict=True))
    place_types = tuple(sorted(set(df.loc[df["kind"] == "place", "canonical"].str.upper()), key=len, reverse=True))
    return mapping, place_types


# --------------------------------------------------------------------------------------------------------
# Vectorised string helpers on Arrow arrays (RE2 regular expressions: no look-arounds, no back-references
# in patterns). Arrow nulls stand for "not found".
# --------------------------------------------------------------------------------------------------------
_NULL = pa.scalar(None, pa.string())


def _sub(arr: pa.Array, pattern: str, repl: str, max_replacements: int | None = None) -> pa.Array:
    return pc.replace_substring_regex(arr, pattern=pattern, replacement=repl, max_replacements=max_replacements)


def _extract(arr: pa.Array, pattern: str, keep_empty: tuple[str, ...] = ()) -> dict[str, pa.Array]:
    """Named groups of the first match; null where the row does not match or the group is empty
    (groups named in ``keep_empty`` stay ``""`` when the row matches)."""
    ex = pc.extract_regex(arr, pattern=pattern)
    valid = pc.is_valid(ex)
    out = {}
    for i in range(ex.type.num_fields):
        f = ex.field(i)
        name = ex.type.field(i).name
        ok = valid if name in keep_empty else pc.and_(valid, pc.not_equal(f, ""))
        out[name] = pc.if_else(ok, f, _NULL)
    return out


def _np(arr: pa.Array) -> np.ndarray:
    """Object ndarray with None for nulls."""
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


_WORD_NOISE = re.compile(r"[^A-Z0-9/,\-]+")
_LETTER_SLASH = re.compile(r"(?<=[A-Z])/(?=[A-Z])")
_UNIT_DIGIT = re.compile(r"\b(NMR|NOMOR|NOMER|BLK|BLOCK|BLOK|NO|RT|RW|RK)(?=\d)")


def _normalise_word(word: str, mapping: dict[str, str]) -> str:
    """One whitespace-separated raw token -> canonical tokens (``"Kp.Cibenda,"`` -> ``"KP CIBENDA ,"``)."""
    if not word.isascii():  # "Ciléungsi" -> "Cileungsi"
        word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    w = _WORD_NOISE.sub(" ", word.upper())
    w = _LETTER_SLASH.sub(" ", w)  # RT/RW, DESA/KEL
    w = _UNIT_DIGIT.sub(r"\1 ", w.replace(",", " , "))  # NO.5 -> NO 5, RT02 -> RT 02
    return " ".join(mapping.get(x, x) for x in w.split())


def _tokens(texts: pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Upper-case, punctuation-free, single-spaced text with standardised tokens.

    The text is split on whitespace and each *distinct* token is normalised once in Python (there are
    only a few thousand), then the rows are put back together with Arrow.
    """
    lists = pc.utf8_split_whitespace(texts)
    offsets = lists.offsets.to_numpy()
    enc = lists.flatten().dictionary_encode()
    new_words = [_normalise_word(w, mapping) for w in enc.dictionary.to_pylist()]
    keep_word = np.array([w != "" for w in new_words], dtype=bool)
    idx = enc.indices.to_numpy()
    nonempty = keep_word[idx]
    row_of = np.repeat(np.arange(len(texts)), np.diff(offsets))
    counts = np.bincount(row_of[nonempty], minlength=len(texts))
    new_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = pa.array(new_words, type=pa.string()).take(pa.array(idx[nonempty]))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(new_offsets), values), " ")


def _int_array(arr: pa.Array) -> pd.arrays.IntegerArray:
    """Digit strings (or null) -> pandas Int64."""
    ints = pc.cast(arr, pa.int64())
    mask = pc.is_null(ints).to_numpy(zero_copy_only=False)
    values = pc.fill_null(ints, 0).to_numpy()
    return pd.arrays.IntegerArray(values.astype(np.int64), mask.astype(bool))


# --------------------------------------------------------------------------------------------------------
# Patterns (applied to upper-case text of single-space separated tokens, '.' and ':' already removed)
# --------------------------------------------------------------------------------------------------------
_RW = "(?:RW|RK)"
_SEP = " ?[/,-]? ?"
_NEXT = "(?:[^0-9]|$)"
_RT_RW_FORMS = [
    rf"\bRT ?/? ?{_RW} ?(?P<rt1>\d{{1,4}}) ?(?:[/-] ?| )(?P<rw1>\d{{1,4}})",  # RT/RW 03/05, RT RW 003 005
    rf"\bRT ?(?P<rt2>\d{{1,4}}){_SEP}{_RW} ?(?P<rw2>\d{{1,4}})",  # RT 3 RW 5, RT 003/RW 005, RT02 RW05
    rf"\b{_RW} ?(?P<rw3>\d{{1,4}}){_SEP}RT ?(?P<rt3>\d{{1,4}})",  # RW 05 RT 03
    r"\bRT ?(?P<rt4>\d{1,4}) ?[/-] ?(?P<rw4>\d{1,4})",  # RT 3/5, RT.01/12
    rf"\bRT ?(?P<rt5>\d{{1,4}}){_NEXT}",  # RT only
    rf"\b{_RW} ?(?P<rw5>\d{{1,4}}){_NEXT}",  # RW only
]
# One pass gives the numbers and the text before and after the RT/RW part.
_RT_RW = (
    "^(?P<pre>.*?)(?:"
    + "|".join(f.replace(_NEXT, "") for f in _RT_RW_FORMS)
    + ")(?P<post>(?:[^0-9].*)?)$"
)
_UNIT_SLASH = r"\b(NO|BLOK|KAV|KM) ?([A-Z]?\d+[A-Z]?) ?/ ?(\d+)"  # "NO 12/3" is a house number
_BARE = r"^(?P<pre>|.*?[^A-Z0-9/])(?P<rt>\d{1,3}) ?/ ?(?P<rw>\d{1,3})(?P<post>|[^A-Z0-9/].*)$"
_BLOCK = r"\bBLOK ?(?P<block>[A-Z]{1,3}[ -]?\d{1,4}[A-Z]?|\d{1,4}[A-Z]?|[A-Z]{1,3})(?:[^A-Z0-9]|$)"
_HOUSE = r"\bNO ?(?P<no>\d{1,5}[A-Z]?)(?:[^A-Z0-9]|$)"


def _canonical(rt: pa.Array, rw: pa.Array) -> pa.Array:
    """``RT 003 RW 005`` (or ``RT 003`` / ``RW 005``) from digit strings; null where both are null."""
    rt_txt = pc.binary_join_element_wise("RT", pc.utf8_lpad(rt, 3, "0"), " ")
    rw_txt = pc.binary_join_element_wise("RW", pc.utf8_lpad(rw, 3, "0"), " ")
    return _join_present(rt_txt, rw_txt)


def _join_present(a: pa.Array, b: pa.Array) -> pa.Array:
    """``a + " " + b`` skipping nulls; null where both are null. (Arrow's ``null_handling="skip"`` drops
    all-null rows in some versions, so it is not used.)"""
    both = pc.utf8_trim_whitespace(pc.binary_join_element_wise(pc.fill_null(a, ""), pc.fill_null(b, ""), " "))
    return pc.if_else(pc.equal(both, ""), _NULL, both)


# --------------------------------------------------------------------------------------------------------
# Parsing of distinct addresses
# --------------------------------------------------------------------------------------------------------
def _missing_mask(texts: pa.Array) -> np.ndarray:
    """True for cells that count as missing (:data:`linkmiskin.standardise.regions.MISSING_TOKENS`, punctuation only)."""
    up = pc.utf8_upper(pc.utf8_trim_whitespace(texts))
    miss = pc.or_(
        pc.is_in(up, value_set=pa.array(sorted(MISSING_TOKENS), type=pa.string())),
        pc.match_substring_regex(up, r"^[^\pL\pN]*$"),
    )
    return np.asarray(miss.to_numpy(zero_copy_only=False), dtype=bool)


def _rt_rw_parts(t: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """RT, RW and the text before and after them: explicit forms first, a bare 003/005 only where there is none."""
    ex = _extract(t, _RT_RW, keep_empty=("pre", "post"))
    rt = pc.coalesce(*(ex[f"rt{i}"] for i in range(1, 6)))
    rw = pc.coalesce(*(ex[f"rw{i}"] for i in range(1, 6)))
    pre, post = ex["pre"], ex["post"]
    bare_rows = pc.and_(pc.is_null(pre), pc.match_substring(t, "/"))
    if pc.any(bare_rows).as_py():
        tb = _sub(t.filter(bare_rows), _UNIT_SLASH, r"\1 \2-\3")
        bx = _extract(tb, _BARE, keep_empty=("pre", "post"))
        rt = pc.replace_with_mask(rt, bare_rows, bx["rt"])
        rw = pc.replace_with_mask(rw, bare_rows, bx["rw"])
        pre = pc.replace_with_mask(pre, bare_rows, bx["pre"])
        post = pc.replace_with_mask(post, bare_rows, bx["post"])
    return rt, rw, pc.utf8_rtrim_whitespace(pre), pc.utf8_ltrim_whitespace(post)


def _rt_rw_numbers(rt: pa.Array, rw: pa.Array) -> tuple[pd.arrays.IntegerArray, pd.arrays.IntegerArray, np.ndarray]:
    """RT and RW as integers, those outside 1..999 dropped; which rows had such an invalid one."""
    rt_num = _int_array(rt)
    rw_num = _int_array(rw)
    bad_rt = np.asarray(((rt_num < 1) | (rt_num > 999)).fillna(False), dtype=bool)
    bad_rw = np.asarray(((rw_num < 1) | (rw_num > 999)).fillna(False), dtype=bool)
    rt_num[bad_rt] = pd.NA
    rw_num[bad_rw] = pd.NA
    return rt_num, rw_num, bad_rt | bad_rw


def _head_and_tail(work: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The place part and the rest, cut at the first DESA/KEL/KEC/KAB/PROV marker, comma, RT/RW or postcode."""
    work = pc.binary_join_element_wise("", work, "| ", " ")
    for marker in ("DESA", "KEL", "KEC", "KAB", "PROV"):
        work = pc.replace_substring(work, f" {marker} ", f" |{marker} ")
    work = pc.replace_substring(work, ",", "|")
    work = _sub(work, r"(^|[^0-9])[0-9]{5}([^0-9]|$)", r"\1|\2")
    halves = pc.split_pattern(work, pattern="|", max_splits=1)
    return pc.utf8_trim_whitespace(pc.list_element(halves, 0)), pc.list_element(halves, 1)


def _unmarked_regions(head: pa.Array, regions: tuple[np.ndarray, np.ndarray, np.ndarray], names: _NameSets,
                      place_types: tuple[str, ...]) -> np.ndarray:
    """Unmarked kecamatan (and desa) names cut off the end of a head with no other region information."""
    desa_text, kec_text, kab_text = regions
    head_np = _np(head)
    if names.scoped:
        last = _np(_extract(head, r"(?P<w>[A-Z0-9]+)$")["w"])
        no_region = (
            pd.isna(desa_text) & pd.isna(kec_text) & pd.isna(kab_text)
            & pd.Series(last).isin(names.last_words).to_numpy()
        )
        rows = np.flatnonzero(no_region)
        if len(rows):
            cut = _split_head(head_np[rows], names, place_types)
            head_np[rows], desa_text[rows], kec_text[rows], kab_text[rows] = cut
    return head_np


def _place_of(head_np: np.ndarray, place_from_rest: np.ndarray, place_types: tuple[str, ...]
              ) -> tuple[pa.Array, pa.Array]:
    """Place type and name from the head, else from a place found after the region markers."""
    ptype, name = _place(pa.array(head_np.tolist(), type=pa.string()), place_types)
    retry = pc.and_(pc.is_null(name), pc.is_valid(pa.array(place_from_rest.tolist(), type=pa.string())))
    if pc.any(retry).as_py():
        rows = np.flatnonzero(retry.to_numpy(zero_copy_only=False))
        r_type, r_name = _place(pa.array(place_from_rest[rows].tolist(), type=pa.string()), place_types)
        ptype = pc.replace_with_mask(ptype, retry, r_type)
        name = pc.replace_with_mask(name, retry, r_name)
    return ptype, name


def _parse_unique(texts: pa.Array, names: _NameSets) -> dict[str, Any]:
    """Parse distinct, non-missing address strings. No region resolution yet."""
    mapping, place_types = _abbreviations()
    n = len(texts)
    t = _tokens(texts, mapping)

    rt, rw, pre, post = _rt_rw_parts(t)
    clean = pc.coalesce(pc.binary_join_element_wise(pre, _canonical(rt, rw), post, " "), t)
    work = pc.coalesce(pc.binary_join_element_wise(pre, "|", post, " "), t)
    rt_num, rw_num, invalid = _rt_rw_numbers(rt, rw)
    clean = pc.utf8_trim(pc.replace_substring(clean, " ,", ""), characters=" ,")  # commas are tokens
    clean = pc.if_else(pc.equal(clean, ""), _NULL, clean)

    # Units anywhere in the text.
    block = _sub(_extract(t, _BLOCK)["block"], r"[ -]", "")
    house = _extract(t, _HOUSE)["no"]

    head, tail = _head_and_tail(work)
    desa_text, kec_text, kab_text, place_from_rest = _regions_from_tails(tail, names, place_types)
    head_np = _unmarked_regions(head, (desa_text, kec_text, kab_text), names, place_types)
    ptype, name = _place_of(head_np, place_from_rest, place_types)
    place_key = _join_present(ptype, name)

    has_content = (
        pc.is_valid(place_key).to_numpy(zero_copy_only=False)
        | ~pd.isna(desa_text) | ~pd.isna(kec_text) | ~pd.isna(kab_text)
        | pc.is_valid(block).to_numpy(zero_copy_only=False)
        | pc.is_valid(house).to_numpy(zero_copy_only=False)
    )
    incomplete = np.asarray(rt_num.isna(), dtype=bool) | np.asarray(rw_num.isna(), dtype=bool) | ~has_content
    status = np.where(invalid, "rt_rw_invalid", np.where(incomplete, "partial", "ok")).astype(object)
    out = {
        "address_clean": _np(clean),
        "place_type": _np(ptype),
        "place_name": _np(name),
        "block": _np(block),
        "house_number": _np(house),
        "place": _np(place_key),
        "rt": rt_num,
        "rw": rw_num,
        "desa_text": desa_text,
        "kecamatan_text": kec_text,
        "_kab_text": kab_text,
        "address_status": status,
    }
    assert all(len(v) == n for v in out.values())
    return out


def _place(src: pa.Array, place_types: tuple[str, ...]) -> tuple[pa.Array, pa.Array]:
    """Place type and name from the place part: ``PERUM GRIYA ASRI BLOK C2 NO 5`` -> PERUM, GRIYA ASRI."""
    ptypes = "|".join(place_types)
    src = pc.utf8_trim_whitespace(pc.fill_null(src, ""))
    src = _sub(src, r"^(?:(?:BLOK|NO|KAV|KM) [A-Z0-9/-]+(?: |$)|[0-9/-]+(?: |$))+", "")  # "BLOK C2/5 KP X"
    src = _sub(src, rf" (?:BLOK|NO|KAV|KM|RT|RW|RK|{ptypes})\b.*$", "")
    place = _extract(src, rf"^(?:(?P<type>{ptypes}) )?(?P<name>.+)$")
    name = pc.utf8_trim_whitespace(place["name"])
    bad = pc.or_(
        pc.is_in(name, value_set=pa.array(["", *place_types])),
        pc.match_substring_regex(name, r"^(?:(?:BLOK|NO|KAV|KM|RT|RW|RK)\b.*|[^A-Z]*)$"),
    )
    name = pc.if_else(pc.fill_null(bad, False), _NULL, name)
    ptype = pc.if_else(pc.is_valid(name), place["type"], _NULL)
    return ptype, name


def _regions_from_tails(
    tail: pa.Array, names: _NameSets, place_types: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Desa / kecamatan / kabupaten text from the part after the place, once per distinct tail."""
    enc = tail.dictionary_encode()
    uniques = enc.dictionary.to_pylist()
    results = [_refine_one(*_segments(t), names, place_types) for t in uniques]
    idx = enc.indices.to_numpy()
    cols = []
    for j in range(4):
        col = np.array([r[j] for r in results] + [None], dtype=object)
        cols.append(col[idx])
    return cols[0], cols[1], cols[2], cols[3]


_PREFIX_WORDS = {"DESA": "d", "KEL": "d", "KEC": "k", "KAB": "b", "PROV": "p"}


def _segments(tail: str) -> tuple[str, str, str, str]:
    """Split a tail ``| DESA X|KEC Y|free`` into (desa, kecamatan, kabupaten, free segments joined by '|')."""
    found = {"d": "", "k": "", "b": ""}
    free = []
    for seg in tail.split("|"):
        words = [w for w in seg.split() if any(ch.isalnum() for ch in w)]  # drop stray "/" and "-"
        if not words:
            continue
        kind = _PREFIX_WORDS.get(words[0])
        if kind is None:
            free.append(" ".join(words))
            continue
        while words and words[0] in _PREFIX_WORDS and _PREFIX_WORDS[words[0]] == kind:
            words = words[1:]
        if kind in found and words and not found[kind]:
            found[kind] = " ".join(words)
    return found["d"], found["k"], found["b"], "|".join(free)


def _peel(words: list[str], names: _NameSets, min_rest: int) -> tuple[list[str], str | None]:
    """Remove a province and then a kabupaten/kota name from the end of ``words``."""
    i = names.suffix(words, names.prov, min_rest=min_rest)
    if i is not None:
        words = words[:i]
    kab = None
    j = names.suffix(words, names.kab, min_rest=min_rest)
    if j is not None:
        kab = " ".join(words[j:])
        words = words[:j]
    return words, kab


def _refine_one(
    d: str, k: str, b: str, r: str, names: _NameSets, place_types: tuple[str, ...]
) -> tuple[str | None, str | None, str | None, str | None]:
    """(desa, kecamatan, kabupaten, place) text from the marked segments ``d``, ``k``, ``b`` and the
    unmarked segments ``r`` ('|'-separated) of one distinct tail.

    Province and kabupaten names are peeled off the end of segments; a marked desa segment without a
    kecamatan may end with an unmarked kecamatan name (``KEL. JATIMULYA TAMBUN SELATAN``); an unmarked
    segment is recognised only by exact (normalised) names, kecamatan first, desa only with a region.
    """
    desa = d or None
    kec = k or None
    kab = b or None
    place = None
    if kab:
        words, _ = _peel(kab.split(), names, 1)
        kab = " ".join(words) if words else kab
    if kec:
        words, found = _peel(kec.split(), names, 1)
        kec = " ".join(words)
        kab = kab or found
    if desa:
        words, found = _peel(desa.split(), names, 1)
        kab = kab or found
        if not kec and len(words) >= 2:
            i = names.suffix(words, names.kec, min_rest=1)
            if i is not None:
                kec_key = names.key(words[i:])
                rest_key = names.key(words[:i])
                if names.scoped or any(rest_key in _desa_keys_of(c) for c in names.kec[kec_key]):
                    kec = " ".join(words[i:])
                    words = words[:i]
        desa = " ".join(words)
    for seg in (s.strip() for s in r.split("|")):
        if not seg:
            continue
        words = seg.split()
        at = next((i for i, w in enumerate(words) if w in place_types), None)
        if at is not None:
            place = place or " ".join(words[at:])
            continue
        if words[0] in ("BLOK", "NO", "KAV", "KM", "RT", "RW", "RK"):
            continue
        words, found = _peel(words, names, 0)
        kab = kab or found
        if not words:
            continue
        i = names.suffix(words, names.kec) if not kec else None
        if i is not None:
            found_kec = " ".join(words[i:])
            before = words[:i]
            if not before and not desa and names.key(words) in names.desa:
                desa = found_kec  # SUKAWANGI alone: desa or kecamatan? leave it to the resolver
            else:
                kec = found_kec
                if before and not desa and len(before) <= 3:
                    desa = " ".join(before)
            continue
        if not desa and names.scoped:
            j = names.suffix(words, names.desa)
            if j == 0:
                desa = seg
    return desa, kec, kab, place


@functools.lru_cache(maxsize=1024)
def _desa_keys_of(kec_code: str) -> frozenset[str]:
    """Comparison keys of the desa of one kecamatan."""
    desa = _frames((kec_code[:5],))[1]
    return frozenset(desa.loc[desa["kecamatan_code"] == kec_code, "desa_key"])


def _split_head(
    heads: np.ndarray, names: _NameSets, place_types: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Peel unmarked kecamatan (+ desa) names off the end of heads: ``KP CIBENDA SUKAMAJU TAMBELANG``."""
    out = np.empty((4, len(heads)), dtype=object)
    for n, text in enumerate(heads):
        out[:, n] = (text, None, None, None)
        words, kab = _peel(text.split(), names, 1)
        i = names.suffix(words, names.kec, min_rest=1)
        if i is None or all(w in place_types for w in words[:i]):
            continue
        kec = " ".join(words[i:])
        before = words[:i]
        desa = None
        kec_codes = names.kec[names.key(words[i:])]
        for j in range(1, len(before)):  # keep at least one word for the place
            if kec_codes & names.desa.get(names.key(before[j:]), set()):
                desa = " ".join(before[j:])
                before = before[:j]
                break
        out[:, n] = (" ".join(before), desa, kec, kab)
    return out[0], out[1], out[2], out[3]


# --------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------
def parse_address(
    x: Any,
    region: str | None = None,
    *,
    desa: Any = None,
    kecamatan: Any = None,
    kabupaten: Any = None,
) -> pd.DataFrame | dict[str, Any]:
    """Parse one address (-> dict) or a Series of addresses (-> DataFrame with the same index).

    ``region`` ("32.16", "3216", "32.16.07") scopes region resolution and lets desa/kecamatan names without
    a DESA/KEC prefix be recognised at the end of the text. ``desa``, ``kecamatan`` and ``kabupaten`` are
    optional separate columns (same index as ``x``) or single values; where they are not missing they are
    used instead of the names found in the text. Columns: see :data:`ADDRESS_COLUMNS`.

    >>> parse_address("Kp Cibenda Rt.3/5")["place"], parse_address("Kp Cibenda Rt.3/5")["rw"]
    ('KP CIBENDA', 5)
    >>> parse_address("BELUM ADA")["address_status"]
    'missing'
    """
    region_code = validate_region(region) if region is not None and str(region).strip() else None
    scalar = not isinstance(x, (pd.Series, pd.Index, list, tuple, np.ndarray))
    if scalar:
        s = pd.Series([x], dtype=object)
    elif isinstance(x, pd.Series):
        s = x
    else:
        s = pd.Series(list(x), dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    texts = pa.array(u.astype(str).tolist(), type=pa.string())
    keep = np.flatnonzero(~_missing_mask(texts))
    if len(keep):
        parsed = _parse_unique(texts.take(pa.array(keep, type=pa.int64())), _name_sets(region_code))
    else:  # nothing to parse: do not load the region names
        parsed = {c: np.empty(0, dtype=object) for c in [*_PARSE_COLUMNS, "_kab_text", "address_status"]}
        parsed["rt"] = parsed["rw"] = pd.array([], dtype="Int64")

    # One table row per distinct address, plus a final all-missing row for missing cells.
    n_u = len(u)
    row_codes = np.where(codes < 0, n_u, codes)
    table: dict[str, Any] = {}
    for col in [*_PARSE_COLUMNS, "_kab_text", "address_status"]:
        if col in ("rt", "rw"):
            arr = pd.array(np.zeros(n_u + 1, dtype=np.int64), dtype="Int64")
            arr[:] = pd.NA
            arr[keep] = parsed[col]
        else:
            arr = np.full(n_u + 1, "missing" if col == "address_status" else None, dtype=object)
            arr[keep] = parsed[col]
        table[col] = arr

    separate = any(v is not None for v in (desa, kecamatan, kabupaten))
    if not separate:
        resolved = resolve_regions(
            desa=pd.Series(table["desa_text"]), kecamatan=pd.Series(table["kecamatan_text"]),
            kabupaten=pd.Series(table["_kab_text"]), region=region_code,
        )
        assert isinstance(resolved, pd.DataFrame)
        for c in RESOLVE_COLUMNS:
            table[c] = resolved[c].to_numpy(dtype=object)
        columns = {c: table[c].take(row_codes) for c in ADDRESS_COLUMNS}
    else:
        columns = {c: table[c].take(row_codes) for c in [*_PARSE_COLUMNS, "_kab_text", "address_status"]}
        d_in, k_in, b_in = (
            _override(v, columns[c], s.index)
            for v, c in ((desa, "desa_text"), (kecamatan, "kecamatan_text"), (kabupaten, "_kab_text"))
        )
        resolved = resolve_regions(desa=d_in, kecamatan=k_in, kabupaten=b_in, region=region_code)
        assert isinstance(resolved, pd.DataFrame)
        for c in RESOLVE_COLUMNS:
            columns[c] = resolved[c].to_numpy(dtype=object)
    out = pd.DataFrame({c: columns[c] for c in ADDRESS_COLUMNS}, index=s.index, copy=False)
    if scalar:
        row = out.iloc[0].to_dict()
        for c in ("rt", "rw"):
            row[c] = None if pd.isna(row[c]) else int(row[c])
        return row
    return out


def _override(value: Any, parsed: np.ndarray, index: pd.Index) -> pd.Series:
    """Separate column value where it is not missing, else the text found in the address."""
    found = pd.Series(parsed, index=index, dtype=object)
    if isinstance(value, pd.Series):
        if not value.index.equals(index):
            raise ValueError("desa/kecamatan/kabupaten Series must have the same index as the addresses")
        col = value.astype(object)
    elif value is None or np.isscalar(value):
        col = pd.Series([value] * len(index), index=index, dtype=object)
    else:
        col = pd.Series(list(value), index=index, dtype=object)
    return col.where(~_is_missing(col), found)
