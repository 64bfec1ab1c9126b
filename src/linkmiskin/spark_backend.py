"""Run linkmiskin's Splink model on Apache Spark (optional: ``pip install linkmiskin[spark]``).

linkmiskin's comparisons are written in DuckDB SQL (:mod:`linkmiskin.comparisons`). This module is the one
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

Conventions the translation relies on (kept by :mod:`linkmiskin.comparisons`): ``len(...)`` is only applied
to lists and ``length(...)`` only to strings; ``list_bool_and``/``list_bool_or`` are applied to non-empty
lists (DuckDB gives NULL for an empty list, Spark's ``forall`` true).
"""

from __future__ import annotations

import copy
import os
import re
import sys
import tempfile
from typing import Any

import numpy as np
import pandas as pd
import sqlglot
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from sqlglot import exp

from .privacy import MaskedError

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
    """Translate a DuckDB SQL condition (as :mod:`linkmiskin.comparisons` writes them) to Spark SQL.

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

    >>> from linkmiskin.comparisons import SexComparison
    >>> SparkComparison(SexComparison("sex")).create_output_column_name()
    'sex'
    """

    def __init__(self, inner: ComparisonCreator) -> None:
        self._inner = inner
        super().__init__(dict(inner.col_expressions))
        for attr in ("m_probabilities", "u_probabilities", "term_frequency_adjustments"):
            if attr in inner.__dict__:
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
    """DuckDB's ``jaro_winkler_similarity`` on two string Series, computed once per distinct pair."""
    import jellyfish

    pairs = pd.DataFrame({"a": a, "b": b})
    ok = pairs["a"].notna() & pairs["b"].notna()
    out = pd.Series(np.nan, index=pairs.index, dtype="float64")
    if ok.any():
        uniq = pairs[ok].drop_duplicates()
        vals = [jellyfish.jaro_winkler_similarity(x, y) for x, y in zip(uniq["a"], uniq["b"])]
        sims = uniq.assign(sim=vals)
        merged = pairs[ok].merge(sims, on=["a", "b"], how="left")
        out[ok.to_numpy()] = merged["sim"].to_numpy()
    return out


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


def spark_session(master: str = "local[2]", *, app_name: str = "linkmiskin", checkpoint_dir: str | None = None,
                  conf: dict[str, str] | None = None) -> Any:
    """A Spark session ready for linkmiskin: Splink's similarity jar, a checkpoint folder, Python workers
    on this interpreter (local mode), and linkmiskin's functions registered.

    >>> spark = spark_session("local[2]")       # doctest: +SKIP
    """
    SparkSession = require_pyspark()
    from splink.backends.spark import similarity_jar_location

    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    b = (SparkSession.builder.master(master).appName(app_name)
         .config("spark.jars", similarity_jar_location())
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "8" if master.startswith("local") else "200"))
    for k, v in (conf or {}).items():
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
    """The Spark DDL schema of a model table (:func:`linkmiskin.model.model_table`)."""
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
