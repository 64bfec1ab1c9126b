"""Where true person pairs are lost: :func:`linkmiskin.review.evaluation.missed_pairs` on world A or C.

World A (optionally with ``bench_worlds.STRESS_RATES``) or world C (``--world c``, linked as
``bench_worlds.link_c`` does) is generated, written, linked with ``lm.link`` in this process and each missed
true pair is put in the stage that lost it (never a candidate, scored below the threshold, split by a
cannot-link rule or by the clustering), with the evidence both records carry. ``--wrong`` also lists the
pairs of different people put in one person (:func:`wrong_pairs`): scored above the threshold themselves,
or joined through other records by the clustering, by look-alike kind and evidence, with examples.

    python benchmarks/bench_recall.py --households 5000 --stress
    python benchmarks/bench_recall.py --households 5000 --csv /tmp/missed.csv
    python benchmarks/bench_recall.py --households 5000 --world c --wrong --examples 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def wrong_pairs(res, truth):
    """Every pair of records of different true persons that ``res`` put in one person: ``how`` is
    ``scored_above_threshold`` (the pair's own score) or ``joined_by_clustering`` (through other records),
    ``kind`` the look-alike kind when both records are in one ``hard_negative_group``, and the records'
    :func:`linkmiskin.review.evaluation.record_evidence` as ``left|right``."""
    import numpy as np
    import pandas as pd

    from linkmiskin.review.evaluation import record_evidence

    recs = res.records.reset_index(drop=True)
    t = truth.set_index(["source", "record_id"])
    key = pd.MultiIndex.from_arrays([recs["source"].astype(str), recs["record_id"].astype(str)])
    tp = t["person_id"].reindex(key).to_numpy()
    tg = t["hard_negative_group"].reindex(key).fillna("").to_numpy()
    df = pd.DataFrame({"i": np.arange(len(recs)), "pred": recs["person_id"].to_numpy(), "true": tp})
    sizes = df.groupby("pred")["true"].transform("nunique")
    m = df[sizes > 1]
    pairs = m.merge(m, on="pred", suffixes=("_l", "_r"))
    pairs = pairs[(pairs["i_l"] < pairs["i_r"]) & (pairs["true_l"] != pairs["true_r"])]
    i, j = pairs["i_l"].to_numpy(), pairs["i_r"].to_numpy()
    src, rid = recs["source"].astype(str).to_numpy(), recs["record_id"].astype(str).to_numpy()
    sc = res.pairs.set_index(["source_l", "record_id_l", "source_r", "record_id_r"])["match_probability"]
    fwd = sc.reindex(pd.MultiIndex.from_arrays([src[i], rid[i], src[j], rid[j]])).to_numpy()
    bwd = sc.reindex(pd.MultiIndex.from_arrays([src[j], rid[j], src[i], rid[i]])).to_numpy()
    p = np.where(np.isnan(fwd), bwd, fwd)
    out = pd.DataFrame({"source_l": src[i], "record_id_l": rid[i], "source_r": src[j], "record_id_r": rid[j],
                        "match_probability": p,
                        "how": np.where(p >= res.threshold, "scored_above_threshold", "joined_by_clustering"),
                        "kind": np.where((tg[i] == tg[j]) & (tg[i] != ""),
                                         pd.Series(tg[i]).str.split(":").str[0].to_numpy(), "")})
    ev = record_evidence(recs)
    for c in ev.columns:
        a, b = ev[c].to_numpy(dtype=object)[i], ev[c].to_numpy(dtype=object)[j]
        out[c] = np.where(a <= b, a + "|" + b, b + "|" + a)
    return out


def _examples(res, pairs, by: list[str], n: int, top: int = 5) -> None:
    """``n`` example pairs (raw name, birth date, NIK status, desa) of each of the ``top`` groups by ``by``."""
    recs = res.records.set_index(["source", "record_id"])
    cols = [c for c in ("name_raw", "birth_date", "age_years", "nik_status", "kk_status", "desa_code",
                        "relationship") if c in recs.columns]
    groups = pairs.groupby(by).size().sort_values(ascending=False).head(top)
    for g in groups.index:
        g = g if isinstance(g, tuple) else (g,)
        sel = pairs
        for c, val in zip(by, g):
            sel = sel[sel[c] == val]
        print(f"   {dict(zip(by, g))}: {len(sel):,} pairs")
        for row in sel.head(n).itertuples(index=False):
            a = recs.loc[(row.source_l, row.record_id_l), cols].to_dict()
            b = recs.loc[(row.source_r, row.record_id_r), cols].to_dict()
            print(f"      {row.source_l}: {a}\n      {row.source_r}: {b}")


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
    ap.add_argument("--world", choices=["a", "c"], default="a", help="world A (default) or world C")
    ap.add_argument("--wrong", action="store_true", help="also list pairs of different people merged")
    ap.add_argument("--examples", type=int, default=0, help="example pairs per top group")
    args = ap.parse_args()
    if args.world == "c":
        from worlds import world_c

        data = world_c.generate(households=args.households, seed=args.seed)
    else:
        data = synthetic.generate(households=args.households, seed=args.seed,
                                  rates=STRESS_RATES if args.stress else None)
    if args.traits:
        stress_traits(data, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        data.write(tmp)
        truth = pd.read_csv(Path(tmp) / "truth.csv", dtype=str, keep_default_na=False)
        t0 = time.perf_counter()
        if args.world == "c":
            from bench_worlds import link_c

            res, _, _ = link_c(tmp)
        else:
            files = {p.stem: str(p) for p in sorted(Path(tmp).iterdir())
                     if p.suffix in (".csv", ".xlsx") and p.stem != "truth"}
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
    if args.examples and len(missed):
        print("\n-- examples of missed pairs (top stage x source pair)")
        _examples(res, missed, ["stage", "source_l", "source_r"], args.examples)
    if args.wrong:
        wrong = wrong_pairs(res, truth)
        print(f"\nwrong pairs (different people in one person): {len(wrong):,}")
        for by in ("how", "kind", ["how", "source_l", "source_r"], ["nik", "dob", "name"]):
            print(f"\n-- by {by}")
            print(missed_pairs_table(wrong, by).head(15).to_string(index=False))
        if args.examples and len(wrong):
            print("\n-- examples of wrong pairs (top how x kind x source pair)")
            _examples(res, wrong, ["how", "kind", "source_l", "source_r"], args.examples)
    print("\nblocking rules:")
    for k, r in enumerate(rules):
        print(f"  {k}: {r['blocking_rule'] if isinstance(r, dict) else r}")
    if args.csv:
        missed.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
