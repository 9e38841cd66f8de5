"""Alerts: the weekly digest for product teams (产品团队): the fastest-rising complaint topics
and emerging terms, the products whose complaint rate rose most, FAQ candidates, and the
measured effect of every improvement with its 95% interval.

The analyses are the dashboard's own (``dashboard.analysis``, pure functions), so the
digest and the 改进追踪 / 产品洞察 views agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from alerts.digest import Chart, Digest, Section, Table, percent, plain, shop_query, titled
from alerts.digest_charts import grouped_barh, intervals, lines
from alerts.digest_daily import local_days
from dashboard.analysis.effects import measure, windows
from dashboard.analysis.faq import faq_table, group_questions
from dashboard.analysis.rising import rising_topics
from dashboard.analysis.terms import emerging_terms
from dashboard.queries.counts import topic_counts
from dashboard.queries.filters import Filters
from dashboard.queries.improvements import scope_counts
from dashboard.queries.products import texts
from radar.clock import from_millis
from radar.i18n import Locale
from radar.localtime import DAY_MS
from radar.store import Store
from radar.store.daily import refresh_daily
from radar.store.improvements import list_improvements
from radar.store.listing import MessageFilter, key_figures
from radar.store.samples import refresh_samples

WEEK = timedelta(days=7)
Shops = tuple[str, ...] | None  # the shops a digest covers (None: every shop)
#: Messages a product needs in each week for its complaint rate to be compared.
MIN_MESSAGES = 20


def _rising(
    store: Store, since: datetime, until: datetime, tz: str, shops: Shops = None
) -> pd.DataFrame:
    """This week's complaint topics against last week's, ranked by the dashboard's z-value."""
    cut = until - WEEK
    scope = Filters(since, until, timezone=tz, shops=shops)
    counts = topic_counts(store, scope, DAY_MS, cut=cut)
    table = counts.pivot_table(
        index="topic", columns="recent", values="complaints", aggfunc="sum", fill_value=0
    )
    frame = pd.DataFrame(
        {
            "topic": table.index,
            "recent": table.get(True, pd.Series(0, index=table.index)).to_numpy(),
            "before": table.get(False, pd.Series(0, index=table.index)).to_numpy(),
        }
    )
    seconds = WEEK.total_seconds()
    return rising_topics(frame, seconds, seconds)


def _daily_topics(
    store: Store, since: datetime, until: datetime, tz: str, topics: list[str], shops: Shops = None
) -> dict[str, dict[int, int]]:
    scope = Filters(since, until, timezone=tz, shops=shops)
    counts = topic_counts(store, scope, DAY_MS, complaints_only=True)
    found: dict[str, dict[int, int]] = {t: {} for t in topics}
    for row in counts.itertuples():
        if row.topic in found:
            found[str(row.topic)][int(row.bucket_ms)] = int(row.complaints)
    return found


def _products(
    store: Store, since: datetime, until: datetime, tz: str, shops: Shops = None
) -> list[tuple[str, dict]]:
    """Products whose complaint rate rose most this week (both weeks with enough messages)."""
    cut = until - WEEK
    this_week = MessageFilter(since=cut, until=until).within(shops)
    _, now = key_figures(store, this_week, "product", tz)
    _, before = key_figures(
        store, MessageFilter(since=since, until=cut).within(shops), "product", tz
    )
    earlier = {g.key["product"]: g for g in before}
    rows = []
    for group in now:
        product, old = group.key["product"], earlier.get(group.key["product"])
        if not product or old is None or min(group.volume, old.volume) < MIN_MESSAGES:
            continue
        rate, rate_before = group.complaints / group.volume, old.complaints / old.volume
        rows.append(
            (
                str(product),
                {
                    "rate": rate,
                    "before": rate_before,
                    "change": rate - rate_before,
                    "n": group.volume,
                },
            )
        )
    rows.sort(key=lambda r: -r[1]["change"])
    return [r for r in rows if r[1]["change"] > 0][:5]


