"""Step 1, standardise: read agency files, detect columns, and clean names, NIK/KK, dates, ages, addresses and regions into one canonical table.

Submodules load on first use: ``linkmiskin.standardise.address`` or ``from linkmiskin.standardise import address``.
"""
from importlib import import_module as _import_module
from typing import Any as _Any


def __getattr__(name: str) -> _Any:
    try:
        return _import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from exc
