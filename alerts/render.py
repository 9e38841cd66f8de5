"""Alerts: a notification as plain text, Markdown and HTML (every alert explains itself).

Every word comes from the message catalogue in the message's language, and
every time is shown in its time zone (``2026-12-07 14:05（北京时间）``).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from alerts.markup import chat_literal, one_line
from alerts.message import AlertView, Message
from radar.i18n import Locale

MAX_ALERTS_SHOWN = 10


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _measure(alert: AlertView, locale: Locale) -> str:
    """Observed against expected, in the words that fit the signal."""
    observed, expected = _number(alert.observed), _number(alert.expected)
    if alert.type == "unanswered":
        return locale.t("alerts.evidence.unanswered", observed=observed, expected=expected)
    if alert.type == "source_down":
        down = alert.status == "firing" and alert.observed < alert.expected
        return locale.t("alerts.evidence.source_down" if down else "alerts.evidence.source_up")
    return locale.t(
        "alerts.evidence.observed",
        observed=observed,
        expected=expected,
        score=f"{alert.score:.3f}",
        statistic=locale.label("statistic", alert.statistic),
    )


def evidence_lines(alert: AlertView, locale: Locale) -> list[str]:
    """What the signal saw, one fact per line (shared by every format)."""
    listed = locale.t("text.list")
    lines = [
        _measure(alert, locale),
        locale.t(
            "alerts.evidence.window", window=locale.span(alert.window_start, alert.window_end)
        ),
    ]
    if alert.drivers:
        lines.append(locale.t("alerts.evidence.drivers", drivers=driver_text(alert, locale)))
    if alert.top_topics:
        lines.append(locale.t("alerts.evidence.topics", topics=listed.join(alert.top_topics)))
    if alert.crisis_terms:
        lines.append(
            locale.t("alerts.evidence.crisis_terms", terms=listed.join(alert.crisis_terms))
        )
    return lines


def driver_text(alert: AlertView, locale: Locale) -> str:
    """``广东 72%，p6 88%，评价``: each driver with its share of the excess (channels by name)."""
    parts = []
    for driver in alert.drivers:
        value = driver.value
        if driver.field == "channel":
            value = locale.label("channel", value)
        parts.append(
            locale.t(
                "alerts.evidence.driver", value=one_line(value), share=round(100 * driver.share)
            )
        )
    return locale.t("text.list").join(parts)


def alert_heading(
    n: int, alert: AlertView, locale: Locale, literal: Callable[[str], str] = one_line
) -> str:
    """``1. 投诉激增：物流配送 · 广东【告警中】``; its title (customer labels) via ``literal``."""
    status = locale.label("alert_status", alert.status)
    title = literal(alert.title(locale))
    return locale.t("alerts.message.alert", n=n, title=title, status=status)


def sample_line(text: str, channel: str | None, locale: Locale) -> str:
    if not channel:
        return text
    return locale.t(
        "alerts.message.sample_channel", text=text, channel=locale.label("channel", channel)
    )


def _intro(message: Message) -> list[str]:
    locale = message.locale
    if message.rule_description:
        rule = locale.t(
            "alerts.message.rule_described",
            rule=message.rule,
            description=message.rule_description,
        )
    else:
        rule = locale.t("alerts.message.rule", rule=message.rule)
    lines = [rule]
    if message.note:
        lines.append(message.note)
    incident = message.incident
    if incident is not None:
        lines.append(
            locale.t(
                "alerts.message.incident",
                id=incident.id,
                status=locale.label("status", incident.status),
                owner=incident.owner or locale.t("alerts.message.nobody"),
                opened=locale.time(incident.opened_at),
            )
        )
    return lines


def _shown(message: Message) -> tuple[list[AlertView], int]:
    alerts = message.alerts[:MAX_ALERTS_SHOWN]
    return alerts, len(message.alerts) - len(alerts)


def action_links(message: Message) -> list[tuple[str, str]]:
    """(label, URL) of the dashboard, acknowledge and resolve links a message offers."""
    incident, locale = message.incident, message.locale
    if incident is None:
        return []
    links = [(locale.t("alerts.message.open_link"), incident.url)]
    if incident.ack_url and message.status == "firing":
        links.append((locale.t("alerts.message.ack_link"), incident.ack_url))
    if incident.resolve_url and message.status == "firing":
        links.append((locale.t("alerts.message.resolve_link"), incident.resolve_url))
    return links


def more_text(message: Message, hidden: int) -> str:
    return message.locale.t("alerts.message.more", count=hidden)


def render_text(message: Message) -> str:
    locale = message.locale
    lines = [message.headline(), "", *_intro(message)]
    incident = message.incident
    if incident is not None:
        lines.append(locale.t("alerts.message.dashboard", url=incident.url))
        if incident.ack_url and message.status == "firing":
            lines.append(locale.t("alerts.message.acknowledge", url=incident.ack_url))
        if incident.resolve_url and message.status == "firing":
            lines.append(locale.t("alerts.message.resolve", url=incident.resolve_url))
    alerts, hidden = _shown(message)
    for n, alert in enumerate(alerts, 1):
        lines += ["", alert_heading(n, alert, locale)]
        lines += [f"   {line}" for line in evidence_lines(alert, locale)]
        for sample in alert.samples:
            lines.append("   - " + sample_line(f"“{sample.text}”", sample.channel, locale))
    if hidden:
        lines += ["", more_text(message, hidden)]
    return "\n".join(lines) + "\n"


def render_markdown(message: Message, *, links: bool = True) -> str:
    """Markdown for DingTalk, WeCom and Feishu. Every word is made literal
    (:func:`~alerts.markup.chat_literal`): only the action links are syntax, and a sample
    is one quoted line, so a customer's text cannot add links, mentions or lines."""
    locale, lit = message.locale, chat_literal
    lines = [f"### {message.headline(lit)}", ""]
    lines += [f"{lit(line)}  " for line in _intro(message)]
    if links and message.incident is not None:
        lines += ["", " · ".join(f"[{lit(text)}]({url})" for text, url in action_links(message))]
    alerts, hidden = _shown(message)
    for n, alert in enumerate(alerts, 1):
        lines += ["", f"**{alert_heading(n, alert, locale, lit)}**"]
        lines += [f"- {lit(line)}" for line in evidence_lines(alert, locale)]
        # quoted, the text never starts a line: no heading, list or quote of its own
        lines += [f"> “{lit(sample.text)}”" for sample in alert.samples]
    if hidden:
        lines += ["", lit(more_text(message, hidden))]
    return "\n".join(lines) + "\n"


def render_html(message: Message) -> str:
    e = escape
    locale = message.locale
    parts = [
        f'<!doctype html><html lang="{message.lang}"><body style="font-family:sans-serif">',
        f"<h2>{e(message.headline())}</h2>",
        *(f"<p>{e(line)}</p>" for line in _intro(message)),
    ]
    if message.incident is not None:
        links = [f'<a href="{e(url)}">{e(text)}</a>' for text, url in action_links(message)]
        parts.append("<p>" + " · ".join(links) + "</p>")
    alerts, hidden = _shown(message)
    for n, alert in enumerate(alerts, 1):
        parts.append(f"<h3>{e(alert_heading(n, alert, locale))}</h3>")
        facts = "".join(f"<li>{e(x)}</li>" for x in evidence_lines(alert, locale))
        parts.append(f"<ul>{facts}</ul>")
        if alert.samples:
            quotes = "".join(f"<blockquote>{e(s.text)}</blockquote>" for s in alert.samples)
            parts.append(quotes)
    if hidden:
        parts.append(f"<p>{e(more_text(message, hidden))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
