"""Alerts: the daily digest for service managers (客服主管): yesterday's volume, complaints,
CSAT/NPS, response times and backlog, the top complaint topics and the open incidents."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, case, func, select, type_coerce

from alerts.digest import (
    Chart,
    Digest,
    Section,
    Table,
    hours,
    number,
    percent,
    points,
    relative,
    shop_query,
    titled,
)
from alerts.digest_charts import grouped_barh, lines, stacked_bars
from alerts.incidents import list_incidents
from alerts.shops import visible_incidents
from radar.clock import from_millis
from radar.i18n import Locale
from radar.localtime import local_date, midnight
from radar.store import Store
from radar.store.daily import local_bucket
from radar.store.listing import Figures, MessageFilter, key_figures
from radar.store.responses import backlog, conversations, waits, waits_by
from radar.store.rollups import ResponseSla
from radar.store.tables import event_topics, events

HOUR_MS = 3_600_000
TREND_DAYS = 14


def local_days(now: datetime, locale: Locale, days: int) -> tuple[datetime, datetime]:
    """The ``days`` whole local days before today's local midnight: (start, end)."""
    today = local_date(int(now.timestamp() * 1000), locale.tz)
    end = from_millis(midnight(today, locale.tz))
    start = from_millis(midnight(today - timedelta(days=days), locale.tz))
    return start, end


def complaint_topics(store: Store, where: MessageFilter) -> Counter[str]:
    """Complaints per topic among the messages of ``where``."""
    query = (
        select(event_topics.c.topic, func.count())
        .select_from(events.join(event_topics, event_topics.c.event_id == events.c.id))
        .where(*where.conditions(), events.c.is_complaint.is_(True))
        .group_by(event_topics.c.topic)
    )
    with store.engine.connect() as conn:
        rows: list[tuple[object, int]] = [(r[0], int(r[1])) for r in conn.execute(query)]
    return Counter({str(t): n for t, n in rows})


