"""linkmiskin: link Indonesian social-assistance and poverty lists into person and household clusters.

Quick start::

    import linkmiskin as lm
    result = lm.link({"dtks": "dtks.xlsx", "p3ke": "p3ke.csv"}, region="32.16")
    result.records.head()

The public API is small: :func:`read_table`, :func:`standardize`, :func:`link`, :class:`Linker`,
:func:`evaluate`, :func:`pseudonymise` (keyed NIK/KK tokens for sharing lists), and the modules :mod:`linkmiskin.standardise.names`, :mod:`linkmiskin.standardise.nik`, :mod:`linkmiskin.standardise.dates`,
:mod:`linkmiskin.standardise.address`, :mod:`linkmiskin.synthetic.generator` and :mod:`linkmiskin.review.calibration`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "read_table": ("linkmiskin.standardise.read", "read_table"),
    "detect_columns": ("linkmiskin.standardise.columns", "detect_columns"),
    "link": ("linkmiskin.linkage", "link"),
    "Linker": ("linkmiskin.linkage", "Linker"),
    "LinkResult": ("linkmiskin.linkage", "LinkResult"),
    "evaluate": ("linkmiskin.review.evaluation", "evaluate"),
    "Evaluation": ("linkmiskin.review.evaluation", "Evaluation"),
    "mask_id": ("linkmiskin.privacy", "mask_id"),
    "pseudonymise": ("linkmiskin.pseudonym", "pseudonymise"),
}

#: ``lm.names``, ``lm.nik``...: shortcuts to the modules users call most, wherever the pipeline keeps them
_MODULES = {
    "columns": "standardise.columns",
    "names": "standardise.names",
    "nik": "standardise.nik",
    "dates": "standardise.dates",
    "ages": "standardise.ages",
    "address": "standardise.address",
    "regions": "standardise.regions",
    "household_roles": "standardise.household_roles",
    "comparisons": "scoring.comparisons",
    "model": "scoring.model",
    "model_file": "scoring.model_file",
    "explain": "scoring.explain",
    "levels": "scoring.levels",
    "clustering": "clustering",
    "cannot_link": "clustering.cannot_link",
    "households": "clustering.households",
    "golden": "clustering.golden",
    "updates": "clustering.updates",
    "calibration": "review.calibration",
    "evaluation": "review.evaluation",
    "report": "report",
    "charts": "report.charts",
    "exports": "report.exports",
    "synthetic": "synthetic",
    "standardise": "standardise",
    "scoring": "scoring",
    "review": "review",
}

__all__ = sorted([*_LAZY, "standardize", "__version__"])


def lazy_submodules(package: str) -> Any:
    """A module ``__getattr__`` for a pipeline package: ``linkmiskin.<package>.<module>`` loads on first use."""
    def __getattr__(name: str) -> Any:
        try:
            return import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from exc

    return __getattr__


# ``standardize`` is both a submodule and the function it defines: bind the function eagerly, so that
# importing the submodule elsewhere cannot shadow it.
from linkmiskin.standardise.records import standardize  # noqa: E402, F401


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    if name in _MODULES:
        return import_module(f"linkmiskin.{_MODULES[name]}")
    raise AttributeError(f"module 'linkmiskin' has no attribute {name!r}")
