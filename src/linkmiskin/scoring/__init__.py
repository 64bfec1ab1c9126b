"""Step 2, scoring: the Splink comparisons, blocking and training, model files, and explain() for one pair's score.

Submodules load on first use: ``linkmiskin.scoring.comparisons`` or ``from linkmiskin.scoring import comparisons``.
"""
from importlib import import_module as _import_module
from typing import Any as _Any


def __getattr__(name: str) -> _Any:
    try:
        return _import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from exc
