"""Command line: ``linkmiskin <command> ...`` (also ``python -m linkmiskin.cli``).

Commands
--------
``generate``  write a synthetic set of agency files (CSV and Excel) plus ``truth.csv``::

    linkmiskin generate --households 2000 --seed 1 --region 32.16 --out demo/
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence


def _cmd_generate(args: argparse.Namespace) -> int:
    from linkmiskin.synthetic import generate

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
