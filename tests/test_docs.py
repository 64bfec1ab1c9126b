"""The documentation stays true to the code.

* ``docs/api.md`` is what ``docs/build_api.py`` builds from the current docstrings;
* the examples in ``docs/field_guide.md`` pass as doctests (they show real outputs of the standardisers);
* links between the pages of ``docs/`` point to files and headings that exist.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _docs_script(name: str):
    spec = importlib.util.spec_from_file_location(f"linkmiskin_{name}", DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _build_api_module():
    return _docs_script("build_api")


def test_api_md_is_up_to_date_with_the_docstrings():
    built = _build_api_module().build()
    current = (DOCS / "api.md").read_text(encoding="utf-8")
    if built != current:
        diff = [f"line {i + 1}: docs/api.md has {a!r}, the docstrings give {b!r}"
                for i, (a, b) in enumerate(zip(current.splitlines(), built.splitlines())) if a != b]
        detail = diff[0] if diff else f"{len(current.splitlines())} lines vs {len(built.splitlines())} lines"
        pytest.fail(f"docs/api.md is out of date ({detail}); run `python docs/build_api.py`")


def test_api_md_documents_the_public_api():
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    for name in ("function `link`", "class `Linker`", "dataclass `LinkResult`", "function `read_table`",
                 "function `detect_columns`", "function `standardize`", "function `evaluate`",
                 "function `standardise.names.normalize_name`", "function `standardise.nik.parse_nik`", "function `standardise.dates.parse_date`",
                 "function `standardise.address.parse_address`", "function `standardise.regions.resolve_regions`",
                 "function `synthetic.generate`", "function `review.calibration.review_sample`",
                 "function `review.calibration.recommend_threshold`", "function `report.charts.threshold_selection_chart`",
                 "class `scoring.comparisons.NikComparison`", "class `scoring.comparisons.IndonesianNameComparison`",
                 "function `mask_id`"):
        assert f"### {name}" in text, name


def test_field_guide_examples_run():
    result = doctest.testfile(str(DOCS / "field_guide.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 30
    assert result.failed == 0, f"{result.failed} example(s) in docs/field_guide.md do not match the code"


def _slug(heading: str) -> str:
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md") if not p.name.startswith("_")))
def test_links_between_pages_resolve(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    problems = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = DOCS / file if file else DOCS / page
        if not path.exists():
            problems.append(f"{target}: no such file")
            continue
        if anchor:
            headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
            if anchor not in {_slug(h) for h in headings}:
                problems.append(f"{target}: no such heading")
    assert not problems, f"docs/{page}: " + "; ".join(problems)


def test_generated_rule_tables_match_the_code():
    module = _docs_script("build_tables")
    pages = module.pages()
    assert any(p.name == "concepts.md" for p in pages)
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert module.build(text) == text, f"docs/{p.name} is out of date; run `python docs/build_tables.py`"
    # the cannot-link table lists every rule of the registry
    from linkmiskin.clustering.cannot_link import RULES

    concepts = (DOCS / "concepts.md").read_text(encoding="utf-8")
    for name in RULES:
        assert f"`{name}`" in concepts


def test_one_generator_of_tables():
    """Every generated block in the docs uses the one marker of docs/build_tables.py, and its table is built
    there: no page keeps another marker style, and build_api.py writes only api.md."""
    module = _docs_script("build_tables")
    names = set()
    for p in [*DOCS.glob("*.md"), DOCS.parent / "README.md"]:
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"<!-- [\w-]+:(?:begin|end) -->", text), f"{p.name} has an old table marker"
        names |= set(re.findall(r"<!-- generated: ([\w.]+) -->", text))
    assert names == set(module.TABLES), (names, set(module.TABLES))
    assert {p.name for p in module.pages()} >= {"concepts.md", "golden_records_and_updates.md",
                                                "golden_records_and_updates_id.md", "README.md"}
    assert "generated:" not in (DOCS / "build_api.py").read_text(encoding="utf-8")


def test_comparison_level_table_lists_every_key():
    from linkmiskin.scoring.levels import level_table

    concepts = (DOCS / "concepts.md").read_text(encoding="utf-8")
    block = concepts.split("<!-- generated: comparison_levels -->", 1)[1].split("<!-- /generated -->", 1)[0]
    t = level_table()
    assert len(block.strip().splitlines()) == len(t) + 2
    for comp, key in zip(t["comparison"], t["key"]):
        assert f"| `{comp}.{key}` |" in block
