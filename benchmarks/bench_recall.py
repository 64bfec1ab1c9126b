"""Where true person pairs are lost: :func:`linkmiskin.review.evaluation.missed_pairs` on world A.

World A (optionally with ``bench_worlds.STRESS_RATES``) is generated, written, linked with ``lm.link`` in
this process and each missed true pair is put in the stage that lost it (never a candidate, scored below
the threshold, split by a cannot-link rule or by the clustering), with the evidence both records carry.

    python benchmarks/bench_recall.py --households 5000 --stress
    python benchmarks/bench_recall.py --households 5000 --csv /tmp/missed.csv
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    import pandas as pd
    from bench_worlds import STRESS_RATES, stress_traits

    import linkmiskin as lm
    from linkmiskin.review.evaluation import missed_pairs, missed_pairs_table
    from linkmiskin.synthetic import generator as synthetic

    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--stress", action="store_true", help="world A with bench_worlds.STRESS_RATES")
    ap.add_argument("--traits", action="store_true", help="with bench_worlds.TRAIT_STRESS")
    ap.add_argument("--csv", help="write the missed pairs to this CSV")
    args = ap.parse_args()
    data = synthetic.generate(households=args.households, seed=args.seed,
                              rates=STRESS_RATES if args.stress else None)
    if args.traits:
        stress_traits(data, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        data.write(tmp)
        files = {p.stem: str(p) for p in sorted(Path(tmp).iterdir())
                 if p.suffix in (".csv", ".xlsx") and p.stem != "truth"}
        truth = pd.read_csv(Path(tmp) / "truth.csv", dtype=str, keep_default_na=False)
        t0 = time.perf_counter()
        res = lm.link(files, region="32.16", progress=False)
        wall = time.perf_counter() - t0
    ev = lm.evaluate(res, truth)
    print(ev.summary())
    print(f"wall {wall:.1f}s, threshold {res.threshold:.4f}, pairs scored {len(res.pairs):,}")
    missed = missed_pairs(res, truth)
    true_pairs = int(ev.person["true_pairs"])
    print(f"\nmissed true pairs: {len(missed):,} of {true_pairs:,} ({len(missed) / max(true_pairs, 1):.2%})")
    rules = res.model["blocking_rules_to_generate_predictions"]
    pd.set_option("display.width", 200, "display.max_rows", 200, "display.max_colwidth", 120)
    for by in ("stage", "fragment_stage", ["stage", "rule"], ["stage", "nik"], ["stage", "dob"], ["stage", "kk"], ["stage", "name"],
               ["stage", "nik", "dob"], ["stage", "source_l", "source_r"]):
        print(f"\n-- by {by}")
        print(missed_pairs_table(missed, by).head(25).to_string(index=False))
    never = missed[missed["fragment_stage"] == "never_candidate"]
    if len(never):
        print("\n-- fragments never a candidate, by evidence")
        print(missed_pairs_table(never, ["nik", "dob", "kk", "desa", "name"]).head(25).to_string(index=False))
    print("\nblocking rules:")
    for k, r in enumerate(rules):
        print(f"  {k}: {r['blocking_rule'] if isinstance(r, dict) else r}")
    if args.csv:
        missed.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
