"""Digests: the daily and weekly content checked against the seeded events, the charts as PNG
(written to test-artifacts/digests/ to be looked at), and the renderings for email and chat."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from alerts.digest import Digest
from alerts.digest_charts import CJK_FONTS, cjk_font
from alerts.digest_daily import build_daily, local_days
from alerts.digest_render import build_email, md, render_markdown, write_files
from alerts.digest_weekly import build_weekly
from dashboard.auth import PAGES
from radar.events import ScoredEvent
from radar.i18n import Locale
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.improvements import record_improvement
from radar.store.rollups import ResponseSla
from tests.needs import missing
from tests.unit.dashboard.conftest import scored, seed_events, seed_incidents, start_clock

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "test-artifacts" / "digests"
PNG = b"\x89PNG\r\n\x1a\n"
BEIJING = Locale.of("zh", "Asia/Shanghai")
SNEAKY = "怎么退款？[点这里](http://evil.example) **急**"


def font() -> str:
    found = cjk_font(None)
    if found is None:
        names = ", ".join(CJK_FONTS[:2])
        missing(f"no CJK font for the charts ({names}…): apt-get install fonts-noto-cjk")
    return found


@pytest.fixture
def store(isolated_settings: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store on SQLite and on a real PostgreSQL: every digest is built from both."""
    start_clock()
    monkeypatch.setenv("RADAR_STORE_URL", store_url)
    return Store.from_settings(CoreSettings())


def yesterday_events(now: datetime) -> list[ScoredEvent]:
    """A day of feedback yesterday (Beijing time) and a thinner day before it."""
    since, _ = local_days(now, BEIJING, 1)
    hours_back = (now - since).total_seconds() / 3600
    batch = []
    n = 5000
    for k in range(48):  # one every half hour of yesterday
        n += 1
        complaint = k % 3 == 0
        batch.append(
            scored(
                n,
                "chat" if k % 2 else "review",
                hours_back - k / 2 - 0.25,
                text="快递太慢了" if complaint else "挺好的",
                is_complaint=complaint,
                topics=["物流配送"] if complaint else [],
                csat=5 if k % 4 == 0 else None,
                nps=9 if k % 8 == 0 else None,
                thread_id=f"t{n}",
            )
        )
        if k % 2 and k < 40:  # half the chats answered after 20 minutes
            n += 1
            batch.append(
                scored(
                    n,
                    "chat",
                    hours_back - k / 2 - 0.25 - 1 / 3,
                    is_staff_reply=True,
                    thread_id=f"t{n - 1}",
                )
            )
    for k in range(12):  # the day before
        n += 1
        batch.append(
            scored(
                n,
                "review",
                hours_back + 2 + k,
                is_complaint=k < 2,
                topics=["物流配送"] if k < 2 else [],
            )
        )
    return batch


def daily(store: Store, now: datetime, locale: Locale = BEIJING) -> Digest:
    return build_daily(
        store, now, locale, sla=ResponseSla(6.0), dashboard_url="http://radar.example", font=font()
    )


class TestDaily:
    def test_figures_match_yesterdays_events(self, store: Store) -> None:
        now = datetime.now(UTC)
        batch = yesterday_events(now)
        store.add_scored(batch)
        seed_incidents(store)
        digest = build_daily(
            store,
            now,
            BEIJING,
            sla=ResponseSla(6.0),
            dashboard_url="http://radar.example:8501",
            font=font(),
        )
        since, until = local_days(now, BEIJING, 1)
        day = [e for e in batch if since <= e.created_at < until and not e.is_staff_reply]
        complaints = sum(e.is_complaint for e in day)
        assert digest.title == f"【日报】客服舆情日报 · {BEIJING.local(since).date()}"
        text = "\n".join(line for s in digest.sections for line in s.lines)
        assert f"反馈 {len(day)} 条" in text
        assert f"投诉 {complaints} 条，投诉率 {complaints / len(day):.1%}" in text
        assert "首次回复中位数 20 分钟" in text
        assert "共 1 个" in text  # the seeded open incident
        topics = next(s for s in digest.sections if s.title == "投诉最多的话题")
        assert topics.table is not None and topics.table.rows[0][:2] == [
            "物流配送",
            str(complaints),
        ]
        assert {c.name for c in digest.charts} == {"hourly", "replies", "satisfaction"}
        for chart in digest.charts:
            assert chart.png.startswith(PNG) and len(chart.png) > 10_000

    def test_every_link_opens_a_page_the_dashboard_serves(self, store: Store) -> None:
        store.add_scored(yesterday_events(datetime.now(UTC)))
        links = [s.link for s in daily(store, datetime.now(UTC)).sections if s.link]
        assert links
        home, *others = PAGES  # the first page is served at the root URL, not under its name
        for link in links:
            path = urlsplit(link).path.strip("/")
            assert path in others or (path == "" and home == "overview"), link

    def test_in_english(self, store: Store) -> None:
        now = datetime.now(UTC)
        store.add_scored(yesterday_events(now))
        digest = build_daily(
            store,
            now,
            Locale.of("en", "Asia/Shanghai"),
            sla=ResponseSla(6.0),
            dashboard_url="http://x",
            font=font(),
        )
        assert digest.title.startswith("[Daily] Customer feedback")
        assert any("complaint rate" in line for s in digest.sections for line in s.lines)


