"""The demo's story check: every scripted incident found, and nothing else opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.demo_incidents import check_story, scripted_incidents
from radar.demo import demo

SCRIPTED = [
    {"type": "spike", "key": {"topic": "物流配送", "region": "广东"}},
    {"type": "crisis", "key": {"crisis": "safety", "product": "热水器"}},
    {"type": "unanswered", "key": {"channel": "forum", "thread": "t1"}},
]


def incident(kind: str, *keys: dict[str, str]) -> dict[str, Any]:
    return {"type": kind, "title": kind, "status": "open", "signal_keys": list(keys)}


def test_the_whole_story_and_nothing_else_passes() -> None:
    opened = [
        incident("spike", {"topic": "物流配送", "region": "广东"}),
        incident("crisis", {"crisis": "safety", "product": "热水器"}),
        incident("unanswered", {"channel": "forum", "thread": "t1"}),
    ]
    check = check_story(SCRIPTED, opened)
    assert check.ok and len(check.found) == 3


def test_a_broader_signal_does_not_find_a_scripted_compound_key() -> None:
    opened = [incident("spike", {"topic": "物流配送"})]
    check = check_story(SCRIPTED[:1], opened)
    assert check.missing == SCRIPTED[:1]
    assert check.unexplained == [("spike", {"topic": "物流配送"})]


def test_a_signal_of_another_type_explains_nothing() -> None:
    opened = [
        incident("spike", {"topic": "物流配送", "region": "广东"}),
        incident("spike", {"crisis": "safety", "product": "热水器"}),
    ]
    check = check_story(SCRIPTED[:2], opened)
    assert [m["type"] for m in check.missing] == ["crisis"]
    assert check.unexplained == [("spike", {"crisis": "safety", "product": "热水器"})]


def test_a_more_specific_signal_counts_as_the_scripted_one() -> None:
    opened = [incident("unanswered", {"channel": "forum", "thread": "t1", "source": "x"})]
    assert check_story(SCRIPTED[2:], opened).ok


def test_an_emerging_issue_is_found_under_any_of_its_terms_and_nothing_else() -> None:
    scripted = [{"type": "emerging", "key": {"term": "二维码失效"}}]
    for name in ("二维码失效", "二维码", "码失效", "扫码失效", "失效"):
        assert check_story(scripted, [incident("emerging", {"term": name})]).ok, name
    check = check_story(scripted, [incident("emerging", {"term": "分拨中心"})])
    assert check.missing == scripted
    assert check.unexplained == [("emerging", {"term": "分拨中心"})]


def test_the_story_scripts_a_new_defect_before_the_courier_wave() -> None:
    end = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)  # 22:00 in Beijing
    story = scripted_incidents(end - timedelta(days=3), end, live=False)
    [defect] = [i for i in story if i.type == "emerging"]
    [wave] = [i for i in story if i.type == "spike"]
    assert defect.key == {"term": "二维码失效"}
    assert defect.start == wave.start - timedelta(hours=3) and defect.end is not None
    assert defect.end - defect.start == timedelta(hours=4)


def test_the_demo_backfill_tells_the_whole_story_whatever_hour_it_starts() -> None:
    # silence judges after 36 h of history: the demo's default backfill must still hold every
    # kind of incident, whatever the hour `make demo` is run at
    [days] = [p.default for p in demo.params if p.name == "days"]
    first = datetime(2026, 12, 7, 16, tzinfo=UTC)  # midnight in Beijing
    kinds = {"silence", "source_down", "spike", "crisis", "emerging"}
    for hour in range(24):
        end = first + timedelta(hours=hour)
        story = scripted_incidents(end - timedelta(days=float(days)), end, live=True)
        assert {i.type for i in story} == kinds, (hour, days)
