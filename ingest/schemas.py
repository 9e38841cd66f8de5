"""Connectors: payload schemas of the push channels (survey submissions, social mentions).

Each ``*_fields`` function validates one payload and returns the fields handed
to the normaliser, or raises :class:`~radar.errors.ValidationFailed` naming the
bad field; the HTTP endpoints and the JSON-lines replays share them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from radar.errors import ValidationFailed
from radar.events import parse_model

Scalar = str | int | float | bool | None
TimeValue = str | int | float


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)


class Answer(_Payload):
    """One free-text answer of a form."""

    question: str = Field(max_length=500)
    answer: str = Field(max_length=10_000)


class SurveySubmission(_Payload):
    """An online form or survey submission (CSAT 1–5, NPS 0–10, free-text answers)."""

    submission_id: str = Field(min_length=1, max_length=200)
    submitted_at: TimeValue
    form: str | None = Field(None, max_length=200)
    csat: int | None = Field(None, ge=1, le=5)
    nps: int | None = Field(None, ge=0, le=10)
    comment: str | None = Field(None, max_length=20_000)
    answers: dict[str, str] | list[Answer] | None = None
    order_id: str | None = Field(None, max_length=100)
    product_id: str | None = Field(None, max_length=200)
    segment: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    respondent: str | None = Field(None, max_length=200)
    lang: str | None = Field(None, max_length=8)

    @model_validator(mode="after")
    def _says_something(self) -> SurveySubmission:
        if self.csat is None and self.nps is None and not self.comment and not self.answers:
            msg = "a submission needs csat, nps, a comment or answers"
            raise ValueError(msg)
        return self

    def answer_text(self) -> str:
        parts = [self.comment] if self.comment else []
        if isinstance(self.answers, dict):
            parts += [f"{q}：{a}" for q, a in self.answers.items() if a.strip()]
        elif self.answers:
            parts += [f"{a.question}：{a.answer}" for a in self.answers if a.answer.strip()]
        return "\n".join(parts)


class WeiboUser(_Payload):
    """The author block of a Weibo-like mention."""

    id: str | int | None = None
    screen_name: str | None = Field(None, max_length=200)
    followers_count: int | None = Field(None, ge=0)
    verified: bool | None = None
    location: str | None = Field(None, max_length=100)


class Mention(_Payload):
    """A social-media mention: the Weibo-like shape, or the same facts as flat fields."""

    id: str | int
    created_at: TimeValue
    text: str = Field(max_length=50_000)
    user: WeiboUser | None = None
    author: str | None = Field(None, max_length=200)
    followers: int | None = Field(None, ge=0)
    reach: int | None = Field(None, ge=0)
    reposts_count: int | None = Field(None, ge=0)
    comments_count: int | None = Field(None, ge=0)
    attitudes_count: int | None = Field(None, ge=0)
    reposts: int | None = Field(None, ge=0)
    likes: int | None = Field(None, ge=0)
    url: str | None = Field(None, max_length=2000)
    region: str | None = Field(None, max_length=100)
    product: str | None = Field(None, max_length=200)
    platform: str | None = Field(None, max_length=50)


def weibo_time(value: TimeValue) -> TimeValue:
    """Weibo's ``Mon Nov 23 10:30:00 +0800 2026`` as ISO text; other values unchanged."""
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), "%a %b %d %H:%M:%S %z %Y").isoformat()
        except ValueError:
            return value
    return value


def _extras(model: BaseModel) -> dict[str, Scalar]:
    """Extra top-level payload values kept as attributes (nested ones as text)."""
    extra = model.model_extra or {}
    return {
        f"x_{k}"[:100]: v if isinstance(v, Scalar) else str(v)[:1000]
        for k, v in list(extra.items())[:20]
    }


def _require_object(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        msg = f"expected a JSON object, got {type(payload).__name__}"
        raise ValidationFailed(msg, reason="wrong_type")
    return payload


def survey_fields(payload: Any) -> dict[str, Any]:
    """Normaliser fields for one survey submission; raises ValidationFailed naming the field."""
    survey = parse_model(SurveySubmission, dict(_require_object(payload)))
    fields: dict[str, Any] = {
        "external_id": survey.submission_id,
        "created_at": survey.submitted_at,
        "text": survey.answer_text(),
        "csat": survey.csat,
        "nps": survey.nps,
        "product": survey.product_id,
        "region": survey.region,
        "segment": survey.segment,
        "author": survey.respondent,
        "lang": survey.lang,
        "order_id": survey.order_id,
        "form": survey.form,
        **_extras(survey),
    }
    return {k: v for k, v in fields.items() if v is not None}


def mention_fields(payload: Any) -> dict[str, Any]:
    """Normaliser fields for one social mention; raises ValidationFailed naming the field."""
    mention = parse_model(Mention, dict(_require_object(payload)))
    user = mention.user or WeiboUser()
    followers = mention.followers if mention.followers is not None else user.followers_count
    region = mention.region or (user.location.split()[0] if user.location else None)
    fields: dict[str, Any] = {
        "external_id": str(mention.id),
        "created_at": weibo_time(mention.created_at),
        "text": mention.text,
        "author": mention.author or user.screen_name or (str(user.id) if user.id else None),
        "reach": mention.reach if mention.reach is not None else followers,
        "url": mention.url,
        "region": region,
        "product": mention.product,
        "followers": followers,
        "reposts": mention.reposts if mention.reposts is not None else mention.reposts_count,
        "likes": mention.likes if mention.likes is not None else mention.attitudes_count,
        "comments": mention.comments_count,
        "verified": user.verified,
        "platform": mention.platform,
        **_extras(mention),
    }
    return {k: v for k, v in fields.items() if v is not None}
