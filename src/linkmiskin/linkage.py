"""Link agency lists into persons and households: :func:`link` and :class:`Linker`.

>>> import linkmiskin as lm
>>> result = lm.link({"dtks": "dtks.xlsx", "p3ke": "p3ke.csv", "bpjs": "bpjs_pbi.csv"},
...                  region="32.16")                                             # doctest: +SKIP
>>> result.records[["source", "record_id", "person_id", "household_id", "person_confidence"]]  # doctest: +SKIP
>>> result.households.head()                                                      # doctest: +SKIP
>>> result.save("hasil_linkage")                                                  # doctest: +SKIP

Step by step, with a saved model::

    linker = lm.Linker(sources, region="32.16")
    linker.train()
    pairs = linker.predict()
    result = linker.cluster()            # threshold chosen by the model, or cluster(0.95)
    linker.save_model("model.json")
    again = lm.Linker.load("model.json", sources=sources, region="32.16")   # no retraining
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from linkmiskin import __version__
from linkmiskin.clustering.cannot_link import _RECORD_COLUMNS
from linkmiskin.clustering.household_context import join_same_name_in_household
from linkmiskin.clustering.households import household_clusters
from linkmiskin.clustering.persons import person_clusters
from linkmiskin.memory import SpilledColumns, holds_lists, release_memory, shared_strings, with_shared_strings
from linkmiskin.privacy import MaskedError, mask_text
from linkmiskin.scoring.levels import gammas, levels_by_gamma
from linkmiskin.scoring.model import (
    MODEL_COLUMNS,
    hash_as_objects,
    kinds_of_model,
    model_table,
    settings,
    train_with_report,
)
from linkmiskin.scoring.model_file import check_threshold, checked_model, read_model_file
from linkmiskin.standardise.columns import ColumnMapping
from linkmiskin.standardise.read import SourceError, TableLike

log = logging.getLogger("linkmiskin")

#: Pairs scored below this probability are not kept (they carry no weight in clusters or estimates).
MIN_KEPT_PROBABILITY = 0.001


class LinkError(MaskedError):
    """Input that cannot be linked; the message names the source."""


def _progress(enabled: bool):
    class _P:
        def __init__(self) -> None:
            self.t0 = time.perf_counter()
            self.bar = None
            if enabled:
                try:
                    from tqdm.auto import tqdm
                    self.bar = tqdm(total=4, desc="linkmiskin", unit="step", leave=False)
                except Exception:  # pragma: no cover - tqdm missing or broken
                    self.bar = None

        def step(self, what: str) -> None:
            log.info("[%.1fs] %s", time.perf_counter() - self.t0, what)
            if self.bar is not None:
                self.bar.set_postfix_str(what)
                self.bar.update(1)

        def close(self) -> None:
            if self.bar is not None:
                self.bar.close()

    return _P()


def _per_source(value: Any, name: str) -> Any:
    """The value of a per-source option (one value for all sources, or ``{source: value}``) for ``name``."""
    if isinstance(value, dict):
        return value.get(name)
    return value


def _check_per_source(value: Any, sources: dict, what: str) -> None:
    if isinstance(value, dict) and set(value) - set(sources):
        raise LinkError(f"{what}= names sources that are not in sources: {sorted(set(value) - set(sources))}")


def _standardize_sources(sources: dict[str, TableLike], columns: dict[str, dict[str, str]] | None,
                         region: str | None, *, list_date: Any = None, header: Any = None,
                         saved: dict | None = None, kept: dict | None = None, settle: bool = True,
                         name_sex: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict[str, ColumnMapping]]:
    """All lists standardised and concatenated, with the column mapping of each. ``saved`` (an update's
    previous standardised lists, :mod:`linkmiskin.standardise.reuse`): an unchanged list takes its rows from
    there; ``kept`` (a dict) receives each list's rows for the next update. ``settle=False`` leaves the
    unclear ``NY.`` names unclear, ``name_sex`` settles them with the job's words instead of these lists'
    (:func:`linkmiskin.standardise.records.settle_unclear_nyonya_names`; the Spark backend standardises each
    list on its own task)."""
    from linkmiskin.standardise.records import settle_unclear_nyonya_names
    from linkmiskin.standardise.reuse import compact_list, standardised_list

    if not isinstance(sources, dict) or not sources:
        raise LinkError("sources must be a non-empty dict {source_name: DataFrame or file path}")
    if columns is not None and not isinstance(columns, dict):
        raise LinkError(f"columns must be a dict {{source_name: {{field: column}}}}, got {type(columns).__name__}")
    columns = columns or {}
    unknown = set(columns) - set(sources)
    if unknown:
        raise LinkError(f"columns= names sources that are not in sources: {sorted(unknown)}")
    _check_per_source(list_date, sources, "list_date")
    _check_per_source(header, sources, "header")
    frames, mappings = [], {}
    for name, src in sources.items():
        if not isinstance(name, str) or not name or "'" in name:
            raise LinkError(f"source name {name!r} must be a non-empty string without apostrophes")
        if not isinstance(src, (pd.DataFrame, str, os.PathLike)):
            raise LinkError(f"source {name!r} is {'None' if src is None else 'a ' + type(src).__name__}: "
                            "give a DataFrame or the path of a CSV, Excel or Parquet file")
        cols = columns.get(name)
        if cols is not None and (not isinstance(cols, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in cols.items())):
            raise LinkError(f"columns for source {name!r} must be a dict {{field: column heading}} such as "
                            f"{{'name': 'NAMA_KRT'}}, got {cols!r}")
        if isinstance(src, pd.DataFrame) and len(src) == 0:
            raise LinkError(f"source {name!r} is empty (0 rows)")
        src_date = _per_source(list_date, name)
        src_header = None if isinstance(src, pd.DataFrame) else _per_source(header, name)
        std, keep, _ = standardised_list(name, src, columns.get(name), region, src_date, src_header, saved)
        if kept is not None:
            kept[name] = compact_list(keep)   # the rows stay only in the joined table (then in records)
        if len(std) == 0:
            raise LinkError(f"source {name!r} is empty (0 rows)")
        dup = std["record_id_status"].eq("duplicate")
        if dup.any():
            ex = std.loc[dup, "record_id"].astype(str).unique()[:5]
            raise LinkError(mask_text(
                f"source {name!r}: {int(dup.sum())} records share a record id (e.g. {', '.join(ex)}); "
                f"record ids must be unique within a source. Map another id column with "
                f"columns={{{name!r}: {{'record_id': '<column>'}}}} or drop the id column to number rows."))
        frames.append(std)
        mappings[name] = std.attrs["column_mapping"]
    allstd = _concat_sources(frames)
    if settle:
        allstd = settle_unclear_nyonya_names(allstd, name_sex)
    with_shared_strings(allstd)   # (a status or desa name: one string for all the rows, not one each)
    allstd.insert(0, "unique_id", np.arange(len(allstd), dtype=np.int64))
    return allstd, mappings


def _concat_sources(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)`` of standardised sources. Sources with the same columns and
    dtypes (as :func:`linkmiskin.standardise.records.standardize` makes them) are joined column by column: the
    same frame, without pandas checking every value of a column that is empty in one source (about a
    second at 50,000 households).

    >>> a = pd.DataFrame({"x": ["A", None]}); b = pd.DataFrame({"x": [None, None]})
    >>> _concat_sources([a, b]).equals(pd.concat([a, b], ignore_index=True))
    True
    """
    first = frames[0]
    if any(list(f.columns) != list(first.columns) or not f.dtypes.equals(first.dtypes) for f in frames[1:]):
        return pd.concat(frames, ignore_index=True)
    # (copy=False: the joined columns are new arrays; pandas would copy them again into blocks)
    return pd.DataFrame({c: pd.concat([f[c] for f in frames], ignore_index=True) for c in first.columns}, copy=False)


def canonical_order(table: pd.DataFrame) -> np.ndarray:
    """A content-derived order of the model table's records: the input positions sorted by a hash of each
    record's source and compared fields, then by source and record id. Shuffling a list's rows or the
    order of the sources gives the same order, so the model and the clusters do not depend on them.

    >>> t = pd.DataFrame({"unique_id": [0, 1], "source": ["b", "a"], "record_id": ["1", "1"], "name": ["X", "X"]})
    >>> canonical_order(t).tolist() == canonical_order(t.iloc[::-1].reset_index(drop=True))[::-1].tolist()
    True
    """
    key = pd.DataFrame({"h": row_hashes(table).view(np.uint64),
                        "s": table["source"].astype(str).to_numpy(), "r": table["record_id"].astype(str).to_numpy()})
    return key.sort_values(["h", "s", "r"], kind="stable").index.to_numpy(dtype=np.int64)


