"""Benchmark linkmiskin.synthetic.generator.generate: wall time and peak memory for 200,000 households.

    .venv/bin/python benchmarks/bench_generate.py [--households 200000] [--seed 0] [--region 32.16]
                                                  [--evaluate] [--write DIR]

Peak memory is the process's maximum resident set size (Linux ``ru_maxrss``), measured after the run,
so it includes Python, pandas and the region tables. Target: under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time


def _peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--region", default="32.16")
    ap.add_argument("--evaluate", action="store_true", help="also time evaluate() of the truth against itself")
    ap.add_argument("--write", metavar="DIR", help="also time writing the files to DIR")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from linkmiskin.synthetic.generator import generate

    generate(households=50, seed=args.seed, region=args.region)  # warm caches (region tables, data files)
    t1 = time.perf_counter()
    data = generate(households=args.households, seed=args.seed, region=args.region)
    t2 = time.perf_counter()
    n_rec = sum(len(df) for df in data.sources.values())
    print(f"cpus: {os.cpu_count()}  import+warm-up: {t1 - t0:.1f} s")
    print(f"generate({args.households:,} households): {t2 - t1:.1f} s  "
          f"persons={len(data.population):,} records={n_rec:,}")
    for name, df in data.sources.items():
        print(f"  {name:<10} {len(df):>9,}")
    print(f"peak memory (max RSS): {_peak_mb():,.0f} MB")
    if args.evaluate:
        from linkmiskin.review.evaluation import evaluate

        t3 = time.perf_counter()
        ev = evaluate(data.truth[["source", "record_id", "person_id", "household_id"]], data.truth)
        print(f"evaluate({len(data.truth):,} records): {time.perf_counter() - t3:.1f} s  "
              f"F1={ev.person['pairwise_f1']:.3f}")
    if args.write:
        t4 = time.perf_counter()
        data.write(args.write)
        print(f"write: {time.perf_counter() - t4:.1f} s -> {args.write}")
        print(f"peak memory (max RSS): {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
