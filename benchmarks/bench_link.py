"""End-to-end linkage benchmark: linkmiskin against a competent vanilla Splink setup on the same data.

For each size it generates Bekasi-like agency lists (linkmiskin.synthetic.generator), writes them to files, and in a
fresh process per run (so peak memory is measured per run) reads, standardises, trains, predicts and
clusters persons and households, then prints accuracy against the generated truth, wall time and peak RSS.

    python benchmarks/bench_link.py                       # 50,000 and 200,000 households, vanilla at 50,000
    python benchmarks/bench_link.py --households 2000 --vanilla 2000
    python benchmarks/bench_link.py --households 200000 --vanilla 200000   # vanilla needs ~20 GB, ~15 min
    python benchmarks/bench_link.py --without-list-household-ids          # P3KE/BPJS-PBI without family ids
    python benchmarks/bench_link.py --households 50000 --clustering-only  # the clustering steps alone
    python benchmarks/bench_link.py --households 200000 --vanilla --step-memory  # memory per pipeline step

``--clustering-only`` links once, keeps the inputs of the person and household clustering, and times those
two steps alone (best of ``--repeat`` runs, so that the figure is the step's and not the machine's load).

The vanilla setup is the one described in issue 4: Jaro-Winkler on the name, NIK Levenshtein <= 2, exact
birth date and desa, EM training, connected components at 0.9, with basic cleaning (upper case, digits only
in the NIK, ISO dates).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_linkmiskin(data_dir: str, step_memory: bool = False) -> dict:
    import pandas as pd

    import linkmiskin as lm

    mem = None
    if step_memory:  # resident memory per pipeline step (benchmarks/step_memory.py)
        sys.path.insert(0, str(Path(__file__).parent))
        from step_memory import StepMemory

        mem = StepMemory()
        mem.watch_pipeline()
    t0 = time.perf_counter()
    files = {p.stem: str(p) for p in sorted(Path(data_dir).iterdir())
             if p.suffix in (".csv", ".xlsx") and p.stem != "truth"}
    res = lm.link(files, region="32.16", progress=False)
    wall = time.perf_counter() - t0
    truth = pd.read_csv(Path(data_dir) / "truth.csv", dtype=str)
    ev = lm.evaluate(res, truth)
    hn = ev.hard_negatives.set_index("kind")["merge_rate"].to_dict()
    return {"wall_s": round(wall, 1), "peak_mb": round(_peak_mb()), "records": len(res.records),
            "timings": res.timings, "person_f1": ev.person["pairwise_f1"], "person_p": ev.person["pairwise_precision"],
            "person_r": ev.person["pairwise_recall"], "household_f1": ev.household["pairwise_f1"],
            "household_p": ev.household["pairwise_precision"], "household_r": ev.household["pairwise_recall"],
            "hard_negative_merge_rates": hn, **({"step_memory": mem.table()} if mem else {})}


def run_vanilla(data_dir: str) -> dict:
    """A competent vanilla Splink 5 setup (issue 4's baseline)."""
    import logging

    import numpy as np
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    import linkmiskin as lm
    from linkmiskin.clustering.persons import components

    t0 = time.perf_counter()
    frames = []
    for p in sorted(Path(data_dir).iterdir()):
        if p.suffix not in (".csv", ".xlsx") or p.stem == "truth":
            continue
        raw = lm.read_table(p, source=p.stem)
        cm = lm.detect_columns(raw, source=p.stem).mapping

        def col(f: str, raw=raw, cm=cm) -> pd.Series:
            return raw[cm[f]] if f in cm else pd.Series([None] * len(raw))

        rid = col("record_id") if "record_id" in cm else pd.Series(np.arange(1, len(raw) + 1)).astype(str)
        frames.append(pd.DataFrame({
            "source": p.stem, "record_id": rid.astype(str).str.replace(r"\.0$", "", regex=True),
            "name": col("name").astype("string").str.upper().str.replace(r"[^A-Z ]", "", regex=True).str.strip(),
            "nik": col("nik").astype("string").str.replace(r"\D", "", regex=True),
            "dob": lm.dates.parse_date(col("birth_date"))["date"].to_numpy(),
            "desa": col("desa").astype("string").str.upper().str.replace(r"[^A-Z]", "", regex=True),
        }))
    df = pd.concat(frames, ignore_index=True)
    df = df.replace({"": None})
    df["unique_id"] = np.arange(len(df))
    db = DuckDBAPI()
    sdf = db.register(df, dataset_display_name="records")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.JaroWinklerAtThresholds("name", [0.92, 0.8]), cl.LevenshteinAtThresholds("nik", [1, 2]),
                     cl.ExactMatch("dob"), cl.ExactMatch("desa")],
        blocking_rules_to_generate_predictions=[block_on("nik"), block_on("name", "dob"), block_on("dob", "desa")],
        additional_columns_to_retain=["source", "record_id"])
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("nik")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    pred = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    comp = components(len(df), pred["unique_id_l"].to_numpy(np.int64), pred["unique_id_r"].to_numpy(np.int64))
    wall = time.perf_counter() - t0
    out = pd.DataFrame({"source": df["source"], "record_id": df["record_id"], "person_id": comp.astype(str),
                        "household_id": comp.astype(str)})
    truth = pd.read_csv(Path(data_dir) / "truth.csv", dtype=str)
    ev = lm.evaluate(out, truth, level="person")
    hn = ev.hard_negatives.set_index("kind")["merge_rate"].to_dict()
    return {"wall_s": round(wall, 1), "peak_mb": round(_peak_mb()), "records": len(df),
            "person_f1": ev.person["pairwise_f1"], "person_p": ev.person["pairwise_precision"],
            "person_r": ev.person["pairwise_recall"], "hard_negative_merge_rates": hn}