def row_hashes(table: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash (as int64) of each model-table record's source and compared fields (every column but
    ``unique_id``, ``record_id`` and the list columns, which derive from a scalar one)."""
    content = [c for c in table.columns if c not in ("unique_id", "record_id") and not holds_lists(table[c])]
    return hash_as_objects(table, content)


def update_row_hashes(con: duckdb.DuckDBPyConnection, table: pd.DataFrame, model: dict, *,
                      columns: list[str] | None = None, list_columns: list[str] | None = None) -> np.ndarray:
    """The hash an update compares (:func:`linkmiskin.clustering.updates.unchanged_records`) of each record
    of ``lm_records`` (``table`` loaded in DuckDB), by ``unique_id``, as int64: DuckDB's hash of the
    record's source and compared fields (every column but ``unique_id``, ``record_id`` and the list columns,
    which derive from a scalar one). The columns counted over the whole table, which move a little with
    every added record, enter only as what the model reads of them: ``name_rarity`` below the name
    comparison's rare threshold or not, each block size (:data:`linkmiskin.scoring.model.CAPPED_BLOCKS`)
    within the blocking rules' cap or not. Equal hashes of a record in two runs (of one DuckDB version)
    then mean the model blocks and compares it the same way. ``columns`` and ``list_columns``: the table's
    columns and which hold lists, when ``table`` holds only some of them (:class:`linkmiskin.memory.SpilledColumns`)."""
    from linkmiskin.scoring.levels import _creators
    from linkmiskin.scoring.model import BLOCK_CAP, CAPPED_BLOCKS

    if not len(table):
        return np.zeros(0, dtype=np.int64)
    rare = getattr(_creators(model).get("name"), "rare_threshold", None)
    parts = []
    lists = set(list_columns) if list_columns is not None else {c for c in table.columns if holds_lists(table[c])}
    for c in (columns if columns is not None else table.columns):
        if c in ("unique_id", "record_id") or c in lists:
            continue
        q = '"' + c.replace('"', '""') + '"'
        if c == "name_rarity" and rare is not None:
            parts.append(f"{q} < {float(rare)!r}")
        elif c in CAPPED_BLOCKS:
            parts.append(f"{q} <= {int(BLOCK_CAP)}")
        else:
            parts.append(q)
    h = con.execute(f"SELECT hash({', '.join(parts)}) AS h FROM lm_records ORDER BY unique_id").fetchnumpy()["h"]
    return np.asarray(h, dtype=np.uint64).view(np.int64)


def _reordered(df: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """``df`` rows in ``order`` with ``unique_id`` renumbered 0..n-1 in that order."""
    # (iloc made a new frame: set_axis renumbers it without the second copy reset_index makes)
    out = df.iloc[order].set_axis(pd.RangeIndex(len(order)), axis=0, copy=False)
    out["unique_id"] = np.arange(len(out), dtype=np.int64)
    out.attrs = dict(df.attrs)
    return out


def _std_from_records(held: pd.DataFrame, columns: list[str], attrs: dict, order: np.ndarray) -> pd.DataFrame:
    """The standardised records in canonical ``order`` (input positions) from their columns in input order
    (``held``), with ``unique_id`` and the columns in their order (:attr:`Linker._std`)."""
    out = _reordered(held, order)[columns]
    out.attrs = dict(attrs)
    return out


def choose_threshold(p: np.ndarray, *, floor: float = 0.5, ceiling: float = 0.99) -> float:
    """The threshold that maximises the model's own expected F1 (label-free), kept in [floor, ceiling].

    Expected true matches above t = sum of p over pairs with p >= t; expected matches in all = sum of p.
    """
    p = np.sort(np.asarray(p, dtype=float))[::-1]
    if len(p) == 0:
        return 0.9
    cum = np.cumsum(p)
    total = cum[-1]
    k = np.arange(1, len(p) + 1)
    f1 = 2 * cum / (k + total)
    cand = (p >= floor) & (p <= ceiling)
    if not cand.any():
        return float(np.clip(0.9, floor, ceiling))
    i = int(np.argmax(np.where(cand, f1, -1)))
    return float(np.floor(p[i] * 1e6) / 1e6)  # never above the chosen pair's probability


@dataclass
class LinkResult:
    """What :func:`link` returns.

    Attributes
    ----------
    records:
        One row per input record: ``source, record_id, person_id, household_id, person_confidence,
        household_confidence``, ``link_reason``, ``kept_apart_by`` (the cannot-link rules that kept the
        record from a record it scored above the threshold with), the standardised fields and their flags.
    pairs:
        Scored record pairs: ``source_l, record_id_l, source_r, record_id_r, match_probability,
        match_weight``, per comparison the level that applied (``nik_level``, ``name_level``...) and its
        stable key (``nik_level_key``, ``name_level_key``...; :mod:`linkmiskin.scoring.levels`) and
        ``agreeing_evidence``, as pandas categoricals (one small code per pair; they compare like text), and
        ``cannot_link_rule``: the cannot-link rule that kept the pair apart ('' where none did).
    households:
        One row per household: size, members (``source:record_id``), persons, the programmes (sources) that
        list it.
    column_mapping:
        The column mapping used for each source.
    threshold:
        The person match threshold used, and ``threshold_source`` says how it was chosen.
    metadata:
        Facts about the inputs: ``metadata["pseudonymised_sources"]`` lists the sources whose NIK/KK were
        keyed pseudonyms (:func:`linkmiskin.pseudonymise`), linked on exact token equality;
        ``metadata["training"]`` says how the model was trained: the comparisons chosen for the data, the
        prior, and per comparison ``anchors`` (which rule), ``em`` or ``prior`` (``docs/training.md``).
        ``metadata["diagnostics"]`` lists where the data look unlike what the model assumes (damaged NIKs,
        names that repeat, empty mapped columns, few anchor pairs, unresolved desa), each also warned in
        plain words (see :mod:`linkmiskin.report.diagnostics`). ``metadata["household_context"]`` gives the
        shares, measured on this data, that decide whether persons of one household with one name are
        joined (:mod:`linkmiskin.clustering.household_context`; such records say
        ``linked: same_name_in_household`` in ``link_reason``).
    """

    records: pd.DataFrame
    pairs: pd.DataFrame
    households: pd.DataFrame
    column_mapping: dict[str, ColumnMapping]
    threshold: float
    threshold_source: str = "model"
    model: dict | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: how the threshold was calibrated (set by :func:`linkmiskin.review.calibration.recluster`), saved with the result
    calibration: dict | None = None
    #: how the result was made: ``row_order`` (per source and list-order rule: used, the share that proved
    #: it, why), ``cannot_link_off`` (rules switched off, by the user or by the data), ``cannot_link`` (each
    #: rule checked against reference pairs of this data: how many, how often it fired, whether it stayed
    #: on; :func:`linkmiskin.clustering.cannot_link.check_rules`), ``pseudonymised_sources`` (sources whose NIK/KK
    #: were keyed pseudonyms, :func:`linkmiskin.pseudonymise`, linked on exact token equality); saved
    metadata: dict = field(default_factory=dict)
    _linker: Any = field(default=None, repr=False, compare=False)
    #: kabupaten/kota code the lists were linked for
    region: str | None = None
    #: snapshot date of each list (``{"dtks": "2025-01-31"}``), used by the survivorship rules
    snapshots: dict | None = None
    #: one golden row per person (see :mod:`linkmiskin.clustering.golden`); computed when the result is made
    persons: pd.DataFrame | None = field(default=None, repr=False)
    #: after an update (``link(..., previous=...)``): one row per id that changed (see :mod:`linkmiskin.clustering.updates`)
    changes: pd.DataFrame | None = field(default=None, repr=False)
    #: every person and household id ever issued, with its status (saved with the result)
    id_registry: pd.DataFrame | None = field(default=None, repr=False)
    #: how many links made these ids (1 for a first link, +1 per update)
    run: int = 1
    #: ``source, record_id, row_hash`` of every record's model-table row (:func:`row_hashes`): the next
    #: update reuses the scored pairs between records whose hash did not change (saved, parquet)
    row_hashes: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: each source's input fingerprint and what rebuilds its standardised rows from ``records``
    #: (:class:`linkmiskin.standardise.reuse.SavedList`): the next update reuses the rows of a list whose input
    #: did not change (saved, parquet, unless ``mask_ids``)
    standardised: dict | None = field(default=None, repr=False, compare=False)
    #: per record, the hash of what its golden rows read (:func:`linkmiskin.clustering.golden_update.golden_signatures`)
    golden_signatures: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        from linkmiskin.clustering import golden

        if self.standardised is None and self._linker is not None:
            self.standardised = getattr(self._linker, "_standardised", None) or None
        if getattr(self._linker, "_defer_golden", False):   # link() replaces the ids first
            return
        if self.persons is None:
            self.persons = golden.persons_table(self.records, snapshots=self.snapshots)
        if "head_person_id" not in self.households.columns:
            self.households = golden.households_table(self.records, self.persons, self.households,
                                                      snapshots=self.snapshots)
        if self.id_registry is None:
            from linkmiskin.clustering.updates import new_registry
            self.id_registry = new_registry(self.records["person_id"], self.records["household_id"], self.run)

    def crosswalk(self, source: str, table: TableLike | None = None) -> pd.DataFrame:
        """The agency's own rows of ``source`` (all its columns, in its order) with ``person_id``,
        ``household_id`` and ``person_confidence`` appended. ``table`` is the list itself, needed only for a
        result loaded from a folder (the linked file is re-read otherwise)."""
        from linkmiskin.report.exports import crosswalk
        return crosswalk(self, source, table)

    def to_excel(self, path: str | os.PathLike, *, by: str = "desa", mask_ids: bool = True) -> Path:
        """Verification workbook(s) for village officers: households with their members, one sheet per desa
        (``by="desa"``); NIK and KK are masked unless ``mask_ids=False``."""
        from linkmiskin.report.exports import to_excel
        return to_excel(self, path, by=by, mask_ids=mask_ids)

    def __repr__(self) -> str:
        n = len(self.records)
        return (f"LinkResult({n} records, {self.records['person_id'].nunique()} persons, "
                f"{self.records['household_id'].nunique()} households, {len(self.pairs)} scored pairs, "
                f"threshold={self.threshold:.3g} ({self.threshold_source}))")

    def explain(self, record_a: tuple[str, str], record_b: tuple[str, str]) -> Any:
        """Why two records, given as ``(source, record_id)``, were or were not made one person and one
        household: every comparison's level with m, u and weight, the prior and total, the blocking rules,
        the cannot-link rule, and the decisions. Returns a :class:`linkmiskin.scoring.explain.Explanation`
        (``.table``, ``.summary()``, ``.chart()`` for an offline SVG waterfall).

        >>> ex = result.explain(("dtks", "D-0001"), ("p3ke", "P-0001"))   # doctest: +SKIP
        >>> print(ex.summary())                                          # doctest: +SKIP
        """
        from linkmiskin.scoring.explain import explain

        return explain(self, record_a, record_b)

    def summary(self) -> pd.DataFrame:
        r = self.records
        return pd.DataFrame({
            "records": r.groupby("source").size(),
            "persons": r.groupby("source")["person_id"].nunique(),
            "households": r.groupby("source")["household_id"].nunique(),
        })

    def save(self, directory: str | os.PathLike, *, formats: tuple[str, ...] = ("parquet", "csv"),
             mask_ids: bool = False) -> Path:
        """Write records, pairs and households, the column mapping, the model and metadata (threshold and
        how it was chosen) to ``directory``.

        ``formats``: any of ``"parquet"``, ``"csv"`` and ``"xlsx"`` (one workbook per table; a table longer
        than an Excel sheet is an error). CSV and Excel cells that start with ``=``, ``+``, ``-`` or ``@``
        are written as text (:mod:`linkmiskin.safe_cells`). The files hold **full NIK and KK** numbers
        unless ``mask_ids=True``, which masks the NIK/KK columns and every run of 15+ digits (a record id
        that is a NIK, a heading) in every file written.

        The folder may already hold an earlier result: files that an earlier ``save`` wrote (listed in its
        ``linkmiskin_files.json``) and this one does not rewrite are removed, so no stale table stays
        beside the new ones; other files are left alone, with a warning naming them.
        """
        formats = _check_formats(formats)
        d = Path(directory)
        if d.exists() and not d.is_dir():
            raise LinkError(f"cannot save into {d}: it is a file, not a folder")
        d.mkdir(parents=True, exist_ok=True)
        tables = {}
        for name, df in (("records", self.records), ("pairs", self.pairs), ("households", self.households)):
            out = df.copy()
            for c in out.columns:   # (a categorical, e.g. a pair's level, holds no lists)
                if not isinstance(out[c].dtype, pd.CategoricalDtype) and out[c].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
                    out[c] = out[c].map(lambda v: "|".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
            tables[name] = _masked_table(out) if mask_ids else out
        if "xlsx" in formats:
            from linkmiskin.safe_cells import EXCEL_MAX_ROWS
            big = [f"{k} ({len(v):,} rows)" for k, v in tables.items() if len(v) >= EXCEL_MAX_ROWS]
            if big:
                raise LinkError(f"cannot save as xlsx: {', '.join(big)} do not fit in an Excel sheet; "
                                "use formats=('parquet', 'csv')")
        written = _save_tables(tables, d, formats)
        mapping = {k: v.mapping for k, v in self.column_mapping.items()}
        meta = {
            "linkmiskin_version": __version__,
            "threshold": self.threshold,
            "threshold_source": self.threshold_source,
            "timings_seconds": self.timings,
            "calibration": self.calibration,
            "column_mapping": json.loads(mask_text(json.dumps(mapping))) if mask_ids else mapping,
            "ids_masked": bool(mask_ids),
            "pseudonymised_sources": self.metadata.get("pseudonymised_sources", []),
            "metadata": json.loads(mask_text(json.dumps(self.metadata, default=str))) if mask_ids else self.metadata,
        }
        (d / "metadata.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        written.append("metadata.json")
        if self.model is not None:
            (d / "model.json").write_text(json.dumps(self.model, indent=1, default=str), encoding="utf-8")
            written.append("model.json")
        from linkmiskin.report.exports import save_extras
        written += [f for f in save_extras(self, d, formats=formats, mask_ids=mask_ids) if f not in written]
        if not mask_ids and "parquet" in formats:   # standardised lists hold NIKs: never with mask_ids
            from linkmiskin.standardise.reuse import save_lists
            written += save_lists(self.standardised, d, self.records)
        _tidy_folder(d, written)
        return d


class Linker:
    """Step-by-step person and household linkage.

    Parameters
    ----------
    sources:
        ``{source_name: DataFrame or path}`` (CSV, Excel, Parquet).
    columns:
        ``{source_name: {canonical_field: source_column}}`` for columns auto-detection should not guess.
    region:
        Kemendagri code scoping region resolution, e.g. ``"32.16"`` (Kabupaten Bekasi).
    progress:
        Show a progress bar and log each step.
    cannot_link_off:
        Names of cannot-link rules (:data:`linkmiskin.clustering.cannot_link.RULES`) to switch off.
    cannot_link_check:
        ``True`` (default): a rule that fires on too many pairs this data shows to be one person by other
        evidence is switched off for the job (:func:`linkmiskin.clustering.cannot_link.check_rules`, with a
        warning; ``result.metadata["cannot_link"]``); ``False`` keeps every rule on unless named in
        ``cannot_link_off``.
    use_row_order:
        ``"auto"`` (default): the household rules that read a list's row order (a family's rows follow each
        other, head first) run on a list only when its own data proves that order; ``True`` trusts every
        list's order; ``False`` never reads it. ``result.metadata["row_order"]`` reports each rule per list.
    backend, spark:
        ``backend="spark"`` with ``spark=<SparkSession>`` gives a :class:`linkmiskin.spark_backend.SparkLinker`
        (train, predict and person clustering on Spark; docs/spark.md).
    """

    def __new__(cls, *args: Any, backend: str = "duckdb", spark: Any = None, **kwargs: Any) -> Any:
        if backend == "spark":  # Spark DataFrames in and out: linkmiskin.spark_backend.SparkLinker
            from linkmiskin.spark_backend import SparkLinker
            return SparkLinker(*args, spark=spark, **kwargs)
        return super().__new__(cls)

    def __init__(self, sources: dict[str, TableLike] | None = None, columns: dict[str, dict[str, str]] | None = None,
                 region: str | None = None, *, progress: bool = True, seed: int = 42,
                 cannot_link_off: tuple[str, ...] | list[str] = (), use_row_order: str | bool = "auto",
                 backend: str = "duckdb", spark: Any = None, cannot_link_check: bool = True) -> None:
        from linkmiskin.clustering.cannot_link import RULES

        if backend not in ("duckdb", "spark"):
            raise LinkError(f"backend must be 'duckdb' or 'spark', got {backend!r}")

        if use_row_order not in ("auto", True, False):
            raise LinkError(f"use_row_order must be 'auto', True or False, got {use_row_order!r}")
        self.use_row_order = use_row_order

        unknown = sorted(set(cannot_link_off) - set(RULES))
        if unknown:
            raise LinkError(f"unknown cannot-link rule(s) {unknown}; the rules are: {', '.join(RULES)}")
        self.cannot_link_off = tuple(cannot_link_off)
        self.cannot_link_check = bool(cannot_link_check)
        if region is not None:
            from linkmiskin.standardise.regions import validate_region
            region = validate_region(region)
        self.region = region
        self.columns = columns
        self.seed = seed
        self.progress = progress
        self.model: dict | None = None
        self.threshold: float | None = None
        self.threshold_source = "model"
        #: the threshold of a loaded model file (cluster() without a threshold uses it)
        self._saved_threshold: float | None = None
        #: facts about the inputs that the result carries (e.g. which sources were pseudonymised)
        self.metadata: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self._std = None
        #: each source's standardised rows and input fingerprint (:mod:`linkmiskin.standardise.reuse`)
        self._standardised: dict = {}
        #: input position of each record of ``_std``/``_table`` (which are in :func:`canonical_order`)
        self._input_order = np.zeros(0, dtype=np.int64)
        #: the model table (:attr:`_table`): the columns the steps after scoring read in memory, the others in
        #: a temporary file once DuckDB has its copy (:class:`linkmiskin.memory.SpilledColumns`)
        self._spilled: SpilledColumns | None = None
        self._pairs: pd.DataFrame | None = None
        self._row_hashes: np.ndarray | None = None
        #: the model table and its records' standardised-value hashes, for the next update
        #: (:class:`linkmiskin.standardise.reuse.ModelRows`), and how many records this one took over
        self._model_rows_of: tuple[np.ndarray, bool] | None = None
        self._model_rows_reused = 0
        self._con: duckdb.DuckDBPyConnection | None = None
        self._db_api: Any = None
        self._records_sdf: Any = None
        #: whether DuckDB holds the model table now (scoring drops it: :meth:`_drop_records_table`)
        self._records_in_duckdb = False
        self.column_mapping: dict[str, ColumnMapping] = {}
        if sources is not None:
            self.set_sources(sources, columns)

    # data ------------------------------------------------------------------------------------------
    def set_sources(self, sources: dict[str, TableLike], columns: dict[str, dict[str, str]] | None = None, *,
                    list_date: Any = None, header: Any = None, previous_lists: dict | None = None,
                    previous_model_rows: Any = None) -> Linker:
        """Read and standardise the sources (replacing any earlier ones).

        ``list_date`` and ``header`` are :func:`linkmiskin.standardise.records`'s options, one value for every source
        or ``{source: value}``, e.g. ``set_sources(srcs, list_date={"posyandu": "2025-03-01"})``.
        ``previous_lists``: an update's previous standardised lists (``LinkResult.standardised``); a list
        whose input did not change takes its rows from there (:mod:`linkmiskin.standardise.reuse`).
        ``previous_model_rows``: an update's previous model table (:class:`linkmiskin.standardise.reuse.ModelRows`):
        a record whose standardised values are unchanged takes its per-record model columns from there
        (:func:`linkmiskin.standardise.reuse.reused_wide_columns`).
        """
        t0 = time.perf_counter()
        from linkmiskin.pseudonym import model_ids, pseudonymised_sources
        from linkmiskin.standardise.reuse import reused_wide_columns

        self._sources = dict(sources) if isinstance(sources, dict) else sources  # for crosswalks
        self._standardised: dict = {}
        std, self.column_mapping = _standardize_sources(sources, columns or self.columns, self.region,
                                                          list_date=list_date, header=header,
                                                          saved=previous_lists, kept=self._standardised)
        wide, hashes, names_once, self._model_rows_reused = reused_wide_columns(std, previous_model_rows)
        table = model_ids(std, model_table(std, wide=wide))  # pseudonymised NIKs: exact-only evidence
        del wide
        # records in a canonical order (unique_id = position in it): sampling, anchors and every tie-break
        # then follow the records' content, not the order of the rows or of the sources
        self._input_order = canonical_order(table)
        self._row_hashes = None
        self._std = _reordered(std, self._input_order)
        self.metadata = {"pseudonymised_sources": pseudonymised_sources(self._std_frame),
                         **{k: v for k, v in self.metadata.items() if k == "training"}}
        # for the next update (a pseudonymised NIK is not its record's model-table NIK: none kept then)
        self._model_rows_of = None if self.metadata["pseudonymised_sources"] else \
            (hashes[self._input_order], names_once)
        self._pairs = None
        # the rows in input order go before the model table is reordered, and the standardised records wait
        # in a file until clustering (training and scoring do not read them: about 1 GB at 200,000 households)
        del std
        self._std_spilled = SpilledColumns(self._std_frame, keep=("unique_id", "source", "record_id"))
        self._std_frame = None
        release_memory()   # what reading and standardising left in the allocators' free lists
        table = _reordered(table, self._input_order)
        release_memory()
        self._connect(table)
        # DuckDB holds the model table now; Python keeps the columns the later steps read
        self._spilled = SpilledColumns(table, keep=KEPT_TABLE_COLUMNS)
        del table
        release_memory()
        self.timings["standardise"] = round(time.perf_counter() - t0, 2)
        return self

    @property
    def _std(self) -> pd.DataFrame | None:
        """The standardised records in canonical order (``unique_id`` = position). Once :meth:`cluster` has
        made the records, it is rebuilt on each call from their columns (:attr:`_std_in_records`): holding
        both orders of every column costs about a third of the records' memory. From reading to clustering
        it waits in a temporary file (:attr:`_std_spilled`; :attr:`_std_ids` holds its ids)."""
        if self._std_frame is None and self._std_spilled is not None:
            return self._std_spilled.full()
        if self._std_frame is None and self._std_in_records is not None:
            return _std_from_records(*self._std_in_records, self._input_order)
        return self._std_frame

    @_std.setter
    def _std(self, std: pd.DataFrame | None) -> None:
        self._std_frame: pd.DataFrame | None = std
        self._std_spilled: SpilledColumns | None = None
        #: (the records' standardised columns in input order, sharing their arrays; column order; attrs)
        self._std_in_records: tuple[pd.DataFrame, list[str], dict] | None = None

    @property
    def _std_ids(self) -> pd.DataFrame | None:
        """``unique_id, source, record_id`` of the standardised records (canonical order), without reading
        the others back."""
        if self._std_spilled is not None:
            return self._std_spilled.kept
        std = self._std
        return None if std is None else std[["unique_id", "source", "record_id"]]

    def _hold_std_in_records(self, records: pd.DataFrame, std: pd.DataFrame) -> None:
        """Keep the standardised records ``std`` only as ``records``' columns (input order, the same arrays)."""
        cols = [c for c in std.columns if c != "unique_id"]
        if std["record_id"].dtype != records["record_id"].dtype or not all(c in records for c in cols):
            return   # (records whose columns are not the standardised ones: keep the frame)
        held = pd.DataFrame({c: records[c].array for c in cols}, copy=False)
        self._std = None
        self._std_in_records = (held, list(std.columns), dict(std.attrs))

    @property
    def _table(self) -> pd.DataFrame | None:
        """The whole model table (canonical order), read back from its temporary file on each call (for
        explaining a pair, evaluating, an update); :attr:`_kept_table` holds the columns the link steps read."""
        return None if self._spilled is None else self._spilled.full()

    @property
    def _kept_table(self) -> pd.DataFrame | None:
        """The model table's columns :data:`KEPT_TABLE_COLUMNS` (in memory)."""
        return None if self._spilled is None else self._spilled.kept

    @property
    def _model_rows(self) -> Any:
        """What the next update takes over (:class:`linkmiskin.standardise.reuse.ModelRows`), or None."""
        from linkmiskin.standardise.reuse import ModelRows

        if self._model_rows_of is None or self._spilled is None:
            return None
        return ModelRows(self._model_rows_of[0], self._table, self._model_rows_of[1])

    def _connect(self, table: pd.DataFrame) -> None:
        from splink import DuckDBAPI

        con = duckdb.connect()
        if _has_lambda_setting(con):  # Splink's own array levels still use the arrow lambda syntax
            con.execute("SET lambda_syntax='ENABLE_SINGLE_ARROW'").fetchall()
        threads = os.environ.get("LINKMISKIN_THREADS")
        if threads:
            con.execute(f"SET threads={int(threads)}").fetchall()
        # keep DuckDB's working memory bounded (it spills to a temporary folder beyond this): a share of the
        # machine's memory, or LINKMISKIN_DUCKDB_MEMORY
        self._memory_limit = duckdb_memory_limit()
        con.execute(f"SET memory_limit='{self._memory_limit}'").fetchall()
        con.execute("SET preserve_insertion_order=false").fetchall()
        import tempfile
        con.execute(f"SET temp_directory={_sql_string(Path(tempfile.gettempdir()) / 'linkmiskin_duckdb')}").fetchall()
        self._con = con
        self._load_records_table(table)
        self._db_api = DuckDBAPI(connection=con)
        self._records_sdf = self._db_api.register("lm_records", dataset_display_name="records")

    def _load_records_table(self, table: pd.DataFrame) -> None:
        """DuckDB's copy of the model table (``lm_records``)."""
        assert self._con is not None
        self._con.register("__lm_records_df", table)
        self._con.execute("CREATE OR REPLACE TABLE lm_records AS SELECT * FROM __lm_records_df").fetchall()
        self._con.unregister("__lm_records_df")
        self._records_in_duckdb = True

    @property
    def _sdf(self) -> Any:
        """Splink's handle on ``lm_records``, loaded again from the spilled model table when scoring has
        dropped it (:meth:`_drop_records_table`)."""
        if not getattr(self, "_records_in_duckdb", True) and self._spilled is not None:
            self._load_records_table(self._spilled.full())
            release_memory()
        return self._records_sdf

    def _drop_records_table(self) -> None:
        """Drop DuckDB's copy of the model table once the pairs are scored: clustering and the golden records
        do not read it (about 0.6 GB at 200,000 households, while their peak is the run's). Explaining a
        pair or scoring again loads it back (:attr:`_sdf`); the row hashes are computed from it first."""
        if self._con is None or not getattr(self, "_records_in_duckdb", False):
            return
        self.row_hashes()
        self._con.execute("DROP TABLE lm_records").fetchall()
        self._records_in_duckdb = False

    def _duckdb_working(self, working: bool) -> None:
        """Give DuckDB its working memory for training and scoring, and take it back afterwards: DuckDB keeps
        its buffers cached up to the limit (about 1.5 GB on a kabupaten) until the limit is lowered, and
        clustering needs that memory in Python."""
        if self._con is not None:
            if working:   # what the machine has left now (the records in Python have grown since connecting)
                self._memory_limit = duckdb_memory_limit(self._duckdb_in_use())
            limit = self._memory_limit if working else "256MB"
            self._con.execute(f"SET memory_limit='{limit}'").fetchall()

    def _duckdb_in_use(self) -> int:
        """Bytes DuckDB holds now (the records table and cached intermediates)."""
        row = self._con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
        return int(row[0] or 0) if row else 0

    def _require_data(self) -> None:
        if self._spilled is None:
            raise LinkError("no sources yet: pass sources to Linker(...) or call set_sources(...)")

    @property
    def standardized(self) -> pd.DataFrame:
        """The standardised records of all sources (one row per input record, in input order; ``unique_id``
        is the record's place in the canonical order the model uses, see :func:`canonical_order`)."""
        self._require_data()
        return self._std.iloc[self._input_rank()].reset_index(drop=True)  # type: ignore[union-attr]

    def _input_rank(self) -> np.ndarray:
        """For each input record (sources in dict order, rows in file order), its canonical position."""
        rank = np.empty(len(self._input_order), dtype=np.int64)
        rank[self._input_order] = np.arange(len(self._input_order), dtype=np.int64)
        return rank

    # model -----------------------------------------------------------------------------------------
    def train(self) -> Linker:
        """Estimate the model from the data (no labels needed)."""
        self._require_data()
        t0 = time.perf_counter()
        self._duckdb_working(True)
        self.model, training = train_with_report(self._db_api, self._con, self._sdf, seed=self.seed)
        self._duckdb_working(False)   # (its cached buffers would otherwise add to the peak of scoring)
        self.metadata["training"] = training  # how each comparison was trained (docs/training.md)
        self.timings["train"] = round(time.perf_counter() - t0, 2)
        return self

    def _splink_linker(self):
        from splink import Linker as SplinkLinker

        if self.model is None:
            self.train()
        # an update's model is linkmiskin's own: the previous result's, or rebuilt from its folder's model file
        # (clustering.updates._saved_model), so its columns are the model table's; Splink's check of them
        # would cost a query on the table (about a second) for nothing
        return SplinkLinker(self._sdf, self.model, log_level=logging.WARNING,
                            validate_settings=not getattr(self, "_model_from_previous", False))

    def predict(self, sources: dict[str, TableLike] | None = None, *, previous: Any = None) -> pd.DataFrame:
        """Score candidate record pairs. Returns the pairs (also kept for :meth:`cluster`).

        ``previous`` (a :class:`LinkResult` or saved folder scored with this model): blocking looks only for
        pairs with a record that is new or whose model-table row changed; the previous run's kept pairs
        between unchanged records (:func:`linkmiskin.clustering.updates.reusable_pairs`) are scored again
        without blocking. Splink scores both with these lists' term frequencies, so the pairs are those of
        a full scoring with the same model. ``self.metadata["update_reuse"]`` says what was reused."""
        if sources is not None:
            self.set_sources(sources)
        self._require_data()
        linker = self._splink_linker()
        t0 = time.perf_counter()
        reuse = None
        if previous is not None:
            from linkmiskin.clustering.updates import as_previous, reusable_pairs
            if _blocking_rule_sql(self.model or {}) is not None:
                reuse = reusable_pairs(as_previous(previous), self._kept_table, self.row_hashes(), self.model or {})
        self._duckdb_working(True)
        if reuse is not None:
            self._register_update_pairs(linker, reuse)
        elif _blocking_rule_sql(self.model or {}):
            self._register_blocked_pairs(linker)
        df = self._scored(linker)
        self._forget_blocked_pairs(linker)
        self._duckdb_working(False)
        self._drop_records_table()
        self.metadata.pop("update_reuse", None)
        if previous is not None:
            self.metadata["update_reuse"] = _reuse_report(reuse, len(df))
        self._pairs = self._tidy_pairs(df)
        del df
        release_memory()
        self.timings["predict"] = round(time.perf_counter() - t0, 2)
        return self._pairs

    def row_hashes(self) -> np.ndarray:
        """:func:`row_hashes` of the model table (canonical order) for the model, computed once per set of
        sources."""
        if self._row_hashes is None:
            self._sdf   # noqa: B018 - (DuckDB's copy of the model table, loaded again if it was dropped)
            s = self._spilled
            self._row_hashes = update_row_hashes(self._con, s.kept, self.model or {}, columns=s.columns,
                                                 list_columns=s.list_columns)
        return self._row_hashes

    def _scored(self, linker: Any) -> pd.DataFrame:
        """Splink's scored pairs (at least :data:`MIN_KEPT_PROBABILITY`): ids, scores and comparison levels
        (the record values stay in DuckDB), ordered by ``unique_id_l, unique_id_r``. DuckDB sorts them (it
        spills what does not fit) and gives each level one byte: sorting in pandas would copy every pair, and
        Splink's 32-bit levels take four times the memory (at 1,000,000 households about 20 million pairs)."""
        pred = linker.inference.predict(threshold_match_probability=MIN_KEPT_PROBABILITY)
        gamma_cols = ", ".join(f'CAST("gamma_{name}" AS TINYINT) AS "gamma_{name}"' for name in _level_labels(self.model))
        df = self._con.sql(f"SELECT unique_id_l, unique_id_r, match_probability, match_weight, {gamma_cols} "
                           f"FROM {pred.physical_name} ORDER BY unique_id_l, unique_id_r").df()
        pred.drop_table_from_database_and_remove_from_cache()
        return df

    def _register_update_pairs(self, linker: Any, reuse: Any) -> None:
        """Make ``linker`` score only the pairs an update needs: those the blocking rules find with at least
        one changed or new record, and the previous run's kept pairs between unchanged records (Splink
        scores both, so their levels and term frequencies are this run's own)."""
        t0 = time.perf_counter()
        flags = pd.DataFrame({"unique_id": np.arange(len(reuse.changed), dtype=np.int64),
                              "lm_changed": reuse.changed})
        self._con.register("__lm_changed_df", flags)
        self._con.register("__lm_reused_pairs_df", reuse.pairs[["unique_id_l", "unique_id_r"]])
        self._con.execute("CREATE OR REPLACE TEMP TABLE lm_changed_records AS SELECT r.* FROM lm_records r "
                          "JOIN __lm_changed_df c USING (unique_id) WHERE c.lm_changed").fetchall()
        found = " UNION ALL ".join(changed_pairs_sql(br, "lm_changed_records", "lm_records")
                                   for br in _blocking_rule_sql(self.model or {}) or [])
        self._con.execute(
            f"CREATE OR REPLACE TABLE lm_update_pairs AS SELECT 'update' AS match_key, join_key_l, join_key_r "
            f"FROM (SELECT DISTINCT join_key_l, join_key_r FROM ({found})) UNION ALL SELECT 'reused', "
            f"CAST(unique_id_l AS BIGINT), CAST(unique_id_r AS BIGINT) FROM __lm_reused_pairs_df").fetchall()
        self._con.unregister("__lm_changed_df")
        self._con.unregister("__lm_reused_pairs_df")
        self._con.execute("DROP TABLE lm_changed_records").fetchall()
        self._give_blocked_pairs(linker, "lm_update_pairs")
        reuse.stats["blocking_seconds"] = round(time.perf_counter() - t0, 2)

    def _give_blocked_pairs(self, linker: Any, table: str) -> None:
        """Make ``linker`` score the pairs of DuckDB table ``table`` (``match_key, join_key_l, join_key_r``)."""
        # Splink's cache entry for blocked pairs (as register_blocked_pairs_for_predict makes it, without the
        # flag that sends predict through source pruning, which is slower when most records take part); the
        # public call where this Splink lays its cache out otherwise
        try:
            from splink.internals.chunking import _blocked_pairs_cache_key

            linker._intermediate_table_cache[_blocked_pairs_cache_key()] = self._db_api.table_to_splink_dataframe(
                "__splink__blocked_id_pairs", table)
        except (ImportError, AttributeError, TypeError):  # pragma: no cover - another Splink version
            sdf = self._db_api.register(table, dataset_display_name=table)
            linker.table_management.register_blocked_pairs_for_predict(sdf)

    def _forget_blocked_pairs(self, linker: Any) -> None:
        """After scoring: drop the blocked pairs given to Splink and its cache entry for them (the cache is
        the DuckDB connection's, shared by the next predict)."""
        try:
            from splink.internals.chunking import _blocked_pairs_cache_key

            linker._intermediate_table_cache.pop(_blocked_pairs_cache_key(), None)
        except (ImportError, AttributeError, TypeError):  # pragma: no cover - another Splink version
            pass
        for table in ("lm_blocked_pairs", "lm_update_pairs"):
            self._con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()

    def _register_blocked_pairs(self, linker: Any) -> None:
        """Block one rule at a time (:func:`rule_pairs_sql`) into table ``lm_blocked_pairs`` and make
        ``linker`` score those pairs: the pairs Splink's blocking finds, without its one query over every
        rule, which holds the hash tables of all the rules' joins at once (most of the memory of scoring)."""
        rules = _blocking_rule_sql(self.model or {}) or []
        self._con.execute("CREATE OR REPLACE TABLE lm_blocked_pairs "
                          "(match_key VARCHAR, join_key_l BIGINT, join_key_r BIGINT)").fetchall()
        for i in range(len(rules)):
            self._con.execute(f"INSERT INTO lm_blocked_pairs {rule_pairs_sql(rules, i, 'lm_records')}").fetchall()
        self._give_blocked_pairs(linker, "lm_blocked_pairs")

    def _tidy_pairs(self, df: pd.DataFrame) -> pd.DataFrame:
        labels = _level_labels(self.model)
        keys = _level_key_names(self.model)
        t = self._kept_table
        ul = df["unique_id_l"].to_numpy(np.int64)
        ur = df["unique_id_r"].to_numpy(np.int64)
        src = t["source"].to_numpy()
        rid = t["record_id"].to_numpy()
        out = pd.DataFrame({
            "source_l": src[ul], "record_id_l": rid[ul], "source_r": src[ur], "record_id_r": rid[ur],
            "match_probability": df["match_probability"].astype(float),
            "match_weight": df["match_weight"].astype(float),
        })
        agree: list[tuple[str, np.ndarray]] = []
        weights = _level_weights(self.model)
        for out_col, lab in labels.items():
            g = df.get(f"gamma_{out_col}")
            if g is None:
                continue
            out[f"{out_col}_level"] = _level_categorical(g, lab)
            out[f"{out_col}_level_key"] = _level_categorical(g, keys.get(out_col, {}))
            w = g.map(weights.get(out_col, {})).fillna(0.0).to_numpy(dtype=float)
            agree.append((out_col, w > 1))
        if agree:
            # one bit per comparison, then one string per combination (at most 2^k, not one per pair)
            code = np.zeros(len(df), dtype=np.int64)
            for bit, (_, yes) in enumerate(agree):
                code |= yes.astype(np.int64) << bit
            text = np.array([",".join(c for b, (c, _) in enumerate(agree) if k >> b & 1)
                             for k in range(1 << len(agree))], dtype=object)
            out["agreeing_evidence"] = _codes_categorical(code, text)
        for k, v in _pair_flags(self.model, df).items():
            out[k] = v
        out["unique_id_l"] = df["unique_id_l"].astype(np.int64).to_numpy()
        out["unique_id_r"] = df["unique_id_r"].astype(np.int64).to_numpy()
        if _pairs_in_order(ul, ur):   # (as :meth:`_scored` gives them: no copy of every pair to sort them)
            return out
        return out.sort_values(["unique_id_l", "unique_id_r"]).reset_index(drop=True)

    def cluster(self, threshold: float | None = None, *, threshold_source: str | None = None) -> LinkResult:
        """Cluster persons and households. ``threshold`` defaults to the model's own choice
        (the threshold maximising the model's expected F1)."""
        if self._pairs is None:
            self.predict()
        pairs, std = self._pairs, self._std   # (std: rebuilt from the records of an earlier call)
        assert pairs is not None and std is not None and self._spilled is not None
        t0 = time.perf_counter()
        if threshold is None:
            # the model's own threshold (a loaded file's, else the expected-F1 choice), never the one an
            # earlier cluster(0.99) call used
            if self._saved_threshold is not None:
                threshold, source = self._saved_threshold, threshold_source or "saved model"
            else:
                threshold = choose_threshold(pairs["match_probability"])
                source = threshold_source or "model: maximises expected F1 from the model's own probabilities"
        else:
            threshold = check_threshold(threshold)
            source = threshold_source or "user"
        self.threshold, self.threshold_source = float(threshold), source
        t = self._kept_table
        # ids that are not NIKs (a school number, FEBRL's id) are trusted like a NIK by the cannot-link rules
        # only when the model compared them as plain identifiers
        plain = kinds_of_model(self.model or {}).get("nik") == "plain_id" and "id_plain" in t
        from linkmiskin.clustering.cannot_link import with_nik_lists
        recs = with_nik_lists(_cluster_records(t, plain))   # (the rules' check and the clustering read it: once)
        e = pd.DataFrame({"l": pairs["unique_id_l"].to_numpy(), "r": pairs["unique_id_r"].to_numpy(),
                          "p": pairs["match_probability"].to_numpy(),
                          "name_weak": pairs["name_weak"].to_numpy(),
                          "nik_same": pairs["nik_same"].to_numpy(),
                          "name_alike": pairs["name_alike"].to_numpy()})
        off, checked = self._cannot_link_off(recs, e)
        persons = self._person_clusters(recs, e, float(threshold), off)
        del recs
        pairs = shared_columns(pairs, cannot_link_rule=_rule_of_pairs(pairs, persons.attrs["cannot_link"]))
        self.timings["cluster_persons"] = round(time.perf_counter() - t0, 2)
        t1 = time.perf_counter()
        hh = household_clusters(std, persons, e, use_row_order=self.use_row_order)
        persons = join_same_name_in_household(persons, hh["household_node"].to_numpy(), e, off=off,
                                              approx_year=t["dob_approx_year"] if "dob_approx_year" in t else None)
        del e
        self.timings["cluster_households"] = round(time.perf_counter() - t1, 2)
        t2 = time.perf_counter()
        # an update replaces the ids (clustering.updates.apply_previous): the clusters' labels need no hash
        records = _assemble_records(std, persons, hh, hashed=not getattr(self, "_labels_only", False))
        records.insert(records.columns.get_loc("link_reason") + 1, "kept_apart_by",
                       _kept_apart_by(len(records), pairs, float(threshold), persons["person_node"].to_numpy()))
        row_order = hh.attrs.get("row_order", {})
        context = persons.attrs.get("household_context", {})
        pairs = shared_columns(pairs, drop=("unique_id_l", "unique_id_r", "name_weak", "nik_same", "name_alike"))
        del persons, hh   # the golden records below need the memory
        release_memory()
        from linkmiskin.report.diagnostics import (
            diagnose,  # plain-words warnings when the data look unlike the model's assumptions
        )
        # (before the records are copied into input order: the standardised records and that copy at once
        # were the peak of clustering)
        diagnostics = diagnose(std, self._kept_table, self.column_mapping)
        order = self._input_rank()   # back to input order
        records = records.iloc[order].set_axis(pd.RangeIndex(len(order)), axis=0, copy=False)
        self.timings["records_and_diagnostics"] = round(time.perf_counter() - t2, 2)
        self._hold_std_in_records(records, std)   # (before the golden records: their peak is the run's)
        del std
        release_memory()
        # link() rebuilds the households on its final ids when it defers the golden records
        households = None if getattr(self, "_defer_golden", False) else _households_table(records)
        return LinkResult(records=records, pairs=pairs,
                          households=households, column_mapping=self.column_mapping,
                          threshold=float(threshold), threshold_source=source, model=self.model,
                          timings=dict(self.timings), _linker=self, row_hashes=self._row_hash_table(),
                          metadata={**self.metadata, "row_order": row_order,
                                    "use_row_order": self.use_row_order,
                                    "cannot_link_off": list(off), "cannot_link": checked,
                                    "household_context": context, "diagnostics": diagnostics})

    def _person_clusters(self, recs: pd.DataFrame, e: pd.DataFrame, threshold: float,
                         off: tuple[str, ...]) -> pd.DataFrame:
        """:func:`linkmiskin.clustering.persons.person_clusters`, taking over the cannot-link pairs of the
        components that are the previous run's (``self._previous_persons``, an update's;
        :mod:`linkmiskin.clustering.person_reuse`), and keeping this run's state for the next update."""
        from linkmiskin.clustering.cannot_link import with_nik_lists
        from linkmiskin.clustering.person_reuse import component_signatures as signatures
        from linkmiskin.clustering.person_reuse import kept_components, person_state, record_keys

        recs = with_nik_lists(recs)   # (what cannot_link computes from the records, once)
        keys = record_keys(self._kept_table)
        sig = signatures(recs, keys, e, threshold, off)
        kept = kept_components(getattr(self, "_previous_persons", None), keys, sig)
        persons = person_clusters(recs, e, threshold, cannot_link_off=off, kept=kept)
        self._person_state = person_state(keys, sig, persons)
        self._persons_reused = kept.n_records if kept is not None else 0
        return persons

    def _cannot_link_off(self, recs: pd.DataFrame, e: pd.DataFrame) -> tuple[tuple[str, ...], dict]:
        """The cannot-link rules off for this job: the user's, and those this data contradicts
        (:func:`linkmiskin.clustering.cannot_link.check_rules`, warned), with the check's report."""
        from linkmiskin.clustering.cannot_link import _RECORD_COLUMNS, check_rules, check_warning
        from linkmiskin.privacy import warn

        # only the columns the rules read: indexing the whole model table by node would copy all of it
        recs = recs[[c for c in _RECORD_COLUMNS if c in recs] + ["node"]].set_index("node")
        report = check_rules(recs, e, off=self.cannot_link_off, check=self.cannot_link_check)
        text = check_warning(report)
        if text:
            warn(text, stacklevel=4)
        return self.cannot_link_off + tuple(report["switched_off"]), report

    def _row_hash_table(self) -> pd.DataFrame:
        """``source, record_id, row_hash`` in input order (saved with the result for the next update)."""
        t = self._kept_table
        order = self._input_rank()
        return pd.DataFrame({"source": t["source"].to_numpy(dtype=object)[order],
                             "record_id": t["record_id"].astype(str).to_numpy(dtype=object)[order],
                             "row_hash": self.row_hashes()[order]})

    # persistence -------------------------------------------------------------------------------------
    def save_model(self, path: str | os.PathLike) -> Path:
        """Save the trained model (Splink settings with m/u/lambda) and linkmiskin's threshold to JSON."""
        if self.model is None:
            raise LinkError("the model is not trained yet: call train() first")
        p = Path(path)
        payload = {"linkmiskin_version": __version__, "engine": "duckdb", "threshold": self.threshold,
                   "threshold_source": self.threshold_source, "region": self.region, "splink_model": self.model}
        p.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | os.PathLike, sources: dict[str, TableLike] | None = None,
             columns: dict[str, dict[str, str]] | None = None, region: str | None = None,
             **kwargs: Any) -> Linker:
        """Load a model saved by :meth:`save_model`; it scores data without retraining.

        The file's SQL is never run: the model is rebuilt from linkmiskin's own comparisons, and a level
        whose SQL condition (or any setting) is not what linkmiskin writes is rejected with a
        :class:`LinkError` naming the comparison and level (:func:`linkmiskin.scoring.model_file.checked_model`).
        Only the m/u probabilities, the prior and the threshold come from the file. Load only trusted
        model files."""
        p = Path(path)
        payload = read_model_file(p)
        if payload.get("engine", "duckdb") != "duckdb":
            raise LinkError(f"{p}: this model was trained on another SQL engine; retrain it on DuckDB")
        threshold = payload.get("threshold")
        if threshold is not None:
            threshold = check_threshold(threshold, f"{p}: threshold")
        saved_region = payload.get("region")
        if saved_region is not None and not isinstance(saved_region, str):
            raise LinkError(f"{p}: region must be a Kemendagri code such as '32.16', got {saved_region!r}")
        obj = cls(None, columns, region if region is not None else saved_region, **kwargs)
        # only the comparisons linkmiskin writes, with the stored m/u: the file's SQL is never run
        obj.model = checked_model(payload["splink_model"], p)
        obj.threshold = obj._saved_threshold = threshold
        obj.threshold_source = "saved model"
        obj.metadata["training"] = {"method": "loaded", "path": str(p), "kinds": kinds_of_model(obj.model)}
        if sources is not None:
            obj.set_sources(sources, columns)
        return obj


