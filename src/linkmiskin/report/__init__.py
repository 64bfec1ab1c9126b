"""Step 5, report: the HTML report, charts, agency exports and data diagnostics.

Submodules load on first use: ``linkmiskin.report.charts`` or ``from linkmiskin.report import charts``.
"""
from linkmiskin import lazy_submodules

__getattr__ = lazy_submodules(__name__)
