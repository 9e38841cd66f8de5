"""Shared kernel: personal-data masking and author pseudonyms, applied before anything is stored.

The rules are ordered from the most specific number shape to the least, so an
18-digit ID-card number is not mistaken for a bank card or a phone number.
Long numbers are only masked as bank cards when they pass the Luhn check or a
word such as 卡号/银行卡 stands right before them, so order and tracking
numbers stay readable; landlines need an area code, and QQ/WeChat ids need
their keyword, for the same reason.

Numbers are matched however they are typed: full-width digits (Chinese input
methods type ``１３８``), spaces, dashes, dots or ideographic spaces between
groups, and letters glued on either side (``Tel13812345678``,
``13812345678QQ同号``, ``ID110101…``); only another digit next to a number
makes it part of a longer one. Names after 姓名/收件人 and addresses after
地址, and house numbers after a road (建国路88号), are masked too.

Cost: every pattern starts with a literal or a character class (so the scan
skips hopeless positions at C speed), and every repetition is bounded or
preceded by a lookbehind that lets a run be tried only at its start: masking
is linear in the text. At most :data:`MASK_LIMIT` characters are masked;
longer text is cut first (nothing that long is stored). ``bench/masking.py``
measures both.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from radar.settings import CoreSettings

#: Most characters :func:`mask_text` looks at; the rest of a longer text is cut.
MASK_LIMIT = 65_536
#: What stands where text was cut.
CUT_MARK = "…"

_HAN = r"\u4e00-\u9fff"
_S = r"[ \-.\u3000]"  # a separator typed between the digit groups of a phone or ID
_C = r"[ \-\u3000]"  # ... of a card number
_E = r"(?!\d)"  # not glued to a longer number (letters may touch: "Tel138...", "...QQ同号")
_FIRST = r"(?<!\d\d)"  # after a pattern's first digit: no digit right before it
_TAIL = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ@＠.+\-_ \u3000]+")


@dataclass(frozen=True)
class MaskRule:
    """One kind of personal data: its pattern, how a match is replaced, and a cheap gate.

    The rule runs only on text containing one of ``needs`` (when given): a
    substring test is far cheaper than a scan that finds nothing.
    """

    name: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]
    needs: tuple[str, ...] = ()


_NOT_DIGIT = re.compile(r"\D+")
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a Luhn digit doubled, digits summed
_STARS = str.maketrans("0123456789０１２３４５６７８９", "*" * 20)


_SEPARATORS = str.maketrans("", "", " -.\u3000()（）+")


def _digits(text: str) -> str:
    """The digits of ``text`` as ASCII, whatever their width or script."""
    digits = text.translate(_SEPARATORS)  # the usual case, without a regex
    if digits.isascii() and digits.isdigit():
        return digits
    digits = _NOT_DIGIT.sub("", text)
    if digits.isascii():
        return digits
    return "".join(str(unicodedata.decimal(c)) for c in digits)


def _luhn_ok(number: str) -> bool:
    total = sum(map(int, number[-1::-2])) + sum(_DOUBLED[int(c)] for c in number[-2::-2])
    return total % 10 == 0


def _birth_date(digits: str) -> bool:
    """True when ``digits`` (YYYYMMDD or YYMMDD) could be a birth date on an ID card."""
    if len(digits) == 6:
        digits = "19" + digits
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    return 1800 <= year < 2100 and 1 <= month <= 12 and 1 <= day <= 31


_DOMAIN = re.compile(
    rf"(?:[A-Za-z0-9\-{_HAN}]{{1,63}}\.){{1,9}}(?:[A-Za-z]{{2,24}}|[{_HAN}]{{1,6}})"
)


def _email(m: re.Match[str]) -> str:
    run = m.group("domain")
    domain = _DOMAIN.match(run)  # "163.com发票" is 163.com, then text
    if domain is None:
        return m.group(0)
    return f"{m.group('local')[:1]}***@{domain.group(0)}{run[domain.end() :]}"


def _id_card(m: re.Match[str]) -> str:
    value = m.group(0)
    digits = _digits(value)
    if not _birth_date(digits[6:14]):
        return value  # 18 digits without a date inside: an order number, say
    last = (digits + value[-1])[-4:] if value[-1] in "Xx" else digits[-4:]
    return f"{digits[:3]}{'*' * 11}{last}"


def _old_id_card(m: re.Match[str]) -> str:
    digits = _digits(m.group("num"))
    if not _birth_date(digits[6:12]):
        return m.group(0)
    return f"{m.group('kw')}{digits[:3]}{'*' * 8}{digits[-4:]}"


_CARD_KEYWORD = re.compile(
    r"(?:卡号|银行卡|信用卡|储蓄卡|借记卡|银行账号|账号|[Cc][Aa][Rr][Dd](?:\s?[Nn][Oo]\.?)?)"
    r"\s{0,3}[:：]?\s{0,3}$"
)


def _bank_card(m: re.Match[str]) -> str:
    main, extra = _digits(m.group("num")), m.group("extra") or ""
    if extra and _luhn_ok(main):
        return f"{main[:4]} **** **** {main[-4:]}{extra}"  # a card followed by another number
    whole = main + _digits(extra)
    if _luhn_ok(whole) or _CARD_KEYWORD.search(m.string, max(0, m.start() - 16), m.start()):
        return f"{whole[:4]} **** **** {whole[-4:]}"
    return m.group(0)  # a long number that is not a card (order ids are common)


def _mobile(m: re.Match[str]) -> str:
    digits = _digits(m.group(0))
    return f"{digits[:3]}****{digits[-4:]}"


def _landline(m: re.Match[str]) -> str:
    area = _digits(m.group("area") or m.group("parea"))
    return f"{area}-****{_digits(m.group('local'))[-4:]}"


def _account(m: re.Match[str]) -> str:
    start, keyword = m.start(), m.group("kw")
    before = m.string[start - 1 : start]
    if keyword[0].isascii() and before.isascii() and before.isalpha():
        return m.group(0)  # "qq" inside a longer word
    value = m.group("id")
    return f"{m.group('kw')}{value[:2]}{'*' * max(3, len(value) - 4)}{value[-2:]}"


def _name(m: re.Match[str]) -> str:
    keyword, name = m.group("kw"), m.group("name")
    if keyword.startswith("联系人") and not re.search("[:：]", keyword):
        return m.group(0)  # "联系人工客服": the keyword needs its colon
    return f"{keyword}{name[0]}{'*' * (len(name) - 1)}"


_REGION = re.compile(rf"[{_HAN}]{{1,7}}?(?:自治区|特别行政区|省|市)(?:[{_HAN}]{{1,7}}?市)?")
_PLACE_MARK = re.compile(r"省|市|区|县|镇|乡|村|路|街|巷|弄|号|栋|幢|室|小区|大厦|公寓")


def _address(m: re.Match[str]) -> str:
    place = m.group("addr")
    if m.string.startswith("*", m.end()) and _REGION.fullmatch(place):
        return m.group(0)  # masked already: the region kept, the rest starred
    if not _PLACE_MARK.search(place):
        return m.group(0)  # "地址不对": no place named
    region = _REGION.match(place)
    kept = region.group(0) if region and region.end() < len(place) else ""
    return f"{m.group('kw')}{kept}***"


def _house_number(m: re.Match[str]) -> str:
    return m.group(0).translate(_STARS)  # its patterns take ASCII and full-width digits only


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


_ID_WORDS = _any("身份证", "证件", "ID", "Id", "id") + r"(?:号码|号)?"
_IM_WORDS = _any(
    *("QQ", "Qq", "qq", "ＱＱ", "WeChat", "Wechat", "wechat", "WECHAT", "Weixin", "weixin"),
    *("WX", "Wx", "wx", "VX", "Vx", "vx", "V信", "v信", "薇信", "微信", "威信", "扣扣"),
) + _any("号码", "账号", "号", "ID", "id", "")
_NAME_WORDS = _any("姓名", "收件人", "收货人", "寄件人", "签收人", "持卡人", "户名", "联系人")
_ADDRESS_WORDS = _any(
    *("收货地址", "收件地址", "送货地址", "家庭地址", "详细地址", "居住地址", "通讯地址"),
    *("地址", "住址"),
)
_UNIT = r"(?:号楼|号院|栋|幢|单元|层|楼|室|号)"
_DG = "[0-9０-９]"  # a digit as people type one (house numbers: starred by translation)
# the whole run of domain characters after the @ (possessive: an address glued to the
# next one is refused as a whole, not split at a guess); its domain is read by _DOMAIN
_DOMAIN_RUN = rf"(?:[A-Za-z0-9\-.]{{1,255}}+|[{_HAN}][{_HAN}\-.]{{0,254}}+)"
_AT = r"(?:[@＠]|\s?[(\[（【]\s?[Aa][Tt]\s?[)\]）】]\s?)"  # also "(at)", "[at]"
_1 = "[1１]"
_86 = "[8８][6６]"
_00 = "[0０][0０]"

# Each pattern's first element is a literal, a class or an alternation of literals,
# so the regex engine's prefix scan skips positions that cannot start a match.
RULES: tuple[MaskRule, ...] = (
    MaskRule(
        "email",
        re.compile(
            r"(?P<local>[A-Za-z0-9._%+\-](?<![A-Za-z0-9._%+\-]{2})[A-Za-z0-9._%+\-]{0,63})"
            rf"{_AT}"
            rf"(?P<domain>{_DOMAIN_RUN})(?!{_AT})"
        ),
        _email,
        needs=("@", "＠", "at", "AT", "At", "aT"),
    ),
    MaskRule(
        "email",  # a Chinese mailbox name: 张三@公司.中国
        re.compile(
            rf"(?P<local>[{_HAN}][{_HAN}]{{0,3}})[@＠]"
            rf"(?P<domain>{_DOMAIN_RUN})(?!{_AT})"
        ),
        _email,
        needs=("@", "＠"),
    ),
    MaskRule(
        "id_card",
        re.compile(rf"\d{_FIRST}\d{{5}}{_S}?\d{{8}}{_S}?\d{{3}}[\dXx]" + _E),
        _id_card,
    ),
    MaskRule(
        "id_card",  # the 15-digit cards issued before 1999, only after a keyword
        re.compile(
            rf"(?P<kw>{_ID_WORDS}\s{{0,3}}[:：]?\s{{0,3}})(?P<num>\d{{6}}{_S}?\d{{9}})" + _E
        ),
        _old_id_card,
    ),
    MaskRule(
        "bank_card",  # in groups: the run of groups must end where the card does, both sides
        re.compile(
            rf"(?P<num>\d{_FIRST}(?<!\d{_C}\d)(?:"
            rf"\d{{3}}(?:{_C}\d{{4}}){{3}}"  # 4-4-4-4
            rf"|\d{{5}}{_C}\d{{13}}"  # 6-13 (UnionPay 19)
            rf"|\d{{3}}{_C}\d{{6}}{_C}\d{{5}}))"  # 4-6-5 (Amex 15)
            rf"(?P<extra>{_C}\d{{1,3}})?" + _E + rf"(?!{_C}\d)"
        ),
        _bank_card,
    ),
    MaskRule(
        "bank_card",  # 15 to 19 digits in one run
        re.compile(rf"(?P<num>\d{_FIRST}\d{{14,18}})(?P<extra>{_C}\d{{1,3}})?" + _E),
        _bank_card,
    ),
    MaskRule(
        "mobile",  # a country code before (+86, 0086, 86) stays outside the match
        re.compile(
            rf"{_1}(?:(?<!\d{_1})|(?<=(?<!\d){_86}{_1})|(?<=(?<!\d){_86}{_C}{_1})"
            rf"|(?<=(?<!\d){_00}{_86}{_1})|(?<=(?<!\d){_00}{_86}{_C}{_1}))"
            rf"[3-9３-９]\d{_S}?\d{{4}}{_S}?\d{{4}}" + _E
        ),
        _mobile,
    ),
    MaskRule(
        "landline",
        re.compile(
            r"[0０(（](?:(?<=[0０])(?<!\d[0０])(?P<area>\d{2,3})[ \-]"
            r"|(?<=[(（])(?P<parea>[0０]\d{2,3})[)）]\s?)"
            r"(?P<local>[2-9２-９]\d{2,3}[ \-]?\d{4})(?:-\d{1,5})?" + _E
        ),
        lambda m: _landline(m) if m.group("parea") else "0" + _landline(m),
    ),
    MaskRule(
        "im_account",
        re.compile(
            rf"(?P<kw>{_IM_WORDS}\s{{0,3}}[:：]?\s{{0,3}})"
            r"(?P<id>[1-9]\d{4,11}|[A-Za-z][\-_A-Za-z0-9]{5,19})(?![0-9A-Za-z_\-])"
        ),
        _account,
    ),
    MaskRule(
        "name",
        re.compile(
            rf"(?P<kw>{_NAME_WORDS}\s{{0,3}}[:：是为]?\s{{0,3}})"
            rf"(?!电话|手机|地址|信息|号码|联系|是|为|我|本人|自己|不|没|的|写|填|错)(?P<name>[{_HAN}][{_HAN}·]{{1,3}})"
        ),
        _name,
    ),
    MaskRule(
        "address",
        re.compile(
            rf"(?P<kw>{_ADDRESS_WORDS}\s{{0,3}}[:：是为在]?\s{{0,3}})"
            r"(?P<addr>[^\s，,。;；!！?？、\n*]{2,80}+)"
        ),
        _address,
        needs=("址",),
    ),
    MaskRule(  # house numbers without a keyword: 建国路88号1201室
        "address",
        re.compile(rf"[路街巷弄道]\s?{_DG}{{1,5}}\s?号(?:\s?{_DG}{{1,5}}\s?{_UNIT}){{0,4}}"),
        _house_number,
        needs=("号",),
    ),
    MaskRule(  # 3栋2单元501室
        "address",
        re.compile(
            rf"{_DG}{_FIRST}{_DG}{{0,3}}\s?(?:栋|幢|号楼)\s?{_DG}{{1,3}}\s?单元"
            rf"(?:\s?{_DG}{{1,5}}\s?(?:室|号)?)?"
        ),
        _house_number,
        needs=("单元",),
    ),
)


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (plus :data:`CUT_MARK`).

    A number or address cut in half would no longer look like one and slip
    past masking, so a run of digits, letters or separators at the cut goes too.
    """
    if len(text) <= limit:
        return text
    head = text[:limit]
    tail = _TAIL.search(head, max(0, limit - 64))
    while tail is not None and tail.end() < limit:
        tail = _TAIL.search(head, tail.end())
    if tail is not None:
        head = head[: tail.start()]
    return head + CUT_MARK


