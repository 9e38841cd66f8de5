"""Shared kernel: personal-data masking and author pseudonyms, applied before anything is stored.

The rules are ordered from the most specific number shape to the least, so an
18-digit ID-card number is not mistaken for a bank card or a phone number.
Long numbers are only masked as bank cards when they pass the Luhn check or a
word such as 卡号/银行卡 stands right before them, so order and tracking
numbers stay readable; landlines need an area code, and QQ/WeChat ids need
their keyword, for the same reason.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

from radar.settings import CoreSettings

_D = r"(?<![0-9A-Za-z])"  # not glued to a longer number or word before
_E = r"(?![0-9A-Za-z])"  # ... or after


@dataclass(frozen=True)
class MaskRule:
    """One kind of personal data: its pattern and how a match is replaced."""

    name: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _email(m: re.Match[str]) -> str:
    local, domain = re.split(r"[@＠]", m.group(0), maxsplit=1)
    return f"{local[:1]}***@{domain}"


def _id_card(m: re.Match[str]) -> str:
    value = m.group(0)
    return f"{value[:3]}{'*' * 11}{value[-4:]}"


def _bank_card(m: re.Match[str]) -> str:
    keyword, main, extra = m.group("kw") or "", _digits(m.group("num")), m.group("extra") or ""
    whole = main + _digits(extra)
    if extra and _luhn_ok(main):
        digits, rest = main, extra  # a 16-digit card followed by another number
    elif _luhn_ok(whole) or keyword:
        digits, rest = whole, ""
    else:
        return m.group(0)  # a long number that is not a card (order ids are common)
    return f"{keyword}{digits[:4]} **** **** {digits[-4:]}{rest}"


def _old_id_card(m: re.Match[str]) -> str:
    value = m.group("num")
    return f"{m.group('kw')}{value[:3]}{'*' * 8}{value[-4:]}"


def _mobile(m: re.Match[str]) -> str:
    digits = _digits(m.group("num"))
    return f"{m.group('cc') or ''}{digits[:3]}****{digits[-4:]}"


def _landline(m: re.Match[str]) -> str:
    area = m.group("area") or m.group("parea")
    return f"{area}-****{_digits(m.group('local'))[-4:]}"


def _account(m: re.Match[str]) -> str:
    value = m.group("id")
    return f"{m.group('kw')}{value[:2]}{'*' * max(3, len(value) - 4)}{value[-2:]}"


_CARD_WORDS = r"(?:卡号|银行卡|信用卡|储蓄卡|借记卡|银行账号|账号|card(?:\s*no\.?)?)"

RULES: tuple[MaskRule, ...] = (
    MaskRule(
        "email",
        re.compile(r"[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        _email,
    ),
    MaskRule(
        "id_card",
        re.compile(
            _D
            + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
            + _E
        ),
        _id_card,
    ),
    MaskRule(
        "id_card",  # the 15-digit cards issued before 1999, only after a keyword
        re.compile(
            r"(?P<kw>身份证(?:号码?)?\s*[:：]?\s*)"
            r"(?P<num>[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})" + _E
        ),
        _old_id_card,
    ),
    MaskRule(
        "bank_card",
        re.compile(
            r"(?P<kw>"
            + _CARD_WORDS
            + r"\s*[:：]?\s*)?"
            + _D
            + r"(?P<num>(?:\d{4}[ -]?){3}\d{4})(?P<extra>[ -]?\d{1,3})?"
            + _E,
            re.IGNORECASE,
        ),
        _bank_card,
    ),
    MaskRule(
        "mobile",
        re.compile(_D + r"(?P<cc>(?:\+|00)?86[ -]?)?(?P<num>1[3-9]\d[ -]?\d{4}[ -]?\d{4})" + _E),
        _mobile,
    ),
    MaskRule(
        "landline",
        re.compile(
            _D + r"(?:(?P<area>0\d{2,3})[ -]|[(（](?P<parea>0\d{2,3})[)）]\s?)"
            r"(?P<local>[2-9]\d{2,3}[ -]?\d{4})(?:-\d{1,5})?" + _E
        ),
        _landline,
    ),
    MaskRule(
        "im_account",
        re.compile(
            r"(?P<kw>(?:QQ号?|qq号?|微信号?|WeChat|wx|VX|vx)\s*[:：]?\s*)"
            r"(?P<id>[1-9]\d{4,10}|[A-Za-z][-_A-Za-z0-9]{5,19})" + _E
        ),
        _account,
    ),
)


def mask_text(text: str) -> str:
    """``text`` with phone numbers, emails, ID-card and bank-card numbers masked."""
    for rule in RULES:
        text = rule.pattern.sub(rule.replace, text)
    return text


def find_personal_data(text: str) -> list[str]:
    """Names of the rules that would change ``text`` (for tests and audits)."""
    found: list[str] = []
    for rule in RULES:
        if rule.name not in found and any(
            rule.replace(m) != m.group(0) for m in rule.pattern.finditer(text)
        ):
            found.append(rule.name)
    return found


def pseudonymise(author: str, key: bytes) -> str:
    """A stable pseudonym for an author name: the same name and key give the same value."""
    digest = hmac.new(key, author.strip().casefold().encode("utf-8"), hashlib.sha256)
    return f"u_{digest.hexdigest()[:16]}"


def pseudonym_key(settings: CoreSettings) -> bytes:
    """The pseudonym key from settings, else a random one created once in the data dir."""
    return settings.secret(settings.pseudonym_key, "pseudonym")
