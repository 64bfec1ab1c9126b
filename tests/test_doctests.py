"""Every example in the package's docstrings runs and shows what it says (Spark's need a Spark session)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import linkmiskin

MODULES = sorted(m.name for m in pkgutil.walk_packages(linkmiskin.__path__, "linkmiskin.")
                 if m.name != "linkmiskin.spark_backend")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), verbose=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} fail"


def test_the_examples_are_there() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(n), verbose=False,
                                    optionflags=doctest.ELLIPSIS, report=False).attempted for n in MODULES)
    assert attempted >= 60
