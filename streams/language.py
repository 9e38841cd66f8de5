"""Language stage: tell Chinese, English and other text apart by their characters."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_LETTER = re.compile(r"[^\W\d_]")

#: Share of letters that must be Han characters for a text to count as Chinese.
MIN_HAN_SHARE = 0.2


def detect_language(text: str) -> str:
    """``"zh"``, ``"en"`` or ``"other"`` for ``text`` (empty text is ``"other"``)."""
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return "other"
    han = len(_HAN.findall(text))
    if han and han / letters >= MIN_HAN_SHARE:
        return "zh"
    latin = sum(len(word) for word in _LATIN_WORD.findall(text))
    if latin / letters >= 0.8:
        return "en"
    return "other"
