"""The demo through the worker's stages offline: its new defect is found and nothing else emerges;
its courier wave names no driver beyond its key (it is spread over products and channels)."""

from __future__ import annotations

import pytest

from ingest.demo_incidents import check_story
from tests.offline_demo import demo_story, story_end

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_the_demo_defect_emerges_alone_and_the_courier_wave_names_no_false_driver() -> None:
    incidents, signals = demo_story(story_end())
    scripted = [i.to_dict() for i in incidents if i.type == "emerging"]
    assert len(scripted) == 1
    emerging = [s for s in signals if s.type == "emerging"]
    opened = [{"type": "emerging", "signal_keys": [s.key for s in emerging]}]
    check = check_story(scripted, opened)
    assert check.ok, (check.missing, check.unexplained)
    first = next(s for s in emerging if s.status == "firing")
    defect = next(i for i in incidents if i.type == "emerging")
    assert defect.end is not None and first.window_end <= defect.end  # while it goes on
    # the courier wave in 广东 says 分拨中心, 佛山... in delivery complaints: the topic's
    assert all("分拨" not in s.key["term"] and "佛山" not in s.key["term"] for s in emerging)
    wave = [
        s
        for s in signals
        if s.type == "spike"
        and s.status == "firing"
        and s.key == {"topic": "物流配送", "region": "广东"}
    ]
    assert wave and all(not s.drivers for s in wave), [s.drivers for s in wave if s.drivers]
