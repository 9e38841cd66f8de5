"""The rules file: validated at load, every problem reported with its line number."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.loader import RulesError, check_text, lint, load_rules
from alerts.settings import DEFAULT_RULES
from tests.unit.alerts.conftest import rules

ROOT = Path(__file__).resolve().parents[3]

VALID = """\
defaults:
  group_wait: 10s
  repeat_interval: 2h
receivers:
  - name: oncall
    webhook: {url: "http://127.0.0.1:8080/hook"}
  - name: mail
    email: {to: [oncall@shop.example], from: radar@shop.example}
rules:
  - name: spikes
    match: {type: spike, labels: ['region=~"华东|华南"'], min_score: 0.9}
    receivers: [oncall]
  - name: slow
    match: {sla_breach: true}
    receivers: mail
    group_wait: 1m
"""


def problems(text: str) -> list[tuple[int, str, str]]:
    config, found = check_text(text)
    assert config is None
    return [(p.line, p.field, p.message) for p in found]


def test_valid_rules_get_defaults_and_their_own_values() -> None:
    config = rules(VALID)
    spikes, slow = config.rules
    assert spikes.group_wait == timedelta(seconds=10) and slow.group_wait == timedelta(minutes=1)
    assert spikes.repeat_interval == slow.repeat_interval == timedelta(hours=2)
    assert spikes.group_interval == timedelta(minutes=5)  # built-in default
    assert slow.receivers == ["mail"]  # a single name is a list of one
    assert config.receiver("mail").config.target().startswith("email oncall@shop.example")


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        (
            ("min_score: 0.9", "min_score: 1.9"),
            11,
            "rules[0].match.min_score",
            "less than or equal",
        ),
        (("group_wait: 1m", "group_wait: soon"), 16, "rules[1].group_wait", "cannot read duration"),
        (("receivers: mail", "receivers: pager"), 15, "rules[1].receivers[0]", "unknown receiver"),
        (("type: spike,", "type: spikes,"), 11, "rules[0].match.type[0]", "Input should be"),
        (("    webhook:", "    webhok:"), 6, "receivers[0].webhok", "unknown field"),
        (("match: {sla", "macth: {sla"), 14, "rules[1].macth", "unknown field"),
        (("'region=~\"华东|华南\"'", "'region=~\"(\"'"), 11, "rules[0].match.labels", "regular"),
        (("  - name: slow", "  - name: spikes"), 13, "rules[1].name", "defined twice"),
    ],
)
def test_each_problem_names_line_and_field(
    change: tuple[str, str], line: int, field: str, words: str
) -> None:
    found = problems(VALID.replace(*change))
    assert any(p[0] == line and p[1] == field and words in p[2] for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    text = VALID.replace("min_score: 0.9", "min_score: 2").replace(
        "group_wait: 1m", "group_wait: x"
    )
    assert {p[0] for p in problems(text)} == {11, 16}


def test_receiver_needs_exactly_one_channel() -> None:
    text = VALID.replace('    webhook: {url: "http://127.0.0.1:8080/hook"}\n', "")
    ((line, field, message),) = problems(text)
    assert (line, field) == (5, "receivers[0]") and "exactly one channel" in message


def test_duplicate_keys_and_broken_yaml() -> None:
    found = problems(
        VALID.replace("  repeat_interval: 2h\n", "  repeat_interval: 2h\n  group_wait: 5s\n")
    )
    assert (4, "defaults.group_wait", "key given twice; keep one") in found
    ((line, _, message),) = problems(VALID.replace("rules:\n", "rules: [\n"))
    assert line > 0 and "not valid YAML" in message


def test_load_rules_raises_with_the_list_and_lint_cli_shape(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(VALID.replace("receivers: mail", "receivers: pager"), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert f"{path}:line 15: rules[1].receivers[0]: unknown receiver 'pager'" in str(caught.value)
    assert [p.line for p in lint(path)] == [15]
    with pytest.raises(Exception, match="does not exist"):
        load_rules(tmp_path / "missing.yaml")


def test_shipped_rules_and_the_documented_example_are_valid(tmp_path: Path) -> None:
    assert lint(DEFAULT_RULES) == []
    doc = (ROOT / "docs" / "alerts.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.DOTALL)
    example = next(b for b in blocks if "receivers:" in b and "rules:" in b)
    path = tmp_path / "shop.yaml"
    path.write_text(example, encoding="utf-8")
    assert lint(path) == []
    config = load_rules(path)
    assert {r.name for r in config.rules} >= {"safety-crisis", "logistics-spike", "reply-sla"}
    assert config.inhibit and config.quiet_hours and config.silences.receivers
