"""Sentiment: plain-text tables of evaluation figures (CLI and benchmark output)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streams.sentiment.dataset import LabelledReviews
from streams.sentiment.evaluation import accuracy, roc_auc
from streams.sentiment.training import CategoryResult


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
) -> str:
    """Leave-one-category-out figures per held-out category, next to snownlp's on the same texts."""
    categories = np.asarray(reviews.categories)
    headers = ["held-out category", "texts", "domain acc", "domain AUC"]
    if reference is not None:
        headers += ["snownlp acc", "snownlp AUC", "Δ acc"]
    rows = []
    for result in results:
        row = [result.category, str(result.texts), f"{result.accuracy:.4f}", f"{result.auc:.4f}"]
        if reference is not None:
            mask = categories == result.category
            base_acc = accuracy(reviews.labels[mask], reference[mask])
            base_auc = roc_auc(reviews.labels[mask], reference[mask])
            row += [f"{base_acc:.4f}", f"{base_auc:.4f}", f"{result.accuracy - base_acc:+.4f}"]
        rows.append(row)
    mean_acc = float(np.mean([r.accuracy for r in results]))
    mean_auc = float(np.mean([r.auc for r in results]))
    mean = [
        "mean of categories",
        str(sum(r.texts for r in results)),
        f"{mean_acc:.4f}",
        f"{mean_auc:.4f}",
    ]
    if reference is not None:
        masks = [categories == r.category for r in results]
        base_acc = float(np.mean([accuracy(reviews.labels[m], reference[m]) for m in masks]))
        base_auc = float(np.mean([roc_auc(reviews.labels[m], reference[m]) for m in masks]))
        mean += [f"{base_acc:.4f}", f"{base_auc:.4f}", f"{mean_acc - base_acc:+.4f}"]
    rows.append(mean)
    return format_table(headers, rows)
