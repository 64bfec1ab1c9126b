"""Synthetic Indonesian lists with a known truth, for tests, demos and benchmarks.

>>> import linkmiskin as lm
>>> data = lm.synthetic.generate(households=100, seed=1)      # doctest: +SKIP
>>> data.sources["dtks"].head()                               # doctest: +SKIP

The generator lives in :mod:`linkmiskin.synthetic.generator` (its public names are re-exported here), built
from :mod:`~linkmiskin.synthetic.rates`, :mod:`~linkmiskin.synthetic.population`,
:mod:`~linkmiskin.synthetic.damage`, :mod:`~linkmiskin.synthetic.lists` and :mod:`~linkmiskin.synthetic.xlsx`;
its data files are in ``synthetic/data/``.
"""
from linkmiskin.synthetic.generator import (  # noqa: F401
    RECORD_ID_COLUMN,
    REFERENCE_DATE,
    SNAPSHOT,
    SOURCES,
    DamageRates,
    SyntheticData,
    generate,
    later,
    nik_is_valid_structure,
)

__all__ = ["RECORD_ID_COLUMN", "REFERENCE_DATE", "SNAPSHOT", "SOURCES", "DamageRates", "SyntheticData", "generate", "later", "nik_is_valid_structure"]
