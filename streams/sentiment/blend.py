"""Sentiment: the blend engine, the domain model's log-odds combined with snownlp's own score.

``sigmoid(a * domain_log_odds + b * snownlp_log_odds)``: ``a`` and ``b`` are
fitted by ``radar sentiment train`` on out-of-category scores, so they say how
far to trust each model on a kind of review neither was fitted on (no
intercept: 0.5 stays neutral). snownlp's score comes from the ``fast`` engine
when it is registered (same scores), else from snownlp itself, which is slow:
this engine is for when ``fast`` is there. English texts go to VADER, as in
the domain engine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from radar.errors import ConfigError
from streams.sentiment.domain import DomainEngine
from streams.sentiment.evaluation import CategoryResult, accuracy, roc_auc

#: snownlp says 1.0 or 0.0 for long texts; its log-odds are capped at this
MAX_LOG_ODDS = 12.0


def snownlp_log_odds(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """snownlp's probabilities as log-odds, capped at +-:data:`MAX_LOG_ODDS`."""
    bound = 1.0 / (1.0 + np.exp(MAX_LOG_ODDS))
    clipped = np.clip(np.asarray(scores, dtype=np.float64), bound, 1.0 - bound)
    return np.log(clipped / (1.0 - clipped))


def fit_blend(
    domain_log_odds: np.ndarray, reference_scores: np.ndarray, labels: np.ndarray
) -> tuple[float, float]:
    """(a, b): logistic regression without intercept on the two models' log-odds."""
    from sklearn.linear_model import LogisticRegression

    features = np.c_[domain_log_odds, snownlp_log_odds(reference_scores)]
    solver = LogisticRegression(C=1.0, fit_intercept=False, solver="lbfgs", max_iter=1000)
    with threadpool_limits(limits=1):
        solver.fit(features, labels)
    return float(solver.coef_[0, 0]), float(solver.coef_[0, 1])


def blend_by_category(
    domain_log_odds: np.ndarray,
    reference_scores: np.ndarray,
    labels: np.ndarray,
    categories: np.ndarray,
) -> list[CategoryResult]:
    """The blend cross-validated by category: weights fitted on eight, scored on the ninth."""
    results = []
    for category in sorted(set(categories.tolist())):
        held_out = categories == category
        a, b = fit_blend(domain_log_odds[~held_out], reference_scores[~held_out], labels[~held_out])
        logits = a * domain_log_odds[held_out] + b * snownlp_log_odds(reference_scores[held_out])
        scores = 1.0 / (1.0 + np.exp(-logits))
        results.append(
            CategoryResult(
                category=category,
                texts=int(held_out.sum()),
                accuracy=accuracy(labels[held_out], scores),
                auc=roc_auc(labels[held_out], scores),
            )
        )
    return results


class BlendEngine(DomainEngine):
    """Domain model and snownlp together, weighted as trained; VADER for English."""

    name = "blend"

    def score_readable(self, texts: Sequence[str]) -> np.ndarray:
        from streams.sentiment import get_engine
        from streams.sentiment.baseline import reference_engine_name

        own, snownlp = self.model.blend
        if own == 0.0 and snownlp == 0.0:
            msg = "the domain model has no blend weights; retrain it with `radar sentiment train`"
            raise ConfigError(msg)
        logits, counts = self.model.decision(texts)
        reference = get_engine(reference_engine_name()).score_batch(texts)
        scores = 1.0 / (1.0 + np.exp(-(own * logits + snownlp * snownlp_log_odds(reference))))
        scores[counts == 0] = 0.5
        return scores
