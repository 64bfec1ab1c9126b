"""Run linkmiskin's Splink model on Apache Spark (optional: ``pip install linkmiskin[spark]``).

linkmiskin's comparisons are written in DuckDB SQL (:mod:`linkmiskin.scoring.comparisons`). This module is the one
place that makes them run on Spark SQL:

* :func:`to_spark_sql` translates a DuckDB condition to Spark SQL (sqlglot, plus the functions sqlglot does
  not map: ``len`` of a list, ``list_has_all``, ``list_has_any``, ``list_bool_and/or`` over
  ``list_transform``, ``hamming``, ``jaro_winkler_similarity``);
* :func:`register_functions` registers what Spark lacks: ``lm_jaro_winkler`` (a vectorised pandas UDF over
  jellyfish, which gives DuckDB's Jaro-Winkler to the last bit; Splink's own Spark ``jaro_winkler`` does
  not); ``damerau_levenshtein`` comes from Splink's similarity jar (:func:`spark_session` adds it);
* :func:`spark_model` turns a model trained on DuckDB into the same model for Spark (Splink stores SQL in
  the model, so a DuckDB model loaded on Spark as it is scores wrongly *without an error*);
* :func:`spark_comparison` wraps a comparison so that Splink builds its Spark SQL from the translation.

>>> from linkmiskin.spark_backend import to_spark_sql
>>> to_spark_sql('len("name_tokens_l") > 0 AND list_has_any("name_nick_l", "name_tokens_r")')
'IF(`name_tokens_l` IS NULL, NULL, SIZE(`name_tokens_l`)) > 0 AND ARRAYS_OVERLAP(`name_nick_l`, `name_tokens_r`)'

Conventions the translation relies on (kept by :mod:`linkmiskin.scoring.comparisons`): ``len(...)`` is only applied
to lists and ``length(...)`` only to strings; ``list_bool_and``/``list_bool_or`` are applied to non-empty
lists (DuckDB gives NULL for an empty list, Spark's ``forall`` true).
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlglot
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from sqlglot import exp

from linkmiskin.privacy import MaskedError
from linkmiskin.scoring.comparisons import KkComparison

#: name of the Jaro-Winkler function registered on Spark (DuckDB's ``jaro_winkler_similarity``)
JARO_WINKLER_UDF = "lm_jaro_winkler"
_LEN_MARK = "lm__array_len"


class SparkBackendError(MaskedError):
    """The Spark backend cannot run: pyspark, the session or Splink's jar is missing."""


def require_pyspark() -> Any:
    """Import pyspark or raise :class:`SparkBackendError` saying how to install it."""
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SparkBackendError("backend='spark' needs pyspark and Java 17+: pip install 'linkmiskin[spark]'") from e
    return SparkSession


# --------------------------------------------------------------------------------------- SQL translation
def _spark(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="spark")


def _fn_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return node.sql_name().lower() if isinstance(node, exp.Func) else ""


def _args(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    return [a for a in (node.this, node.expression) if isinstance(a, exp.Expression)] + list(
        node.expressions or [])


def _hamming(a: str, b: str) -> str:
    # DuckDB raises on strings of different lengths; NULL here (a NULL condition is not met)
    return (f"CASE WHEN LENGTH({a}) <> LENGTH({b}) THEN NULL ELSE SIZE(FILTER(SEQUENCE(1, GREATEST(LENGTH({a}), 1)), "
            f"lm_i -> SUBSTRING({a}, lm_i, 1) <> SUBSTRING({b}, lm_i, 1))) END")


def _list_bool(node: exp.Expression, quantifier: str) -> exp.Expression:
    (arg,) = _args(node)
    if isinstance(arg, exp.Transform) or _fn_name(arg) in ("transform", "list_transform"):
        lst, lam = arg.this, arg.expression
        return exp.Anonymous(this=quantifier, expressions=[lst, lam])
    return _spark(f"{quantifier}({arg.sql('spark')}, lm_v -> lm_v)")


def _rewrite(node: exp.Expression) -> exp.Expression:
    """One node of a parsed DuckDB condition, rewritten for Spark (children first, by ``transform``)."""
    name = _fn_name(node)
    if isinstance(node, exp.Anonymous) and name == _LEN_MARK:
        (a,) = node.expressions
        s = a.sql("spark")
        return _spark(f"IF({s} IS NULL, NULL, SIZE({s}))")
    if isinstance(node, exp.ArrayOverlaps) or name == "list_has_any":
        a, b = _args(node)
        return exp.Anonymous(this="ARRAYS_OVERLAP", expressions=[a, b])
    if name in ("list_has_all", "array_has_all") or isinstance(node, exp.ArrayContainsAll):
        a, b = _args(node)
        return _spark(f"FORALL({b.sql('spark')}, lm_e -> ARRAY_CONTAINS({a.sql('spark')}, lm_e))")
    if name == "list_bool_and":
        return _list_bool(node, "FORALL")
    if name == "list_bool_or":
        return _list_bool(node, "EXISTS")
    if name == "hamming":
        a, b = (x.sql("spark") for x in _args(node))
        return _spark(_hamming(a, b))
    if name in ("jaro_winkler_similarity", "jarowinkler_similarity") or isinstance(node, exp.JarowinklerSimilarity):
        a, b = _args(node)[:2]
        return exp.Anonymous(this=JARO_WINKLER_UDF, expressions=[a, b])
    return node


def to_spark_sql(duckdb_sql: str) -> str:
    """Translate a DuckDB SQL condition (as :mod:`linkmiskin.scoring.comparisons` writes them) to Spark SQL.

    >>> to_spark_sql('hamming("nik_l", "nik_r") <= 2')  # doctest: +ELLIPSIS
    'CASE WHEN LENGTH(`nik_l`) <> LENGTH(`nik_r`) THEN NULL ELSE SIZE(FILTER(SEQUENCE(1, ...'
    """
    if duckdb_sql.strip().upper() == "ELSE":
        return "ELSE"
    marked = re.sub(r"\blen\s*\(", f"{_LEN_MARK}(", duckdb_sql, flags=re.IGNORECASE)
    tree = sqlglot.parse_one(marked, read="duckdb")
    out = tree.sql(dialect="spark")
    for _ in range(20):  # a rewritten node's children are rewritten on the next pass
        tree = tree.transform(_rewrite)
        again = tree.sql(dialect="spark")
        if again == out:
            return out
        out = again
    raise SparkBackendError("to_spark_sql did not converge")  # pragma: no cover


# ----------------------------------------------------------------------------------- comparisons / model
def _spark_level(level: ComparisonLevelCreator) -> ComparisonLevelCreator:
    """A copy of a level whose DuckDB custom SQL is translated to Spark SQL (key and settings kept)."""
    out = copy.deepcopy(level)
    if getattr(out, "base_dialect_str", None) == "duckdb" and hasattr(out, "sql_condition"):
        out.sql_condition = to_spark_sql(out.sql_condition)
        out.base_dialect_str = "spark"
    return out


class SparkComparison(ComparisonCreator):
    """A linkmiskin comparison whose levels run on Spark: the same levels, keys, labels and settings, with
    the DuckDB SQL translated by :func:`to_spark_sql`.

    >>> from linkmiskin.scoring.comparisons import SexComparison
    >>> SparkComparison(SexComparison("sex")).create_output_column_name()
    'sex'
    """

    def __init__(self, inner: ComparisonCreator) -> None:
        self._inner = inner
        super().__init__(dict(inner.col_expressions))
        for attr in ("_m_probabilities", "_u_probabilities", "_term_frequency_adjustments"):
            if attr in inner.__dict__:  # what inner.configure(...) set
                setattr(self, attr, copy.deepcopy(inner.__dict__[attr]))

    def create_comparison_levels(self) -> list[ComparisonLevelCreator]:
        return [_spark_level(lv) for lv in self._inner.create_comparison_levels()]

    def create_output_column_name(self) -> str | None:
        return self._inner.create_output_column_name()

    def create_description(self) -> str:
        return self._inner.create_description()


def spark_comparison(comparison: ComparisonCreator) -> SparkComparison:
    """The Spark form of a linkmiskin comparison (see :class:`SparkComparison`)."""
    return SparkComparison(comparison)


def spark_model(model: dict) -> dict:
    """A Splink model dict trained on DuckDB, made to score identically on Spark.

    Every level's SQL condition and every blocking rule is translated (:func:`to_spark_sql`) and the model
    is marked ``sql_dialect="spark"``. Never load a DuckDB model file on Spark as it is: Splink then reads
    ``"name_l" = "name_r"`` as two string literals and scores every pair wrongly, without an error.

    >>> m = {"sql_dialect": "duckdb", "blocking_rules_to_generate_predictions": [
    ...      {"blocking_rule": 'l."nik15" = r."nik15"'}], "comparisons": []}
    >>> spark_model(m)["blocking_rules_to_generate_predictions"][0]["blocking_rule"]
    'l.`nik15` = r.`nik15`'
    """
    if model.get("sql_dialect", "duckdb") not in ("duckdb", "spark"):
        raise SparkBackendError(f"cannot move a model written for {model.get('sql_dialect')!r} to Spark")
    out = copy.deepcopy(model)
    if model.get("sql_dialect", "duckdb") == "spark":
        return out
    out["sql_dialect"] = "spark"
    for comp in out.get("comparisons", []):
        for lv in comp.get("comparison_levels", []):
            lv["sql_condition"] = to_spark_sql(lv["sql_condition"])
    for br in out.get("blocking_rules_to_generate_predictions", []):
        if isinstance(br, dict):
            br["blocking_rule"] = to_spark_sql(br["blocking_rule"])
            br["sql_dialect"] = "spark"
    return out


# ------------------------------------------------------------------------------------- session and UDFs
def _jaro_winkler_series(a: pd.Series, b: pd.Series) -> pd.Series:
    """DuckDB's ``jaro_winkler_similarity`` on two string Series (a batch of a pandas UDF): jellyfish's Rust
    on each pair, NULL where either is NULL. Measured faster than a pure-numpy Jaro-Winkler (its loop over
    character positions costs more than the Rust call) and than computing once per distinct pair (the
    merge back costs more than it saves): see ``benchmarks/bench_spark.py --jaro-winkler``."""
    import jellyfish

    ok = (a.notna() & b.notna()).to_numpy(dtype=bool)
    out = np.full(len(a), np.nan)
    if ok.any():
        jw = jellyfish.jaro_winkler_similarity
        out[ok] = [jw(x, y) for x, y in zip(a.to_numpy(dtype=object)[ok], b.to_numpy(dtype=object)[ok])]
    return pd.Series(out, index=a.index)


def register_functions(spark: Any) -> None:
    """Register on ``spark`` the SQL functions linkmiskin's comparisons need and Spark lacks.

    ``lm_jaro_winkler`` (DuckDB's Jaro-Winkler) as a vectorised pandas UDF; checks that Splink's jar, which
    provides ``damerau_levenshtein``, is on the session (:func:`spark_session` adds it).
    """
    from pyspark.sql.functions import pandas_udf
    from splink.backends.spark import SparkAPI

    spark.udf.register(JARO_WINKLER_UDF, pandas_udf(_jaro_winkler_series, "double"))
    SparkAPI(spark_session=spark)  # registers the jar's functions (damerau_levenshtein) when it is loaded
    try:
        spark.sql("SELECT damerau_levenshtein('ab', 'ba') AS d").collect()
    except Exception as e:
        raise SparkBackendError(
            "Spark has no damerau_levenshtein: start the session with Splink's jar, e.g. "
            ".config('spark.jars', splink.backends.spark.similarity_jar_location()), or use "
            "linkmiskin.spark_backend.spark_session()") from e


#: the smallest driver heap of a local session made by :func:`spark_session`
LOCAL_DRIVER_MEMORY = "2g"
#: the share of the machine's memory a local session's driver heap takes (in local mode the driver is the
#: only executor: at 50,000 households a 2 GB heap could not broadcast the blocked pairs' join table)
LOCAL_DRIVER_MEMORY_SHARE = 0.3


def local_driver_memory() -> str:
    """The driver heap of a local session: ``LINKMISKIN_SPARK_DRIVER_MEMORY`` when set (``6g``), else
    :data:`LOCAL_DRIVER_MEMORY_SHARE` of the machine's memory, at least :data:`LOCAL_DRIVER_MEMORY`.

    >>> local_driver_memory()          # doctest: +SKIP
    '7g'
    """
    env = os.environ.get("LINKMISKIN_SPARK_DRIVER_MEMORY")
    if env:
        return env.strip()
    from linkmiskin.linkage import _machine_memory  # lazy: linkage imports this module

    total = _machine_memory()
    floor = int(LOCAL_DRIVER_MEMORY.rstrip("g"))
    if not total:
        return LOCAL_DRIVER_MEMORY
    return f"{max(floor, int(LOCAL_DRIVER_MEMORY_SHARE * total / 2**30))}g"


def spark_session(master: str = "local[2]", *, app_name: str = "linkmiskin", checkpoint_dir: str | None = None,
                  conf: dict[str, str] | None = None) -> Any:
    """A Spark session ready for linkmiskin: Splink's similarity jar, a checkpoint folder, Python workers
    on this interpreter (local mode), a driver heap of :func:`local_driver_memory` in local mode unless
    ``conf`` sets ``spark.driver.memory`` (Spark analyses the model's SQL on the driver, and the default
    1 GB ran out on it), and linkmiskin's functions registered.

    >>> spark = spark_session("local[2]")       # doctest: +SKIP
    """
    SparkSession = require_pyspark()
    from splink.backends.spark import similarity_jar_location

    conf = dict(conf or {})
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        conf.setdefault("spark.driver.memory", local_driver_memory())
    b = (SparkSession.builder.master(master).appName(app_name)
         .config("spark.jars", similarity_jar_location())
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "8" if master.startswith("local") else "200"))
    for k, v in conf.items():
        b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(checkpoint_dir or tempfile.mkdtemp(prefix="linkmiskin_spark_ckpt_"))
    register_functions(spark)
    return spark


