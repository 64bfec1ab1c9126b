"""The folder tree shows the pipeline: a reader finds a rule by guessing the file name."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import linkmiskin as lm

ROOT = Path(lm.__file__).parent
STEPS = ["standardise", "scoring", "clustering", "review", "report", "synthetic"]
#: modules that serve every step stay at the top: the pipeline itself, the command line, the demo, and the
#: shared facts about privacy, spreadsheets and typos, and the memory handed back between steps
TOP_LEVEL = {"__init__", "linkage", "cli", "demo", "privacy", "pseudonym", "safe_cells", "facts", "spark_backend",
             "memory"}


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def test_each_pipeline_step_is_a_package_with_a_docstring():
    for step in STEPS:
        init = ROOT / step / "__init__.py"
        assert init.exists(), step
        assert _docstring(init).strip(), f"{step}/__init__.py says nothing about the step"


def test_no_module_is_left_outside_its_step():
    loose = {p.stem for p in ROOT.glob("*.py")} - TOP_LEVEL
    assert not loose, f"modules outside the pipeline packages: {sorted(loose)}"


def test_every_module_says_what_it_does():
    for path in ROOT.rglob("*.py"):
        assert _docstring(path).strip(), f"{path.relative_to(ROOT)} has no module docstring"


def test_rules_are_where_their_names_say():
    from linkmiskin.clustering import cannot_link, households
    from linkmiskin.scoring import comparisons, model

    assert cannot_link.__name__ == "linkmiskin.clustering.cannot_link"
    assert hasattr(households, "household_clusters")
    assert hasattr(comparisons, "NikComparison") and hasattr(model, "train")


def test_shortcuts_reach_the_modules_users_call():
    assert lm.names.normalize_name("h. muhammad") == lm.names.normalize_name("H. MUHAMMAD")
    assert lm.synthetic.generate is importlib.import_module("linkmiskin.synthetic.generator").generate
    assert lm.calibration.__name__ == "linkmiskin.review.calibration"
    assert lm.clustering.persons.__name__ == "linkmiskin.clustering.persons"
