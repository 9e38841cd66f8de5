"""Dashboard: the Streamlit entry file; sign-in, language, routing to the pages a role sees."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import i18n, metrics
from dashboard.auth import PAGES, User, authenticate
from dashboard.resources import metrics_server, settings, store
from dashboard.widgets import from_url, keep_in_url, tr
from radar.store.audit import record_action

HERE = Path(__file__).parent / "app_pages"
ICONS = {
    "overview": ":material/dashboard:",
    "complaints": ":material/forum:",
    "incidents": ":material/emergency:",
    "improvements": ":material/trending_down:",
    "products": ":material/inventory_2:",
    "health": ":material/monitor_heart:",
}

st.set_page_config(page_title="Radar 客服舆情雷达", page_icon=":material/radar:", layout="wide")
metrics_server()

with st.sidebar:
    chosen = st.segmented_control(
        "语言 Language",
        options=list(i18n.LANGS),
        default=from_url("lang", i18n.LANGS) or settings().language,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key="lang",
    )
    keep_in_url("lang", chosen, settings().language)


def sign_in() -> None:
    """The sign-in form; the page asked for (and its URL parameters) opens afterwards."""
    st.title(tr("客服舆情雷达", "Radar"))
    users = settings().users
    if not users:
        st.warning(
            tr(
                "尚未配置用户。用 `radar dashboard hash-password` 生成密码哈希，"
                "并在 RADAR_DASHBOARD_USERS 中配置用户和角色。",
                "No users are configured. Make a password hash with `radar dashboard "
                "hash-password` and list users with their roles in RADAR_DASHBOARD_USERS.",
            )
        )
        return
    with st.form("sign-in"):
        name = st.text_input(tr("用户名", "User name"))
        password = st.text_input(tr("密码", "Password"), type="password")
        submitted = st.form_submit_button(tr("登录", "Sign in"), type="primary")
    if submitted:
        user = authenticate(users, name, password)
        metrics.signed_in(user is not None)
        if user is None:
            st.error(tr("用户名或密码错误。", "Wrong user name or password."))
            return
        st.session_state["user"] = user
        record_action(store(), user.name, "sign_in", detail=",".join(user.roles))
        st.rerun()


user = st.session_state.get("user")
signed_in = isinstance(user, User)
allowed = user.pages() if isinstance(user, User) else frozenset(PAGES)
home = next(p for p in PAGES if p in allowed)  # served at the root URL
pages = [
    st.Page(
        HERE / f"{name}.py",
        title=i18n.pick(str(st.session_state.get("lang") or "zh"), *i18n.PAGE_TITLES[name]),
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
        tr(
            f"已登录：{user.display}（{'、'.join(user.roles)}）",
            f"Signed in: {user.display} ({', '.join(user.roles)})",
        )
    )
    if st.button(tr("退出登录", "Sign out"), key="sign-out"):
        record_action(store(), user.name, "sign_out")
        del st.session_state["user"]
        st.rerun()

with metrics.page(navigation.url_path or home):  # the root URL's url_path is ""
    navigation.run()