# --------------------------------------------------------------------------------------- model records
def _spark_type(s: pd.Series) -> str:
    if s.dtype == object:
        v = s.dropna()
        if len(v) and isinstance(v.iloc[0], (list, tuple, np.ndarray)):
            return "array<string>"
        return "string"
    if pd.api.types.is_bool_dtype(s.dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(s.dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(s.dtype):
        return "double"
    return "string"


def records_schema(table: pd.DataFrame) -> str:
    """The Spark DDL schema of a model table (:func:`linkmiskin.scoring.model.model_table`)."""
    return ", ".join(f"`{c}` {_spark_type(table[c])}" for c in table.columns)


def to_spark_records(spark: Any, table: pd.DataFrame, schema: str | None = None) -> Any:
    """A pandas model table as a Spark DataFrame with an explicit schema (lists as ``array<string>``)."""
    schema = schema or records_schema(table)
    t = table.copy()
    for c in t.columns:
        if t[c].dtype == object:
            t[c] = t[c].map(lambda v: list(v) if isinstance(v, (tuple, np.ndarray)) else v)
        elif isinstance(t[c].dtype, pd.Int64Dtype):
            t[c] = t[c].astype(object).where(t[c].notna(), None)
    return spark.createDataFrame(t, schema=schema)


# ---------------------------------------------------------------------------------------------- training
def _spark_settings(prior: float = 1e-5, comps: list[Any] | None = None) -> Any:
    """linkmiskin's Splink settings (:func:`linkmiskin.scoring.model.settings`) with every comparison in Spark form."""
    from linkmiskin.scoring.model import comparisons, settings

    # (without the thin-evidence rules: training with them ran out of driver memory in a local session; a
    # model trained on DuckDB keeps them, spark_model)
    return settings(prior, comps=[spark_comparison(c) for c in (comps or comparisons())], thin_evidence=False)


def _anchor_pairs_spark(records: Any, condition: str, limit: int, seed: int) -> Any:
    """Spark form of :func:`linkmiskin.scoring.model._anchor_pairs`: up to ``limit`` random pairs meeting
    ``condition`` (DuckDB SQL with ``l.``/``r.`` prefixes), as a Spark DataFrame of clerical labels."""
    from pyspark.sql import functions as F

    cond = to_spark_sql(condition)
    pairs = (records.alias("l").join(records.alias("r"), F.expr(f"({cond}) AND l.unique_id < r.unique_id"))
             .select(F.col("l.unique_id").alias("unique_id_l"), F.col("r.unique_id").alias("unique_id_r")))
    return (pairs.orderBy(F.rand(seed)).limit(int(limit))
            .withColumn("source_dataset_l", F.lit("records")).withColumn("source_dataset_r", F.lit("records"))
            .withColumn("clerical_match_score", F.lit(1.0)))


def _m_from_labels(db_api: Any, sdf: Any, labels: Any, name: str, comps: list[Any]) -> dict:
    from splink import Linker as SplinkLinker

    linker = SplinkLinker(sdf, _spark_settings(comps=comps), log_level=30)
    linker.training.estimate_m_from_pairwise_labels(db_api.register(labels, table_name=name))
    return linker.misc.save_model_to_json()


#: comparisons whose m the NIK anchor pairs train on Spark (the NIK's own m comes from name anchors), by name
_FROM_NIK_ANCHORS = ("name", "dob", "sex", "address", "relationship")


class _SparkSql:
    """The ``con.execute(sql).fetchall()`` of a DuckDB connection, for DuckDB SQL over ``records`` (the model
    table as a Spark DataFrame, seen as the view :attr:`VIEW`), translated by :func:`to_spark_sql`."""

    VIEW = "lm_model_records"

    def __init__(self, records: Any) -> None:
        records.createOrReplaceTempView(self.VIEW)
        self._spark = records.sparkSession
        self._rows: list[tuple] = []

    def execute(self, sql: str) -> _SparkSql:
        self._rows = [tuple(r) for r in self._spark.sql(to_spark_sql(sql)).collect()]
        return self

    def fetchall(self) -> list[tuple]:
        return self._rows


def train_spark(db_api: Any, sdf: Any, records: Any, *, seed: int = 42, u_max_pairs: float = 2e6,
                anchor_limit: int = 200_000) -> dict:
    """Train linkmiskin's model on Spark: the procedure of :func:`linkmiskin.scoring.model.train` (u from random
    pairs, lambda from deterministic rules, m from anchor pairs, priors when anchors are too few), run by
    Splink's Spark backend. ``records`` is the registered model table as a Spark DataFrame.

    Returns the Splink model dict in Spark SQL (``sql_dialect="spark"``).

    >>> model = train_spark(SparkAPI(spark_session=spark), sdf, records)   # doctest: +SKIP
    """
    from splink import Linker as SplinkLinker
    from splink import block_on

    from linkmiskin.scoring import model as mdl

    linker = SplinkLinker(sdf, _spark_settings(), log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [to_spark_sql(mdl.ANCHOR_SAME_PERSON_BY_NIK), block_on("name", "dob", "desa_code")], recall=0.85)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    main = linker.misc.save_model_to_json()
    anchors_nik = _anchor_pairs_spark(records, mdl.ANCHOR_SAME_PERSON_BY_NIK, anchor_limit, seed).cache()
    anchors_name = _anchor_pairs_spark(records, mdl.ANCHOR_SAME_PERSON_BY_NAME, anchor_limit, seed).cache()
    anchor_comps = {c.create_output_column_name(): c for c in mdl._anchor_comparisons()}
    m_by: dict[str, dict] = {}       # m by level key, per comparison, from anchors
    n_by: dict[str, int] = {}        # how many anchor pairs each rests on
    n_nik, n_name = anchors_nik.count(), anchors_name.count()
    if n_nik >= mdl.MIN_ANCHORS:
        a_model = _m_from_labels(db_api, sdf, anchors_nik, "__lm_anchor_nik", list(anchor_comps.values()))
        for f in _FROM_NIK_ANCHORS:
            m_by[f], n_by[f] = mdl._keyed(a_model, anchor_comps[f], "m_probability"), n_nik
        # the recorded-date levels hide behind "other's NIK date" on NIK anchors: learn their shape without it
        rec = mdl._anchor_comparisons(recorded_dates_only=True)
        r_model = _m_from_labels(db_api, sdf, anchors_nik, "__lm_anchor_nik_dates", rec)
        rec_dob = next(c for c in rec if c.create_output_column_name() == "dob")
        m_by["dob"] = mdl._combine_date_m(m_by["dob"], mdl._keyed(r_model, rec_dob, "m_probability"))
    if n_name >= mdl.MIN_ANCHORS:
        n_model = _m_from_labels(db_api, sdf, anchors_name, "__lm_anchor_name", list(anchor_comps.values()))
        m_by["nik"], n_by["nik"] = mdl._keyed(n_model, anchor_comps["nik"], "m_probability"), n_name
        for f in _FROM_NIK_ANCHORS:
            if f not in m_by:
                m_by[f], n_by[f] = mdl._keyed(n_model, anchor_comps[f], "m_probability"), n_name
    configured = []
    for c in mdl.comparisons():
        name = c.create_output_column_name()
        keys = list(mdl._keyed(main, c, "u_probability"))
        u_by = mdl._u_for_unseen_exact_levels(name, mdl._keyed(main, c, "u_probability"))
        if isinstance(c, KkComparison):
            # counted on the whole table, as on DuckDB (random pairs with close names are mostly one person)
            u_by = mdl.kk_u_probabilities(_SparkSql(records), _SparkSql.VIEW, c) or u_by
        u = mdl._smooth([u_by[k] for k in keys], floor=0.5 / u_max_pairs)
        src = m_by.get(name) or mdl.PRIOR_M.get(name, {})
        m = mdl._smooth([src.get(k) for k in keys])
        prior_m = mdl.PRIOR_M.get(name, {})
        if name in n_by and all(k in prior_m for k in keys):
            m = mdl.m_with_prior(m, mdl._smooth([prior_m[k] for k in keys]), n_by[name])
        m = mdl.m_for_unshown_levels(name, keys, m, u, m_by.get(name) or {})
        if name in mdl.UNIQUE_IDENTIFIERS:
            u = mdl._u_without_matches(u, m, main["probability_two_random_records_match"], floor=0.5 / u_max_pairs)
        configured.append(c.configure(m_probabilities=m, u_probabilities=u))
    final = SplinkLinker(sdf, _spark_settings(prior=main["probability_two_random_records_match"], comps=configured),
                         log_level=30)
    return final.misc.save_model_to_json()


# ---------------------------------------------------------------------------------------------- scoring
def predict_spark(sdf: Any, model: dict, *, min_probability: float = 0.001) -> Any:
    """Score candidate pairs on Spark with a Spark (or DuckDB, translated here) model. Returns a Spark
    DataFrame ``unique_id_l, unique_id_r, match_probability, match_weight, gamma_*``."""
    from splink import Linker as SplinkLinker

    m = spark_model(model)
    pred = SplinkLinker(sdf, m, log_level=30).inference.predict(threshold_match_probability=min_probability)
    gammas = [f"gamma_{c['output_column_name']}" for c in m["comparisons"]]
    return pred.as_spark_dataframe().select("unique_id_l", "unique_id_r", "match_probability", "match_weight",
                                            *gammas)


def threshold_spark(pairs: Any, *, floor: float = 0.5) -> float:
    """:func:`linkmiskin.linkage.choose_threshold` on Spark pairs, collecting only the probabilities at or
    above ``floor`` (the candidates) and the sum of the others (which only enters the expected total)."""
    from pyspark.sql import functions as F

    from linkmiskin.linkage import choose_threshold

    hi = np.array([r[0] for r in pairs.where(F.col("match_probability") >= floor)
                   .select("match_probability").collect()], dtype=float)
    rest = pairs.where(F.col("match_probability") < floor).agg(F.sum("match_probability")).collect()[0][0] or 0.0
    # the rest enters only the expected total: spread it over values below the floor (never candidates)
    parts = int(np.ceil(rest / (floor * 0.99))) if rest > 0 else 0
    filler = np.full(parts, rest / parts) if parts else np.zeros(0)
    return choose_threshold(np.concatenate([hi, filler]), floor=floor)


# ------------------------------------------------------------------------------------------- clustering
def connected_components_spark(nodes: Any, edges: Any, *, max_iterations: int = 100) -> Any:
    """Connected components on Spark by iterative min-label propagation (as Splink's Spark clustering).

    ``nodes``: DataFrame with ``unique_id``; ``edges``: ``unique_id_l, unique_id_r``. Returns
    ``unique_id, component`` where ``component`` is the smallest ``unique_id`` of the component. Each round
    is one join; the lineage is cut with ``localCheckpoint`` so that it does not grow with the rounds.
    """
    from pyspark.sql import functions as F

    und = (edges.select(F.col("unique_id_l").alias("a"), F.col("unique_id_r").alias("b"))
           .union(edges.select(F.col("unique_id_r").alias("a"), F.col("unique_id_l").alias("b"))).cache())
    labels = nodes.select("unique_id", F.col("unique_id").alias("component")).localCheckpoint()
    for _ in range(max_iterations):
        best = (und.join(labels, und.a == labels.unique_id).groupBy("b")
                .agg(F.min("component").alias("candidate")))
        new = (labels.join(best, labels.unique_id == best.b, "left")
               .select("unique_id", F.least("component", F.coalesce("candidate", "component")).alias("component"))
               .localCheckpoint())
        changed = new.join(labels.withColumnRenamed("component", "old"), "unique_id").where("component <> old").count()
        labels = new
        if changed == 0:
            return labels
    raise SparkBackendError(f"connected components did not converge in {max_iterations} rounds")


def _as_lists(df: pd.DataFrame) -> pd.DataFrame:
    """Arrow gives list columns as numpy arrays; linkmiskin's rules expect lists."""
    for c in df.columns:
        if df[c].dtype == object and len(df) and isinstance(df[c].iloc[0], np.ndarray):
            df[c] = df[c].map(lambda v: list(v) if isinstance(v, np.ndarray) else v)
    return df


def _persons_in_component(recs: pd.DataFrame, pairs: pd.DataFrame, model: dict, threshold: float,
                          cannot_link_off: tuple[str, ...]) -> pd.DataFrame:
    """linkmiskin's person clustering (:func:`linkmiskin.clustering.persons.person_clusters`: anti-chaining,
    cannot-link rules) on whole connected components (one or many, with all their inner pairs); returns
    ``unique_id, person_uid`` (the smallest ``unique_id`` of the record's person)."""
    from linkmiskin.clustering.persons import person_clusters
    from linkmiskin.linkage import _pair_flags

    recs = _as_lists(recs.sort_values("unique_id").reset_index(drop=True))
    uid = recs["unique_id"].to_numpy(np.int64)
    flags = _pair_flags(model, pairs)
    e = pd.DataFrame({"l": np.searchsorted(uid, pairs["unique_id_l"].to_numpy(np.int64)),
                      "r": np.searchsorted(uid, pairs["unique_id_r"].to_numpy(np.int64)),
                      "p": pairs["match_probability"].to_numpy(dtype=float), **flags})
    out = person_clusters(recs.assign(node=np.arange(len(recs))), e, threshold, cannot_link_off=cannot_link_off)
    return pd.DataFrame({"unique_id": uid, "person_uid": uid[out["person_node"].to_numpy()]})


def with_nik_lists_spark(records: Any) -> Any:
    """:func:`linkmiskin.clustering.cannot_link.with_nik_lists` on Spark: ``nik_lists``, on how many lists each
    record's trusted NIK is written, counted over the whole job before components are split into buckets
    (a NIK's other list may be a record of another component, or of none)."""
    from pyspark.sql import functions as F

    cols = set(records.columns)
    if "nik_lists" in cols or "nik" not in cols or "source" not in cols:
        return records
    trusted = (F.when(F.coalesce(F.col("nik_consistent").cast("boolean"), F.lit(False)), F.col("nik"))
               if "nik_consistent" in cols else F.col("nik"))
    marked = records.withColumn("lm__trusted_nik", trusted)
    counts = (marked.where(F.col("lm__trusted_nik").isNotNull() & F.col("source").isNotNull())
              .select("lm__trusted_nik", "source").distinct()
              .groupBy("lm__trusted_nik").agg(F.count("*").alias("lm__lists")))
    return (marked.join(counts, "lm__trusted_nik", "left")
            .withColumn("nik_lists", F.coalesce(F.col("lm__lists"), F.lit(0)).cast("bigint"))
            .drop("lm__trusted_nik", "lm__lists"))


def person_clusters_spark(records: Any, pairs: Any, model: dict, threshold: float, *,
                          cannot_link_off: tuple[str, ...] | list[str] = ()) -> Any:
    """Persons on Spark: connected components of the pairs at or above ``threshold``
    (:func:`connected_components_spark`), then linkmiskin's anti-chaining and cannot-link rules inside each
    component of two or more records (``cogroup().applyInPandas`` over buckets of whole components).

    Returns ``unique_id, person_uid, person_confidence`` for every record (``person_uid``: the smallest
    ``unique_id`` of the person; confidence as :func:`linkmiskin.clustering.persons.confidence`).
    """
    from pyspark.sql import functions as F

    off = tuple(cannot_link_off)
    strong = pairs.where(F.col("match_probability") >= threshold).select("unique_id_l", "unique_id_r")
    comp = connected_components_spark(records.select("unique_id"), strong)
    size = comp.groupBy("component").agg(F.count("*").alias("size"))
    comp = comp.join(size, "component")
    # whole components go to buckets, one pandas call per bucket: person_clusters keeps components apart
    # itself, and a call per component would pay Python's overhead thousands of times
    buckets = max(1, int(records.sparkSession.conf.get("spark.sql.shuffle.partitions")))
    multi = (with_nik_lists_spark(records).join(comp.where("size > 1").select("unique_id", "component"), "unique_id")
             .withColumn("bucket", F.pmod(F.col("component"), F.lit(buckets))))
    cl = comp.select(F.col("unique_id").alias("unique_id_l"), F.col("component").alias("c_l"))
    cr = comp.select(F.col("unique_id").alias("unique_id_r"), F.col("component").alias("c_r"))
    inner = (pairs.join(cl, "unique_id_l").join(cr, "unique_id_r").where("c_l = c_r")
             .withColumn("bucket", F.pmod(F.col("c_l"), F.lit(buckets))).drop("c_l", "c_r"))

    def per_bucket(recs: pd.DataFrame, prs: pd.DataFrame) -> pd.DataFrame:
        return _persons_in_component(recs, prs, model, threshold, off)

    rebuilt = (multi.groupBy("bucket").cogroup(inner.groupBy("bucket"))
               .applyInPandas(per_bucket, schema="unique_id bigint, person_uid bigint"))
    single = comp.where("size = 1").select("unique_id", F.col("unique_id").alias("person_uid"))
    persons = rebuilt.unionByName(single).localCheckpoint()
    return persons.join(_confidence_spark(persons, pairs), "unique_id")


def _confidence_spark(persons: Any, pairs: Any) -> Any:
    """:func:`linkmiskin.clustering.persons.confidence` on Spark: (strongest tie inside the person, 1 alone) x
    (1 - strongest tie outside)."""
    from pyspark.sql import functions as F

    pl = persons.select(F.col("unique_id").alias("unique_id_l"), F.col("person_uid").alias("p_l"))
    pr = persons.select(F.col("unique_id").alias("unique_id_r"), F.col("person_uid").alias("p_r"))
    e = pairs.select("unique_id_l", "unique_id_r", "match_probability").join(pl, "unique_id_l").join(pr, "unique_id_r")
    ends = (e.select(F.col("unique_id_l").alias("unique_id"), "match_probability", (F.col("p_l") == F.col("p_r")).alias("same"))
            .union(e.select(F.col("unique_id_r").alias("unique_id"), "match_probability", (F.col("p_l") == F.col("p_r")).alias("same"))))
    best = ends.groupBy("unique_id").agg(
        F.max(F.when(F.col("same"), F.col("match_probability"))).alias("best_in"),
        F.max(F.when(~F.col("same"), F.col("match_probability"))).alias("best_out"))
    size = persons.groupBy("person_uid").agg(F.count("*").alias("size"))
    out = persons.join(size, "person_uid").join(best, "unique_id", "left")
    best_in = F.when(F.col("size") <= 1, F.lit(1.0)).otherwise(F.coalesce("best_in", F.lit(0.0)))
    conf = F.round(best_in * (1.0 - F.coalesce("best_out", F.lit(0.0))), 6)
    return out.select("unique_id", conf.alias("person_confidence"))


# ------------------------------------------------------------------------------ standardisation on Spark
#: model-table columns that count over *all* records (:func:`linkmiskin.scoring.model.model_table`): the token
#: rarity of the name and the capped block sizes. Every other column depends on the record alone or on its
#: own source, so the executors compute them source by source; these are recounted on Spark afterwards.
GLOBAL_COLUMNS = ("name_rarity", "block_nik15", "block_dob_kec", "block_first_dob", "block_phon_desa",
                  "block_last_kec", "block_kk_first", "block_kk_last", "block_phon_kec", "block_rt_first",
                  "block_rt_last", "block_desa_first", "nik15_shared", "kk_name_unique", "name_kec_unique")
_POS, _META = "lm_pos", "lm_meta"


_HH = "hh__"


def _one_record_std() -> pd.DataFrame:
    from linkmiskin.linkage import _standardize_sources

    std, _ = _standardize_sources({"x": pd.DataFrame({"NAMA": ["ANI"], "NIK": ["3216074101900001"]})}, None, None)
    return std


def _driver_columns() -> tuple[str, ...]:
    """The standardised columns the driver's steps read: the household rules
    (:data:`~linkmiskin.clustering.households.HOUSEHOLD_COLUMNS`), then the golden records
    (:data:`linkmiskin.clustering.golden.RECORD_COLUMNS`)."""
    from linkmiskin.clustering.golden import RECORD_COLUMNS
    from linkmiskin.clustering.households import HOUSEHOLD_COLUMNS

    return tuple(dict.fromkeys([*HOUSEHOLD_COLUMNS, *RECORD_COLUMNS]))


def _household_dtypes() -> dict[str, Any]:
    """The pandas dtype of each standardised column the driver's steps read (:func:`_driver_columns`)."""
    std = _one_record_std()
    return {c: std[c].dtype for c in _driver_columns()}


def _model_schema() -> str:
    """The Spark DDL schema of the model table (from the pandas types of a one-record model table), then
    the standardised columns the household step reads, prefixed ``hh__``."""
    from linkmiskin.pseudonym import model_ids
    from linkmiskin.scoring.model import model_table

    std = _one_record_std()
    hh = [f"`{_HH}{c}` {_spark_type(std[c])}" for c in _household_dtypes()]
    return ", ".join([records_schema(model_ids(std, model_table(std))), *hh])


def _pack(obj: Any) -> str:
    import base64
    import pickle

    return base64.b64encode(pickle.dumps(obj)).decode("ascii")


def _unpack(text: str) -> Any:
    import base64
    import pickle

    return pickle.loads(base64.b64decode(text))  # noqa: S301 - written by this module's own executors


def standardise_source(src: Any, name: str, columns: dict[str, str] | None, region: str | None,
                       name_sex: pd.DataFrame | None = None) -> pd.DataFrame:
    """One source standardised on an executor, as rows of the model table in the source's order.

    The whole-source facts of :func:`linkmiskin.standardise.records.standardize` (the column detection, repeated
    record ids, a relationship code scheme, heaped birth dates, the row numbers) and the per-source NIK
    consistency of the model table need the whole list, so a source is one task. The columns that count
    over all sources (:data:`GLOBAL_COLUMNS`) are left as computed here and recounted on Spark.
    The unclear ``NY.`` names are settled with the job's words, ``name_sex``
    (:func:`linkmiskin.standardise.records.settle_unclear_nyonya_names`); without it they are left unclear
    and the first row says how many there are and carries the list's words
    (:func:`linkmiskin.standardise.records.name_sex_words`), so that the driver can add up the job's.
    Adds the standardised columns the household step reads (``hh__*``), ``lm_pos`` (the record's position in
    its source) and ``lm_meta`` (on the first row a pickled dict: the column ``mapping``, ``unclear`` and
    ``words``). Bad input does not fail the task: one row with ``lm_pos`` -1 carries the error, which the
    driver raises as it is (the same error as on DuckDB).
    """
    from linkmiskin.linkage import _standardize_sources
    from linkmiskin.pseudonym import model_ids
    from linkmiskin.scoring.model import MODEL_COLUMNS, model_table
    from linkmiskin.standardise.records import name_sex_words

    try:
        std, maps = _standardize_sources({name: src}, {name: columns} if columns is not None else None, region,
                                         settle=name_sex is not None, name_sex=name_sex)
        table = model_ids(std, model_table(std))
    except Exception as e:  # noqa: BLE001 - carried to the driver and raised there
        err = pd.DataFrame({c: pd.Series([None], dtype=object)
                            for c in [*MODEL_COLUMNS, *(_HH + h for h in _household_dtypes())]})
        return err.assign(**{_POS: -1, _META: _pack(e)})
    out = table.assign(**{_POS: table["unique_id"].to_numpy(np.int64)})
    for c in _household_dtypes():
        out[_HH + c] = std[c].astype(object).where(std[c].notna(), None).to_numpy()
    meta = np.full(len(out), None, dtype=object)
    unclear = int((std["name_form"].to_numpy(dtype=object) == "ambiguous").sum()) if "name_form" in std else 0
    meta[0] = _pack({"mapping": maps[name], "unclear": unclear,
                     "words": name_sex_words(std) if name_sex is None else None})
    out[_META] = meta
    return out


def _batches_standardised(sources: dict[int, tuple[str, Any]], columns: dict[str, dict[str, str]],
                          region: str | None, schema: str, name_sex: pd.DataFrame | None = None) -> Any:
    """The function ``mapInPandas`` runs over the numbers of the sources given as paths or pandas frames:
    each number read (on the executor) and standardised."""
    def run(batches: Any) -> Any:
        for batch in batches:
            for k in batch["lm__k"].tolist():
                name, src = sources[k]
                yield _typed(standardise_source(src, name, columns.get(name), region, name_sex),
                             schema).assign(lm__k=k)
    return run


def _typed(df: pd.DataFrame, schema: str) -> pd.DataFrame:
    """Columns in the order of ``schema``, Arrow-ready (lists as lists, nullable ints as objects)."""
    cols = [c.split("`")[1] for c in _split_schema(schema)]
    out = df[cols].copy()
    for c in cols:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: list(v) if isinstance(v, (tuple, np.ndarray)) else v)
    return out


def _split_schema(schema: str) -> list[str]:
    return [p.strip() for p in re.split(r",\s*(?=`)", schema)]


def _spark_frame_standardised(src: Any, k: int, name: str, columns: dict[str, str] | None, region: str | None,
                              schema: str, name_sex: pd.DataFrame | None = None) -> Any:
    """A source given as a Spark DataFrame, standardised on one executor as pandas in its own row order."""
    from pyspark.sql import functions as F

    order = "lm__row_order"
    rows = src.withColumn(order, F.monotonically_increasing_id()).withColumn("lm__one", F.lit(0))

    def run(pdf: pd.DataFrame) -> pd.DataFrame:
        pdf = pdf.sort_values(order).drop(columns=[order, "lm__one"]).reset_index(drop=True)
        return _typed(standardise_source(pdf, name, columns, region, name_sex), schema).assign(lm__k=k)

    return rows.groupBy("lm__one").applyInPandas(run, schema=f"{schema}, `lm__k` int")


def _sources_standardised(spark: Any, sources: dict[str, Any], columns: dict[str, dict[str, str]],
                          region: str | None, schema: str, name_sex: pd.DataFrame | None = None,
                          only: set[int] | None = None) -> Any:
    """Every source standardised on the executors (:func:`standardise_source`, ``name_sex`` the job's
    words), one task per source, with its number in ``sources`` as ``lm__k``; ``only``: those numbers alone.

    A path (CSV, Excel, Parquet) is read by the executor, which must see it (a local path on local Spark, a
    shared mount on a cluster); a pandas frame, already on the driver, is sent with the tasks; a Spark
    DataFrame goes to one executor as pandas, in its own row order."""
    from pyspark.sql import DataFrame as SparkDataFrame

    chosen = [(k, name, src) for k, (name, src) in enumerate(sources.items()) if only is None or k in only]
    parts = [_spark_frame_standardised(src, k, name, columns.get(name), region, schema, name_sex)
             for k, name, src in chosen if isinstance(src, SparkDataFrame)]
    rest = {k: (name, src if isinstance(src, pd.DataFrame) else os.fspath(src))
            for k, name, src in chosen if not isinstance(src, SparkDataFrame)}
    if rest:
        ks = spark.createDataFrame(pd.DataFrame({"lm__k": list(rest)}), schema="lm__k int").repartition(len(rest))
        parts.append(ks.mapInPandas(_batches_standardised(rest, columns, region, schema, name_sex),
                                    schema=f"{schema}, `lm__k` int"))
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out


def _check_sources(sources: Any, columns: Any) -> None:
    """The checks of :func:`linkmiskin.linkage._standardize_sources` that concern all sources at once."""
    from linkmiskin.linkage import LinkError

    if not isinstance(sources, dict) or not sources:
        raise LinkError("sources must be a non-empty dict {source_name: DataFrame or file path}")
    if columns is not None and not isinstance(columns, dict):
        raise LinkError(f"columns must be a dict {{source_name: {{field: column}}}}, got {type(columns).__name__}")
    unknown = set(columns or {}) - set(sources)
    if unknown:
        raise LinkError(f"columns= names sources that are not in sources: {sorted(unknown)}")


def standardise_spark(spark: Any, sources: dict[str, Any], columns: dict[str, dict[str, str]] | None,
                      region: str | None) -> tuple[Any, dict[str, Any]]:
    """The model table of :func:`linkmiskin.linkage.Linker` built on Spark, without collecting records to the
    driver (see :func:`_standardise_spark`); returns the records and the column mappings."""
    records, _, mappings = _standardise_spark(spark, sources, columns, region)
    return records, mappings


def _standardise_spark(spark: Any, sources: dict[str, Any], columns: dict[str, dict[str, str]] | None,
                       region: str | None) -> tuple[Any, Any, dict[str, Any]]:
    """The model table of :func:`linkmiskin.linkage.Linker` built on Spark, without collecting records to the driver.

    Each source is standardised on an executor (:func:`standardise_source`); ``unique_id`` is numbered source
    after source in the order of ``sources``, as on DuckDB; the columns that count over all records
    (:data:`GLOBAL_COLUMNS`) are recounted with Spark aggregates (:func:`global_columns_spark`). Only one
    row per source comes back to the driver (its size, its column mapping, or its error).

    Returns the records (a Spark DataFrame of the model columns), ``unique_id, record_id`` with the
    standardised columns the household step reads (``hh__*``), and the column mappings.
    """
    from pyspark.sql import functions as F

    from linkmiskin.scoring.model import MODEL_COLUMNS

    _check_sources(sources, columns)
    schema = ", ".join([*_split_schema(_model_schema()), f"`{_POS}` bigint", f"`{_META}` string"])
    local, mappings = _standardised_and_settled(spark, sources, columns or {}, region, schema)
    sizes = dict(local.groupBy("lm__k").count().collect())
    offset, offsets = 0, []
    for k in range(len(sources)):
        offsets.append(offset)
        offset += int(sizes.get(k, 0))
    start = F.element_at(F.array(*[F.lit(o) for o in offsets]), F.col("lm__k") + 1)
    numbered = local.withColumn("unique_id", (start + F.col(_POS)).cast("bigint")).drop(_POS, _META, "lm__k")
    counted = global_columns_spark(numbered.select(*MODEL_COLUMNS), total=offset).select(*MODEL_COLUMNS)
    # unique_id becomes the record's place in the canonical order, as on DuckDB (sampling, anchors and every
    # tie-break follow the records' content); INPUT_POSITION keeps its place in the input (crosswalks)
    canon = canonical_ids_spark(counted).localCheckpoint()
    records = (counted.withColumnRenamed("unique_id", INPUT_POSITION).join(canon, INPUT_POSITION)
               .select(*MODEL_COLUMNS))
    households = (numbered.select(F.col("unique_id").alias(INPUT_POSITION), "record_id",
                                  *[c for c in numbered.columns if c.startswith(_HH)])
                  .join(canon, INPUT_POSITION))
    return records, households, {name: mappings[k] for k, name in enumerate(sources)}


#: the column of a record's place in the input (sources in the order given, rows in list order), numbered
#: from 0 as on DuckDB before the canonical order; ``unique_id`` is the place in the canonical order
INPUT_POSITION = "lm_input_position"


def _hashed_columns(records: Any) -> list[str]:
    """The columns :func:`linkmiskin.linkage.row_hashes` hashes in ``records`` (a Spark model table): all but
    ``unique_id``, ``record_id`` and the list columns that hold a list somewhere (an all-null list column
    is hashed, as pandas sees it)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType

    arrays = [f.name for f in records.schema if isinstance(f.dataType, ArrayType)]
    filled = records.select(*[F.count(F.col(c)).alias(c) for c in arrays]).first() if arrays else None
    lists = {c for c in arrays if filled[c] > 0}
    return [c for c in records.columns if c not in ("unique_id", "record_id") and c not in lists]


def _row_hashes_of_batch(pdf: pd.DataFrame, dtypes: dict[str, Any], columns: list[str]) -> np.ndarray:
    """:func:`linkmiskin.linkage.row_hashes` of a batch of the Spark model table: each column first given back
    its pandas dtype of the DuckDB model table (Arrow hands integers with nulls over as floats), so that
    every value hashes as the same Python object."""
    from linkmiskin.scoring.model import hash_as_objects

    t = pd.DataFrame({c: (pdf[c] if pd.api.types.is_object_dtype(dtypes[c]) else pdf[c].astype(dtypes[c]))
                      for c in columns})
    return hash_as_objects(t, columns)


def canonical_ids_spark(records: Any) -> Any:
    """``INPUT_POSITION, unique_id``: each record's place in the input (its ``unique_id`` in ``records``) and
    its place in :func:`linkmiskin.linkage.canonical_order`: the records sorted by the 64-bit hash of their
    source and compared fields (as an unsigned number), then by source and record id. Hashes are computed on
    the executors; the sorted rows are numbered on the JVM (one count per partition to the driver)."""
    from pyspark.sql import functions as F

    from linkmiskin.pseudonym import model_ids
    from linkmiskin.scoring.model import model_table

    std = _one_record_std()
    dtypes = dict(model_ids(std, model_table(std)).dtypes)
    columns = _hashed_columns(records)

    def run(batches: Any) -> Any:
        for pdf in batches:
            yield pd.DataFrame({INPUT_POSITION: pdf["unique_id"].to_numpy(np.int64),
                                "lm_h": _row_hashes_of_batch(pdf, dtypes, columns)})

    hashed = (records.select("unique_id", *columns).mapInPandas(run, schema=f"`{INPUT_POSITION}` bigint, lm_h bigint")
              .join(records.select(F.col("unique_id").alias(INPUT_POSITION), "source", "record_id"), INPUT_POSITION))
    # the order of the hashes as unsigned numbers: the sign bit flipped, then compared as signed ones
    unsigned = F.col("lm_h").bitwiseXOR(F.lit(-(2 ** 63)).cast("bigint"))
    ordered = hashed.orderBy(unsigned, F.col("source"), F.col("record_id").cast("string")).localCheckpoint()
    return _numbered_rows(ordered, "unique_id").select(INPUT_POSITION, "unique_id")


def _standardised_and_settled(spark: Any, sources: dict[str, Any], columns: dict[str, dict[str, str]],
                              region: str | None, schema: str) -> tuple[Any, dict[int, Any]]:
    """Every source standardised on the executors with its unclear ``NY.`` names left unclear; then the
    sources that have some are standardised again with the words of every list added up on the driver
    (one small table of name words, no record): the names settled job-wide, as
    :func:`linkmiskin.linkage._standardize_sources` settles them. Returns the rows (checkpointed) and
    each source's column mapping by number; raises a source's error as it is."""
    from pyspark.sql import functions as F

    from linkmiskin.standardise.names import combined_name_sex_table

    local = _sources_standardised(spark, sources, columns, region, schema).localCheckpoint()
    heads = _heads(local)
    unclear = {k for k, h in heads.items() if h["unclear"]}
    if unclear:
        table = combined_name_sex_table([h["words"] for h in heads.values()])
        again = _sources_standardised(spark, sources, columns, region, schema, table, only=unclear)
        local = local.where(~F.col("lm__k").isin(sorted(unclear))).unionByName(again).localCheckpoint()
    return local, {k: h["mapping"] for k, h in heads.items()}


def _heads(local: Any) -> dict[int, dict]:
    """The first row's facts of each standardised source (:func:`standardise_source`); a source's error is
    raised as it is."""
    from pyspark.sql import functions as F

    rows = local.where(F.col(_POS) <= 0).select("lm__k", _POS, _META).collect()
    for r in rows:
        if r[_POS] < 0:
            raise _unpack(r[_META])
    return {r["lm__k"]: _unpack(r[_META]) for r in rows}


def _keys_listed_twice_spark(t: Any, keys: list[str]) -> Any:
    """The distinct ``keys`` (all non-null) under which some list holds two records that are not one NIK
    (two records with the same first 15 NIK digits are one; a record without a NIK is never sure)."""
    from pyspark.sql import functions as F

    known = t
    for key in keys:
        known = known.where(F.col(key).isNotNull())
    groups = known.groupBy("source", *keys).agg(
        F.count(F.lit(1)).alias("lm_size"), F.count("nik15").alias("lm_niks"),
        F.countDistinct("nik15").alias("lm_distinct"))
    one_nik = (F.col("lm_niks") == F.col("lm_size")) & (F.col("lm_distinct") == 1)
    return groups.where((F.col("lm_size") > 1) & ~one_nik).select(*keys).distinct()


def global_columns_spark(t: Any, total: int) -> Any:
    """:data:`GLOBAL_COLUMNS` recounted over all records of ``t`` (``total`` of them), as
    :func:`linkmiskin.scoring.model.model_table` counts them: each capped block's size (records sharing its
    key, missing values one key), whether a record's first 15 NIK digits are shared by two full NIKs
    (:func:`linkmiskin.scoring.model.nik15_shared`), whether its KK and name point to one person on every
    list (:func:`linkmiskin.scoring.model.kk_name_unique`), whether no list repeats its name in its kecamatan
    nor do its records there give two desas (:func:`linkmiskin.scoring.model.name_kec_unique`) and the
    name's rarity (relative frequency, over all records, of its rarest token; NULL without tokens)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from linkmiskin.scoring.model import CAPPED_BLOCKS

    for col, keys in CAPPED_BLOCKS.items():
        t = t.withColumn(col, F.count(F.lit(1)).over(Window.partitionBy(*keys)).cast("bigint"))
    # nik15_shared: the first 15 digits of two or more different full NIKs anywhere in the data
    full = t.where(F.col("nik15").isNotNull() & F.col("nik").isNotNull())
    shared = (full.groupBy("nik15").agg(F.countDistinct("nik").alias("lm_n")).where(F.col("lm_n") >= 2)
              .select("nik15", F.lit(True).alias("lm_shared")))
    t = (t.drop("nik15_shared").join(shared, "nik15", "left")
         .withColumn("nik15_shared", F.coalesce(F.col("lm_shared"), F.lit(False))).drop("lm_shared"))
    # kk_name_unique: no list holds two records under the KK and name that are not one NIK
    ambiguous = (_keys_listed_twice_spark(t, ["kk", "name_phon_key"])
                 .withColumn("lm_ambiguous", F.lit(True)))
    t = (t.drop("kk_name_unique").join(ambiguous, ["kk", "name_phon_key"], "left")
         .withColumn("kk_name_unique", ~F.coalesce(F.col("lm_ambiguous"), F.lit(False))).drop("lm_ambiguous"))
    # name_kec_unique: no list holds two records of the name in the kecamatan that are not one NIK, and they
    # give at most one desa
    here = t.where(F.col("kecamatan_code").isNotNull() & F.col("name_phon_key").isNotNull())
    twice = _keys_listed_twice_spark(t, ["kecamatan_code", "name_phon_key"])
    # or records of the name in two desas of the kecamatan
    desas = (here.groupBy("kecamatan_code", "name_phon_key").agg(F.countDistinct("desa_code").alias("lm_desas"))
             .where(F.col("lm_desas") > 1).select("kecamatan_code", "name_phon_key"))
    repeated = twice.union(desas).distinct().withColumn("lm_repeated", F.lit(True))
    known = F.col("kecamatan_code").isNotNull() & F.col("name_phon_key").isNotNull()
    t = (t.drop("name_kec_unique").join(repeated, ["kecamatan_code", "name_phon_key"], "left")
         .withColumn("name_kec_unique", F.when(known, ~F.coalesce(F.col("lm_repeated"), F.lit(False))))
         .drop("lm_repeated"))
    ex = t.select("unique_id", F.explode("name_tokens").alias("lm_tok")).where(F.col("lm_tok").isNotNull())
    freq = ex.groupBy("lm_tok").agg((F.count(F.lit(1)).cast("double") / F.lit(float(max(total, 1)))).alias("lm_f"))
    rarity = ex.join(freq, "lm_tok").groupBy("unique_id").agg(F.min("lm_f").alias("lm_rar"))
    # a name without tokens gets NULL (pandas' NaN, which Spark reads as NULL from pandas too)
    return t.drop("name_rarity").join(rarity, "unique_id", "left").withColumnRenamed("lm_rar", "name_rarity")


