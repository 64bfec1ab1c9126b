"""Standardise Indonesian personal names for record linkage.

Agency lists write the same person's name in many ways: ``"H. MOCH. SOEKARNO, S.Pd"`` in one file,
``"Muhammad Sukarno"`` in another. This module turns every spelling into one **canonical form** so that
exact and token comparisons work, and adds an Indonesian **phonetic key** and **nickname** candidates for
the fuzzy comparison levels.

Functions
---------
``normalize_name(x)``
    A name (``str``, ``None`` or ``NaN``) -> canonical ``str`` or ``None``. A pandas Series -> a Series of
    canonical names (``None`` where nothing usable is left).
``parse_name(x)``
    A name -> ``dict``; a Series -> DataFrame (same index) with the columns

    ============== ==========================================================================================
    name           canonical name (``None`` when missing)
    name_tokens    list of canonical tokens (``[]`` when missing)
    name_phonetic  list with the phonetic key of each token (same length as ``name_tokens``)
    name_father    canonical father name written after bin/binti (``None`` if absent)
    name_nicknames sorted formal names that a token may be a nickname of (``WAWAN`` -> ``HERMAWAN``, ...;
                   table ``name_nicknames.csv``; ``[]`` when none)
    name_status    ``"ok"``; ``"missing"`` (empty, placeholder such as ``-``/``0``/``BELUM ADA``, or an
                   unnamed baby ``BAYI NY. SITI``); ``"no_letters"`` (something was written but no name is
                   left: ``123``, ``#``, non-Latin script, or only a title such as ``H.``, ``HAJI`` or
                   ``IBU``); ``"teknonym"`` (the person is named by a descendant: ``OP. GRACE``
                   "grandparent of Grace", ``NAI YOSUA``, ``AMAQ RUDI``; table ``name_particles.csv``: no
                   own name is left, so it is never compared as theirs)
    name_had_title True when a title, honorific or degree was removed from the person's own name
    ============== ==========================================================================================

    The lists in the Series form are shared between rows holding the same raw value: treat them as
    read-only.
``phonetic_key(x)``
    A token (or Series of tokens) -> Indonesian phonetic key (several words: keys joined by a space).
``are_nicknames(a, b)``
    True when a token of one name is a known nickname of a token of the other, or both are nicknames of
    the same formal name (``MAMAT`` / ``MEMED``, both Muhammad).

Canonical form
--------------
Applied in this order; every list of words lives in a data file under ``linkmiskin/data``:

1. Upper case; accents folded (``É`` -> ``E``); apostrophes dropped (``MA'RUF`` -> ``MARUF``); digits
   dropped; every other character (dot, comma, hyphen, bracket) separates tokens.
2. Missing values: empty, only punctuation or zeros (``-``, ``0``), or a placeholder from
   ``name_titles.csv`` (``BELUM ADA``, ``TIDAK ADA``, ``NULL``, ``N/A``, ``#REF!``...). A value that starts
   with ``BAYI``/``BY.`` is an unnamed newborn, also missing: stripping the title would leave the
   *mother's* name.
3. Name particles (``name_particles.csv``): a value of the form teknonym + a name (``OP. GRACE``, ``NAI
   YOSUA``, ``AMAQ RUDI``, after any leading titles) names the person by a grandchild or child: it is
   missing as their own name (status ``"teknonym"``). Connectors inside a name (Batak ``BR.``/``BORU``,
   "daughter of", before a woman's marga) are dropped: ``MARIA BR HUTABARAT`` = ``MARIA HUTABARAT``;
   in such a name, or right before a family name (``family_names.csv``), a one-letter word stays an
   initial (``M. BR SIMAMORA``: a woman, not MUHAMMAD; ``M. HUTAGALUNG``). A
   family name's short form after a given name is the family name (``family_names.csv``: ``MARTUA
   L.TOBING`` = ``MARTUA LUMBANTOBING``).
   bin/binti/bt/bn (``name_variants.csv``, rule ``patronym``): the tokens after the marker are the father's
   name, returned in ``name_father`` and left out of ``name``.
4. Titles, honorifics, degrees and forms of address (``name_titles.csv``) are removed wherever they stand,
   including glued forms (``SITA.HJ``, ``H.MOCH.SOEKARNO,S.Pd``) and dotted or spaced degrees (``S.Pd.I``,
   ``S. Pd``, ``A.Md.Keb``). Each title has a position: ``any``; ``lead`` (only before the first name
   token: ``H. AHMAD`` loses ``H``, ``AHMAD H`` keeps it as an initial; likewise ``R.`` for Raden); or
   ``trail`` (only after a name: ``AGUS S.T.`` loses the degree, ``ST. AMINAH`` is Siti Aminah). A name
   made only of titles (``H.``, ``IBU``) has no name left: status ``"no_letters"``. A degree written with
   spaces is not allowed to swallow an initial: ``ENDANG S., S.PD.`` -> ``ENDANG S``.
5. Old spelling -> EYD per token (``name_spelling.csv``): ``oe``->``u``, ``dj``->``j``, ``tj``->``c``,
   ``sj``->``sy``, ``ch``->``kh``, ``nj``->``ny`` at the start of a token, and ``j``->``y`` only when the
   token also has an old-spelling marker (``TJAHJONO`` -> ``CAHYONO``, ``JOESOEF`` -> ``YUSUF``; ``DJOKO``
   -> ``JOKO``, never ``YOKO``; ``JUSUF``, ``PANJI`` and ``JOKO`` stay).
6. Spelling variants and abbreviations (``name_variants.csv``): ``MOCH``, ``MOH``, ``MUH``, ``MHD``,
   ``MOCHAMAD``, ``MOEHAMMAD``, ... -> ``MUHAMMAD``; ``ACHMAD``/``AKHMAD``/``AHMAT`` -> ``AHMAD``; ``ABD`` ->
   ``ABDUL``; ``RACHMAT`` -> ``RAHMAT``. A lone ``M`` (or ``ST``) becomes ``MUHAMMAD`` (``SITI``) only when
   another name token follows it.
7. Prefix fusion: ``NUR``, ``NURUL``, ``ABDUL`` and ``AL`` are joined to the next token, because both ways
   of writing are common: ``NUR HAYATI`` = ``NURHAYATI``, ``ABDUL RAHMAN`` = ``ABD. RAHMAN`` = ``ABDUR
   RAHMAN`` = ``ABDURRAHMAN`` = ``ABDURAHMAN`` -> ``ABDULRAHMAN`` (the assimilated Arabic article
   ``ABDUR``/``ABDUS``/``ABDUN``/... is undone). ``SITI`` and ``SRI`` are not prefixes. Batak marga
   written in two words are joined the same way (rule ``fuse``: ``HUTA BARAT`` = ``HUTABARAT``,
   ``LUMBAN TOBING`` = ``LUMBANTOBING``), but never split again for token comparisons.

Double letters inside a token are kept (``MUHAMMAD``): other spellings of the same name that are not
covered by these rules (``SUPRIANTO`` / ``SUPRIYANTO``) stay different in ``name`` and meet in
``name_phonetic`` or in a string-similarity level.

>>> normalize_name("H. MOCH. SOEKARNO, S.Pd")
'MUHAMMAD SUKARNO'
>>> normalize_name("Hj. Siti Nur Hayati")
'SITI NURHAYATI'
>>> normalize_name("Djoko Soesilo")
'JOKO SUSILO'
>>> normalize_name("ABD. RACHMAN BIN H. ACHMAD")
'ABDULRAHMAN'
>>> normalize_name("BELUM ADA") is None
True

Phonetic key
------------
In the spirit of Priyadi's Indonesian phonetic algorithm (2005), because English Soundex/Metaphone treat
Indonesian spellings badly: old spelling -> EYD (step 5 above); ``ph``->``f``, ``kh``->``h`` (AKHMAD =
AHMAD, KHADIJAH = HADIJAH; Priyadi maps kh to k, but in names kh alternates with h), ``dz``->``z``,
``sy``->``s``, ``q``->``k``, ``x``->``ks``, ``v``->``f``; a silent ``h`` after b/c/d/f/g/j/k/p/s/t
(``SHOLEH``, ``DHARMA``) or before a consonant or at the end (``AHMAD``, ``FATIMAH``) is dropped; double
letters collapse; ``ng`` -> ``Q`` and ``ny`` -> ``X`` (one symbol each); ``j``, ``z`` -> ``y`` (except
after ``n``: ``PANJI``), because the old ``j`` is today's ``y`` (``JUSUF`` = ``YUSUF``) and Sundanese
speakers write ``z`` as ``j`` (``ZAENAL`` = ``JAENAL``), but a ``z`` before a consonant or at the end of
the word is first read as ``s`` (``RIZKI`` = ``RISKI``, ``AZIZ`` = ``AZIS``); consonant + ``y`` -> consonant + ``i`` and ``iy`` -> ``i`` (``SURYADI`` =
``SURIADI``, ``SUPRIYANTO`` = ``SUPRIANTO``); ``f``, ``v``, ``b`` -> ``p`` (Sundanese ``PATIMAH``,
``SAEPUDIN``) and ``d`` -> ``t``. Finally vowels are dropped except the first letter and the last letter:
a first vowel is reduced to A / I (e, i) / U (o, u), a last vowel to A (a, o) / I (e, i) / U, so
Javanese -o and Sundanese -a meet (``SUKARNO`` = ``SUKARNA``) but male and female forms stay apart
(``SUSANTO`` != ``SUSANTI``).

>>> phonetic_key("SOEKARNO") == phonetic_key("SUKARNO")
True
>>> phonetic_key("ACHMAD"), phonetic_key("AHMAD"), phonetic_key("SITI"), phonetic_key("SRI")
('AMT', 'AMT', 'STI', 'SRI')

Performance: the Series forms work on distinct values only (``pandas.factorize``); the text cleanup runs
in Arrow, names made of ordinary tokens are assembled from cached per-token results, and only names with a
title, bin/binti, prefix or abbreviation go through the rule engine in Python. A column of 1,000,000 names
with about 300,000 distinct values takes a few seconds.
"""

