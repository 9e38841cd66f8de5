"""Review API: dotted paths into items, and which values become contract fields."""

from __future__ import annotations

from ingest.review_api import get_path, item_fields


def test_get_path_walks_objects_and_lists() -> None:
    body = {"data": {"list": [{"user": {"nick": "小明"}}], "next": None}}
    assert get_path(body, "data.list.0.user.nick") == "小明"
    assert get_path(body, "data.list.-1.user.nick") == "小明"
    assert get_path(body, "data.list.5.user") is None
    assert get_path(body, "data.missing.x") is None
    assert get_path(body, "") == body


def test_item_fields_maps_paths_and_keeps_plain_extras() -> None:
    item = {"rid": "A1", "body": {"text": "很好"}, "score": 5, "likes": 3, "images": ["x"]}
    fields = item_fields(item, {"external_id": "rid", "text": "body.text", "rating": "score"})
    assert fields == {"external_id": "A1", "text": "很好", "rating": 5, "likes": 3}
