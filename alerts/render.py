"""Alerts: a notification as plain text, Markdown and HTML (every alert explains itself)."""

from __future__ import annotations

from html import escape

from alerts.message import AlertView, Message, utc_iso

MAX_ALERTS_SHOWN = 10


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _window(alert: AlertView) -> str:
    start, end = alert.window_start, alert.window_end
    same_day = start.date() == end.date()
    end_text = end.strftime("%H:%M UTC") if same_day else utc_iso(end)
    return f"{start.strftime('%Y-%m-%d %H:%M')}–{end_text}"


def evidence_lines(alert: AlertView) -> list[str]:
    """What the signal saw, one fact per line (shared by every format)."""
    lines = [
        f"observed {_number(alert.observed)} vs expected {_number(alert.expected)} "
        f"(score {alert.score:.3f}, {alert.statistic})",
        f"window {_window(alert)}",
    ]
    if alert.top_topics:
        lines.append("top topics: " + ", ".join(alert.top_topics))
    if alert.crisis_terms:
        lines.append("crisis terms: " + ", ".join(alert.crisis_terms))
    return lines


def _intro(message: Message) -> list[str]:
    lines = [
        f"Rule: {message.rule}"
        + (f" — {message.rule_description}" if message.rule_description else "")
    ]
    if message.note:
        lines.append(message.note)
    incident = message.incident
    if incident is not None:
        owner = incident.owner or "nobody yet"
        lines.append(
            f"Incident {incident.id} ({incident.status}), owner {owner}, "
            f"opened {utc_iso(incident.opened_at)}"
        )
    return lines


def _shown(message: Message) -> tuple[list[AlertView], int]:
    alerts = message.alerts[:MAX_ALERTS_SHOWN]
    return alerts, len(message.alerts) - len(alerts)


def render_text(message: Message) -> str:
    lines = [message.headline(), "", *_intro(message)]
    incident = message.incident
    if incident is not None:
        lines.append(f"Dashboard: {incident.url}")
        if incident.ack_url and message.status == "firing":
            lines.append(f"Acknowledge: {incident.ack_url}")
        if incident.resolve_url and message.status == "firing":
            lines.append(f"Resolve: {incident.resolve_url}")
    alerts, hidden = _shown(message)
    for n, alert in enumerate(alerts, 1):
        lines += ["", f"{n}. {alert.type} {alert.key_text} [{alert.status}]"]
        lines += [f"   {line}" for line in evidence_lines(alert)]
        for sample in alert.samples:
            lines.append(
                f"   - “{sample.text}”" + (f" ({sample.channel})" if sample.channel else "")
            )
    if hidden:
        lines += ["", f"... and {hidden} more alerts in this group"]
    return "\n".join(lines) + "\n"


def render_markdown(message: Message, *, links: bool = True) -> str:
    lines = [f"### {message.headline()}", ""]
    lines += [f"{line}  " for line in _intro(message)]
    incident = message.incident
    if incident is not None and links:
        actions = [f"[Open in dashboard]({incident.url})"]
        if incident.ack_url and message.status == "firing":
            actions.append(f"[Acknowledge]({incident.ack_url})")
        if incident.resolve_url and message.status == "firing":
            actions.append(f"[Resolve]({incident.resolve_url})")
        lines += ["", " · ".join(actions)]
    alerts, hidden = _shown(message)
    for n, alert in enumerate(alerts, 1):
        lines += ["", f"**{n}. {alert.type}** `{alert.key_text}` ({alert.status})"]
        lines += [f"- {line}" for line in evidence_lines(alert)]
        for sample in alert.samples:
            lines.append(f"> {sample.text}")
    if hidden:
        lines += ["", f"... and {hidden} more alerts in this group"]
    return "\n".join(lines) + "\n"


def render_html(message: Message) -> str:
    e = escape
    parts = [
        '<!doctype html><html><body style="font-family:sans-serif">',
        f"<h2>{e(message.headline())}</h2>",
        *(f"<p>{e(line)}</p>" for line in _intro(message)),
    ]
    incident = message.incident
    if incident is not None:
        links = [f'<a href="{e(incident.url)}">Open in dashboard</a>']
        if incident.ack_url and message.status == "firing":
            links.append(f'<a href="{e(incident.ack_url)}">Acknowledge</a>')
        if incident.resolve_url and message.status == "firing":
            links.append(f'<a href="{e(incident.resolve_url)}">Resolve</a>')
        parts.append("<p>" + " · ".join(links) + "</p>")
    alerts, hidden = _shown(message)
    for n, alert in enumerate(alerts, 1):
        parts.append(f"<h3>{n}. {e(alert.type)} {e(alert.key_text)} ({e(alert.status)})</h3>")
        parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in evidence_lines(alert)) + "</ul>")
        if alert.samples:
            quotes = "".join(f"<blockquote>{e(s.text)}</blockquote>" for s in alert.samples)
            parts.append(quotes)
    if hidden:
        parts.append(f"<p>... and {hidden} more alerts in this group</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