from __future__ import annotations

import csv
import gc
import re
import unicodedata
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["NAME_COLUMNS", "are_nicknames", "family_names", "initials_agree", "names_close", "normalize_name", "parse_name", "phonetic_key",
           "spouse_name_form",
           "name_sex_table", "combined_name_sex_table", "female_probability", "nyonya_reading"]

#: Columns returned by :func:`parse_name`, in order.
NAME_COLUMNS = ("name", "name_tokens", "name_phonetic", "name_father", "name_nicknames", "name_status",
                "name_had_title")

STATUS_OK = "ok"
STATUS_MISSING = "missing"
STATUS_NO_LETTERS = "no_letters"
STATUS_TEKNONYM = "teknonym"

_CACHE_LIMIT = 2_000_000  # per-token caches are cleared when they grow past this many entries

# --------------------------------------------------------------------------------------------------------
# Character tables
# --------------------------------------------------------------------------------------------------------

_APOSTROPHES = "'`\u2018\u2019\u02bc\u00b4\u02b9\u2032"
_UNI_APOS_TABLE = {ord(c): None for c in _APOSTROPHES}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_LETTER = re.compile(r"[^A-Z]")


def _fold(text: str) -> tuple[str, bool]:
    """Accent folding for non-ASCII text: NFKD, drop combining marks and apostrophes, other non-ASCII
    characters -> space. Returns (text, whether letters or digits were among them, e.g. Arabic script)."""
    nf = unicodedata.normalize("NFKD", text)
    nf = "".join(c for c in nf if not unicodedata.combining(c)).translate(_UNI_APOS_TABLE).upper()
    foreign = any(unicodedata.category(c)[0] in "LN" for c in _NON_ASCII.findall(nf))
    return _NON_ASCII.sub(" ", nf), foreign


def _letters(text: str) -> str:
    return _NON_LETTER.sub("", text.upper())


# --------------------------------------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------------------------------------