class TestWeekly:
    def test_rising_topics_products_faq_and_improvements(self, store: Store) -> None:
        seed_events(store)
        now = datetime.now(UTC)
        batch = []
        for n in range(40):  # a question asked often this week, and a product going wrong
            batch.append(
                scored(
                    6000 + n,
                    "chat",
                    24 + n,
                    text="发票怎么开？" if n % 2 else SNEAKY,
                    product="耳机",
                    is_complaint=n % 2 == 0,
                    topics=["售后服务"] if n % 2 == 0 else [],
                )
            )
            batch.append(scored(6100 + n, "review", 24 * 8 + n, product="耳机", text="音质不错"))
        store.add_scored(batch)
        record_improvement(
            store,
            title="平板质检加严",
            topic="商品质量",
            shipped_at=now - timedelta(days=5),
            owner="wang",
            created_by="wang",
        )
        digest = build_weekly(store, now, BEIJING, dashboard_url="http://x", font=font())
        assert digest.title.startswith("【周报】产品反馈周报")
        by_title = {s.title: s for s in digest.sections}
        rising = by_title["上升最快的投诉话题"].table
        assert rising is not None and "售后服务" in [r[0] for r in rising.rows]
        products = by_title["投诉率上升最多的产品"].table
        assert products is not None and products.rows[0][0] == "耳机"
        faq = by_title["FAQ 候选（本周的常见问题）"].table
        assert faq is not None and any("发票" in r[0] for r in faq.rows)
        effects = by_title["改进效果"].table
        assert effects is not None and effects.rows[0][0] == "平板质检加严"
        assert {"topics", "products"} <= {c.name for c in digest.charts}
        SHOTS.mkdir(parents=True, exist_ok=True)
        write_files(digest, SHOTS / "weekly")
        markdown = render_markdown(digest)
        assert "[点这里](http" not in markdown  # a customer's words never become a link
        assert md("[点这里](http://evil.example)") in markdown or "点这里" not in markdown


class TestRendering:
    def test_email_has_every_chart_inline(self, store: Store) -> None:
        now = datetime.now(UTC)
        store.add_scored(yesterday_events(now))
        digest = build_daily(
            store, now, BEIJING, sla=ResponseSla(6.0), dashboard_url="http://x", font=font()
        )
        mail = message_from_bytes(
            bytes(build_email(digest, "radar@shop.example", ["boss@shop.example"])),
            policy=policy.default,
        )
        assert mail["Subject"] == "[Radar] " + digest.title
        assert mail.get_content_type() == "multipart/alternative"
        text, related = mail.get_payload()
        assert text.get_content_type() == "text/plain"
        assert related.get_content_type() == "multipart/related"
        html, *images = related.get_payload()
        cids = set(re.findall(r'src="cid:([^"]+)"', html.get_content()))
        assert len(images) == len(digest.charts) == len(cids)
        assert {i["Content-ID"].strip("<>") for i in images} == cids
        assert all(i.get_content().startswith(PNG) for i in images)

    def test_the_daily_charts_as_files(self, store: Store) -> None:
        """Writes test-artifacts/digests/daily/: the HTML and its PNG charts, to look at."""
        now = datetime.now(UTC)
        store.add_scored(yesterday_events(now))
        seed_incidents(store)
        digest: Digest = daily(store, now)
        page = write_files(digest, SHOTS / "daily")
        assert page.read_text(encoding="utf-8").count('<img src="') == len(digest.charts)
        assert (SHOTS / "daily" / "hourly.png").read_bytes().startswith(PNG)
