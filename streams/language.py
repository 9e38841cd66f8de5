"""Language stage: which language a text is in, told by its script (Han vs Latin letters).

Script counting is cheap (a few regular-expression scans in C) and enough for
what the pipeline needs: route Chinese and English texts to their sentiment
models. The rules:

* Han characters count one each, Latin words two each (an English word carries
  about as much as two Chinese characters: "delivery" 物流, "broken" 坏了), so
  "这个iPhone很好用" is Chinese and "Great product, 好评" is English.
* Kana or Hangul letters count one each and make the text ``other`` (Japanese,
  Korean) when they outweigh both; so do letters of any other script.
* Latin text in which more than a tenth of the letters carry accents is some
  other Latin-script language (French, Vietnamese, ...), so ``other``.
* A text without letters (digits, emoji, punctuation only) is ``other``.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["zh", "en", "other"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+")
_ACCENTED = re.compile(r"[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")

#: weight of one Latin word against one Han character
LATIN_WORD_WEIGHT = 2
#: share of accented letters above which Latin text is not taken for English
MAX_ACCENTED_SHARE = 0.1


def detect_language(text: str) -> Language:
    """``zh``, ``en`` or ``other`` for ``text``, by its dominant script (see the module doc)."""
    if text.isascii():
        return "en" if _ASCII_LETTER.search(text) else "other"
    han = len(_HAN.findall(text))
    words = _LATIN_WORD.findall(text)
    latin_letters = sum(map(len, words))
    letters = sum(map(str.isalpha, text))
    other = letters - han - latin_letters
    latin = LATIN_WORD_WEIGHT * len(words)
    if han == 0 and latin == 0 and other <= 0:
        return "other"
    if other > han and other > latin:
        return "other"
    if han >= latin:
        return "zh"
    accented = len(_ACCENTED.findall(text))
    return "other" if accented > MAX_ACCENTED_SHARE * latin_letters else "en"
