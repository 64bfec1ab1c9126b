"""Step 2, scoring: the Splink comparisons, blocking and training, model files, and explain() for one pair's score.

Submodules load on first use: ``linkmiskin.scoring.comparisons`` or ``from linkmiskin.scoring import comparisons``.
"""
from linkmiskin import lazy_submodules

__getattr__ = lazy_submodules(__name__)
