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
from dashboard.widgets import label, locale, t
from radar.errors import RadarError
from radar.store.audit import record_action

#: Durations offered, hours.
DURATIONS = (1, 2, 4, 8, 12, 24, 72, 168)


def matcher_lines(key: Mapping[str, object]) -> str:
    """An incident's scope as matcher lines (``topic="物流配送"``), to start a silence from."""
    return "\n".join(f'{name}="{value}"' for name, value in sorted(key.items()))


def _duration_label(hours: int) -> str:
    if hours % 24 == 0:
        return t("dashboard.silences.days", days=hours // 24)
    return t("dashboard.silences.hours", hours=hours)


def _create(user: User, prefill: str) -> None:
    with st.form("silence-create", clear_on_submit=True):
        st.markdown(f"**{t('dashboard.silences.new_silence')}**")
        lines = st.text_area(
            t("dashboard.silences.matchers_one_per_line"),
            value=prefill,
            # a widget per prefill: choosing another incident offers its scope
            key=f"silence-matchers-{zlib.crc32(prefill.encode())}",
            help='region="广东"  ·  topic!="物流配送"  ·  channel=~"chat|email"',
        )
        left, right = st.columns([1, 2])
        hours = left.selectbox(
            t("dashboard.silences.duration"),
            DURATIONS,
            index=DURATIONS.index(4),
            format_func=_duration_label,
            key="silence-hours",
        )
        comment = right.text_input(t("dashboard.silences.why"), key="silence-comment")
        if not st.form_submit_button(t("dashboard.silences.create_silence")):
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
            t("dashboard.silences.created", silence=silence.describe()),
        )
    data.clear()
    st.rerun()


def silence_panel(user: User, prefill: Mapping[str, object] | None = None) -> None:
    """Active and pending silences with an expire button each, and a form for a new one."""
    st.subheader(t("dashboard.silences.silences"))
    st.caption(t("dashboard.silences.caption"))
    flash = st.session_state.pop("_silence_flash", None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(flash[1])
    now = datetime.now(UTC)
    current = alerts.list_silences(store(), now=now)
    if not current:
        st.caption(t("dashboard.silences.none"))
    for silence in current:
        with st.container(border=True):
            text, button = st.columns([5, 1])
            state = label("silence_state", silence.state(now))
            text.markdown(f"**`{silence.describe()}`** · {state}")
            text.caption(
                t(
                    "dashboard.silences.created_until",
                    user=silence.created_by,
                    until=locale().time(silence.ends_at),
                )
            )
            text.text(silence.comment)  # typed by a person: shown as text, never as Markdown
            if button.button(t("dashboard.silences.expire"), key=f"expire-{silence.id}"):
                alerts.expire_silence(store(), silence.id, user.name)
                record_action(store(), user.name, "silence.expire", silence.id)
                st.session_state["_silence_flash"] = (
                    "success",
                    t("dashboard.silences.expired", id=silence.id),
                )
                st.rerun()
    _create(user, matcher_lines(prefill or {}))
