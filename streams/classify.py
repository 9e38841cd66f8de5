"""Understanding stage: ``radar classify``, what the worker makes of each JSON line.

Each line is a feedback event as far as it goes (``{"text": ...}`` and any of
the event contract's optional fields); the rest is filled in as a connector
would. Sentiment comes from the same engine as ``radar sentiment score``, the
rest from :func:`streams.scoring.analyse`, which the worker's ``understand`` is
made of: a line classified here is scored exactly as the worker scores it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

import click
from pydantic import ValidationError

from radar.events import FeedbackEvent, describe_validation_error, make_event_id
from streams.assertions import Hit
from streams.scoring import Understanding, analyse
from streams.sentiment import SentimentEngine, engine_names, get_engine
from streams.taxonomy import Taxonomy, default_taxonomy

BATCH_SIZE = 1000
#: what a line without them is taken to be
DEFAULT_CHANNEL = "review"
DEFAULT_SOURCE = "classify"
#: the fields of each output line, in order
OUTPUT = (
    "topics",
    "stage",
    "department",
    "is_complaint",
    "severity",
    "crisis_terms",
    "sentiment",
)


def parse_event(raw: bytes | str, number: int, now: datetime) -> FeedbackEvent:
    """The feedback event one JSON line describes; ValueError says what is wrong with it.

    Keys that are not fields of the event contract are ignored (a labelled set can
    be piped as it is); the channel defaults to a review, the ids to the line number
    and the times to now.
    """
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"not a JSON line ({exc})"
        raise ValueError(msg) from exc
    if not isinstance(payload, dict):
        msg = f'expected a JSON object like {{"text": "..."}}, got {type(payload).__name__}'
        raise ValueError(msg)
    if not isinstance(payload.get("text"), str):
        msg = 'the object needs a string field "text"'
        raise ValueError(msg)
    fields: dict[str, Any] = {k: v for k, v in payload.items() if k in FeedbackEvent.model_fields}
    fields.setdefault("channel", DEFAULT_CHANNEL)
    fields.setdefault("source", DEFAULT_SOURCE)
    fields.setdefault("external_id", str(number))
    fields.setdefault("created_at", now)
    fields.setdefault("ingested_at", now)
    ids = (fields["channel"], fields["source"], fields["external_id"])
    if "id" not in fields and all(isinstance(part, str) for part in ids):
        fields["id"] = make_event_id(*ids)
    try:
        return FeedbackEvent.model_validate(fields)
    except ValidationError as exc:
        _, message, _ = describe_validation_error(exc)
        raise ValueError(message) from exc


def result(understood: Understanding) -> dict[str, Any]:
    """The output line: the scored fields, each crisis term with its category and where
    it is (``field`` text or title, ``start``/``end`` character offsets in that field)."""
    out = {name: understood.fields[name] for name in OUTPUT}
    first: dict[str, Hit] = {}
    for hit in understood.crisis:
        first.setdefault(hit.term, hit)
    terms = []
    for term in understood.fields["crisis_terms"]:
        hit = first[term]
        in_title = hit.start < understood.title_chars
        offset = 0 if in_title else understood.title_chars
        terms.append(
            {
                "term": term,
                "category": hit.category,
                "field": "title" if in_title else "text",
                "start": hit.start - offset,
                "end": hit.end - offset,
            }
        )
    out["crisis_terms"] = terms
    return out


def classify_lines(
    lines: Iterable[bytes | str],
    engine: SentimentEngine,
    taxonomy: Taxonomy | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    keyword_only: bool = False,
    now: datetime | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, output object) for every input line, in order; sentiment is scored
    a batch at a time, and a line that cannot be classified gets ``{"error", "line"}``."""
    taxonomy = taxonomy or default_taxonomy()
    pending: list[tuple[int, FeedbackEvent | str]] = []

    def flush() -> Iterator[tuple[int, dict[str, Any]]]:
        events = [item for _, item in pending if isinstance(item, FeedbackEvent)]
        scores = iter(_scores(engine, [e.text for e in events]))
        for number, item in pending:
            if isinstance(item, str):
                yield number, {"error": item, "line": number}
                continue
            score = next(scores)
            if isinstance(score, Exception):
                yield number, {"error": f"sentiment failed: {score!r}", "line": number}
                continue
            try:
                understood = analyse(item, score, taxonomy, keyword_only=keyword_only)
                yield number, result(understood)
            except Exception as exc:  # one poisonous line must not end the run
                yield number, {"error": f"could not classify: {exc!r}", "line": number}
        pending.clear()

    started = now or datetime.now(UTC)
    for number, raw in enumerate(lines, start=1):
        try:
            pending.append((number, parse_event(raw, number, started)))
        except ValueError as exc:
            pending.append((number, str(exc)))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()


def _scores(engine: SentimentEngine, texts: list[str]) -> list[float | Exception]:
    """One engine call for the batch; only if it fails, one call per text."""
    if not texts:
        return []
    try:
        return list(engine.score_batch(texts))
    except Exception:
        scores: list[float | Exception] = []
        for text in texts:
            try:
                [score] = engine.score_batch([text])
                scores.append(score)
            except Exception as exc:
                scores.append(exc)
        return scores


@click.command()
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(engine_names()),
    default="default",
    show_default=True,
    help="Sentiment engine (as for `radar sentiment score`).",
)
@click.option("--batch-size", type=click.IntRange(1), default=BATCH_SIZE, show_default=True)
@click.option(
    "--keyword-only",
    is_flag=True,
    help="Take every crisis and complaint keyword as written (no negation, hypotheticals, "
    "rumours, symptoms): the matcher before terms were judged, for comparison.",
)
@click.pass_context
def classify(ctx: click.Context, engine_name: str, batch_size: int, keyword_only: bool) -> None:
    """Classify JSON lines from stdin as the worker does: one JSON line out per line in.

    Each line is {"text": ...} with any optional fields of a feedback event
    (channel, title, product, rating, csat, nps, reach, is_staff_reply, ...).
    Each output line has topics, stage, department, is_complaint, severity
    (0-3), crisis_terms (term, category, field, start, end: the span in that
    field) and sentiment (0..1, positive). A line that cannot be read gets
    {"error": ..., "line": N} in its place and a message on stderr; the other
    lines are still classified, and the exit code is 1.

    \b
    echo '{"text": "用了三个月，没有漏电。充电时冒火花了"}' | radar classify
    """
    engine = get_engine(engine_name)
    stdin: IO[bytes] = click.get_binary_stream("stdin")
    stdout = click.get_text_stream("stdout")
    failed = 0
    try:
        lines = classify_lines(stdin, engine, batch_size=batch_size, keyword_only=keyword_only)
        for number, out in lines:
            if "error" in out:
                failed += 1
                click.echo(f"line {number}: {out['error']}", err=True)
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            if number % batch_size == 0:
                stdout.flush()
        stdout.flush()
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as other filters do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        ctx.exit(0)
    if failed:
        click.echo(f"{failed} line(s) could not be classified; see the messages above", err=True)
        ctx.exit(1)
