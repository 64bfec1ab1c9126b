"""Choosing the match threshold knowingly: clerical review, estimates from labels, label-free estimates.

A Dinas Sosial must know what a threshold buys: how many **wrong merges** (two different people linked, so
two poor families counted as one and one of them missing aid) against how many **missed links** (one
person counted twice, aid paid twice). This module gives both views and the means to act on them::

    from linkmiskin.review import calibration as cal

    sample = cal.review_sample(result, n=300, path="review.xlsx")   # staff fill in the 'label' column
    labels = cal.read_review("review.xlsx")
    est = cal.estimate_from_labels(labels)                          # precision/recall/F1 with 95% intervals
    free = cal.label_free_estimates(result)                         # the model's own view (fastLink style)
    cal.compare_estimates(est, free)                                # where do they disagree?
    choice = cal.recommend_threshold(est, target_precision=0.99)
    new = cal.recluster(linker, choice)                             # no retraining; choice recorded

This module gathers the public names of :mod:`~linkmiskin.review.sampling` (the review sample),
:mod:`~linkmiskin.review.workbook` (the Excel workbook and simulated labels),
:mod:`~linkmiskin.review.estimates` (labelled and label-free estimates) and
:mod:`~linkmiskin.review.recommend` (choosing and applying a threshold, the report section).

What is counted
---------------
The unit is the **scored record pair** (``result.pairs``): a pair is *declared a match* at threshold ``t``
when its ``match_probability >= t``. Precision at ``t`` is the share of declared pairs that are the same
person; recall at ``t`` is the share of same-person pairs among the scored pairs that are declared. Person
clusters are built from these pairs with extra safeguards (see :mod:`linkmiskin.clustering.persons`), so
cluster-level precision is usually a little higher than the pair-level figure given here.

**Missed links outside the scored pairs are invisible.** Pairs never compared (not caught by a blocking
rule) or scored below ``MIN_KEPT_PROBABILITY`` (0.001) are not in the population, exactly as Splink's own
accuracy tools note. Recall here is "recall among scored pairs": it overstates true recall by the share of
true matches blocking never proposed.

Clerical review sample (:func:`review_sample`)
----------------------------------------------
The scored pairs are cut into strata by match weight (default cut points at probabilities 0.01, 0.1, 0.5,
0.9, 0.99, 0.999 and 0.9999, i.e. match weights -6.63, -3.17, 0, 3.17, 6.63, 9.97, 13.29). Stratum ``h``
with ``N_h`` pairs gets ``n_h`` sampled pairs by Neyman allocation on the model's own uncertainty, with a
floor::

    n_h  proportional to  N_h * max(sqrt(pbar_h * (1 - pbar_h)), 0.1)

``pbar_h`` is the mean model probability in the stratum; the floor (as if at least 1% of decisions in any
band could be wrong) keeps the confident bands sampled because a model is rarely as sure as it says. Every
stratum gets at least ``max(3, 3% of n)`` pairs (all of them if it is smaller). Sampling rates are highest
in the uncertain middle. Rows are shuffled so a reviewer sees no order by score, and reviewing from the
top down always yields a random sub-sample. The model's scores are not shown by default (blind review).

Estimates from labels (:func:`estimate_from_labels`)
----------------------------------------------------
Within stratum ``h`` and threshold ``t`` the population pairs split into the *cells* above and below
``t``, whose sizes ``N_h,above`` are known exactly (they are counted from all the scored pairs). The
labelled pairs of a cell are a simple random sample of it, so the cell's match rate is estimated by its
labelled share of matches and::

    TP(t) = sum_h N_h,above * match share of labelled pairs of h above t
    FP(t) = N_above(t) - TP(t)
    FN(t) = sum_h N_h,below * match share of labelled pairs of h below t

A cell without labelled pairs borrows the rate of its whole stratum. *unsure* and blank labels are left out
(treated as missing at random within the stratum; ``unsure="match"`` or ``"non-match"`` tests the
sensitivity).

**Intervals** must stay honest with 100-500 labels, when a large confident band shows no error at all or
just one. The default (``method="exact"``) is a Clopper-Pearson-type interval for stratified samples (the
beta-product idea of Fay et al.), computed by Monte Carlo (2,000 draws): each cell's unlabelled pairs get a
binomial draw (the finite-population correction) with a match rate drawn from ``Beta(x + 1, n - x)`` for
the optimistic bound and ``Beta(x, n - x + 1)`` for the pessimistic one (``x`` matches among ``n`` labelled
pairs of the cell); precision, recall, F1 and the counts are computed per draw and the ``confidence``
equal-tailed quantiles taken. 0 errors among 120 labelled pairs of a band of 2,000 still allows about 60
errors there. This is conservative: in simulations on a generated set (2,000 households, 300 labels, 100
review samples) it covered the true precision and recall 99-100% of the time for a nominal 95%.
``method="midp"`` (a mid-p mixture of the two) covered 92-97%, and ``method="jeffreys"`` (one Jeffreys
posterior per cell) only 85-90%, because a single non-match in a large confident band is not rare enough
for it. Point estimates are unbiased either way.

Label-free estimates (:func:`label_free_estimates`)
--------------------------------------------------
``match_probability`` is the model's posterior, so in the manner of fastLink the model itself implies::

    expected false matches at t   = sum over pairs with p >= t of (1 - p)
    expected missed matches at t  = sum over pairs with p <  t of p
    expected precision            = mean of p over pairs with p >= t
    expected recall               = sum_{p >= t} p / sum_all p

They need no labels but are only as good as the model's calibration; :func:`compare_estimates` puts them
beside the labelled estimates so you see where the model is over- or under-confident.

Choosing and applying (:func:`recommend_threshold`, :func:`recluster`)
---------------------------------------------------------------------
``recommend_threshold(est, target_precision=0.99)`` returns the **lowest** threshold whose **point
estimate** of precision reaches the target (so recall is as high as the target allows);
``use="lower"`` asks the lower confidence bound to reach it instead, which is safer but needs many more
labels: the bound is dominated by the largest confident band, and certifying 0.99 takes roughly 370
error-free labels there (then it raises and says the best that can be certified; with 300 labels on the
generated set the best lower bound was about 0.97). On that set (2,000 households, 100 review samples of
300 labels, target 0.99) the point-estimate rule gave a true precision of 0.986-0.999 (mean 0.990) every
time; with 100 labels it fell below 0.98 in 7% of samples (worst 0.968). A recall target picks the
**highest** threshold whose recall reaches it. :func:`recluster` re-clusters a
:class:`~linkmiskin.linkage.Linker` at the chosen threshold without retraining and records how the
threshold was chosen in ``LinkResult.threshold_source`` (written to ``metadata.json`` by ``save``).
"""

from __future__ import annotations

from linkmiskin.review.estimates import compare_estimates, estimate_from_labels, label_free_estimates
from linkmiskin.review.recommend import Recommendation, recluster, recommend_threshold, report_section
from linkmiskin.review.sampling import (
    DEFAULT_BAND_PROBABILITIES,
    LABELS,
    ReviewError,
    design_of,
    probability_to_weight,
    review_sample,
    threshold_grid,
    weight_to_probability,
)
from linkmiskin.review.workbook import read_review, simulate_labels, write_review_workbook

__all__ = [
    "LABELS",
    "DEFAULT_BAND_PROBABILITIES",
    "ReviewError",
    "Recommendation",
    "design_of",
    "review_sample",
    "write_review_workbook",
    "read_review",
    "simulate_labels",
    "estimate_from_labels",
    "label_free_estimates",
    "compare_estimates",
    "recommend_threshold",
    "recluster",
    "threshold_grid",
    "report_section",
    "probability_to_weight",
    "weight_to_probability",
]
