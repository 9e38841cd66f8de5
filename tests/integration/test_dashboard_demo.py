"""The running demo in headless Chromium: every view, a live incident acknowledged, screenshots.

``radar demo`` starts Kafka, the worker, the alert service, the dashboard and
the generated feed (two days of history at 1,200 items a day here, so the worker
stores it within the wait below on a busy two-core machine). The walk signs in as the demo's
admin (password printed by the demo), waits for an incident the feed scripts
(complaints left unanswered past the SLA), acknowledges it, silences its scope
and expires the silence, records an improvement action, and saves a full-page
screenshot of each view in ``test-artifacts/dashboard/`` (the docs' tour uses them).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import alerts
from radar.localtime import local, zone
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.audit import recent_actions
from radar.store.improvements import list_improvements
from radar.store.tables import events
from tests.browser import chromium_page
from tests.integration.conftest import RADAR, ROOT, free_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(240),  # about 90 s when it passes; the waits below are bounded too
]

SHOTS = ROOT / "test-artifacts" / "dashboard"
PASSWORD = re.compile(r"sign in as admin / (\S+)")


@contextmanager
def running_demo(log: Path) -> Iterator[tuple[str, str]]:
    """``radar demo`` on free ports; yields (dashboard URL, admin password); Ctrl-C at the end."""
    port, broker, controller = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "RADAR_BROKER_PORT": str(broker),
        "RADAR_BROKER_CONTROLLER_PORT": str(controller),
        "RADAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{broker}",
        "RADAR_DASHBOARD_CACHE_TTL_S": "5",  # the walk waits for a live incident
    }
    command = [RADAR, "demo", "--days", "2", "--per-day", "1200", "--rate", "60"]
    command += ["--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 150
        while "Radar is running" not in log.read_text(encoding="utf-8", errors="replace"):
            assert process.poll() is None, f"radar demo exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"radar demo did not start:\n{log.read_text()}"
            time.sleep(1)
        found = PASSWORD.search(log.read_text(encoding="utf-8"))
        assert found, "radar demo printed no admin password"
        yield f"http://127.0.0.1:{port}", found.group(1)
    finally:
        process.terminate()  # like Ctrl-C: the demo stops its children and the broker
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def shot(page: Any, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, not the window."""
    page.wait_for_timeout(1500)  # let charts finish drawing
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 40)})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / f"dashboard-{name}.png"), full_page=True)
    page.set_viewport_size(size)


def open_view(page: Any, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)


def wait_for(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout_s:.0f}s"
        time.sleep(2)
    return found


def backfill_stored(store: Store) -> bool:
    """The feed's history is in the store (its newest events are minutes old)."""
    with store.engine.connect() as conn:
        newest = conn.execute(select(func.max(events.c.created_at))).scalar()
    return newest is not None and newest > datetime.now(UTC) - timedelta(minutes=30)


def unanswered_incident(store: Store) -> str | None:
    """The incident of the scripted unanswered complaints, once the alert service opened it."""
    found = [i for i in alerts.list_incidents(store, status="open") if i.type == "unanswered"]
    return found[0].id if found else None


