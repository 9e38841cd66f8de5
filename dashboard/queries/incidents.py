"""Dashboard queries for 危机与告警 Incidents: the evidence behind an incident's alerts."""

from __future__ import annotations

from typing import Any

import pandas as pd

from alerts.titles import signal_title
from radar.i18n import Locale
from radar.store import Store
from radar.store.signals import signal_history


def evidence(store: Store, alerts: list[dict[str, Any]], locale: Locale) -> pd.DataFrame:
    """Observed vs expected per window for each alert's signal (the alert itself if no history);
    each signal named by its title in ``locale``, windows in its zone."""
    rows = []
    for alert in alerts:
        key = {str(k): str(v) for k, v in (alert.get("key") or {}).items()}
        label = locale.render(signal_title(str(alert.get("type", "")), key))
        points = signal_history(store, str(alert.get("signal_id", "")))
        if not points:
            points = [alert]
        for p in points:
            rows.append(
                {
                    "signal": label.strip(),
                    "window_start": pd.Timestamp(p["window_start"]),
                    "observed": float(p["observed"]),
                    "expected": float(p["expected"]),
                }
            )
    frame = pd.DataFrame(rows, columns=["signal", "window_start", "observed", "expected"])
    if not frame.empty:
        frame["window_start"] = pd.to_datetime(frame["window_start"], utc=True).dt.tz_convert(
            locale.timezone
        )
    return frame