def _read_csv(filename: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    text = resources.files("linkmiskin").joinpath("data", filename).read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("#"):  # a free comment line describing the file
        lines = lines[1:]
    rows = list(csv.DictReader(lines))
    missing = [c for c in columns if rows and c not in rows[0]]
    if missing:
        raise ValueError(f"{filename}: missing column(s) {missing}")
    return [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in rows]


_POSITIONS = {"any", "lead", "trail"}


class _Tables:
    """All name knowledge from the data files, loaded once (see :func:`_tables`)."""

    def __init__(self) -> None:
        # -- old spelling rules
        spelling = _read_csv("name_spelling.csv", ("pattern", "replacement", "when", "marker"))
        self.spelling: dict[str, tuple[str, str]] = {}
        markers = []
        for r in spelling:
            pat = r["pattern"].upper()
            if r["when"] not in {"always", "marked", "initial_or_marked"}:
                raise ValueError(f"name_spelling.csv: unknown 'when' {r['when']!r}")
            self.spelling[pat] = (r["replacement"].upper(), r["when"])
            if r["marker"].lower() in {"yes", "y", "true", "1"}:
                markers.append(pat)
        self.markers = tuple(markers)
        self.spelling_re = re.compile("|".join(sorted(self.spelling, key=len, reverse=True)))
        # letters that must be present for any rule to fire (quick skip for most tokens)
        self.spelling_triggers = tuple(sorted(p for p in self.spelling
                                              if not any(q != p and q in p for q in self.spelling)))

        # -- titles and placeholders
        titles = _read_csv("name_titles.csv", ("title", "kind", "position"))
        self.titles: dict[str, str] = {}  # one-token key -> position
        self.merge_titles: dict[str, str] = {}  # key written in several parts (S.PD.I) -> position
        self.placeholders_whole: set[str] = set()
        self.placeholders_first: set[str] = set()
        first_parts: set[str] = set()
        max_parts = 1
        for r in titles:
            written, pos = r["title"].upper(), r["position"]
            if pos == "whole":  # compared with the cleaned value, with and without its spaces
                words = " ".join(_NON_LETTER.sub(" ", written).split())
                self.placeholders_whole.update({words, words.replace(" ", "")})
                continue
            if pos == "first":
                self.placeholders_first.add(_letters(written))
                continue
            if pos not in _POSITIONS:
                raise ValueError(f"name_titles.csv: unknown position {pos!r} for {written!r}")
            key = _letters(written)
            parts = [p for p in _NON_LETTER.split(written) if p]
            self.titles[key] = pos
            if len(parts) > 1:
                self.merge_titles[key] = pos
                # a merge may start at the first part or at the first parts written together (AMD KEB)
                first_parts.update("".join(parts[:j]) for j in range(1, len(parts)))
                max_parts = max(max_parts, len(parts))
        self.merge_first = frozenset(first_parts)

        # -- particles: connectors inside a name (BR., BORU) and teknonyms (OP. GRACE, NAI YOSUA)
        particles = _read_csv("name_particles.csv", ("particle", "kind"))
        kinds: dict[str, set[str]] = {"connector": set(), "teknonym": set()}
        for r in particles:
            if r["kind"] not in kinds:
                raise ValueError(f"name_particles.csv: unknown kind {r['kind']!r} for {r['particle']!r}")
            kinds[r["kind"]].add(_letters(r["particle"]))
        self.connectors = frozenset(kinds["connector"])
        self.teknonyms = frozenset(kinds["teknonym"])

        # -- family names (marga, mado) and their short forms (L.TOBING = LUMBANTOBING)
        family = _read_csv("family_names.csv", ("family_name", "group", "abbreviated"))
        self.family_names = tuple(sorted({r["family_name"].upper() for r in family}))
        self.family_abbrev: dict[tuple[str, str], str] = {}
        for r in family:
            parts = _NON_LETTER.sub(" ", r["abbreviated"].upper()).split()
            if len(parts) == 2:
                self.family_abbrev[(parts[0], parts[1])] = r["family_name"].upper()
            elif parts:
                raise ValueError(f"family_names.csv: abbreviation {r['abbreviated']!r} is not an initial + a word")
        self.abbrev_second = frozenset(b for _, b in self.family_abbrev)
        self.family_set = frozenset(self.family_names)
        self.placeholder_array = pa.array(sorted(self.placeholders_whole), type=pa.string())
        self.max_merge_parts = max_parts

        # -- variants, prefixes, patronyms
        variants = _read_csv("name_variants.csv", ("variant", "canonical", "rule"))
        self.token_map: dict[str, str] = {}
        self.before_name: dict[str, str] = {}
        prefixes: set[str] = set()
        fused_only: set[str] = set()
        patronyms: set[str] = set()
        for r in variants:
            v, c, rule = _letters(r["variant"]), _letters(r["canonical"]), r["rule"]
            if rule == "token":
                self.token_map[v] = c
            elif rule == "before_name":
                self.before_name[v] = c
            elif rule in ("prefix", "fuse"):
                prefixes.add(c)
                if rule == "fuse":  # one word written in two (HUTA BARAT): never split off again
                    fused_only.add(c)
                if v != c:
                    self.token_map[v] = c
            elif rule == "patronym":
                patronyms.add(v)
            else:
                raise ValueError(f"name_variants.csv: unknown rule {rule!r}")
        self.prefixes = frozenset(prefixes)
        self.split_prefixes = frozenset(prefixes - fused_only)  # split off again for token comparisons
        self.prefixes_longest_first = tuple(sorted(prefixes, key=len, reverse=True))
        self.patronyms = frozenset(patronyms)
        # ABDUR RAHMAN (split, assimilated article) is a before_name variant of ABDUL; the same letters
        # undo the article inside one token: ABDURRAHMAN / ABDURAHMAN -> ABDUL + RAHMAN.
        assimilated = sorted({v[-1] for v, c in self.before_name.items()
                              if c == "ABDUL" and len(v) == 5 and v.startswith("ABDU")})
        self.abdu_re = (re.compile(rf"^ABDU([{''.join(assimilated)}])\1?([A-Z]{{3,}})$")
                        if assimilated else None)

        self.token_cache: dict[str, _Tok] = {}
        self.phonetic_cache: dict[str, str] = {}
        self._nicknames: dict[str, tuple[str, ...]] | None = None

    # -- nicknames are canonicalised with the name rules, so they are built after the tables exist
    @property
    def nicknames(self) -> dict[str, tuple[str, ...]]:
        if self._nicknames is None:
            rows = _read_csv("name_nicknames.csv", ("nickname", "formal"))
            nick_std = _standardise([r["nickname"] for r in rows])
            formal_std = _standardise([r["formal"] for r in rows])
            table: dict[str, set[str]] = {}
            for i, r in enumerate(rows):
                nick = nick_std.name[nick_std.index[i]]
                formal = formal_std.name[formal_std.index[i]]
                if nick is None or formal is None:
                    raise ValueError(f"name_nicknames.csv: unusable row {r}")
                for tok in nick.split(" "):
                    table.setdefault(tok, set()).add(formal)
            self._nicknames = {k: tuple(sorted(v - {k})) for k, v in table.items()}
        return self._nicknames


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables()


# --------------------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------------------


class _Tok(NamedTuple):
    canon: str  # canonical token (when it is not followed by another name token)
    ctx: str | None  # canonical token when another name token follows (M -> MUHAMMAD), else None
    title: str | None  # title position ('any' | 'lead' | 'trail') when the token is a title
    patronym: bool  # bin / binti
    special: bool  # needs the rule engine (title, patronym, context rule, prefix, multi-part title start)
    merge_start: bool  # may start a title written in several parts (S of S.PD.I)
    lead_title: bool  # a one-token title that is simply dropped in the leading run (H., HJ., IBU, BPK)
    connector: bool  # a word joining the parts of one name, not compared (BR., BORU)
    teknonym: bool  # may start a teknonym: "grandparent/father/mother of" + a name (OP., NAI, AMAQ)


def _to_eyd(tok: str, T: _Tables) -> str:
    """Old spelling -> EYD for one upper-case token (rules from name_spelling.csv)."""
    if not any(t in tok for t in T.spelling_triggers):
        return tok
    marked = any(m in tok for m in T.markers)
    rules = T.spelling

    def repl(m: re.Match[str]) -> str:
        pat = m.group(0)
        rep, when = rules[pat]
        if when == "always" or (marked and when != "always") or (when == "initial_or_marked" and m.start() == 0):
            return rep
        return pat

    return T.spelling_re.sub(repl, tok)


def _canon_token(tok: str, T: _Tables) -> str:
    v = T.token_map.get(tok)
    if v is not None:
        return v
    eyd = _to_eyd(tok, T)
    if eyd != tok:
        v = T.token_map.get(eyd)
        if v is not None:
            return v
    if T.abdu_re is not None and eyd.startswith("ABDU"):
        m = T.abdu_re.match(eyd)
        if m:
            rest = m.group(1) + m.group(2)
            return "ABDUL" + T.token_map.get(rest, rest)
    # an already fused prefix whose remainder is a known variant: NURMUHAMAD -> NURMUHAMMAD
    for p in T.prefixes_longest_first:
        if eyd.startswith(p) and len(eyd) - len(p) >= 4:
            v = T.token_map.get(eyd[len(p):])
            if v is not None:
                return p + v
    return eyd


def _token_info(tok: str, T: _Tables) -> _Tok:
    info = T.token_cache.get(tok)
    if info is not None:
        return info
    canon = _canon_token(tok, T)
    ctx = T.before_name.get(tok)
    if ctx is None:
        eyd = _to_eyd(tok, T)
        ctx = T.before_name.get(eyd) if eyd != tok else None
    title = T.titles.get(tok)
    patronym = tok in T.patronyms
    merge_start = tok in T.merge_first
    connector = tok in T.connectors
    teknonym = tok in T.teknonyms
    special = (title is not None or patronym or ctx is not None or canon in T.prefixes or merge_start
               or tok in T.placeholders_first or not tok or connector or teknonym or tok in T.abbrev_second)
    lead_title = (title in ("any", "lead") and not merge_start and not patronym and ctx is None
                  and not teknonym)
    info = _Tok(canon, ctx, title, patronym, special, merge_start, lead_title, connector, teknonym)
    if len(T.token_cache) >= _CACHE_LIMIT:
        T.token_cache.clear()
    T.token_cache[tok] = info
    return info


def _merge_length(toks: list[str], i: int, seen_name: bool, T: _Tables) -> int:
    """Number of tokens from ``i`` that spell a title written in parts (S PD I, K H, A MD KEB), or 0."""
    n = len(toks)
    for k in range(min(T.max_merge_parts, n - i), 1, -1):
        parts = toks[i:i + k]
        if any(len(p) > 4 for p in parts):
            continue
        pos = T.merge_titles.get("".join(parts))
        if pos is not None and (pos == "any" or (pos == "trail") == seen_name):
            return k
    return 0


def _strip_titles(toks: list[str], infos: list[_Tok], T: _Tables) -> tuple[list[str], list[_Tok], bool]:
    """One pass of title removal. Returns (kept tokens, their infos, whether anything was removed)."""
    kept: list[str] = []
    kept_infos: list[_Tok] = []
    removed = False
    i, n = 0, len(toks)
    while i < n:
        info = infos[i]
        if info.merge_start and i + 1 < n:
            took = _merge_length(toks, i, bool(kept), T)
            # ENDANG S S PD is the initial S and S.Pd, not S.S. and PD: prefer the title reaching further
            if took and infos[i + 1].merge_start and i + 1 + _merge_length(toks, i + 1, True, T) > i + took:
                took = 0
            if took:
                removed = True
                i += took
                continue
        pos = info.title
        # any: always a title; lead: only before the first name token; trail: only after one
        if pos is not None and (pos == "any" or (pos == "trail") == bool(kept)):
            removed = True
        else:
            kept.append(toks[i])
            kept_infos.append(info)
        i += 1
    return kept, kept_infos, removed


def _name_part(toks: list[str], infos: list[_Tok], T: _Tables, *,
               initials: bool = False) -> tuple[list[str], bool]:
    """Titles out, context variants, prefix fusion. Returns (canonical tokens, had_title). ``initials``: a
    one-letter word is an initial, never expanded (``M. BR SIMAMORA`` is a woman, not MUHAMMAD); so is one
    right before a family name (``M. HUTAGALUNG``: MARTA, MIKAEL or MUHAMMAD, the comparison's level
    ``initials`` agrees with each)."""
    toks, kept, had_title = _strip_titles(toks, infos, T)
    removed = had_title
    while removed:  # initials brought together by a removal may form a title: AGUS S HJ H -> AGUS S H
        toks, kept, removed = _strip_titles(toks, kept, T)
    last = len(kept) - 1
    family = T.family_set
    canon = [info.ctx if info.ctx is not None and j < last and not (
                 len(toks[j]) == 1 and (initials or kept[j + 1].canon in family))
             else info.canon for j, info in enumerate(kept)]
    prefixes = T.prefixes
    out: list[str] = []
    for c in reversed(canon):  # right to left: ABDUL NUR HAYATI -> ABDULNURHAYATI = ABDUL NURHAYATI
        if c in prefixes and out and len(out[-1]) >= 3:
            out[-1] = c + out[-1]
        else:
            out.append(c)
    out.reverse()
    return out, had_title


def _family_short_forms(toks: list[str], infos: list[_Tok], T: _Tables) -> tuple[list[str], list[_Tok]]:
    """A family name's short form after a given name read as the family name (``MARTUA L.TOBING`` ->
    ``MARTUA LUMBANTOBING``; ``data/family_names.csv``)."""
    j = 1
    while j + 1 < len(toks):
        full = T.family_abbrev.get((toks[j], toks[j + 1]))
        if full is not None:
            toks = toks[:j] + [full] + toks[j + 2:]
            infos = infos[:j] + [_token_info(full, T)] + infos[j + 2:]
        j += 1
    return toks, infos


def _is_teknonym(infos: list[_Tok]) -> bool:
    """A name of the form teknonym + a name (``OP. GRACE``, ``NAI YOSUA``, ``IBU AMAQ RUDI``): after any
    leading titles, a teknonym particle followed by a word that is not a title or another particle."""
    i = 0
    while i < len(infos) and infos[i].lead_title:
        i += 1
    if i + 1 >= len(infos) or not infos[i].teknonym:
        return False
    nxt = infos[i + 1]
    return nxt.title is None and not (nxt.connector or nxt.teknonym or nxt.patronym)


def _parse_cleaned(cleaned: str, T: _Tables) -> tuple[str | None, str | None, str, bool]:
    """Rule engine for one cleaned value (upper-case letters and single spaces).

    Returns (name, father, status, had_title)."""
    toks = cleaned.split()
    if not toks:
        return None, None, STATUS_NO_LETTERS, False
    if toks[0] in T.placeholders_first:
        return None, None, STATUS_MISSING, False
    cache = T.token_cache
    infos = [cache.get(t) or _token_info(t, T) for t in toks]
    if _is_teknonym(infos):
        return None, None, STATUS_TEKNONYM, False
    connector = any(i.connector for i in infos)
    if connector:  # MARIA BR. HUTABARAT is compared as MARIA HUTABARAT
        kept = [j for j, i in enumerate(infos) if not i.connector]
        toks, infos = [toks[j] for j in kept], [infos[j] for j in kept]
        if not toks:
            return None, None, STATUS_NO_LETTERS, False
    toks, infos = _family_short_forms(toks, infos, T)
    father_name = None
    n = len(toks)
    for k in range(1, n):
        if infos[k].patronym:  # bin/binti: the father's name runs to the next marker or the end
            end = next((j for j in range(k + 1, n) if infos[j].patronym), n)
            if end > k + 1:
                father = _name_part(toks[k + 1:end], infos[k + 1:end], T)[0]
                father_name = " ".join(father) if father else None
            toks, infos = toks[:k], infos[:k]
            break
    # a woman's name with BR./BORU: a one-letter word is her initial (M. BR SIMAMORA is not MUHAMMAD)
    own, had_title = _name_part(toks, infos, T, initials=connector)
    if not own:
        return None, father_name, STATUS_NO_LETTERS, had_title
    return " ".join(own), father_name, STATUS_OK, had_title


def _is_missing_scalar(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and v != v:
        return True
    return isinstance(v, np.floating) and bool(np.isnan(v))


def _to_text(v: Any) -> str:
    if _is_missing_scalar(v):
        return ""
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "replace")
    return str(v)


def _clean(values: list[Any]) -> tuple[pa.Array, np.ndarray]:
    """Distinct raw values -> (cleaned, empty), vectorised with Arrow.

    cleaned = upper-case letters and single spaces (accents folded, digits and apostrophes dropped, other
    characters -> space). empty = no letters and no digit other than 0 (``""``, ``"-"``, ``"0"``, ``None``):
    a missing value rather than a value without letters (``"123"``)."""
    strs = [v if type(v) is str else _to_text(v) for v in values]
    try:
        arr = pa.array(strs, type=pa.string())
    except (UnicodeError, pa.ArrowException):  # e.g. a lone surrogate read from a broken file
        strs = [v.encode("utf-8", "replace").decode("utf-8") for v in strs]
        arr = pa.array(strs, type=pa.string())
    ascii_ok = pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    foreign = np.zeros(len(strs), dtype=bool)  # symbols that are neither Latin letters nor punctuation
    if not ascii_ok.all():
        for i in np.flatnonzero(~ascii_ok):
            strs[i], foreign[i] = _fold(strs[i].upper())
        arr = pa.array(strs, type=pa.string())
    up = pc.ascii_upper(arr)
    cleaned = pc.replace_substring_regex(up, r"[0-9'`]+", "")
    cleaned = pc.replace_substring_regex(cleaned, r"[^A-Z ]+", " ")
    cleaned = pc.utf8_trim(pc.replace_substring_regex(cleaned, r"  +", " "), " ")
    empty = pc.and_(pc.equal(cleaned, ""), pc.invert(pc.match_substring_regex(up, r"[1-9]")))
    return cleaned, empty.to_numpy(zero_copy_only=False) & ~foreign


class _Std(NamedTuple):
    """Standardised names: one entry per distinct cleaned value plus a trailing missing entry."""

    name: np.ndarray
    father: np.ndarray
    status: np.ndarray
    had_title: np.ndarray
    index: np.ndarray  # distinct raw value -> entry; has one extra trailing element for NA (code -1)


def _standardise(values: list[Any]) -> _Std:
    """The one implementation behind every public function (scalars go through it as 1-element lists).

    Cleanup runs in Arrow. A name whose tokens are all ordinary (no title, bin/binti, context variant,
    prefix or possible multi-part title), apart from a leading run of one-token titles (H. HJ. IBU), is
    built by joining cached canonical tokens in Arrow: the rule engine would do exactly that. The rest go
    through the rule engine in Python (:func:`_parse_cleaned`), once per distinct cleaned value."""
    T = _tables()
    cleaned, missing = _clean(values)
    missing = missing | pc.is_in(cleaned, value_set=T.placeholder_array).to_numpy(zero_copy_only=False)
    enc = pc.dictionary_encode(cleaned)
    uniq = enc.dictionary
    raw_to_u = enc.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    nu = len(uniq)

    names = np.empty(nu + 1, dtype=object)
    father = np.full(nu + 1, None, dtype=object)
    status = np.full(nu + 1, STATUS_OK, dtype=object)
    had = np.zeros(nu + 1, dtype=bool)
    names[nu] = None
    status[nu] = STATUS_MISSING
    if nu:
        lists = pc.split_pattern(uniq, " ")
        offsets = lists.offsets
        tenc = pc.dictionary_encode(lists.flatten())
        tok_idx = tenc.indices
        cache = T.token_cache
        infos = [cache.get(t) or _token_info(t, T) for t in tenc.dictionary.to_pylist()]
        flat = tok_idx.to_numpy(zero_copy_only=False)
        bounds = offsets.to_numpy(zero_copy_only=False)
        starts, sizes = bounds[:-1], np.diff(bounds)
        ninfo = len(infos)
        special = np.fromiter((i.special for i in infos), dtype=bool, count=ninfo)[flat]
        lead = np.fromiter((i.lead_title for i in infos), dtype=bool, count=ninfo)[flat]
        patronym = np.fromiter((i.patronym for i in infos), dtype=bool, count=ninfo)[flat]
        # leading run of one-token titles: no non-title token before it in the same name
        not_lead = (~lead).astype(np.int64)
        before = np.cumsum(not_lead) - not_lead
        in_run = lead & (before == np.repeat(before[starts], sizes))
        run_len = np.add.reduceat(in_run.astype(np.int64), starts)
        after_run = np.minimum(starts + run_len, len(flat) - 1)
        slow_mask = (np.logical_or.reduceat(special & ~in_run, starts)
                     | ((run_len > 0) & ((run_len == sizes) | patronym[after_run])))
        slow = np.flatnonzero(slow_mask)
        keep = ~in_run
        kept_offsets = pa.array(np.concatenate(([0], np.cumsum(sizes - run_len))).astype(np.int32))
        canon = pa.array([i.canon for i in infos], type=pa.string()).take(tok_idx).filter(pa.array(keep))
        joined = pc.binary_join(pa.ListArray.from_arrays(kept_offsets, canon), " ")
        names[:nu] = joined.to_numpy(zero_copy_only=False)
        had[:nu] = run_len > 0
        if len(slow):
            for j, text in zip(slow.tolist(), uniq.take(pa.array(slow)).to_pylist(), strict=True):
                names[j], father[j], status[j], had[j] = _parse_cleaned(text, T)
    index = np.append(np.where(missing, nu, raw_to_u), nu)
    return _Std(names, father, status, had, index)


def _parse_value(v: Any) -> tuple[str | None, list[str], str | None, str, bool]:
    """One value -> (name, tokens, father, status, had_title)."""
    std = _standardise([v])
    i = std.index[0]
    name = std.name[i]
    return name, (name.split(" ") if name else []), std.father[i], std.status[i], bool(std.had_title[i])


# --------------------------------------------------------------------------------------------------------
# Phonetic key
# --------------------------------------------------------------------------------------------------------

_PH_SUBS = (("PH", "F"), ("KH", "H"), ("DZ", "Z"), ("SY", "S"), ("Q", "K"), ("X", "KS"), ("V", "F"))
_SILENT_H_AFTER = re.compile(r"([BCDFGJKPST])H")
_H_NOT_BEFORE_VOWEL = re.compile(r"H(?![AEIOU])")
_DOUBLE = re.compile(r"(.)\1+")
_CONSONANT_Y = re.compile(r"([^AEIOUY])Y")
# z before a consonant or at the end of a word is spoken, and often written, as s (RIZKI / RISKI,
# AZIZ / AZIS, HAFIZ / HAFIS); before a vowel it alternates with j (ZAENAL / JAENAL, ZAKARIA / JAKARIA)
_Z_AS_S = re.compile(r"Z(?![AEIOUY])")
_DEVOICE = str.maketrans({"F": "P", "B": "P", "D": "T"})
_DROP_VOWELS = str.maketrans("", "", "AEIOU")
_FIRST_VOWEL = {"A": "A", "E": "I", "I": "I", "O": "U", "U": "U"}
_LAST_VOWEL = {"A": "A", "O": "A", "E": "I", "I": "I", "U": "U"}


def _phonetic_token(tok: str, T: _Tables) -> str:
    key = T.phonetic_cache.get(tok)
    if key is not None:
        return key
    s = _to_eyd(tok, T)
    for a, b in _PH_SUBS:
        if a in s:
            s = s.replace(a, b)
    if "H" in s:
        s = _SILENT_H_AFTER.sub(r"\1", s)
        s = _H_NOT_BEFORE_VOWEL.sub("", s)
    s = _DOUBLE.sub(r"\1", s)
    s = s.replace("NG", "Q").replace("NY", "X").replace("NJ", "N\x00")
    if "Z" in s:
        s = _Z_AS_S.sub("S", s)
    s = s.replace("J", "Y").replace("Z", "Y")
    s = _CONSONANT_Y.sub(r"\1I", s).replace("\x00", "J")
    s = s.replace("IY", "I").replace("UW", "U").translate(_DEVOICE)
    s = _DOUBLE.sub(r"\1", s)
    if not s:
        key = tok
    elif len(s) == 1:
        key = _FIRST_VOWEL.get(s, s)
    else:
        key = _FIRST_VOWEL.get(s[0], s[0]) + s[1:-1].translate(_DROP_VOWELS) + _LAST_VOWEL.get(s[-1], s[-1])
    if len(T.phonetic_cache) >= _CACHE_LIMIT:
        T.phonetic_cache.clear()
    T.phonetic_cache[tok] = key
    return key


# --------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building hundreds of thousands of small lists (it would
    otherwise rescan them again and again; nothing created here holds reference cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _is_vector(x: Any) -> bool:
    return isinstance(x, (pd.Series, pd.Index, np.ndarray, list, tuple))


def _as_series(x: Any) -> pd.Series:
    if isinstance(x, pd.Series):
        return x
    return pd.Series(list(x) if isinstance(x, (pd.Index, tuple)) else x, dtype=object)


def _factorize(s: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes (NA -> -1) and the distinct values of a Series."""
    if len(s) == 0:
        return np.empty(0, dtype=np.intp), []
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable cells (a list or dict in an object column): read them as text
        codes, uniques = pd.factorize(s.map(lambda v: v if isinstance(v, Hashable) else str(v)),
                                      use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def _object_array(values: list[Any]) -> np.ndarray:
    """1-D object array holding the given objects as they are (lists stay lists)."""
    return np.fromiter(values, dtype=object, count=len(values))


def normalize_name(x: Any) -> Any:
    """Canonical form of a name, or of every name in a pandas Series.

    Args:
        x: a name (``str``; ``None``/``NaN`` and other scalars are accepted) or a Series (a list, tuple,
            array or Index is treated like a Series).

    Returns:
        For a scalar: the canonical name (upper-case tokens joined by one space) or ``None`` when no name
        is left (missing, placeholder, digits only, only a title). For a Series: an object Series with the
        same index and ``None`` for those rows.

    >>> normalize_name("ACHMAD  ABDUR-RAHMAN")
    'AHMAD ABDULRAHMAN'
    >>> normalize_name(None) is None
    True
    """
    if not _is_vector(x):
        return normalize_name(pd.Series([x], dtype=object)).iloc[0]
    s = _as_series(x)
    codes, uniques = _factorize(s)
    with _no_gc():
        std = _standardise(uniques)
    out = std.name.take(std.index.take(codes))
    return pd.Series(out, index=s.index, name=s.name, dtype=object)


#: a married woman written under her husband's name: ``NY. ADITYA PRATAMA``, ``NYONYA BUDI``, ``NY BUDI``
#: (but not the Balinese given name NYOMAN, nor ``BAYI NY. SITI``, an unnamed baby)
_SPOUSE_FORM = re.compile(r"^\s*(?:NY\s*\.|NY\s|NYONYA(?:[\s.]|$))", re.IGNORECASE)


def spouse_name_form(values: Any) -> Any:
    """True where a name is written as ``NY.``/``NYONYA`` + a name: in Indonesian lists either a married
    woman listed under her **husband's** name (Mrs Aditya Pratama) or her own name with a title (Ny. Siti
    Aminah); :func:`nyonya_reading` tells them apart. For one value a bool; for a Series (or list) a boolean
    numpy array, computed once per distinct value.

    >>> spouse_name_form("NY. ADITYA PRATAMA"), spouse_name_form("Nyonya Budi"), spouse_name_form("NYOMAN")
    (True, True, False)
    """
    if isinstance(values, str) or values is None:
        return bool(isinstance(values, str) and _SPOUSE_FORM.match(values))
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    hit = np.fromiter((isinstance(u, str) and bool(_SPOUSE_FORM.match(u)) for u in uniques), dtype=bool,
                      count=len(uniques))
    return np.append(hit, False).take(np.where(codes < 0, len(uniques), codes))


#: a name word's reading is clear when the words of a name say woman (or man) with at least this probability
NAME_SEX_CLEAR = 0.9
#: each word of the seed file (``data/given_names_sex.csv``) counts as this many records of its sex
NAME_SEX_SEED_WEIGHT = 10.0
#: a word's log-odds of being a woman's is capped here, so that one word seen often does not outvote the rest
_MAX_WORD_LOGIT = 6.0


@lru_cache(maxsize=1)
def _seed_name_sex() -> pd.DataFrame:
    """The seed file's words, in canonical spelling, with their sex (``L``/``P``)."""
    rows = _read_csv("given_names_sex.csv", ("name", "sex"))
    bad = sorted({r["sex"] for r in rows} - {"L", "P"})
    if bad:
        raise ValueError(f"given_names_sex.csv: sex must be L or P, got {bad}")
    words = normalize_name(pd.Series([r["name"] for r in rows], dtype=object))
    return pd.DataFrame({"word": words.to_numpy(dtype=object), "sex": [r["sex"] for r in rows]}).dropna()


def name_sex_table(tokens: Any, sex: Any, *, seed: bool = True) -> pd.DataFrame:
    """How many records of each sex carry each name word: ``female``, ``male`` and ``p_female`` (smoothed
    by half a record of each sex) indexed by word, learnt from the records whose sex is known (``sex`` ``L``/``P``), plus the
    seed file's words (:data:`NAME_SEX_SEED_WEIGHT` records each) unless ``seed`` is False.

    >>> t = name_sex_table(pd.Series([["SITI", "AMINAH"], ["BUDI"]]), pd.Series(["P", "L"]), seed=False)
    >>> float(t.loc["SITI", "female"]), float(t.loc["BUDI", "male"]), round(float(t.loc["SITI", "p_female"]), 3)
    (1.0, 1.0, 0.75)
    """
    tok = pd.Series(list(tokens), dtype=object) if not isinstance(tokens, pd.Series) else tokens.reset_index(drop=True)
    sx = pd.Series(np.asarray(sex, dtype=object)).reset_index(drop=True)
    known = sx.isin(["L", "P"]).to_numpy(dtype=bool)
    ex = tok[known].explode().dropna()
    words = pd.DataFrame({"word": ex.to_numpy(dtype=object),
                          "sex": sx.to_numpy(dtype=object)[ex.index.to_numpy()], "w": 1.0})
    if seed:
        words = pd.concat([words, _seed_name_sex().assign(w=NAME_SEX_SEED_WEIGHT)], ignore_index=True)
    counts = (words.pivot_table(index="word", columns="sex", values="w", aggfunc="sum", fill_value=0.0)
              .reindex(columns=["P", "L"], fill_value=0.0))
    out = pd.DataFrame({"female": counts["P"].astype(float), "male": counts["L"].astype(float)})
    out["p_female"] = (out["female"] + 0.5) / (out["female"] + out["male"] + 1.0)
    return out


def combined_name_sex_table(tables: Any, *, seed: bool = True) -> pd.DataFrame:
    """One :func:`name_sex_table` from the unseeded tables (``seed=False``) of several lists: their counts
    added, plus the seed file's words unless ``seed`` is False. It equals the table of all those lists'
    records together, so lists standardised apart (one Spark task each) read words as one job does.

    >>> tok, sex = pd.Series([["SITI"], ["SITI", "BUDI"], ["BUDI"]]), pd.Series(["P", "P", "L"])
    >>> parts = [name_sex_table(tok[:1], sex[:1], seed=False), name_sex_table(tok[1:], sex[1:], seed=False)]
    >>> combined_name_sex_table(parts).equals(name_sex_table(tok, sex))
    True
    """
    parts = [t[["female", "male"]] for t in tables]
    if seed:
        parts.append(name_sex_table(pd.Series([], dtype=object), pd.Series([], dtype=object))[["female", "male"]])
    out = pd.concat(parts).groupby(level=0).sum().astype(float)
    out.columns.name = None
    out["p_female"] = (out["female"] + 0.5) / (out["female"] + out["male"] + 1.0)
    return out


def female_probability(tokens: Any, table: pd.DataFrame) -> np.ndarray:
    """The probability that a name is a woman's, from its words' ``p_female`` in ``table``
    (:func:`name_sex_table`), their log-odds added (capped per word); NaN where no word is in the table.

    >>> t = name_sex_table(pd.Series([["SITI"]] * 9 + [["BUDI"]] * 9), pd.Series(["P"] * 9 + ["L"] * 9), seed=False)
    >>> [round(float(p), 2) for p in female_probability(pd.Series([["SITI", "X"], ["BUDI"], ["X"]]), t)][:2]
    [0.95, 0.05]
    """
    tok = pd.Series(list(tokens), dtype=object) if not isinstance(tokens, pd.Series) else tokens.reset_index(drop=True)
    ex = tok.explode().dropna()
    p = ex.map(table["p_female"]).astype(float)
    logit = np.clip(np.log(p / (1.0 - p)), -_MAX_WORD_LOGIT, _MAX_WORD_LOGIT)
    total = logit.groupby(level=0).sum(min_count=1).reindex(range(len(tok)))
    return (1.0 / (1.0 + np.exp(-total))).to_numpy(dtype=float)


def nyonya_reading(p_female: Any) -> np.ndarray:
    """How ``NY.``/``NYONYA`` + a name is read, from the probability that the name is a woman's: ``own`` (her
    own name with a title) when clearly a woman's, ``husband`` (her husband's name) when clearly a man's,
    ``ambiguous`` otherwise (also when none of its words was seen with a known sex): both readings are kept.

    >>> nyonya_reading([0.97, 0.02, 0.5, float("nan")]).tolist()
    ['own', 'husband', 'ambiguous', 'ambiguous']
    """
    p = np.asarray(p_female, dtype=float)
    out = np.full(p.shape, "ambiguous", dtype=object)
    out[p >= NAME_SEX_CLEAR] = "own"
    out[1.0 - p >= NAME_SEX_CLEAR] = "husband"
    return out


def parse_name(x: Any) -> Any:
    """Canonical name plus tokens, phonetic keys, father name, nickname candidates and quality flags.

    Args:
        x: a name or a Series of names (see :func:`normalize_name`).

    Returns:
        For a scalar: a ``dict`` with the keys of :data:`NAME_COLUMNS`. For a Series: a DataFrame with those
        columns and the same index. See the module documentation for the meaning of each column.

    >>> r = parse_name("SITI NUR HAYATI BINTI H. ABDUL ROCHMAN")
    >>> r["name"], r["name_tokens"], r["name_father"], r["name_status"], r["name_had_title"]
    ('SITI NURHAYATI', ['SITI', 'NURHAYATI'], 'ABDULROHMAN', 'ok', False)
    >>> parse_name("Wawan S.")["name_nicknames"]
    ['DARMAWAN', 'GUNAWAN', 'HERMAWAN', 'IRAWAN', 'KURNIAWAN', 'SETIAWAN']
    """
    if not _is_vector(x):
        row = parse_name(pd.Series([x], dtype=object)).iloc[0]
        return {c: (bool(row[c]) if c == "name_had_title" else row[c]) for c in NAME_COLUMNS}
    s = _as_series(x)
    T = _tables()
    nick = T.nicknames
    codes, uniques = _factorize(s)
    with _no_gc():
        std = _standardise(uniques)
        tokens: list[list[str]] = []
        phon: list[list[str]] = []
        nicks: list[list[str]] = []
        empty: list[str] = []  # shared by every row without tokens / nicknames (read-only)
        phonetic_of = T.phonetic_cache.__getitem__
        nick_keys = nick.keys()
        for name in std.name.tolist():
            if name is None:
                tokens.append(empty)
                phon.append(empty)
                nicks.append(empty)
                continue
            toks = name.split(" ")
            tokens.append(toks)
            try:
                phon.append(list(map(phonetic_of, toks)))
            except KeyError:
                phon.append([_phonetic_token(t, T) for t in toks])
            if nick_keys.isdisjoint(toks):
                nicks.append(empty)
            else:
                found = [nick[t] for t in toks if t in nick]
                nicks.append(sorted(set().union(*found)) if len(found) > 1 else list(found[0]))
    rows = std.index.take(codes)
    data = {
        "name": std.name.take(rows),
        "name_tokens": _object_array(tokens).take(rows),
        "name_phonetic": _object_array(phon).take(rows),
        "name_father": std.father.take(rows),
        "name_nicknames": _object_array(nicks).take(rows),
        "name_status": std.status.take(rows),
        "name_had_title": std.had_title.take(rows),
    }
    return pd.DataFrame(data, index=s.index)


def phonetic_key(x: Any) -> Any:
    """Indonesian phonetic key of a token (or of each token of a multi-word value), or of a Series.

    The key is computed from the letters as written (old spelling is converted, titles and variant
    tables are not applied; :func:`parse_name` gives keys of the canonical tokens). ``None`` when there
    are no letters.

    >>> phonetic_key("DJOKO") == phonetic_key("JOKO"), phonetic_key("YOESOEF") == phonetic_key("JUSUF")
    (True, True)
    >>> phonetic_key("SUTRISNO"), phonetic_key("SUPRIYANTO")
    ('STRSNA', 'SPRNTA')
    """
    if not _is_vector(x):
        return phonetic_key(pd.Series([x], dtype=object)).iloc[0]
    s = _as_series(x)
    T = _tables()
    codes, uniques = _factorize(s)
    cleaned, _ = _clean(uniques)
    keys = [" ".join(_phonetic_token(t, T) for t in text.split(" ")) if text else None
            for text in cleaned.to_pylist()]
    keys.append(None)
    out = np.empty(len(keys), dtype=object)
    out[:] = keys
    return pd.Series(out.take(codes), index=s.index, name=s.name, dtype=object)


def are_nicknames(a: Any, b: Any) -> bool:
    """True when one name holds a known nickname of a token of the other (``WAWAN`` / ``HERMAWAN``), or
    both hold nicknames of the same formal name (``MAMAT`` / ``MEMED``). Identical tokens do not count.

    >>> are_nicknames("Wawan", "H. Hermawan"), are_nicknames("MAMAT", "MEMED"), are_nicknames("ASEP", "UJANG")
    (True, True, False)
    """
    nick = _tables().nicknames
    ta, tb = _parse_value(a)[1], _parse_value(b)[1]
    for x in ta:
        fx = set(nick.get(x, ()))
        for y in tb:
            if x == y:
                continue
            fy = nick.get(y, ())
            if y in fx or x in fy or not fx.isdisjoint(fy):
                return True
    return False


def comparison_tokens(tokens: pd.Series) -> pd.Series:
    """Tokens for token-level comparison: fused prefixes split off again.

    The canonical name fuses ``NUR``, ``NURUL``, ``ABDUL``, ``AL`` with the next token (``NUR HAYATI`` ->
    ``NURHAYATI``) so that both spellings give one canonical form. For *token* comparisons the prefix is
    split off again, so that a dropped part still shares a token: ``ABDUL`` against ``ABDULILHAM`` ->
    ``[ABDUL]`` inside ``[ABDUL, ILHAM]``.

    >>> comparison_tokens(pd.Series([["SITI", "NURHAYATI"], ["ABDUL"]])).tolist()
    [['SITI', 'NUR', 'HAYATI'], ['ABDUL']]
    """
    T = _tables()
    ex = tokens.explode()
    ex = ex[ex.notna()].astype(str)
    if len(ex) == 0:
        return tokens.map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else [])
    alts = "|".join(sorted(T.split_prefixes, key=len, reverse=True))
    parts = ex.str.extract(rf"^({alts})([A-Z]{{3,}})$")
    split = parts[0].notna()
    first = ex.where(~split, parts[0])
    second = parts[1].where(split)
    order = np.arange(len(ex))
    both = pd.concat([
        pd.DataFrame({"row": ex.index.to_numpy(), "o": order, "k": 0, "t": first.to_numpy()}),
        pd.DataFrame({"row": ex.index.to_numpy()[split.to_numpy()], "o": order[split.to_numpy()], "k": 1,
                      "t": second[split].to_numpy()}),
    ]).sort_values(["o", "k"])
    return regroup_lists(both["row"].to_numpy(), both["t"].to_numpy(dtype=object), tokens.index)


