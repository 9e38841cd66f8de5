"""Excel workbooks: rows after the header, resumed by row count, a broken file as one record."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from ingest.tail import FileMark, read_from


def test_rows_dates_and_resume(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "评论", "时间", "评分"])
    sheet.append(["a", "很好", datetime(2026, 11, 20, 10, 0), 5.0])
    sheet.append([None, None, None, None])
    sheet.append(["b", "一般", "2026-11-21", 3])
    book.save(path)
    got = list(read_from(path, "xlsx", FileMark()))
    assert [row.fields for row, _ in got] == [
        {"编号": "a", "评论": "很好", "时间": "2026-11-20T10:00:00", "评分": 5},
        {"编号": "b", "评论": "一般", "时间": "2026-11-21", "评分": 3},
    ]
    assert [row.locator for row, _ in got] == ["r.xlsx:2", "r.xlsx:4"]
    mark = got[-1][1]
    sheet.append(["c", "新增", "2026-11-22", 4])
    book.save(path)
    again = [row.fields["编号"] for row, _ in read_from(path, "xlsx", mark) if row.fields]
    assert again == ["c"]


def test_a_file_that_is_not_a_workbook_is_one_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    [(row, _)] = list(read_from(path, "xlsx", FileMark()))
    assert row.error is not None and row.error.reason == "bad_file"
