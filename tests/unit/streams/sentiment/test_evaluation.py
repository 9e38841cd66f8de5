"""Evaluation figures: accuracy and ROC AUC as the benchmark and `radar sentiment eval` use them."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from streams.sentiment.evaluation import accuracy, roc_auc


class TestRocAuc:
    def test_matches_scikit_learn_with_ties(self):
        rng = np.random.default_rng(3)
        labels = rng.integers(0, 2, 500)
        scores = np.round(rng.random(500) * 0.5 + labels * 0.3, 2)  # many ties
        assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))

    def test_perfect_and_reversed(self):
        labels = np.array([0, 0, 1, 1])
        assert roc_auc(labels, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
        assert roc_auc(labels, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0

    def test_one_class_is_nan(self):
        assert np.isnan(roc_auc(np.array([1, 1]), np.array([0.2, 0.9])))


def test_accuracy_uses_the_half_threshold():
    labels = np.array([1, 0, 1, 0])
    assert accuracy(labels, np.array([0.9, 0.1, 0.5, 0.6])) == 0.5
