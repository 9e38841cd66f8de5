"""Sentiment: labelled review sets read from CSV (training data and evaluation sets)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from radar.errors import ConfigError

#: The labelled reviews training and the benches read by default (``--data`` names another
#: file). They sit beside the checkout in CI and on the developers' machines, never inside
#: the repository: nothing else (the demo, the image, the tests) needs them.
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRAINING_CSV = REPO_ROOT.parent / "shared" / "data" / "reviews_train.csv"

_TEXT_COLUMNS = ("review", "text")


@dataclass(frozen=True)
class LabelledReviews:
    """Texts with 0/1 labels (1 = positive) and, where the file has one, a category each."""

    texts: list[str]
    labels: np.ndarray
    categories: list[str]
    digest: str

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> LabelledReviews:
        """The rows at ``index`` (a positional integer array), in that order."""
        return LabelledReviews(
            texts=[self.texts[i] for i in index],
            labels=self.labels[index],
            categories=[self.categories[i] for i in index],
            digest=f"{self.digest}:{hashlib.sha256(index.tobytes()).hexdigest()[:16]}",
        )


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_reviews(path: Path = DEFAULT_TRAINING_CSV) -> LabelledReviews:
    """Read a CSV with a ``label`` column (0/1) and a ``review`` or ``text`` column.

    A ``cat`` column, when present, gives each row's category (else ``""``).
    Rows with an empty text are skipped: there is nothing to learn or judge in them.
    """
    if not path.is_file():
        msg = (
            f"{path}: no such file; pass --data PATH, a labelled CSV with a label column "
            "(1 positive, 0 negative) and a review or text column (by default training and "
            "the benches read ../shared/data/reviews_train.csv beside the checkout)"
        )
        raise ConfigError(msg)
    texts: list[str] = []
    labels: list[int] = []
    categories: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        text_column = next((c for c in _TEXT_COLUMNS if c in fields), None)
        if "label" not in fields or text_column is None:
            msg = f"{path}: needs a 'label' column and a 'review' or 'text' column, has {fields}"
            raise ConfigError(msg)
        for line, row in enumerate(reader, start=2):
            text = row[text_column] or ""
            if not text.strip():
                continue
            try:
                label = int(row["label"])
            except (TypeError, ValueError):
                label = -1
            if label not in (0, 1):
                msg = f"{path}:{line}: label must be 0 or 1, got {row['label']!r}"
                raise ConfigError(msg)
            texts.append(text)
            labels.append(label)
            categories.append(row.get("cat") or "")
    if not texts:
        msg = f"{path}: no labelled rows"
        raise ConfigError(msg)
    return LabelledReviews(
        texts=texts,
        labels=np.asarray(labels, dtype=np.int8),
        categories=categories,
        digest=file_digest(path),
    )
