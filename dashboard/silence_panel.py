"""Dashboard panel on the incidents page: list, create and expire alert silences as the user."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import streamlit as st

import alerts
from dashboard import data
from dashboard.auth import User
from dashboard.resources import store
from dashboard.widgets import tr
from radar.errors import RadarError
from radar.store.audit import record_action

#: Durations offered, hours.
DURATIONS = (1, 2, 4, 8, 12, 24, 72, 168)


def matcher_lines(key: Mapping[str, object]) -> str:
    """An incident's scope as matcher lines (``topic="物流配送"``), to start a silence from."""
    return "\n".join(f'{name}="{value}"' for name, value in sorted(key.items()))


def _duration_label(hours: int) -> str:
    if hours % 24 == 0:
        return tr(f"{hours // 24} 天", f"{hours // 24} d")
    return tr(f"{hours} 小时", f"{hours} h")


def _create(user: User, prefill: str) -> None:
    with st.form("silence-create", clear_on_submit=True):
        st.markdown(f"**{tr('新建静默', 'New silence')}**")
        lines = st.text_area(
            tr("匹配条件（每行一个）", "Matchers (one per line)"),
            value=prefill,
            # a widget per prefill: choosing another incident offers its scope
            key=f"silence-matchers-{zlib.crc32(prefill.encode())}",
            help='region="广东"  ·  topic!="物流配送"  ·  channel=~"chat|email"',
        )
        left, right = st.columns([1, 2])
        hours = left.selectbox(
            tr("时长", "Duration"),
            DURATIONS,
            index=DURATIONS.index(4),
            format_func=_duration_label,
            key="silence-hours",
        )
        comment = right.text_input(tr("原因", "Why"), key="silence-comment")
        if not st.form_submit_button(tr("创建静默", "Create silence")):
            return
    matchers = [line.strip() for line in lines.splitlines() if line.strip()]
    try:
        silence = alerts.create_silence(
            store(),
            matchers,
            created_by=user.name,
            comment=comment,
            duration=timedelta(hours=int(hours)),
        )
    except (RadarError, ValueError) as exc:
        st.session_state["_silence_flash"] = ("error", str(exc))
    else:
        record_action(store(), user.name, "silence.create", silence.id, silence.describe())
        st.session_state["_silence_flash"] = (
            "success",
            tr(f"已创建静默：{silence.describe()}", f"Silence created: {silence.describe()}"),
        )
    data.clear()
    st.rerun()


def silence_panel(user: User, prefill: Mapping[str, object] | None = None) -> None:
    """Active and pending silences with an expire button each, and a form for a new one."""
    st.subheader(tr("静默", "Silences"))
    st.caption(
        tr(
            "静默期间，匹配的告警不再通知（事件照常记录）；到期或解除后恢复。",
            "While a silence lasts, matching alerts notify nobody (incidents are still "
            "recorded); they are heard again when it ends or is expired.",
        )
    )
    flash = st.session_state.pop("_silence_flash", None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(flash[1])
    now = datetime.now(UTC)
    current = alerts.list_silences(store(), now=now)
    if not current:
        st.caption(tr("没有生效中的静默。", "No active silences."))
    for silence in current:
        with st.container(border=True):
            text, button = st.columns([5, 1])
            state = {"active": tr("生效中", "active"), "pending": tr("未开始", "pending")}
            text.markdown(f"**`{silence.describe()}`** · {state.get(silence.state(now), '')}")
            text.caption(
                tr(
                    f"{silence.created_by} 创建，至 {silence.ends_at:%Y-%m-%d %H:%M} UTC",
                    f"by {silence.created_by}, until {silence.ends_at:%Y-%m-%d %H:%M} UTC",
                )
            )
            text.text(silence.comment)  # typed by a person: shown as text, never as Markdown
            if button.button(tr("解除", "Expire"), key=f"expire-{silence.id}"):
                alerts.expire_silence(store(), silence.id, user.name)
                record_action(store(), user.name, "silence.expire", silence.id)
                st.session_state["_silence_flash"] = (
                    "success",
                    tr(f"已解除静默 {silence.id}", f"Silence {silence.id} expired"),
                )
                st.rerun()
    _create(user, matcher_lines(prefill or {}))
