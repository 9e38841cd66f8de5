"""Resumable reading of CSV and JSON-lines files (offsets, half-written lines, replaced files)."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.tail import FileMark, read_from


def rows(path: Path, fmt: str, mark: FileMark, final: bool = True) -> list[tuple[str, object]]:
    return [
        (row.locator, row.fields or row.error) for row, _ in read_from(path, fmt, mark, final=final)
    ]


def last_mark(path: Path, fmt: str, mark: FileMark, final: bool = True) -> FileMark:
    result = mark
    for _, after in read_from(path, fmt, mark, final=final):
        result = after
    return result


class TestCsv:
    def test_quoted_newlines_bom_and_resume(self, tmp_path: Path) -> None:
        path = tmp_path / "r.csv"
        path.write_bytes('\ufeffid,text\n1,"第一行\n第二行"\n2,好\n'.encode())
        got = rows(path, "csv", FileMark())
        assert got == [
            ("r.csv:2", {"id": "1", "text": "第一行\n第二行"}),
            ("r.csv:4", {"id": "2", "text": "好"}),
        ]
        mark = last_mark(path, "csv", FileMark())
        assert mark.offset == path.stat().st_size and mark.header == ("id", "text")
        with path.open("a", encoding="utf-8") as fh:
            fh.write("3,追加\n")
        assert rows(path, "csv", mark) == [("r.csv:5", {"id": "3", "text": "追加"})]

    def test_half_written_line_waits_unless_final(self, tmp_path: Path) -> None:
        path = tmp_path / "r.csv"
        path.write_text("id,text\n1,a\n2,b", encoding="utf-8")
        assert [loc for loc, _ in rows(path, "csv", FileMark(), final=False)] == ["r.csv:2"]
        assert [loc for loc, _ in rows(path, "csv", FileMark(), final=True)] == [
            "r.csv:2",
            "r.csv:3",
        ]

    def test_short_rows_and_unclosed_quotes_are_errors(self, tmp_path: Path) -> None:
        path = tmp_path / "r.csv"
        path.write_text('id,text,stars\n1,a\n2,"never closed\n', encoding="utf-8")
        reasons = [getattr(e, "reason", None) for _, e in rows(path, "csv", FileMark())]
        assert reasons == ["bad_csv", "bad_csv"]

    def test_replaced_file_is_read_from_the_start(self, tmp_path: Path) -> None:
        path = tmp_path / "r.csv"
        path.write_text("id,text\n1,a\n2,b\n", encoding="utf-8")
        mark = last_mark(path, "csv", FileMark())
        path.unlink()
        path.write_text("id,text\n9,z\n", encoding="utf-8")
        os.utime(path)
        assert rows(path, "csv", mark) == [("r.csv:2", {"id": "9", "text": "z"})]


class TestJsonLines:
    def test_each_line_is_a_record_or_a_reason(self, tmp_path: Path) -> None:
        path = tmp_path / "r.jsonl"
        path.write_bytes(b'{"id": 1}\n\n[1]\n\xff\xfe\n{"id": 2}')
        got = rows(path, "jsonl", FileMark())
        assert got[0] == ("r.jsonl:1", {"id": 1})
        assert [getattr(e, "reason", None) for _, e in got[1:3]] == ["wrong_type", "bad_encoding"]
        assert got[3] == ("r.jsonl:5", {"id": 2})
        assert len(rows(path, "jsonl", FileMark(), final=False)) == 3
