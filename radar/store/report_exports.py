"""Store: key figures and response times as sheets for a spreadsheet (the API's and the
dashboard's downloads), in the reader's language; written by :mod:`radar.store.exports`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from radar.i18n import Locale, catalogue
from radar.store.exports import Sheet
from radar.store.listing import Figures
from radar.store.responses import Waits

FIGURE_FIELDS = (
    "volume",
    "complaints",
    "complaint_rate",
    "sentiment",
    "csat",
    "csat_answers",
    "nps",
    "nps_answers",
    "rating",
    "ratings",
)
WAIT_FIELDS = ("conversations", "answered", "median_hours", "p90_hours", "within_sla")
#: Groups whose values are codes shown by their label.
_LABELLED = ("channel", "stage")


def group_heading(by: str, locale: Locale) -> str:
    """The heading of a group column: 渠道, 产品, 日期…"""
    key = f"export.field.{by}"
    return locale.t(key) if catalogue().has(key, locale.lang) else locale.t(f"export.report.{by}")


def group_value(by: str, value: Any, locale: Locale) -> str:
    """A group's name for people: labels for codes, a note for messages that name none."""
    if value is None or value == "":
        return locale.t("export.report.unknown")
    return locale.label(by, value) if by in _LABELLED else str(value)


def _rounded(row: Mapping[str, Any]) -> dict[str, Any]:
    """Numbers to four places; a figure that cannot be computed (NaN) as an empty cell."""
    return {
        k: (None if math.isnan(v) else round(v, 4)) if isinstance(v, float) else v
        for k, v in row.items()
    }


def summary_sheet(
    name: str,
    by: str | None,
    fields: Sequence[str],
    total: Mapping[str, Any],
    groups: Iterable[Mapping[str, Any]],
    locale: Locale,
) -> Sheet:
    """A table of figures: the total first, then one row per group of ``by`` (none: the total
    only)."""
    columns = [("group", group_heading(by, locale))] if by else []
    columns += [(f, locale.t(f"export.report.{f}")) for f in fields]
    rows = [{**_rounded(total), "group": locale.t("export.report.total")}]
    if by:
        rows += [{**_rounded(g), "group": group_value(by, g.get(by), locale)} for g in groups]
    return Sheet(name, columns, rows)


def figures_sheet(
    total: Figures, groups: Sequence[Figures], by: str | None, locale: Locale
) -> Sheet:
    """Key figures: the total first, then one row per value of ``by`` (rates 0..1)."""
    return summary_sheet(
        locale.t("export.report.kpis"),
        by,
        FIGURE_FIELDS,
        total.as_dict(),
        (g.as_dict() for g in groups),
        locale,
    )


def waits_sheet(total: Waits, groups: Sequence[Waits], by: str, locale: Locale) -> Sheet:
    """Time to first reply: the total first, then one row per value of ``by`` (hours)."""
    return summary_sheet(
        locale.t("export.report.first_reply"),
        by,
        WAIT_FIELDS,
        total.as_dict(),
        (g.as_dict() for g in groups),
        locale,
    )


def backlog_sheet(rows: Iterable[Mapping[str, Any]], locale: Locale) -> Sheet:
    """Conversations still waiting, by how long they have waited and channel."""
    columns = [
        ("age", locale.t("export.report.age")),
        ("channel", locale.t("export.field.channel")),
        ("conversations", locale.t("export.report.conversations")),
    ]
    shown = [
        {
            "age": locale.label("age", r["age"]),
            "channel": locale.label("channel", r["channel"]),
            "conversations": r["conversations"],
        }
        for r in rows
    ]
    return Sheet(locale.t("export.report.backlog"), columns, shown)


__all__ = [
    "FIGURE_FIELDS",
    "WAIT_FIELDS",
    "backlog_sheet",
    "figures_sheet",
    "group_heading",
    "group_value",
    "summary_sheet",
    "waits_sheet",
]
