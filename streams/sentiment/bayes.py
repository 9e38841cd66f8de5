"""Sentiment: snownlp's naive Bayes sentiment classifier with its log-frequencies computed once.

snownlp's ``Bayes.classify`` adds ``log(d[k].freq(word))`` for every word and
class, looking the word up and taking the logarithm each time. Here each
word's per-class logarithm is computed once at load with the same operation
(``log(float(count) / total)``, count 1 for unseen words) and the sums are
accumulated in the same order, so scores are bit-identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from math import exp, log
from typing import Any

from radar.errors import ConfigError
from streams.sentiment import snownlp_files


class BayesScorer:
    """``score(words)`` equals ``snownlp.sentiment.classifier.classifier.classify`` → sentiment."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        classes: Mapping[str, Mapping[str, Any]] = model["d"]
        if len(classes) != 2 or "pos" not in classes:
            msg = f"unexpected snownlp sentiment classes {list(classes)}; reinstall snownlp"
            raise ConfigError(msg)
        #: class names in the model's order (snownlp iterates them in that order)
        self.classes = tuple(classes)
        first, second = (classes[k] for k in self.classes)
        total = model["total"]
        self.priors = (log(first["total"]) - log(total), log(second["total"]) - log(total))
        self.unseen = (
            log(float(first["none"]) / first["total"]),
            log(float(second["none"]) / second["total"]),
        )
        self.word_logs: dict[str, tuple[float, float]] = {}
        for word in {*first["d"], *second["d"]}:
            self.word_logs[word] = (
                log(float(first["d"][word]) / first["total"])
                if word in first["d"]
                else self.unseen[0],
                log(float(second["d"][word]) / second["total"])
                if word in second["d"]
                else self.unseen[1],
            )

    @classmethod
    def load(cls) -> BayesScorer:
        """The classifier of the installed snownlp (``sentiment.marshal``)."""
        return cls(snownlp_files.sentiment_model())

    def score(self, words: Iterable[str]) -> float:
        """Probability that the (stop-word filtered) ``words`` are positive, as snownlp gives it."""
        first, second = self.priors
        get, unseen = self.word_logs.get, self.unseen
        for word in words:
            logs = get(word, unseen)
            first += logs[0]
            second += logs[1]
        return self._probability(first, second)

    def _probability(self, first: float, second: float) -> float:
        # snownlp's classify(): for each class 1 / sum(exp(other - this)), the larger wins
        tmp = dict(zip(self.classes, (first, second), strict=True))
        ret: str | int = 0
        prob: float = 0
        for k in self.classes:
            now: float = 0
            try:
                for other in self.classes:
                    now += exp(tmp[other] - tmp[k])
                now = 1 / now
            except OverflowError:
                now = 0
            if now > prob:
                ret, prob = k, now
        if ret == "pos":
            return prob
        return 1 - prob
