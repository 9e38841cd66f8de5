"""Dashboard page 改进追踪 Improvement tracking: record actions, complaint rates before/after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.analysis.effects import Effect, measure, windows
from dashboard.resources import settings, store
from dashboard.widgets import (
    current_user,
    label,
    literal,
    locale,
    now_until,
    shop_filter,
    t,
    url_selectbox,
    user_shops,
)
from radar.store.audit import record_action
from radar.store.improvements import ImprovementAction, record_improvement, shipped_at_for

user = current_user()
window = timedelta(days=settings().effect_window_days)
st.title(label("page", "improvements"))
st.caption(t("dashboard.improvements.caption", days=window.days))

flash = st.session_state.pop("_improvement_flash", None)
if flash:
    st.success(flash)

options = data.dimension_values(now_until(), user_shops())
shops = shop_filter(options.get("shop", []), "improvements")
if shops is not None:
    st.caption(t("dashboard.improvements.within_shops", shops=t("text.list").join(shops)))
# an action's scope is every shop's: it is recorded by users who see every shop
if user.may("improvement") and user_shops() is None:
    with (
        st.expander(t("dashboard.improvements.record"), expanded=False),
        st.form("improvement", clear_on_submit=True),
    ):
        title = st.text_input(t("dashboard.improvements.what_was_changed"), key="imp-title")
        a, b, c = st.columns(3)
        topic = a.selectbox(
            t("dashboard.common.topic"),
            options=data.topics_seen(now_until()),
            index=None,
            key="imp-topic",
            placeholder=t("dashboard.improvements.all_topics"),
        )
        product = b.selectbox(
            t("dashboard.common.product"),
            options=options.get("product", []),
            index=None,
            key="imp-product",
            placeholder=t("dashboard.improvements.all_products"),
        )
        region = c.selectbox(
            t("dashboard.common.region"),
            options=options.get("region", []),
            index=None,
            key="imp-region",
            placeholder=t("dashboard.improvements.all_regions"),
        )
        d, e = st.columns(2)
        shipped = d.date_input(
            t("dashboard.improvements.shipped_on"),
            value=locale().local(datetime.now(UTC)).date(),
            key="imp-date",
        )
        owner = e.text_input(t("dashboard.common.owner"), value=user.name, key="imp-owner")
        if st.form_submit_button(t("dashboard.improvements.save"), type="primary"):
            try:
                action = record_improvement(
                    store(),
                    title=title,
                    topic=topic,
                    product=product,
                    region=region,
                    # the local day picked, kept as its midnight in UTC
                    shipped_at=shipped_at_for(shipped, data.zone()),
                    owner=owner,
                    created_by=user.name,
                )
            except ValueError as exc:
                st.error(literal(exc))
            else:
                record_action(
                    store(), user.name, "improvement.record", str(action.id), action.title
                )
                st.session_state["_improvement_flash"] = t(
                    "dashboard.improvements.recorded_title", title=action.title
                )
                data.clear()
                st.rerun()


def effect_of(action: ImprovementAction, now: datetime) -> Effect:
    sides = windows(action.shipped_on(data.zone()), window.days, now, data.zone())
    before = data.scope_counts(action, sides.before, sides.cut, shops)
    after = data.scope_counts(action, sides.cut, sides.after, shops)
    return measure(before[0], before[1], after[0], after[1])


def scope_text(action: ImprovementAction) -> str:
    return " · ".join(action.scope.values()) or t("dashboard.improvements.everything")


now = now_until()
actions = data.improvement_actions()
if not actions:
    st.info(t("dashboard.improvements.none"))
    st.stop()

effects = {a.id: effect_of(a, now) for a in actions}
rows = []
for action in actions:
    effect = effects[action.id]
    interval = (
        "—" if effect.low is None else f"{effect.ratio:.2f} [{effect.low:.2f}, {effect.high:.2f}]"
    )
    rows.append(
        {
            "title": action.title,
            "scope": scope_text(action),
            "shipped": action.shipped_on(data.zone()),
            "owner": action.owner,
            "before": None if effect.rate_before is None else effect.rate_before,
            "after": None if effect.rate_after is None else effect.rate_after,
            "ratio": interval,
            "verdict": label("verdict", effect.verdict),
            "by": action.created_by,
        }
    )
st.subheader(t("dashboard.improvements.actions_their_effect"))
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "title": st.column_config.TextColumn(t("dashboard.improvements.action")),
        "scope": t("dashboard.improvements.scope"),
        "shipped": st.column_config.DateColumn(
            t("dashboard.improvements.shipped"), format="YYYY-MM-DD"
        ),
        "owner": t("dashboard.common.owner"),
        "before": st.column_config.NumberColumn(
            t("dashboard.improvements.rate_before"), format="percent"
        ),
        "after": st.column_config.NumberColumn(
            t("dashboard.improvements.rate_after"), format="percent"
        ),
        "ratio": t("dashboard.improvements.ratio_95_ci"),
        "verdict": t("dashboard.improvements.verdict"),
        "by": t("dashboard.improvements.recorded_by"),
    },
)

names = {
    a.id: f"{a.title} ({scope_text(a)}, {a.shipped_on(data.zone()):%Y-%m-%d})" for a in actions
}
picked = url_selectbox(
    t("dashboard.improvements.look_at_one_action"),
    list(names),
    key="action",
    format_func=lambda i: names.get(i, str(i)),
    default=actions[0].id,
)
action = next((a for a in actions if a.id == picked), actions[0])
effect = effects[action.id]
cols = st.columns(4)
cols[0].metric(
    t("dashboard.improvements.rate_before"),
    "—" if effect.rate_before is None else f"{effect.rate_before:.1%}",
    help=t(
        "dashboard.improvements.before_counts",
        before_complaints=effect.before_complaints,
        before_volume=effect.before_volume,
    ),
)
cols[1].metric(
    t("dashboard.improvements.rate_after"),
    "—" if effect.rate_after is None else f"{effect.rate_after:.1%}",
    help=t(
        "dashboard.improvements.after_counts",
        after_complaints=effect.after_complaints,
        after_volume=effect.after_volume,
    ),
)
cols[2].metric(
    t("dashboard.improvements.change"),
    "—" if effect.change is None else f"{effect.change:+.0%}",
    help=None
    if effect.low is None or effect.high is None
    else f"95% CI [{effect.low - 1:+.0%}, {effect.high - 1:+.0%}]",
)
cols[3].metric(t("dashboard.improvements.verdict"), label("verdict", effect.verdict))
sides = windows(action.shipped_on(data.zone()), window.days, now, data.zone())
series = data.scope_series(action, sides.before, sides.after, 86_400_000, shops)
st.altair_chart(
    charts.effect_chart(
        series,
        locale().local(sides.cut),
        t("dashboard.improvements.daily_rate"),
    ),
    width="stretch",
)
