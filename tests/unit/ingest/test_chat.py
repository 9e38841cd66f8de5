"""Chat transcripts: conversations, staff detection and reply links."""

from __future__ import annotations

import pytest

from ingest.chat import ChatSettings, chat_transform
from radar.errors import ValidationFailed


def test_staff_messages_answer_the_first_waiting_customer_message() -> None:
    transform = chat_transform(ChatSettings(staff_names=["小美"]))
    first = transform({"会话ID": "c", "消息ID": "1", "发送人": "买家", "内容": "在吗"})
    second = transform({"会话ID": "c", "消息ID": "2", "发送人": "买家", "内容": "快递没到"})
    answer = transform({"会话ID": "c", "消息ID": "3", "发送人": "旗舰店:小美", "内容": "在的"})
    by_role = transform({"conversation_id": "c", "id": "4", "role": "agent", "text": "好的"})
    assert not first["is_staff_reply"] and not second["is_staff_reply"]
    assert answer["is_staff_reply"] and answer["reply_to"] == "c/1" == first["external_id"]
    assert by_role["is_staff_reply"] and "reply_to" not in by_role  # nothing left waiting
    assert first["thread_id"] == "c"


def test_messages_without_ids_get_stable_ones_and_extras_are_kept() -> None:
    transform = chat_transform(ChatSettings())
    row = {"session_id": 7, "sender": "u", "text": "hi", "time": "2026-11-20", "shop": "A店"}
    assert transform(row)["external_id"] == chat_transform(ChatSettings())(row)["external_id"]
    assert transform(row)["shop"] == "A店"


@pytest.mark.parametrize("conversation", [None, "", {"a": 1}])
def test_a_message_needs_a_conversation(conversation: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        chat_transform(ChatSettings())({"conversation_id": conversation, "text": "x"})
    assert caught.value.field == "conversation_id"
