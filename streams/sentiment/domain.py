"""Sentiment: the domain engine, a linear model over character n-grams trained on shop reviews.

The model (``models/domain.npz``, rebuilt bit for bit by ``radar sentiment
train``) is a sorted vocabulary of n-gram keys (see :mod:`streams.sentiment.features`)
with one weight each. A text's score is ``sigmoid(bias * k / n + sum(weights of its
n-grams) / n ** length_power)`` where ``n`` counts all its n-grams and ``k``
those the model knows (so a text the model cannot read at all is 0.5,
neutral); calibration is already folded into the weights. Scoring a batch is a few
NumPy passes, no Python loop per n-gram.

Texts are routed by language (:func:`streams.language.detect_language`):
English ones go to VADER (:mod:`streams.sentiment.english`), everything else
(Chinese, and texts in no language the pipeline knows) to the n-gram model.
A mixed text goes whole to the model of its dominant script.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from radar.errors import ConfigError
from streams.language import detect_language
from streams.sentiment.base import NEUTRAL, SentimentEngine
from streams.sentiment.english import EnglishEngine
from streams.sentiment.features import MAX_N, batch_ngrams

MODEL_PATH = Path(__file__).with_name("models") / "domain.npz"
#: zip entries get this fixed time, so the same model always gives the same bytes
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class DomainModel:
    """Weights per n-gram key (``keys`` sorted ascending), bias, and how length is normalised."""

    keys: np.ndarray
    weights: np.ndarray
    bias: float
    length_power: float = 0.5
    max_n: int = MAX_N
    #: the blend engine's weights (this model's log-odds, snownlp's) for texts snownlp does
    #: not fully know, then for those it does (:class:`streams.sentiment.blend.BlendWeights`)
    blend: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    meta: dict[str, Any] = field(default_factory=dict)

    def decision(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Log-odds of positive for each text, and each text's number of n-grams."""
        grams = batch_ngrams(texts, self.max_n)
        counts = grams.counts()
        if len(self.keys) == 0:
            return np.zeros(len(texts)), counts
        where = np.searchsorted(self.keys, grams.keys)
        np.minimum(where, len(self.keys) - 1, out=where)
        known = self.keys[where] == grams.keys
        known_docs = grams.doc[known]
        sums = np.bincount(known_docs, weights=self.weights[where[known]], minlength=len(texts))
        known_share = np.bincount(known_docs, minlength=len(texts)) / np.maximum(counts, 1)
        scale = np.maximum(counts, 1).astype(np.float64) ** self.length_power
        return self.bias * known_share + sums / scale, counts

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of positive for each text; :data:`NEUTRAL` for one with no n-grams."""
        logits, counts = self.decision(texts)
        scores = 1.0 / (1.0 + np.exp(-logits))
        scores[counts == 0] = NEUTRAL
        return np.asarray(scores, dtype=np.float64)

    def save(self, path: Path) -> None:
        """Write the model as a compressed ``.npz`` whose bytes depend only on its content."""
        arrays: dict[str, np.ndarray] = {
            "keys": self.keys.astype(np.uint64),
            "weights": self.weights.astype(np.float32),
            "params": np.array(
                [self.bias, self.length_power, self.max_n, *self.blend], dtype=np.float64
            ),
            "meta": np.array(json.dumps(self.meta, ensure_ascii=False, sort_keys=True)),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, buffer.getvalue(), compresslevel=9)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> DomainModel:
        """Read a model written by :meth:`save`."""
        if not path.is_file():
            msg = f"{path}: no domain model; build it with `radar sentiment train`"
            raise ConfigError(msg)
        try:
            with np.load(path, allow_pickle=False) as data:
                bias, length_power, max_n, *blend = data["params"].tolist()
                if len(blend) != 4:
                    msg = f"{len(blend)} blend weights, expected 4"
                    raise ValueError(msg)
                return cls(
                    keys=data["keys"],
                    weights=data["weights"].astype(np.float64),
                    bias=float(bias),
                    length_power=float(length_power),
                    max_n=int(max_n),
                    blend=(float(blend[0]), float(blend[1]), float(blend[2]), float(blend[3])),
                    meta=json.loads(str(data["meta"])),
                )
        except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            msg = f"{path}: not a domain model ({exc}); rebuild it with `radar sentiment train`"
            raise ConfigError(msg) from exc


class DomainEngine(SentimentEngine):
    """The shipped domain model for Chinese (and other) texts, VADER for English ones."""

    name = "domain"

    def __init__(self, model: DomainModel | None = None) -> None:
        self._model = model

    @cached_property
    def model(self) -> DomainModel:
        return self._model if self._model is not None else DomainModel.load()

    @cached_property
    def english(self) -> EnglishEngine:
        return EnglishEngine()

    def score_readable(self, texts: Sequence[str]) -> np.ndarray:
        """Scores of texts that are not English (the n-gram model's share of the work)."""
        return self.model.predict(texts)

    def score_batch(self, texts: Sequence[str]) -> list[float]:
        english = [i for i, text in enumerate(texts) if detect_language(text) == "en"]
        if not english:
            return [float(s) for s in self.score_readable(texts)]
        chosen = set(english)
        others = [i for i in range(len(texts)) if i not in chosen]
        scores = [NEUTRAL] * len(texts)
        for i, score in zip(others, self.score_readable([texts[i] for i in others]), strict=True):
            scores[i] = float(score)
        english_scores = self.english.score_batch([texts[i] for i in english])
        for i, score in zip(english, english_scores, strict=True):
            scores[i] = score
        return scores
