"""Column auto-detection: agency headings -> linkmiskin's canonical fields.

Indonesian agencies name the same field in many ways (``NIK``/``NIK_KTP``, ``NO_KK``/``NOKK``/``NKK``,
``NAMA``/``NAMA_LENGKAP``/``NAMA_KPM``/``NAMA_PESERTA``/``NAMA_ART``, ``TGL_LAHIR``/``TANGGAL_LAHIR``,
``JK``/``JENIS_KELAMIN``, ``HUB_KELUARGA``/``SHDK``, ``DESA``/``KELURAHAN``/``DESA_KELURAHAN``, ``NAMA_IBU``...).
The known headings live in ``data/column_aliases.csv``; add a row there to teach linkmiskin a new one.

Headings are compared after upper-casing and replacing runs of other characters by ``_`` (``"Nama Lengkap"``,
``"nama_lengkap"`` and ``"NAMA-LENGKAP"`` are the same heading). A user mapping ``{canonical_field:
source_column}`` always wins. The chosen mapping is returned and logged.

>>> import pandas as pd
>>> from linkmiskin.columns import detect_columns
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

from .privacy import MaskedError, mask_text

log = logging.getLogger("linkmiskin")

#: Canonical fields in output order.
CANONICAL_FIELDS = (
    "record_id", "nik", "kk", "name", "birth_date", "age", "sex", "relationship", "address", "rt", "rw", "rt_rw",
    "desa", "kecamatan", "kabupaten", "mother_name", "father_name", "decile", "household_key", "list_date",
)
#: A source must have at least one of these to be linkable by person.
IDENTIFYING_FIELDS = ("name", "nik")


class ColumnMappingError(MaskedError):
    """A missing, ambiguous or unknown column; the message names the source and the column."""


def heading_key(heading: object) -> str:
    """``"Nama Lengkap"``, ``"nama_lengkap"`` and ``"NAMA-LENGKAP"`` -> ``"NAMA_LENGKAP"``."""
    return re.sub(r"[^A-Z0-9]+", "_", str(heading).upper()).strip("_")


def _heading_keys(column: str) -> tuple[set[str], set[str]]:
    """The keys a column heading is looked up under, as (exact, loose).

    Exact: the heading, and for a duplicated heading that :func:`linkmiskin.io.read_table` kept as
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


@dataclass
class ColumnMapping:
    """The columns chosen for one source."""

    source: str
    mapping: dict[str, str]
    detected: dict[str, str] = field(default_factory=dict)
    user: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        parts = [f"{k} <- {v!r}{' (user)' if k in self.user else ''}" for k, v in self.mapping.items()]
        return mask_text(f"ColumnMapping({self.source!r}: " + ", ".join(parts) + ")")

    def report(self) -> str:
        lines = [f"Columns for source {self.source!r}:"]
        for k, v in self.mapping.items():
            lines.append(f"  {k:<12} <- {v}{'   (given by you)' if k in self.user else ''}")
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
    for fld in CANONICAL_FIELDS:
        if fld in mapping:
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
                       unmapped=[c for c in columns if c not in final.values()])
    log.info("%s", cm.report())
    return cm
