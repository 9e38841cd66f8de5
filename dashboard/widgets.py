"""Dashboard: widgets the pages share (language, user, time, URL filters, safe text tables).

Texts come from the message catalogue (:func:`t`, :func:`label`); times are shown
in the display time zone (``RADAR_TIMEZONE``), named in the column headings.
Message lists show each first copy once, with its likely duplicates collapsed under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from alerts.markup import one_line
from dashboard.auth import User
from dashboard.queries.filters import DIMENSIONS, Filters, within_shops
from dashboard.resources import core, default_language, settings
from radar.i18n import Locale
from radar.store.exports import CSV_MIME, XLSX_MIME

T = TypeVar("T")
#: Period choices in days.
PERIODS = (1, 7, 14, 30, 90)
#: The views that can be limited to a user's shops; a user given some shops sees only these
#: (the others count from roll-ups or texts that keep no shop, or concern every shop).
SHOP_PAGES = frozenset(
    {"overview", "complaints", "incidents", "responses", "products", "improvements"}
)


def lang() -> str:
    return str(st.session_state.get("lang") or default_language())


def locale() -> Locale:
    """The reader's language and the display time zone."""
    return Locale.of(lang(), core().timezone)


def t(key: str, /, **params: Any) -> str:
    """The catalogue text ``key`` in the chosen interface language."""
    return locale().t(key, **params)


def label(table: str, code: object) -> str:
    """The label of a code (``label("channel", "chat")``); unknown codes as they are."""
    return locale().label(table, code)


def time_heading(key: str) -> str:
    """A column heading that names the time zone: ``时间（北京时间）``."""
    return locale().heading(key)


def local_times(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``frame`` with the time ``columns`` in the display zone (the store keeps UTC)."""
    zone = core().timezone
    out = frame.copy()
    for name in columns:
        if name in out.columns:
            out[name] = pd.to_datetime(out[name], utc=True).dt.tz_convert(zone)
    return out


def from_url(key: str, options: Sequence[T]) -> T | None:
    """The option whose text is the URL parameter ``key`` (None when absent or unknown)."""
    raw = st.query_params.get(key)
    return next((o for o in options if str(o) == raw), None)


def keep_in_url(key: str, value: object, default: object = None) -> None:
    """Mirror a widget's value in the URL (left out when it is the default), so views can be shared.

    Used instead of ``bind="query-params"`` where labels are translated: the URL then
    holds the value itself, not the label in the reader's language.
    """
    if value is None or value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)


def url_selectbox(
    title: str,
    options: Sequence[T],
    *,
    key: str,
    format_func: Callable[[T], str] = str,
    placeholder: str | None = None,
    default: T | None = None,
) -> T | None:
    """A selectbox whose choice is kept in the URL parameter ``key``."""
    wanted = from_url(key, options)
    wanted = default if wanted is None else wanted
    if key in st.session_state and st.session_state[key] not in (*options, None):
        del st.session_state[key]
    value = st.selectbox(
        title,
        options=list(options),
        index=None if wanted is None else list(options).index(wanted),
        key=key,
        format_func=format_func,
        placeholder=placeholder,
    )
    keep_in_url(key, value, default)
    return value


def current_user() -> User:
    """The signed-in user (the router lets no page run without one)."""
    user = st.session_state.get("user")
    assert isinstance(user, User), "pages run only after sign-in"
    return user


def shops_of(user: User) -> tuple[str, ...] | None:
    """The shops ``user`` may see (None: every shop). A user no longer configured sees none."""
    spec = settings().users.get(user.name)
    return () if spec is None else spec.shop_scope


def user_shops() -> tuple[str, ...] | None:
    """The shops the signed-in user may see (None: every shop)."""
    return shops_of(current_user())


def pages_for(user: User) -> frozenset[str]:
    """The views ``user``'s roles show, only those limited to shops when the user has shops."""
    pages = user.pages()
    return pages if shops_of(user) is None else pages & SHOP_PAGES


def export_buttons(
    make: Callable[[str], bytes], name: str, *, key: str, label: str | None = None
) -> None:
    """Download buttons for the same table as Excel and CSV, built only when clicked."""
    if label:
        st.caption(label)
    row = st.container(horizontal=True)  # side by side, each as wide as its label
    row.download_button(
        t("dashboard.widgets.export_xlsx"),
        lambda: make("xlsx"),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}-xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
        t("dashboard.widgets.export_csv"),
        lambda: make("csv"),
        file_name=f"{name}.csv",
        mime=CSV_MIME,
        key=f"{key}-csv",
        on_click="ignore",
        icon=":material/download:",
    )


