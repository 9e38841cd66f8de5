"""The post-incident summary in Markdown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from alerts import incidents
from alerts.summary import incident_summary
from radar.i18n import Locale
from tests.unit.alerts.conftest import START, Harness, make_signal
from tests.unit.alerts.test_pipeline import RULES


def test_summary_tells_the_whole_story(harness_factory: Callable[[str], Harness]) -> None:
    h = harness_factory(RULES)
    h.feed(make_signal("a", at=START, samples=("快递丢了，联系 13812345678",)))
    h.run_for(timedelta(minutes=3))
    (incident,) = incidents.list_incidents(h.store)
    incidents.acknowledge(h.store, incident.id, "lin", "calling SF")
    incidents.set_step(h.store, incident.id, 1, "lin")
    incidents.add_note(h.store, incident.id, "lin", "refunds offered | apology sent")
    h.run_for(timedelta(minutes=7))
    incidents.resolve(h.store, incident.id, "lin", "hub reopened")
    h.run_for(timedelta(seconds=10))

    text = incident_summary(h.store, incident.id)
    assert text.startswith(f"# 事件 {incident.id}：投诉激增：物流配送 · 华东\n")
    assert "| 状态 | 已解决 |" in text
    assert "| 确认 | 2026-11-20 10:03（北京时间），lin（历时 2 分钟 30 秒） |" in text
    assert "，lin（历时 9 分钟 30 秒） |" in text  # time to resolve
    assert "观测 40，预期 5" in text and "138****5678" in text
    assert "13812345678" not in text
    assert "- [x] **职责**: 确认并指定负责人" in text and "- [ ] **处置**" in text
    assert "- oncall：1 × 告警（已发送）" in text and "- oncall：1 × 恢复（已发送）" in text
    assert "| 时间（北京时间） | 操作人 | 内容 |" in text and "| 2026-11-20 10:03 | lin |" in text
    assert "refunds offered \\| apology sent" in text  # table cells stay intact
    assert "个处置步骤未勾选" in text
    assert "没有人确认" not in text

    english = incident_summary(h.store, incident.id, Locale("en", "UTC"))
    assert english.startswith(f"# Incident {incident.id}: Complaint spike: 物流配送 · 华东\n")
    assert "| Status | resolved |" in english
    assert "| Acknowledged | 2026-11-20 02:03 (UTC) by lin (after 2m30s) |" in english
    assert "observed 40 vs expected 5" in english
    assert "- [x] **responsibilities**: Acknowledge and name an owner" in english
    assert "- oncall: 1 × firing (sent)" in english
    assert "playbook steps were not ticked off" in english
