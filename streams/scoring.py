"""Understanding stage: raw feedback → scored events (language, sentiment, topics, severity)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from radar.errors import ValidationFailed
from radar.events import DeadLetter, FeedbackEvent, ScoredEvent, deadletter_for, sentiment_label
from streams.assertions import Hit
from streams.complaint import is_complaint
from streams.crisis_words import Terms
from streams.language import detect_language
from streams.sentiment import SentimentEngine
from streams.severity import assess_severity
from streams.taxonomy import Taxonomy, default_taxonomy
from streams.terms import Haystack

log = logging.getLogger(__name__)


def dedupe(events: Sequence[FeedbackEvent]) -> list[FeedbackEvent]:
    """The batch without repeated ids (the first copy is kept, order preserved).

    Redelivery across batches is expected under at-least-once; the counting
    stage and the store drop those by id.
    """
    seen: dict[str, FeedbackEvent] = {}
    for event in events:
        seen.setdefault(event.id, event)
    return list(seen.values())


@dataclass(frozen=True)
class Understanding:
    """What the understanding stage makes of one event: the scored event's fields, and
    the crisis terms it asserted with their spans in ``text`` (title, a space, text)."""

    fields: dict[str, Any]
    text: str
    crisis: list[Hit]
    title_chars: int  # characters of ``text`` taken by the title and its space (0: none)


def analyse(
    event: FeedbackEvent, score: float, taxonomy: Taxonomy, *, keyword_only: bool = False
) -> Understanding:
    """The understanding stage on one event, given its sentiment score.

    ``keyword_only`` takes every crisis and complaint keyword as written (the matcher
    before terms were judged in their clause), for comparisons only.
    """
    label = sentiment_label(score)
    text = f"{event.title} {event.text}" if event.title else event.text
    title_chars = len(event.title) + 1 if event.title else 0
    hay = Haystack(text)  # prepared once for every term set
    topics = taxonomy.match_topics(hay)
    terms = taxonomy.find_terms(hay, keyword_only=keyword_only) if text else Terms([], [])
    found = terms.crisis_found()
    complaint = is_complaint(
        event, label, taxonomy, has_crisis=bool(found), has_words=bool(terms.complaint)
    )
    severity = assess_severity(
        taxonomy, text, is_complaint=complaint, reach=event.reach, found=found
    )
    fields = {
        "lang": event.lang or detect_language(text),
        "sentiment": score,
        "sentiment_label": label,
        "topics": topics,
        "stage": taxonomy.stage_for(topics, event.channel),
        "department": taxonomy.department_for(topics, severity.categories, severity.level),
        "is_complaint": complaint,
        "severity": severity.level,
        "crisis_terms": severity.terms,
    }
    return Understanding(fields, text, terms.crisis, title_chars)


def understand(
    event: FeedbackEvent, score: float, taxonomy: Taxonomy, *, keyword_only: bool = False
) -> dict[str, Any]:
    """The fields the understanding stage adds to one event (given its sentiment score)."""
    return analyse(event, score, taxonomy, keyword_only=keyword_only).fields


def score_events(
    events: Sequence[FeedbackEvent],
    engine: SentimentEngine,
    now: datetime,
    taxonomy: Taxonomy | None = None,
) -> list[ScoredEvent]:
    """Score a batch with one engine call; one scored event per distinct id, in order."""
    taxonomy = taxonomy or default_taxonomy()
    events = dedupe(events)
    scores = engine.score_batch([e.text for e in events])
    scored = []
    for event, score in zip(events, scores, strict=True):
        fields = event.model_dump()
        fields.update(understand(event, score, taxonomy), engine=engine.name, scored_at=now)
        # the values come from validated models: skip re-validating on the hot path
        scored.append(ScoredEvent.model_construct(**fields))
    return scored


def score_or_reject(
    events: Sequence[FeedbackEvent],
    engine: SentimentEngine,
    now: datetime,
    taxonomy: Taxonomy | None = None,
) -> tuple[list[ScoredEvent], list[DeadLetter]]:
    """Like :func:`score_events`, but an event the stage cannot score becomes a dead letter.

    The batch is scored in one call; only if that fails is each event retried
    alone, so one poisonous text never stops the worker nor takes others with it.
    """
    try:
        return score_events(events, engine, now, taxonomy), []
    except Exception:
        log.exception("scoring a batch of %d failed; scoring one by one", len(events))
    scored: list[ScoredEvent] = []
    letters: list[DeadLetter] = []
    for event in events:
        try:
            scored.extend(score_events([event], engine, now, taxonomy))
        except Exception as exc:
            error = ValidationFailed(f"scoring failed: {exc!r}", reason="scoring_failed")
            letters.append(
                deadletter_for(
                    event.to_json(),
                    error,
                    now=now,
                    stage="worker",
                    source=event.source,
                    channel=event.channel,
                    locator=f"event:{event.id}",
                )
            )
    return scored, letters
