"""Dashboard: the interface language (Chinese first, English on request) and shared labels."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def pick(lang: str, zh: str, en: str) -> str:
    """The text in ``lang`` (Chinese unless English is asked for)."""
    return en if lang == "en" else zh


#: Page titles: url path -> (Chinese, English).
PAGE_TITLES: dict[str, tuple[str, str]] = {
    "overview": ("总览", "Overview"),
    "complaints": ("投诉与话题", "Complaints & topics"),
    "incidents": ("危机与告警", "Incidents"),
    "improvements": ("改进追踪", "Improvement tracking"),
    "products": ("产品洞察", "Product trends"),
    "health": ("管道健康", "Pipeline health"),
}

METRIC_LABELS: dict[str, tuple[str, str]] = {
    "volume": ("反馈量", "Volume"),
    "complaint_rate": ("投诉率", "Complaint rate"),
    "sentiment": ("平均情感", "Mean sentiment"),
    "csat": ("满意度 CSAT", "CSAT"),
    "nps": ("净推荐值 NPS", "NPS"),
    "sla_share": ("及时回复率", "Answered within SLA"),
}

CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    "all": ("全部", "All"),
    "review": ("评价", "Reviews"),
    "survey": ("问卷", "Surveys"),
    "forum": ("论坛", "Forum"),
    "social": ("社交媒体", "Social"),
    "email": ("邮件", "Email"),
    "chat": ("在线客服", "Chat"),
}

STAGE_LABELS: dict[str, tuple[str, str]] = {
    "presale": ("售前", "Pre-sale"),
    "sale": ("售中", "Sale"),
    "aftersale": ("售后", "After-sale"),
}

VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "improved": ("已改善", "Improved"),
    "no_evidence": ("无明显变化", "No evidence"),
    "worse": ("变差", "Worse"),
    "too_early": ("数据不足", "Too early"),
}

SEVERITY_LABELS: dict[int, tuple[str, str]] = {
    0: ("提示", "info"),
    1: ("警告", "warning"),
    2: ("严重", "major"),
    3: ("危急", "critical"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("待处理", "open"),
    "acknowledged": ("已确认", "acknowledged"),
    "resolved": ("已解决", "resolved"),
}

#: Kinds of incident timeline entries (``alerts`` writes them).
TIMELINE_LABELS: dict[str, tuple[str, str]] = {
    "opened": ("开启", "opened"),
    "alert": ("新告警", "alert"),
    "notified": ("已通知", "notified"),
    "notification_failed": ("通知失败", "notification failed"),
    "held": ("免打扰时段暂缓", "held for quiet hours"),
    "escalated": ("升级", "escalated"),
    "acknowledged": ("确认", "acknowledged"),
    "assigned": ("指派", "assigned"),
    "note": ("备注", "note"),
    "checklist": ("处置清单", "checklist"),
    "resolved": ("解决", "resolved"),
}


def label(
    table: dict[str, tuple[str, str]] | dict[int, tuple[str, str]], key: object, lang: str
) -> str:
    """A label from one of the tables above; unknown keys are shown as they are."""
    pair = table.get(key)  # type: ignore[call-overload]
    return str(key) if pair is None else pick(lang, *pair)
