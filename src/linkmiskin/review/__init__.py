"""Step 4, review: clerical review workbooks, threshold calibration and evaluation against a known truth.

Submodules load on first use: ``linkmiskin.review.calibration`` or ``from linkmiskin.review import calibration``.
"""
from importlib import import_module as _import_module
from typing import Any as _Any


def __getattr__(name: str) -> _Any:
    try:
        return _import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from exc
