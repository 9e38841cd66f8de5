"""Sentiment: plain-text tables of evaluation figures (CLI and benchmark output)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streams.sentiment.dataset import LabelledReviews
from streams.sentiment.evaluation import CategoryResult, accuracy, roc_auc


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell (CJK characters count double), first left-aligned."""

    def width(cell: str) -> int:
        return sum(2 if ord(char) > 0x2E80 else 1 for char in cell)

    widths = [max(width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = []
        for i, cell in enumerate(cells):
            gap = " " * (widths[i] - width(cell))
            padded.append(cell + gap if i == 0 else gap + cell)
        return "  ".join(padded)

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def loco_table(
    results: Sequence[CategoryResult],
    reviews: LabelledReviews,
    reference: np.ndarray | None,
    blend: Sequence[CategoryResult] | None = None,
) -> str:
    """Leave-one-category-out figures per held-out category, next to snownlp's on the same texts."""
    categories = np.asarray(reviews.categories)
    headers = ["held-out category", "texts", "domain acc", "domain AUC"]
    columns: list[list[float]] = [[r.accuracy for r in results], [r.auc for r in results]]
    if reference is not None:
        headers += ["snownlp acc", "snownlp AUC"]
        masks = [categories == r.category for r in results]
        columns.append([accuracy(reviews.labels[m], reference[m]) for m in masks])
        columns.append([roc_auc(reviews.labels[m], reference[m]) for m in masks])
    if blend is not None:
        headers += ["blend acc", "blend AUC"]
        columns.append([r.accuracy for r in blend])
        columns.append([r.auc for r in blend])
    rows = [
        [result.category, str(result.texts), *(f"{column[i]:.4f}" for column in columns)]
        for i, result in enumerate(results)
    ]
    total = str(sum(r.texts for r in results))
    rows.append(["mean of categories", total, *(f"{np.mean(column):.4f}" for column in columns)])
    return format_table(headers, rows)
