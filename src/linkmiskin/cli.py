"""Command line: ``linkmiskin <command> ...`` (also ``python -m linkmiskin.cli``).

Commands
--------
``generate``  write a synthetic set of agency files (CSV and Excel) plus ``truth.csv``::

    linkmiskin generate --households 2000 --seed 1 --region 32.16 --out demo/

``link``  link agency files (source names from the file names) and write the result folder::

    linkmiskin link --region 32.16 --out hasil_2025_01/ dtks.xlsx p3ke.csv bpjs_pbi.csv
    linkmiskin link --region 32.16 --columns mapping.json --out hasil/ dtks.xlsx p3ke.csv

  and, a month later, an update that keeps the ids of ``hasil_2025_01/`` (its model is reused)::

    linkmiskin link --previous hasil_2025_01/ --out hasil_2025_02/ dtks.xlsx p3ke.csv bpjs_pbi.csv

  ``mapping.json`` is ``{"p3ke": {"name": "NAMA_KRT"}}`` (per source, canonical field -> column).
  The folder gets records, persons, households, pairs, the model, the id registry, one crosswalk per
  source (``crosswalk/``) in its own format, and ``verifikasi_desa.xlsx`` (one sheet per desa, NIK masked).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence


def _cmd_generate(args: argparse.Namespace) -> int:
    from linkmiskin.synthetic.generator import generate

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    t0 = time.perf_counter()
    data = generate(households=args.households, seed=args.seed, region=args.region)
    t1 = time.perf_counter()
    written = data.write(args.out, formats=formats, include_population=args.population)
    t2 = time.perf_counter()
    print(f"generated {args.households:,} households in {data.region} (seed {args.seed}) in {t1 - t0:.1f} s; "
          f"{len(data.population):,} persons")
    for name, path in written.items():
        rows = len(data.sources[name]) if name in data.sources else (
            len(data.truth) if name == "truth" else len(data.population))
        print(f"  {name:<10} {rows:>9,} rows  {path}")
    print(f"written in {t2 - t1:.1f} s")
    return 0


def _sources_from_files(files: list[str]) -> dict[str, str]:
    from pathlib import Path

    sources: dict[str, str] = {}
    for f in files:
        name = Path(f).stem.lower().replace(" ", "_").replace("'", "")
        if name in sources:
            raise ValueError(f"two files give the source name {name!r} ({sources[name]} and {f}); rename one")
        sources[name] = f
    return sources


def _cmd_link(args: argparse.Namespace) -> int:
    import json
    import logging
    from pathlib import Path

    import linkmiskin as lm
    from linkmiskin.clustering.updates import change_summary

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.region is None and args.previous is None:
        raise ValueError("--region is required (e.g. --region 32.16) unless --previous gives it")
    sources = _sources_from_files(args.files)
    columns = None
    if args.columns:
        p = Path(args.columns)
        if not p.exists():
            raise ValueError(f"--columns file not found: {p}")
        try:
            columns = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(f"--columns {p} is not valid JSON: {e}") from None
        if not isinstance(columns, dict) or not all(isinstance(v, dict) for v in columns.values()):
            raise ValueError('--columns must hold {"source": {"field": "COLUMN"}}')
    snapshots = None
    if args.snapshot:
        snapshots = {}
        for item in args.snapshot:
            name, _, date = item.partition("=")
            if not date:
                raise ValueError(f"--snapshot {item!r}: write SOURCE=YYYY-MM-DD")
            snapshots[name] = date
    print(f"linking {len(sources)} lists: " + ", ".join(f"{k} ({v})" for k, v in sources.items()))
    t0 = time.perf_counter()
    result = lm.link(sources, columns=columns, region=args.region, threshold=args.threshold,
                     progress=not args.quiet, previous=args.previous, retrain=args.retrain, snapshots=snapshots)
    print(f"linked in {time.perf_counter() - t0:.1f}s: {result.records.shape[0]:,} records, "
          f"{len(result.persons):,} persons, {len(result.households):,} households")
    print(result.summary().to_string())
    out = result.save(args.out)
    book = result.to_excel(out / "verifikasi_desa.xlsx", mask_ids=True)
    print(f"written to {out}/ (records, persons, households, crosswalk/, {book.name})")
    if result.changes is not None and args.previous:
        from linkmiskin.clustering.updates import as_previous
        summ = change_summary(result.changes, result.records, as_previous(args.previous).records)
        print("ids compared with the previous result:")
        print(summ.to_string())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linkmiskin", description="Link Indonesian social-assistance lists.")
    sub = parser.add_subparsers(dest="command", metavar="command")
    sub.required = True

    g = sub.add_parser("generate", help="write a synthetic set of agency files and the truth",
                       description="Generate synthetic agency lists (DTKS, P3KE, BPJS-PBI, BLT-DD, posyandu) "
                                   "with realistic damage, as the files an agency would hand over.")
    g.add_argument("--households", type=int, default=2000, help="number of households (default 2000)")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--region", default="32.16", help="kabupaten/kota code (default 32.16, Kabupaten Bekasi)")
    g.add_argument("--out", required=True, help="output directory")
    g.add_argument("--formats", default="csv,xlsx",
                   help="allowed file formats, comma separated (default csv,xlsx: each list in its agency's format)")
    g.add_argument("--population", action="store_true", help="also write population.csv (the true persons)")
    g.set_defaults(func=_cmd_generate)

    k = sub.add_parser("link", help="link agency files into persons and households",
                       description="Link agency lists (CSV, Excel, Parquet) into persons and households and write "
                                   "the result folder. Source names come from the file names.")
    k.add_argument("files", nargs="+", help="agency files; the file name (without extension) names the source")
    k.add_argument("--out", required=True, help="output folder")
    k.add_argument("--region", default=None,
                   help="kabupaten/kota code, e.g. 32.16 (required unless --previous gives it)")
    k.add_argument("--columns", default=None, help='JSON file {"source": {"field": "COLUMN"}} for columns '
                                                   "auto-detection should not guess")
    k.add_argument("--previous", default=None, help="folder of an earlier result: keep its ids, reuse its model")
    k.add_argument("--retrain", action="store_true", help="with --previous: train a new model anyway")
    k.add_argument("--threshold", type=float, default=None, help="person match threshold (default: the model's)")
    k.add_argument("--snapshot", action="append", default=[], metavar="SOURCE=DATE",
                   help="snapshot date of a list, for the golden records (repeatable)")
    k.add_argument("--quiet", action="store_true", help="no progress bar")
    k.set_defaults(func=_cmd_link)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, OSError) as exc:
        print(f"linkmiskin {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
