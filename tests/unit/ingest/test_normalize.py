"""The normaliser: personal data masked in every field of what is stored or sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from radar.errors import ValidationFailed
from radar.events import FeedbackEvent, Sample
from radar.masking import mask_text
from tests.fuzz.hostile import normaliser
from tests.fuzz.pii import Planted, filler, leaked, personal_data

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _typed(parts: list[tuple[str, Planted]]) -> str:
    return "".join(before + planted.typed for before, planted in parts)


pii_text = st.lists(st.tuples(filler, personal_data), min_size=1, max_size=3)


class TestEveryFieldIsMasked:
    @PROPERTY
    @given(pii_text, pii_text, pii_text, pii_text, personal_data, st.booleans())
    def test_no_phone_email_id_or_card_survives_in_events_dead_letters_or_samples(
        self,
        text: list[tuple[str, Planted]],
        title: list[tuple[str, Planted]],
        extra: list[tuple[str, Planted]],
        place: list[tuple[str, Planted]],
        contact: Planted,
        fail: bool,
    ) -> None:
        """Personal data in many shapes, in the text, the title, a column without a contract
        field, the product and region, the url's query, a thread id and the author, through
        the path every connector takes: the event, the dead letter when the row fails (a bad
        time), and a signal's sample all come out without it."""
        number = contact.typed.strip()
        row: dict[str, Any] = {
            "id": "r-1",
            "text": _typed(text),
            "title": _typed(title)[:1000],
            "备注": _typed(extra),
            "product": _typed(place)[:200],
            "region": number[:100],
            "url": f"https://shop.example/item?id=1&phone={number}&q={number}",
            "thread_id": number,
            "author": number,
            "created_at": "不是时间" if fail else "2026-11-20 10:00",
        }
        planted = [p for part in (text, title, extra, place) for _, p in part] + [contact]
        norm = normaliser()
        try:
            event = norm.build(row)
        except ValidationFailed as exc:
            assert fail or exc.reason == "too_long", exc
            letter = norm.deadletter(row, exc, "items.jsonl:1")
            stored = letter.to_json().decode()
            shown = [stored, json.loads(letter.original)]
        else:
            assert not fail
            sample = Sample(id=event.id, text=mask_text(event.text[:500]))
            shown = [event.to_json().decode(), sample.to_json().decode()]
        for what in shown:
            seen = what if isinstance(what, str) else json.dumps(what, ensure_ascii=False)
            for item in planted:
                if item.kind != "email" or len(item.core) > 3:  # "ab@" may be any word's end
                    assert not leaked(item, seen), (item, seen[:400])

    def test_ids_with_personal_data_become_pseudonyms_that_still_link(self) -> None:
        """Chat exports use phone numbers or mail addresses as conversation ids: they become
        keyed pseudonyms, the same wherever they appear. A Message-ID names a mail, not a
        person, and stays."""
        norm = normaliser("chat")
        first = norm.build({"id": "zhang.san@163.com/1", "text": "退", "thread_id": "13812345678"})
        reply = norm.build({"id": "m2", "text": "已处理", "reply_to": "zhang.san@163.com/1"})
        assert first.external_id.startswith("p_") and "zhang" not in first.external_id
        assert reply.reply_to == first.external_id
        assert first.thread_id is not None and "1381234" not in first.thread_id
        mail = normaliser("email").build({"id": "<c1@example.cn>", "text": "好"})
        assert mail.external_id == "<c1@example.cn>"

    def test_url_credentials_and_personal_query_values_are_hidden(self) -> None:
        event = normaliser("social").build(
            {
                "id": "m1",
                "text": "差评",
                "url": "https://u:pw@weibo.example/s?access_token=T0K3N&mobile=13812345678&p=2",
            }
        )
        assert event.url == "https://***@weibo.example/s?access_token=***&mobile=***&p=2"

    def test_a_dead_letter_pseudonymises_the_author(self) -> None:
        norm = normaliser()
        row = {"id": "1", "text": "差", "author": "张三", "created_at": "bad"}
        with pytest.raises(ValidationFailed) as caught:
            norm.build(row)
        letter = norm.deadletter(row, caught.value, "x.csv:2")
        assert "张三" not in letter.original
        assert json.loads(letter.original)["author"].startswith("u_")

    @pytest.mark.parametrize(("field", "size"), [("text", 50_001), ("title", 1001)])
    def test_too_long_text_is_refused_before_it_is_masked(self, field: str, size: int) -> None:
        row = {"id": "1", "text": "好", field: "1" * size}
        with pytest.raises(ValidationFailed) as caught:
            normaliser().build(row)
        assert caught.value.reason == "too_long" and caught.value.field == field

    def test_huge_integer_attributes_are_kept_as_text(self) -> None:
        event = normaliser().build({"id": "1", "text": "好", "likes": 2**70, "shares": 10**5000})
        assert event.attributes["likes"] == str(2**70)
        assert isinstance(FeedbackEvent.model_validate_json(event.to_json()), FeedbackEvent)
