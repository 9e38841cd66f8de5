"""Dashboard analysis: key figures, rising topics, effects, emerging terms, FAQ groups,
incident samples."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from dashboard.analysis import effects, faq, kpis, rising, terms
from dashboard.analysis.incidents import collapse_samples
from dashboard.auth import authenticate, hash_password
from dashboard.settings import UserSpec


def hourly(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = dict.fromkeys(kpis.SUMS, 0)
    return pd.DataFrame([{**base, "staff_replies": 0, **r} for r in rows])


def test_daily_series_cut_at_local_midnight() -> None:
    day = 1_795_132_800_000  # 2026-11-20 00:00 UTC, 08:00 in Beijing
    hours = hourly(
        [
            {"hour": day + 15 * 3_600_000, "channel": "chat", "volume": 3},  # 23:00 in Beijing
            {"hour": day + 16 * 3_600_000, "channel": "chat", "volume": 5},  # 00:00 next day
        ]
    )
    beijing = kpis.series(hours, 86_400_000)
    assert [str(t) for t in beijing["time"]] == [
        "2026-11-20 00:00:00+08:00",
        "2026-11-21 00:00:00+08:00",
    ]
    assert list(beijing["volume"]) == [3, 5]
    assert list(kpis.series(hours, 86_400_000, "UTC")["volume"]) == [8]  # one UTC day


def test_figures_per_channel_and_change() -> None:
    now = hourly(
        [
            {
                "hour": 0,
                "channel": "chat",
                "volume": 10,
                "complaints": 4,
                "sentiment_sum": 5.0,
                "sla_complaints": 4,
                "sla_answered": 3,
            },
            {
                "hour": 3_600_000,
                "channel": "chat",
                "volume": 10,
                "complaints": 2,
                "sentiment_sum": 6.0,
                "sla_complaints": 2,
                "sla_answered": 0,
            },
            {
                "hour": 0,
                "channel": "survey",
                "volume": 4,
                "csat_n": 4,
                "csat_satisfied": 3,
                "nps_n": 4,
                "promoters": 2,
                "detractors": 1,
                "sentiment_sum": 2.0,
            },
        ]
    )
    table = kpis.per_channel(now, sla_cutoff_ms=3_600_000)
    assert table.at["chat", "complaint_rate"] == pytest.approx(0.3)
    assert table.at["chat", "sla_share"] == pytest.approx(0.75)  # the young hour is left out
    assert table.at["survey", "nps"] == pytest.approx(25.0)
    assert table.at["all", "volume"] == 24
    before = kpis.per_channel(
        hourly(
            [{"hour": 0, "channel": "chat", "volume": 16, "complaints": 8, "sentiment_sum": 8.0}]
        )
    )
    compared = kpis.compare(table, before).set_index(["channel", "metric"])
    assert compared.at[("chat", "volume"), "change"] == pytest.approx(0.25)
    assert compared.at[("chat", "complaint_rate"), "change"] == pytest.approx(-0.2)
    assert pd.isna(compared.at[("survey", "volume"), "change"])


def test_rising_topics_rank_by_excess() -> None:
    windows = pd.DataFrame(
        {"topic": ["物流配送", "客服态度", "价格优惠"], "recent": [30, 4, 2], "before": [60, 0, 14]}
    )
    ranked = rising.rising_topics(windows, recent_s=86400, before_s=6 * 86400)
    assert list(ranked["topic"]) == ["物流配送", "客服态度"]
    assert ranked.iloc[0]["expected"] == pytest.approx(10)


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        ((100, 1000), (40, 1000), "improved"),
        ((100, 1000), (95, 1000), "no_evidence"),
        ((40, 1000), (100, 1000), "worse"),
        ((5, 20), (1, 10), "too_early"),
    ],
)
def test_effect_verdicts(before: tuple[int, int], after: tuple[int, int], verdict: str) -> None:
    effect = effects.measure(*before, *after)
    assert effect.verdict == verdict
    if effect.ratio is not None:
        assert effect.low is not None and effect.high is not None
        assert effect.low < effect.ratio < effect.high


def test_rate_ratio_interval_handles_zero_counts() -> None:
    ratio, low, high = effects.rate_ratio(0, 500, 20, 500)
    assert ratio < 0.1 and 0 < low < high < 1


class TestEffectWindows:
    LATER = datetime(2027, 6, 1, tzinfo=UTC)

    def test_shipped_on_a_beijing_day_compares_beijing_days(self) -> None:
        sides = effects.windows(date(2026, 12, 7), 28, self.LATER, "Asia/Shanghai")
        assert sides.cut == datetime(2026, 12, 6, 16, tzinfo=UTC)  # 12-07 00:00 in Beijing
        assert sides.before == datetime(2026, 11, 8, 16, tzinfo=UTC)
        assert sides.after == datetime(2027, 1, 3, 16, tzinfo=UTC)

    def test_the_after_side_stops_now(self) -> None:
        now = datetime(2026, 12, 9, 3, 30, tzinfo=UTC)
        assert effects.windows(date(2026, 12, 7), 28, now, "Asia/Shanghai").after == now
        early = effects.windows(date(2026, 12, 7), 28, datetime(2026, 12, 1, tzinfo=UTC))
        assert early.after == early.cut  # shipped in the future: nothing after yet

    def test_days_of_a_zone_with_summer_time_are_real_days(self) -> None:
        sides = effects.windows(date(2026, 4, 1), 7, self.LATER, "Europe/Berlin")
        assert sides.cut == datetime(2026, 3, 31, 22, tzinfo=UTC)  # summer time, UTC+2
        assert sides.before == datetime(2026, 3, 24, 23, tzinfo=UTC)  # winter time, UTC+1
        assert (sides.cut - sides.before).total_seconds() == 7 * 86400 - 3600


def test_samples_of_one_customer_on_three_channels_are_one() -> None:
    samples = [
        {"id": "b", "text": "email copy", "created_at": "2026-12-07T02:00:00+00:00"},
        {"id": "x", "text": "another customer", "created_at": "2026-12-07T01:30:00+00:00"},
        {"id": "a", "text": "first", "created_at": "2026-12-07T01:00:00+00:00"},
        {"text": "no id"},
        {"id": "c", "text": "forum copy", "created_at": "2026-12-07T03:00:00+00:00"},
        {"id": "a", "text": "first, sampled twice", "created_at": "2026-12-07T01:00:00+00:00"},
    ]
    first_of = {"a": "a", "b": "a", "c": "a", "x": "x"}  # c matched b: first_ids follows it to a
    shown = collapse_samples(samples, first_of)
    assert [(s["text"], first) for s, first in shown] == [
        ("first", "a"),  # in the place of the group's first sample, the first copy's own
        ("another customer", "x"),
        ("no id", None),
    ]
    only_copies = collapse_samples(samples[:1] + samples[4:5], {"b": "a", "c": "a"})
    assert [(s["text"], first) for s, first in only_copies] == [("email copy", "a")]


def test_emerging_terms_find_the_new_complaint() -> None:
    baseline = ["物流很快", "质量很好", "包装不错"] * 40
    recent = ["热水器漏电了", "热水器漏电太危险", "物流很快"] * 5
    found = terms.emerging_terms(recent, baseline)
    assert set(found["term"].head(3)) & {"漏电", "水器", "热水"}
    assert "物流" not in set(found["term"].head(3))
    assert terms.emerging_terms(recent, baseline[:30]).empty  # too little to compare against
    assert terms.terms("我的ABC phone broke") >= {"phone", "broke"}


def test_faq_groups_similar_questions() -> None:
    texts = (
        ["什么时候发货？"] * 5
        + ["请问什么时候发货?"] * 3
        + ["怎么申请退款？"] * 2
        + ["很好用"] * 10
    )
    groups = faq.group_questions(texts)
    assert [(g.count, g.question) for g in groups] == [(8, "什么时候发货？"), (2, "怎么申请退款？")]
    table = faq.faq_table(groups)
    assert list(table["coverage"]) == [pytest.approx(0.8), pytest.approx(1.0)]
    assert not faq.is_question("很好用") and faq.is_question("能不能开发票")


def test_passwords_are_verified_against_argon2_hashes() -> None:
    users = {"lin": UserSpec(role="oncall", password_hash=hash_password("s3cret-pass"))}
    assert authenticate(users, "lin", "s3cret-pass") is not None
    assert authenticate(users, "lin", "wrong") is None
    assert authenticate(users, "nobody", "s3cret-pass") is None
    user = authenticate(users, " lin ", "s3cret-pass")
    assert user is not None and user.may("incident") and not user.may("improvement")
    assert "products" not in user.pages()
    with pytest.raises(ValueError, match="Argon2"):
        UserSpec(role="manager", password_hash="plain-text-password-here")
    with pytest.raises(ValueError, match="8 characters"):
        hash_password("short")
