"""Silence detection on the demo feed, whatever hour a three-day history starts at.

    .venv/bin/python bench/demo_silences.py [--seed 11] [--every 1] [--days 3]

About a minute. For each end hour of one week (every ``--every`` hours), the
demo script (the texts, rhythm and scripted incidents of ``radar ingest demo``)
writes a backfill of ``--days`` ending then; each channel's hourly volume goes
through a silence detector of its own (source outages reported as they are
scripted). Printed: the ends whose backfill raised a silence nothing scripted,
with the first such window, and the ends whose scripted chat silence was not
found. Channel keys only (the worker also judges product keys); figures in
docs/benchmarks.md ("Silence on the demo feed").
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, datetime, timedelta

from ingest.demo_corpus import load_texts
from ingest.demo_feed import DemoSettings
from ingest.demo_incidents import LOCAL, Incident, scripted_incidents
from ingest.demo_script import DemoScript
from streams.silence import SilenceDetector

CHANNELS = ("review", "survey", "forum", "social", "email", "chat")
HOUR = timedelta(hours=1)


def _covers(incident: Incident, kind: str, channel: str, at: datetime, end: datetime) -> bool:
    """Whether ``incident`` of ``kind`` on ``channel`` explains the window at ``at``."""
    if incident.type != kind or incident.key.get("channel") != channel:
        return False
    return incident.start - HOUR <= at <= (incident.end or end) + HOUR


def judge(end: datetime, days: float, seed: int, texts: object) -> tuple[list[str], bool]:
    """(unscripted silences as 'channel weekday hour: observed/expected', scripted one found)."""
    start = end - timedelta(days=days)
    story = scripted_incidents(start, end, live=False)
    script = DemoScript(texts, seed, start, end, live=False)  # type: ignore[arg-type]
    detectors = {channel: SilenceDetector(3600.0) for channel in CHANNELS}
    unscripted: dict[str, str] = {}
    found = False
    for hour in range(int(days * 24)):
        at = start + hour * HOUR
        counts = Counter(item.channel for item in script.advance(at + HOUR, DemoSettings().per_day))
        for channel, detector in detectors.items():
            down = any(_covers(i, "source_down", channel, at, end) for i in story)
            result = detector.observe(at.timestamp(), counts[channel], source_down=down)
            if result.status != "firing":
                continue
            if any(_covers(i, "silence", channel, at, end) for i in story):
                found = True
            elif channel not in unscripted:
                local = at.astimezone(LOCAL).strftime("%a %H:00")
                unscripted[channel] = (
                    f"{channel} {local}: {result.observed:.0f}/{result.expected:.1f}"
                )
    scripted = any(i.type == "silence" for i in story)
    return list(unscripted.values()), found or not scripted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=11, help="demo script seed (default 11)")
    parser.add_argument("--every", type=int, default=1, help="hours between ends (default 1)")
    parser.add_argument("--days", type=float, default=3.0, help="backfill days (default 3)")
    args = parser.parse_args()
    texts = load_texts(DemoSettings().corpus)
    first = datetime(2026, 12, 7, 14, tzinfo=UTC)  # a Monday, 22:00 in Beijing
    ends = [first + timedelta(hours=h) for h in range(0, 7 * 24, args.every)]
    noisy, missed = 0, 0
    for end in ends:
        unscripted, found = judge(end, args.days, args.seed, texts)
        local = end.astimezone(LOCAL).strftime("%a %H:00")
        if unscripted:
            noisy += 1
            print(f"history ending {local}: unscripted silence {'; '.join(unscripted)}")
        if not found:
            missed += 1
            print(f"history ending {local}: scripted chat silence not found")
    print(
        f"{len(ends)} histories of {args.days:g} days (seed {args.seed}): "
        f"{noisy} with an unscripted silence, {missed} missing the scripted one"
    )


if __name__ == "__main__":
    main()
