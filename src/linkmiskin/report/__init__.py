"""Step 5, report: the HTML report, charts, agency exports and data diagnostics.

Submodules load on first use: ``linkmiskin.report.charts`` or ``from linkmiskin.report import charts``.
"""
from importlib import import_module as _import_module
from typing import Any as _Any


def __getattr__(name: str) -> _Any:
    try:
        return _import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from exc
