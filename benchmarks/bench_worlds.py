"""Held-out benchmark: linkmiskin on world A (linkmiskin.synthetic.generator, Bekasi), world B (Grobogan) and
world C (Tapanuli Utara, a second development world).

World B (``benchmarks/worlds/world_b.py``) was written independently of world A's generator, with other
list formats, naming customs and household dynamics. Each world is generated and written to files in its
native formats; then, in a fresh process per run (peak memory per run), the files are read as a new user
would (paths or ``lm.read_table``, the column mapping, the region code), linked with ``lm.link`` and
evaluated with ``lm.evaluate``.

    python benchmarks/bench_worlds.py                          # 50,000 households, both worlds
    python benchmarks/bench_worlds.py --households 5000 --json out.json
    python benchmarks/bench_worlds.py --households 2000 --worlds b --keep /tmp/wb   # keep files + predictions
    python benchmarks/bench_worlds.py --households 5000 --worlds a --stress         # world A, stressed
    python benchmarks/bench_worlds.py --households 5000 --worlds a,c                # the development worlds
    python benchmarks/bench_worlds.py --households 5000 --worlds a --stress --traits --link-seeds 42,1,2

``--stress`` generates world A with the rate overrides of :data:`STRESS_RATES`: many records without a NIK
or a birth date, and the KK on every BPJS-PBI row, so that the KK and the name must carry the link
(issue 13, items 2 and 3). ``--traits`` then gives world A's lists traits of lists unlike it
(:data:`TRAIT_STRESS`, :func:`stress_traits`): people known by one name on every list, ages instead of
birth dates, and member rows with only the KK and the name.

``--link-seeds`` links each world once per training seed of ``lm.link`` (the seed of its random sample of
pairs for the u probabilities) and prints the mean and range of person P / R / F1 over the seeds. On the
stressed world A the seed alone moves F1 by about 0.002 at 5,000 households: a change smaller than the range
is noise, not a finding.

For world B the script first probes each list the way ``lm.link`` reads it (``lm.read_table`` then
``lm.detect_columns`` with the mapping) and reports any failure. A list that fails is then read the way a
user would work around it (``pandas.read_excel(header=2, dtype=str)`` for the DTSEN workbook with a title
row) and passed as a DataFrame. Vanilla Splink (``bench_link.run_vanilla``) is run on world B after
renaming its columns to headings vanilla's auto-detection knows (it has no column mapping).

World C (``benchmarks/worlds/world_c.py``, Batak marga, two epochs of lists, a two-row merged header) is
for development next to world A. Its files are passed to ``lm.link`` as paths with the column mapping, the
age list's date (``list_date``), the lists' snapshot dates and, for the workbook whose heading read_table
does not find by itself (a two-row merged header), the heading row a user reads off the sheet (``header``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


#: world A's rate overrides for ``--stress``: a third of the NIKs and birth dates missing, every BPJS-PBI
#: row with its KK, and more NIK cells typed as numbers (Excel damage) in BLT-DD
STRESS_RATES: dict = {"nik_missing": 0.3, "dob_missing": 0.3, "nik_excel_number_share": 0.95,
                      "household_id_share": {"bpjs_pbi": 1.0}}


#: ``--traits``: share of people known by one name (a mononym: SUGENG, SLAMET) on every list; per list, the
#: share of rows with an age (``UMUR``, as of the list's ``TGL_PENDATAAN``) instead of the birth date, and
#: of rows with only the KK and the name (no NIK, no birth date)
TRAIT_STRESS: dict = {"mononym_share": 0.25, "age_only": {"bpjs_pbi": 0.4, "dtks": 0.1},
                      "kk_name_only": {"bpjs_pbi": 0.2}}
#: the name and birth-date columns of world A's lists
_NAME_COLUMN = {"dtks": "NAMA", "p3ke": "NAMA_LENGKAP", "bpjs_pbi": "NAMA_PESERTA", "blt_dd": "NAMA_KPM",
                "posyandu": "NAMA_ANAK"}
_DATE_COLUMN = {"dtks": "TGL_LAHIR", "p3ke": "TANGGAL_LAHIR", "bpjs_pbi": "TGL_LAHIR", "posyandu": "TGL_LAHIR"}


def stress_traits(data, traits: dict = TRAIT_STRESS, seed: int = 7) -> None:
    """Give a generated world A (in place) the traits of :data:`TRAIT_STRESS`: the mononym of a person is
    the longest word of the name on their first record, written on all their records; ages are whole
    years at the list's snapshot date."""
    import numpy as np
    import pandas as pd

    from linkmiskin.synthetic.rates import SNAPSHOT

    rng = np.random.default_rng(seed)
    truth = data.truth
    persons = truth["person_id"].unique()
    mono = set(persons[rng.random(len(persons)) < traits.get("mononym_share", 0.0)])
    word: dict = {}
    for src, df in data.sources.items():
        col = _NAME_COLUMN.get(src)
        pid = truth.loc[truth["source"] == src, "person_id"].to_numpy()
        if col is None or len(pid) != len(df):
            continue
        names = df[col].astype("string")
        for i in np.flatnonzero(pd.Series(pid).isin(mono).to_numpy() & names.notna().to_numpy()):
            if pid[i] not in word:
                words = [w.strip(".,") for w in str(names.iat[i]).split()]
                word[pid[i]] = max(words, key=len) if words else None
            if word[pid[i]]:
                df.iat[i, df.columns.get_loc(col)] = word[pid[i]]
        n = len(df)
        date_col = _DATE_COLUMN.get(src)
        age_only = rng.random(n) < traits.get("age_only", {}).get(src, 0.0)
        if date_col in df and age_only.any():
            snap = pd.Timestamp(SNAPSHOT[src])
            born = pd.to_datetime(df[date_col].astype("string"), dayfirst=True, errors="coerce", format="mixed")
            years = ((snap - born).dt.days // 365.25).astype("Int64")
            take = age_only & years.notna().to_numpy()
            df["UMUR"] = pd.Series([None] * n, dtype=object)
            df.loc[take, "UMUR"] = years[take].astype(str) + " TH"
            df["TGL_PENDATAAN"] = SNAPSHOT[src]
            df[date_col] = df[date_col].astype(object).where(~take, None)
        bare = rng.random(n) < traits.get("kk_name_only", {}).get(src, 0.0)
        if bare.any():
            for c in ("NIK", date_col, "UMUR"):
                if c in df:
                    df[c] = df[c].astype(object).where(~bare, None)


# ------------------------------------------------------------------------------------------ world B reading


def _probe(data_dir: str, columns: dict, list_formats: dict) -> dict:
    """Read every list of a world exactly as lm.link would (read_table + detect_columns with the mapping)."""
    import linkmiskin as lm

    out = {}
    for src, (fname, _, _) in list_formats.items():
        try:
            raw = lm.read_table(Path(data_dir) / fname, source=src)
            lm.detect_columns(raw, columns[src], source=src)
            out[src] = "ok"
        except Exception as e:  # noqa: BLE001 - the failure is what we report
            out[src] = f"{type(e).__name__}: {str(e)[:300]}"
    return out


def probe_b(data_dir: str) -> dict:
    """Read every world-B list exactly as lm.link would."""
    from worlds.world_b import COLUMNS, LIST_FORMATS

    return _probe(data_dir, COLUMNS, LIST_FORMATS)


def b_sources(data_dir: str, probe: dict) -> tuple[dict, list[str]]:
    """Paths for the lists lm.link can read; a user's pandas workaround for the others."""
    import pandas as pd
    from worlds.world_b import LIST_FORMATS

    sources, notes = {}, []
    for src, (fname, _, _) in LIST_FORMATS.items():
        path = Path(data_dir) / fname
        if probe.get(src) == "ok":
            sources[src] = str(path)
        elif path.suffix == ".xlsx":
            sources[src] = pd.read_excel(path, header=2, dtype=str)
            notes.append(f"{src}: read with pandas.read_excel(header=2, dtype=str) (title row above the header)")
        else:
            sources[src] = str(path)
            notes.append(f"{src}: no workaround; passed as a path")
    return sources, notes


# ------------------------------------------------------------------------------------------ world C reading


def probe_c(data_dir: str) -> dict:
    """Read every world-C list as lm.link would."""
    from worlds.world_c import COLUMNS, LIST_FORMATS

    return _probe(data_dir, COLUMNS, LIST_FORMATS)


def link_c(data_dir: str, link_seed: int = 42):
    """World C linked as a user would: paths, the column mapping, the age list's date, the snapshot dates,
    and a heading row only for the lists whose heading read_table does not find (``world_c.HEADER``).
    Returns the result, the probe of each list and the workarounds used."""
    from worlds.world_c import COLUMNS, HEADER, LIST_DATE, LIST_FORMATS, REGION, SNAPSHOTS

    import linkmiskin as lm

    probe = probe_c(data_dir)
    header = {src: HEADER[src] for src, msg in probe.items() if msg != "ok" and src in HEADER}
    notes = [f"{src}: header={h} (the heading row a user reads off the sheet)" for src, h in header.items()]
    sources = {src: str(Path(data_dir) / fname) for src, (fname, _, _) in LIST_FORMATS.items()}
    res = lm.link(sources, columns=COLUMNS, region=REGION, list_date=LIST_DATE, snapshots=SNAPSHOTS,
                  header=header or None, progress=False, seed=link_seed)
    return res, probe, notes


def run_c(data_dir: str, keep: str | None = None, link_seed: int = 42) -> dict:
    """:func:`link_c`, timed and evaluated."""
    t0 = time.perf_counter()
    res, probe, notes = link_c(data_dir, link_seed)
    wall = time.perf_counter() - t0
    out = {"wall_s": round(wall, 1), "peak_mb": round(_peak_mb()), "records": len(res.records),
           "timings": res.timings, "probe": probe, "workarounds": notes}
    out.update(_evaluate(res, data_dir))
    if keep:
        res.records.to_parquet(Path(keep) / "pred_records.parquet")
        res.pairs.to_parquet(Path(keep) / "pred_pairs.parquet")
    return out


# ------------------------------------------------------------------------------------------ child runs


def _evaluate(res, data_dir: str) -> dict:
    import pandas as pd

    import linkmiskin as lm

    truth = pd.read_csv(Path(data_dir) / "truth.csv", dtype=str, keep_default_na=False)
    ev = lm.evaluate(res, truth)
    hn = ev.hard_negatives.set_index("kind")
    out = {"person_p": ev.person["pairwise_precision"], "person_r": ev.person["pairwise_recall"],
           "person_f1": ev.person["pairwise_f1"], "hard_negative_merge_rates": hn["merge_rate"].to_dict(),
           "hard_negative_pairs": hn["pairs"].astype(int).to_dict(),
           "by_source_pair": ev.by_source_pair.round(4).to_dict(orient="records")}
    if ev.household:
        out.update(household_p=ev.household["pairwise_precision"], household_r=ev.household["pairwise_recall"],
                   household_f1=ev.household["pairwise_f1"])
    return out


def run_a(data_dir: str, link_seed: int = 42) -> dict:
    import linkmiskin as lm

    t0 = time.perf_counter()
    files = {p.stem: str(p) for p in sorted(Path(data_dir).iterdir())
             if p.suffix in (".csv", ".xlsx") and p.stem != "truth"}
    res = lm.link(files, region="32.16", progress=False, seed=link_seed)
    wall = time.perf_counter() - t0
    out = {"wall_s": round(wall, 1), "peak_mb": round(_peak_mb()), "records": len(res.records),
           "timings": res.timings}
    out.update(_evaluate(res, data_dir))
    return out


def run_b(data_dir: str, keep: str | None = None, link_seed: int = 42) -> dict:
    from worlds.world_b import COLUMNS

    import linkmiskin as lm

    t0 = time.perf_counter()
    probe = probe_b(data_dir)
    sources, notes = b_sources(data_dir, probe)
    res = lm.link(sources, columns=COLUMNS, region="33.15", progress=False, seed=link_seed)
    wall = time.perf_counter() - t0
    out = {"wall_s": round(wall, 1), "peak_mb": round(_peak_mb()), "records": len(res.records),
           "timings": res.timings, "probe": probe, "workarounds": notes}
    out.update(_evaluate(res, data_dir))
    if keep:
        res.records.to_parquet(Path(keep) / "pred_records.parquet")
        res.pairs.to_parquet(Path(keep) / "pred_pairs.parquet")
    return out


def run_vanilla_b(data_dir: str) -> dict:
    """bench_link.run_vanilla on world B, after renaming columns to headings it auto-detects."""
    import pandas as pd
    from bench_link import run_vanilla
    from worlds.world_b import COLUMNS

    import linkmiskin as lm

    probe = probe_b(data_dir)
    sources, _ = b_sources(data_dir, probe)
    heading = {"record_id": "ID", "nik": "NIK", "name": "NAMA", "birth_date": "TGL_LAHIR", "desa": "DESA"}
    with tempfile.TemporaryDirectory() as tmp:
        for src, s in sources.items():
            raw = s if isinstance(s, pd.DataFrame) else lm.read_table(s, source=src)
            cols = {COLUMNS[src][f]: h for f, h in heading.items() if f in COLUMNS[src]}
            raw[list(cols)].rename(columns=cols).to_csv(Path(tmp) / f"{src}.csv", index=False)
        shutil.copy(Path(data_dir) / "truth.csv", Path(tmp) / "truth.csv")
        return run_vanilla(tmp)


def _child(kind: str, data_dir: str, keep: str | None = None, link_seed: int = 42) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--data", data_dir, "--link-seeds", str(link_seed)] + (
        ["--keep", keep] if keep else [])
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()
        return {"error": "\n".join(tail[-3:]) if tail else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------ main


def _fmt(x) -> str:
    return "  –   " if x is None else f"{x:.4f}"


def _table(rows: list[dict]) -> str:
    head = (f"{'world':<6} {'run':<15} {'records':>8} {'person P':>8} {'R':>7} {'F1':>7} {'hh P':>7} {'R':>7} "
            f"{'F1':>7} {'twins':>6} {'strang':>6} {'f/son':>6} {'wall s':>7} {'peak MB':>8}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['world']:<6} {r['run']:<15} FAILED: {r['error']}")
            continue
        hn = r.get("hard_negative_merge_rates", {})
        same = hn.get("same_name_same_dob")
        lines.append(
            f"{r['world']:<6} {r['run']:<15} {r['records']:>8,} {_fmt(r['person_p']):>8} {_fmt(r['person_r']):>7} "
            f"{_fmt(r['person_f1']):>7} {_fmt(r.get('household_p')):>7} {_fmt(r.get('household_r')):>7} "
            f"{_fmt(r.get('household_f1')):>7} {_fmt(hn.get('twin')):>6} {_fmt(same):>6} "
            f"{_fmt(hn.get('father_son')):>6} {r['wall_s']:>7.1f} {r['peak_mb']:>8,}")
    return "\n".join(lines)


def _seed_spread(rows: list[dict]) -> str:
    """Per world, the mean and range of person P / R / F1 over the training seeds of ``--link-seeds``."""
    import pandas as pd

    df = pd.DataFrame([r for r in rows if "error" not in r and r["run"].startswith("linkmiskin")])
    if df.empty:
        return ""
    lines = ["over the training seeds (mean [min, max]):"]
    for world, g in df.groupby("world", sort=False):
        parts = [f"{k[7:]} {g[k].mean():.4f} [{g[k].min():.4f}, {g[k].max():.4f}]"
                 for k in ("person_p", "person_r", "person_f1")]
        lines.append(f"  {world} ({len(g)} seeds): person " + ", ".join(parts))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--worlds", nargs="*", default=["a", "b"],
                    help="worlds to run, space- or comma-separated (a,c)")
    ap.add_argument("--no-vanilla", action="store_true", help="skip vanilla Splink on world B")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    ap.add_argument("--keep", help="keep world B's files and predictions in this directory")
    ap.add_argument("--stress", action="store_true", help="world A with the overrides of STRESS_RATES")
    ap.add_argument("--traits", action="store_true", help="world A's lists with the traits of TRAIT_STRESS")
    ap.add_argument("--link-seeds", default="42",
                    help="training seeds of lm.link (its random sample of pairs for the u probabilities), comma-"
                         "separated: one run per seed, then their mean and range (a change smaller than the range "
                         "is noise)")
    ap.add_argument("--child", choices=["a", "b", "c", "vanilla_b"])
    ap.add_argument("--data")
    args = ap.parse_args()
    if args.child:
        seed = int(args.link_seeds.split(",")[0])
        fn = {"a": lambda d: run_a(d, seed), "b": lambda d: run_b(d, args.keep, seed),
              "c": lambda d: run_c(d, args.keep, seed), "vanilla_b": run_vanilla_b}[args.child]
        print(json.dumps(fn(args.data), default=str))
        return

    worlds = [w for arg in args.worlds for w in arg.split(",") if w]
    link_seeds = [int(x) for x in args.link_seeds.split(",") if x]
    if not set(worlds) <= {"a", "b", "c"}:
        ap.error(f"unknown world in {args.worlds}; choose from a, b, c")
    rows: list[dict] = []
    for world in worlds:
        tmp_obj = None
        if world in ("b", "c") and args.keep:
            tmp = args.keep
            Path(tmp).mkdir(parents=True, exist_ok=True)
        else:
            tmp_obj = tempfile.TemporaryDirectory()
            tmp = tmp_obj.name
        t0 = time.perf_counter()
        if world == "a":
            from linkmiskin.synthetic import generator as synthetic

            data = synthetic.generate(households=args.households, seed=args.seed,
                                      rates=STRESS_RATES if args.stress else None)
            if args.traits:
                stress_traits(data, seed=args.seed)
        elif world == "c":
            from worlds import world_c

            data = world_c.generate(households=args.households, seed=args.seed)
        else:
            from worlds import world_b

            data = world_b.generate(households=args.households, seed=args.seed)
        n_rec = sum(len(s) for s in data.sources.values())
        data.write(tmp)
        print(f"\n=== world {world.upper()}: {args.households:,} households, {n_rec:,} records in "
              f"{len(data.sources)} lists (generated and written in {time.perf_counter() - t0:.0f}s)", flush=True)
        del data
        runs = [("linkmiskin" if s == 42 else f"linkmiskin s{s}", world, s) for s in link_seeds]
        runs += [("vanilla Splink", "vanilla_b", 42)] if world == "b" and not args.no_vanilla else []
        for name, kind, seed in runs:
            r = _child(kind, tmp, args.keep if kind in ("b", "c") else None, seed)
            tag = ("*" if args.stress else "") + ("+" if args.traits else "") if world == "a" else ""
            r.update(world=world.upper() + tag, run=name, households=args.households)
            rows.append(r)
            if "probe" in r:
                for src, msg in r["probe"].items():
                    if msg != "ok":
                        print(f"  lm.link cannot read {src} as given: {msg}")
                for n in r.get("workarounds", []):
                    print(f"  workaround: {n}")
            if "by_source_pair" in r:
                print(f"  {name} by source pair (person level):")
                for sp in r["by_source_pair"]:
                    print(f"    {sp['source_l']:>10} - {sp['source_r']:<10} P={sp['precision']:.4f} "
                          f"R={sp['recall']:.4f} F1={sp['f1']:.4f} true={int(sp['true_pairs']):,}")
            print(f"  {name}: " + ("FAILED " + r["error"] if "error" in r else
                                   f"person F1 {r['person_f1']:.4f}, wall {r['wall_s']}s"), flush=True)
        if tmp_obj is not None:
            tmp_obj.cleanup()
    print()
    print("twins / strang(ers with the same name and birth date) / f/son = merge rate of look-alike pairs of "
          "different people (world A has no same-name-same-date kind; its kinds are listed below)")
    print(_table(rows))
    if len(link_seeds) > 1:
        print(_seed_spread(rows))
    for r in rows:
        if "hard_negative_merge_rates" in r:
            print(f"{r['world']} {r['run']}: " + ", ".join(
                f"{k} {v:.3f} ({r.get('hard_negative_pairs', {}).get(k, '?')} pairs)"
                for k, v in r["hard_negative_merge_rates"].items()))
    slim = [{k: v for k, v in r.items() if k != "by_source_pair"} for r in rows]
    print(json.dumps(slim, default=str))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()
