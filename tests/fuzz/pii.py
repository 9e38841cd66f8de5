"""Personal data in the many shapes customers type it, and the check that none of it survived.

Shared by the masking property tests and the fuzz target: each generator gives
(the text as typed, the value that must not appear in anything stored or sent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_SEPARATORS = ("", " ", "-", ".", "\u3000")


@dataclass(frozen=True)
class Planted:
    """One piece of personal data: how it was typed, and its identifying core."""

    kind: str
    typed: str
    core: str  # digits of a number, or ``local@`` of an email


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def _id_check(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return "10X98765432"[total % 11]


@st.composite
def _width(draw: st.DrawFn, digits: str) -> str:
    """``digits`` in ASCII, full width, or a mix of both."""
    style = draw(st.sampled_from(["ascii", "full", "mixed"]))
    if style == "ascii":
        return digits
    if style == "full":
        return digits.translate(FULL_WIDTH)
    cut = draw(st.integers(0, len(digits)))
    return digits[:cut] + digits[cut:].translate(FULL_WIDTH)


def _grouped(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at : at + size])
        at += size
    return sep.join(parts)


@st.composite
def mobiles(draw: st.DrawFn) -> Planted:
    rest = draw(st.text("0123456789", min_size=9, max_size=9))
    digits = "1" + draw(st.sampled_from("3456789")) + rest
    sep = draw(st.sampled_from(_SEPARATORS))
    typed = draw(_width(_grouped(digits, (3, 4, 4), sep)))
    prefix = draw(st.sampled_from(["", "+86 ", "+86", "0086", "86-", "Tel", "tel:", "手机"]))
    suffix = draw(st.sampled_from(["", "QQ同号", "微信同号", "abc", "（白天）"]))
    return Planted("mobile", prefix + typed + suffix, digits)


@st.composite
def emails(draw: st.DrawFn) -> Planted:
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{1,11}[a-z0-9]", fullmatch=True))
    domain = draw(st.sampled_from(["163.com", "qq.com", "example.com.cn", "mail.shop.example"]))
    at = draw(st.sampled_from(["@", "＠", "(at)", " [at] ", "（at）"]))
    # an address glued to the end of another one ("a@b.comc@d.com") is one run of letters
    # no rule can split; something always stands before it in text people write
    prefix = draw(st.sampled_from([" ", "：", "邮箱", "Email:", "，", "<", "email "]))
    return Planted("email", f"{prefix}{local}{at}{domain}", f"{local}@")


@st.composite
def id_cards(draw: st.DrawFn) -> Planted:
    area = draw(st.sampled_from(["110101", "310104", "440305", "510107"]))
    year = draw(st.integers(1940, 2015))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    serial = draw(st.text("0123456789", min_size=3, max_size=3))
    body = f"{area}{year:04d}{month:02d}{day:02d}{serial}"
    check = _id_check(body)
    if check == "X" and draw(st.booleans()):
        check = "x"
    sep = draw(st.sampled_from(_SEPARATORS))
    typed = draw(_width(_grouped(body, (6, 8, 3), sep))) + check
    prefix = draw(st.sampled_from(["", "ID", "身份证", "身份证号：", "证件号 "]))
    return Planted("id_card", prefix + typed, body)


@st.composite
def bank_cards(draw: st.DrawFn) -> Planted:
    shape = draw(st.sampled_from([(4, 4, 4, 4), (4, 4, 4, 4, 3), (6, 13), (4, 6, 5), (16,), (19,)]))
    length = sum(shape)
    start = {15: "37", 19: "62"}.get(length, draw(st.sampled_from(["4", "5", "62"])))
    body = start + draw(
        st.text("0123456789", min_size=length - len(start) - 1, max_size=length - len(start) - 1)
    )
    digits = body + _luhn_digit(body)
    sep = draw(st.sampled_from([" ", "-", "\u3000"]))
    typed = draw(_width(_grouped(digits, shape, sep)))
    prefix = draw(st.sampled_from(["", "卡号", "card", "银行卡：", "信用卡 "]))
    return Planted("bank_card", prefix + typed, digits)


personal_data = st.one_of(mobiles(), emails(), id_cards(), bank_cards())

#: Text between planted data: anything but digits (a digit would make a longer number).
filler = st.text(
    alphabet=st.characters(blacklist_categories=["Nd", "Cs"], blacklist_characters="@＠"),
    min_size=1,
    max_size=40,
)

_OBFUSCATED_AT = re.compile(r"\s?[(\[（【]\s?[Aa][Tt]\s?[)\]）】]\s?")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[ \-.\u3000]+(?=\d)")


def leaked(planted: Planted, output: str) -> bool:
    """True when ``output`` still shows ``planted`` (separators, width and case ignored)."""
    seen = output.translate(str.maketrans("０１２３４５６７８９＠", "0123456789@"))
    if planted.kind == "email":
        return planted.core in _OBFUSCATED_AT.sub("@", seen).casefold()
    return planted.core in _BETWEEN_DIGITS.sub("", seen)
