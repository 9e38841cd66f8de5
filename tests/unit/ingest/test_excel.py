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


def _patched(tmp_path: Path, name: str, part: str, xml: bytes) -> Path:
    """A real workbook with one of its XML parts replaced."""
    import zipfile

    plain = tmp_path / "plain.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "评论"])
    sheet.append(["a", "很好"])
    book.save(plain)
    path = tmp_path / name
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, xml if item.filename == part else source.read(item))
    return path


def test_a_zip_bomb_is_one_bad_record_without_unpacking_it(tmp_path: Path) -> None:
    """A 20 MB part packed into a few kB: openpyxl parses such parts (the theme, the shared
    strings) whole, even in read-only mode."""
    bomb = b'<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    bomb += b"<!--" + b"0" * 20_000_000 + b"--></a:theme>"
    path = _patched(tmp_path, "bomb.xlsx", "xl/theme/theme1.xml", bomb)
    assert path.stat().st_size < 100_000
    [(row, _)] = list(read_from(path, "xlsx", FileMark()))
    assert row.error is not None and row.error.reason == "bad_file"
    assert "zip bomb" in str(row.error)


def test_rows_are_read_no_wider_than_the_header(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "评论"])
    sheet.append(["a", "很好"])
    sheet.cell(row=2, column=16_000, value="far away")
    book.save(path)
    [(row, _)] = list(read_from(path, "xlsx", FileMark()))
    assert row.fields == {"编号": "a", "评论": "很好"}


def test_a_number_python_will_not_read_ends_the_sheet_as_a_bad_record(tmp_path: Path) -> None:
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (
        b"<worksheet " + ns + b"><sheetData>"
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        b'<row r="2"><c r="A2"><v>' + b"9" * 5000 + b"</v></c></row>"
        b"</sheetData></worksheet>"
    )
    path = _patched(tmp_path, "digits.xlsx", "xl/worksheets/sheet1.xml", sheet)
    rows = list(read_from(path, "xlsx", FileMark()))
    assert rows[-1][0].error is not None and rows[-1][0].error.reason == "bad_file"
