"""Alerts: what an alert or incident is called, in the reader's language.

A generated title names the signal type and every field of the key, in a fixed
order, with codes turned into labels: ``投诉激增：物流配送 · 广东``,
``安全危机：热水器``, ``数据源中断：demo-email（邮件）``, ``超时未回复：论坛 ×3``.
It is kept as a :class:`~radar.i18n.Text`, so each reader sees it in their own
language. A rule's own ``title`` template is shown as written, its placeholders
filled from the labels; a placeholder without a value leaves no dangling
separator or empty brackets behind.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from radar.i18n import Locale, Text, catalogue, label_text

if TYPE_CHECKING:  # alerts.config imports the notifiers, which import the titles
    from alerts.config import Rule

#: Key fields in the order a title names them; others follow in name order.
KEY_ORDER = (
    "topic",
    "product",
    "shop",
    "region",
    "segment",
    "stage",
    "source",
    "channel",
    "thread",
    "thread_id",
    "scope",
)
#: Key fields whose values are codes with a label of their own (``label.<table>``).
CODED = {"channel": "channel", "stage": "stage", "scope": "scope", "crisis": "crisis"}
#: Template fields whose values are codes too.
CODED_LABELS = {**CODED, "type": "signal", "severity": "severity_name"}
_GAP = "\x00"
_OPEN, _CLOSE, _SEP = r"[(（\[【]", r"[)）\]】]", r"[:：,，;；·/|、—–-]"


@dataclass(frozen=True)
class Keyed:
    """What a title needs of an alert: its signal's type and key, and whether it fires."""

    type: str
    key: Mapping[str, str]
    firing: bool = True


def type_text(signal_type: str, key: Mapping[str, str]) -> Text | str:
    """``投诉激增``; a crisis is named by its category (``安全危机``)."""
    category = key.get("crisis")
    if signal_type == "crisis" and category:
        return Text("alerts.title.crisis_type", {"category": label_text("crisis", category)})
    return label_text("signal", signal_type)


def _ordered(key: Mapping[str, str]) -> list[str]:
    known = [name for name in KEY_ORDER if name in key]
    return known + sorted(n for n in key if n not in KEY_ORDER and n not in CODED_LABELS)


def scope_parts(key: Mapping[str, str]) -> list[Text | str]:
    """Each field of ``key`` as shown in a title (a source with its channel in brackets)."""
    parts: list[Text | str] = []
    for name in _ordered(key):
        value = str(key[name] or "")
        if not value or (name == "channel" and key.get("source")):
            continue
        if name == "source" and key.get("channel"):
            channel = label_text("channel", key["channel"])
            parts.append(Text("alerts.title.source_channel", {"source": value, "channel": channel}))
        elif name in ("thread", "thread_id"):
            parts.append(Text("alerts.title.thread", {"thread": value}))
        elif name in CODED:
            parts.append(label_text(CODED[name], value))
        else:
            parts.append(value)
    return parts


def signal_title(signal_type: str, key: Mapping[str, str], count: int = 1) -> Text:
    """The generated title of alerts of ``signal_type`` on ``key``; ``count`` > 1 adds ×N."""
    kind = type_text(signal_type, key)
    parts = scope_parts(key)
    if parts:
        base = Text("alerts.title.signal", {"type": kind, "scope": parts})
    else:
        base = Text("text.plain", {"text": kind})
    return Text("alerts.title.count", {"title": base, "count": count}) if count > 1 else base


def common_key(alerts: Sequence[Keyed]) -> dict[str, str]:
    """The key fields every one of ``alerts`` shares (the incident's scope)."""
    if not alerts:
        return {}
    shared = dict(alerts[0].key)
    for alert in alerts[1:]:
        shared = {k: v for k, v in shared.items() if alert.key.get(k) == v}
    return shared


def generated_title(incident_type: str | None, alerts: Sequence[Keyed]) -> Text:
    """The title of a group of alerts: their common type and key, ×N when several fire."""
    firing = [a for a in alerts if a.firing] or list(alerts)
    types = {a.type for a in firing}
    kind = types.pop() if len(types) == 1 else (incident_type or "default")
    return signal_title(kind, common_key(firing), len([a for a in alerts if a.firing]))


def fill_template(template: str, labels: Mapping[str, str], locale: Locale) -> str:
    """A rule's ``title`` with its ``{label}`` fields filled; a field without a value leaves
    no ``物流投诉激增: `` or ``()`` behind. Codes (channel, type, ...) become labels."""
    out: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        value = str(labels.get(name, "") or "")
        if value and name in CODED_LABELS:
            value = locale.label(CODED_LABELS[name], value)
        if value and (spec or conversion):
            value = format(value, spec or "")
        out.append(value or _GAP)
    return _close_gaps("".join(out))


def _close_gaps(text: str) -> str:
    text = re.sub(rf"\s*{_OPEN}\s*{_GAP}\s*{_CLOSE}", _GAP, text)
    text = re.sub(rf"\s*{_SEP}\s*{_GAP}", _GAP, text)
    text = re.sub(rf"^\s*{_GAP}\s*{_SEP}\s*", "", text)
    text = text.replace(_GAP, "")
    text = re.sub(r"^[\s:：,，;；·/|、—–-]+|[\s:：,，;；·/|、—–-]+$", "", text)
    return re.sub(r"\s{2,}", " ", text)


def title_labels(group_labels: Mapping[str, str], alerts: Sequence[Any]) -> dict[str, str]:
    """The labels a template may use: the group's, then the first alert's others."""
    labels = dict(group_labels)
    if alerts:
        labels.update({k: v for k, v in alerts[0].labels.items() if k not in group_labels})
    return labels


def title_for(
    rule: Rule,
    group_labels: Mapping[str, str],
    alerts: Sequence[Any],
    locale: Locale,
) -> tuple[str, Text | None]:
    """(the title in ``locale``, the Text it came from when generated)."""
    firing = len([a for a in alerts if a.firing])
    if rule.title:
        filled = fill_template(rule.title, title_labels(group_labels, alerts), locale)
        if filled:
            if firing > 1:
                return locale.t("alerts.title.count", title=filled, count=firing), None
            return filled, None
    keyed = [Keyed(a.signal.type, a.signal.key, a.firing) for a in alerts]
    generated = generated_title(rule.incident_type, keyed)
    return locale.render(generated), generated


def rule_description(rule: Rule, locale: Locale) -> str:
    """A shipped rule's description in ``locale``; a rules file's own text as written.

    A rule counts as shipped when its name and its English description are those
    of ``alerts/default_rules.yaml`` (``rule.<name>`` in the catalogue).
    """
    key = f"rule.{rule.name}"
    cat = catalogue()
    if rule.description and cat.has(key, "en") and cat.raw(key, "en") == rule.description:
        return locale.t(key)
    return rule.description


def stored_title(title: str, data: Mapping[str, Any], locale: Locale) -> str:
    """An incident's title for a reader: regenerated in their language when it was generated."""
    found = Text.from_json(data.get("title_text"))
    return title if found is None else locale.render(found)
