"""Durations, severities and times of day as the rules file writes them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from alerts.values import format_duration, parse_duration, parse_severity, parse_time_of_day


class TestDuration:
    @pytest.mark.parametrize(
        ("text", "seconds"),
        [
            ("30s", 30),
            ("5m", 300),
            ("1h30m", 5400),
            ("2d", 172800),
            ("1w", 604800),
            ("500ms", 0.5),
            (90, 90),
            ("0s", 0),
            ("1.5h", 5400),
        ],
    )
    def test_reads(self, text: object, seconds: float) -> None:
        assert parse_duration(text) == timedelta(seconds=seconds)

    @pytest.mark.parametrize("text", ["", "5", "5 minutes", "m5", "1h 3x", -3, True])
    def test_rejects(self, text: object) -> None:
        with pytest.raises(ValueError, match="duration"):
            parse_duration(text)

    def test_formats_back(self) -> None:
        assert format_duration(timedelta(seconds=5400)) == "1h30m"
        assert format_duration(timedelta(days=2, seconds=5)) == "2d5s"
        assert format_duration(timedelta(0)) == "0s"


class TestSeverity:
    @pytest.mark.parametrize(
        ("given", "level"), [("critical", 3), ("Major", 2), ("info", 0), (1, 1)]
    )
    def test_reads(self, given: object, level: int) -> None:
        assert parse_severity(given) == level

    @pytest.mark.parametrize("given", ["urgent", 4, -1, True, None])
    def test_rejects(self, given: object) -> None:
        with pytest.raises(ValueError, match="severity"):
            parse_severity(given)


class TestTimeOfDay:
    def test_quoted_and_sexagesimal(self) -> None:
        assert parse_time_of_day("22:00") == time(22, 0)
        assert parse_time_of_day(1320) == time(22, 0)  # YAML 1.1 reads 22:00 as 1320
        assert parse_time_of_day("8:05") == time(8, 5)

    @pytest.mark.parametrize("given", ["24:00", "7pm", "12:60", 5000])
    def test_rejects(self, given: object) -> None:
        with pytest.raises(ValueError, match="time of day"):
            parse_time_of_day(given)
