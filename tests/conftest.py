"""Settings shared by every test file.

``make test`` runs the files on two workers (pytest-xdist with ``--dist loadfile``: all tests of a file run on
one worker, so each module fixture is built once). The Spark tests take longest, so they are collected first:
one worker starts them at once while the other runs the rest of the suite.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked ``spark`` first, every file otherwise in its usual order (a stable sort)."""
    items.sort(key=lambda item: item.get_closest_marker("spark") is None)
