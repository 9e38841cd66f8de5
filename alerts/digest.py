"""Alerts: scheduled digests, what one holds (sections of facts, tables, charts as PNG).

A digest is written for a period of local days in the reader's language and
zone: the daily one for service managers (:mod:`alerts.digest_daily`), the
weekly one for product teams (:mod:`alerts.digest_weekly`). It is rendered
for email (HTML with the charts inline) and for chat robots (Markdown) by
:mod:`alerts.digest_render`, sent through the receivers of the rules file by
:mod:`alerts.digest_send`, on the schedule of :mod:`alerts.digest_schedule`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import quote

from radar.events import stable_id
from radar.i18n import Locale

DigestKind = Literal["daily", "weekly"]
KINDS: tuple[DigestKind, ...] = ("daily", "weekly")


@dataclass(frozen=True)
class Chart:
    """One chart: a name (its file and Content-ID), a title, the PNG itself."""

    name: str
    title: str
    png: bytes


@dataclass(frozen=True)
class Table:
    """Rows of cells under headings (already formatted for the reader)."""

    headings: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    """A part of a digest: its title, facts (one sentence each), a table, a chart, a link."""

    title: str
    lines: list[str] = field(default_factory=list)
    table: Table | None = None
    chart: str | None = None  # the name of one of the digest's charts
    link: str | None = None


@dataclass(frozen=True)
class Digest:
    """A digest of one period, ready to render."""

    kind: DigestKind
    title: str
    since: datetime
    until: datetime
    period: str  # the period as the reader reads it
    sections: list[Section]
    charts: list[Chart]
    url: str  # the dashboard
    lang: str
    timezone: str
    note: str = ""
    #: the shops it covers (empty: every shop, and messages that name none)
    shops: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """Stable per kind, period, language and shops: the email's Message-ID, the log's key."""
        parts = ["digest", self.kind, self.since.isoformat(), self.lang]
        return stable_id(*parts, *(["shops", *self.shops] if self.shops else []))[:24]

    def chart(self, name: str) -> Chart | None:
        return next((c for c in self.charts if c.name == name), None)


def shop_query(shops: tuple[str, ...] | None) -> str:
    """``&shop=…`` for each shop, so a digest's links open the dashboard on its shops."""
    return "".join(f"&shop={quote(s)}" for s in shops or ())


def titled(title: str, shops: tuple[str, ...] | None, locale: Locale) -> str:
    """A digest's title, naming its shops when it covers some: ``日报 … · 旗舰店、专营店``."""
    if not shops:
        return title
    return locale.t("text.join").join([title, locale.t("text.list").join(shops)])


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:+.{digits}f}"


def relative(locale: Locale, now: float, before: float) -> str:
    """``较前期 +12%`` / ``vs before +12%`` (or nothing to compare with)."""
    if before == 0:
        return locale.t("digest.common.no_comparison")
    return locale.t("digest.common.change", change=f"{(now - before) / before:+.0%}")


def points(locale: Locale, now: float | None, before: float | None) -> str:
    """``+1.2 个百分点`` between two shares."""
    if now is None or before is None:
        return locale.t("digest.common.no_comparison")
    return locale.t("digest.common.points", points=f"{100 * (now - before):+.1f}")


def hours(locale: Locale, value: float | None) -> str:
    """A wait: minutes under an hour, hours with one decimal above."""
    if value is None:
        return "—"
    if value < 1:
        return locale.t("duration.m", n=round(value * 60))
    return locale.t("digest.common.hours", hours=f"{value:.1f}")


def plain(text: str, limit: int = 60) -> str:
    """A customer's words in one short line (no line breaks; cut with …)."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[:limit] + "…"


__all__ = [
    "KINDS",
    "Chart",
    "Digest",
    "DigestKind",
    "Section",
    "Table",
    "hours",
    "number",
    "percent",
    "plain",
    "points",
    "relative",
    "signed",
]
