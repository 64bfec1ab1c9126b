"""Step 3, clustering: person clusters with the named cannot-link rules, households, golden records and ids that stay stable across updates.

Submodules load on first use: ``linkmiskin.clustering.cannot_link`` or ``from linkmiskin.clustering import cannot_link``.
"""
from importlib import import_module as _import_module
from typing import Any as _Any


def __getattr__(name: str) -> _Any:
    try:
        return _import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from exc
