"""Language detection: zh, en or other (the cases the understanding stage relies on)."""

from __future__ import annotations

import pytest

from streams.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("这个手机非常好用", "zh"),
        ("iPhone 15 的屏幕很好", "zh"),
        ("The delivery was late", "en"),
        ("Доставка опоздала", "other"),
        ("", "other"),
        ("12345 !!!", "other"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
