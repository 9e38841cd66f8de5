"""Rendered notifications: Chinese by default with local times, English when asked for."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from alerts.config import Rule
from alerts.evidence import alert_view, build_message
from alerts.incidents import Incident
from alerts.links import LinkSigner
from alerts.message import Message, NotificationKind
from alerts.model import Alert
from alerts.notifiers.alertmanager import AlertmanagerConfig, to_alerts
from alerts.notifiers.dingtalk import body as dingtalk_body
from alerts.notifiers.feishu import body as feishu_body
from alerts.notifiers.slack import body as slack_body
from alerts.notifiers.wecom import body as wecom_body
from alerts.render import evidence_lines, render_html, render_markdown, render_text
from radar.events import Driver
from radar.i18n import Locale
from tests.unit.alerts.conftest import make_signal

NOW = datetime(2026, 12, 7, 6, 5, tzinfo=UTC)  # 14:05 in Beijing
KINDS: tuple[NotificationKind, ...] = ("firing", "repeat", "escalation", "resolved")
#: Words of the English messages Radar used to send; none may reach a Chinese reader.
OLD_ENGLISH = (
    "FIRING",
    "RESOLVED",
    "ESCALATED",
    "STILL",
    "SILENCE",
    "observed",
    "expected",
    "score",
    "window",
    "top topics",
    "crisis terms",
    "Rule",
    "Incident",
    "owner",
    "nobody",
    "opened",
    "Open in dashboard",
    "Dashboard",
    "Acknowledge",
    "Resolve",
    "more alerts",
    "firing",
    "resolved",
    "UTC",
    "spike",
    "unanswered",
    "source_down",
    "statistic",
    "poisson",
    "hours",
    "waited",
    "heartbeat",
    "Nobody",
    "escalated",
    "Resolved by",
    "Complaints",
)
SIGNALS = [
    ("spike", {"topic": "物流配送", "region": "广东"}),
    ("crisis", {"crisis": "safety", "product": "热水器"}),
    ("source_down", {"source": "demo-email", "channel": "email"}),
    ("silence", {"channel": "chat"}),
    ("unanswered", {"channel": "forum", "thread": "t-1"}),
    ("sentiment_shift", {"scope": "all"}),
]
RULE = Rule.model_validate(
    {
        "name": "complaint-spike",
        "description": "Complaints far above the usual level",
        "receivers": ["oncall"],
    }
)


def alerts_of_every_type() -> list[Alert]:
    made = []
    for n, (signal_type, key) in enumerate(SIGNALS):
        signal = make_signal(
            f"s{n}",
            at=NOW,
            type=signal_type,
            key=key,
            observed=0 if signal_type == "source_down" else 7.5,
            expected=1 if signal_type == "source_down" else 6,
            crisis_terms=("起火",) if signal_type == "crisis" else (),
        )
        labels = {**key, "alertname": RULE.name, "type": signal_type, "severity": "major"}
        made.append(Alert(f"fp{n}", "g", RULE.name, labels, 2, "firing", NOW, NOW, signal=signal))
    return made


def incident() -> Incident:
    return Incident(
        id="INC-20261207-abc123",
        type="spike",
        title="投诉激增 ×6",
        status="open",
        severity=2,
        owner=None,
        key={},
        opened_at=NOW,
        updated_at=NOW,
        resolved_at=None,
        acknowledged_at=None,
        acknowledged_by=None,
        resolved_by=None,
        group_key="g",
        rule=RULE.name,
        version=1,
        published_version=0,
    )


def message(kind: NotificationKind, locale: Locale) -> Message:
    note = {"escalation": locale.t("alerts.note.escalation", after=timedelta(minutes=15))}
    return build_message(
        kind=kind,
        receiver="oncall",
        rule=RULE,
        group_key="g",
        group_labels={"type": "spike"},
        alerts=alerts_of_every_type(),
        incident=incident(),
        links=LinkSigner(b"k" * 32, "http://dash.example"),
        now=NOW,
        locale=locale,
        note=note.get(kind, locale.t("alerts.note.resolved_by", user="lin")),
    )


def everything_rendered(msg: Message) -> str:
    parts = [render_text(msg), render_markdown(msg), render_html(msg)]
    parts += [str(dingtalk_body(msg)), str(wecom_body(msg)), str(feishu_body(msg))]
    parts.append(str(slack_body(msg)))
    config = AlertmanagerConfig(url="http://am.example")
    parts += [str(a["annotations"]) for a in to_alerts(msg, config, "t", "t")]
    return "\n".join(parts)


def without_links_and_markup(text: str) -> str:
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags
    for code in ("INC-20261207-abc123", "complaint-spike", "demo-email", "oncall", "Radar"):
        text = text.replace(code, " ")
    return text


@pytest.mark.parametrize("kind", KINDS)
def test_chinese_messages_hold_no_english_phrase(kind: NotificationKind) -> None:
    msg = message(kind, Locale())
    text = without_links_and_markup(everything_rendered(msg))
    # the rule's own description is shown as written (a rules file's text)
    text = text.replace(RULE.description, " ")
    found = [w for w in OLD_ENGLISH if re.search(rf"(?<![A-Za-z]){w}(?![A-Za-z])", text)]
    assert not found, f"English left in the {kind} message: {found}"
    assert "告警" in msg.headline()  # a DingTalk robot's Chinese keyword


def test_a_shipped_rule_is_described_in_chinese() -> None:
    msg = message("firing", Locale())
    assert msg.rule_description == "投诉远高于平常水平"
    assert "规则：complaint-spike — 投诉远高于平常水平" in render_text(msg)


def test_chinese_message_reads_as_it_should() -> None:
    text = render_text(message("firing", Locale()))
    assert text.startswith("【严重】告警：综合告警 ×6\n")  # types differ; no incident_type
    assert (
        "事件 INC-20261207-abc123（待处理），负责人：暂无，开始于 2026-12-07 14:05（北京时间）"
        in text
    )
    assert "1. 投诉激增：物流配送 · 广东【告警中】" in text
    assert "观测 7.50，预期 6（得分 0.990，泊松尾概率）" in text
    assert "窗口 2026-12-07 13:50–14:05（北京时间）" in text
    assert "主要话题：物流配送、破损" in text and "危机词：起火" in text
    assert "2. 安全危机：热水器【告警中】" in text
    assert "3. 数据源中断：demo-email（邮件）【告警中】" in text and "心跳显示数据源中断" in text
    assert "已等待 7.50 小时未获客服回复，时限 6 小时" in text
    assert "“快递三天没动，客服也不回复”（评价）" in text


def test_english_when_the_language_is_english() -> None:
    text = render_text(message("firing", Locale("en")))
    assert text.startswith("[MAJOR] FIRING: Mixed alerts ×6\n")
    assert "Rule: complaint-spike — Complaints far above the usual level" in text
    opened = "owner nobody yet, opened 2026-12-07 14:05 (Beijing time)"
    assert f"Incident INC-20261207-abc123 (open), {opened}" in text
    assert "1. Complaint spike: 物流配送 · 广东 [firing]" in text
    assert "observed 7.50 vs expected 6 (score 0.990, Poisson tail)" in text
    assert "waited 7.50 h without a staff reply; the SLA is 6 h" in text


def test_times_in_another_zone_name_it() -> None:
    text = render_text(message("firing", Locale("zh", "Asia/Tokyo")))
    assert "开始于 2026-12-07 15:05（UTC+09:00 Asia/Tokyo）" in text
    assert "窗口 2026-12-07 14:50–15:05（UTC+09:00 Asia/Tokyo）" in text


def test_a_stored_message_renders_the_same_after_a_retry() -> None:
    msg = message("firing", Locale("en", "Asia/Tokyo"))
    again = Message.model_validate_json(msg.model_dump_json())
    assert render_text(again) == render_text(msg)
    old = msg.model_dump(mode="json")
    del old["lang"], old["timezone"]  # queued before messages carried them
    assert Message.model_validate(old).locale == Locale()


def test_alert_view_title() -> None:
    view = alert_view(alerts_of_every_type()[0])
    assert view.title(Locale()) == "投诉激增：物流配送 · 广东"


def driven_view(locale: Locale) -> str:
    signal = make_signal(at=NOW, key={"topic": "物流配送"}).model_copy(
        update={
            "drivers": [
                Driver(field="region", value="广东", share=0.72, observed=30, expected=4),
                Driver(field="channel", value="social", share=0.6, observed=25, expected=3),
            ]
        }
    )
    alert = Alert(
        fingerprint="f", group_key="g", rule="complaint-spike", labels={}, severity=2,
        status="firing", starts_at=NOW, updated_at=NOW, signal=signal,
    )  # fmt: skip
    return "\n".join(evidence_lines(alert_view(alert), locale))


def test_a_spike_names_its_drivers_with_their_share_of_the_excess() -> None:
    assert "主要来源：广东 72%、社交媒体 60%" in driven_view(Locale())
    assert "main sources: 广东 72%, Social 60%" in driven_view(Locale("en"))


def test_a_signal_without_drivers_shows_no_sources_line() -> None:
    alert = alerts_of_every_type()[0]
    assert not alert.signal.drivers
    assert "主要来源" not in "\n".join(evidence_lines(alert_view(alert), Locale()))
