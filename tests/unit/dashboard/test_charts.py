"""Chart builders: UTC time axes that fit the bucket size."""

from __future__ import annotations

import pandas as pd

from dashboard import charts


def frame(start: str, periods: int, freq: str) -> pd.DataFrame:
    times = pd.date_range(start, periods=periods, freq=freq, tz="UTC")
    return pd.DataFrame({"time": times, "channel": "chat", "volume": 1})


def x_of(chart: object) -> dict[str, object]:
    return chart.to_dict()["encoding"]["x"]  # type: ignore[attr-defined, no-any-return]


def test_bars_are_as_wide_as_their_bucket() -> None:
    daily = x_of(charts.volume_chart(frame("2026-11-01", 30, "D"), "t"))
    hourly = x_of(charts.volume_chart(frame("2026-11-01 05:00", 24, "h"), "t"))
    minutes = x_of(charts.volume_chart(frame("2026-11-01 05:00", 30, "min"), "t"))
    assert (daily["timeUnit"], hourly["timeUnit"], minutes["timeUnit"]) == (
        "utcyearmonthdate",
        "utcyearmonthdatehours",
        "utcyearmonthdatehoursminutes",
    )


def test_daily_axes_show_dates_at_most_about_twelve_labels() -> None:
    axis = x_of(charts.line_chart(frame("2026-09-01", 90, "D"), "volume", "t"))["axis"]
    assert axis["format"] == "%m-%d" and axis["tickCount"] == {"interval": "day", "step": 7}
    hourly = x_of(charts.line_chart(frame("2026-11-01", 24, "h"), "volume", "t"))
    assert hourly["axis"]["format"] == "%m-%d %H:%M" and hourly["scale"] == {"type": "utc"}
