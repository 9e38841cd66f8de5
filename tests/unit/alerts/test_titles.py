"""Titles: generated from a signal's type and key with Chinese labels, or a rule's template."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alerts.config import Rule
from alerts.playbooks import DEFAULTS, default_playbooks, playbook
from alerts.settings import DEFAULT_RULES
from alerts.titles import fill_template, rule_description, signal_title
from radar.i18n import Locale, catalogue

ZH, EN = Locale(), Locale("en")


@pytest.mark.parametrize(
    ("signal_type", "key", "count", "zh", "en"),
    [
        (
            "spike",
            {"region": "广东", "topic": "物流配送"},
            1,
            "投诉激增：物流配送 · 广东",
            "Complaint spike: 物流配送 · 广东",
        ),
        (
            "spike",
            {"product": "热水器", "topic": "商品质量"},
            1,
            "投诉激增：商品质量 · 热水器",
            "Complaint spike: 商品质量 · 热水器",
        ),
        ("crisis", {"crisis": "safety", "product": "热水器"}, 1, "安全危机：热水器", None),
        ("crisis", {"crisis": "security"}, 1, "信息安全危机", "Security crisis"),
        ("crisis", {"crisis": "reach", "shop": "旗舰店"}, 1, "高传播危机：旗舰店", None),
        (
            "source_down",
            {"source": "demo-email", "channel": "email"},
            1,
            "数据源中断：demo-email（邮件）",
            "Source down: demo-email (Email)",
        ),
        ("silence", {"channel": "chat"}, 1, "反馈沉寂：在线客服", "Feedback silence: Chat"),
        ("unanswered", {"channel": "forum"}, 3, "超时未回复：论坛 ×3", None),
        (
            "unanswered",
            {"thread": "t-42", "channel": "forum"},
            1,
            "超时未回复：论坛 · 会话 t-42",
            "Unanswered past SLA: Forum · thread t-42",
        ),
        ("spike", {"scope": "all"}, 1, "投诉激增：全部反馈", "Complaint spike: all feedback"),
        ("sentiment_shift", {"channel": "review"}, 1, "负面情绪上升：评价", None),
        ("spike", {"stage": "aftersale", "segment": "会员"}, 1, "投诉激增：会员 · 售后", None),
        ("spike", {}, 2, "投诉激增 ×2", "Complaint spike ×2"),
        ("new_kind", {"topic": "x"}, 1, "new_kind：x", None),
    ],
)
def test_generated_titles_name_type_and_key_in_a_fixed_order(
    signal_type: str, key: dict[str, str], count: int, zh: str, en: str | None
) -> None:
    title = signal_title(signal_type, key, count)
    assert ZH.render(title) == zh
    if en is not None:
        assert EN.render(title) == en


@pytest.mark.parametrize(
    ("template", "labels", "expected"),
    [
        ("物流投诉激增: {region}", {"region": "华东"}, "物流投诉激增: 华东"),
        ("物流投诉激增: {region}", {}, "物流投诉激增"),
        ("物流投诉激增：{region}", {"region": ""}, "物流投诉激增"),
        ("危机: {topic} ({region})", {"topic": "物流配送"}, "危机: 物流配送"),
        ("危机: {topic} （{region}）", {}, "危机"),
        ("{topic}/{region} 投诉", {"region": "广东"}, "广东 投诉"),
        ("{channel}渠道沉寂", {"channel": "chat"}, "在线客服渠道沉寂"),
        ("{type} · {region}", {"type": "spike"}, "投诉激增"),
    ],
)
def test_templates_are_filled_and_missing_fields_leave_nothing_dangling(
    template: str, labels: dict[str, str], expected: str
) -> None:
    assert fill_template(template, labels, ZH) == expected


def test_shipped_rules_are_described_in_the_readers_language() -> None:
    shipped = yaml.safe_load(Path(DEFAULT_RULES).read_text(encoding="utf-8"))["rules"]
    for raw in shipped:
        rule = Rule.model_validate(raw)
        assert rule_description(rule, EN) == rule.description, rule.name
        assert rule_description(rule, ZH) == catalogue().raw(f"rule.{rule.name}", "zh")
        assert rule_description(rule, ZH) != rule.description
    own = Rule(name="crisis", description="Our own words", receivers=["x"])
    assert rule_description(own, ZH) == "Our own words"  # a rules file's text, as written


def test_every_shipped_playbook_step_has_both_languages() -> None:
    assert DEFAULTS.exists()
    for incident_type, steps in default_playbooks().items():
        assert steps, incident_type
        zh = playbook(incident_type)
        en = playbook(incident_type, lang="en")
        assert [s.key for s in zh] == [key for _, key in steps]
        assert all(s.text and s.text != e.text for s, e in zip(zh, en, strict=True))