def hourly(
    store: Store, where: MessageFilter, locale: Locale
) -> dict[int, dict[str, tuple[int, int]]]:
    """Per local hour start (ms) and channel: (messages, complaints)."""
    created = type_coerce(events.c.created_at, BigInteger)
    since, until = int(where.since.timestamp() * 1000), int(where.until.timestamp() * 1000)
    hour = local_bucket(created, HOUR_MS, locale.tz, since, until)
    query = (
        select(
            hour,
            events.c.channel,
            func.count(),
            func.sum(case((events.c.is_complaint.is_(True), 1), else_=0)),
        )
        .where(*where.conditions())
        .group_by(hour, events.c.channel)
    )
    found: dict[int, dict[str, tuple[int, int]]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            cells = found.setdefault(int(row[0]), {})
            cells[str(row[1])] = (int(row[2]), int(row[3] or 0))
    return found


def _figures_section(locale: Locale, now: Figures, before: Figures, link: str) -> Section:
    f, b = now.as_dict(), before.as_dict()
    return Section(
        locale.t("digest.daily.feedback"),
        [
            locale.t(
                "digest.daily.volume",
                volume=f"{now.volume:,}",
                change=relative(locale, now.volume, before.volume),
            ),
            locale.t(
                "digest.daily.complaints",
                complaints=f"{now.complaints:,}",
                rate=percent(f["complaint_rate"]),
                change=points(locale, f["complaint_rate"], b["complaint_rate"]),
            ),
            locale.t(
                "digest.daily.satisfaction",
                sentiment=number(f["sentiment"]),
                csat=percent(f["csat"]),
                csat_n=now.csat_n,
                nps=number(f["nps"], 0),
                nps_n=now.nps_n,
                rating=number(f["rating"]),
            ),
        ],
        chart="hourly",
        link=link,
    )


def build_daily(
    store: Store,
    now: datetime,
    locale: Locale,
    *,
    sla: ResponseSla,
    dashboard_url: str,
    font: str | None = None,
    shops: tuple[str, ...] | None = None,
) -> Digest:
    """The digest of the local day before ``now``'s; of the messages and incidents of
    ``shops`` only when given (None: every shop)."""
    since, until = local_days(now, locale, 1)
    day = MessageFilter(since=since, until=until).within(shops)
    before = MessageFilter(since=since - (until - since), until=since).within(shops)
    on = shop_query(shops)
    figures, previous = key_figures(store, day)[0], key_figures(store, before)[0]
    url = dashboard_url.rstrip("/")
    charts: list[Chart] = []

    # volume and complaint rate per hour, per channel
    per_hour = hourly(store, day, locale)
    starts = list(range(int(since.timestamp() * 1000), int(until.timestamp() * 1000), HOUR_MS))
    channels = sorted({c for cells in per_hour.values() for c in cells})
    series = {
        locale.label("channel", c): [per_hour.get(h, {}).get(c, (0, 0))[0] for h in starts]
        for c in channels
    }
    rate: list[float | None] = []
    for h in starts:
        n = sum(v[0] for v in per_hour.get(h, {}).values())
        rate.append(sum(v[1] for v in per_hour.get(h, {}).values()) / n if n else None)
    charts.append(
        Chart(
            "hourly",
            locale.t("digest.daily.hourly_chart"),
            stacked_bars(
                locale.t("digest.daily.hourly_chart"),
                [f"{locale.local(from_millis(h)):%H}" for h in starts],
                series,
                line=rate,
                line_label=locale.t("digest.daily.complaint_rate"),
                font=font,
            ),
        )
    )
    sections = [_figures_section(locale, figures, previous, f"{url}/?days=1{on}")]

    # response times, and who is still waiting
    found = conversations(store, day, now)
    total = waits(found, sla, now)
    waiting = backlog(store, MessageFilter(since=since, until=now).within(shops), now)
    overdue = [c for c in waiting if now - c.asked_at > timedelta(hours=sla.hours(c.channel))]
    groups = waits_by(found, "channel", sla, now)
    answered = [g for g in groups if g.median_hours is not None]
    if answered:
        name = locale.t("digest.daily.reply_chart")
        charts.append(
            Chart(
                "replies",
                name,
                grouped_barh(
                    name,
                    [locale.label("channel", g.key["channel"]) for g in answered],
                    {
                        locale.t("digest.common.median"): [g.median_hours for g in answered],
                        locale.t("digest.common.p90"): [g.p90_hours for g in answered],
                    },
                    font=font,
                ),
            )
        )
    sections.append(
        Section(
            locale.t("digest.daily.responses"),
            [
                locale.t(
                    "digest.daily.waits",
                    conversations=total.conversations,
                    answered=total.answered,
                    median=hours(locale, total.median_hours),
                    p90=hours(locale, total.p90_hours),
                    within=percent(total.within_sla),
                ),
                locale.t(
                    "digest.daily.backlog",
                    waiting=len(waiting),
                    overdue=len(overdue),
                    sla=f"{sla.default_hours:g}",
                ),
            ],
            chart="replies" if answered else None,
            link=f"{url}/responses?days=1{on}",
        )
    )

    # the topics complained about most, against the day before
    topics, earlier = complaint_topics(store, day), complaint_topics(store, before)
    top = topics.most_common(5)
    sections.append(
        Section(
            locale.t("digest.daily.topics"),
            [] if top else [locale.t("digest.daily.no_complaints")],
            Table(
                [
                    locale.t("digest.common.topic"),
                    locale.t("digest.common.complaints"),
                    locale.t("digest.daily.day_before"),
                ],
                [[t, f"{n:,}", f"{earlier.get(t, 0):,}"] for t, n in top],
            )
            if top
            else None,
            link=f"{url}/complaints?days=1{on}",
        )
    )

    # CSAT and NPS over two weeks
    trend_since, _ = local_days(now, locale, TREND_DAYS)
    _, days = key_figures(
        store, MessageFilter(since=trend_since, until=until).within(shops), "day", locale.timezone
    )
    by_day = {g.key["day"]: g.as_dict() for g in days}
    first = local_date(int(trend_since.timestamp() * 1000), locale.tz)
    calendar = [
        from_millis(midnight(first + timedelta(days=n), locale.tz)) for n in range(TREND_DAYS)
    ]
    keys = [locale.local(d).date().isoformat() for d in calendar]
    csat = [by_day.get(k, {}).get("csat") for k in keys]
    nps = [by_day.get(k, {}).get("nps") for k in keys]
    if any(v is not None for v in csat + nps):
        name = locale.t("digest.daily.satisfaction_chart", days=TREND_DAYS)
        charts.append(
            Chart(
                "satisfaction",
                name,
                lines(
                    name,
                    [locale.local(d) for d in calendar],
                    {
                        locale.t("digest.common.csat_points"): [
                            None if v is None else 100 * v for v in csat
                        ],
                        locale.t("digest.common.nps"): nps,
                    },
                    font=font,
                ),
            )
        )
        sections.append(Section(locale.t("digest.daily.trend"), chart="satisfaction"))

    # open incidents
    # a shop's digest names the incidents of its shops only (as a user given those shops sees)
    open_now = visible_incidents(list_incidents(store, status="open", limit=None), shops)
    severities = Counter(i.severity for i in open_now)
    counts = locale.t("text.join").join(
        f"{locale.label('severity', s)} {severities[s]}" for s in sorted(severities, reverse=True)
    )
    sections.append(
        Section(
            locale.t("digest.daily.incidents"),
            [
                locale.t("digest.daily.open_incidents", n=len(open_now), counts=counts)
                if open_now
                else locale.t("digest.daily.no_incidents")
            ],
            Table(
                [
                    locale.t("digest.common.incident"),
                    locale.t("digest.common.severity"),
                    locale.t("digest.common.status"),
                    locale.t("digest.common.owner"),
                    locale.t("digest.common.open_for"),
                ],
                [
                    [
                        i.title_in(locale),
                        locale.label("severity", i.severity),
                        locale.label("status", i.status),
                        i.owner or "—",
                        locale.duration(
                            timedelta(minutes=int((now - i.opened_at).total_seconds() // 60))
                        ),
                    ]
                    for i in sorted(open_now, key=lambda i: (-i.severity, i.opened_at))[:8]
                ],
            )
            if open_now
            else None,
            link=f"{url}/incidents{on.replace('&', '?', 1)}",
        )
    )
    shown_day = locale.local(since).date().isoformat()
    return Digest(
        kind="daily",
        title=titled(locale.t("digest.daily.title", day=shown_day), shops, locale),
        since=since,
        until=until,
        period=locale.span(since, until),
        sections=sections,
        charts=charts,
        url=url,
        lang=locale.lang,
        timezone=locale.timezone,
        note=locale.t("digest.common.note", zone=locale.zone_label(since)),
        shops=tuple(shops or ()),
    )


__all__ = ["build_daily", "complaint_topics", "hourly", "local_days"]