# the signature users see (``__new__`` only routes ``backend="spark"`` to linkmiskin.spark_backend.SparkLinker)
Linker.__signature__ = inspect.signature(Linker.__init__).replace(  # type: ignore[attr-defined]
    parameters=list(inspect.signature(Linker.__init__).parameters.values())[1:])


_MEMORY = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B)", re.IGNORECASE)


def _memory_setting(text: str) -> str:
    """``LINKMISKIN_DUCKDB_MEMORY`` checked before it reaches SQL: ``1.5GB``, ``800MB``, ``4GiB``."""
    t = str(text).strip()
    if not _MEMORY.fullmatch(t):
        raise LinkError(f"LINKMISKIN_DUCKDB_MEMORY must be an amount of memory such as 1.5GB, 800MB or 4GiB, "
                        f"got {t!r}")
    return t


#: the model table's columns kept in memory once DuckDB has its copy: those the steps after scoring read
#: (the pairs' record keys, the cannot-link rules' columns, the plain ids and approximate birth years, the
#: name words the diagnostics' anchor count reads); the others are read back from a file when needed
KEPT_TABLE_COLUMNS = ("unique_id", "source", "record_id", "id_plain", "dob_approx_year", "name_tokens",
                      *_RECORD_COLUMNS)

#: share of the machine's memory (or of the container's limit) that DuckDB may use for training and scoring
DUCKDB_MEMORY_SHARE = 0.4


