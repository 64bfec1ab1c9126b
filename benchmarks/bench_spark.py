"""DuckDB against Spark (local) on the same generated households: wall time, person F1, and how many records
end up in a different person.

    python benchmarks/bench_spark.py                         # 2,000 households, Spark local[2]
    python benchmarks/bench_spark.py --households 5000 --master "local[2]"

Three runs on the same lists (written to CSV files first, as the agencies hand them over):

1. DuckDB: ``lm.link(files)``;
2. Spark, scoring with the DuckDB-trained model (``Linker(..., backend="spark", model=...)``): the
   comparisons, scores and person clustering on Spark must give DuckDB's persons exactly;
3. Spark end to end, trained on Spark (``lm.link(..., backend="spark")``): Splink's random sampling of u
   differs between engines, so the model and a few persons may differ; the count is printed.

Run 2 prints the parity figures (issue #11): the records whose person and whose household differ
(must be 0), the pairs scored by one engine only (0), the largest difference of ``match_probability`` over
the pairs (at most 1e-9), and whether the golden persons and households tables are equal; ``--json PATH``
writes them to a file.

Speed on local Spark is not a target (Spark's per-job overhead dominates at this size); equality is.

``--jaro-winkler N`` times, on N generated name pairs (a third with a swapped letter), the three ways of
computing Jaro-Winkler on Spark: linkmiskin's ``lm_jaro_winkler`` (a pandas UDF: Arrow batches, jellyfish's
Rust once per distinct pair), the same function as a plain row-at-a-time Python UDF, and the ``jaro_winkler``
of Splink's similarity jar (JVM), with how many pairs the jar scores differently from DuckDB's
``jaro_winkler_similarity`` (which ``lm_jaro_winkler`` equals); and, on the driver, jellyfish per pair
against a pure-numpy Jaro-Winkler.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def _partition(records, col: str = "person_id") -> dict[str, frozenset]:
    keys = records["source"].astype(str) + ":" + records["record_id"].astype(str)
    members = keys.groupby(records[col].to_numpy()).agg(frozenset)
    return dict(zip(keys, records[col].map(members)))


def _differ(a, b, col: str = "person_id") -> int:
    pa, pb = _partition(a, col), _partition(b, col)
    return sum(pa[k] != pb.get(k) for k in pa)


def _pair_keys(pairs, records=None):
    """``pairs`` as ``a, b, p``: the two records as ``source:record_id`` (smaller first) and the probability.
    ``records`` (``unique_id, source, record_id``) names the records of pairs given by ``unique_id``."""
    import numpy as np
    import pandas as pd

    if records is not None:
        ids = records.set_index("unique_id")
        key = ids["source"].astype(str) + ":" + ids["record_id"].astype(str)
        left, right = key.reindex(pairs["unique_id_l"]).to_numpy(), key.reindex(pairs["unique_id_r"]).to_numpy()
    else:
        left = (pairs["source_l"].astype(str) + ":" + pairs["record_id_l"].astype(str)).to_numpy()
        right = (pairs["source_r"].astype(str) + ":" + pairs["record_id_r"].astype(str)).to_numpy()
    swap = left > right
    return pd.DataFrame({"a": np.where(swap, right, left), "b": np.where(swap, left, right),
                         "p": pairs["match_probability"].to_numpy(dtype=float)})


def pair_parity(duck_pairs, spark_pairs, spark_records) -> dict:
    """The pairs scored by one engine only, and the largest difference of ``match_probability`` over the
    pairs both scored (both keep the pairs at or above ``MIN_KEPT_PROBABILITY``)."""
    d = _pair_keys(duck_pairs)
    s = _pair_keys(spark_pairs, spark_records)
    m = d.merge(s, on=["a", "b"], how="outer", suffixes=("_duckdb", "_spark"), indicator=True)
    both = m["_merge"] == "both"
    diff = (m.loc[both, "p_duckdb"] - m.loc[both, "p_spark"]).abs()
    return {"pairs_duckdb": len(d), "pairs_spark": len(s), "pairs_duckdb_only": int((m["_merge"] == "left_only").sum()),
            "pairs_spark_only": int((m["_merge"] == "right_only").sum()),
            "max_abs_probability_difference": float(diff.max()) if len(diff) else 0.0}


def _frames_equal(a, b, key: str) -> tuple[bool, list[str]]:
    """Whether two golden tables are equal, row for row by ``key``; else the columns that differ."""
    import pandas as pd

    if a is None or b is None or len(a) != len(b) or list(a.columns) != list(b.columns):
        return False, ["shape or columns"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    try:
        pd.testing.assert_frame_equal(a, b)
        return True, []
    except AssertionError:
        return False, [c for c in a.columns if not a[c].astype(str).equals(b[c].astype(str))]


def _name_pairs(n: int, seed: int):
    import numpy as np
    import pandas as pd

    import linkmiskin as lm

    d = lm.synthetic.generate(households=max(200, n // 50), seed=seed)
    names = pd.concat([lm.standardize(df, region=d.region, source=k)["name"] for k, df in d.sources.items()])
    names = names.dropna().to_numpy(dtype=object)
    rng = np.random.default_rng(seed)
    a = names[rng.integers(0, len(names), n)]
    b = names[rng.integers(0, len(names), n)]
    swap = rng.random(n) < 1 / 3
    pos = rng.integers(0, 5, n)
    b[swap] = [x[:p] + x[p + 1] + x[p] + x[p + 2:] if len(x) > p + 2 else x for x, p in zip(a[swap], pos[swap])]
    return pd.DataFrame({"a": a, "b": b})


def _numpy_jaro_winkler(a, b):
    """Jaro-Winkler over arrays of strings with numpy alone (jellyfish's algorithm, loop over positions)."""
    import numpy as np

    n = len(a)
    la = np.char.str_len(a.astype(str)).astype(np.int64)
    lb = np.char.str_len(b.astype(str)).astype(np.int64)
    wa, wb = max(int(la.max(initial=0)), 1), max(int(lb.max(initial=0)), 1)
    A = a.astype(f"<U{wa}").view(np.uint32).reshape(n, wa)
    B = b.astype(f"<U{wb}").view(np.uint32).reshape(n, wb)
    r = np.maximum(np.maximum(la, lb) // 2 - 1, 0)
    f1, f2 = np.zeros((n, wa), bool), np.zeros((n, wb), bool)
    cols, rows = np.arange(wb), np.arange(n)
    for i in range(wa):
        cand = ((cols >= np.maximum(i - r, 0)[:, None]) & (cols <= np.minimum(i + r, lb - 1)[:, None]) & ~f2
                & (B == A[:, i:i + 1]) & (i < la)[:, None])
        has = cand.any(axis=1)
        f2[rows[has], cand.argmax(axis=1)[has]] = True
        f1[has, i] = True
    common = f1.sum(axis=1)
    k = min(wa, wb)
    m1 = np.take_along_axis(A, np.argsort(~f1, axis=1, kind="stable"), axis=1)[:, :k]
    m2 = np.take_along_axis(B, np.argsort(~f2, axis=1, kind="stable"), axis=1)[:, :k]
    t = (((m1 != m2) & (np.arange(k) < common[:, None])).sum(axis=1) // 2).astype(float)
    c = common.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (c / la + c / lb + (c - t) / c) / 3.0
    p = min(4, k)
    pre = np.cumprod((A[:, :p] == B[:, :p]) & (np.arange(p) < np.minimum(la, lb)[:, None]), axis=1).sum(axis=1)
    w = np.where((w > 0.7) & (pre > 0), w + pre * 0.1 * (1.0 - w), w)
    return np.where((common == 0) | (la == 0) | (lb == 0), 0.0, w)


def bench_jaro_winkler(spark, n: int, seed: int) -> None:
    """Print the times of the Jaro-Winkler variants (see the module docstring)."""
    import jellyfish
    import numpy as np
    from pyspark.sql import functions as F
    from pyspark.sql.functions import udf

    pairs = _name_pairs(n, seed)
    t0 = time.perf_counter()
    ref = np.array([jellyfish.jaro_winkler_similarity(x, y) for x, y in zip(pairs["a"], pairs["b"])])
    t_jelly = time.perf_counter() - t0
    t0 = time.perf_counter()
    vec = _numpy_jaro_winkler(pairs["a"].to_numpy(dtype=str), pairs["b"].to_numpy(dtype=str))
    t_numpy = time.perf_counter() - t0
    print(f"driver, {n:,} pairs: jellyfish per pair {t_jelly:.2f} s, numpy vectorised {t_numpy:.2f} s "
          f"(values equal: {bool(np.array_equal(ref, vec))})")
    sdf = spark.createDataFrame(pairs).repartition(2).cache()
    sdf.count()
    spark.udf.register("lm_jw_row", udf(jellyfish.jaro_winkler_similarity, "double"))
    for label, expr in [("lm_jaro_winkler (pandas UDF)", "lm_jaro_winkler(a, b)"),
                        ("row-at-a-time Python UDF", "lm_jw_row(a, b)"),
                        ("Splink jar jaro_winkler (JVM)", "jaro_winkler(a, b)")]:
        runs = []
        for _ in range(2):  # the first run also starts the Python workers
            t0 = time.perf_counter()
            total = sdf.select(F.sum(F.expr(expr))).collect()[0][0]
            runs.append(time.perf_counter() - t0)
        print(f"spark  {label:<32} {runs[1]:6.2f} s (first run {runs[0]:.2f} s, sum {total:.4f})")
    differ = sdf.where(F.expr("abs(jaro_winkler(a, b) - lm_jaro_winkler(a, b)) > 1e-12")).count()
    print(f"pairs where Splink's jar differs from DuckDB's Jaro-Winkler: {differ:,} of {n:,}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--skip-spark-training", action="store_true", help="only run 1 and 2")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    ap.add_argument("--jaro-winkler", type=int, default=0, metavar="N",
                    help="only time the Jaro-Winkler variants on N name pairs")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                    help="a Spark setting for the session (repeatable), e.g. spark.driver.memory=2g")
    args = ap.parse_args()
    conf = {"spark.ui.showConsoleProgress": "false", **dict(kv.split("=", 1) for kv in args.conf)}

    import linkmiskin as lm
    from linkmiskin.spark_backend import spark_session

    if args.jaro_winkler:
        spark = spark_session(args.master, conf=conf)
        bench_jaro_winkler(spark, args.jaro_winkler, args.seed)
        spark.stop()
        return

    data = lm.synthetic.generate(households=args.households, seed=args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench_spark_"))
    written = data.write(tmp, formats=("csv",))
    files = {name: str(path) for name, path in written.items() if name in data.sources}
    n = sum(len(df) for df in data.sources.values())
    print(f"{args.households} households, {n} records in {len(files)} CSV files")

    t0 = time.perf_counter()
    duck = lm.link(files, region=data.region, progress=False)
    t_duck = time.perf_counter() - t0
    f1 = lm.evaluate(duck, data.truth, level="person").person["pairwise_f1"]
    print(f"duckdb                 wall {t_duck:7.1f} s  person F1 {f1:.4f}  threshold {duck.threshold:.6f}")

    t0 = time.perf_counter()
    spark = spark_session(args.master, conf=conf)
    print(f"spark session start    wall {time.perf_counter() - t0:7.1f} s")

    t0 = time.perf_counter()
    lk = lm.Linker(files, region=data.region, backend="spark", spark=spark, model=duck.model)
    res = lk.cluster(duck.threshold)
    recs = res.records.toPandas()
    t_sp = time.perf_counter() - t0
    f1s = lm.evaluate(recs, data.truth, level="person").person["pairwise_f1"]
    out = {"households": args.households, "records": n, "master": args.master, "duckdb_wall_s": round(t_duck, 1),
           "duckdb_person_f1": f1, "spark_duckdb_model_wall_s": round(t_sp, 1), "spark_person_f1": f1s,
           "records_in_another_person": _differ(duck.records, recs),
           "records_in_another_household": _differ(duck.records, recs, "household_id"),
           **pair_parity(duck.pairs, res.pairs.toPandas(), recs), "spark_timings": res.timings}
    out["golden_persons_equal"], out["golden_persons_columns_differing"] = _frames_equal(
        duck.persons, res.persons, "person_id")
    out["golden_households_equal"], out["golden_households_columns_differing"] = _frames_equal(
        duck.households, res.households, "household_id")
    print(f"spark, duckdb model    wall {t_sp:7.1f} s  person F1 {f1s:.4f}  {res.timings}")
    print(f"  records whose person differs:    {out['records_in_another_person']} (must be 0)")
    print(f"  records whose household differs: {out['records_in_another_household']} (must be 0)")
    print(f"  pairs scored: duckdb {out['pairs_duckdb']:,}, spark {out['pairs_spark']:,}; by duckdb only "
          f"{out['pairs_duckdb_only']}, by spark only {out['pairs_spark_only']} (must be 0)")
    print(f"  max |match_probability difference| over pairs: {out['max_abs_probability_difference']:.3g} "
          f"(must be <= 1e-9)")
    print(f"  golden persons equal: {out['golden_persons_equal']} {out['golden_persons_columns_differing'] or ''}"
          f"; golden households equal: {out['golden_households_equal']} "
          f"{out['golden_households_columns_differing'] or ''}")

    if not args.skip_spark_training:
        t0 = time.perf_counter()
        res2 = lm.link(files, region=data.region, backend="spark", spark=spark)
        recs2 = res2.records.toPandas()
        t_sp2 = time.perf_counter() - t0
        f1t = lm.evaluate(recs2, data.truth, level="person").person["pairwise_f1"]
        print(f"spark, trained on spark wall {t_sp2:6.1f} s  person F1 {f1t:.4f}  threshold {res2.threshold:.6f}  "
              f"records in another person: {_differ(duck.records, recs2)}  {res2.timings}")
        out.update(spark_trained_wall_s=round(t_sp2, 1), spark_trained_person_f1=f1t,
                   spark_trained_records_in_another_person=_differ(duck.records, recs2))
    spark.stop()
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
