"""Golden-record accuracy and id stability across an update, on generated lists.

    python benchmarks/bench_update.py [--households 50000] [--months 3] [--changed 0.02] [--seed 11] [--world-b 5000]
        [--head-misses 3] [--cache DIR]

1. Generates a world (``synthetic.generate``) and links its lists; prints the share of golden values equal
   to the truth (``golden.golden_accuracy``): per person ``nik``, ``birth_date``, ``name`` (canonical),
   ``desa_code``; per household ``head_name``. Each is shown over all true persons (households) and over
   those whose linked records carry the true value somewhere (what survivorship can at best pick).
2. Makes the same world ``--months`` later (``synthetic.later``: records added, removed, corrected,
   households moved or split; its rates scaled so that about ``--changed`` of the first lists' records are
   added, removed or changed, 2% by default as issue 10 asks), updates the first result with ``link(new, previous=first)`` (model reused,
   no training) and links the new lists from scratch; prints
   * the share of persons (households) whose records are all still present and that are correctly linked
     in both runs (the cluster is exactly the true person's records) that keep their id;
   * person and household pairwise F1 of the update and of the fresh link;
   * whether any id was reused for another cluster (minted ids that were issued before, kept ids that
     were retired);
   * the time of the update and of the fresh link (wall, and the process's cpu time), and where each spends it. The fresh link is what a user
     does with the new lists without a previous result: ``link(new)`` from the raw tables, standardising,
     training, scoring, clustering, ids, households and golden records. The update is
     ``link(new, previous=first)`` from the same raw tables: the same steps without training, plus the id
     carry-over, reusing what the first link kept (``metadata["update_reuse"]``: standardised lists,
     unchanged rows of changed lists (``rows_reused_in_changed_lists``), unchanged records, reused pairs, golden rows). Both use the lists' snapshot dates; neither counts
     generating or evaluating.
3. With ``--saved``: the first result saved to a temporary folder (``save()``) and the same update made from
   that folder (``link(new, previous=folder)``), timed, with what it reused and whether its records, ids and
   changes equal the update from the result in memory.
4. With ``--same-lists dtks,p3ke``: one more update, of the new lists but with those lists as they were in
   the first link (agencies that sent no new list), timed against the same fresh link.
5. With ``--cache DIR`` (a benchmark convenience): the generated world and its later lists are pickled to
   ``DIR`` (one file per households, months, changed share and seed) and read from there by the next run
   with the same options, which then skips generating them (the first link is still made: the result
   holds open files and is not pickled). Generating the later lists of 200,000 households takes many
   minutes on a loaded machine.
6. With ``--world-b N`` (default 5000, 0 to skip): the golden-record accuracy on the held-out world B
   (``benchmarks/worlds/world_b.py``, read-only; never tuned on), linked as a user would, with its lists'
   snapshot dates (PKH and BLT-DD see the old state, the others the new one).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

import linkmiskin as lm
from linkmiskin.clustering import golden
from linkmiskin.synthetic import generator as synthetic


def _exact(rec: pd.DataFrame, truth: pd.DataFrame, pred_col: str, true_col: str) -> pd.Series:
    """True clusters (by ``true_col``) whose records form exactly one predicted cluster: label -> pred id."""
    j = rec[["source", "record_id", pred_col]].rename(columns={pred_col: "p"}).merge(
        truth[["source", "record_id", true_col]].rename(columns={true_col: "t"}).astype({"record_id": str}),
        on=["source", "record_id"])
    t_n = j.groupby("t").size()
    p_n = j.groupby("p").size()
    cell = j.groupby(["t", "p"]).size().rename("n").reset_index()
    cell = cell[(cell["n"].to_numpy() == t_n.reindex(cell["t"]).to_numpy())
                & (cell["n"].to_numpy() == p_n.reindex(cell["p"]).to_numpy())]
    return cell.set_index("t")["p"]


def stability(old_data, new_data, r_old, r_new, true_col: str, pred_col: str) -> dict:
    ev = new_data.events
    removed = ev[ev["event"] == "removed"][["source", "record_id"]]
    t_old = old_data.truth.astype({"record_id": str})
    lost = t_old.merge(removed, on=["source", "record_id"])[true_col].unique()
    # the true cluster's records (old) are all still present, and the true label is unchanged
    new_labels = new_data.truth.astype({"record_id": str}).merge(
        t_old[["source", "record_id", true_col]], on=["source", "record_id"], suffixes=("", "_old"))
    relabeled = new_labels.loc[new_labels[true_col] != new_labels[f"{true_col}_old"], f"{true_col}_old"].unique()
    a = _exact(r_old.records, old_data.truth, pred_col, true_col)
    b = _exact(r_new.records, new_data.truth, pred_col, true_col)
    elig = a.index.intersection(b.index).difference(pd.Index(lost)).difference(pd.Index(relabeled))
    kept = (a[elig].to_numpy() == b[elig].to_numpy())
    return {"eligible": len(elig), "kept": int(kept.sum()), "share": float(kept.mean()) if len(elig) else float("nan")}


def world_b_accuracy(households: int, seed: int = 5) -> pd.DataFrame:
    """Golden-record accuracy on the held-out world B: its truth recast as ``golden_accuracy`` reads it."""
    sys.path.insert(0, str(Path(__file__).parent))
    from worlds import world_b

    w = world_b.generate(households=households, seed=seed)
    snaps = {name: ("2025-06-30" if when == "new" else "2024-01-31")
             for name, (_, _, when) in world_b.LIST_FORMATS.items()}
    res = lm.link(w.sources, columns=w.columns, region=world_b.REGION, progress=False, snapshots=snaps)
    pop = w.population
    desa = world_b._vocab()["desa"]["desa_code"].to_numpy(dtype=object)
    dates = (pop["by"].astype(str) + "-" + pop["bm"].astype(str).str.zfill(2) + "-"
             + pop["bd"].astype(str).str.zfill(2))
    truth_pop = pd.DataFrame({
        "person_id": pop["person_id"], "household_id": pop["hh_new"], "nik": pop["nik"], "name": pop["name"],
        "birth_date": dates, "desa_code": desa[pop["desa_new"].to_numpy(dtype=int)],
        "relationship": pop["rel_new"].map({1: "KEPALA KELUARGA"})})
    return golden.golden_accuracy(res, SimpleNamespace(truth=w.truth, population=truth_pop))


def head_misses(result, data, examples: int = 3) -> pd.DataFrame:
    """The households whose golden ``head_name`` is not the true head's although a record of the true head
    writes that name (``head_name``'s recoverable misses), by kind: ``head_elsewhere`` (the true head's
    records are mostly in another predicted household), ``other_member`` (the true head is in the household,
    another member was chosen; ``rule`` says which rule chose), ``spelling`` (the true head chosen, with
    another spelling of the name). Prints the counts and ``examples`` per kind (names and rules only; no NIK or
    KK)."""
    from linkmiskin.standardise.names import normalize_name

    tr = data.truth[["source", "record_id", "person_id", "household_id"]].rename(
        columns={"person_id": "tp", "household_id": "th"}).astype({"record_id": str})
    j = result.records.merge(tr, on=["source", "record_id"])
    hb = golden._majority(j, "th", "household_id")
    pop = data.population
    heads = pop[pop["relationship"] == "KEPALA KELUARGA"].drop_duplicates("household_id").set_index("household_id")
    hh = result.households.set_index("household_id")
    d = pd.DataFrame({"th": hb.index, "ph": hb.to_numpy()})
    d["head"] = heads["person_id"].reindex(d["th"]).to_numpy()
    d["true_name"] = normalize_name(heads["name"]).reindex(d["th"]).to_numpy()
    d = d[d["head"].notna()]
    written = j.assign(nm=j["name"].astype(str)).groupby("tp")["nm"].agg(set)
    d = d[[t in written.get(h, set()) for t, h in zip(d["true_name"], d["head"])]]
    d["golden_name"] = hh["head_name"].reindex(d["ph"]).to_numpy()
    d["rule"] = hh["head_person_id_rule"].reindex(d["ph"]).to_numpy()
    chosen = hh["head_person_id"].reindex(d["ph"]).to_numpy()
    d["chosen_true"] = golden._majority(j, "person_id", "tp").reindex(chosen).to_numpy()
    d["head_household"] = golden._majority(j, "tp", "household_id").reindex(d["head"]).to_numpy()
    miss = d[d["golden_name"].astype(str) != d["true_name"].astype(str)].copy()
    miss["kind"] = np.where(miss["chosen_true"] == miss["head"], "spelling",
                            np.where(miss["head_household"] != miss["ph"], "head_elsewhere", "other_member"))
    print(f"\nhead_name misses (recoverable): {len(miss):,} of {len(d):,} households")
    for kind, g in miss.groupby("kind"):
        print(f"  {kind}: {len(g):,} (deciding rule: " + ", ".join(f"{k} {v}" for k, v in g["rule"].value_counts().items()) + ")")
        for r in g.head(examples).itertuples():
            print(f"    true head {r.true_name!r}, golden head {r.golden_name!r} ({r.rule})")
    return miss


def _event_share(data, new) -> float:
    ev = new.events["event"]
    return float((ev != "kept").sum()) / sum(map(len, data.sources.values()))


def later_lists(data, months: int, seed: int, changed: float):
    """``synthetic.later`` with its four rates scaled so that about ``changed`` of the first lists' records
    are added, removed or changed (one rescaling after a first try at the generator's rates)."""
    new = synthetic.later(data, months=months, seed=seed)
    if not changed:
        return new
    k = changed / max(_event_share(data, new), 1e-9)
    rates = {"remove": 0.01, "add": 0.02, "correct": 0.02, "household_update": 0.03}   # later()'s defaults
    return synthetic.later(data, months=months, seed=seed, **{n: r * k for n, r in rates.items()})


def _from_folder(first, upd, new, region: str, t_upd: float) -> None:
    """Save ``first``, update from the folder, and print the time, what was reused and whether the result
    equals ``upd`` (the update from the result in memory)."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        first.save(d, formats=("parquet",))
        t_save = time.perf_counter() - t0
        t0 = time.perf_counter()
        got = lm.link(new.sources, region=region, previous=d, progress=False, snapshots=synthetic.SNAPSHOT)
        t_got = time.perf_counter() - t0
    reuse = {k: v for k, v in got.metadata.get("update_reuse", {}).items() if k != "why"}
    same = all(getattr(got, n).equals(getattr(upd, n)) for n in ("records", "persons", "households", "changes"))
    steps = {k: v for k, v in got.timings.items() if k != "total"}
    print(f"\nupdate from a saved folder (save {t_save:.1f}s): {t_got:.1f}s (from the result in memory "
          f"{t_upd:.1f}s); records, persons, households and changes equal to the update from memory: {same}"
          "\n  reused: " + ", ".join(f"{k} {v:,}" if isinstance(v, (int, float)) else f"{k} {v}"
                                     for k, v in reuse.items())
          + "\n  steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))


def _cache_file(args: argparse.Namespace) -> Path:
    return (Path(args.cache) / f"worlds_h{args.households}_m{args.months}_c{args.changed}_s{args.seed}"
            f"_{synthetic.__name__}.pkl")


def _cached_worlds(args: argparse.Namespace) -> tuple:
    """(world, later lists) from ``--cache`` (later lists None: not cached), else the world generated."""
    import pickle

    if args.cache and _cache_file(args).is_file():
        with open(_cache_file(args), "rb") as f:
            return pickle.load(f)
    return synthetic.generate(households=args.households, seed=args.seed), None


def _cache_worlds(args: argparse.Namespace, data, new) -> None:
    """Pickle the world and its later lists to ``--cache`` (nothing without it)."""
    import pickle

    if not args.cache:
        return
    Path(args.cache).mkdir(parents=True, exist_ok=True)
    tmp = _cache_file(args).with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump((data, new), f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(_cache_file(args))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=50000)
    ap.add_argument("--months", type=int, default=3)
    ap.add_argument("--changed", type=float, default=0.02,
                    help="share of the first lists' records added, removed or changed (0: the generator's rates)")
    ap.add_argument("--same-lists", default="",
                    help="comma-separated lists to keep as they were in the first link for one more, timed "
                         "update (an agency that sent no new list this month), e.g. dtks,p3ke,bpjs_pbi")
    ap.add_argument("--saved", action="store_true",
                    help="also update from a folder the first result was saved to, and compare")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--skip-fresh", action="store_true", help="do not link the later lists from scratch")
    ap.add_argument("--world-b", type=int, default=5000, help="households of world B (0: skip)")
    ap.add_argument("--head-misses", type=int, default=0, metavar="N",
                    help="print the head_name misses by kind, with N examples of each (names only)")
    ap.add_argument("--cache", default="", metavar="DIR",
                    help="pickle the generated world and later lists to DIR, and read them from there next time")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    t0 = time.perf_counter()
    data, new = _cached_worlds(args)
    print(f"generated {args.households:,} households, {sum(map(len, data.sources.values())):,} records "
          f"({time.perf_counter() - t0:.1f}s{', from the cache' if args.cache and new is not None else ''})")
    t0 = time.perf_counter()
    first = lm.link(data.sources, region=data.region, progress=False, snapshots=synthetic.SNAPSHOT)
    t_first = time.perf_counter() - t0
    print(f"first link {t_first:.1f}s: {first}")

    acc = golden.golden_accuracy(first, data)
    print("\nGolden-record accuracy (share equal to the truth)")
    print(acc.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    if args.head_misses:
        head_misses(first, data, args.head_misses)

    if new is None:
        new = later_lists(data, args.months, args.seed + 1, args.changed)
        _cache_worlds(args, data, new)
    ev = new.events["event"].value_counts()
    n_old = sum(map(len, data.sources.values()))
    changed = int(ev.drop("kept", errors="ignore").sum())
    print(f"\n{args.months} months later: " + ", ".join(f"{k} {v:,}" for k, v in ev.items())
          + f" ({changed / n_old:.1%} of the first lists' records changed, removed or added)")

    t0, c0 = time.perf_counter(), time.process_time()
    upd = lm.link(new.sources, region=data.region, previous=first, progress=False, snapshots=synthetic.SNAPSHOT)
    t_upd, c_upd = time.perf_counter() - t0, time.process_time() - c0
    print(f"update (model reused) {t_upd:.1f}s: {upd}")
    reuse = {k: v for k, v in upd.metadata.get("update_reuse", {}).items() if k != "why"}
    print("reused from the first link: " + ", ".join(f"{k} {v:,}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in reuse.items()))
    print(upd.changes.groupby(["level", "change"]).size().to_string())

    rows = []
    for level, tcol, pcol in (("person", "person_id", "person_id"), ("household", "household_id", "household_id")):
        s = stability(data, new, first, upd, tcol, pcol)
        rows.append({"level": level, **s})
    print("\nId stability: entities all of whose records are still present, correctly linked in both runs")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:.4f}"))

    reg_old = first.id_registry
    reg_new = upd.id_registry
    minted = reg_new.loc[reg_new["issued_in_run"] == upd.run, "id"]
    reused = set(minted) & set(reg_old["id"])
    retired = set(reg_new.loc[reg_new["status"] == "retired", "id"])
    live_retired = retired & (set(upd.records["person_id"]) | set(upd.records["household_id"]))
    print(f"ids minted in the update {len(minted):,}; of those issued before: {len(reused)}; "
          f"retired ids still in use: {len(live_retired)}; registry rows unique: {reg_new['id'].is_unique}")

    e_upd = lm.evaluate(upd, new.truth)
    line = (f"\naccuracy after the update: person F1 {e_upd.person['pairwise_f1']:.4f}, "
            f"household F1 {e_upd.household['pairwise_f1']:.4f}")
    if not args.skip_fresh:
        t0, c0 = time.perf_counter(), time.process_time()
        fresh = lm.link(new.sources, region=data.region, progress=False, snapshots=synthetic.SNAPSHOT)
        t_fresh, c_fresh = time.perf_counter() - t0, time.process_time() - c0
        e_fr = lm.evaluate(fresh, new.truth)
        line += (f"; fresh link: person F1 {e_fr.person['pairwise_f1']:.4f}, household F1 "
                 f"{e_fr.household['pairwise_f1']:.4f} (difference {e_upd.person['pairwise_f1'] - e_fr.person['pairwise_f1']:+.4f})")
        line += (f"\ntime: update {t_upd:.1f}s (link(new, previous=first): model reused, no training), "
                 f"fresh link {t_fresh:.1f}s (link(new): standardise, train, score, cluster, ids, golden records) "
                 f"(ratio {t_upd / t_fresh:.2f}; target <= 0.50)"
                 f"\ncpu time of this process (all its threads; steadier than the wall time on a shared machine): "
                 f"update {c_upd:.1f}s, fresh link {c_fresh:.1f}s (ratio {c_upd / c_fresh:.2f})")
        for name, res in (("update", upd), ("fresh", fresh)):
            steps = {k: v for k, v in res.timings.items() if k != "total"}
            rest = res.timings.get("total", 0) - sum(steps.values())
            line += (f"\n  {name} steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items())
                     + f", other (assembling records, household table, diagnostics) {rest:.1f}")
    print(line)
    if args.saved:
        _from_folder(first, upd, new, data.region, t_upd)
    same = [x for x in args.same_lists.split(",") if x]
    if same:
        mixed = {name: (data.sources[name] if name in same else src) for name, src in new.sources.items()}
        t0 = time.perf_counter()
        part = lm.link(mixed, region=data.region, previous=first, progress=False, snapshots=synthetic.SNAPSHOT)
        t_part = time.perf_counter() - t0
        reuse = part.metadata.get("update_reuse", {})
        steps = {k: v for k, v in part.timings.items() if k != "total"}
        print(f"\nupdate with {', '.join(same)} unchanged since the first link and the other lists as above: "
              f"{t_part:.1f}s ({len(part.records):,} records; lists reused {reuse.get('lists_reused')}, "
              f"{reuse.get('standardised_rows_reused', 0):,} standardised rows reused)"
              + (f"; against the fresh link of the new lists above: ratio {t_part / t_fresh:.2f}"
                 if not args.skip_fresh else "")
              + "\n  steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items()))
    if args.world_b:
        t0 = time.perf_counter()
        acc_b = world_b_accuracy(args.world_b)
        print(f"\nGolden-record accuracy on the held-out world B ({args.world_b:,} households, "
              f"{time.perf_counter() - t0:.0f}s)")
        print(acc_b.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
