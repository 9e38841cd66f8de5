"""Severity: crisis categories set the floor, complaints and reach raise it, never above 3."""

from __future__ import annotations

import pytest

from streams.severity import assess_severity
from streams.taxonomy import default_taxonomy


@pytest.mark.parametrize(
    ("text", "complaint", "reach", "level", "category"),
    [
        ("很好用", False, None, 0, None),
        ("快递太慢了", True, None, 1, None),
        ("快递太慢了", True, 20_000, 2, None),
        ("快递太慢了", True, 500_000, 3, None),
        ("孩子用了过敏，起红疹", True, None, 3, "safety"),
        ("充电时突然起火了", True, None, 3, "safety"),
        ("再不处理我就找律师起诉", True, None, 2, "legal"),
        ("已经打了12315投诉", True, None, 2, "regulator"),
        ("我要去消协和工商举报", True, None, 2, "regulator"),
        ("我要把这事曝光给媒体", True, 20_000, 3, "media"),
        ("下单后银行卡被盗刷了", True, None, 2, "security"),
        ("My kid had an allergic reaction", True, None, 3, "safety"),
        ("I will talk to my lawyer", True, None, 2, "legal"),
        ("订单号 13152 已收到", False, None, 0, None),  # 315 inside a number is no regulator
    ],
)
def test_levels(
    text: str, complaint: bool, reach: int | None, level: int, category: str | None
) -> None:
    severity = assess_severity(default_taxonomy(), text, is_complaint=complaint, reach=reach)
    assert severity.level == level
    if category:
        assert category in severity.categories
        assert severity.terms
    else:
        assert severity.categories == []


def test_terms_are_reported_once_in_order() -> None:
    severity = assess_severity(
        default_taxonomy(), "漏电！漏电！还烫伤了", is_complaint=True, reach=None
    )
    assert severity.terms == ["漏电", "烫伤"]