def _applies(rule: MaskRule, text: str) -> bool:
    return not rule.needs or any(word in text for word in rule.needs)


def mask_text(text: str) -> str:
    """``text`` with phone numbers, emails, ID and bank cards, IM ids, names and addresses masked.

    Text over :data:`MASK_LIMIT` characters is cut first (see :func:`cut`).
    """
    text = cut(text, MASK_LIMIT)
    for rule in RULES:
        if _applies(rule, text):
            text = rule.pattern.sub(rule.replace, text)
    return text


@lru_cache(maxsize=4096)
def masked_excerpt(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text`` masked (:func:`mask_text`).

    Masked before it is cut, so a number the cut would split is still masked whole.
    Remembered for the latest texts: the worker shows one event's text in every
    window cell it counts into.
    """
    return mask_text(text)[:limit]


def find_personal_data(text: str) -> list[str]:
    """Names of the rules that would change ``text`` (for tests and audits)."""
    found: list[str] = []
    text = cut(text, MASK_LIMIT)
    for rule in RULES:
        if (
            rule.name not in found
            and _applies(rule, text)
            and any(rule.replace(m) != m.group(0) for m in rule.pattern.finditer(text))
        ):
            found.append(rule.name)
    return found


#: Query parameters whose values are credentials or personal data, in any case.
_SECRET_PARAMS = re.compile(
    r"(?i)^(?:.*(?:token|secret|passw|pwd|sign|auth|session|ticket|key|cookie|credential))"
    r"|^(?:code|sid|sig|phone|mobile|tel|email|mail|name|user|uid|openid|unionid|idcard|id_card)$"
)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,15}://[^\s<>\"'，。]{1,4000}")


def _strip_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "?" in authority or "#" in authority:  # http://host?query: no path
        cut_at = min(i for i in (authority.find("?"), authority.find("#")) if i >= 0)
        authority, slash, path = authority[:cut_at], "", authority[cut_at:] + slash + path
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    path, hash_, fragment = path.partition("#")
    path, question, query = path.partition("?")
    if query:
        pairs = []
        for pair in query.split("&"):
            name, equals, value = pair.partition("=")
            hidden = equals and value and _SECRET_PARAMS.search(name)
            pairs.append(f"{name}={'***' if hidden else value}" if equals else pair)
        query = "&".join(pairs)
    return f"{scheme}{sep}{authority}{slash}{path}{question}{query}{hash_}{fragment}"


def mask_url(url: str) -> str:
    """``url`` without credentials (user:password, secret query values starred), then masked."""
    return mask_text(_strip_url(cut(url, MASK_LIMIT)))


def mask_urls(text: str) -> str:
    """``text`` masked, every URL in it first stripped of credentials as by :func:`mask_url`."""
    return mask_text(_URL.sub(lambda m: _strip_url(m.group(0)), cut(text, MASK_LIMIT)))


def pseudonymise(author: str, key: bytes) -> str:
    """A stable pseudonym for an author name: the same name and key give the same value."""
    name = author.strip().casefold().encode("utf-8", "surrogatepass")  # read as it came
    digest = hmac.new(key, name, hashlib.sha256)
    return f"u_{digest.hexdigest()[:16]}"


def pseudonym_key(settings: CoreSettings) -> bytes:
    """The pseudonym key from settings, else a random one created once in the data dir."""
    return settings.secret(settings.pseudonym_key, "pseudonym")
