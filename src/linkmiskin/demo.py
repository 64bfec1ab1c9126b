"""``make demo``: generate Bekasi-like agency files, link them from the files, write the results and an HTML
report, and print accuracy against the generated truth and the time taken.

Then it makes the same world's lists a month later and updates the result with ``previous=``, printing how
many ids were kept, created, merged and retired.

    python -m linkmiskin.demo [--households 5000] [--seed 7] [--out demo_output]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m linkmiskin.demo", description=__doc__)
    ap.add_argument("--households", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--region", default="32.16")
    ap.add_argument("--out", default="demo_output")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    import linkmiskin as lm
    from linkmiskin.report.html import write_report
    from linkmiskin.synthetic import generator as synthetic

    out = Path(args.out)
    files = out / "agency_files"
    t0 = time.perf_counter()
    data = synthetic.generate(households=args.households, seed=args.seed, region=args.region)
    written = data.write(files)
    print(f"1. Generated {args.households:,} households of Kabupaten/Kota {args.region}: "
          f"{sum(len(s) for s in data.sources.values()):,} records in {len(data.sources)} agency lists "
          f"({time.perf_counter() - t0:.1f}s)")
    paths = {}
    for name in data.sources:
        cands = sorted(p for p in Path(files).glob(f"{name}.*") if p.suffix in (".csv", ".xlsx"))
        paths[name] = cands[0]
    for name, p in paths.items():
        print(f"   {name:<10} {p}")
    del written

    t1 = time.perf_counter()
    result = lm.link({k: str(v) for k, v in paths.items()}, region=args.region, progress=False)
    t_link = time.perf_counter() - t1
    print(f"2. Linked from the files in {t_link:.1f}s: {result}")
    for step, secs in result.timings.items():
        print(f"   {step:<20} {secs:>7.1f}s")

    res_dir = result.save(out / "results")
    ev = lm.evaluate(result, data.truth)
    report = write_report(result, out / "results" / "report.html",
                          extra_sections=[("Accuracy against the generated truth", f"<pre>{ev}</pre>")])
    print(f"3. Results written to {res_dir}/ (records, pairs, households as Parquet and CSV; model.json)")
    print(f"   HTML report: {report}")
    print("4. Accuracy against the generated truth:")
    print("   " + str(ev).replace("\n", "\n   "))
    reach = result.households["n_programmes"].value_counts().sort_index()
    print("5. Households by number of programmes reaching them: "
          + ", ".join(f"{k}: {v:,}" for k, v in reach.items()))
    # 6. a month later: the same world's next lists, linked with previous= so that ids carry over
    from linkmiskin.clustering.updates import change_summary

    later = synthetic.later(data, months=1, seed=args.seed + 1)
    ev = later.events["event"].value_counts()
    t2 = time.perf_counter()
    update = lm.link(later.sources, region=args.region, previous=out / "results", progress=False)
    print(f"6. A month later ({', '.join(f'{k} {v:,}' for k, v in ev.items())} records), updated from "
          f"{out / 'results'} in {time.perf_counter() - t2:.1f}s (model reused, no training) "
          f"vs {t_link:.1f}s for the first link:")
    summ = change_summary(update.changes, update.records, result.records)
    for level, row in summ.iterrows():
        print(f"   {level:<10} ids kept {row['kept']:,}, created {row['new'] + row['split_from']:,} "
              f"(new {row['new']:,}, split off {row['split_from']:,}), retired {row['merged_into'] + row['removed']:,} "
              f"(merged {row['merged_into']:,}, removed {row['removed']:,})"
              + (f", moved household {row['moved_household']:,}" if level == "person" else ""))
    upd_dir = update.save(out / "results_month2")
    print(f"   written to {upd_dir}/ (changes.csv lists every id that changed; id_registry keeps every id issued)")
    print(f"Total time {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
