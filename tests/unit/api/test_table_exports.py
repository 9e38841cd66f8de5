"""Key figures, response times and the incident list as CSV and Excel from the API
(``format=csv|xlsx``): the same numbers as the JSON, within the caller's shops, headings in
the reader's language, formulas kept as text."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from alerts.incidents import open_incident
from tests.unit.api.conftest import NOW, Client, Seeded

WEEK = {"since": "2026-11-13T06:00:00Z", "until": "2026-11-20T06:00:01Z"}
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/","点我")'


def rows_of(answer_content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(answer_content.decode("utf-8-sig"))))


class TestKeyFigures:
    def test_csv_has_the_total_then_each_group_as_the_json(self, client: Client) -> None:
        params = {**WEEK, "by": "shop"}
        data = client("bi").get("/api/v1/kpis", params=params).json()
        answer = client("bi").get("/api/v1/kpis", params={**params, "format": "csv"})
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"].startswith("text/csv")
        assert "radar-kpis-" in answer.headers["Content-Disposition"]
        rows = rows_of(answer.content)
        assert rows[0]["店铺"] == "合计"
        assert int(rows[0]["消息数"]) == data["total"]["volume"]
        assert int(rows[0]["投诉数"]) == data["total"]["complaints"]
        by_shop = {r["店铺"]: int(r["消息数"]) for r in rows[1:]}
        assert by_shop == {g["shop"]: g["volume"] for g in data["groups"]}
        assert set(by_shop) == {"旗舰店", "专营店"}
        rate = float(rows[0]["投诉率"])
        assert abs(rate - data["total"]["complaint_rate"]) < 1e-4

    def test_a_shop_scoped_client_exports_its_shop_only(self, client: Client) -> None:
        params = {**WEEK, "by": "shop", "format": "csv"}
        rows = rows_of(client("flagship-desk").get("/api/v1/kpis", params=params).content)
        mine = client("flagship-desk").get("/api/v1/kpis", params=WEEK).json()["total"]
        assert [r["店铺"] for r in rows] == ["合计", "旗舰店"]
        assert int(rows[0]["消息数"]) == mine["volume"]

    def test_excel_in_english_by_channel(self, client: Client) -> None:
        answer = client("bi").get(
            "/api/v1/kpis", params={**WEEK, "by": "channel", "format": "xlsx", "lang": "en"}
        )
        book = load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == ["Key figures"]
        values = list(book["Key figures"].iter_rows(values_only=True))
        assert values[0][:3] == ("Channel", "Messages", "Complaints")
        assert [v[0] for v in values[1:]] == ["Total", "Chat"]


class TestResponseTimes:
    def test_excel_holds_the_waits_and_the_backlog(self, client: Client) -> None:
        params = {**WEEK, "by": "channel"}
        data = client("bi").get("/api/v1/response-times", params=params).json()
        answer = client("bi").get("/api/v1/response-times", params={**params, "format": "xlsx"})
        book = load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == ["首次回复时间", "待回复积压"]
        waits = list(book["首次回复时间"].iter_rows(values_only=True))
        assert waits[0] == (
            "渠道",
            "会话数",
            "已回复",
            "等待中位数（小时）",
            "等待 P90（小时）",
            "SLA 内回复率",
        )
        assert waits[1][:3] == ("合计", data["total"]["conversations"], data["total"]["answered"])
        backlog = list(book["待回复积压"].iter_rows(values_only=True))
        assert sum(row[2] for row in backlog[1:]) == sum(
            b["conversations"] for b in data["backlog"]
        )
        assert {row[1] for row in backlog[1:]} == {"在线客服"}

    def test_csv_holds_the_waits(self, client: Client) -> None:
        answer = client("bi").get("/api/v1/response-times", params={**WEEK, "format": "csv"})
        rows = rows_of(answer.content)
        assert rows[0]["渠道"] == "合计" and "会话数" in rows[0]


class TestIncidentList:
    def test_scoped_and_formula_safe(self, client: Client, seeded: Seeded) -> None:
        hostile = open_incident(
            seeded.store,
            group_key="g-hostile",
            rule="topic-spike",
            type="spike",
            title=HOSTILE_TITLE,
            severity=1,
            key={"shop": "旗舰店", "topic": "物流配送"},
            now=NOW - timedelta(minutes=5),
        )
        answer = client("flagship-desk").get("/api/v1/incidents", params={"format": "csv"})
        assert answer.status_code == 200
        rows = rows_of(answer.content)
        assert [r["事件编号"] for r in rows] == [hostile.id, seeded.flagship_incident]
        assert rows[0]["标题"] == "'" + HOSTILE_TITLE
        assert rows[1]["状态"] == "待处理" and rows[1]["类型"] == "投诉激增"
        assert "开启时间（北京时间）" in rows[0]
        assert rows[1]["开启时间（北京时间）"] == "2026-11-20 13:30:00"
        everyone = rows_of(client("bi").get("/api/v1/incidents", params={"format": "csv"}).content)
        assert seeded.other_incident in {r["事件编号"] for r in everyone}
        book = load_workbook(
            io.BytesIO(client("bi").get("/api/v1/incidents", params={"format": "xlsx"}).content)
        )
        cells = [row[1] for row in book["事件列表"].iter_rows(min_row=2)]
        title = next(c for c in cells if c.value == HOSTILE_TITLE)
        assert title.data_type == "s" and title.quotePrefix
