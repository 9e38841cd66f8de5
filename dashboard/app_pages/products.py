"""Dashboard page 产品洞察 Product trends: topic mix, emerging terms, FAQ candidates, CSV."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import charts, data
from dashboard.analysis.terms import MIN_BASELINE
from dashboard.export import csv_bytes
from dashboard.widgets import label, now_until, period, shop_filter, t, user_shops

st.title(label("page", "products"))
until = now_until()
offered = data.dimension_values(until, user_shops())
products = offered.get("product", [])
shop_column, left, right = st.columns([2, 2, 3])
with shop_column:
    shops = shop_filter(offered.get("shop", []), "products")
with left:
    product = st.selectbox(
        t("dashboard.common.product"),
        options=products,
        index=None,
        key="product",
        bind="query-params",
        placeholder=t("dashboard.products.all_products"),
    )
with right:
    days = period(default=30)
since = until - timedelta(days=days)
bucket_ms = 86_400_000 if days <= 30 else 7 * 86_400_000

mix = data.topic_mix(product, since, until, bucket_ms, shops)
if mix.empty:
    st.info(t("dashboard.products.no_topics"))
else:
    st.altair_chart(
        charts.topic_mix_chart(mix, t("dashboard.products.topic_mix_share")), width="stretch"
    )

# the last quarter of the period against the rest (6 hours of a day, 7 days of 30)
recent = timedelta(days=days // 4) if days >= 4 else timedelta(hours=6 * days)
recent_text = (
    t("dashboard.products.days", days=recent.days)
    if recent.days
    else t("dashboard.products.hours", hours=recent.seconds // 3600)
)
cut = until - recent
st.subheader(t("dashboard.products.emerging_terms", recent_text=recent_text))
terms, before_count = data.emerging(product, since, cut, until, shops)
if before_count < MIN_BASELINE:
    st.caption(t("dashboard.products.too_few_before", before_count=before_count))
elif terms.empty:
    st.caption(t("dashboard.products.no_term_stands_out"))
else:
    st.dataframe(
        terms,
        hide_index=True,
        width="stretch",
        column_config={
            "term": t("dashboard.products.term"),
            "recent": t("dashboard.products.recent_messages"),
            "baseline": t("dashboard.products.before_messages"),
            "recent_share": st.column_config.NumberColumn(
                t("dashboard.products.recent_share"), format="percent"
            ),
            "baseline_share": st.column_config.NumberColumn(
                t("dashboard.products.earlier_share"), format="percent"
            ),
            "z": st.column_config.NumberColumn("z", format="%.1f"),
        },
    )

st.subheader(t("dashboard.products.faq_candidates"))
table, asked, group_count = data.faq_candidates(product, since, until, shops)
if table.empty:
    st.caption(t("dashboard.products.no_questions"))
else:
    top10 = table["coverage"].iloc[min(9, len(table) - 1)]
    st.caption(
        t("dashboard.products.faq_caption", asked=asked, group_count=group_count, top10=top10)
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "question": st.column_config.TextColumn(
                t("dashboard.products.question"), width="large"
            ),
            "count": t("dashboard.products.count"),
            "share": st.column_config.NumberColumn(t("dashboard.products.share"), format="percent"),
            "coverage": st.column_config.NumberColumn(
                t("dashboard.products.coverage"), format="percent"
            ),
            "examples": st.column_config.TextColumn(
                t("dashboard.products.examples"), width="large"
            ),
        },
    )
    st.download_button(
        t("dashboard.products.export_csv"),
        csv_bytes(table),  # customer questions never run as spreadsheet formulas
        file_name=f"faq-candidates-{product or 'all'}-{until:%Y%m%d}.csv",
        mime="text/csv",
        key="faq-csv",
    )
