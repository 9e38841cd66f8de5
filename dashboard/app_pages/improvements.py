"""Dashboard page 改进追踪 Improvement tracking: record actions, complaint rates before/after."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data, i18n
from dashboard.analysis.effects import Effect, measure
from dashboard.resources import settings, store
from dashboard.widgets import current_user, label, now_until, tr, url_selectbox
from radar.store.audit import record_action
from radar.store.improvements import ImprovementAction, record_improvement

user = current_user()
window = timedelta(days=settings().effect_window_days)
st.title(tr("改进追踪", "Improvement tracking"))
st.caption(
    tr(
        f"每项改进：范围内投诉数 ÷ 范围内消息数，比较上线前后各 {window.days} 天；"
        "区间为比率的 95% 置信区间。",
        "Each action: complaints in its scope per customer message in the same scope, "
        f"{window.days} days before vs after it shipped; the interval is the 95% confidence "
        "interval of the rate ratio.",
    )
)

flash = st.session_state.pop("_improvement_flash", None)
if flash:
    st.success(flash)

options = data.dimension_values(now_until())
if user.may("improvement"):
    with (
        st.expander(tr("记录一项改进", "Record an improvement action"), expanded=False),
        st.form("improvement", clear_on_submit=True),
    ):
        title = st.text_input(tr("改了什么", "What was changed"), key="imp-title")
        a, b, c = st.columns(3)
        topic = a.selectbox(
            tr("话题", "Topic"),
            options=data.topics_seen(now_until()),
            index=None,
            key="imp-topic",
            placeholder=tr("所有话题", "All topics"),
        )
        product = b.selectbox(
            tr("产品", "Product"),
            options=options.get("product", []),
            index=None,
            key="imp-product",
            placeholder=tr("所有产品", "All products"),
        )
        region = c.selectbox(
            tr("地区", "Region"),
            options=options.get("region", []),
            index=None,
            key="imp-region",
            placeholder=tr("所有地区", "All regions"),
        )
        d, e = st.columns(2)
        shipped = d.date_input(
            tr("上线日期", "Shipped on"), value=datetime.now(UTC).date(), key="imp-date"
        )
        owner = e.text_input(tr("负责人", "Owner"), value=user.name, key="imp-owner")
        if st.form_submit_button(tr("保存", "Save"), type="primary"):
            try:
                action = record_improvement(
                    store(),
                    title=title,
                    topic=topic,
                    product=product,
                    region=region,
                    shipped_at=datetime.combine(shipped, time(0, 0), tzinfo=UTC),
                    owner=owner,
                    created_by=user.name,
                )
            except ValueError as exc:
                st.error(str(exc))
            else:
                record_action(
                    store(), user.name, "improvement.record", str(action.id), action.title
                )
                st.session_state["_improvement_flash"] = tr(
                    f"已记录：{action.title}", f"Recorded: {action.title}"
                )
                data.clear()
                st.rerun()


def effect_of(action: ImprovementAction, now: datetime) -> Effect:
    before = data.scope_counts(action, action.shipped_at - window, action.shipped_at)
    after = data.scope_counts(action, action.shipped_at, min(now, action.shipped_at + window))
    return measure(before[0], before[1], after[0], after[1])


def scope_text(action: ImprovementAction) -> str:
    return " · ".join(action.scope.values()) or tr("全部", "everything")


now = now_until()
actions = data.improvement_actions()
if not actions:
    st.info(tr("还没有记录改进。", "No improvement actions recorded yet."))
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
            "shipped": action.shipped_at,
            "owner": action.owner,
            "before": None if effect.rate_before is None else effect.rate_before,
            "after": None if effect.rate_after is None else effect.rate_after,
            "ratio": interval,
            "verdict": label(i18n.VERDICT_LABELS, effect.verdict),
            "by": action.created_by,
        }
    )
st.subheader(tr("改进及其效果", "Actions and their effect"))
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "title": st.column_config.TextColumn(tr("改进", "Action")),
        "scope": tr("范围", "Scope"),
        "shipped": st.column_config.DatetimeColumn(tr("上线", "Shipped"), format="YYYY-MM-DD"),
        "owner": tr("负责人", "Owner"),
        "before": st.column_config.NumberColumn(tr("之前投诉率", "Rate before"), format="percent"),
        "after": st.column_config.NumberColumn(tr("之后投诉率", "Rate after"), format="percent"),
        "ratio": tr("比率 [95% 区间]", "Ratio [95% CI]"),
        "verdict": tr("结论", "Verdict"),
        "by": tr("记录人", "Recorded by"),
    },
)

names = {a.id: f"{a.title} ({scope_text(a)}, {a.shipped_at:%Y-%m-%d})" for a in actions}
picked = url_selectbox(
    tr("查看一项改进", "Look at one action"),
    list(names),
    key="action",
    format_func=lambda i: names.get(i, str(i)),
    default=actions[0].id,
)
action = next((a for a in actions if a.id == picked), actions[0])
effect = effects[action.id]
cols = st.columns(4)
cols[0].metric(
    tr("之前投诉率", "Rate before"),
    "—" if effect.rate_before is None else f"{effect.rate_before:.1%}",
    help=tr(
        f"{effect.before_complaints} / {effect.before_volume} 条",
        f"{effect.before_complaints} of {effect.before_volume}",
    ),
)
cols[1].metric(
    tr("之后投诉率", "Rate after"),
    "—" if effect.rate_after is None else f"{effect.rate_after:.1%}",
    help=tr(
        f"{effect.after_complaints} / {effect.after_volume} 条",
        f"{effect.after_complaints} of {effect.after_volume}",
    ),
)
cols[2].metric(
    tr("变化", "Change"),
    "—" if effect.change is None else f"{effect.change:+.0%}",
    help=None
    if effect.low is None or effect.high is None
    else f"95% CI [{effect.low - 1:+.0%}, {effect.high - 1:+.0%}]",
)
cols[3].metric(tr("结论", "Verdict"), label(i18n.VERDICT_LABELS, effect.verdict))
series = data.scope_series(
    action, action.shipped_at - window, min(now, action.shipped_at + window), 86_400_000
)
st.altair_chart(
    charts.effect_chart(
        series,
        action.shipped_at,
        tr("范围内每日投诉率（虚线：上线日）", "Daily complaint rate in scope (dashed: shipped)"),
    ),
    width="stretch",
)