def _machine_memory() -> int | None:
    """Bytes of memory this process may use: the RAM, or the container's (cgroup) limit when lower."""
    total = None
    try:
        import psutil  # optional
        total = int(psutil.virtual_memory().total)
    except Exception:
        try:
            total = int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
        except (ValueError, OSError, AttributeError):
            total = None
    for f in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(f).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and (total is None or int(text) < total):
            total = int(text)
    return total


#: DuckDB's working memory for a step, beyond the tables it holds: this share of the memory still available when
#: the step starts, at least :data:`DUCKDB_MIN_WORKING` bytes; it spills the rest to its temporary folder (with
#: blocking done one rule at a time, scoring 200,000 households with 0.2 GB of working memory took no longer
#: than with 9 GB, and held 1.7 GB less)
DUCKDB_AVAILABLE_SHARE = 0.05
DUCKDB_MIN_WORKING = 512 * 2**20


def _available_memory() -> int | None:
    """Bytes of memory still available to this process: the system's ``MemAvailable`` (free memory plus
    what it can reclaim), or what is left under the container's (cgroup) limit when that is less."""
    avail = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        avail = None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        current = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit.isdigit() and current.isdigit():
            left = max(0, int(limit) - int(current))
            avail = left if avail is None else min(avail, left)
    except OSError:
        pass
    return avail


