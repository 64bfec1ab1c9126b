"""Build ``docs/api.md`` from the docstrings of linkmiskin's public API.

    python docs/build_api.py            # rewrite docs/api.md
    python docs/build_api.py --check    # exit 1 if docs/api.md is out of date (used by tests/test_docs.py)

The docstrings are the source of truth. They are written in reStructuredText/numpydoc style; this script
turns the common constructs into Markdown (section underlines, ``::`` literal blocks, ``>>>`` examples,
simple tables, definition lists, Sphinx roles) and leaves everything else as it is. The output depends only
on the code, so the same code always gives the same file.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import inspect
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: Names importable from ``linkmiskin`` itself (shown without a module prefix).
TOP_LEVEL = ("link", "Linker", "LinkResult", "read_table", "detect_columns", "standardize", "evaluate",
             "Evaluation", "mask_id", "pseudonymise")
API_MD = HERE / "api.md"

#: (section title, module, names: a list, None for the module's ``__all__`` or "comparison-creators" for its
#: Splink ComparisonCreator classes, show the module docstring)
SECTIONS: list[tuple[str, str, list[str] | str | None, bool]] = [
    ("Linking: `link`, `Linker`, `LinkResult`", "linkmiskin.linkage",
     ["link", "Linker", "LinkResult", "LinkError", "choose_threshold", "duckdb_memory_limit"], True),
    ("Reading files and detecting columns", "linkmiskin.standardise.read", ["read_table", "SourceError"], True),
    ("Column auto-detection", "linkmiskin.standardise.columns",
     ["detect_columns", "ColumnMapping", "ColumnMappingError", "heading_role"], True),
    ("Standardising one source", "linkmiskin.standardise.records", ["standardize"], True),
    ("Evaluation against a known truth", "linkmiskin.review.evaluation", None, True),
    ("Names: `linkmiskin.standardise.names`", "linkmiskin.standardise.names", None, True),
    ("NIK and KK: `linkmiskin.standardise.nik`", "linkmiskin.standardise.nik", None, True),
    ("Dates: `linkmiskin.standardise.dates`", "linkmiskin.standardise.dates", None, True),
    ("Ages: `linkmiskin.standardise.ages`", "linkmiskin.standardise.ages", ["parse_age"], True),
    ("Addresses: `linkmiskin.standardise.address`", "linkmiskin.standardise.address", None, True),
    ("Regions: `linkmiskin.standardise.regions`", "linkmiskin.standardise.regions", None, True),
    ("Synthetic data: `linkmiskin.synthetic`", "linkmiskin.synthetic", None, True),
    ("Golden records: `linkmiskin.clustering.golden`", "linkmiskin.clustering.golden",
     ["persons_table", "households_table", "rules_table", "golden_accuracy"], True),
    ("Stable ids across updates: `linkmiskin.clustering.updates`", "linkmiskin.clustering.updates",
     ["carry_over", "load_previous", "UpdateError"], True),
    ("Exports: `linkmiskin.report.exports`", "linkmiskin.report.exports", ["crosswalk", "to_excel"], True),
    ("Threshold calibration: `linkmiskin.review.calibration`", "linkmiskin.review.calibration", None, True),
    ("Charts: `linkmiskin.report.charts`", "linkmiskin.report.charts", None, True),
    ("Self-diagnosis: `linkmiskin.report.diagnostics`", "linkmiskin.report.diagnostics", None, True),
    ("Explaining one pair: `linkmiskin.scoring.explain`", "linkmiskin.scoring.explain", ["Explanation", "explain"], True),
    ("Cannot-link rules: `linkmiskin.clustering.cannot_link`", "linkmiskin.clustering.cannot_link",
     ["rules_table", "cannot_link", "CannotLinkRule", "PairEvidence"], True),
    ("Splink comparisons: `linkmiskin.scoring.comparisons`", "linkmiskin.scoring.comparisons", "comparison-creators", True),
    ("Comparison levels by stable key: `linkmiskin.scoring.levels`", "linkmiskin.scoring.levels", None, True),
    ("Shared facts: `linkmiskin.facts`", "linkmiskin.facts", None, True),
    ("Privacy: `linkmiskin.privacy`", "linkmiskin.privacy",
     ["mask_id", "mask_series", "mask_text", "MaskedError", "MaskingFilter"], True),
    ("Keyed pseudonyms: `linkmiskin.pseudonym`", "linkmiskin.pseudonym", ["pseudonymise", "is_token"], True),
    ("Formula-safe spreadsheet cells: `linkmiskin.safe_cells`", "linkmiskin.safe_cells",
     ["csv_text", "safe_frame_for_csv", "write_csv", "write_xlsx"], True),
    ("Model files: `linkmiskin.scoring.model_file`", "linkmiskin.scoring.model_file",
     ["read_model_file", "checked_model", "check_threshold"], True),
    ("HTML report: `linkmiskin.report.html`", "linkmiskin.report.html", ["write_report", "programme_reach", "bar_chart_svg"],
     True),
]


# ============================================================================ reStructuredText -> Markdown

_ROLE = re.compile(r":(?:py:)?(?:func|meth|class|mod|data|attr|exc|obj|const|ref):`(~?)([^`<]+?)(?:\s*<[^>]+>)?`")
_UNDERLINE = re.compile(r"^\s*([-=~^\"'`#*+])\1{2,}\s*$")
_TABLE_BORDER = re.compile(r"^\s*=+( +=+)+\s*$")
_BULLET = re.compile(r"^(\s*)([*+-]|\d+[.)])\s+\S")
_GOOGLE_ITEM = re.compile(r"^(\*{0,2}[A-Za-z_][\w.]*)(\s*\([^)]*\))?:\s+(.*)$")
_GOOGLE_SECTIONS = {"Args:", "Arguments:", "Keyword Args:", "Keyword Arguments:", "Attributes:", "Raises:"}


def _roles(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        target = m.group(2).strip()
        if m.group(1):
            target = target.split(".")[-1]
        return f"``{target}``"

    return _ROLE.sub(repl, text)


def _escape_outside_code(line: str) -> str:
    """Escape what Markdown would otherwise eat (``<tag>``, runs of ``*``) outside code spans."""
    parts = re.split(r"(`+[^`]*?`+)", line)
    for i in range(0, len(parts), 2):
        p = parts[i]
        p = p.replace("<", "&lt;")
        p = re.sub(r"\*{3,}", lambda m: "\\*" * len(m.group(0)), p)
        p = re.sub(r"(?<=\w)\*\*(?=\w)", r"\\*\\*", p)
        parts[i] = p
    return "".join(parts)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dedent(lines: list[str]) -> list[str]:
    return textwrap.dedent("\n".join(lines)).split("\n")


def _is_python(block: list[str]) -> bool:
    src = "\n".join(block)
    if not src.strip() or src.lstrip().startswith(("$", "python -m", "make ")):
        return False
    try:
        ast.parse(src)
    except SyntaxError:
        return False
    return True


def _fence(block: list[str], lang: str = "") -> list[str]:
    while block and not block[-1].strip():
        block = block[:-1]
    while block and not block[0].strip():
        block = block[1:]
    return ["", f"```{lang}", *_dedent(block), "```", ""]


def _is_title(lines: list[str], i: int) -> bool:
    """``lines[i]`` is a section title underlined by ``lines[i + 1]``."""
    if i + 1 >= len(lines) or _indent(lines[i]) > 0 or not lines[i].strip():
        return False
    under = lines[i + 1]
    return bool(_UNDERLINE.match(under)) and not _TABLE_BORDER.match(under) and not _UNDERLINE.match(lines[i]) \
        and len(under.strip()) >= len(lines[i].strip()) - 2


def _term(text: str) -> str:
    t = text.strip()
    if t.endswith(":") and not t.endswith("::"):
        t = t[:-1].rstrip()
    m = re.fullmatch(r"([A-Za-z_*][\w*]*(?:\s*,\s*[A-Za-z_*][\w*]*)*)(?:\s*:\s*(.+))?", t)
    if m:  # numpydoc "name : type" or "a, b"
        names = ", ".join(f"`{n.strip()}`" for n in m.group(1).split(","))
        return names + (f" ({_escape_outside_code(m.group(2))})" if m.group(2) else "")
    return _escape_outside_code(t)


def _convert(lines: list[str]) -> list[str]:
    """Convert a block of reST lines (already dedented) to Markdown lines."""
    out: list[str] = []
    n = len(lines)
    i = 0
    literal_next = False
    while i < n:
        line = lines[i]
        if not line.strip():
            out.append("")
            i += 1
            continue
        ind = _indent(line)
        # section title (underlined)
        if _is_title(lines, i):
            out += ["", f"**{_escape_outside_code(line.strip())}**", ""]
            i += 2
            literal_next = False
            continue
        # simple table
        if _TABLE_BORDER.match(line):
            block, borders = [], 0
            while i < n:
                block.append(lines[i])
                if _TABLE_BORDER.match(lines[i]):
                    borders += 1
                i += 1
                if borders >= 2 and _TABLE_BORDER.match(block[-1]) and (i >= n or not lines[i].strip()):
                    break
            out += _fence(block)
            continue
        # doctest
        if line.lstrip().startswith(">>>"):
            block = []
            while i < n and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += _fence(block, "python")
            continue
        # indented block: literal after "::", else converted as plain text
        if ind > 0:
            block = []
            while i < n and (not lines[i].strip() or _indent(lines[i]) > 0):
                block.append(lines[i])
                i += 1
            if literal_next:
                dd = _dedent(block)
                out += _fence(block, "python" if _is_python(dd) else "")
            else:
                out += _convert(_dedent(block))
            literal_next = False
            continue
        # a bullet and its continuation lines
        if _BULLET.match(line):
            out.append(_escape_outside_code(line))
            i += 1
            while i < n and lines[i].strip() and _indent(lines[i]) > 0:
                out.append(_escape_outside_code(lines[i]))
                i += 1
            continue
        # Google-style "Args:" section
        if line.strip() in _GOOGLE_SECTIONS and i + 1 < n and _indent(lines[i + 1]) > 0:
            out += ["", f"**{line.strip()[:-1]}**", ""]
            i += 1
            block = []
            while i < n and (not lines[i].strip() or _indent(lines[i]) > 0):
                block.append(lines[i])
                i += 1
            items: list[list[str]] = []
            for b in _dedent(block):
                m = _GOOGLE_ITEM.match(b)
                if m and _indent(b) == 0:
                    items.append([f"- `{m.group(1)}`{(' ' + m.group(2).strip()) if m.group(2) else ''}: "
                                  f"{_escape_outside_code(m.group(3))}"])
                elif b.strip() and items:
                    items[-1].append("  " + _escape_outside_code(b.strip()))
            for it in items:
                out += it
            out.append("")
            continue
        # definition list item: a line followed directly by indented lines
        if i + 1 < n and lines[i + 1].strip() and _indent(lines[i + 1]) > 0 and not line.rstrip().endswith("::"):
            term = line
            i += 1
            block = []
            while i < n and (not lines[i].strip() or _indent(lines[i]) > 0):
                block.append(lines[i])
                i += 1
            body = _convert(_dedent(block))
            while body and not body[0].strip():
                body = body[1:]
            while body and not body[-1].strip():
                body = body[:-1]
            simple = body and all(b.strip() and not b.startswith(("```", "- ", "* ", "**")) for b in body)
            if simple:
                out.append(f"- {_term(term)}: {body[0].strip()}")
                out += ["  " + b for b in body[1:]]
            else:
                out.append(f"- {_term(term)}")
                if body:
                    out.append("")
                    out += [("  " + b) if b.strip() else "" for b in body]
            out.append("")
            continue
        # paragraph
        para = []
        while i < n and lines[i].strip() and _indent(lines[i]) == 0 and not lines[i].lstrip().startswith(">>>") \
                and not _TABLE_BORDER.match(lines[i]) and not _BULLET.match(lines[i]) and not _is_title(lines, i):
            if para and i + 1 < n and lines[i + 1].strip() and _indent(lines[i + 1]) > 0:
                break  # this line starts a definition
            para.append(lines[i])
            i += 1
        if not para:
            continue
        literal_next = para[-1].rstrip().endswith("::")
        if literal_next:
            last = para[-1].rstrip()[:-2].rstrip()
            para[-1] = (last + ":") if last else ""
        out += [_escape_outside_code(p) for p in para if p != ""]
    return out


def rst_to_md(doc: str | None) -> str:
    if not doc:
        return ""
    lines = _roles(inspect.cleandoc(doc)).split("\n")
    md = _convert(lines)
    text = "\n".join(md)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text


# ================================================================================ API extraction


class _Raw:
    """An annotation shown as written (``from __future__ import annotations`` keeps them as strings)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _raw(annotation: Any) -> Any:
    return _Raw(annotation) if isinstance(annotation, str) else annotation


