"""Survey and mention payloads: valid ones become fields, bad ones name their field."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.schemas import mention_fields, survey_fields
from radar.errors import ValidationFailed

SURVEY = {
    "submission_id": "S1",
    "submitted_at": "2026-11-20 10:00",
    "csat": 4,
    "nps": 9,
    "answers": [{"question": "建议", "answer": "发货再快点"}],
    "order_id": "E1",
    "custom": {"nested": [1, 2]},
}


class TestSurveyFields:
    def test_valid_submission(self) -> None:
        fields = survey_fields(SURVEY)
        assert fields["external_id"] == "S1" and fields["csat"] == 4 and fields["nps"] == 9
        assert fields["text"] == "建议：发货再快点" and fields["order_id"] == "E1"
        assert fields["x_custom"] == "{'nested': [1, 2]}"

    @pytest.mark.parametrize(
        ("change", "field", "reason"),
        [
            ({"csat": 0}, "csat", "invalid_value"),
            ({"nps": 11}, "nps", "invalid_value"),
            ({"nps": "ten"}, "nps", "wrong_type"),
            ({"submission_id": None}, "submission_id", "wrong_type"),
            ({"answers": "not a list"}, "answers", "wrong_type"),
        ],
    )
    def test_bad_fields_are_named(self, change: dict[str, Any], field: str, reason: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            survey_fields({**SURVEY, **change})
        assert caught.value.field is not None and caught.value.field.startswith(field)
        assert caught.value.reason == reason and field in str(caught.value)

    def test_a_submission_must_say_something(self) -> None:
        with pytest.raises(ValidationFailed, match="csat, nps, a comment or answers"):
            survey_fields({"submission_id": "S", "submitted_at": "2026-11-20"})

    def test_not_an_object(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            survey_fields([SURVEY])
        assert caught.value.reason == "wrong_type"


class TestMentionFields:
    def test_weibo_shape(self) -> None:
        fields = mention_fields(
            {
                "id": 1,
                "created_at": "Mon Nov 23 10:30:00 +0800 2026",
                "text": "差评",
                "user": {"screen_name": "小王", "followers_count": 100, "location": "广东 深圳"},
                "reposts_count": 2,
                "attitudes_count": 5,
            }
        )
        assert fields["created_at"] == "2026-11-23T10:30:00+08:00"
        assert (fields["author"], fields["reach"], fields["region"]) == ("小王", 100, "广东")
        assert (fields["reposts"], fields["likes"]) == (2, 5)

    def test_flat_shape_with_explicit_reach(self) -> None:
        fields = mention_fields(
            {
                "id": "m",
                "created_at": 1763870000,
                "text": "好",
                "author": "a",
                "followers": 10,
                "reach": 500,
            }
        )
        assert fields["reach"] == 500 and fields["followers"] == 10

    def test_negative_counts_are_refused(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            mention_fields({"id": "m", "created_at": "2026-11-20", "text": "x", "likes": -1})
        assert caught.value.field == "likes"
