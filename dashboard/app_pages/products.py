"""Dashboard page 产品洞察 Product trends: topic mix, emerging terms, FAQ candidates, CSV."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import charts, data
from dashboard.analysis.terms import MIN_BASELINE
from dashboard.widgets import now_until, period, tr

st.title(tr("产品洞察", "Product trends"))
until = now_until()
products = data.dimension_values(until).get("product", [])
left, right = st.columns([2, 3])
with left:
    product = st.selectbox(
        tr("产品", "Product"),
        options=products,
        index=None,
        key="product",
        bind="query-params",
        placeholder=tr("全部产品", "All products"),
    )
with right:
    days = period(default=30)
since = until - timedelta(days=days)
bucket_ms = 86_400_000 if days <= 30 else 7 * 86_400_000

mix = data.topic_mix(product, since, until, bucket_ms)
if mix.empty:
    st.info(tr("这段时间没有带话题的消息。", "No messages with topics in this period."))
else:
    st.altair_chart(
        charts.topic_mix_chart(mix, tr("话题构成（占比）", "Topic mix (share)")), width="stretch"
    )

# the last quarter of the period against the rest (6 hours of a day, 7 days of 30)
recent = timedelta(days=days // 4) if days >= 4 else timedelta(hours=6 * days)
recent_text = (
    tr(f"{recent.days} 天", f"{recent.days} d")
    if recent.days
    else tr(f"{recent.seconds // 3600} 小时", f"{recent.seconds // 3600} h")
)
cut = until - recent
st.subheader(
    tr(
        f"新出现的词（最近 {recent_text} vs 之前）",
        f"Emerging terms (last {recent_text} vs before)",
    )
)
terms, before_count = data.emerging(product, since, cut, until)
if before_count < MIN_BASELINE:
    st.caption(
        tr(
            f"之前的消息太少（{before_count} 条），还无法比较；选更长的时间范围试试。",
            f"Too few messages before ({before_count}) to compare; try a longer period.",
        )
    )
elif terms.empty:
    st.caption(tr("没有明显新出现的词。", "No term stands out."))
else:
    st.dataframe(
        terms,
        hide_index=True,
        width="stretch",
        column_config={
            "term": tr("词", "Term"),
            "recent": tr("最近（条）", "Recent (messages)"),
            "baseline": tr("之前（条）", "Before (messages)"),
            "recent_share": st.column_config.NumberColumn(
                tr("最近占比", "Recent share"), format="percent"
            ),
            "baseline_share": st.column_config.NumberColumn(
                tr("之前占比", "Earlier share"), format="percent"
            ),
            "z": st.column_config.NumberColumn("z", format="%.1f"),
        },
    )

st.subheader(tr("FAQ 候选", "FAQ candidates"))
table, asked, group_count = data.faq_candidates(product, since, until)
if table.empty:
    st.caption(tr("这段时间没有提问类消息。", "No question-like messages in this period."))
else:
    top10 = table["coverage"].iloc[min(9, len(table) - 1)]
    st.caption(
        tr(
            f"共 {asked:,} 条提问，{group_count} 组；前 10 组覆盖 {top10:.0%}"
            "（好的 FAQ 能回答约 80% 的问题）。",
            f"{asked:,} questions in {group_count} groups; the top 10 cover {top10:.0%} "
            "(a good FAQ answers about 80% of questions).",
        )
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "question": st.column_config.TextColumn(tr("问题", "Question"), width="large"),
            "count": tr("次数", "Count"),
            "share": st.column_config.NumberColumn(tr("占比", "Share"), format="percent"),
            "coverage": st.column_config.NumberColumn(tr("累计覆盖", "Coverage"), format="percent"),
            "examples": st.column_config.TextColumn(tr("例句", "Examples"), width="large"),
        },
    )
    st.download_button(
        tr("导出 CSV", "Export CSV"),
        table.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"faq-candidates-{product or 'all'}-{until:%Y%m%d}.csv",
        mime="text/csv",
        key="faq-csv",
    )