def _signature(name: str, obj: Any, *, skip_self: bool = False, is_class: bool = False) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    params = [p.replace(annotation=_raw(p.annotation)) for p in sig.parameters.values()
              if not p.name.startswith("_")]
    if skip_self and params and params[0].name in ("self", "cls"):
        params = params[1:]
    ret = inspect.Signature.empty if is_class else _raw(sig.return_annotation)
    sig = sig.replace(parameters=params, return_annotation=ret)
    text = f"{name}{sig}"
    text = re.sub(r" at 0x[0-9a-f]+", "", text)
    if len(text) <= 100:
        return text
    ret = "" if sig.return_annotation is inspect.Signature.empty else f" -> {sig.return_annotation!r}"
    body = []
    star_done = False
    for p in params:
        if p.kind is inspect.Parameter.KEYWORD_ONLY and not star_done and not any(
                q.kind is inspect.Parameter.VAR_POSITIONAL for q in params):
            body.append("    *,")
            star_done = True
        body.append(f"    {re.sub(r' at 0x[0-9a-f]+', '', str(p))},")
    return f"{name}(\n" + "\n".join(body) + f"\n){ret}"


def _anchor(text: str) -> str:
    a = text.strip().lower()
    a = re.sub(r"[^\w\- ]", "", a)
    return a.replace(" ", "-")