def duckdb_memory_limit(in_use: int | None = None) -> str:
    """DuckDB's memory limit for training and scoring: ``LINKMISKIN_DUCKDB_MEMORY`` when set (``1.5GB``,
    ``800MB``, ``4GiB``), else :data:`DUCKDB_MEMORY_SHARE` of the machine's memory, and, given ``in_use``
    (the bytes DuckDB already holds: the records table), at most that plus its working memory
    (:data:`DUCKDB_AVAILABLE_SHARE` of the memory still available, at least :data:`DUCKDB_MIN_WORKING`): DuckDB
    spills to its temporary folder rather than the process growing until the system kills it (at least
    1 GiB; 1.5 GB when the machine's memory cannot be read).

    >>> duckdb_memory_limit()          # doctest: +SKIP
    '9.6GiB'
    """
    env = os.environ.get("LINKMISKIN_DUCKDB_MEMORY")
    if env:
        return _memory_setting(env)
    total = _machine_memory()
    if not total:
        return "1.5GB"
    limit = DUCKDB_MEMORY_SHARE * total
    avail = _available_memory() if in_use is not None else None
    if avail is not None and in_use is not None:
        limit = min(limit, in_use + max(DUCKDB_MIN_WORKING, DUCKDB_AVAILABLE_SHARE * avail))
    return f"{max(1.0, limit / 2**30):.1f}GiB"


