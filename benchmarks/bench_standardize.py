"""Benchmark linkmiskin.standardise.records on 1,000,000 agency records: wall time and peak memory.

    .venv/bin/python benchmarks/bench_standardize.py [--records 1000000] [--region 32.16] [--seed 1]
                                                     [--cache DIR] [--profile]

The input is built from :func:`linkmiskin.synthetic.generator.generate` (about 290,000 households): the five agency
lists (DTKS, P3KE, BPJS-PBI, BLT-DD, posyandu) are renamed to one common set of headings and stacked, so
the frame mixes every list's date, address, NIK and sex formats, and its distinct-value ratio is that of a
real register (one distinct NIK per person, names and addresses repeating as they do in a kabupaten). The
frame is built in a child process and cached as Parquet, so the generator's memory does not count here.

Timed: ``linkmiskin.standardise.records(df, region="32.16")`` on the in-memory frame (object columns, as
``read_table`` or ``pd.read_excel`` would give). Peak memory is the process's maximum resident set size
(Linux ``ru_maxrss``), which includes Python, pandas, the input frame and the region tables; the tracemalloc
figure is the peak of Python-level allocations during the call. Target: <= 30 s and <= 2 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: agency heading -> common heading of the stacked benchmark frame
COMMON = {
    "ID_DTKS": "ID", "ID_P3KE": "ID", "NO_KARTU": "ID", "NO": "ID",
    "NIK": "NIK", "NO_KK": "NO_KK",
    "NAMA": "NAMA", "NAMA_LENGKAP": "NAMA", "NAMA_PESERTA": "NAMA", "NAMA_KPM": "NAMA", "NAMA_ANAK": "NAMA",
    "TGL_LAHIR": "TGL_LAHIR", "TANGGAL_LAHIR": "TGL_LAHIR",
    "JENIS_KELAMIN": "JK", "JK": "JK", "HUB_KELUARGA": "HUB_KELUARGA",
    "ALAMAT": "ALAMAT", "RT": "RT", "RW": "RW", "DESA_KELURAHAN": "DESA", "DESA": "DESA",
    "KECAMATAN": "KECAMATAN", "NAMA_IBU": "NAMA_IBU", "DESIL": "DESIL",
}
HEADINGS = ["ID", "NIK", "NO_KK", "NAMA", "TGL_LAHIR", "JK", "HUB_KELUARGA", "ALAMAT", "RT", "RW", "DESA",
            "KECAMATAN", "NAMA_IBU", "DESIL"]
RECORDS_PER_HOUSEHOLD = 3.41  # measured: generate(250_000) gives 852,652 records


def _peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:  # pragma: no cover - not Linux
        return float("nan")


def build(records: int, seed: int, region: str, path: Path) -> None:
    """Generate, stack and save the benchmark frame (run in a child process)."""
    import numpy as np
    import pandas as pd

    from linkmiskin.synthetic.generator import generate

    households = int(records / RECORDS_PER_HOUSEHOLD * 1.02) + 1
    data = generate(households=households, seed=seed, region=region)
    frames = []
    for name, df in data.sources.items():
        f = df.rename(columns=COMMON)
        f = f.loc[:, ~f.columns.duplicated()]
        f = f.reindex(columns=HEADINGS)
        # keep each list's own formats, but as text cells like read_table gives (a posyandu date cell
        # becomes "2021-11-30", a BLT-DD number cell "3216012509700000")
        for c in f.columns:
            col = f[c]
            if pd.api.types.is_datetime64_any_dtype(col):
                f[c] = col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(), None)
            elif col.dtype != object:
                f[c] = col.astype("string").astype(object).where(col.notna(), None)
            else:
                f[c] = [(f"{int(v)}" if isinstance(v, float) and v == v else (None if v != v else v))
                        for v in col]
        f["ID"] = name.upper() + "-" + f["ID"].astype(str)
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(seed)
    if len(out) >= records:
        out = out.iloc[np.sort(rng.choice(len(out), records, replace=False))]
    else:  # pragma: no cover - the household estimate is generous
        out = out.iloc[np.sort(rng.choice(len(out), records, replace=True))]
        out["ID"] = out["ID"] + "-" + np.arange(len(out)).astype(str)
    out = out.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # lists mixed, like a merged file
    out.to_parquet(path, index=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--region", default="32.16")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "linkmiskin_bench"),
                    help="folder for the cached input frame")
    ap.add_argument("--profile", action="store_true", help="run under cProfile and print the top functions")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="also report the tracemalloc peak (slows the run down)")
    ap.add_argument("--_build", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._build:
        build(args.records, args.seed, args.region, Path(args._build))
        return

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"standardize_{args.records}_{args.seed}_{args.region.replace('.', '')}.parquet"
    if not path.exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--records", str(args.records), "--seed", str(args.seed),
                        "--region", args.region, "--_build", str(path)], check=True)
        print(f"built input frame in {time.perf_counter() - t:.1f} s -> {path}")

    import pandas as pd

    import linkmiskin

    standardize = linkmiskin.standardise.records

    df = pd.read_parquet(path)
    df = df.astype(object).where(df.notna(), None)
    warm = standardize(df.head(2000), region=args.region)  # load data files and region tables
    del warm
    gc.collect()
    n = len(df)
    print(f"cpus: {os.cpu_count()}  records: {n:,}  distinct: NIK {df['NIK'].nunique():,}, "
          f"NAMA {df['NAMA'].nunique():,}, ALAMAT {df['ALAMAT'].nunique():,}, TGL_LAHIR {df['TGL_LAHIR'].nunique():,}")
    rss0 = _rss_mb()
    print(f"RSS before standardize (input frame loaded): {rss0:,.0f} MB")

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    out = standardize(df, region=args.region, source="bench")
    secs = time.perf_counter() - t0
    if prof is not None:
        prof.disable()
    traced = None
    if args.tracemalloc:
        import tracemalloc

        traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()

    assert len(out) == n and out["row_number"].iloc[-1] == n
    print(f"standardize: {n:,} records in {secs:.1f} s = {n / secs:,.0f} records/s")
    print(f"peak memory (max RSS of the process): {_peak_mb():,.0f} MB"
          + (f"; tracemalloc peak during the call: {traced:,.0f} MB" if traced is not None else ""))
    print("nik_status:", out["nik_status"].value_counts().head(4).to_dict())
    print("region_status:", out["region_status"].value_counts().head(4).to_dict())
    ok = secs <= 30 and _peak_mb() <= 2048
    print("target (<= 30 s, <= 2 GB):", "met" if ok else "NOT met")
    if prof is not None:
        import pstats

        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