def _public_methods(cls: type) -> list[tuple[str, Any]]:
    out = []
    for name, member in cls.__dict__.items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            func = member.__func__
        elif isinstance(member, property):
            func = member
        elif inspect.isfunction(member):
            func = member
        else:
            continue
        if not (getattr(func, "__doc__", None) or "").strip():
            continue
        out.append((name, member))
    return out


def _value_repr(v: Any) -> str:
    if isinstance(v, (set, frozenset)):
        r = "{" + ", ".join(sorted(repr(x) for x in v)) + "}"
    else:
        r = repr(v)
    return r if len(r) <= 300 else r[:297] + "..."


def _document(qual: str, obj: Any, module: str, level: int = 3) -> list[str]:
    h = "#" * level
    out: list[str] = []
    if inspect.isclass(obj):
        from splink.internals.comparison_creator import ComparisonCreator

        kind = "class"
        if dataclasses.is_dataclass(obj):
            kind = "dataclass"
        out += [f"{h} {kind} `{qual}`", ""]
        if issubclass(obj, BaseException):
            out += [f"A `{obj.__mro__[1].__name__}`.", ""]
        else:
            out += ["```python", f"{_signature(qual, obj, is_class=True)}", "```", ""]
        doc = obj.__dict__.get("__doc__")
        if issubclass(obj, ComparisonCreator):
            doc = obj.__init__.__doc__
        out += [rst_to_md(doc), ""]
        if not issubclass(obj, ComparisonCreator):
            for mname, member in _public_methods(obj):
                if isinstance(member, property):
                    out += [f"{h}# property `{qual}.{mname}`", "", rst_to_md(member.__doc__), ""]
                    continue
                func = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
                kind_m = "classmethod" if isinstance(member, classmethod) else (
                    "staticmethod" if isinstance(member, staticmethod) else "method")
                out += [f"{h}# {kind_m} `{qual}.{mname}`", "", "```python",
                        _signature(f"{qual}.{mname}", func, skip_self=not isinstance(member, staticmethod)),
                        "```", "", rst_to_md(func.__doc__), ""]
    elif callable(obj):
        if getattr(obj, "__name__", qual.split(".")[-1]) != qual.split(".")[-1] and inspect.isfunction(obj):
            out += [f"{h} alias `{qual}`", "", f"An alias of `{obj.__module__}.{obj.__name__}`.", ""]
            return out
        out += [f"{h} function `{qual}`", "", "```python", _signature(qual, obj), "```", "", rst_to_md(obj.__doc__), ""]
    else:
        out += [f"{h} constant `{qual}`", "", "```python", f"{qual.split('.')[-1]} = {_value_repr(obj)}", "```", ""]
    return out


