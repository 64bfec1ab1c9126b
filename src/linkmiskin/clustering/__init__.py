"""Step 3, clustering: person clusters with the named cannot-link rules, households, golden records and ids that stay stable across updates.

Submodules load on first use: ``linkmiskin.clustering.cannot_link`` or ``from linkmiskin.clustering import cannot_link``.
"""
from linkmiskin import lazy_submodules

__getattr__ = lazy_submodules(__name__)
