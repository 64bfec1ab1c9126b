"""Column auto-detection: agency headings -> linkmiskin's canonical fields.

Indonesian agencies name the same field in many ways (``NIK``/``NIK_KTP``, ``NO_KK``/``NOKK``/``NKK``,
``NAMA``/``NAMA_LENGKAP``/``NAMA_KPM``/``NAMA_PESERTA``/``NAMA_ART``, ``TGL_LAHIR``/``TANGGAL_LAHIR``,
``JK``/``JENIS_KELAMIN``, ``HUB_KELUARGA``/``SHDK``, ``DESA``/``KELURAHAN``/``DESA_KELURAHAN``, ``NAMA_IBU``...).
The known headings live in ``data/column_aliases.csv``; add a row there to teach linkmiskin a new one.

Headings are compared after upper-casing and replacing runs of other characters by ``_`` (``"Nama Lengkap"``,
``"nama_lengkap"`` and ``"NAMA-LENGKAP"`` are the same heading). A user mapping ``{canonical_field:
source_column}`` always wins. The chosen mapping is returned and logged.

>>> import pandas as pd
>>> from linkmiskin.standardise.columns import detect_columns
>>> detect_columns(pd.DataFrame(columns=["No", "NIK", "Nama Lengkap", "Tgl Lahir", "Alamat"])).mapping
{'record_id': 'No', 'nik': 'NIK', 'name': 'Nama Lengkap', 'birth_date': 'Tgl Lahir', 'address': 'Alamat'}
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pandas as pd

from linkmiskin.privacy import MaskedError, mask_text

log = logging.getLogger("linkmiskin")

#: Canonical fields in output order.
CANONICAL_FIELDS = (
    "record_id", "nik", "kk", "name", "birth_date", "age", "sex", "relationship", "address", "rt", "rw", "rt_rw",
    "desa", "kecamatan", "kabupaten", "mother_name", "father_name", "decile", "household_key", "list_date",
    "mother_nik", "father_nik", "spouse_name", "spouse_nik",
)
#: fields a heading's role word can move to the subject of the list (TGL_LAHIR_ANAK -> birth_date)
ROLE_BASE_FIELDS = ("nik", "name", "birth_date", "age", "sex")
#: where the name and NIK of a person other than the list's subject go (NAMA_IBU -> mother_name)
ROLE_FIELDS = {
    ("mother", "name"): "mother_name", ("mother", "nik"): "mother_nik",
    ("father", "name"): "father_name", ("father", "nik"): "father_nik",
    ("spouse", "name"): "spouse_name", ("spouse", "nik"): "spouse_nik",
}
#: A source must have at least one of these to be linkable by person.
IDENTIFYING_FIELDS = ("name", "nik")


class ColumnMappingError(MaskedError):
    """A missing, ambiguous or unknown column; the message names the source and the column."""


def heading_key(heading: object) -> str:
    """``"Nama Lengkap"``, ``"nama_lengkap"`` and ``"NAMA-LENGKAP"`` -> ``"NAMA_LENGKAP"``."""
    return re.sub(r"[^A-Z0-9]+", "_", str(heading).upper()).strip("_")


def _heading_keys(column: str) -> tuple[set[str], set[str]]:
    """The keys a column heading is looked up under, as (exact, loose).

    Exact: the heading, and for a duplicated heading that :func:`linkmiskin.standardise.read.read_table` kept as
    ``NIK__2`` the heading it duplicates (so two NIK columns are reported as ambiguous). Loose, used only
    when no heading matches exactly: the heading without a note in brackets (``"Jenis Kelamin (L/P)"``,
    ``"NIK (16 digit)"``).
    """
    base = re.fullmatch(r"(.+?)__\d+", column)
    texts = [column, base.group(1)] if base else [column]
    exact = {heading_key(t) for t in texts}
    loose = {heading_key(re.sub(r"[(\[].*?[)\]]", " ", t)) for t in texts} - exact - {""}
    return exact, loose


@lru_cache(maxsize=1)
def _aliases() -> pd.DataFrame:
    with resources.files("linkmiskin").joinpath("data/column_aliases.csv").open(encoding="utf-8") as f:
        df = pd.read_csv(f, comment="#", dtype=str)
    df["key"] = df["heading"].map(heading_key)
    df["priority"] = df["priority"].astype(int)
    return df


@lru_cache(maxsize=1)
def known_heading_keys() -> frozenset[str]:
    """The keys (:func:`heading_key`) of every heading that agency lists use (``data/column_aliases.csv``)."""
    return frozenset(_aliases()["key"])


@lru_cache(maxsize=1)
def _role_words() -> pd.DataFrame:
    with resources.files("linkmiskin").joinpath("data/column_roles.csv").open(encoding="utf-8") as f:
        df = pd.read_csv(f, comment="#", dtype=str)
    df["parts"] = df["word"].map(lambda w: tuple(heading_key(w).split("_")))
    df["subject_order"] = df["subject_order"].astype(int)
    return df.sort_values("parts", key=lambda p: -p.map(len), kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class HeadingRole:
    """Whose field a heading is: ``role`` (child, mother...), the role ``word`` and the field it names."""

    role: str
    word: str
    field: str | None
    base: str = ""


def heading_role(heading: str) -> HeadingRole | None:
    """The role a heading's words give it (``NAMA_ANAK``: child's name), or None for an unmarked heading.

    The leftmost role word decides (``NAMA_IBU_KANDUNG_ART`` is the mother's name); the words before it name
    the field (a bare role word, ``SUAMI``, is that person's name).

    >>> heading_role("TGL LAHIR ANAK"), heading_role("NIK")
    (HeadingRole(role='child', word='ANAK', field='birth_date', base='TGL_LAHIR'), None)
    >>> heading_role("SUAMI").field, heading_role("NIK_PENGURUS").role
    ('name', 'recipient')
    """
    base = re.fullmatch(r"(.+?)__\d+", heading)
    tokens = heading_key(base.group(1) if base else heading).split("_")
    words = _role_words()
    for start in range(len(tokens)):
        for role, word, parts in zip(words["role"], words["word"], words["parts"], strict=True):
            if tuple(tokens[start:start + len(parts)]) == parts:
                before = "_".join(tokens[:start])
                after = [t for t in tokens[start + len(parts):] if (t,) not in set(words["parts"])]
                rest = before or "_".join(after)
                return HeadingRole(role, word, _base_field(rest) if rest else "name", rest)
    return None


def _base_field(key: str) -> str | None:
    """The person field a heading key (without its role word) names, e.g. ``TGL_LAHIR`` -> birth_date."""
    a = _aliases()
    hit = a[(a["key"] == key) & a["field"].isin(ROLE_BASE_FIELDS)]
    return str(hit.sort_values("priority")["field"].iloc[0]) if len(hit) else None


#: roles from this subject order on (mother, father, spouse, guardian) are the list's subject only when no
#: unmarked heading holds a name or NIK
_RELATIVE_ORDER = 5


def _subject(roles: dict[str, HeadingRole | None], unmarked: set[str]) -> str:
    """The role whose person the list is about (see ``data/column_roles.csv``): names first, then NIKs;
    ``unmarked``: the fields (name, nik) that headings without a role word hold."""
    order = _role_words().drop_duplicates("role").set_index("role")["subject_order"].to_dict()
    for relatives in (False, True):
        if relatives and unmarked:
            break
        for fld in ("name", "nik"):
            if fld in unmarked:
                return "self"
            with_it = {r.role for r in roles.values() if r is not None and r.field == fld
                       and (order.get(r.role, 99) >= _RELATIVE_ORDER) == relatives}
            if with_it:
                return min(with_it, key=lambda r: order.get(r, 99))
    return "self"


def _apply_roles(columns: list[str], keys: dict[str, tuple[set[str], set[str]]], mapping: dict[str, str | None],
                 taken: set[str], detected: dict[str, str]) -> tuple[str, dict[str, HeadingRole]]:
    """Read whose field each heading is: the subject's headings are also looked up without their role word,
    other people's name/NIK go to the mother_/father_/spouse_ fields, and the rest are set aside."""
    # a role word in a heading that names no person field (HUBUNGAN_DENGAN_KEPALA_KELUARGA, JUMLAH_ART)
    # leaves the heading unmarked
    roles = {c: r if r is not None and r.field is not None else None for c, r in
             ((c, heading_role(c)) for c in columns)}
    marked = {c: r for c, r in roles.items() if r is not None}
    if not marked:
        return "self", {}
    a = _aliases()
    unmarked = {f for f in ("name", "nik") if any(
        r is None and keys[c][0] & set(a.loc[a["field"] == f, "key"]) for c, r in roles.items())}
    subject = _subject(roles, unmarked)
    for c, r in marked.items():
        if r.role in ("self", subject):
            if r.base:
                keys[c][0].add(r.base)
            continue
        taken.add(c)
        target = ROLE_FIELDS.get((r.role, r.field or ""))
        if target and target not in mapping and target not in detected and c not in mapping.values():
            detected[target] = c
    return subject, marked


def _role_notes(marked: dict[str, HeadingRole], subject: str, final: dict[str, str]) -> dict[str, str]:
    """What was done with each heading that has a role word, in words for the mapping report."""
    by_col = {c: f for f, c in final.items()}
    notes = {}
    for c, r in marked.items():
        whose = "the person's own" if r.role == "self" else f"the {r.role}'s"
        what = f"{whose} {r.field or 'field'} ({r.word})"
        if c in by_col:
            notes[c] = f"{what} -> {by_col[c]}" + (" (the list's own person)" if r.role in ("self", subject) else "")
        else:
            notes[c] = f"{what}: not this list's person, not used"
    return notes


@dataclass
class ColumnMapping:
    """The columns chosen for one source.

    ``subject`` is whose list it is (``self``, or ``child`` for NAMA_ANAK...); ``roles`` says for each
    heading with a role word what was done with it (``NIK_IBU: the mother's NIK -> mother_nik``).
    """

    source: str
    mapping: dict[str, str]
    detected: dict[str, str] = field(default_factory=dict)
    user: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    subject: str = "self"
    roles: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        parts = [f"{k} <- {v!r}{' (user)' if k in self.user else ''}" for k, v in self.mapping.items()]
        return mask_text(f"ColumnMapping({self.source!r}: " + ", ".join(parts) + ")")

    def report(self) -> str:
        lines = [f"Columns for source {self.source!r}:"]
        for k, v in self.mapping.items():
            lines.append(f"  {k:<12} <- {v}{'   (given by you)' if k in self.user else ''}")
        if self.roles:
            lines.append(f"  the list is about: {self.subject}; headings that say whose field they are:")
            lines += [f"    {col}: {what}" for col, what in self.roles.items()]
        if self.unmapped:
            lines.append("  not used: " + ", ".join(self.unmapped))
        return mask_text("\n".join(lines))


def detect_columns(df: pd.DataFrame, mapping: dict[str, str] | None = None, *, source: str = "data") -> ColumnMapping:
    """Choose the source column for each canonical field.

    Parameters
    ----------
    df:
        The agency table (only its column names are used).
    mapping:
        ``{canonical_field: source_column}`` overrides; ``None`` as a value switches a field off.
    source:
        The source's name, used in messages.

    Raises
    ------
    ColumnMappingError
        when a mapped column is not in the table, a field name is unknown, two headings are equally good
        for one field, or the table has neither a name nor a NIK column.
    """
    mapping = dict(mapping or {})
    columns = [str(c) for c in df.columns]
    for fld, col in mapping.items():
        if fld not in CANONICAL_FIELDS:
            raise ColumnMappingError(
                f"source {source!r}: unknown field {fld!r} in the column mapping; "
                f"known fields: {', '.join(CANONICAL_FIELDS)}")
        if col is not None and col not in columns:
            near = [c for c in columns if heading_key(c) == heading_key(col)]
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ColumnMappingError(
                f"source {source!r}: the mapping says {fld} <- {col!r}, but there is no column {col!r}{hint}; "
                f"columns are: {', '.join(columns)}")
    aliases = _aliases()
    keys = {c: _heading_keys(c) for c in columns}
    taken = {c for c in mapping.values() if c is not None}
    detected: dict[str, str] = {}
    subject, marked = _apply_roles(columns, keys, mapping, taken, detected)
    for fld in CANONICAL_FIELDS:
        if fld in mapping or fld in detected:
            continue
        cand = aliases[aliases["field"] == fld]
        for prio in sorted(cand["priority"].unique()):
            wanted = set(cand.loc[cand["priority"] == prio, "key"])
            # exact headings (a de-duplicated copy such as NIK__2 counts as its heading); else headings
            # that match once a note in brackets is removed
            hits = [c for c in columns if c not in taken and keys[c][0] & wanted]
            if not hits:
                hits = [c for c in columns if c not in taken and keys[c][1] & wanted]
            if len(hits) > 1:
                raise ColumnMappingError(
                    f"source {source!r}: {len(hits)} columns could be the {fld} column: "
                    f"{', '.join(repr(h) for h in hits)}. Say which one with columns={{{source!r}: "
                    f"{{{fld!r}: {hits[0]!r}}}}}")
            if hits:
                detected[fld] = hits[0]
                taken.add(hits[0])
                break
    final = {f: (mapping[f] if f in mapping else detected.get(f)) for f in CANONICAL_FIELDS}
    final = {f: c for f, c in final.items() if c is not None}
    if not any(f in final for f in IDENTIFYING_FIELDS):
        raise ColumnMappingError(
            f"source {source!r}: no name column and no NIK column found (looked for headings such as "
            f"NAMA, NAMA_LENGKAP, NAMA_KPM, NAMA_PESERTA, NIK, NIK_KTP); columns are: {', '.join(columns)}. "
            f"Map one with columns={{{source!r}: {{'name': '<column>'}}}}")
    cm = ColumnMapping(source=source, mapping=final, detected=detected,
                       user={k: v for k, v in mapping.items() if v is not None},
                       unmapped=[c for c in columns if c not in final.values()],
                       subject=subject, roles=_role_notes(marked, subject, final))
    log.info("%s", cm.report())
    return cm
