"""Dashboard: the Streamlit entry file; sign-in, language, routing to the pages a role sees."""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from dashboard import i18n, metrics
from dashboard.auth import PAGES, SignInGuard, SignInResult, User, client_address
from dashboard.resources import default_language, metrics_server, settings, store
from dashboard.widgets import from_url, keep_in_url, lang, pages_for, t
from radar.store.audit import record_action

HERE = Path(__file__).parent / "app_pages"
ICONS = {
    "overview": ":material/dashboard:",
    "complaints": ":material/forum:",
    "responses": ":material/schedule:",
    "incidents": ":material/emergency:",
    "improvements": ":material/trending_down:",
    "products": ":material/inventory_2:",
    "health": ":material/monitor_heart:",
}

st.set_page_config(page_title="Radar 客服舆情雷达", page_icon=":material/radar:", layout="wide")
metrics_server()

with st.sidebar:
    chosen = st.segmented_control(
        i18n.translate("dashboard.app.language"),
        options=list(i18n.LANGS),
        default=from_url("lang", i18n.LANGS) or default_language(),
        format_func=lambda code: i18n.label("language", code, code),
        key="lang",
    )
    keep_in_url("lang", chosen, default_language())


@st.cache_resource
def sign_in_guard() -> SignInGuard:
    """One guard for every session of this server: lockouts count across browsers."""
    return SignInGuard()


def refusal_text(result: SignInResult) -> str:
    """Why a sign-in failed, in the reader's language. A lockout is said as such: it counts
    failures for any name, known or not, and is decided before the password is checked,
    so it tells a guesser neither whether a name exists nor whether a password was right."""
    if result.refusal == "locked":
        minutes = max(1, math.ceil(result.retry_after_s / 60))
        return t("dashboard.app.signin_locked", minutes=minutes)
    if result.refusal == "busy":
        return t("dashboard.app.signin_busy")
    return t("dashboard.app.wrong_password")


def sign_in() -> None:
    """The sign-in form; the page asked for (and its URL parameters) opens afterwards."""
    st.title(t("dashboard.app.name"))
    users = settings().users
    if not users:
        st.warning(t("dashboard.app.no_users"))
        return
    with st.form("sign-in"):
        name = st.text_input(t("dashboard.app.user_name"))
        password = st.text_input(t("dashboard.app.password"), type="password")
        submitted = st.form_submit_button(t("dashboard.app.sign_in"), type="primary")
    if submitted:
        client = client_address(st.context.headers, st.context.ip_address)
        result = sign_in_guard().sign_in(users, name, password, client)
        user = result.user
        metrics.signed_in(user is not None)
        if user is None:
            st.error(refusal_text(result))
            return
        st.session_state["user"] = user
        record_action(store(), user.name, "sign_in", detail=",".join(user.roles))
        st.rerun()


user = sign_in_guard().current_user(st.session_state)  # None once the session expired
signed_in = isinstance(user, User)
allowed = pages_for(user) if isinstance(user, User) else frozenset(PAGES)
home = next(p for p in PAGES if p in allowed)  # served at the root URL
pages = [
    st.Page(
        HERE / f"{name}.py",
        title=i18n.label("page", name, str(st.session_state.get("lang") or "zh")),
        icon=ICONS[name],
        url_path=name,
        default=name == home,
    )
    for name in PAGES
    if name in allowed
]
navigation = st.navigation(pages, position="sidebar" if signed_in else "hidden")

if not isinstance(user, User):
    sign_in()
    st.stop()

with st.sidebar:
    st.caption(
        t(
            "dashboard.app.signed_in",
            display=user.display,
            roles=t("text.list").join(i18n.label("role", r, lang()) for r in user.roles),
        )
    )
    if st.button(t("dashboard.app.sign_out"), key="sign-out"):
        record_action(store(), user.name, "sign_out")
        del st.session_state["user"]
        st.rerun()

with metrics.page(navigation.url_path or home):  # the root URL's url_path is ""
    navigation.run()