def regroup_lists(rows: np.ndarray, values: np.ndarray, index: pd.Index) -> pd.Series:
    """Lists of ``values`` per row label (``rows`` already in the wanted order within each row), as an object
    Series over ``index`` with [] for rows without values. Vectorised: one sort and one split."""
    out = np.empty(len(index), dtype=object)
    pos = index.get_indexer(rows)
    order = np.argsort(pos, kind="stable")
    pos, vals = pos[order], values[order]
    if len(pos):
        cut = np.flatnonzero(pos[1:] != pos[:-1]) + 1
        starts = np.concatenate([[0], cut])
        for p, part in zip(pos[starts], np.split(vals, cut)):
            out[p] = part.tolist()
    for i in np.flatnonzero(pd.isna(pd.Series(out)).to_numpy()):
        out[i] = []
    return pd.Series(out, index=index, dtype=object)


@lru_cache(maxsize=1)
def family_names() -> tuple[str, ...]:
    """The family names (Batak marga, Nias mado...) of ``data/family_names.csv``, as canonical tokens, sorted.

    >>> "SIMANJUNTAK" in family_names(), "SITI" in family_names()
    (True, False)
    """
    names = _tables().family_names
    bad = [n for n in names if normalize_name(n) != n]
    if bad:
        raise ValueError(f"family_names.csv: not written as one canonical word: {bad[:5]}")
    return names


