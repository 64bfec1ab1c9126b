"""Memory of each pipeline step: a thread samples this process's resident memory (``/proc/self/status``
VmRSS, every 20 ms) while named steps run, and reports per step the peak while it ran and what it left.

    from step_memory import StepMemory
    mem = StepMemory()
    mem.watch_pipeline()          # wraps linkmiskin's steps (standardise, train, predict, clusters, golden...)
    res = lm.link(...)
    print(mem.table())

Steps nest (``predict`` holds ``splink predict`` and ``tidy pairs``): a sample counts for every step running.
Used by ``bench_link.py`` (``--step-memory``); it is a measuring aid, not a timed test.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any


def _status_mb(field: str) -> float:
    """A ``/proc/self/status`` figure (VmRSS, VmHWM) in MB, 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class StepMemory:
    """Per named step: resident memory at its start, its peak while it ran and at its end (MB)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.steps: dict[str, dict[str, float]] = {}
        self._running: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            rss = _status_mb("VmRSS")
            with self._lock:
                for name in self._running:
                    s = self.steps[name]
                    s["peak"] = max(s["peak"], rss)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        """Replace ``owner.attr`` (a function or method) by one that records step ``name`` around each call."""
        fn = getattr(owner, attr)

        @functools.wraps(fn)
        def measured(*args: Any, **kwargs: Any) -> Any:
            start = _status_mb("VmRSS")
            with self._lock:
                s = self.steps.get(name)
                if s is None:   # a step called again keeps its first start and depth
                    s = self.steps[name] = {"start": start, "peak": start, "end": start, "seconds": 0.0,
                                            "depth": len(self._running), "calls": 0, "kept": 0.0}
                self._running.append(name)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                rss = _status_mb("VmRSS")
                with self._lock:
                    self._running.remove(name)
                    s["peak"] = max(s["peak"], rss)
                    s["end"] = rss
                    s["seconds"] += time.perf_counter() - t0
                    s["calls"] += 1
                    s["kept"] += rss - start

        setattr(owner, attr, measured)

    def watch_pipeline(self) -> None:
        """Wrap the steps of ``linkmiskin.link`` (names as printed)."""
        import linkmiskin as lm
        from linkmiskin import linkage
        from linkmiskin.clustering import golden, updates
        from linkmiskin.report import diagnostics

        L = linkage.Linker
        for owner, attr, name in [
            (L, "set_sources", "set_sources"), (linkage, "_standardize_sources", "read+standardise"),
            (linkage, "model_table", "model table"), (linkage, "canonical_order", "canonical order"),
            (L, "_connect", "duckdb load"), (L, "train", "train"), (L, "predict", "predict"),
            (L, "_scored", "splink predict"), (L, "_tidy_pairs", "tidy pairs"), (L, "cluster", "cluster"),
            (L, "_cannot_link_off", "cannot-link check"), (linkage, "person_clusters", "person clusters"),
            (linkage, "household_clusters", "household clusters"),
            (linkage, "_assemble_records", "assemble records"),
            (linkage, "_households_table", "households table"), (diagnostics, "diagnose", "diagnose"),
            (L, "_row_hash_table", "row hash table"), (linkage.LinkResult, "__post_init__", "golden"),
            (golden, "persons_table", "golden persons"), (golden, "households_table", "golden households"),
            (updates, "new_registry", "id registry"), (lm, "link", "link (all)"),
            (lm, "evaluate", "evaluate"),
        ]:
            self.wrap(owner, attr, name)
        # inside the golden persons (where the peak is at 200,000 households): its named steps
        for attr, name in [("_record_context", "record context"), ("_field_inputs", "field inputs"),
                           ("_word_consensus", "word consensus"), ("_word_commonness", "word commonness"),
                           ("choose", "choose (all fields)"), ("_choose_fields", "choose fields"),
                           ("_choose_in_desa", "choose in desa"), ("_household_address", "household address"),
                           ("_take_newer_household_address", "newer household address"),
                           ("_region_lookup", "region lookup"), ("_own_kecamatan", "own kecamatan"),
                           ("_source_sets", "source sets"), ("_distinct_count", "conflicts: distinct counts"),
                           ("_sequence_codes", "conflicts: name codes"),
                           ("_conflict_text", "conflict text")]:
            if hasattr(golden, attr):   # steps renamed since are left out, not an error
                self.wrap(golden, attr, name)

    def table(self) -> str:
        """The steps in the order they started: seconds, RSS at the start of the first call, the peak over
        the calls, at the end of the last call, what the calls kept (sum of end - start of each call, MB), and
        the process's high-water mark. A step called more than once shows its number of calls."""
        rows = [f"{'step':<34}{'s':>7}{'start MB':>10}{'peak MB':>10}{'end MB':>10}{'kept MB':>9}"]
        for name, s in self.steps.items():
            label = "  " * int(s["depth"]) + name + (f" (x{s['calls']})" if s.get("calls", 1) > 1 else "")
            rows.append(f"{label:<34}{s['seconds']:>7.1f}{s['start']:>10,.0f}"
                        f"{s['peak']:>10,.0f}{s['end']:>10,.0f}{s.get('kept', 0.0):>+9,.0f}")
        rows.append(f"process high-water mark (VmHWM) {_status_mb('VmHWM'):,.0f} MB")
        return "\n".join(rows)

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {k: {f: round(v, 1) for f, v in s.items()} for k, s in self.steps.items()}
