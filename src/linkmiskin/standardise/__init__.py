"""Step 1, standardise: read agency files, detect columns, and clean names, NIK/KK, dates, ages, addresses and regions into one canonical table.

Submodules load on first use: ``linkmiskin.standardise.address`` or ``from linkmiskin.standardise import address``.
"""
from linkmiskin import lazy_submodules

__getattr__ = lazy_submodules(__name__)
