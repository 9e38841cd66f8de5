"""``radar sentiment``: the JSON-lines scoring contract, eval and help."""

import json

import pytest
from click.testing import CliRunner

from streams.sentiment import get_engine
from streams.sentiment.cli import score_lines, sentiment


def run_score(lines, *args):
    stdin = "".join(line + "\n" for line in lines)
    return CliRunner().invoke(sentiment, ["score", *args], input=stdin.encode("utf-8"))


class TestScoreCommand:
    def test_scores_every_line_in_order(self):
        texts = ["质量很好，非常满意", "太差了，退货", "", "Great value, love it"]
        result = run_score([json.dumps({"text": t}, ensure_ascii=False) for t in texts])
        assert result.exit_code == 0, result.stderr
        got = [json.loads(line)["score"] for line in result.stdout.splitlines()]
        expected = get_engine("default").score_batch(texts)
        assert got == pytest.approx(expected, abs=1e-6)
        assert got[0] > 0.6 > 0.4 > got[1]

    def test_bad_lines_are_numbered_and_the_rest_still_scored(self):
        lines = [
            '{"text": "很好"}',
            "not json",
            '["a list"]',
            '{"body": "no text field"}',
            '{"text": 42}',
            '{"text": "很差"}',
        ]
        result = run_score(lines)
        assert result.exit_code == 1
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(out) == 6
        assert "score" in out[0]
        assert "score" in out[5]
        assert [o["line"] for o in out[1:5]] == [2, 3, 4, 5]
        assert all("error" in o for o in out[1:5])
        for number in (2, 3, 4, 5):
            assert f"line {number}:" in result.stderr
        assert "line 1:" not in result.stderr

    def test_order_kept_across_batches(self):
        texts = [f"第{i}条：{'很好' if i % 2 else '很差'}" for i in range(7)]
        lines = [json.dumps({"text": t}, ensure_ascii=False) for t in texts]
        lines.insert(3, "{broken")
        result = run_score(lines, "--batch-size", "2")
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert out[3] == {"error": out[3]["error"], "line": 4}
        scores = [o["score"] for o in out if "score" in o]
        expected = get_engine("default").score_batch(texts)
        assert scores == pytest.approx(expected, abs=1e-6)

    def test_snownlp_engine_by_name(self):
        result = run_score(['{"text": "这个东西很好用"}'], "--engine", "snownlp")
        assert result.exit_code == 0
        assert json.loads(result.stdout)["score"] == pytest.approx(
            get_engine("snownlp").score("这个东西很好用"), abs=1e-6
        )

    def test_unknown_engine_is_refused(self):
        result = run_score(['{"text": "好"}'], "--engine", "nope")
        assert result.exit_code == 2
        assert "nope" in result.stderr


class TestScoreLines:
    def test_streams_without_reading_all_input(self):
        consumed = []

        def lines():
            for i in range(10):
                consumed.append(i)
                yield json.dumps({"text": "好"}).encode()

        results = score_lines(lines(), get_engine("default"), batch_size=2)
        first = next(results)
        assert first[0] == 1
        assert len(consumed) == 2  # one batch read, not the whole input

    def test_invalid_utf8_is_an_error_line(self):
        out = list(score_lines([b'{"text": "\xff"}'], get_engine("default")))
        assert "error" in out[0][1]


class TestEvalCommand:
    def test_reports_accuracy_auc_and_speed(self, tmp_path):
        data = tmp_path / "set.csv"
        rows = (
            ["label,text"]
            + [f"1,{t}" for t in ("质量很好，非常满意", "很喜欢，好评", "物流快，包装好")]
            + [f"0,{t}" for t in ("太差了，退货", "坏了，客服不理人", "假货，失望")]
        )
        data.write_text("\n".join(rows) + "\n", encoding="utf-8")
        result = CliRunner().invoke(sentiment, ["eval", "--data", str(data), "--engine", "domain"])
        assert result.exit_code == 0, result.output
        line = next(x for x in result.stdout.splitlines() if x.startswith("domain"))
        assert line.split()[1:4] == ["6", "1.0000", "1.0000"]

    def test_missing_columns_named(self, tmp_path):
        data = tmp_path / "bad.csv"
        data.write_text("a,b\n1,2\n", encoding="utf-8")
        result = CliRunner().invoke(sentiment, ["eval", "--data", str(data)])
        assert result.exit_code != 0
        assert "label" in str(result.exception) or "label" in result.output


def test_help_on_every_command():
    for command in ([], ["score"], ["train"], ["eval"], ["prepare"]):
        result = CliRunner().invoke(sentiment, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.stdout


def test_prepare_loads_the_engine():
    result = CliRunner().invoke(sentiment, ["prepare", "--engine", "domain"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("domain: ready in ")