def test_walk_the_demo(isolated_settings: Path, tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_demo(tmp_path / "demo.log") as (url, password):
        store = Store.from_settings(CoreSettings())
        wait_for(lambda: backfill_stored(store), 90, "storing the feed's two days of history")
        with chromium_page(width=1400, height=1000) as page:
            page.goto(url)  # type: ignore[attr-defined]
            page.get_by_label("用户名").fill("admin")  # type: ignore[attr-defined]
            page.get_by_label("密码").fill(password)  # type: ignore[attr-defined]
            page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]

            page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("1 天", exact=True).click()  # type: ignore[attr-defined]  # hourly
            page.locator("[data-testid='stMetric']").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("demo-email").first.wait_for(state="attached", timeout=30_000)  # type: ignore[attr-defined]
            assert page.get_by_text("nan", exact=True).count() == 0  # type: ignore[attr-defined]
            shot(page, "overview")

            open_view(page, "投诉与话题")
            page.get_by_text("话题 × 时间").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("条投诉，显示最新").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_role("button", name="导出 Excel").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "complaints")

            open_view(page, "响应与满意度")
            page.get_by_text("首次回复时间").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("SLA 内回复率").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("分群对比").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.locator("[data-testid='stVegaLiteChart']").nth(3).wait_for(timeout=30_000)  # type: ignore[attr-defined]
            assert page.get_by_text("nan", exact=True).count() == 0  # type: ignore[attr-defined]
            shot(page, "responses")

            incident_id = wait_for(
                lambda: unanswered_incident(store),
                120,
                "the unanswered-complaints incident (no signals at all? see the worker log, "
                f"{CoreSettings().data_dir / 'logs' / 'worker.log'}, for a missing topic)",
            )
            time.sleep(6)  # the dashboard's cache lives 5 s here
            open_view(page, "危机与告警")
            page.get_by_label("事件", exact=True).click()  # type: ignore[attr-defined]
            page.get_by_role("option").filter(has_text=incident_id).first.click()  # type: ignore[attr-defined]
            page.get_by_label("确认备注").fill("正在排查未回复的会话")  # type: ignore[attr-defined]
            page.get_by_role("button", name="确认", exact=True).click()  # type: ignore[attr-defined]
            page.get_by_text("已记录：确认").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            acknowledged = alerts.get_incident(store, incident_id)
            assert acknowledged.status == "acknowledged"
            assert acknowledged.acknowledged_by == "admin"

            page.get_by_label("原因", exact=True).fill("值班已处理，暂停通知")  # type: ignore[attr-defined]
            page.get_by_role("button", name="创建静默").click()  # type: ignore[attr-defined]
            page.get_by_text("已创建静默").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            (silence,) = alerts.list_silences(store)
            assert silence.created_by == "admin" and silence.matchers
            shot(page, "incidents")
            page.get_by_role("button", name="解除").click()  # type: ignore[attr-defined]
            page.get_by_text(f"已解除静默 {silence.id}").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            assert alerts.list_silences(store) == []

            open_view(page, "改进追踪")
            page.get_by_text("记录一项改进").first.click()  # type: ignore[attr-defined]
            page.get_by_label("改了什么").fill("未回复会话自动转人工")  # type: ignore[attr-defined]
            # yesterday as the user sees it: a local date (the dashboard works in Beijing time)
            timezone = CoreSettings().timezone
            shipped = local(datetime.now(UTC), zone(timezone)).date() - timedelta(days=1)
            # the date field is three spin buttons: typing fills one and moves to the next
            page.get_by_role("spinbutton", name="year, 上线日期").click()  # type: ignore[attr-defined]
            page.keyboard.type(f"{shipped:%Y%m%d}")  # type: ignore[attr-defined]
            page.get_by_label("负责人").fill("wang")  # type: ignore[attr-defined]
            page.get_by_role("button", name="保存").click()  # type: ignore[attr-defined]
            page.get_by_text("已记录：未回复会话自动转人工").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            recorded = [a for a in list_improvements(store) if a.title == "未回复会话自动转人工"]
            assert [(a.owner, a.created_by) for a in recorded] == [("wang", "admin")]
            # kept as the local midnight in UTC (16:00 the day before), read back as the day picked
            assert recorded[0].shipped_on(timezone) == shipped
            picked = page.get_by_role("combobox", name="查看一项改进")  # type: ignore[attr-defined]
            shown = f"未回复会话自动转人工 (全部, {shipped:%Y-%m-%d})"
            wait_for(lambda: picked.input_value() == shown, 30, "the action shown on its day")
            shot(page, "improvements")

            open_view(page, "产品洞察")
            page.get_by_text("FAQ 候选").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            # 7 days: the last day against the day of history before it
            page.get_by_text("7 天", exact=True).click()  # type: ignore[attr-defined]
            page.get_by_text("新出现的词（最近 1 天 vs 之前）").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("最近（条）").first.wait_for(state="attached", timeout=30_000)  # type: ignore[attr-defined]
            assert page.get_by_text("之前的消息太少").count() == 0  # type: ignore[attr-defined]
            page.get_by_role("button", name="导出 CSV").wait_for(timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "products")

            open_view(page, "管道健康")
            page.get_by_text("死信（按原因）").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("demo-chat").first.wait_for(state="attached", timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "health")

            page.get_by_text("English", exact=True).click()  # type: ignore[attr-defined]
            page.get_by_role("heading", name="Pipeline health").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]

        actions = {(a.user, a.action) for a in recent_actions(store)}
        assert {
            ("admin", "sign_in"),
            ("admin", "incident.acknowledge"),
            ("admin", "silence.create"),
            ("admin", "silence.expire"),
            ("admin", "improvement.record"),
        } <= actions