def now_until() -> datetime:
    """Now, rounded up to the next minute, so cached queries are reused within a minute."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now + timedelta(minutes=1)


def period(key: str = "days", default: int = 7) -> int:
    """A period picker kept in the URL (``?days=14``)."""
    chosen = st.segmented_control(
        t("dashboard.widgets.period"),
        options=list(PERIODS),
        default=from_url(key, PERIODS) or default,
        format_func=lambda d: t("dashboard.widgets.days", d=d),
        key=key,
    )
    days = int(chosen or default)
    keep_in_url(key, days, default)
    return days


def url_multiselect(
    title: str,
    options: Sequence[str],
    *,
    key: str,
    param: str,
    help: str | None = None,
) -> list[str]:
    """A multiselect whose choice is kept in the URL parameter ``param`` (repeated), under a
    widget ``key`` of its own: pages sharing a parameter (``?shop=``) never share a widget
    state, so a choice left on one page does not override another page's URL."""
    wanted = [v for v in st.query_params.get_all(param) if v in options]
    written = f"_{key}_in_url"  # what this widget last put in the URL
    if key in st.session_state:
        kept = [v for v in st.session_state[key] if v in options]
        if written in st.session_state and wanted != st.session_state[written]:
            kept = wanted  # the URL changed under the widget (a link, an edit): it wins
        if kept != st.session_state[key]:
            st.session_state[key] = kept
    picked = st.multiselect(
        title,
        options=list(options),
        default=None if key in st.session_state else wanted,
        key=key,
        placeholder=t("dashboard.widgets.all"),
        help=help,
    )
    if picked != st.query_params.get_all(param):
        if picked:
            st.query_params[param] = picked
        elif param in st.query_params:
            del st.query_params[param]
    st.session_state[written] = list(picked)
    return list(picked)


def shop_filter(options: Sequence[str], page: str) -> tuple[str, ...] | None:
    """The shop filter of ``page`` (``?shop=旗舰店``, as the filter bar's), offering ``options``
    (the shops within the reader's); returns the shops the view counts
    (:func:`~dashboard.queries.filters.within_shops`; None: every shop)."""
    picked = url_multiselect(
        t("dashboard.widgets.shop"),
        options,
        key=f"shop-{page}",
        param="shop",
        help=t(f"dashboard.widgets.shop_help_{page}"),
    )
    return within_shops(tuple(picked), user_shops())


def filter_bar(options: dict[str, list[str]], *, default_days: int = 7) -> Filters:
    """Channel, product, region, shop, segment, stage and period filters, all kept in the URL
    (within the user's shops when they were given some)."""
    names = {
        "channel": t("dashboard.common.channel"),
        "product": t("dashboard.common.product"),
        "region": t("dashboard.common.region"),
        "shop": t("dashboard.widgets.shop"),
        "segment": t("dashboard.widgets.segment"),
        "stage": t("dashboard.widgets.stage"),
    }
    columns = st.columns(len(DIMENSIONS) + 1)
    chosen: dict[str, tuple[str, ...]] = {}
    for column, name in zip(columns, DIMENSIONS, strict=False):
        with column:
            picked = st.multiselect(
                names[name],
                options=options.get(name, []),
                key=name,
                bind="query-params",  # codes (review, 广东, presale): one URL for both languages
                placeholder=t("dashboard.widgets.all"),
            )
        chosen[name] = tuple(picked)
    with columns[-1]:
        days = url_selectbox(
            t("dashboard.widgets.period"),
            PERIODS,
            key="days",
            default=default_days,
            format_func=lambda d: t("dashboard.widgets.last_days", d=d),
        )
    until = now_until()
    since = until - timedelta(days=int(days or default_days))
    return Filters(since=since, until=until, timezone=core().timezone, shops=user_shops(), **chosen)


#: Columns of the message list, in the order shown (the text early: it is what people read).
MESSAGE_COLUMNS = (
    "created_at",
    "text",
    "duplicates",
    "topics",
    "channel",
    "shop",
    "product",
    "region",
    "segment",
    "stage",
    "sentiment",
    "severity",
    "title",
    "source",
)


def repeated(count: int, channels: Sequence[str]) -> str:
    """``重复 2 次（邮件、论坛）``: how often a customer said it again, and where ('' if never)."""
    if not count:
        return ""
    names = t("text.list").join(label("channel", c) for c in channels)
    return t("dashboard.widgets.repeated", n=count, channels=names)


