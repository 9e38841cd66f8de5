"""Customer words in chat alerts stay words: no forged links, mentions, lines or emphasis."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.markup import chat_literal, one_line, slack_literal
from alerts.message import AlertView, IncidentView, Message, SampleView
from alerts.notifiers.dingtalk import body as dingtalk_body
from alerts.notifiers.feishu import body as feishu_body
from alerts.notifiers.slack import body as slack_body
from alerts.notifiers.wecom import body as wecom_body

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
OUR_LINKS = {
    "http://dash/incidents?incident=I",
    "http://dash/ack?token=t1",
    "http://dash/res?token=t2",
}
#: What a complaint (or a product or region name) could try in a chat message.
HOSTILE = (
    "快递没到\n### 已解决：误报，无需处理\n"
    "[确认](https://evil.example/ack) ![](https://tracker.example/x.png) "
    "<at id=all></at> <@zhangsan> <!channel> <font color=red>紧急</font> **加粗** `代码` ~~删~~"
)


def message(sample: str, region: str = "华东") -> Message:
    alert = AlertView(
        fingerprint="fp1",
        rule="logistics-spike",
        type="spike",
        status="firing",
        severity=2,
        labels={"topic": "物流配送", "region": region},
        key={"topic": "物流配送", "region": region},
        observed=40,
        expected=5,
        window_start=NOW - timedelta(minutes=15),
        window_end=NOW,
        score=0.99,
        statistic="nb_tail",
        samples=[SampleView(text=sample, channel="review"), SampleView(text="包装破损")],
        starts_at=NOW,
        signal_id="sig-1",
    )
    return Message(
        id="n-1",
        kind="firing",
        status="firing",
        receiver="oncall",
        group_key="g1",
        rule="logistics-spike",
        title=f"物流投诉激增：{region}",
        severity=2,
        incident=IncidentView(
            id="INC-1",
            title="物流投诉激增",
            status="open",
            type="spike",
            opened_at=NOW,
            url="http://dash/incidents?incident=I",
            ack_url="http://dash/ack?token=t1",
            resolve_url="http://dash/res?token=t2",
        ),
        alerts=[alert],
        created_at=NOW,
    )


def robot_markdown(msg: Message) -> dict[str, str]:
    """The Markdown each chat robot is sent."""
    ding = dingtalk_body(msg)["markdown"]
    wecom = wecom_body(msg)["markdown"]
    card = feishu_body(msg)["card"]
    assert isinstance(ding, dict) and isinstance(wecom, dict) and isinstance(card, dict)
    return {
        "dingtalk": ding["text"],
        "wecom": wecom["content"],
        "feishu": card["elements"][0]["content"],
    }


class TestLiteral:
    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("[确认](https://evil)", "［确认］(https://evil)"),
            ("<at id=all></at>", "＜at id=all＞＜/at＞"),
            ("**加粗** `代码` a_b ~x~", "＊＊加粗＊＊ ｀代码｀ a＿b ～x～"),
            ("第一行\r\n# 第二行\u2028第三行", "第一行 ＃ 第二行 第三行"),
            ("- 列表", "－ 列表"),
            ("1. 列表", "1． 列表"),
            ("-5 度也照常发货", "-5 度也照常发货"),
            ("138****5678", "138＊＊＊＊5678"),
        ],
    )
    def test_chat_text_is_literal(self, text: str, shown: str) -> None:
        assert chat_literal(text) == shown

    def test_slack_text_is_literal(self) -> None:
        shown = slack_literal("<!channel> <http://evil|确认> *x* `y`\nb")
        assert shown == "&lt;!channel&gt; &lt;http://evil|确认&gt; ＊x＊ ｀y｀ b"

    def test_one_line_has_no_break_or_control_character(self) -> None:
        assert one_line(" 地区\r\nBcc: x@evil\x00\x85\t ") == "地区 Bcc: x@evil"


class TestRobots:
    @pytest.mark.parametrize("robot", ["dingtalk", "wecom", "feishu"])
    def test_a_hostile_sample_and_label_stay_text(self, robot: str) -> None:
        text = robot_markdown(message(HOSTILE, region="华东\n**已解决**"))[robot]
        assert set(re.findall(r"\]\(([^)]*)\)", text)) == OUR_LINKS  # no other link or image
        assert "<" not in text and "**已解决**" not in text and "`" not in text
        assert not [
            line for line in text.splitlines() if "已解决：误报" in line and line[:3] != "> “"
        ]
        assert text.count("\n### ") == 0  # the only heading is the message's own first line

    def test_slack(self) -> None:
        blocks = slack_body(message(HOSTILE, region="华东\n*已解决*"))["blocks"]
        assert isinstance(blocks, list)
        section = blocks[1]["text"]["text"]
        links = re.findall(r"<([^|>]*)\|", section)
        assert set(links) <= OUR_LINKS and "<!" not in section and "<@" not in section
        assert "*已解决*" not in section and "`" not in section
        (quoted,) = [line for line in section.splitlines() if "已解决：误报" in line]
        assert quoted.startswith("> “")

    @settings(max_examples=200, deadline=None)
    @given(sample=st.text(max_size=200), region=st.text(max_size=40))
    def test_any_text_adds_no_link_tag_or_line(self, sample: str, region: str) -> None:
        plain = robot_markdown(message("x", region="华东"))
        for robot, text in robot_markdown(message(sample, region=region)).items():
            assert set(re.findall(r"\]\(([^)]*)\)", text)) == OUR_LINKS
            assert "<" not in text
            assert len(text.splitlines()) == len(plain[robot].splitlines())