@dataclass
class DriverTables:
    """What :func:`households_on_driver` returns."""

    #: per record ``unique_id, person_id, household_id, household_confidence, household_evidence`` (the
    #: final ids: carried over from a previous result when there is one)
    per_record: pd.DataFrame
    #: the households table with its golden columns, and the golden persons
    households: pd.DataFrame
    persons: pd.DataFrame
    #: ``source, record_id, person_id, household_id`` per record: what the next update reads
    id_table: pd.DataFrame
    #: with a previous result: the changes, the id registry and the run number (else None, a new registry, 1)
    changes: pd.DataFrame | None
    id_registry: pd.DataFrame
    run: int
    #: the household-context pass's measured shares (``metadata["household_context"]``; {} when not run)
    household_context: dict = field(default_factory=dict)


def household_context_on_driver(records: Any, pairs: Any, uid: np.ndarray, person: pd.DataFrame,
                                household: np.ndarray, off: tuple[str, ...] = ()) -> pd.DataFrame:
    """The household-context pass (:func:`linkmiskin.clustering.household_context.join_same_name_in_household`)
    on the driver, on the same inputs as DuckDB: the cannot-link rules' columns of every record (``records``,
    the model table, in ``uid`` order), the persons (``person``: positional ``person_node``,
    ``person_confidence``) and the households; of the scored ``pairs`` only those touching a joined record
    come to the driver (its confidence reads them). Returns ``person`` with ``person_node``,
    ``person_confidence`` and ``joined_by`` updated, the measured shares in ``attrs["household_context"]``."""
    from linkmiskin.clustering.cannot_link import _RECORD_COLUMNS
    from linkmiskin.clustering.household_context import join_same_name_in_household

    table = with_nik_lists_spark(records)
    cols = [c for c in (*_RECORD_COLUMNS, "dob_approx_year") if c in table.columns]
    recs = _as_lists(table.select("unique_id", *cols).toPandas().sort_values("unique_id").reset_index(drop=True))
    if not np.array_equal(recs["unique_id"].to_numpy(np.int64), uid):
        raise SparkBackendError("household context: the model table and the person table hold different records")
    approx = recs.pop("dob_approx_year") if "dob_approx_year" in recs else None
    persons = recs.drop(columns="unique_id").assign(
        node=np.arange(len(recs)), person_node=person["person_node"].to_numpy(np.int64),
        person_confidence=person["person_confidence"].to_numpy(dtype=float))

    def touching(nodes: np.ndarray) -> pd.DataFrame:
        spark = records.sparkSession
        want = spark.createDataFrame(pd.DataFrame({"u": uid[nodes]}), schema="u bigint")
        p = pairs.select("unique_id_l", "unique_id_r", "match_probability")
        got = (p.join(want.withColumnRenamed("u", "unique_id_l"), "unique_id_l")
               .unionByName(p.join(want.withColumnRenamed("u", "unique_id_r"), "unique_id_r"))
               .toPandas())
        return pd.DataFrame({"l": np.searchsorted(uid, got["unique_id_l"].to_numpy(np.int64)),
                             "r": np.searchsorted(uid, got["unique_id_r"].to_numpy(np.int64)),
                             "p": got["match_probability"].to_numpy(dtype=float)})

    return join_same_name_in_household(persons, household, touching, approx_year=approx, off=tuple(off))


