"""Linking keyed pseudonyms instead of NIK/KK: how much accuracy does it cost?

Generates a set of agency lists, links them once as they are and once with every NIK and KK column replaced
by :func:`linkmiskin.pseudonymise` (one key for all lists), and prints the person F1 of both and where
the two person partitions differ. A token cannot be one digit off, so the pairs that only the raw run links
are expected where the raw lists relied on a mistyped or Excel-damaged NIK.

    .venv/bin/python benchmarks/bench_pseudonym.py [households] [seed]
"""

from __future__ import annotations

import sys
import time
import warnings

import pandas as pd

import linkmiskin as lm


def _pairs(records: pd.DataFrame) -> set[tuple[str, str]]:
    key = (records["source"] + ":" + records["record_id"]).to_numpy()
    out: set[tuple[str, str]] = set()
    for _, idx in records.groupby("person_id").indices.items():
        ks = sorted(key[idx])
        out.update((a, b) for i, a in enumerate(ks) for b in ks[i + 1:])
    return out


def main(households: int = 2000, seed: int = 11) -> dict[str, float]:
    data = lm.synthetic.generate(households=households, seed=seed)
    key = b"benchmark key, never a real one!"
    t0 = time.perf_counter()
    raw = lm.link(data.sources, region="32.16", progress=False)
    t_raw = time.perf_counter() - t0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lists without a NIK column are returned unchanged, with a warning
        shared = {name: lm.pseudonymise(df, key=key) for name, df in data.sources.items()}
    t0 = time.perf_counter()
    psn = lm.link(shared, region="32.16", progress=False)
    t_psn = time.perf_counter() - t0
    e_raw = lm.evaluate(raw, data.truth).person
    e_psn = lm.evaluate(psn, data.truth).person

    # where the partitions differ, and whether the raw lists' NIKs were identical there
    pr, pp = _pairs(raw.records), _pairs(psn.records)
    niks = raw.records["nik"].astype(object)
    nik = dict(zip(raw.records["source"] + ":" + raw.records["record_id"], niks.where(niks.notna(), None)))
    only_raw = pr - pp
    same_nik = sum(1 for a, b in only_raw if isinstance(nik.get(a), str) and nik.get(a) == nik.get(b))
    recs = sum(len(s) for s in data.sources.values())
    print(f"{households} households, {recs} records, seed {seed}")
    print(f"  raw lists:          person F1 {e_raw['pairwise_f1']:.4f} (precision {e_raw['pairwise_precision']:.4f},"
          f" recall {e_raw['pairwise_recall']:.4f}), threshold {raw.threshold:.3f}, {t_raw:.0f} s")
    print(f"  pseudonymised:      person F1 {e_psn['pairwise_f1']:.4f} (precision {e_psn['pairwise_precision']:.4f},"
          f" recall {e_psn['pairwise_recall']:.4f}), threshold {psn.threshold:.3f}, {t_psn:.0f} s")
    print(f"  F1 difference:      {e_psn['pairwise_f1'] - e_raw['pairwise_f1']:+.4f}")
    print(f"  linked pairs:       {len(pr)} raw, {len(pp)} pseudonymised, {len(pr & pp)} in both")
    print(f"  only in raw:        {len(only_raw)} ({same_nik} of them with identical clean NIKs)")
    print(f"  only pseudonymised: {len(pp - pr)}")
    print(f"  pseudonymised sources: {psn.metadata.get('pseudonymised_sources')}")
    return {"f1_raw": e_raw["pairwise_f1"], "f1_psn": e_psn["pairwise_f1"],
            "only_raw": float(len(only_raw)), "only_psn": float(len(pp - pr)),
            "only_raw_same_nik": float(same_nik)}


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