def build_weekly(
    store: Store,
    now: datetime,
    locale: Locale,
    *,
    dashboard_url: str,
    effect_window_days: int = 28,
    font: str | None = None,
    shops: Shops = None,
) -> Digest:
    """The digest of the 7 local days before ``now``'s day, against the 7 before them; of the
    messages of ``shops`` only when given (None: every shop)."""
    # the counts read whole days from the daily roll-ups, the texts from the text sample
    refresh_daily(store, timezone=locale.timezone)
    refresh_samples(store)
    since, until = local_days(now, locale, 14)
    cut = until - WEEK
    tz = locale.timezone
    url = dashboard_url.rstrip("/")
    listed = locale.t("text.list")
    charts: list[Chart] = []
    sections: list[Section] = []

    on = shop_query(shops)
    rising = _rising(store, since, until, tz, shops).head(5)
    topics = [str(t) for t in rising["topic"]]
    if topics:
        per_day = _daily_topics(store, since, until, tz, topics, shops)
        days = [since + timedelta(days=n) for n in range(14)]
        starts = [int(d.timestamp() * 1000) for d in days]
        name = locale.t("digest.weekly.topics_chart")
        charts.append(
            Chart(
                "topics",
                name,
                lines(
                    name,
                    [locale.local(d) for d in days],
                    {t: [per_day[t].get(s, 0) for s in starts] for t in topics},
                    font=font,
                ),
            )
        )
    sections.append(
        Section(
            locale.t("digest.weekly.rising"),
            [] if topics else [locale.t("digest.weekly.nothing_rising")],
            Table(
                [
                    locale.t("digest.common.topic"),
                    locale.t("digest.weekly.this_week"),
                    locale.t("digest.weekly.expected"),
                    "×",
                ],
                [
                    [str(r.topic), f"{int(r.recent):,}", f"{r.expected:.0f}", f"{r.ratio:.1f}"]
                    for r in rising.itertuples()
                ],
            )
            if topics
            else None,
            chart="topics" if topics else None,
            link=f"{url}/complaints?days=14{on}",
        )
    )

    recent_texts = texts(store, None, cut, until, shops=shops)
    before_texts = texts(store, None, since, cut, shops=shops)
    terms = emerging_terms(recent_texts, before_texts, top=10)
    sections.append(
        Section(
            locale.t("digest.weekly.terms"),
            [
                locale.t("digest.weekly.terms_line", terms=listed.join(terms["term"]))
                if not terms.empty
                else locale.t("digest.weekly.no_terms")
            ],
            link=f"{url}/products?days=14{on}",
        )
    )

    worst = _products(store, since, until, tz, shops)
    if worst:
        name = locale.t("digest.weekly.products_chart")
        charts.append(
            Chart(
                "products",
                name,
                grouped_barh(
                    name,
                    [p for p, _ in worst],
                    {
                        locale.t("digest.weekly.last_week"): [v["before"] for _, v in worst],
                        locale.t("digest.weekly.this_week"): [v["rate"] for _, v in worst],
                    },
                    percent=True,
                    font=font,
                ),
            )
        )
    sections.append(
        Section(
            locale.t("digest.weekly.products"),
            [] if worst else [locale.t("digest.weekly.no_products", n=MIN_MESSAGES)],
            Table(
                [
                    locale.t("digest.common.product"),
                    locale.t("digest.weekly.last_week"),
                    locale.t("digest.weekly.this_week"),
                    locale.t("digest.weekly.messages"),
                ],
                [[p, percent(v["before"]), percent(v["rate"]), f"{v['n']:,}"] for p, v in worst],
            )
            if worst
            else None,
            chart="products" if worst else None,
        )
    )

    groups = group_questions(texts(store, None, cut, until, questions=True, shops=shops))
    faq = faq_table(groups, top=5)
    sections.append(
        Section(
            locale.t("digest.weekly.faq"),
            [] if not faq.empty else [locale.t("digest.weekly.no_faq")],
            Table(
                [
                    locale.t("digest.weekly.question"),
                    locale.t("digest.weekly.asked"),
                    locale.t("digest.weekly.share"),
                ],
                [
                    [plain(str(r.question)), f"{int(r.count):,}", percent(float(r.share))]
                    for r in faq.itertuples()
                ],
            )
            if not faq.empty
            else None,
            link=f"{url}/products?days=7{on}",
        )
    )

    actions = list_improvements(store)
    rows, measured = [], []
    for action in actions:
        sides = windows(action.shipped_on(tz), effect_window_days, now, tz)
        before = scope_counts(store, action, sides.before, sides.cut, tz, shops)
        after = scope_counts(store, action, sides.cut, sides.after, tz, shops)
        effect = measure(before[0], before[1], after[0], after[1])
        scope = " · ".join(action.scope.values()) or locale.t("digest.weekly.everything")
        shown = (
            "—"
            if effect.ratio is None or effect.low is None or effect.high is None
            else f"{effect.ratio:.2f} [{effect.low:.2f}, {effect.high:.2f}]"
        )
        rows.append(
            [
                plain(action.title, 40),
                scope,
                action.shipped_on(tz).isoformat(),
                f"{percent(effect.rate_before)} → {percent(effect.rate_after)}",
                shown,
                locale.label("verdict", effect.verdict),
            ]
        )
        if effect.ratio is not None and effect.low is not None and effect.high is not None:
            measured.append((plain(action.title, 24), effect.ratio, effect.low, effect.high))
    if measured:
        name = locale.t("digest.weekly.effects_chart")
        charts.append(
            Chart(
                "effects",
                name,
                intervals(
                    name,
                    [m[0] for m in measured],
                    [m[1] for m in measured],
                    [m[2] for m in measured],
                    [m[3] for m in measured],
                    font=font,
                ),
            )
        )
    sections.append(
        Section(
            locale.t("digest.weekly.effects"),
            [locale.t("digest.weekly.effects_caption", days=effect_window_days)]
            if actions
            else [locale.t("digest.weekly.no_actions")],
            Table(
                [
                    locale.t("digest.weekly.action"),
                    locale.t("digest.weekly.scope"),
                    locale.t("digest.weekly.shipped"),
                    locale.t("digest.weekly.rate_change"),
                    locale.t("digest.weekly.ratio"),
                    locale.t("digest.weekly.verdict"),
                ],
                rows,
            )
            if rows
            else None,
            chart="effects" if measured else None,
            link=f"{url}/improvements{on.replace('&', '?', 1)}",
        )
    )
    period_start = from_millis(int(cut.timestamp() * 1000))
    return Digest(
        kind="weekly",
        title=titled(
            locale.t(
                "digest.weekly.title",
                start=locale.local(period_start).date().isoformat(),
                end=(locale.local(until) - timedelta(days=1)).date().isoformat(),
            ),
            shops,
            locale,
        ),
        since=period_start,
        until=until,
        period=locale.span(period_start, until),
        sections=sections,
        charts=charts,
        url=url,
        lang=locale.lang,
        timezone=tz,
        note=locale.t("digest.common.note", zone=locale.zone_label(period_start)),
        shops=tuple(shops or ()),
    )


__all__ = ["build_weekly"]
