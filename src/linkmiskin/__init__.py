"""linkmiskin: link Indonesian social-assistance and poverty lists into person and household clusters.

Quick start::

    import linkmiskin as lm
    result = lm.link({"dtks": "dtks.xlsx", "p3ke": "p3ke.csv"}, region="32.16")
    result.records.head()

The public API is small: :func:`read_table`, :func:`standardize`, :func:`link`, :class:`Linker`,
:func:`evaluate`, :func:`pseudonymise` (keyed NIK/KK tokens for sharing lists), and the modules :mod:`linkmiskin.names`, :mod:`linkmiskin.nik`, :mod:`linkmiskin.dates`,
:mod:`linkmiskin.address`, :mod:`linkmiskin.synthetic` and :mod:`linkmiskin.calibration`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "read_table": ("linkmiskin.io", "read_table"),
    "detect_columns": ("linkmiskin.columns", "detect_columns"),
    "link": ("linkmiskin.linkage", "link"),
    "Linker": ("linkmiskin.linkage", "Linker"),
    "LinkResult": ("linkmiskin.linkage", "LinkResult"),
    "evaluate": ("linkmiskin.evaluation", "evaluate"),
    "Evaluation": ("linkmiskin.evaluation", "Evaluation"),
    "mask_id": ("linkmiskin.privacy", "mask_id"),
    "pseudonymise": ("linkmiskin.pseudonym", "pseudonymise"),
}

__all__ = sorted([*_LAZY, "standardize", "__version__"])

# ``standardize`` is both a submodule and the function it defines: bind the function eagerly, so that
# importing the submodule elsewhere cannot shadow it.
from .standardize import standardize  # noqa: E402, F401


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    if name in {"names", "nik", "dates", "address", "regions", "synthetic", "calibration", "model", "evaluation",
                "comparisons", "clustering", "households", "report", "charts"}:
        return import_module(f"linkmiskin.{name}")
    raise AttributeError(f"module 'linkmiskin' has no attribute {name!r}")