def message_table(frame: pd.DataFrame, *, key: str | None = None) -> None:
    """Customer messages as plain text cells: HTML or Markdown in them is never rendered.

    A message's likely duplicates are not rows of their own: the ``duplicates``
    column says how many there are and on which channels (:func:`duplicate_list`
    lists them).
    """
    shown = local_times(frame[[c for c in MESSAGE_COLUMNS if c in frame.columns]], "created_at")
    if "duplicates" in shown.columns:
        shown["duplicates"] = [
            repeated(int(n), channels)
            for n, channels in zip(frame["duplicates"], frame["duplicate_channels"], strict=True)
        ]
    for column in ("title", "shop", "product", "region", "segment", "stage", "topics"):
        if column in shown.columns:
            shown[column] = shown[column].fillna("")
    if "channel" in shown.columns:
        shown["channel"] = [label("channel", c) for c in shown["channel"]]
    if "stage" in shown.columns:
        shown["stage"] = [label("stage", s) if s else "" for s in shown["stage"]]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "created_at": st.column_config.DatetimeColumn(
                time_heading("dashboard.common.time"), format="YYYY-MM-DD HH:mm"
            ),
            "text": st.column_config.TextColumn(t("dashboard.widgets.text"), width="large"),
            "duplicates": st.column_config.TextColumn(
                t("dashboard.widgets.duplicates"),
                help=t("dashboard.widgets.duplicates_help"),
                width="medium",
            ),
            "topics": t("dashboard.widgets.topics"),
            "channel": t("dashboard.common.channel"),
            "shop": t("dashboard.widgets.shop"),
            "product": t("dashboard.common.product"),
            "region": t("dashboard.common.region"),
            "segment": t("dashboard.widgets.segment"),
            "stage": t("dashboard.widgets.stage"),
            "sentiment": st.column_config.NumberColumn(
                t("dashboard.widgets.sentiment"), format="%.2f"
            ),
            "severity": t("dashboard.common.severity"),
            "title": st.column_config.TextColumn(t("dashboard.common.title")),
            "source": t("dashboard.common.source"),
        },
    )


def duplicate_list(messages: pd.DataFrame, copies: pd.DataFrame, *, key: str | None = None) -> None:
    """The likely duplicates of listed messages, under their first copy, in a collapsed section."""
    copies = copies[copies["first_id"].isin(set(messages["id"]))]
    if copies.empty:
        return
    order = {message_id: n for n, message_id in enumerate(messages["id"])}
    firsts = dict(zip(messages["id"], messages["text"], strict=True))
    shown = local_times(
        copies.assign(
            position=copies["first_id"].map(order),
            first=[excerpt(firsts[i]) for i in copies["first_id"]],
            channel=[label("channel", c) for c in copies["channel"]],
            title=copies["title"].fillna(""),
        ).sort_values(["position", "created_at"]),
        "created_at",
    )
    title = t(
        "dashboard.widgets.duplicates_listed",
        messages=copies["first_id"].nunique(),
        copies=len(copies),
    )
    with st.expander(title):
        st.caption(t("dashboard.widgets.duplicates_help"))
        st.dataframe(
            shown[["first", "created_at", "channel", "source", "text", "title"]],
            hide_index=True,
            width="stretch",
            key=key,
            column_config={
                "first": st.column_config.TextColumn(t("dashboard.widgets.first_copy")),
                "created_at": st.column_config.DatetimeColumn(
                    time_heading("dashboard.common.time"), format="YYYY-MM-DD HH:mm"
                ),
                "channel": t("dashboard.common.channel"),
                "source": t("dashboard.common.source"),
                "text": st.column_config.TextColumn(t("dashboard.widgets.text"), width="large"),
                "title": st.column_config.TextColumn(t("dashboard.common.title")),
            },
        )


def excerpt(text: str, chars: int = 40) -> str:
    """The start of a text, for a cell that only has to say which message it is."""
    return text if len(text) <= chars else text[:chars] + "…"


def copy_list(copies: pd.DataFrame) -> None:
    """One message's likely duplicates, collapsed under a ``重复 N 次`` heading."""
    if copies.empty:
        return
    channels = list(dict.fromkeys(copies["channel"]))
    with st.expander(repeated(len(copies), channels)):
        for copy in copies.itertuples():
            where = t("text.join").join([label("channel", copy.channel), literal(copy.source)])
            st.caption(f"{where} {locale().time(copy.created_at)}")
            plain(str(copy.text))


def plain(text: str) -> None:
    """One customer text, shown exactly as written (never as Markdown or HTML)."""
    st.text(text)


#: Characters that start a link, image, autolink, emphasis, code, strike-through, maths or a
#: Streamlit directive (``:red[…]``, ``:material/…:``) anywhere on a line.
_INLINE = re.compile(r"([\\`*_\[\]<>~:$])")
#: What starts a heading, list, quote or rule at the start of the text.
_LEADING = re.compile(r"^(?:[#=+-]|\d+[.)])")


def literal(text: object) -> str:
    """``text`` to place inside Markdown (a title, caption or message): shown as written.

    On one line, with the characters that make Markdown (and Streamlit's own
    colours and icons) escaped by a backslash, so a value from a customer's label,
    a connector's error or the URL cannot become a link, an image, emphasis, a
    heading or a colour, whatever the widget renders.
    """
    escaped = _INLINE.sub(r"\\\1", one_line(text))
    return _LEADING.sub(lambda found: found.group()[:-1] + "\\" + found.group()[-1], escaped)