def initials_agree(x: set[str] | list[str], y: set[str] | list[str]) -> bool:
    """True where one name writes a given name of the other as its initial: every one-letter word of one
    starts a longer word of the other, its other words are all words of the other, and at least one whole
    word is shared (``P HUTAPEA`` / ``PUTRI HUTAPEA``; the same rule as the name comparison's level
    ``initials``, :class:`linkmiskin.scoring.comparisons.IndonesianNameComparison`).

    >>> initials_agree(["P", "HUTAPEA"], ["PUTRI", "HUTAPEA"]), initials_agree(["P", "HUTAPEA"], ["SARI", "HUTAPEA"])
    (True, False)
    """
    def of(short: set[str], long: set[str]) -> bool:
        firsts = {w[0] for w in long if len(w) > 1}
        return (any(len(w) == 1 for w in short) and any(len(w) > 1 and w in long for w in short)
                and all(w in long or (len(w) == 1 and w in firsts) for w in short))

    sx, sy = set(x), set(y)
    return of(sx, sy) or of(sy, sx)


def names_close(a: pd.Series, b: pd.Series, *, contained: bool = True) -> np.ndarray:
    """True where two canonical names (two Series of one length) are one person's name written
    differently: equal, the same words in another order (FITRI RINI / RINI FITRI), one name's words all
    inside the other's (ENI / ENI NURHAYATI; left out with ``contained=False``), or a typo (one edit for
    names of five to seven letters, two for longer ones; names of four letters or fewer must be equal:
    DEWI / DEDI are two names), or a given name written as its initial (:func:`initials_agree`). Used on
    pairs already narrowed down (one RT, one cluster), not on a list.

    >>> names_close(pd.Series(["FITRI RINI", "ENI", "DEWI", "JUNAIDI", "P HUTAPEA"]),
    ...             pd.Series(["RINI FITRI", "ENI NURHAYATI", "DEDI", "JUNAEDI", "PUTRI HUTAPEA"])).tolist()
    [True, True, False, True, True]
    """
    import jellyfish

    xs = a.astype(object).to_numpy()
    ys = b.astype(object).to_numpy()
    out = np.zeros(len(xs), dtype=bool)
    for i, (x, y) in enumerate(zip(xs, ys)):
        if not isinstance(x, str) or not isinstance(y, str):
            continue
        if x == y:
            out[i] = True
            continue
        tx, ty = set(x.split()), set(y.split())
        if tx == ty or (contained and (tx <= ty or ty <= tx)):
            out[i] = True
            continue
        if initials_agree(tx, ty):
            out[i] = True
            continue
        short = min(len(x), len(y))
        if short >= 5 and abs(len(x) - len(y)) <= 2:
            out[i] = jellyfish.damerau_levenshtein_distance(x, y) <= (1 if short <= 7 else 2)
    return out
