"""Alerts: words made literal for each chat format, so a customer's text stays text.

Customer words reach DingTalk, WeCom, Feishu and Slack inside Markdown: the
samples, and the product, region or topic a title names. Written as they are,
a complaint could end the quote it sits in and add lines of its own, add a link
that looks like the message's own 确认 link, load a tracking image, or mention
everyone (Feishu ``<at id=all>``, WeCom ``<@userid>``). The robots do not all
honour Markdown's backslash escapes, so the characters that make syntax are
written as their full-width look-alikes (as Chinese text writes them anyway),
which no robot reads as syntax, and every line break becomes a space.
"""

from __future__ import annotations

import re

#: Characters that start Markdown links, images, emphasis, code, tags, mentions or entities.
_CHAT_SYNTAX = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "~": "～",
        "[": "［",
        "]": "］",
        "<": "＜",
        ">": "＞",
        "&": "＆",
        "|": "｜",
        "#": "＃",
    }
)
#: A list item's marker at the start of a text (``- ``, ``+ ``, ``1. ``, ``1) ``).
_LEADING_MARKER = re.compile(r"^(?:[-+]|\d+[.)])(?= |$)")
_MARKER_SYNTAX = str.maketrans({"-": "－", "+": "＋", ".": "．", ")": "）"})
#: Slack's mrkdwn: links and mentions need ``<``; emphasis and code have no escape at all.
_SLACK_SYNTAX = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "*": "＊", "_": "＿", "~": "～", "`": "｀"}
)
#: Line and paragraph breaks, other control characters and runs of white space.
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: object) -> str:
    """``text`` on one line: every run of white space or control characters is one space.

    What a header or a chat line needs: an email subject with a line break in it
    is refused by the email library, and a break in chat ends a quote.
    """
    return _BREAKS.sub(" ", str(text)).strip()


def chat_literal(text: object) -> str:
    """``text`` for DingTalk, WeCom or Feishu Markdown: one line, no syntax, read as written.

    Safe anywhere on a line, its start included: a leading list marker is written
    full-width too, so the text cannot start a list (``#`` and ``>`` always are).
    """
    line = one_line(text).translate(_CHAT_SYNTAX)
    return _LEADING_MARKER.sub(lambda found: found.group().translate(_MARKER_SYNTAX), line)


def slack_literal(text: object) -> str:
    """``text`` for Slack's mrkdwn: one line, ``& < >`` as entities, no emphasis or code."""
    return one_line(text).translate(_SLACK_SYNTAX)


__all__ = ["chat_literal", "one_line", "slack_literal"]
