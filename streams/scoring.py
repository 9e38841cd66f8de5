"""Stream processing: the scoring stage (raw feedback → scored events), without Kafka."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from radar.errors import ValidationFailed
from radar.events import DeadLetter, FeedbackEvent, ScoredEvent, deadletter_for, sentiment_label
from streams.sentiment import SentimentEngine

log = logging.getLogger(__name__)

#: Star ratings at or below this count as complaints whatever the text says.
COMPLAINT_MAX_RATING = 2


def is_complaint(event: FeedbackEvent, label: str) -> bool:
    """A customer item (not a staff reply) that is negative in text or in its scores."""
    if event.is_staff_reply:
        return False
    if event.rating is not None and event.rating <= COMPLAINT_MAX_RATING:
        return True
    if event.csat is not None and event.csat <= COMPLAINT_MAX_RATING:
        return True
    return label == "neg"


def score_events(
    events: Sequence[FeedbackEvent], engine: SentimentEngine, now: datetime
) -> list[ScoredEvent]:
    """Score a batch with one engine call; one scored event per input, in order."""
    scores = engine.score_batch([e.text for e in events])
    scored = []
    for event, score in zip(events, scores, strict=True):
        label = sentiment_label(score)
        scored.append(
            ScoredEvent(
                **event.model_dump(),
                sentiment=score,
                sentiment_label=label,
                is_complaint=is_complaint(event, label),
                engine=engine.name,
                scored_at=now,
            )
        )
    return scored


def score_or_reject(
    events: Sequence[FeedbackEvent], engine: SentimentEngine, now: datetime
) -> tuple[list[ScoredEvent], list[DeadLetter]]:
    """Like :func:`score_events`, but an event the stage cannot score becomes a dead letter.

    The batch is scored in one call; only if that fails is each event retried
    alone, so one poisonous text never stops the worker nor takes others with it.
    """
    try:
        return score_events(events, engine, now), []
    except Exception:
        log.exception("scoring a batch of %d failed; scoring one by one", len(events))
    scored: list[ScoredEvent] = []
    letters: list[DeadLetter] = []
    for event in events:
        try:
            scored.extend(score_events([event], engine, now))
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