def _sql_string(value: object) -> str:
    """A SQL string literal: ``it's`` -> ``'it''s'``."""
    return "'" + str(value).replace("'", "''") + "'"


SAVE_FORMATS = ("parquet", "csv", "xlsx")
#: the list of files a LinkResult.save wrote, so that the next save into the folder can remove stale ones
MANIFEST = "linkmiskin_files.json"
_ID_COLUMNS = ("nik", "kk", "nik_prefix15", "nik_digits", "nik_text", "nik_serial", "kk_prefix15", "kk_digits",
               "kk_serial")


def _check_formats(formats: object) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    try:
        fm = tuple(str(f).lower().lstrip(".") for f in formats)  # type: ignore[union-attr]
    except TypeError:
        fm = ()
    bad = [f for f in fm if f not in SAVE_FORMATS]
    if not fm or bad:
        raise LinkError(f"formats must name one or more of {', '.join(SAVE_FORMATS)}, got {formats!r}")
    return fm


def _masked_table(df: pd.DataFrame) -> pd.DataFrame:
    """NIK/KK columns masked (:func:`mask_series`), and every run of 15+ digits in other text masked."""
    from linkmiskin.privacy import mask_series

    out = df.copy()
    for c in out.columns:
        s = out[c]
        if c in _ID_COLUMNS:
            out[c] = mask_series(s).where(s.notna(), None).astype(object)
        elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            text = s.astype("string")
            has = text.str.contains(r"\d{15,}", regex=True).fillna(False).to_numpy(dtype=bool)
            if has.any():
                vals = s.to_numpy(dtype=object).copy()
                vals[has] = [mask_text(v) for v in vals[has]]
                out[c] = vals
    out.columns = [mask_text(c) for c in out.columns]
    return out


def _save_tables(tables: dict[str, pd.DataFrame], d: Path, formats: tuple[str, ...]) -> list[str]:
    from linkmiskin.safe_cells import write_csv, write_xlsx

    written = []
    for name, out in tables.items():
        if "parquet" in formats:
            out.to_parquet(d / f"{name}.parquet", index=False)
            written.append(f"{name}.parquet")
        if "csv" in formats:
            write_csv(out, d / f"{name}.csv")
            written.append(f"{name}.csv")
        if "xlsx" in formats:
            write_xlsx({name: out}, d / f"{name}.xlsx")
            written.append(f"{name}.xlsx")
    return written


def _tidy_folder(d: Path, written: list[str]) -> None:
    """Remove what an earlier save wrote and this one did not; warn about files linkmiskin did not write."""
    from linkmiskin.privacy import warn

    manifest = d / MANIFEST
    earlier: list[str] = []
    if manifest.exists():
        try:
            earlier = [str(f) for f in json.loads(manifest.read_text(encoding="utf-8")).get("files", [])]
        except (ValueError, AttributeError, UnicodeDecodeError):
            earlier = []
    keep = set(written) | {MANIFEST}
    for f in earlier:
        p = d / f
        # only plain names that linkmiskin writes, never a path that leads out of the folder
        if f not in keep and Path(f).name == f and p.is_file():
            p.unlink()
            log.info("removed %s from an earlier save in %s", f, d)
    others = sorted(p.name for p in d.iterdir() if p.name not in keep)
    if others:
        shown = ", ".join(others[:8]) + (" ..." if len(others) > 8 else "")
        warn(f"{d} also holds {len(others)} file(s) that this save did not write: {shown}. They are not "
             "part of this result; save into an empty folder to keep results apart", stacklevel=3)
    manifest.write_text(json.dumps({"linkmiskin_version": __version__, "files": sorted(written)}, indent=1),
                        encoding="utf-8")


def _has_lambda_setting(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(con.execute("SELECT count(*) FROM duckdb_settings() WHERE name = 'lambda_syntax'").fetchall()[0][0])
    except duckdb.Error:  # pragma: no cover
        return False


def _level_weights(model: dict | None) -> dict[str, dict[int, float]]:
    """Match weight (log2 m/u) of each comparison level, by gamma value (null levels weigh 0)."""
    out: dict[str, dict[int, float]] = {}
    for name, levels in levels_by_gamma(model or {}).items():
        w = {-1: 0.0}
        for g, lv in levels.items():
            if g < 0:
                continue
            m, u = lv.get("m_probability"), lv.get("u_probability")
            w[g] = float(np.log2(m / u)) if m and u else 0.0
        out[name] = w
    return out


def _level_labels(model: dict | None) -> dict[str, dict[int, str]]:
    """The label of each comparison level, by gamma value (``"null"`` for the null levels)."""
    return {name: {g: ("null" if g < 0 else lv.get("label_for_charts") or lv.get("sql_condition", ""))
                   for g, lv in levels.items()}
            for name, levels in levels_by_gamma(model or {}).items()}


def _pairs_in_order(ul: np.ndarray, ur: np.ndarray) -> bool:
    """Whether pairs are ordered by ``unique_id_l`` and then ``unique_id_r``, each pair once.

    >>> _pairs_in_order(np.array([0, 0, 1]), np.array([1, 2, 2])), _pairs_in_order(np.array([0, 0]), np.array([2, 1]))
    (True, False)
    """
    if len(ul) < 2:
        return True
    dl = np.diff(ul)
    return bool((dl >= 0).all() and ((dl > 0) | (np.diff(ur) > 0)).all())


def _level_categorical(gamma: pd.Series, names: dict[int, str]) -> pd.Categorical:
    """The name of each pair's level (``names`` by gamma value) as a categorical: one small integer code per
    pair and each name once, not one text object per pair (missing where the gamma has no name).

    >>> _level_categorical(pd.Series([1, -1, 1, 7]), {-1: "null", 0: "else", 1: "exact"}).tolist()
    ['exact', 'null', 'exact', nan]
    """
    g = gamma.to_numpy(dtype=np.int64, na_value=-2) if len(gamma) else np.zeros(0, dtype=np.int64)
    named = {k: v for k, v in names.items() if v is not None}
    cats = list(dict.fromkeys(named.values()))
    if not named:
        return pd.Categorical.from_codes(np.full(len(g), -1, dtype=np.int8), categories=cats)
    lo = min(min(named), -2)
    lut = np.full(max(max(named), 0) - lo + 1, -1, dtype=np.int16)
    for k, v in named.items():
        lut[k - lo] = cats.index(v)
    inside = (g >= lo) & (g - lo < len(lut))
    codes = np.where(inside, lut[np.clip(g - lo, 0, len(lut) - 1)], -1)
    return pd.Categorical.from_codes(codes, categories=cats)


def _codes_categorical(code: np.ndarray, text: np.ndarray) -> pd.Categorical:
    """``text[code]`` as a categorical of the texts that occur (each once, in code order).

    >>> _codes_categorical(np.array([2, 0, 2]), np.array(["a", "b", "c"], dtype=object)).tolist()
    ['c', 'a', 'c']
    """
    used, inverse = np.unique(code, return_inverse=True)
    return pd.Categorical.from_codes(inverse.reshape(-1), categories=pd.Index(text[used], dtype=object))


def _level_key_names(model: dict | None) -> dict[str, dict[int, str]]:
    """The stable key of each comparison level, by gamma value (``"null"`` for the null levels)."""
    return {name: {g: lv["key"] for g, lv in levels.items()} for name, levels in levels_by_gamma(model or {}).items()}


#: The comparison levels the cannot-link rules read, by stable key (:mod:`linkmiskin.scoring.comparisons`).
#: ``name_weak``: names loosely related at best; ``nik_same``: the same NIK, or its first 15 digits;
#: ``name_alike``: the same name, the same by sound, one inside the other (a given name left out: JESSICA
#: ELISABET / ELISABET) or a given name written as its initial.
PAIR_FLAG_LEVELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name_weak": ("name", ("share_token_close", "share_token", "else")),
    "nik_same": ("nik", ("exact_consistent", "exact_inconsistent", "exact", "excel_15_digits")),
    "name_alike": ("name", ("exact", "same_sound", "inside_rare", "inside", "inside_by_sound", "initials")),
}


def _pair_flags(model: dict | None, df: pd.DataFrame) -> dict[str, np.ndarray]:
    """The level flags the cannot-link rules read (:data:`PAIR_FLAG_LEVELS`), from the ``gamma_*`` columns
    of scored pairs; False where the comparison's column is absent."""
    n = len(df)
    out = {}
    for flag, (comparison, keys) in PAIR_FLAG_LEVELS.items():
        col = f"gamma_{comparison}"
        out[flag] = (df[col].isin(gammas(comparison, *keys, model=model)).to_numpy() if col in df
                     else np.zeros(n, dtype=bool))
    return out


def _kept_apart_by(n: int, pairs: pd.DataFrame, threshold: float, rep: np.ndarray) -> np.ndarray:
    """Per record, the cannot-link rules that kept it from a record it was scored above the threshold with."""
    out = np.full(n, "", dtype=object)
    l_ = pairs["unique_id_l"].to_numpy(np.int64)
    r_ = pairs["unique_id_r"].to_numpy(np.int64)
    rule = pairs["cannot_link_rule"].to_numpy(dtype=object)
    hit = (rule != "") & (pairs["match_probability"].to_numpy(dtype=float) >= threshold) & (rep[l_] != rep[r_])
    if hit.any():
        d = pd.DataFrame({"node": np.concatenate([l_[hit], r_[hit]]), "rule": np.concatenate([rule[hit]] * 2)})
        joined = d.drop_duplicates().sort_values(["node", "rule"]).groupby("node")["rule"].agg(",".join)
        out[joined.index.to_numpy()] = joined.to_numpy()
    return out


