"""Download buttons for the overview's key figures, the incident lists and the time to first
reply (AppTest), and the files behind them: the numbers the pages show, headings in the
reader's language, formulas kept as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from alerts import list_incidents
from alerts.incidents import open_incident
from dashboard.analysis import kpis
from dashboard.queries import exports, overview, responses
from dashboard.queries.filters import Filters
from radar.i18n import Locale
from radar.store.rollups import ResponseSla
from tests.unit.dashboard.conftest import Seeded

ZH, EN = Locale.of("zh"), Locale.of("en")


def buttons(at: Any) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


class TestOverview:
    def test_buttons_and_the_file_hold_the_figures_shown(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        at = app_for(page="overview")
        assert not at.exception, at.exception
        assert buttons(at) == ["导出 Excel", "导出 CSV"]
        shown = {m.label: m.value for m in at.metric}
        # the page's own steps (the roll-ups are fresh: the page refreshed them)
        until = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        since, before = until - timedelta(days=7), until - timedelta(days=14)
        frame = overview.hourly(seeded.store, before, until)
        cut = int(since.timestamp() * 1000)
        compared = kpis.compare(
            kpis.per_channel(frame[frame["hour"] >= cut]),
            kpis.per_channel(frame[frame["hour"] < cut]),
        )
        rows = csv_rows(exports.sheets_file([exports.overview_sheet(compared, ZH)], "csv", ZH))
        assert list(rows[0]) == ["渠道", "指标", "本期", "上期", "变化"]
        assert rows[0]["渠道"] == "全部"  # all channels first
        overall = {r["指标"]: r for r in rows if r["渠道"] == "全部"}
        assert int(float(overall["反馈量"]["本期"])) == int(shown["反馈量"].replace(",", ""))
        rate = float(overall["投诉率"]["本期"])
        assert f"{rate:.1%}" == shown["投诉率"]
        assert {"在线客服", "评价", "问卷"} <= {r["渠道"] for r in rows}

    def test_english_excel(self) -> None:
        compared = pd.DataFrame(
            [
                {"channel": "chat", "metric": "volume", "value": 4.0, "previous": 2.0},
                {"channel": "all", "metric": "volume", "value": 9.0, "previous": None},
            ]
        ).assign(change=[1.0, None])
        data = exports.sheets_file([exports.overview_sheet(compared, EN)], "xlsx", EN)
        sheet = load_workbook(io.BytesIO(data))["Overview"]
        values = list(sheet.iter_rows(values_only=True))
        assert values[0] == ("Channel", "Metric", "This period", "Previous period", "Change")
        assert values[1][:3] == ("All", "Volume", 9) and values[1][3] in (None, "")
        assert values[2][:2] == ("Chat", "Volume")


class TestIncidentLists:
    def test_open_and_past_lists_each_have_buttons(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(user="lin", page="incidents")
        assert not at.exception, at.exception
        assert buttons(at) == ["导出 Excel", "导出 CSV"] * 2  # open incidents, then past ones
        at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
        assert len(buttons(at)) == 6  # and the chosen incident's evidence

    def test_the_file_lists_the_incidents_titles_as_text(self, seeded: Seeded) -> None:
        hostile = open_incident(
            seeded.store,
            group_key="g-hostile",
            rule="r",
            type="spike",
            title="=cmd|' /C calc'!A0",
            severity=1,
            key={"topic": "物流配送"},
            now=seeded.now,
        )
        found = list_incidents(seeded.store, status="open", limit=200)
        rows = csv_rows(exports.incidents_file(found, "csv", ZH))
        assert [r["事件编号"] for r in rows] == [i.id for i in found]
        assert hostile.id in {r["事件编号"] for r in rows}
        assert "'=cmd|' /C calc'!A0" in {r["标题"] for r in rows}
        assert {r["状态"] for r in rows} <= {"待处理", "已确认"}
        book = load_workbook(io.BytesIO(exports.incidents_file(found, "xlsx", EN)))
        headings = next(book["Incidents"].iter_rows(max_row=1, values_only=True))
        assert "Opened (Beijing time)" in headings


class TestFirstReply:
    def test_buttons_and_the_file_hold_the_waits_shown(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="responses")
        assert not at.exception, at.exception
        assert buttons(at) == ["导出 Excel", "导出 CSV"] * 2  # the waits, then the backlog
        shown = {m.label: m.value for m in at.metric}
        until = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        filters = Filters(until - timedelta(days=7), until)
        total, groups = responses.first_reply(
            seeded.store, filters, "channel", ResponseSla(6.0), until
        )
        rows = csv_rows(exports.waits_file(total, groups, "channel", "csv", ZH))
        assert list(rows[0]) == [
            "渠道",
            "会话数",
            "已回复",
            "等待中位数（小时）",
            "等待 P90（小时）",
            "SLA 内回复率",
        ]
        assert rows[0]["渠道"] == "合计"
        assert rows[0]["会话数"] == shown["会话数"] and rows[0]["已回复"] == shown["已回复"]
        assert float(rows[0]["等待中位数（小时）"]) == 0.5  # the page says 30 分钟
        assert [r["渠道"] for r in rows[1:]] == ["在线客服"]
