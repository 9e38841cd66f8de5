"""``radar classify``: what the worker computes, line by line, in order; bad lines are reported."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from radar.cli import cli
from streams.classify import OUTPUT, classify, classify_lines
from streams.scoring import score_events
from streams.sentiment import get_engine
from tests.unit.streams.test_scoring import NOW, FixedEngine, event_factory

LINES: list[dict[str, Any]] = [
    {"text": "用了三个月了，没有漏电，很放心", "rating": 5},
    {"text": "全家拉肚子，已经去医院了", "product": "p1"},
    {"text": "快递太慢，收到还破损了，我要投诉", "channel": "chat", "csat": 1},
    {"text": "充电器冒火花了，我要曝光", "title": "差评！插上就起火", "reach": 50_000},
    {"text": "客服回复很及时", "is_staff_reply": True, "channel": "email"},
    {"text": "说会爆炸的都是谣言", "nps": 9, "label": "denial"},  # an unknown key is ignored
]


def run(lines: list[str], *args: str) -> Result:
    stdin = "".join(line + "\n" for line in lines)
    return CliRunner().invoke(classify, list(args), input=stdin.encode("utf-8"))


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


class TestWhatTheWorkerComputes:
    def test_each_line_gets_the_scored_fields_of_the_same_event(self) -> None:
        engine = FixedEngine({"全家拉肚子，已经去医院了": 0.05, "客服回复很及时": 0.9})
        out = [o for _, o in classify_lines([dumps(p) for p in LINES], engine, now=NOW)]
        events = [
            event_factory(
                str(n), p["text"], **{k: v for k, v in p.items() if k not in ("text", "label")}
            )
            for n, p in enumerate(LINES, start=1)
        ]
        for got, payload in zip(out, events, strict=True):
            [scored] = score_events([payload], engine, NOW)
            assert list(got) == list(OUTPUT)
            expected = {name: getattr(scored, name) for name in OUTPUT}
            assert {**got, "crisis_terms": [t["term"] for t in got["crisis_terms"]]} == expected

    def test_denials_raise_nothing_and_crises_name_their_terms(self) -> None:
        out = dict(classify_lines([dumps(p) for p in LINES], FixedEngine(), now=NOW))
        assert out[1]["severity"] == 0 and out[1]["crisis_terms"] == []
        assert out[2]["severity"] == 3 and out[2]["department"] == "危机公关组"
        assert [t["term"] for t in out[2]["crisis_terms"]] == ["拉肚子", "去医院"]
        assert out[5]["is_complaint"] is False  # a staff reply never is
        assert out[6]["crisis_terms"] == []

    def test_spans_show_exactly_what_matched_in_text_or_title(self) -> None:
        out = dict(classify_lines([dumps(p) for p in LINES], FixedEngine(), now=NOW))
        for number, payload in enumerate(LINES, start=1):
            for term in out[number]["crisis_terms"]:
                field = payload[term["field"]]
                assert field[term["start"] : term["end"]].lower() == term["term"]
                assert term["category"] in {"safety", "legal", "regulator", "media", "security"}
        fire = out[4]["crisis_terms"]
        assert [(t["term"], t["field"]) for t in fire] == [
            ("起火", "title"),
            ("冒火花", "text"),
            ("曝光", "text"),
        ]

    def test_keyword_only_is_the_matcher_before_judging(self) -> None:
        line = dumps({"text": "用了三个月了，没有漏电，很放心"})
        [(_, judged)] = classify_lines([line], FixedEngine(), now=NOW)
        [(_, keywords)] = classify_lines([line], FixedEngine(), now=NOW, keyword_only=True)
        assert judged["severity"] == 0 and keywords["severity"] == 3


class TestCommand:
    def test_every_line_in_order_with_the_sentiment_of_radar_sentiment_score(self) -> None:
        texts = [p["text"] for p in LINES]
        result = run([dumps(p) for p in LINES], "--engine", "fast", "--batch-size", "2")
        assert result.exit_code == 0, result.stderr
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(out) == len(LINES)
        expected = get_engine("fast").score_batch(texts)
        assert [o["sentiment"] for o in out] == pytest.approx(expected, abs=1e-9)
        assert all(0 <= o["severity"] <= 3 and 0 <= o["sentiment"] <= 1 for o in out)

    def test_bad_lines_get_an_error_in_their_place_and_the_rest_is_classified(self) -> None:
        lines = [
            dumps({"text": "奶粉里面有虫子"}),
            "not json",
            '["a list"]',
            '{"body": "no text"}',
            dumps({"text": "好用", "rating": 9}),
            dumps({"text": ""}),
            dumps({"text": "吃出了玻璃渣"}),
        ]
        result = run(lines, "--engine", "fast")
        assert result.exit_code == 1
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(out) == 7
        assert [t["term"] for t in out[0]["crisis_terms"]] == ["虫子"]
        assert [t["term"] for t in out[6]["crisis_terms"]] == ["玻璃渣"]
        assert [o["line"] for o in out[1:6]] == [2, 3, 4, 5, 6]
        assert "rating" in out[4]["error"]
        for number in range(2, 7):
            assert f"line {number}:" in result.stderr
        assert "5 line(s) could not be classified" in result.stderr

    def test_it_is_a_subcommand_of_radar_with_help(self) -> None:
        runner = CliRunner()
        assert "classify" in runner.invoke(cli, ["--help"]).stdout
        help_text = runner.invoke(cli, ["classify", "--help"])
        assert help_text.exit_code == 0
        assert "--engine" in help_text.stdout and "crisis_terms" in help_text.stdout

    def test_an_unknown_engine_is_refused(self) -> None:
        result = run([dumps({"text": "好"})], "--engine", "nope")
        assert result.exit_code == 2 and "nope" in result.stderr
