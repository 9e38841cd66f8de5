"""Digests of some shops: ``radar digest --now --shop``, the daily and weekly digests counting
those shops' messages and incidents only, and a schedule that names shops per receiver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from alerts.config import RulesConfig
from alerts.digest_cli import digest as digest_command
from alerts.digest_daily import build_daily, local_days
from alerts.digest_schedule import DigestService, DigestSettings
from alerts.digest_weekly import build_weekly
from alerts.incidents import open_incident
from radar.clock import ManualClock
from radar.events import ScoredEvent
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.rollups import ResponseSla
from tests.unit.alerts.conftest import rules
from tests.unit.alerts.test_digest import BEIJING, font, yesterday_events
from tests.unit.dashboard.conftest import start_clock

SHOPS = ("旗舰店", "专营店")
RULES = """
receivers:
  - name: flagship-log
    log: {}
  - name: everyone-log
    log: {}
rules:
  - name: all
    match: {}
    receivers: [everyone-log]
"""


@pytest.fixture
def store(isolated_settings: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store on SQLite and on a real PostgreSQL."""
    start_clock()
    monkeypatch.setenv("RADAR_STORE_URL", store_url)
    return Store.from_settings(CoreSettings())


def shop_day(store: Store, now: datetime) -> list[ScoredEvent]:
    """Yesterday's feedback, every third message the second shop's."""
    batch = [
        e.model_copy(update={"shop": SHOPS[1] if n % 3 == 0 else SHOPS[0]})
        for n, e in enumerate(yesterday_events(now))
    ]
    store.add_scored(batch)
    for shop in SHOPS:
        open_incident(
            store,
            group_key=f"g-{shop}",
            rule="r",
            type="spike",
            title=f"投诉激增：{shop}",
            severity=2,
            key={"shop": shop, "topic": "物流配送"},
            now=now - timedelta(hours=1),
        )
    return batch


def lines_of(digest: Any) -> str:
    return "\n".join(line for s in digest.sections for line in s.lines)


class TestBuilt:
    def test_the_daily_digest_of_one_shop(self, store: Store) -> None:
        now = datetime.now(UTC)
        batch = shop_day(store, now)
        since, until = local_days(now, BEIJING, 1)
        day = [e for e in batch if since <= e.created_at < until and not e.is_staff_reply]
        mine = [e for e in day if e.shop == SHOPS[1]]
        assert 0 < len(mine) < len(day)
        digest = build_daily(
            store,
            now,
            BEIJING,
            sla=ResponseSla(6.0),
            dashboard_url="http://radar.example",
            font=font(),
            shops=(SHOPS[1],),
        )
        assert digest.title.endswith(" · 专营店") and digest.shops == (SHOPS[1],)
        text = lines_of(digest)
        assert f"反馈 {len(mine)} 条" in text
        complaints = sum(e.is_complaint for e in mine)
        assert f"投诉 {complaints} 条" in text
        incidents = next(s for s in digest.sections if s.table and "事件" in s.table.headings[0])
        assert [row[0] for row in incidents.table.rows] == ["投诉激增：专营店"]
        assert all("shop=%E4%B8%93%E8%90%A5%E5%BA%97" in s.link for s in digest.sections if s.link)
        every = build_daily(
            store,
            now,
            BEIJING,
            sla=ResponseSla(6.0),
            dashboard_url="http://radar.example",
            font=font(),
        )
        assert f"反馈 {len(day)} 条" in lines_of(every) and every.shops == ()
        assert every.id != digest.id  # a shop's digest is a message of its own

    def test_the_weekly_digest_of_one_shop(self, store: Store) -> None:
        now = datetime.now(UTC)
        shop_day(store, now)
        digest = build_weekly(
            store, now, BEIJING, dashboard_url="http://x", font=font(), shops=(SHOPS[0],)
        )
        assert digest.title.endswith(" · 旗舰店")
        rising = next(s for s in digest.sections if s.link and "complaints" in s.link)
        assert rising.link.endswith("&shop=%E6%97%97%E8%88%B0%E5%BA%97")
        nobody = build_weekly(
            store, now, BEIJING, dashboard_url="http://x", font=font(), shops=("无此店",)
        )
        assert nobody.sections[0].table is None  # no complaints in a shop with no messages


class TestSent:
    def test_radar_digest_now_with_shops(self, store: Store, tmp_path: Path) -> None:
        shop_day(store, datetime.now(UTC))
        runner = CliRunner()
        with runner.isolated_filesystem(temp_dir=tmp_path):
            args = ["--now", "--shop", "专营店", "--shop", "旗舰店", "--out", "preview"]
            result = runner.invoke(digest_command, args)
            assert result.exit_code == 0, result.output
            page = Path("preview/index.html").read_text(encoding="utf-8")
        assert "专营店、旗舰店" in page

    def test_a_schedule_names_shops_per_receiver(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        now = datetime.now(UTC)
        shop_day(store, now)
        monkeypatch.setenv("RADAR_DIGEST_SHOPS", '{"flagship-log": ["旗舰店"]}')
        settings = DigestSettings(daily_to=["flagship-log", "everyone-log"], daily_at="00:00")
        assert settings.shops_of("flagship-log") == ("旗舰店",)
        assert settings.shops_of("everyone-log") is None
        sent: dict[str, tuple[str, ...]] = {}

        def send(digest: Any, name: str, receiver: Any, **_: Any) -> str:
            sent[name] = digest.shops
            return "ok"

        config: RulesConfig = rules(RULES)
        midnight = local_days(now, BEIJING, 1)[1]  # today's 00:00 in Beijing: the digest is due
        service = DigestService(
            store,
            config,
            core=CoreSettings(),
            settings=settings,
            sla=ResponseSla(6.0),
            send=send,
            clock=ManualClock(midnight + timedelta(minutes=5)),
        )
        service.tick()
        assert sent == {"flagship-log": ("旗舰店",), "everyone-log": ()}

    def test_a_misspelt_receiver_in_shops_fails_at_start(self, store: Store) -> None:
        with pytest.raises(KeyError, match="flagship-lg"):
            DigestService(
                store,
                rules(RULES),
                core=CoreSettings(),
                settings=DigestSettings(shops={"flagship-lg": ["旗舰店"]}),
                sla=ResponseSla(6.0),
            )
