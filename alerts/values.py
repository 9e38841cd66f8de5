"""Alerts: the small value types of the rules file (durations, severities, times of day)."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

SEVERITY_NAMES: tuple[str, ...] = ("info", "warning", "major", "critical")
CRITICAL = 3

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``"90s"``, ``"5m"``, ``"1h30m"``, ``"2d"`` or a number of seconds → timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        msg = f"expected a duration such as 30s, 5m or 4h, got {value!r}"
        raise ValueError(msg)
    if isinstance(value, int | float):
        if value < 0:
            msg = f"a duration cannot be negative (got {value})"
            raise ValueError(msg)
        return timedelta(seconds=value)
    text = str(value).strip().replace(" ", "")
    pos, total = 0, 0.0
    for found in _DURATION.finditer(text):
        if found.start() != pos:
            break
        total += float(found.group(1)) * _UNITS[found.group(2)]
        pos = found.end()
    if not text or pos != len(text):
        msg = f"cannot read duration {value!r}; write e.g. 30s, 5m, 1h30m or 2d"
        raise ValueError(msg)
    return timedelta(seconds=total)


def format_duration(value: timedelta) -> str:
    """A short human form: ``1h30m``, ``45s``, ``2d``."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


def parse_severity(value: Any) -> int:
    """``critical`` / ``major`` / ``warning`` / ``info`` or 0..3 → 0..3."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3:
        return value
    if isinstance(value, str) and value.strip().lower() in SEVERITY_NAMES:
        return SEVERITY_NAMES.index(value.strip().lower())
    msg = f"unknown severity {value!r}; use one of {', '.join(SEVERITY_NAMES)} or 0..3"
    raise ValueError(msg)


def severity_name(value: int) -> str:
    return SEVERITY_NAMES[max(0, min(3, value))]


def parse_time_of_day(value: Any) -> time:
    """``"22:00"`` → 22:00 (YAML may already have turned ``22:00`` into minutes)."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 22:00 as the sexagesimal number 1320
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return time(hours, minutes)
    text = str(value).strip()
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if found and int(found.group(1)) < 24 and int(found.group(2)) < 60:
        return time(int(found.group(1)), int(found.group(2)))
    msg = f"cannot read time of day {value!r}; write HH:MM, e.g. '22:00'"
    raise ValueError(msg)


Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
Severity = Annotated[int, BeforeValidator(parse_severity)]
TimeOfDay = Annotated[time, BeforeValidator(parse_time_of_day)]
