"""Chat transcripts on the real broker: one event per message, staff messages mark responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import Pipeline
from tests.integration.connector_helpers import dead_letters, raw_events

pytestmark = pytest.mark.integration


def test_transcripts_from_json_lines_and_csv(pipeline: Pipeline, tmp_path: Path) -> None:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    messages = [
        {
            "conversation_id": "c1",
            "message_id": "m1",
            "time": "2026-11-20 10:00:00",
            "sender": "buyer_01",
            "role": "customer",
            "text": "我的快递三天没动了",
        },
        {
            "conversation_id": "c1",
            "message_id": "m2",
            "time": "2026-11-20 10:01:00",
            "sender": "buyer_01",
            "role": "customer",
            "text": "能帮我查一下吗？单号 SF1234567890",
        },
        {
            "conversation_id": "c1",
            "message_id": "m3",
            "time": "2026-11-20 10:09:00",
            "sender": "旗舰店:小美",
            "role": "客服",
            "text": "亲，已为您催促快递",
        },
        {"message_id": "m4", "time": "2026-11-20 10:10:00", "text": "没有会话"},
    ]
    (folder / "taobao.jsonl").write_text(
        "\n".join(json.dumps(m, ensure_ascii=False) for m in messages) + "\n", "utf-8"
    )
    (folder / "wecom.csv").write_text(
        "会话ID,发送时间,发送人,消息内容\n"
        "w1,2026-11-21 09:00:00,客户张,退款什么时候到账\n"
        "w1,2026-11-21 09:30:00,售后阿强,已经原路退回，1-3个工作日到账\n",
        "utf-8",
    )
    result = pipeline.radar(
        "ingest", "chat", str(folder), "--staff-name", "售后阿强", "--json", "--source", "im"
    )
    summary = json.loads(result.stdout)
    assert summary["events"] == 5 and summary["deadletters_by_reason"] == {"missing_field": 1}

    events = {e.external_id: e for e in raw_events(pipeline, 5)}
    assert set(events) == {
        "c1/m1",
        "c1/m2",
        "c1/m3",
        "w1/"
        + next(
            k.split("/")[1] for k in events if k.startswith("w1/") and not events[k].is_staff_reply
        ),
        next(k for k in events if k.startswith("w1/") and events[k].is_staff_reply),
    }
    assert events["c1/m3"].is_staff_reply and events["c1/m3"].reply_to == "c1/m1"
    assert events["c1/m3"].thread_id == "c1" and not events["c1/m1"].is_staff_reply
    assert all(e.channel == "chat" and e.source == "im" for e in events.values())
    staff_w1 = next(e for e in events.values() if e.thread_id == "w1" and e.is_staff_reply)
    customer_w1 = next(e for e in events.values() if e.thread_id == "w1" and not e.is_staff_reply)
    assert staff_w1.reply_to == customer_w1.external_id
    assert customer_w1.created_at.isoformat() == "2026-11-21T01:00:00+00:00"
    [letter] = dead_letters(pipeline, 1)
    assert letter.locator == "taobao.jsonl:4" and "conversation_id" in letter.message
