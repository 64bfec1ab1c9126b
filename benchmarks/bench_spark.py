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

Speed on local Spark is not a target (Spark's per-job overhead dominates at this size); equality is.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def _partition(records) -> dict[str, frozenset]:
    keys = records["source"].astype(str) + ":" + records["record_id"].astype(str)
    members = keys.groupby(records["person_id"].to_numpy()).agg(frozenset)
    return dict(zip(keys, records["person_id"].map(members)))


def _differ(a, b) -> int:
    pa, pb = _partition(a), _partition(b)
    return sum(pa[k] != pb.get(k) for k in pa)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--skip-spark-training", action="store_true", help="only run 1 and 2")
    args = ap.parse_args()

    import linkmiskin as lm
    from linkmiskin.spark_backend import spark_session

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
    spark = spark_session(args.master)
    print(f"spark session start    wall {time.perf_counter() - t0:7.1f} s")

    t0 = time.perf_counter()
    lk = lm.Linker(files, region=data.region, backend="spark", spark=spark, model=duck.model)
    res = lk.cluster(duck.threshold)
    recs = res.records.toPandas()
    t_sp = time.perf_counter() - t0
    f1s = lm.evaluate(recs, data.truth, level="person").person["pairwise_f1"]
    print(f"spark, duckdb model    wall {t_sp:7.1f} s  person F1 {f1s:.4f}  records in another person: "
          f"{_differ(duck.records, recs)}  {res.timings}")

    if not args.skip_spark_training:
        t0 = time.perf_counter()
        res2 = lm.link(files, region=data.region, backend="spark", spark=spark)
        recs2 = res2.records.toPandas()
        t_sp2 = time.perf_counter() - t0
        f1t = lm.evaluate(recs2, data.truth, level="person").person["pairwise_f1"]
        print(f"spark, trained on spark wall {t_sp2:6.1f} s  person F1 {f1t:.4f}  threshold {res2.threshold:.6f}  "
              f"records in another person: {_differ(duck.records, recs2)}  {res2.timings}")
    spark.stop()


if __name__ == "__main__":
    main()
