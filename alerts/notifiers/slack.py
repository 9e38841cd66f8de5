"""Notifiers: Slack incoming webhook, Block Kit message in Slack's own mrkdwn (no signing there)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import HttpUrl

from alerts.markup import slack_literal
from alerts.message import Message
from alerts.notifiers.base import ChannelConfig, ChannelNotifier
from alerts.notifiers.http import post_json, safe_url
from alerts.render import MAX_ALERTS_SHOWN, action_links, alert_heading, evidence_lines

MAX_SECTION = 2900  # Slack rejects section text over 3000 characters


class SlackConfig(ChannelConfig):
    """``slack: {url}``: the incoming-webhook URL (it names the channel)."""

    channel: ClassVar[str] = "slack"
    url: HttpUrl

    def target(self) -> str:
        return f"slack {safe_url(str(self.url))}"


def body(message: Message) -> dict[str, object]:
    locale = message.locale
    lines = [f"*{slack_literal(locale.t('alerts.message.rule', rule=message.rule))}*"]
    if message.rule_description:
        lines[0] += f" — {slack_literal(message.rule_description)}"
    if message.note:
        lines.append(slack_literal(message.note))
    incident = message.incident
    if incident is not None:
        opened = slack_literal(locale.t("alerts.message.incident_link", id=incident.id))
        links = [f"<{incident.url}|{opened}>"]
        links += [f"<{url}|{slack_literal(text)}>" for text, url in action_links(message)[1:]]
        lines.append(" · ".join(links))
    for n, alert in enumerate(message.alerts[:MAX_ALERTS_SHOWN], 1):
        lines.append(f"\n*{alert_heading(n, alert, locale, slack_literal)}*")
        lines += [f"• {slack_literal(line)}" for line in evidence_lines(alert, locale)]
        # quoted on one line: a sample cannot add lines, links, mentions or emphasis
        lines += [f"> “{slack_literal(s.text)}”" for s in alert.samples]
    text = "\n".join(lines)
    if len(text) > MAX_SECTION:
        text = text[:MAX_SECTION] + "\n…"
    return {
        "text": message.headline(slack_literal),
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": message.headline()[:150]},
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        ],
    }


class SlackNotifier(ChannelNotifier[SlackConfig]):
    """Posts a Block Kit message; Slack answers ``ok`` or an HTTP error naming the problem."""

    def send(self, message: Message) -> str:
        response = post_json(str(self.config.url), body(message), timeout=self.timeout)
        return f"HTTP {response.status_code} {response.text[:20]}"