def _comparison_creators(mod: Any) -> list[str]:
    from splink.internals.comparison_creator import ComparisonCreator

    names = []
    for name, obj in vars(mod).items():
        if inspect.isclass(obj) and issubclass(obj, ComparisonCreator) and obj is not ComparisonCreator \
                and obj.__module__ == mod.__name__ and not name.startswith("_"):
            names.append(name)
    return names


def build() -> str:
    import linkmiskin

    lines = [
        "# API reference",
        "",
        "<!-- Generated by docs/build_api.py from the docstrings. Do not edit by hand: run",
        "     `python docs/build_api.py` after changing a docstring (tests/test_docs.py checks it). -->",
        "",
        "Everything below is generated from the docstrings of the installed `linkmiskin` package. The top-level",
        "names `link`, `Linker`, `LinkResult`, `read_table`, `detect_columns`, `standardize`, `evaluate`,",
        "`Evaluation` and `mask_id` are importable from `linkmiskin` itself (`import linkmiskin as lm; lm.link(...)`);",
        "the rest from their modules (`from linkmiskin.standardise.names import normalize_name`).",
        "",
        "## Contents",
        "",
    ]
    body: list[str] = []
    for title, modname, names, show_doc in SECTIONS:
        mod = importlib.import_module(modname)
        lines.append(f"- [{title.replace('`', '')}](#{_anchor(title)})")
        body += [f"## {title}", ""]
        if show_doc and mod.__doc__:
            body += [f"*Module `{modname}`*", "", rst_to_md(mod.__doc__), ""]
        if names == "comparison-creators":
            names = _comparison_creators(mod)
        elif names is None:
            names = list(mod.__all__)
        for name in names:
            obj = getattr(mod, name)
            top = name in TOP_LEVEL and getattr(linkmiskin, name, None) is obj
            body += _document(name if top else f"{modname.split('.', 1)[1]}.{name}", obj, modname)
    text = "\n".join(lines + [""] + body)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/api.md is out of date")
    args = ap.parse_args(argv)
    text = build()
    if args.check:
        current = API_MD.read_text(encoding="utf-8") if API_MD.exists() else ""
        if current != text:
            print("docs/api.md is out of date: run `python docs/build_api.py`", file=sys.stderr)
            return 1
        return 0
    API_MD.write_text(text, encoding="utf-8")
    print(f"wrote {API_MD} ({len(text.splitlines()):,} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
