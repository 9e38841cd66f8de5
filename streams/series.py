"""Detectors over files: ``radar spikes score-csv`` (a count series in, anomaly scores out)."""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from radar.errors import ValidationFailed
from streams.baseline import DEFAULT_TIMEZONE
from streams.spikes import SpikeSettings, score_series


def parse_timestamp(value: str, line: int) -> float:
    """Epoch seconds from ISO 8601 (naive = UTC) or epoch seconds/milliseconds."""
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return number / 1000 if abs(number) >= 1e11 else number
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"line {line}: timestamp {value!r} is not ISO 8601 or epoch seconds"
        raise ValidationFailed(msg, reason="bad_timestamp", field="timestamp") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def read_series(source: TextIO) -> Iterator[tuple[float, float, dict[str, str]]]:
    """(epoch seconds, value, the row as read) for each row of a ``timestamp,value`` CSV."""
    reader = csv.DictReader(source)
    missing = {"timestamp", "value"} - set(reader.fieldnames or [])
    if missing:
        msg = (
            f"the CSV needs the columns timestamp and value; missing: {', '.join(sorted(missing))}"
        )
        raise ValidationFailed(msg, reason="missing_field")
    previous = float("-inf")
    for row in reader:
        line = reader.line_num
        ts = parse_timestamp(row["timestamp"] or "", line)
        try:
            value = float(row["value"])
        except (TypeError, ValueError) as exc:
            msg = f"line {line}: value {row['value']!r} is not a number"
            raise ValidationFailed(msg, reason="wrong_type", field="value") from exc
        if ts < previous:
            msg = f"line {line}: timestamps must not go backwards (sort the file by time)"
            raise ValidationFailed(msg, reason="invalid_value", field="timestamp")
        previous = ts
        yield ts, value, row


def score_csv(
    source: Path,
    target: Path,
    settings: SpikeSettings | None = None,
    *,
    tz: str = DEFAULT_TIMEZONE,
) -> int:
    """Write ``target``: the rows of ``source`` plus ``anomaly_score``; returns the row count.

    The rhythm's hours and weekdays are those of ``tz``.
    """
    with source.open(encoding="utf-8-sig", newline="") as fin:
        header = next(csv.reader(fin), None) or []
    rows = 0
    with (
        source.open(encoding="utf-8-sig", newline="") as fin,
        target.open("w", encoding="utf-8", newline="") as fout,
    ):
        writer = csv.writer(fout)
        writer.writerow([*header, "anomaly_score"])
        series = read_series(fin)
        originals: deque[dict[str, str]] = deque()

        def values() -> Iterator[tuple[float, float]]:
            for ts, value, row in series:
                originals.append(row)
                yield ts, value

        for _result, score in score_series(values(), settings, tz=tz):
            row = originals.popleft()
            writer.writerow([*(row.get(name, "") for name in header), f"{score:.6f}"])
            rows += 1
    return rows
