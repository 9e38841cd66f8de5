"""Silence detection on the demo feed, whatever hour a three-day history starts at.

    .venv/bin/python bench/demo_silences.py [--seed 11] [--every 1] [--days 3] [--list]

About three minutes. For each end hour of one week (every ``--every`` hours), the
demo script (the texts, rhythm and scripted incidents of ``radar ingest demo``)
writes a backfill of ``--days`` ending then; each channel's hourly volume goes
through a silence detector of its own (source outages reported as they are
scripted). Printed side by side, for the detector as shipped and with each of
its two guards for young hour factors taken out (the first day weighed by trust
in the level, ``trust_first_day``; the extra dispersion of an hour seen on few
days, ``slot_doubt``): how many histories raised a silence nothing scripted, and
how many missed the scripted chat silence. ``--list`` names each unscripted
silence of the shipped detector. Channel keys only (the worker also judges
product keys); figures in docs/benchmarks.md ("Silence on the demo feed").
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ingest.demo_corpus import DemoTexts, load_texts
from ingest.demo_feed import DemoSettings
from ingest.demo_incidents import LOCAL, Incident, scripted_incidents
from ingest.demo_script import DemoScript
from streams.silence import SilenceDetector, SilenceSettings

CHANNELS = ("review", "survey", "forum", "social", "email", "chat")
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Variant:
    name: str
    trust_first_day: bool
    slot_doubt: float

    def detector(self) -> SilenceDetector:
        detector = SilenceDetector(3600.0, SilenceSettings(slot_doubt=self.slot_doubt))
        detector.baseline.trust_first_day = self.trust_first_day
        return detector


SHIPPED = Variant("as shipped", trust_first_day=True, slot_doubt=SilenceSettings().slot_doubt)
VARIANTS = (
    SHIPPED,
    Variant("without slot_doubt", trust_first_day=True, slot_doubt=0.0),
    Variant("without trust_first_day", trust_first_day=False, slot_doubt=SHIPPED.slot_doubt),
    Variant("without either", trust_first_day=False, slot_doubt=0.0),
)


def _covers(incident: Incident, kind: str, channel: str, at: datetime, end: datetime) -> bool:
    """Whether ``incident`` of ``kind`` on ``channel`` explains the window at ``at``."""
    if incident.type != kind or incident.key.get("channel") != channel:
        return False
    return incident.start - HOUR <= at <= (incident.end or end) + HOUR


def judge(
    end: datetime, days: float, seed: int, texts: DemoTexts
) -> dict[Variant, tuple[list[str], bool]]:
    """Per variant: (unscripted silences as 'channel weekday hour: observed/expected',
    whether the scripted silence was found or none was scripted)."""
    start = end - timedelta(days=days)
    story = scripted_incidents(start, end, live=False)
    script = DemoScript(texts, seed, start, end, live=False)
    detectors = {v: {c: v.detector() for c in CHANNELS} for v in VARIANTS}
    unscripted: dict[Variant, dict[str, str]] = {v: {} for v in VARIANTS}
    found = {v: not any(i.type == "silence" for i in story) for v in VARIANTS}
    for hour in range(int(days * 24)):
        at = start + hour * HOUR
        counts = Counter(item.channel for item in script.advance(at + HOUR, DemoSettings().per_day))
        for channel in CHANNELS:
            down = any(_covers(i, "source_down", channel, at, end) for i in story)
            scripted = any(_covers(i, "silence", channel, at, end) for i in story)
            for variant in VARIANTS:
                detector = detectors[variant][channel]
                result = detector.observe(at.timestamp(), counts[channel], source_down=down)
                if result.status != "firing":
                    continue
                if scripted:
                    found[variant] = True
                elif channel not in unscripted[variant]:
                    local = at.astimezone(LOCAL).strftime("%a %H:00")
                    unscripted[variant][channel] = (
                        f"{channel} {local}: {result.observed:.0f}/{result.expected:.1f}"
                    )
    return {v: (list(unscripted[v].values()), found[v]) for v in VARIANTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=11, help="demo script seed (default 11)")
    parser.add_argument("--every", type=int, default=1, help="hours between ends (default 1)")
    parser.add_argument("--days", type=float, default=3.0, help="backfill days (default 3)")
    parser.add_argument(
        "--list", action="store_true", help="name the shipped detector's unscripted silences"
    )
    args = parser.parse_args()
    texts = load_texts(DemoSettings().corpus)
    first = datetime(2026, 12, 7, 14, tzinfo=UTC)  # a Monday, 22:00 in Beijing
    ends = [first + timedelta(hours=h) for h in range(0, 7 * 24, args.every)]
    noisy, missed = Counter[Variant](), Counter[Variant]()
    for n, end in enumerate(ends, 1):
        for variant, (unscripted, found) in judge(end, args.days, args.seed, texts).items():
            noisy[variant] += bool(unscripted)
            missed[variant] += not found
            if args.list and variant == SHIPPED and unscripted:
                local = end.astimezone(LOCAL).strftime("%a %H:00")
                print(f"history ending {local}: unscripted silence {'; '.join(unscripted)}")
        if n % 24 == 0:
            print(f"  {n} of {len(ends)} histories judged", flush=True)
    print(f"\n{len(ends)} histories of {args.days:g} days (seed {args.seed}), channel keys")
    print(f"{'detector':<26}{'unscripted silence':>20}{'scripted one missed':>21}")
    for variant in VARIANTS:
        print(f"{variant.name:<26}{noisy[variant]:>20}{missed[variant]:>21}")


if __name__ == "__main__":
    main()
