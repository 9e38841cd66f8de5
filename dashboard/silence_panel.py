"""Dashboard panel on the incidents page: list, create and expire alert silences as the user.

Who may create which silence is checked when it is created, not only by the
choices offered: a role with ``incident`` (on-call) may mute alerts for up to a
day and only alerts that are not critical; longer silences and silences that
could mute a critical alert take a role with ``any_silence`` (a manager).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import streamlit as st

import alerts
from alerts.matchers import could_match, parse_matcher
from dashboard import data
from dashboard.auth import User
from dashboard.resources import store
from dashboard.widgets import label, literal, locale, t
from radar.errors import RadarError
from radar.store.audit import record_action

#: Durations offered, hours.
DURATIONS = (1, 2, 4, 8, 12, 24, 72, 168)
#: The longest silence a role without ``any_silence`` may create, hours.
ONCALL_MAX_HOURS = 24
#: Labels of the alerts only a role with ``any_silence`` may mute.
CRITICAL = {"severity": "critical"}
SPARE_CRITICAL = 'severity!="critical"'


def matcher_lines(key: Mapping[str, object], user: User | None = None) -> str:
    """An incident's scope as matcher lines (``topic="物流配送"``), to start a silence from;
    for a user who may not mute critical alerts, with the line that spares them."""
    lines = [f'{name}="{value}"' for name, value in sorted(key.items())]
    if user is not None and not user.may("any_silence"):
        lines.append(SPARE_CRITICAL)
    return "\n".join(lines)


class NotAllowed(RadarError):
    """The user's role may not create that silence (the message says why, translated)."""


def refusal(user: User, matchers: Sequence[str], hours: float) -> str | None:
    """Why ``user`` may not create this silence (in the reader's language), or None.

    Raises :class:`~radar.errors.ConfigError` for a matcher that cannot be read.
    """
    if not user.may("incident"):
        return t("dashboard.incidents.cannot_act")
    if user.may("any_silence"):
        return None
    if hours > ONCALL_MAX_HOURS:
        return t("dashboard.silences.too_long_needs_manager", hours=ONCALL_MAX_HOURS)
    if could_match([parse_matcher(text) for text in matchers], CRITICAL):
        return t("dashboard.silences.critical_needs_manager")
    return None


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
        offered = [h for h in DURATIONS if user.may("any_silence") or h <= ONCALL_MAX_HOURS]
        hours = left.selectbox(
            t("dashboard.silences.duration"),
            offered,
            index=offered.index(4),
            format_func=_duration_label,
            key="silence-hours",
        )
        comment = right.text_input(t("dashboard.silences.why"), key="silence-comment")
        if not st.form_submit_button(t("dashboard.silences.create_silence")):
            return
    matchers = [line.strip() for line in lines.splitlines() if line.strip()]
    try:
        refused = refusal(user, matchers, float(hours))
        if refused:
            raise NotAllowed(refused)
        silence = alerts.create_silence(
            store(),
            matchers,
            created_by=user.name,
            comment=comment,
            duration=timedelta(hours=int(hours)),
        )
    except NotAllowed as exc:
        st.session_state["_silence_flash"] = ("error", str(exc))
    except (RadarError, ValueError) as exc:
        st.session_state["_silence_flash"] = ("error", literal(exc))
    else:
        record_action(store(), user.name, "silence.create", silence.id, silence.describe())
        st.session_state["_silence_flash"] = (
            "success",
            t("dashboard.silences.created", silence=literal(silence.describe())),
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
            text.markdown(f"**{literal(silence.describe())}** · {state}")
            text.caption(
                t(
                    "dashboard.silences.created_until",
                    user=literal(silence.created_by),
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
    _create(user, matcher_lines(prefill or {}, user))
