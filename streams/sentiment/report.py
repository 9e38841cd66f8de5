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
    others: Sequence[tuple[str, Sequence[CategoryResult]]] = (),
) -> str:
    """Leave-one-category-out figures per held-out category, next to snownlp's on the same texts.

    ``results`` are the domain model's, ``others`` more engines' (name, figures);
    with snownlp's ``reference`` scores, a last row counts the categories on
    which each engine's accuracy beats snownlp's.
    """
    categories = np.asarray(reviews.categories)
    names = ["domain"]
    accuracies: list[list[float]] = [[r.accuracy for r in results]]
    aucs: list[list[float]] = [[r.auc for r in results]]
    if reference is not None:
        masks = [categories == r.category for r in results]
        names.append("snownlp")
        accuracies.append([accuracy(reviews.labels[m], reference[m]) for m in masks])
        aucs.append([roc_auc(reviews.labels[m], reference[m]) for m in masks])
    for name, figures in others:
        names.append(name)
        accuracies.append([r.accuracy for r in figures])
        aucs.append([r.auc for r in figures])
    headers = ["held-out category", "texts"]
    for name in names:
        headers += [f"{name} acc", f"{name} AUC"]
    rows = []
    for i, result in enumerate(results):
        cells = [result.category, str(result.texts)]
        for acc, auc in zip(accuracies, aucs, strict=True):
            cells += [f"{acc[i]:.4f}", f"{auc[i]:.4f}"]
        rows.append(cells)
    mean = ["mean of categories", str(sum(r.texts for r in results))]
    for acc, auc in zip(accuracies, aucs, strict=True):
        mean += [f"{np.mean(acc):.4f}", f"{np.mean(auc):.4f}"]
    rows.append(mean)
    if reference is not None:
        wins = ["beats snownlp (acc)", ""]
        for name, acc in zip(names, accuracies, strict=True):
            count = sum(a > s for a, s in zip(acc, accuracies[1], strict=True))
            wins += ["" if name == "snownlp" else f"{count} of {len(acc)}", ""]
        rows.append(wins)
    return format_table(headers, rows)
