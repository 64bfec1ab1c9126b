"""Rewrite the generated tables in ``docs/*.md`` from the registries in the code: the one generator of
tables in the docs (cannot-link rules, comparison levels, household-context, golden-record and update rules).

    python docs/build_tables.py            # rewrite the generated tables
    python docs/build_tables.py --check    # exit 1 if a table is out of date (tests/test_docs.py)

A generated table sits between ``<!-- generated: NAME -->`` and ``<!-- /generated -->`` in a page; NAME is
a key of :data:`TABLES`. The text between the markers is replaced, so it cannot drift from the code.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w.]+) -->\n)(?P<body>.*?)(<!-- /generated -->)", re.S)


def _markdown(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        cells = [f"`{v}`" if i == 0 else str(v).replace("|", "\\|") for i, v in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cannot_link_rules() -> str:
    from linkmiskin.clustering.cannot_link import rules_table

    return _markdown(rules_table())


def _cannot_link_references() -> str:
    from linkmiskin.clustering.cannot_link import references_table

    return _markdown(references_table())


def _comparison_levels() -> str:
    """Every level of every comparison: its stable key, its label and what it means."""
    from linkmiskin.scoring.levels import level_table

    t = level_table()
    t["key"] = t["comparison"] + "." + t["key"].astype(str)
    return _markdown(t[["key", "label", "meaning"]])


def _household_context_rules() -> str:
    from linkmiskin.clustering.household_context import rules_markdown

    return rules_markdown() + "\n"


def _golden_rules() -> str:
    from linkmiskin.clustering.golden import rules_markdown

    return rules_markdown() + "\n"


def _household_rules() -> str:
    from linkmiskin.clustering.households import rules_markdown

    return rules_markdown() + "\n"


def _update_rules() -> str:
    from linkmiskin.clustering.updates import rules_markdown

    return rules_markdown() + "\n"


#: the pipeline's packages in the order a record passes through them
PIPELINE = ["standardise", "scoring", "clustering", "review", "report", "synthetic"]


def _first_line(path: Path) -> str:
    import ast

    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return (doc.strip().splitlines() or [""])[0].replace("|", "\\|")


def _layout() -> str:
    """The package tree, one row per pipeline step and module, from their docstrings (README's Layout)."""
    root = HERE.parent / "src" / "linkmiskin"
    rows = []
    for step in PIPELINE:
        rows.append((f"src/linkmiskin/{step}/", "**" + _first_line(root / step / "__init__.py") + "**"))
        rows += [(f"src/linkmiskin/{step}/{p.name}", _first_line(p))
                 for p in sorted((root / step).glob("*.py")) if p.name != "__init__.py"]
    rows += [(f"src/linkmiskin/{p.name}", _first_line(p)) for p in sorted(root.glob("*.py"))
             if p.name != "__init__.py"]
    rows.append(("src/linkmiskin/data/", "Indonesian knowledge as readable CSV files"))
    return _markdown(pd.DataFrame(rows, columns=["path", "what"]))


#: generated table name -> function giving its Markdown
TABLES: dict[str, Callable[[], str]] = {
    "cannot_link_rules": _cannot_link_rules,
    "cannot_link_references": _cannot_link_references,
    "comparison_levels": _comparison_levels,
    "household_context_rules": _household_context_rules,
    "golden_rules": _golden_rules,
    "household_rules": _household_rules,
    "update_rules": _update_rules,
    "layout": _layout,
}


def build(text: str) -> str:
    """``text`` with every generated table rebuilt."""
    def repl(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in TABLES:
            raise KeyError(f"unknown generated table {name!r}; known: {sorted(TABLES)}")
        return m.group(1) + TABLES[name]() + m.group(4)

    return _BLOCK.sub(repl, text)


def pages() -> list[Path]:
    pages = [*HERE.glob("*.md"), HERE.parent / "README.md"]
    return sorted(p for p in pages if "<!-- generated:" in p.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    stale = []
    for p in pages():
        old = p.read_text(encoding="utf-8")
        new = build(old)
        if new != old:
            stale.append(p.name)
            if not args.check:
                p.write_text(new, encoding="utf-8")
    if args.check and stale:
        print("out of date: " + ", ".join(stale) + "; run `python docs/build_tables.py`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
