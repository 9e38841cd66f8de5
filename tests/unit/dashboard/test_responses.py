"""AppTests of 响应与满意度 Responses & satisfaction: first reply per group, the backlog, CSAT,
NPS and stars over time, regions side by side; figures checked against the seeded events."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from tests.unit.dashboard.conftest import Seeded, scored


def frame_with(at: Any, column: str) -> Any:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def seeded_waits(seeded: Seeded) -> list[float]:
    """The seeded chat conversations answered within the hour: waits in hours."""
    asked = {
        e.thread_id: e.created_at
        for e in seeded.events
        if e.thread_id and not e.is_staff_reply and e.channel == "chat"
    }
    answered = {
        e.thread_id: e.created_at for e in seeded.events if e.thread_id and e.is_staff_reply
    }
    return sorted((answered[t] - asked[t]).total_seconds() / 3600 for t in answered)


class TestFirstReply:
    def test_per_channel_figures_match_the_events(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="responses")
        assert not at.exception, at.exception
        assert at.title[0].value == "响应与满意度"
        metrics = {m.label: m.value for m in at.metric}
        chats = [
            e for e in seeded.events if e.channel == "chat" and not e.is_staff_reply
        ]  # every customer chat message is its own conversation (its own thread or id)
        assert metrics["会话数"] == str(len(chats))
        waits = seeded_waits(seeded)
        assert metrics["已回复"] == str(len(waits))
        assert metrics["中位数"] == "30 分钟"  # every answer came half an hour later
        assert statistics.median(waits) == 0.5
        table = frame_with(at, "within")
        assert list(table["value"]) == ["在线客服"]

    def test_by_department_from_the_url_and_in_english(self, seeded: Seeded, app_for: Any) -> None:
        seeded.store.add_scored(
            [
                scored(801, "email", 30, department="物流部", external_id="mail-801"),
                scored(
                    802,
                    "email",
                    28,
                    is_staff_reply=True,
                    reply_to="mail-801",
                    external_id="re-801",
                ),
            ]
        )
        at = app_for(page="responses", query={"by": "department"}, lang="en")
        assert not at.exception, at.exception
        table = frame_with(at, "within").set_index("value")
        assert table.at["物流部", "median"] == "2.0 h"
        assert "(not given)" in table.index  # the chats name no department


class TestBacklog:
    def test_waiting_conversations_by_age_and_the_export(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        at = app_for(page="responses")
        waiting = [
            e
            for e in seeded.events
            if e.channel == "chat"
            and not e.is_staff_reply
            and e.thread_id not in {r.thread_id for r in seeded.events if r.is_staff_reply}
        ]
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["等待中"] == str(len(waiting))
        oldest = frame_with(at, "waited")
        assert len(oldest) == len(waiting)
        assert list(oldest["asked_at"]) == sorted(oldest["asked_at"])  # longest waiting first
        assert len(at.get("download_button")) == 4  # the waits' file, then the backlog's


class TestSatisfaction:
    def test_csat_nps_and_stars_per_day(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="responses", query={"days": "14"})
        assert not at.exception, at.exception
        charts = at.get("vega_lite_chart")
        assert len(charts) >= 5  # waits, backlog, CSAT, NPS, stars (and the comparison)
        assert "按北京时间的自然日" in "\n".join(c.value for c in at.caption)


class TestSideBySide:
    def test_regions_side_by_side(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="responses", query={"compare": "region"})
        assert not at.exception, at.exception
        table = frame_with(at, "rating").set_index("value")
        since = seeded.now + timedelta(minutes=1) - timedelta(days=7)
        customers = [e for e in seeded.events if not e.is_staff_reply and e.created_at >= since]
        for region in ("广东", "浙江"):
            mine = [e for e in customers if e.region == region]
            assert table.at[region, "volume"] == len(mine)
            rate = sum(e.is_complaint for e in mine) / len(mine)
            assert table.at[region, "complaint_rate"] == f"{rate:.1%}"
        assert table.at["浙江", "median"] == "30 分钟"
        at = app_for(page="responses", query={"compare": "stage"})
        assert set(frame_with(at, "rating")["value"]) >= {"售后", "售中"}

    def test_roles_that_see_it(self, seeded: Seeded, app_for: Any) -> None:
        for user in ("lin", "mei", "wang"):
            assert not app_for(user=user, page="responses").exception