def shared_columns(df: pd.DataFrame, drop: tuple[str, ...] = (), **new: Any) -> pd.DataFrame:
    """``df`` without the columns ``drop`` and with the columns ``new`` added, its other columns' arrays shared
    with ``df``, not copied (``assign`` and ``drop`` copy them all): the result's pairs and the Linker's scored
    pairs, kept for another ``cluster()``, are then one set of arrays.

    >>> df = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
    >>> out = shared_columns(df, drop=("b",), c=[3, 4])
    >>> list(out.columns), np.shares_memory(out["a"].to_numpy(), df["a"].to_numpy())
    (['a', 'c'], True)
    """
    out = pd.DataFrame({c: df[c] for c in df.columns if c not in drop}, index=df.index, copy=False)
    for name, values in new.items():
        out[name] = values
    return out


def _rule_of_pairs(pairs: pd.DataFrame, cannot: pd.DataFrame) -> np.ndarray:
    """The cannot-link rule that fired on each scored pair ('' where none did)."""
    out = np.full(len(pairs), "", dtype=object)
    if not len(cannot) or not len(pairs):
        return out
    lo = np.minimum(pairs["unique_id_l"].to_numpy(np.int64), pairs["unique_id_r"].to_numpy(np.int64))
    hi = np.maximum(pairs["unique_id_l"].to_numpy(np.int64), pairs["unique_id_r"].to_numpy(np.int64))
    key = pd.MultiIndex.from_arrays([lo, hi])
    rules = pd.Series(cannot["rule"].to_numpy(), index=pd.MultiIndex.from_arrays([cannot["a"], cannot["b"]]))
    got = rules.reindex(key).to_numpy()
    return np.where(pd.isna(got), "", got).astype(object)


def _blocking_rule_sql(model: dict) -> list[str] | None:
    """The SQL condition of each of the model's prediction blocking rules (``l.`` and ``r.`` columns); None
    when a rule is more than a condition (exploded arrays, salting), which an update then scores in full."""
    out = []
    for br in model.get("blocking_rules_to_generate_predictions", []):
        if isinstance(br, dict):
            if set(br) - {"blocking_rule", "sql_dialect"}:
                return None
            out.append(br["blocking_rule"])
        else:
            out.append(str(br))
    return out


def changed_pairs_sql(rule: str, changed: str, records: str) -> str:
    """SQL of the pairs ``rule`` finds with at least one record of table ``changed`` (a subset of
    ``records``): the changed records on the left, then on the right, so that each join starts from the
    few changed records; ids as ``join_key_l < join_key_r``, as Splink pairs them."""
    sides = []
    for left, right in ((changed, records), (records, changed)):
        sides.append(f"SELECT l.unique_id AS join_key_l, r.unique_id AS join_key_r FROM {left} AS l "
                     f"JOIN {right} AS r ON ({rule}) WHERE l.unique_id < r.unique_id")
    return " UNION ALL ".join(sides)


def rule_pairs_sql(rules: list[str], i: int, records: str) -> str:
    """SQL of the pairs blocking rule ``rules[i]`` finds in table ``records`` and no earlier rule does (as
    Splink's blocking writes it): ``match_key`` (the rule's number, as text), ``join_key_l < join_key_r``.

    >>> print(rule_pairs_sql(["l.a = r.a", "l.b = r.b"], 1, "t"))   # doctest: +NORMALIZE_WHITESPACE
    SELECT '1' AS match_key, l.unique_id AS join_key_l, r.unique_id AS join_key_r FROM t AS l
    JOIN t AS r ON (l.b = r.b) WHERE l.unique_id < r.unique_id AND NOT (coalesce((l.a = r.a), false))
    """
    earlier = " OR ".join(f"coalesce(({rule}), false)" for rule in rules[:i])
    return (f"SELECT '{i}' AS match_key, l.unique_id AS join_key_l, r.unique_id AS join_key_r FROM {records} AS l "
            f"JOIN {records} AS r ON ({rules[i]}) WHERE l.unique_id < r.unique_id"
            + (f" AND NOT ({earlier})" if earlier else ""))


def _reuse_report(reuse: Any, n_pairs: int) -> dict:
    """What an update took over from the previous run (``result.metadata["update_reuse"]``)."""
    if reuse is None:
        return {"pairs_reused": 0, "standardised_rows_reused": 0,
                "why": "the previous run kept no row hashes or scored pairs (saved with mask_ids=True or "
                       "without parquet, or made by an older version) or was scored by another model: every "
                       "pair was scored"}
    return {**reuse.stats, "pairs_kept": int(n_pairs),
            "standardised_rows_reused": 0,
            "why": "the previous run's pairs between two records whose model-table row is unchanged are "
                   "scored again without blocking, the other pairs found by blocking only among pairs with a "
                   "changed or new record; a list whose input did not change takes its standardised rows "
                   "from the previous run; in a changed list only the new and changed rows are standardised, "
                   "with what standardisation learns from the whole list (Excel-damaged NIKs, heaped birth "
                   "dates, relationship codes, NY. readings, record ids) learnt from all its rows, unless "
                   "such a decision moved (then the list is standardised in full)"}


def _report_reused_lists(lk: Linker, prev: Any) -> None:
    """Add to ``metadata["update_reuse"]`` the lists whose standardised rows came from the previous run."""
    reused = [n for n, v in lk._standardised.items() if v.reused]
    rep = lk.metadata.setdefault("update_reuse", {})
    rep["lists_reused"] = reused
    rep["standardised_rows_reused"] = int(sum(lk._standardised[n].n_rows for n in reused))
    # the unchanged rows of changed lists (:func:`linkmiskin.standardise.reuse.changed_rows_standardised`)
    rep["rows_reused_in_changed_lists"] = int(sum(v.rows_reused for v in lk._standardised.values() if not v.reused))
    # records whose per-record model-table columns came from the previous model table
    rep["model_rows_reused"] = int(getattr(lk, "_model_rows_reused", 0))


def _cluster_records(table: pd.DataFrame, plain: bool) -> pd.DataFrame:
    """The records person clustering reads (the cannot-link rules' columns, ``node`` and ``trusted_id``: the
    plain ids when ``plain``), not a copy of the whole model table."""
    from linkmiskin.clustering.cannot_link import _RECORD_COLUMNS

    cols = {c: table[c] for c in _RECORD_COLUMNS if c in table and c != "trusted_id"}
    return pd.DataFrame({**cols, "node": np.arange(len(table)), "trusted_id": table["id_plain"] if plain else None},
                        index=table.index)