def run_clustering(data_dir: str, repeat: int = 3) -> dict:
    """Link once, capturing the clustering inputs, then time ``person_clusters`` and ``household_clusters``
    alone on them (best of ``repeat``)."""
    import linkmiskin as lm
    from linkmiskin import linkage
    from linkmiskin.clustering.households import household_clusters
    from linkmiskin.clustering.persons import person_clusters

    captured: dict = {}

    def keep_persons(recs, e, threshold, **kw):
        captured["persons"] = (recs, e, threshold, kw)
        return person_clusters(recs, e, threshold, **kw)

    def keep_households(std, persons, e, **kw):
        captured["households"] = (std, e, kw)
        return household_clusters(std, persons, e, **kw)

    files = {p.stem: str(p) for p in sorted(Path(data_dir).iterdir())
             if p.suffix in (".csv", ".xlsx") and p.stem != "truth"}
    linkage.person_clusters, linkage.household_clusters = keep_persons, keep_households
    try:
        lm.link(files, region="32.16", progress=False)
    finally:
        linkage.person_clusters, linkage.household_clusters = person_clusters, household_clusters
    recs, e, threshold, kw = captured["persons"]
    std, e2, kw2 = captured["households"]
    t_p, t_h = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        persons = person_clusters(recs, e, threshold, **kw)
        t_p.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        household_clusters(std, persons, e2, **kw2)
        t_h.append(time.perf_counter() - t0)
    return {"records": len(recs), "pairs": len(e), "persons_s": round(min(t_p), 2),
            "households_s": round(min(t_h), 2), "peak_mb": round(_peak_mb())}


def _child(kind: str, data_dir: str, extra: list[str] | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--data", data_dir, *(extra or [])]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, nargs="*", default=[50_000, 200_000])
    ap.add_argument("--vanilla", type=int, nargs="*", default=[50_000],
                    help="sizes at which to run the vanilla Splink baseline too")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--without-list-household-ids", action="store_true",
                    help="generate P3KE without its family id and BPJS-PBI without NO_KK (a harder world)")
    ap.add_argument("--clustering-only", action="store_true",
                    help="time the person and household clustering steps alone (see the module docstring)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--step-memory", action="store_true",
                    help="print resident memory per pipeline step (start, peak, end; benchmarks/step_memory.py)")
    ap.add_argument("--child", choices=["linkmiskin", "vanilla", "clustering"])
    ap.add_argument("--data")
    args = ap.parse_args()
    if args.child:
        if args.child == "clustering":
            print(json.dumps(run_clustering(args.data, args.repeat)))
            return
        r = run_linkmiskin(args.data, args.step_memory) if args.child == "linkmiskin" else run_vanilla(args.data)
        print(json.dumps(r))
        return

    from linkmiskin.synthetic import generator as synthetic

    for h in args.households:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            rates = ({"household_id_share": {"p3ke": 0.0, "bpjs_pbi": 0.0}}
                     if args.without_list_household_ids else None)
            data = synthetic.generate(households=h, seed=args.seed, rates=rates)
            data.write(tmp, formats=("csv",))
            print(f"\n=== {h:,} households: {sum(len(s) for s in data.sources.values()):,} records in "
                  f"{len(data.sources)} lists (generated and written in {time.perf_counter() - t0:.0f}s)")
            del data
            if args.clustering_only:
                r = _child("clustering", tmp, ["--repeat", str(args.repeat)])
                print(f"clustering alone ({r.get('records', '?'):,} records, {r.get('pairs', '?'):,} pairs): "
                      f"persons {r.get('persons_s')} s, households {r.get('households_s')} s "
                      f"(best of {args.repeat})" if "error" not in r else f"FAILED: {r['error']}")
                continue
            rows = {"linkmiskin": _child("linkmiskin", tmp, ["--step-memory"] if args.step_memory else [])}
            if h in args.vanilla:
                rows["vanilla Splink"] = _child("vanilla", tmp)
            for name, r in rows.items():
                if "error" in r:
                    print(f"{name:<15} FAILED: {r['error']}")
                    continue
                hh = f" household F1 {r['household_f1']:.4f} (P {r['household_p']:.4f} R {r['household_r']:.4f})" \
                    if "household_f1" in r else ""
                print(f"{name:<15} wall {r['wall_s']:>7.1f}s  peak {r['peak_mb']:>6,} MB  person F1 {r['person_f1']:.4f} "
                      f"(P {r['person_p']:.4f} R {r['person_r']:.4f}){hh}")
                print(f"{'':<15} hard-negative merge rates: "
                      + ", ".join(f"{k} {v:.3f}" for k, v in r["hard_negative_merge_rates"].items()))
                if "timings" in r:
                    print(f"{'':<15} steps: " + ", ".join(f"{k} {v}s" for k, v in r["timings"].items()))
                if "step_memory" in r:
                    print(r["step_memory"])
            a, b = rows.get("linkmiskin", {}), rows.get("vanilla Splink", {})
            if "person_f1" in a and "person_f1" in b:
                print(f"gain: person F1 x{a['person_f1'] / max(b['person_f1'], 1e-9):.2f}, "
                      f"time x{b['wall_s'] / max(a['wall_s'], 1e-9):.2f} faster, "
                      f"memory x{b['peak_mb'] / max(a['peak_mb'], 1):.2f} less")


if __name__ == "__main__":
    main()
