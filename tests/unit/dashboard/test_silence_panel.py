"""Who may create which silence (review L6): checked on the matchers and duration sent."""

from __future__ import annotations

import pytest

from dashboard.auth import User
from dashboard.silence_panel import matcher_lines, refusal
from radar.errors import ConfigError

ONCALL = User("lin", ("oncall",), "lin")
MANAGER = User("mei", ("manager",), "mei")
PRODUCT = User("wang", ("product",), "wang")
SCOPE = ['region="浙江"', 'topic="物流配送"']
TOO_LONG = "超过 24 小时的静默需要主管创建。"
CRITICAL = '这个静默可能屏蔽严重告警，需要主管创建；只屏蔽其他告警请加一行 severity!="critical"。'


@pytest.mark.parametrize(
    ("matchers", "hours", "refused"),
    [
        ([*SCOPE, 'severity!="critical"'], 24, None),
        ([*SCOPE, 'severity=~"info|warning"'], 4, None),
        ([*SCOPE, 'severity!~"crit.*"'], 4, None),
        ([*SCOPE, 'severity!="critical"'], 72, TOO_LONG),  # a duration the page does not offer
        (SCOPE, 4, CRITICAL),
        ([*SCOPE, 'severity=~"major|critical"'], 4, CRITICAL),
        (['alertname=~".*"'], 1, CRITICAL),
        ([], 1, CRITICAL),  # no matcher mutes everything
    ],
)
def test_oncall_mutes_a_day_at_most_and_never_critical_alerts(
    matchers: list[str], hours: float, refused: str | None
) -> None:
    assert refusal(ONCALL, matchers, hours) == refused


def test_a_manager_may_mute_anything_for_a_week() -> None:
    assert refusal(MANAGER, ['alertname=~".*"'], 168) is None


def test_a_role_without_incidents_may_create_none() -> None:
    assert refusal(PRODUCT, [*SCOPE, 'severity!="critical"'], 1) == "你的角色不能处理事件。"


def test_an_unreadable_matcher_is_named_not_judged() -> None:
    with pytest.raises(ConfigError, match="cannot read matcher"):
        refusal(ONCALL, ["region 浙江"], 1)


def test_the_incident_scope_offered_to_oncall_spares_critical_alerts() -> None:
    key = {"topic": "物流配送", "region": "浙江"}
    assert matcher_lines(key, ONCALL) == 'region="浙江"\ntopic="物流配送"\nseverity!="critical"'
    assert matcher_lines(key, MANAGER) == 'region="浙江"\ntopic="物流配送"'
