"""Alerts: a digest as email (text, and HTML with the charts inline), as Markdown for chat
robots, and as files (``radar digest --out``).

Every text is escaped for where it goes: HTML-escaped in email, Markdown's
special characters written as full-width look-alikes in chat messages
(:mod:`alerts.markup`), so a customer's question in the FAQ section cannot
become a link, a mention or a heading.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path

from alerts.digest import Digest, Section
from alerts.markup import chat_literal
from alerts.notifiers.email import subject
from radar.i18n import Locale


def md(text: str) -> str:
    """``text`` as literal Markdown for the chat robots, on one line (see :mod:`alerts.markup`)."""
    return chat_literal(text)


def _locale(digest: Digest) -> Locale:
    return Locale.of(digest.lang, digest.timezone)


def render_text(digest: Digest) -> str:
    """Plain text: the email's text part and the service log."""
    locale = _locale(digest)
    out = [digest.title, locale.t("digest.common.period", period=digest.period), ""]
    for section in digest.sections:
        if not section.lines and section.table is None:
            continue  # a chart alone: it is in the HTML
        out.append(f"■ {section.title}")
        out += [f"  {line}" for line in section.lines]
        if section.table is not None:
            out.append("  " + " | ".join(section.table.headings))
            out += ["  " + " | ".join(row) for row in section.table.rows]
        if section.link:
            out.append(f"  {locale.t('digest.common.details')}: {section.link}")
        out.append("")
    out += [digest.note, f"{locale.t('digest.common.dashboard')}: {digest.url}"]
    return "\n".join(out) + "\n"


def render_markdown(digest: Digest, *, limit_rows: int = 5) -> str:
    """Markdown for DingTalk, WeCom and Feishu (no tables: they do not all render them)."""
    locale = _locale(digest)
    out = [f"### {md(digest.title)}", md(locale.t("digest.common.period", period=digest.period))]
    for section in digest.sections:
        if not section.lines and section.table is None:
            continue  # a chart alone: robots take no image files (see digest_send)
        out += ["", f"**{md(section.title)}**"]
        out += [f"- {md(line)}" for line in section.lines]
        if section.table is not None:
            headings = section.table.headings
            for n, row in enumerate(section.table.rows[:limit_rows], 1):
                # "物流配送：投诉 15 · 前一日 3": each cell named by its heading
                named = locale.t("text.join").join(
                    f"{md(h)} {md(c)}" for h, c in zip(headings[1:], row[1:], strict=False)
                )
                first = md(row[0])
                line = locale.t("digest.common.row", first=first, rest=named) if named else first
                out.append(f"{n}. {line}")
        if section.link:
            out.append(f"[{md(locale.t('digest.common.details'))}]({section.link})")
    out += ["", md(digest.note), f"[{md(locale.t('digest.common.dashboard'))}]({digest.url})"]
    return "\n".join(out) + "\n"


def _html_section(section: Section, images: dict[str, str], locale: Locale) -> str:
    e = escape
    parts = [f'<h3 style="margin:20px 0 6px;font-size:16px">{e(section.title)}</h3>']
    parts += [f'<p style="margin:4px 0">{e(line)}</p>' for line in section.lines]
    if section.table is not None:
        head = "".join(
            f'<th style="text-align:left;padding:4px 10px;border-bottom:1px solid #ccc">{e(h)}</th>'
            for h in section.table.headings
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="padding:4px 10px;border-bottom:1px solid #eee">{e(c)}</td>'
                for c in row
            )
            + "</tr>"
            for row in section.table.rows
        )
        parts.append(
            f'<table style="border-collapse:collapse;font-size:13px;margin:6px 0">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    if section.chart and section.chart in images:
        parts.append(
            f'<p><img src="{e(images[section.chart])}" alt="{e(section.title)}" '
            f'style="max-width:100%;width:720px"></p>'
        )
    if section.link:
        label = e(locale.t("digest.common.details"))
        parts.append(f'<p style="margin:4px 0"><a href="{e(section.link)}">{label}</a></p>')
    return "\n".join(parts)


def render_html(digest: Digest, images: dict[str, str]) -> str:
    """HTML; ``images`` maps a chart's name to where it is (``cid:…`` or a file name)."""
    locale = _locale(digest)
    e = escape
    parts = [
        f'<!doctype html><html lang="{e(digest.lang)}"><head><meta charset="utf-8">'
        f"<title>{e(digest.title)}</title></head>",
        "<body style=\"font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',"
        'sans-serif;color:#262730;max-width:760px">',
        f'<h2 style="margin-bottom:4px">{e(digest.title)}</h2>',
        f'<p style="color:#808495;margin-top:0">'
        f"{e(locale.t('digest.common.period', period=digest.period))}</p>",
        *(_html_section(s, images, locale) for s in digest.sections),
        f'<p style="color:#808495;font-size:12px;margin-top:24px">{e(digest.note)}</p>',
        f'<p><a href="{e(digest.url)}">{e(locale.t("digest.common.dashboard"))}</a></p>',
        "</body></html>",
    ]
    return "\n".join(parts)


def build_email(
    digest: Digest, sender: str, to: list[str], subject_prefix: str = "[Radar] "
) -> EmailMessage:
    """The email: a text part and an HTML part with every chart inline (``multipart/related``)."""
    mail = EmailMessage()
    mail["Subject"] = subject(subject_prefix, digest.title)
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = format_datetime(digest.until)
    domain = sender.rpartition("@")[2] or "radar.local"
    mail["Message-ID"] = make_msgid(idstring=digest.id, domain=domain)
    mail["X-Radar-Digest"] = f"{digest.kind} {digest.id}"
    mail.set_content(render_text(digest))
    ids = {
        c.name: make_msgid(idstring=f"{digest.id}.{c.name}", domain=domain) for c in digest.charts
    }
    html = render_html(digest, {name: f"cid:{cid[1:-1]}" for name, cid in ids.items()})
    mail.add_alternative(html, subtype="html")
    related = next(p for p in mail.iter_parts() if p.get_content_type() == "text/html")
    assert isinstance(related, EmailMessage)
    for chart in digest.charts:
        related.add_related(
            chart.png, "image", "png", cid=ids[chart.name], filename=f"{chart.name}.png"
        )
    return mail


def write_files(digest: Digest, folder: Path) -> Path:
    """``index.html`` (charts as files beside it), ``digest.md`` and ``digest.txt``; returns
    the HTML file."""
    folder.mkdir(parents=True, exist_ok=True)
    for chart in digest.charts:
        (folder / f"{chart.name}.png").write_bytes(chart.png)
    page = folder / "index.html"
    page.write_text(
        render_html(digest, {c.name: f"{c.name}.png" for c in digest.charts}), encoding="utf-8"
    )
    (folder / "digest.md").write_text(render_markdown(digest), encoding="utf-8")
    (folder / "digest.txt").write_text(render_text(digest), encoding="utf-8")
    return page


__all__ = [
    "build_email",
    "md",
    "render_html",
    "render_markdown",
    "render_text",
    "write_files",
]
