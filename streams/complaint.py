"""Understanding stage: is an item a complaint (投诉)? From scores, words and sentiment."""

from __future__ import annotations

from radar.events import FeedbackEvent
from streams.taxonomy import Taxonomy

#: Star ratings and CSAT at or below this are complaints whatever the text says.
COMPLAINT_MAX_RATING = 2
#: Ratings at or above this are praise: a negative-sounding text alone does not make a complaint.
PRAISE_MIN_RATING = 4
#: NPS at or below this (a strong detractor) is a complaint.
COMPLAINT_MAX_NPS = 3


def is_complaint(
    event: FeedbackEvent,
    label: str,
    taxonomy: Taxonomy,
    *,
    has_crisis: bool = False,
    has_words: bool | None = None,
) -> bool:
    """A customer item (never a staff reply) that complains.

    Low scores and complaint or crisis words the text asserts decide first (没有差评的理由
    asserts no 差评); otherwise a negative text is a complaint unless its own rating
    says the customer is happy. ``has_words``: whether the text asserts a complaint
    word, when the caller has judged that already.
    """
    if event.is_staff_reply:
        return False
    if event.rating is not None and event.rating <= COMPLAINT_MAX_RATING:
        return True
    if event.csat is not None and event.csat <= COMPLAINT_MAX_RATING:
        return True
    if event.nps is not None and event.nps <= COMPLAINT_MAX_NPS:
        return True
    if has_words is None:
        has_words = bool(event.text) and bool(taxonomy.find_terms(event.text).complaint)
    if has_crisis or has_words:
        return True
    if event.rating is not None and event.rating >= PRAISE_MIN_RATING:
        return False
    return label == "neg"