@dataclass
class HouseholdContextInputs:
    """What :func:`households_on_driver` needs to run the household-context pass: the model table, the
    scored pairs (Spark DataFrames) and the cannot-link rules switched off."""

    records: Any
    pairs: Any
    off: tuple[str, ...] = ()


def households_on_driver(household_input: Any, persons: Any, ids: Any, *, use_row_order: str | bool = "auto",
                         previous: Any = None, context: HouseholdContextInputs | None = None) -> DriverTables:
    """Households and golden records on the driver, from the person-level table only: per record the
    standardised columns the household rules and the golden records read (:func:`_driver_columns`), its
    person and person id. No pair comes to the driver but those touching a record the household-context pass
    joined; memory grows with the records (about 40 short columns each, and the cannot-link rules' ~25 for
    that pass: roughly 1.5 GB per million records), not with the pairs.

    Households are :func:`linkmiskin.clustering.households.household_clusters`; with ``previous`` (a
    :class:`linkmiskin.clustering.updates.PreviousRun`) the person and household ids carry over by
    :func:`linkmiskin.clustering.updates.apply_previous`; the golden rows are
    :func:`linkmiskin.clustering.golden.persons_table` and :func:`~linkmiskin.clustering.golden.households_table`
    on the final ids: the same functions as on DuckDB.

    ``household_input``: ``unique_id, record_id, hh__*`` (from :func:`_standardise_spark`); ``persons``:
    ``unique_id, person_uid, person_confidence``; ``ids``: ``unique_id, source, person_id``. With ``context``
    the household-context pass joins persons once the households are built
    (:func:`household_context_on_driver`), as on DuckDB: the joined persons get DuckDB's ids and confidences,
    every record its ``link_reason``.
    """
    from linkmiskin.clustering import golden
    from linkmiskin.clustering.households import household_clusters
    from linkmiskin.clustering.updates import apply_previous, check_record_ids, new_registry
    from linkmiskin.linkage import _cluster_ids, _households_table, _link_reason

    pdf = (household_input.join(persons.select("unique_id", "person_uid", "person_confidence"), "unique_id")
           .join(ids.select("unique_id", "person_id"), "unique_id").toPandas()
           .sort_values("unique_id").reset_index(drop=True))
    std = pd.DataFrame({c: pd.array(pdf[_HH + c].astype(object).where(pdf[_HH + c].notna(), None).to_numpy(),
                                    dtype=t) for c, t in _household_dtypes().items()})
    uid = pdf["unique_id"].to_numpy(np.int64)
    # the person's smallest unique_id, as a position: the label DuckDB's person_clusters gives
    person = pd.DataFrame({"person_node": np.searchsorted(uid, pdf["person_uid"].to_numpy(np.int64)),
                           "person_confidence": pdf["person_confidence"].to_numpy(dtype=float)})
    hh = household_clusters(std, person, None, use_row_order=use_row_order)
    keys = (std["source"].astype(str) + ":" + pdf["record_id"].astype(str)).to_numpy()
    person_id, shares, joined_by = pdf["person_id"].to_numpy(dtype=object), {}, None
    if context is not None:
        person = household_context_on_driver(context.records, context.pairs, uid, person,
                                             hh["household_node"].to_numpy(), context.off)
        shares, joined_by = person.attrs.get("household_context", {}), person["joined_by"].to_numpy(dtype=object)
        # a joined person's id: DuckDB's, a hash of its smallest source:record_id (the others' are unchanged)
        person_id = np.where(joined_by != "", _cluster_ids("P", keys, person["person_node"].to_numpy()), person_id)
    out = pd.DataFrame({"unique_id": uid, "household_id": _cluster_ids("H", keys, hh["household_node"].to_numpy()),
                        "household_confidence": hh["household_confidence"].to_numpy(),
                        "household_evidence": hh["household_evidence"].to_numpy(),
                        "person_confidence": person["person_confidence"].to_numpy(dtype=float),
                        "link_reason": _link_reason(person["person_node"].to_numpy(),
                                                    std["name"].isna().to_numpy() & std["nik"].isna().to_numpy(),
                                                    joined_by)})
    records = pd.DataFrame({"source": std["source"].astype(str).to_numpy(),
                            "record_id": pdf["record_id"].astype(str).to_numpy(),
                            "person_id": person_id, "household_id": out["household_id"].to_numpy(),
                            "person_confidence": person["person_confidence"].to_numpy(),
                            "household_confidence": out["household_confidence"].to_numpy()})
    changes, run = None, 1
    if previous is not None:
        check_record_ids(previous, records)
        records, changes, registry, run = apply_previous(records, previous)
    else:
        registry = new_registry(records["person_id"], records["household_id"], run)
    out["person_id"] = records["person_id"].to_numpy()
    out["household_id"] = records["household_id"].to_numpy()
    for c in golden.RECORD_COLUMNS:
        records[c] = std[c].array
    table = _households_table(records)
    golden_persons = golden.persons_table(records)
    return DriverTables(out, golden.households_table(records, golden_persons, table), golden_persons,
                        records[["source", "record_id", "person_id", "household_id"]].copy(), changes, registry, run,
                        shares)


