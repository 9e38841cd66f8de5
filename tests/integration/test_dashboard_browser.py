"""The dashboard in headless Chromium on a seeded store: sign in, walk the views, act."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import alerts
from dashboard.auth import hash_password
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.improvements import list_improvements
from tests.browser import chromium_page
from tests.integration.conftest import ROOT, free_port
from tests.unit.dashboard.conftest import (
    PASSWORDS,
    ROLES,
    scored,
    seed_events,
    seed_health,
    seed_incidents,
    start_clock,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

#: Screenshots of the seeded store (the docs' tour uses the demo's, test_dashboard_demo.py).
SHOTS = ROOT / "test-artifacts" / "dashboard-seeded"


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the dashboard exited"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the dashboard did not answer")


def shot(page: Any, name: str) -> None:
    page.wait_for_timeout(1500)  # let charts finish drawing
    page.screenshot(path=str(SHOTS / f"dashboard-{name}.png"), full_page=True)


def open_view(page: Any, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)


def test_walk_every_view_acknowledge_and_record(isolated_settings: Path) -> None:
    store = Store.from_settings(CoreSettings())
    start_clock()
    seed_events(store)
    said = {"is_complaint": True, "topics": ["商品质量"], "region": "江苏"}
    first = scored(901, "review", 3, text="屏幕第二天就碎了，要求退货", **said)
    copies = [
        scored(n, ch, 2, text=first.text + "！", **said)
        for n, ch in ((902, "email"), (903, "forum"))
    ]
    store.add_scored([first, *(c.model_copy(update={"duplicate_of": first.id}) for c in copies)])
    incident_id, _ = seed_incidents(store)
    seed_health(store)
    SHOTS.mkdir(parents=True, exist_ok=True)
    users = {n: {"role": ROLES[n], "password_hash": hash_password(p)} for n, p in PASSWORDS.items()}
    port = free_port()
    env = {
        **os.environ,
        "RADAR_DASHBOARD_PORT": str(port),
        "RADAR_DASHBOARD_USERS": json.dumps(users),
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("radar")), "dashboard"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        with chromium_page(width=1400, height=1000) as page:
            page.goto(url)  # type: ignore[attr-defined]
            page.get_by_label("用户名").fill("mei")  # type: ignore[attr-defined]
            page.get_by_label("密码").fill(PASSWORDS["mei"])  # type: ignore[attr-defined]
            page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]

            page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("反馈量").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("IMAP login failed").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "overview")

            open_view(page, "投诉与话题")
            page.get_by_text("话题 × 时间").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("条投诉，显示最新").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            # one customer's complaint on three channels: one row, its copies under it
            page.get_by_text("重复的消息（1 条消息，共重复 2 次）").first.click(timeout=30_000)  # type: ignore[attr-defined]
            page.locator("[data-testid='stExpander'] [data-testid='stDataFrame']").first.wait_for(  # type: ignore[attr-defined]
                timeout=30_000
            )
            shot(page, "complaints")

            open_view(page, "危机与告警")
            page.get_by_label("事件", exact=True).click()  # type: ignore[attr-defined]
            page.get_by_role("option", name=f"{incident_id} · 物流投诉激增: 浙江").click()  # type: ignore[attr-defined]
            page.get_by_text("证据：实际 vs 预期").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            # the customer's HTML is on the page as text, and none of it ran
            page.get_by_text("<script>window.hacked=1</script>", exact=False).first.wait_for()  # type: ignore[attr-defined]
            page.get_by_label("确认备注").fill("已联系顺丰核实")  # type: ignore[attr-defined]
            page.get_by_role("button", name="确认", exact=True).click()  # type: ignore[attr-defined]
            page.get_by_text("已记录：确认").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "incidents")
            assert page.evaluate("() => window.hacked === undefined")  # type: ignore[attr-defined]
            acknowledged = alerts.get_incident(store, incident_id)
            assert acknowledged.status == "acknowledged" and acknowledged.acknowledged_by == "mei"

            open_view(page, "改进追踪")
            page.get_by_text("记录一项改进").first.click()  # type: ignore[attr-defined]
            page.get_by_label("改了什么").fill("浙江仓改用顺丰次日达")  # type: ignore[attr-defined]
            page.get_by_label("负责人").fill("wang")  # type: ignore[attr-defined]
            page.get_by_role("button", name="保存").click()  # type: ignore[attr-defined]
            page.get_by_text("已记录：浙江仓改用顺丰次日达").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "improvements")
            recorded = [a for a in list_improvements(store) if a.title == "浙江仓改用顺丰次日达"]
            assert [(a.owner, a.created_by) for a in recorded] == [("wang", "mei")]

            open_view(page, "产品洞察")
            page.get_by_text("FAQ 候选").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_role("button", name="导出 CSV").wait_for(timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "products")

            open_view(page, "管道健康")
            page.get_by_text("死信（按原因）").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            shot(page, "health")

            page.get_by_text("English", exact=True).click()  # type: ignore[attr-defined]
            page.get_by_role("heading", name="Pipeline health").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
            assert page.evaluate("() => window.hacked === undefined")  # type: ignore[attr-defined]
    finally:
        process.terminate()
        process.wait(timeout=20)
