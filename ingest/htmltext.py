"""Connectors: HTML to readable text (forum posts, HTML mails), keeping paragraph breaks."""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre")


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<\s*(?:p|div|br|span|a|b|i|html|body|table|img)\b", text, re.I))


def html_to_text(html: str, *, drop_quotes: bool = False) -> str:
    """The visible text of ``html``: scripts and styles removed, blocks on their own lines.

    ``drop_quotes`` also removes ``<blockquote>`` and the quote blocks mail
    clients add (Gmail, Outlook, Foxmail, QQ Mail), for replies.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "meta"]):
        tag.decompose()
    if drop_quotes:
        for tag in soup.find_all("blockquote"):
            tag.decompose()
        for tag in soup.find_all(
            class_=re.compile(
                r"gmail_quote|OutlookMessageHeader|"
                r"foxmail_quote|qmail_quote|yahoo_quoted"
            )
        ):
            tag.decompose()
        for tag in soup.find_all(id=re.compile(r"divRplyFwdMsg|appendonsend|isForwardContent")):
            for sibling in list(tag.find_next_siblings()):
                sibling.decompose()
            tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
