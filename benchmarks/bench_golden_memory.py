"""Memory of the golden persons table alone (issue #11): resident memory that
:func:`linkmiskin.clustering.golden.persons_table` adds while it runs (peak) and keeps after it returns.

Generates ``--households`` households once, links them, then measures one call of ``persons_table`` on the
linked records (a thread samples VmRSS every 10 ms; ``--trace`` adds tracemalloc's peak and held Python
memory, slower). ``kept after malloc_trim`` is what is left once glibc returns its free pages: the rest of
``kept`` is freed memory the allocator holds for reuse, not live data.

    python benchmarks/bench_golden_memory.py --households 50000
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import sys
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from step_memory import _status_mb  # noqa: E402


def measure(records, snapshots, trace: bool = False) -> dict:
    """RSS growth (MB) of one ``persons_table`` call: peak, kept, kept after ``malloc_trim`` (glibc only)."""
    from linkmiskin.clustering import golden

    gc.collect()
    peak, stop = [0.0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.01):
            peak[0] = max(peak[0], _status_mb("VmRSS"))

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    start = _status_mb("VmRSS")
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    persons = golden.persons_table(records, snapshots=snapshots)
    seconds = time.perf_counter() - t0
    traced = tracemalloc.get_traced_memory() if trace else None
    if trace:
        tracemalloc.stop()
    end = _status_mb("VmRSS")
    stop.set()
    th.join()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        trimmed = _status_mb("VmRSS") - start
    except OSError:
        trimmed = float("nan")
    out = {"records": len(records), "persons": len(persons), "seconds": round(seconds, 1),
           "start_mb": round(start), "peak_added_mb": round(max(peak[0], end) - start),
           "kept_mb": round(end - start), "kept_after_malloc_trim_mb": round(trimmed)}
    if traced:
        out.update(traced_peak_mb=round(traced[1] / 2 ** 20), traced_held_mb=round(traced[0] / 2 ** 20))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--households", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trace", action="store_true", help="also tracemalloc's peak and held memory (slower)")
    args = ap.parse_args()

    import linkmiskin as lm
    from linkmiskin.synthetic import generate

    data = generate(households=args.households, seed=args.seed)
    res = lm.link(data.sources, region=data.region, progress=False)
    records, snapshots = res.records, res.snapshots
    del res, data
    for k, v in measure(records, snapshots, args.trace).items():
        print(f"{k:<28}{v:>10}")


if __name__ == "__main__":
    main()