# ------------------------------------------------------------------------------------------- end to end
@dataclass
class SparkLinkResult:
    """What ``link(..., backend="spark")`` returns: Spark DataFrames, nothing collected to the driver.

    Attributes
    ----------
    records:
        One row per input record: ``unique_id, source, record_id, person_id, person_confidence``, and with
        households ``household_id, household_confidence, household_evidence, link_reason`` (the persons of
        the household-context pass, run on the driver once the households are known, as on DuckDB).
    households:
        The households table (pandas, built on the driver: :func:`households_on_driver`) with its golden
        columns (head, KK, address, members with roles, conflicts), as on DuckDB; ``None`` when
        ``cluster(households=False)``.
    persons:
        One golden row per person (pandas, built on the driver by the DuckDB backend's survivorship rules,
        :func:`linkmiskin.clustering.golden.persons_table`); ``None`` when ``cluster(households=False)``.
    pairs:
        Scored pairs: ``unique_id_l, unique_id_r, match_probability, match_weight`` and ``gamma_*``.
    model:
        The Splink model (Spark SQL) that scored them.
    """

    records: Any
    pairs: Any
    threshold: float
    model: dict
    threshold_source: str = "model"
    timings: dict[str, float] = field(default_factory=dict)
    households: pd.DataFrame | None = None
    persons: pd.DataFrame | None = None
    #: the lists as they were given (paths, pandas or Spark DataFrames), for :meth:`crosswalk`
    sources: dict[str, Any] | None = field(default=None, repr=False)
    #: kabupaten/kota code the lists were linked for
    region: str | None = None
    #: after an update (``link(..., previous=...)``): one row per id that changed, as on DuckDB
    changes: pd.DataFrame | None = field(default=None, repr=False)
    #: every person and household id ever issued, with its status (saved with the result)
    id_registry: pd.DataFrame | None = field(default=None, repr=False)
    #: how many links made these ids (1 for a first link, +1 per update)
    run: int = 1
    #: ``source, record_id, person_id, household_id`` per record (pandas, on the driver): what an update reads
    id_table: pd.DataFrame | None = field(default=None, repr=False)
    #: how the result was made: ``cannot_link`` says that the rules were not checked against the data
    #: (:data:`SPARK_CANNOT_LINK`) and ``cannot_link_off`` which rules were off
    metadata: dict = field(default_factory=dict)
    #: ``unique_id`` and :data:`INPUT_POSITION` of every record (a Spark DataFrame), for :meth:`crosswalk`
    positions: Any = field(default=None, repr=False)

    def save(self, directory: str | os.PathLike) -> Path:
        """Write ``records`` and ``pairs`` as Parquet folders (written by the executors) into ``directory``, and
        the golden ``households`` and ``persons`` tables (built on the driver) as Parquet files."""
        d = Path(directory)
        self.records.write.mode("overwrite").parquet(str(d / "records.parquet"))
        self.pairs.write.mode("overwrite").parquet(str(d / "pairs.parquet"))
        for name, table in (("households", self.households), ("persons", self.persons)):
            if table is not None:
                table.to_parquet(d / f"{name}.parquet", index=False)
        meta = {"threshold": self.threshold, "threshold_source": self.threshold_source, "region": self.region,
                "backend": "spark", "timings": self.timings}
        (d / "metadata.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        (d / "model.json").write_text(json.dumps(self.model, indent=1, default=str), encoding="utf-8")
        if self.id_table is not None:   # what the next update reads (updates.load_previous)
            from types import SimpleNamespace

            from linkmiskin.clustering.updates import write_state

            write_state(SimpleNamespace(records=self.id_table, region=self.region, run=self.run, snapshots=None,
                                        id_registry=self.id_registry, changes=self.changes, row_hashes=None), d)
        return d

    def previous_run(self) -> Any:
        """What ``link(..., previous=this result)`` reads (:class:`linkmiskin.clustering.updates.PreviousRun`)."""
        from types import SimpleNamespace

        from linkmiskin.clustering.updates import UpdateError, from_result

        if self.id_table is None:
            raise UpdateError("this Spark result was clustered without households (cluster(households=False)): "
                              "it has no ids to carry over")
        return from_result(SimpleNamespace(records=self.id_table, model=self.model, threshold=self.threshold,
                                           region=self.region, id_registry=self.id_registry, run=self.run,
                                           row_hashes=None, pairs=None))

    def to_excel(self, path: str | os.PathLike, *, by: str = "desa", mask_ids: bool = True) -> Path:
        """Verification workbook(s) for village officers from the golden tables, as
        :meth:`linkmiskin.LinkResult.to_excel` (one sheet per desa; NIK and KK masked unless ``mask_ids=False``)."""
        from linkmiskin.report.exports import ExportError, to_excel

        if self.persons is None or self.households is None:
            raise ExportError("this result was clustered without households (cluster(households=False)): "
                              "there are no golden persons and households to write")
        return to_excel(self, path, by=by, mask_ids=mask_ids)

    def crosswalk(self, source: str, table: Any = None) -> Any:
        """The agency's own rows of ``source``, all its columns in its order, with ``person_id``,
        ``household_id`` and ``person_confidence`` appended (as :meth:`linkmiskin.LinkResult.crosswalk`).

        A list given as a file or a pandas DataFrame comes back as pandas (the file is read on the driver; the
        three id columns of its records are collected); a list given as a Spark DataFrame comes back as a
        Spark DataFrame, joined by position on the executors (:func:`crosswalk_spark`). ``table`` replaces
        the list given to ``link``.

        >>> res.crosswalk("dtks")                       # doctest: +SKIP
        """
        from pyspark.sql import DataFrame as SparkDataFrame
        from pyspark.sql import functions as F

        from linkmiskin.report.exports import APPENDED, ExportError, with_ids
        from linkmiskin.standardise.read import read_table

        known = self.sources or {}
        if source not in known:
            raise ExportError(f"no source {source!r} in this result (sources: {sorted(known)})")
        table = known[source] if table is None else table
        mine = self.records.where(F.col("source") == source)
        at = "unique_id"
        if self.positions is not None:
            mine, at = mine.join(self.positions, "unique_id"), INPUT_POSITION
        if isinstance(table, SparkDataFrame):
            return crosswalk_spark(table, mine, source, position=at)
        raw = table if isinstance(table, pd.DataFrame) else read_table(table, source=source)
        ids = mine.orderBy(at).select(*[c for c in APPENDED if c in mine.columns]).toPandas()
        return with_ids(raw, ids, source)


def _numbered_rows(table: Any, pos: str) -> Any:
    """``table`` with its row number (0, 1, ...) in ``pos``, in the order ``monotonically_increasing_id``
    reads it (partition by partition), computed on the JVM: one count per partition comes to the driver."""
    from pyspark.sql import functions as F

    mid, part = "lm__mid", "lm__part"
    t = table.withColumn(mid, F.monotonically_increasing_id()).withColumn(part, F.spark_partition_id())
    counts = sorted((r[0], r[1]) for r in t.groupBy(part).count().collect())
    offsets, total = {}, 0
    for p_, n in counts:
        offsets[p_], total = total, total + n
    start = F.element_at(F.create_map(*[F.lit(x) for kv in offsets.items() for x in kv]), F.col(part)) \
        if offsets else F.lit(0)
    # monotonically_increasing_id = partition index << 33 + row within the partition
    within = F.col(mid) - F.shiftleft(F.col(part).cast("long"), 33)
    return t.withColumn(pos, (start + within).cast("long")).drop(mid, part)


def crosswalk_spark(table: Any, records: Any, source: str, *, position: str = "unique_id") -> Any:
    """A list given as a Spark DataFrame with the id columns of its ``records`` (``position`` and
    :data:`~linkmiskin.report.exports.APPENDED`) appended, row for row: a record's position in its list is
    its ``position`` (the record's place in the input, :data:`INPUT_POSITION`) less the list's first, and the list's rows are numbered in the order the standardiser read
    them (partition by partition, as ``monotonically_increasing_id``). Nothing is collected but two counts."""
    from pyspark.sql import functions as F

    from linkmiskin.report.exports import APPENDED, ExportError

    clash = [c for c in APPENDED if c in table.columns]
    if clash:
        raise ExportError(f"source {source!r} already has column(s) {clash}; rename them before exporting")
    pos = "lm__pos"
    indexed = _numbered_rows(table, pos)
    start = records.agg(F.min(position)).first()[0]
    ids = records.select((F.col(position) - F.lit(start or 0)).alias(pos),
                         *[c for c in APPENDED if c in records.columns])
    n_raw, n_ids = indexed.count(), ids.count()
    if n_raw != n_ids:
        raise ExportError(f"source {source!r}: the table has {n_raw} rows but {n_ids} were linked; "
                          "pass the same list that was linked")
    return indexed.join(ids, pos, "left").orderBy(pos).drop(pos)


#: what ``SparkLinkResult.metadata["cannot_link"]`` says: persons are clustered bucket by bucket on the
#: executors, so the check of the rules against the data (:func:`linkmiskin.clustering.cannot_link.check_rules`,
#: DuckDB backend) is not made; every rule not named in ``cannot_link_off`` stays on
SPARK_CANNOT_LINK = {"checked": False, "rules": [], "switched_off": [],
                     "why": "not checked on the Spark backend: every rule not named in cannot_link_off stays on "
                            "(run on DuckDB for the check, docs/training.md)"}


def _check_session(spark: Any) -> None:
    require_pyspark()
    from pyspark.sql import SparkSession

    if not isinstance(spark, SparkSession):
        raise SparkBackendError("backend='spark' needs spark=<a SparkSession>, e.g. "
                                f"linkmiskin.spark_backend.spark_session('local[2]'); got {type(spark).__name__}")


class SparkLinker:
    """:class:`linkmiskin.Linker` on Spark (``lm.Linker(..., backend="spark", spark=spark)``): the same
    steps, :meth:`train`, :meth:`predict`, :meth:`cluster`, with Spark DataFrames out.

    >>> linker = lm.Linker(sources, region="32.16", backend="spark", spark=spark)   # doctest: +SKIP
    >>> result = linker.cluster()                                                   # doctest: +SKIP
    """

    def __init__(self, sources: dict[str, Any] | None = None, columns: dict[str, dict[str, str]] | None = None,
                 region: str | None = None, *, spark: Any = None, seed: int = 42,
                 cannot_link_off: tuple[str, ...] | list[str] = (), model: dict | None = None,
                 **_duckdb_only: Any) -> None:
        _check_session(spark)
        register_functions(spark)
        self.spark, self.columns, self.region, self.seed = spark, columns, region, seed
        self.cannot_link_off = tuple(cannot_link_off)
        self.model = spark_model(model) if model is not None else None
        self.timings: dict[str, float] = {}
        self.records: Any = None
        self._pairs: Any = None
        self._sources: dict[str, Any] | None = None
        if sources is not None:
            self.set_sources(sources, columns)

    def set_sources(self, sources: dict[str, Any], columns: dict[str, dict[str, str]] | None = None) -> SparkLinker:
        """Standardise the sources on the executors (:func:`standardise_spark`) and register the model table."""
        import time

        from splink.backends.spark import SparkAPI

        t0 = time.perf_counter()
        records, household_input, self.column_mapping = _standardise_spark(self.spark, sources,
                                                                           columns or self.columns, self.region)
        self.records = records.cache()
        self._sources = dict(sources)
        self._household_input = household_input
        self._db_api = SparkAPI(spark_session=self.spark)
        self._sdf = self._db_api.register(self.records, table_name=f"lm_records_{uuid.uuid4().hex[:12]}",
                                          dataset_display_name="records")
        self._pairs = None
        self.timings["standardise"] = round(time.perf_counter() - t0, 2)
        return self

    def _require_data(self) -> None:
        if self.records is None:
            raise SparkBackendError("no sources yet: pass sources to Linker(...) or call set_sources(...)")

    def train(self) -> SparkLinker:
        """Train the model on Spark (:func:`train_spark`)."""
        import time

        self._require_data()
        t0 = time.perf_counter()
        self.model = train_spark(self._db_api, self._sdf, self.records, seed=self.seed)
        self.timings["train"] = round(time.perf_counter() - t0, 2)
        return self

    def predict(self) -> Any:
        """Score candidate pairs on Spark; returns the pairs as a Spark DataFrame."""
        import time

        self._require_data()
        if self.model is None:
            self.train()
        t0 = time.perf_counter()
        self._pairs = predict_spark(self._sdf, self.model).localCheckpoint()
        self.timings["predict"] = round(time.perf_counter() - t0, 2)
        return self._pairs

    def cluster(self, threshold: float | None = None, *, households: bool = True,
                previous: Any = None) -> SparkLinkResult:
        """Persons on Spark (:func:`person_clusters_spark`) at ``threshold`` (default: the model's choice), then
        households and golden records on the driver from the person-level table (:func:`households_on_driver`;
        ``households=False`` skips them). ``previous`` (a
        :class:`~linkmiskin.clustering.updates.PreviousRun`): its ids carry over, as on DuckDB."""
        import time

        from pyspark.sql import functions as F

        from linkmiskin.scoring.model_file import check_threshold

        if self._pairs is None:
            self.predict()
        pairs = self._pairs
        t0 = time.perf_counter()
        if threshold is None:
            threshold, source = threshold_spark(pairs), "model: maximises expected F1 from the model's own probabilities"
        else:
            threshold, source = check_threshold(threshold), "user"
        persons = person_clusters_spark(self.records, pairs, self.model, float(threshold),
                                        cannot_link_off=self.cannot_link_off)
        out = persons.join(self.records.select("unique_id", "source", "record_id"), "unique_id")
        key = F.concat_ws(":", "source", "record_id")
        ids = out.groupBy("person_uid").agg(F.min(key).alias("first_key")).select(
            "person_uid", F.concat(F.lit("P"), F.substring(F.sha1(F.col("first_key")), 1, 12)).alias("person_id"))
        out = (out.join(ids, "person_uid")
               .select("unique_id", "source", "record_id", "person_id", "person_confidence").localCheckpoint())
        self.timings["cluster_persons"] = round(time.perf_counter() - t0, 2)
        driver = None
        if households:
            t1 = time.perf_counter()
            driver = households_on_driver(self._household_input, persons, out, previous=previous,
                                          context=HouseholdContextInputs(self.records, pairs, self.cannot_link_off))
            cols = ["unique_id", "person_id", "person_confidence", "household_id", "household_confidence",
                    "household_evidence", "link_reason"]
            hh_sdf = self.spark.createDataFrame(driver.per_record[cols], schema=(
                "unique_id bigint, person_id string, person_confidence double, household_id string, "
                "household_confidence double, household_evidence string, link_reason string"))
            out = (out.drop("person_id", "person_confidence").join(hh_sdf, "unique_id")
                   .select("unique_id", "source", "record_id", *cols[1:])
                   .localCheckpoint())
            self.timings["cluster_households"] = round(time.perf_counter() - t1, 2)
        elif previous is not None:
            raise SparkBackendError("an update (previous=...) needs households=True: ids carry over on the driver")
        extra = {} if driver is None else {
            "households": driver.households, "persons": driver.persons, "id_table": driver.id_table,
            "changes": driver.changes, "id_registry": driver.id_registry, "run": driver.run}
        return SparkLinkResult(records=out, pairs=pairs, threshold=float(threshold), model=self.model,
                               threshold_source=source, timings=dict(self.timings), sources=self._sources,
                               region=self.region, positions=self._household_input.select("unique_id", INPUT_POSITION),
                               **extra,
                               metadata={"cannot_link": copy.deepcopy(SPARK_CANNOT_LINK),
                                         "cannot_link_off": list(self.cannot_link_off),
                                         "household_context": {} if driver is None else driver.household_context})


def link(sources: dict[str, Any], columns: dict[str, dict[str, str]] | None = None, region: str | None = None,
         threshold: float | None = None, *, spark: Any = None, seed: int = 42, model: dict | None = None,
         cannot_link_off: tuple[str, ...] | list[str] = (), previous: Any = None, retrain: bool = False,
         **_duckdb_only: Any) -> SparkLinkResult:
    """Link agency lists into persons on Spark: training, scoring and person clustering run on the cluster.

    ``sources`` as for :func:`linkmiskin.link` (paths or pandas), or Spark DataFrames. ``model``: a model
    trained elsewhere (a DuckDB one is translated, :func:`spark_model`) to score without training.

    >>> spark = spark_session("local[2]")                                        # doctest: +SKIP
    >>> res = lm.link(sources, region="32.16", backend="spark", spark=spark)      # doctest: +SKIP
    >>> res.records.groupBy("person_id").count().show()                           # doctest: +SKIP
    """
    from linkmiskin.scoring.model_file import check_threshold

    if threshold is not None:
        threshold = check_threshold(threshold)
    _check_session(spark)
    prev = _previous_run(previous, region, retrain)
    if prev is not None:
        region = region or prev.region
        if not retrain:   # the previous model, as on DuckDB (the threshold is chosen again on these lists)
            model = prev.model
    linker = SparkLinker(sources, columns, region, spark=spark, seed=seed, cannot_link_off=cannot_link_off,
                         model=model)
    return linker.cluster(threshold, previous=prev)


def _previous_run(previous: Any, region: str | None, retrain: bool) -> Any:
    """``previous`` (a result, on either backend, or a saved folder) checked as :func:`linkmiskin.link` checks it."""
    if previous is None:
        return None
    from linkmiskin.clustering.updates import UpdateError, as_previous, check_region
    from linkmiskin.standardise.regions import validate_region

    prev = previous.previous_run() if hasattr(previous, "previous_run") else as_previous(previous)
    check_region(prev, validate_region(region) if region is not None else None)
    if not retrain and not prev.model:
        raise UpdateError(f"previous result ({prev.origin}) has no model to reuse; pass retrain=True")
    return prev
