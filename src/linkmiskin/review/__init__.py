"""Step 4, review: clerical review workbooks, threshold calibration and evaluation against a known truth.

Submodules load on first use: ``linkmiskin.review.calibration`` or ``from linkmiskin.review import calibration``.
"""
from linkmiskin import lazy_submodules

__getattr__ = lazy_submodules(__name__)