def _sorted_codes(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(keys, sort=True)``: a code per key in the keys' sorted order, and the sorted keys."""
    codes, uniques = pd.factorize(pd.Series(keys), sort=True)
    return codes, np.asarray(uniques, dtype=object)


def _cluster_ids(prefix: str, keys: np.ndarray, rep: np.ndarray, hashed: bool = True,
                 sorted_codes: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Deterministic cluster ids: a hash of the smallest ``source:record_id`` key in each cluster (not
    ``hashed``: that key itself, the cluster's label in an update, which replaces it by a carried-over or
    minted id). ``sorted_codes``: :func:`_sorted_codes` of ``keys`` when the caller has it (sorting the keys
    is most of the time; persons and households share it)."""
    from linkmiskin.clustering.persons import stable_id

    codes, uniques = _sorted_codes(keys) if sorted_codes is None else sorted_codes   # code order = key order
    n = int(rep.max()) + 1 if len(rep) else 0
    best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, rep, codes.astype(np.int64))
    used = np.flatnonzero(best != np.iinfo(np.int64).max)
    first = pd.Series(np.asarray(uniques, dtype=object)[best[used]], index=used)
    ids = stable_id(prefix, first) if hashed else first
    return ids.reindex(rep).to_numpy()


def _link_reason(rep: np.ndarray, no_ident: np.ndarray, joined_by: np.ndarray | None) -> np.ndarray:
    """Each record's ``link_reason`` from its person label ``rep`` (positional), whether it has neither name
    nor NIK, and the rule of the second pass that joined its person ('' where none; household_context)."""
    size = np.bincount(rep, minlength=len(rep))[rep]
    reason = np.where(size > 1, "linked", "no match found")
    reason = np.where(no_ident, "unlinkable: no name and no NIK", reason)
    if joined_by is not None:
        reason = np.where(joined_by != "", "linked: " + joined_by.astype(str), reason)
    return reason


def _assemble_records(std: pd.DataFrame, persons: pd.DataFrame, hh: pd.DataFrame,
                      hashed: bool = True) -> pd.DataFrame:
    key = (std["source"].astype(str) + ":" + std["record_id"].astype(str)).to_numpy()
    codes = _sorted_codes(key)
    rep = persons["person_node"].to_numpy()
    hrep = hh["household_node"].to_numpy()
    out = pd.DataFrame({
        "source": std["source"].to_numpy(),
        "record_id": std["record_id"].astype(str).to_numpy(),
        "person_id": _cluster_ids("P", key, rep, hashed, codes),
        "household_id": _cluster_ids("H", key, hrep, hashed, codes),
        "person_confidence": persons["person_confidence"].to_numpy(),
        "household_confidence": hh["household_confidence"].to_numpy(),
    })
    no_ident = std["name"].isna().to_numpy() & std["nik"].isna().to_numpy()
    reason = _link_reason(rep, no_ident, persons["joined_by"].to_numpy(dtype=object) if "joined_by" in persons else None)
    out["link_reason"] = shared_strings(reason.astype(object))   # (a few texts: one string object each)
    out["household_evidence"] = hh["household_evidence"].to_numpy()
    keep = [c for c in std.columns if c not in ("unique_id", "source", "record_id")]
    for c in keep:
        out[c] = std[c].array  # keeps nullable Int64 / string dtypes
    return out


def _group_lists(groups: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list[list]]:
    """(group keys, list of values per group) for arrays already sorted by group."""
    if len(groups) == 0:
        return groups, []
    cut = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    starts = np.concatenate([[0], cut])
    # one conversion to a Python list, then slices of it (not one small array per group)
    items = values.tolist()
    return groups[starts], [items[a:b] for a, b in zip(starts.tolist(), [*cut.tolist(), len(items)])]


def _households_table(records: pd.DataFrame) -> pd.DataFrame:
    r = pd.DataFrame({"household_id": records["household_id"].to_numpy(),
                      "key": (records["source"] + ":" + records["record_id"]).to_numpy(),
                      "source": records["source"].to_numpy(), "person_id": records["person_id"].to_numpy(),
                      "desa_code": records["desa_code"].to_numpy() if "desa_code" in records else None,
                      "conf": records["household_confidence"].to_numpy()})
    r = r.sort_values(["household_id", "key"], kind="stable")
    g = r.groupby("household_id", sort=True)
    out = pd.DataFrame({"n_records": g.size(), "household_confidence": g["conf"].min()})
    hid, members = _group_lists(r["household_id"].to_numpy(), r["key"].to_numpy())
    out["members"] = pd.Series(members, index=hid, dtype=object)
    pers = r.drop_duplicates(["household_id", "person_id"]).sort_values(["household_id", "person_id"])
    hid, plist = _group_lists(pers["household_id"].to_numpy(), pers["person_id"].to_numpy())
    out["persons"] = pd.Series(plist, index=hid, dtype=object)
    out["n_persons"] = out["persons"].map(len)
    progs = r.drop_duplicates(["household_id", "source"]).sort_values(["household_id", "source"])
    hid, prog = _group_lists(progs["household_id"].to_numpy(), progs["source"].to_numpy())
    out["programmes"] = pd.Series(prog, index=hid, dtype=object)
    d = r.dropna(subset=["desa_code"])
    if len(d):
        cnt = d.groupby(["household_id", "desa_code"]).size().rename("c").reset_index()
        cnt = cnt.sort_values(["household_id", "c", "desa_code"], ascending=[True, False, True])
        out["desa_code"] = cnt.drop_duplicates("household_id").set_index("household_id")["desa_code"]
    else:
        out["desa_code"] = None
    out["n_programmes"] = out["programmes"].map(len)
    out = out[["n_records", "n_persons", "persons", "members", "programmes", "n_programmes", "desa_code",
               "household_confidence"]]
    out.index.name = "household_id"
    return out.reset_index()


def _replace_ids(res: LinkResult, records: pd.DataFrame, changes: pd.DataFrame | None,
                 registry: pd.DataFrame | None, run: int, golden_state: Any = None) -> LinkResult:
    """The result with carried-over ids: households and golden records rebuilt on the final ids, only for
    the groups that changed when ``golden_state`` (the previous run's) is given
    (:func:`linkmiskin.clustering.golden_update.update_tables`)."""
    import dataclasses

    if golden_state is None:
        return dataclasses.replace(res, records=records, households=_households_table(records), persons=None,
                                   changes=changes, id_registry=registry, run=run)  # __post_init__: golden
    from linkmiskin.clustering.golden_update import update_tables

    persons, households, sig, stats = update_tables(records, res.snapshots, golden_state, _households_table)
    res.metadata.setdefault("update_reuse", {}).update(stats)
    return dataclasses.replace(res, records=records, households=households, persons=persons,
                               changes=changes, id_registry=registry, run=run, golden_signatures=sig)


def link(sources: dict[str, TableLike], columns: dict[str, dict[str, str]] | None = None,
         region: str | None = None, threshold: float | None = None, *, progress: bool = True,
         seed: int = 42, cannot_link_off: tuple[str, ...] | list[str] = (),
         use_row_order: str | bool = "auto", previous: Any = None, retrain: bool = False,
         snapshots: dict[str, str] | None = None, list_date: Any = None, header: Any = None,
         backend: str = "duckdb", spark: Any = None, cannot_link_check: bool = True) -> LinkResult:
    """Link agency lists into persons and households, with match confidence.

    Parameters
    ----------
    sources:
        ``{source_name: DataFrame or file path}``; files may be CSV (any common separator and encoding),
        Excel or Parquet. NIK/KK columns may hold keyed pseudonyms made by :func:`linkmiskin.pseudonymise`
        (with one key for all lists): equal tokens count as the same NIK/KK.
    columns:
        ``{source_name: {canonical_field: source_column}}``; fields left out are auto-detected.
    region:
        Kemendagri code of the kabupaten/kota (``"32.16"`` = Kabupaten Bekasi); scopes desa/kecamatan names.
    threshold:
        Person match probability threshold, a number strictly between 0 and 1; by default the model
        chooses it (maximum expected F1).
    cannot_link_off:
        Names of cannot-link rules to switch off (see :func:`linkmiskin.clustering.cannot_link.rules_table`);
        ``result.pairs.cannot_link_rule`` names the rule that kept each pair apart.
    cannot_link_check:
        ``True`` (default): rules that this data contradicts (they fire on too many pairs that other
        evidence shows to be one person) are switched off for the job, with a warning, and
        ``result.metadata["cannot_link"]`` reports each rule checked; ``False`` keeps every rule on
        (docs/training.md).
    use_row_order:
        ``"auto"``, ``True`` or ``False``: whether household rules may read the lists' row order (see
        :class:`Linker`); ``result.metadata["row_order"]`` says per list which rule was used and why.
    previous:
        A :class:`LinkResult` or a folder written by :meth:`LinkResult.save` of the same region: its ids
        carry over to these lists (see :mod:`linkmiskin.clustering.updates`) and ``result.changes`` lists what
        changed. Its model and threshold are reused (no training) unless ``retrain=True``.
    retrain:
        With ``previous``: train a new model on these lists instead of reusing the previous one.
    snapshots:
        Snapshot date of each list (``{"dtks": "2025-01-31"}``) for the golden records' recency rule.
    list_date:
        The date (or year) the ages of a list with an age column (UMUR 34 TH) were taken on: one value for
        every source or ``{"posyandu": "2025-03-01"}``; a visit-date column wins, today when neither is known.
    header:
        The heading row's number (1 = first row) of CSV/Excel sources whose heading is not found by itself:
        one value or ``{"sekolah": 3}``.
    backend, spark:
        ``backend="spark"`` with ``spark=<SparkSession>`` trains, scores and clusters persons on Spark and
        returns a :class:`linkmiskin.spark_backend.SparkLinkResult` of Spark DataFrames, with the golden tables,
        crosswalks and ``previous=`` updates built on the driver (docs/spark.md).

    Returns
    -------
    :class:`LinkResult` with ``records``, ``pairs``, ``households``, ``column_mapping`` and ``save()``.
    """
    if backend != "duckdb":
        return _spark_step(sources, columns, region, threshold, spark=spark, seed=seed, backend=backend,
                           cannot_link_off=cannot_link_off, previous=previous, retrain=retrain, snapshots=snapshots,
                           list_date=list_date, header=header, use_row_order=use_row_order)
    t0 = time.perf_counter()
    if threshold is not None:
        threshold = check_threshold(threshold)  # before the minutes of training, not after
    prev, region = _previous_step(previous, region, retrain)
    t_prev = time.perf_counter() - t0   # an update: what it takes over from the previous run, gathered
    prog = _progress(progress)
    try:
        lk = Linker(None, columns, region, progress=progress, seed=seed, cannot_link_off=cannot_link_off,
                    use_row_order=use_row_order, cannot_link_check=cannot_link_check)
        _standardise_step(lk, sources, columns, list_date, header, prev, prog)
        _model_step(lk, prev, retrain, threshold, prog)
        _score_step(lk, prev, retrain, prog)
        res = _cluster_step(lk, threshold, snapshots, prev)
        res = _ids_step(res, prev, snapshots)
        if prev is not None:
            res.timings["previous_run"] = round(t_prev, 2)
        prog.step(f"clustered {res.records['person_id'].nunique()} persons and "
                  f"{res.records['household_id'].nunique()} households")
        res.timings["total"] = round(time.perf_counter() - t0, 2)
        return res
    finally:
        prog.close()


def _spark_step(sources: dict[str, TableLike], columns: Any, region: str | None, threshold: float | None, *,
                spark: Any, seed: int, backend: str, cannot_link_off: Any, previous: Any, retrain: bool,
                snapshots: Any, list_date: Any, header: Any, use_row_order: Any) -> Any:
    """:func:`link` on Spark (:func:`linkmiskin.spark_backend.link`), after checking the options it supports."""
    if backend != "spark":
        raise LinkError(f"backend must be 'duckdb' or 'spark', got {backend!r}")
    unsupported = [name for name, value in (("snapshots", snapshots),
                                             ("list_date", list_date), ("header", header)) if value]
    if unsupported or use_row_order != "auto":
        names = ", ".join(f"{n}=" for n in unsupported + (["use_row_order"] if use_row_order != "auto" else []))
        raise LinkError(f"{names} not supported with backend='spark' yet: run on DuckDB (the default) "
                        "or leave them out")
    from linkmiskin.spark_backend import link as link_on_spark
    return link_on_spark(sources, columns, region, threshold, spark=spark, seed=seed,
                         cannot_link_off=cannot_link_off, previous=previous, retrain=retrain)


def _previous_step(previous: Any, region: str | None, retrain: bool) -> tuple[Any, str | None]:
    """An update's previous run (:class:`linkmiskin.clustering.updates.PreviousRun`, None for a first link),
    checked against the region and the model it must hold, and the region (the previous run's if not
    given)."""
    if previous is None:
        return None, region
    from linkmiskin.clustering.updates import UpdateError, as_previous, check_region
    from linkmiskin.standardise.regions import validate_region
    prev = previous.previous_run() if hasattr(previous, "previous_run") else as_previous(previous)
    check_region(prev, validate_region(region) if region is not None else None)
    if not retrain and (prev.model or {}).get("sql_dialect") == "spark":
        raise UpdateError(f"previous result ({prev.origin}) was scored on Spark and holds its model in Spark "
                          "SQL: update it with backend='spark', or pass retrain=True to train on DuckDB")
    if region is None:
        region = prev.region
    if not retrain and not prev.model:
        raise UpdateError(f"previous result ({prev.origin}) has no model to reuse; pass retrain=True")
    return prev, region


def _standardise_step(lk: Linker, sources: dict[str, TableLike], columns: Any, list_date: Any, header: Any,
                      prev: Any, prog: Any) -> None:
    """Read and standardise the lists, with what an update takes over from the previous run (its lists'
    rows, its model table's per-record columns), and check an update's record ids."""
    lk.set_sources(sources, columns, list_date=list_date, header=header,
                   previous_lists=prev.lists if prev is not None else None,
                   previous_model_rows=prev.model_rows if prev is not None else None)
    prog.step(f"standardised {len(lk._input_order)} records from {len(sources)} sources")
    if prev is not None:
        from linkmiskin.clustering.updates import check_record_ids
        check_record_ids(prev, lk._std_ids)   # record id kinds per source: the order does not matter


def _model_step(lk: Linker, prev: Any, retrain: bool, threshold: float | None, prog: Any) -> None:
    """Train the model, or take an update's previous model (and its cannot-link state) unless ``retrain``."""
    if prev is not None and not retrain:
        lk.model, lk._model_from_previous = prev.model, True
        lk._previous_persons = prev.person_state
        lk.threshold = prev.threshold if threshold is None else None
        prog.step("reused the previous model (no training)")
    else:
        lk.train()
        prog.step("trained the model")


def _score_step(lk: Linker, prev: Any, retrain: bool, prog: Any) -> None:
    """Score the candidate pairs (an update with the previous model: only what changed is blocked again)."""
    lk.predict(previous=prev if prev is not None and not retrain else None)
    if prev is not None:
        _report_reused_lists(lk, prev)
    prog.step(f"scored {len(lk._pairs)} candidate pairs")


def _cluster_step(lk: Linker, threshold: float | None, snapshots: Any, prev: Any) -> LinkResult:
    """Persons and households (the golden records wait for the final ids when there are snapshot dates or a
    previous run)."""
    lk._defer_golden = prev is not None or bool(snapshots)
    lk._labels_only = prev is not None
    res = lk.cluster(threshold)
    lk._defer_golden = lk._labels_only = False
    res.region, res.snapshots = lk.region, snapshots
    if prev is not None:
        # records of components whose cannot-link pairs came from the previous run (clustering.person_reuse)
        res.metadata.setdefault("update_reuse", {})["cannot_link_records_reused"] = lk._persons_reused
    return res


def _ids_step(res: LinkResult, prev: Any, snapshots: Any) -> LinkResult:
    """An update's ids carried over from the previous run, then the households and golden records on the
    final ids (only for what changed in an update)."""
    if prev is not None:
        from linkmiskin.clustering.updates import apply_previous
        t1 = time.perf_counter()
        records, changes, registry, run = apply_previous(res.records, prev)
        res.timings["carry_ids"] = round(time.perf_counter() - t1, 2)
        t1 = time.perf_counter()
        res = _replace_ids(res, records, changes, registry, run, prev.golden)
        res.timings["golden_records"] = round(time.perf_counter() - t1, 2)
    elif snapshots:
        t1 = time.perf_counter()
        res = _replace_ids(res, res.records, None, res.id_registry, res.run)
        res.timings["golden_records"] = round(time.perf_counter() - t1, 2)
    return res


__all__ = ["link", "Linker", "LinkResult", "LinkError", "choose_threshold", "MODEL_COLUMNS", "settings",
           "SourceError"]
