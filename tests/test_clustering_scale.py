"""The clustering steps copy only the columns their rules read (issue 11: memory and time at scale)."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pandas as pd

from linkmiskin.clustering import households
from linkmiskin.clustering.households import HOUSEHOLD_COLUMNS, household_clusters


def test_household_columns_cover_every_column_the_household_steps_read():
    """household_clusters keeps only HOUSEHOLD_COLUMNS of std: a rule reading another column would silently
    see it missing, so every column named in the module must be listed."""
    src = inspect.getsource(households)
    read = set(re.findall(r'_col\(std, "([a-z0-9_]+)"\)', src))
    read |= set(re.findall(r'std\["([a-z0-9_]+)"\]', src))
    read |= set(re.findall(r'"([a-z0-9_]+)" in std\b', src))
    # columns named through a loop variable: for c in ("desa_code", "rt", "rw"): _col(std, c)
    for loop in re.findall(r'for \w+ in \(([^)]*)\):\n\s+\w+ = _col\(std, \w+\)', src):
        read |= set(re.findall(r'"([a-z0-9_]+)"', loop))
    assert read, "the scan found no column reads: the pattern is out of date"
    assert read <= set(HOUSEHOLD_COLUMNS), sorted(read - set(HOUSEHOLD_COLUMNS))


def test_households_ignore_the_other_columns_of_std():
    """The same households whether std carries every standardised column or only HOUSEHOLD_COLUMNS."""
    std = pd.DataFrame({
        "source": ["a", "a", "b", "b"], "row_number": [1, 2, 1, 2],
        "kk": pd.array(["3216010101010001", "3216010101010001", "3216010101010001", None], dtype="string"),
        "kk_status": pd.array(["valid", "valid", "valid", "missing"], dtype="string"),
        "name": ["ANI", "BUDI", "ANI", "CICI"], "relationship": ["KEPALA", "ANAK", "KEPALA", None],
        "unrelated": ["x", "y", "z", "w"]})
    persons = pd.DataFrame({"person_node": [0, 1, 0, 3], "person_confidence": [0.9, 0.9, 0.9, 1.0]})
    full = household_clusters(std, persons)
    only = household_clusters(std[[c for c in HOUSEHOLD_COLUMNS if c in std]], persons)
    pd.testing.assert_frame_equal(full, only)
    assert full["household_node"].nunique() == 2
    assert np.array_equal(full["household_node"].to_numpy()[:3], np.repeat(full["household_node"][0], 3))
