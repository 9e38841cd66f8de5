"""The rules loader and YAML aliases: merge keys work, alias bombs and loops are refused."""

from __future__ import annotations

import time

import pytest

from alerts.loader import MAX_NODES, check_text

LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
)


def test_a_billion_laughs_is_a_problem_not_hours_of_work() -> None:
    """Nine levels of nine aliases stand for 387 million values: the loader walked them all."""
    started = time.monotonic()
    config, problems = check_text(LAUGHS)
    assert config is None and f"more than {MAX_NODES:,} values" in problems[0].message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "text", ["rules: &r [*r]", "receivers: &m {x: *m}", "a:" + " [" * 200 + " ]" * 200]
)
def test_an_alias_inside_what_it_names_or_deep_nesting_is_a_problem(text: str) -> None:
    config, problems = check_text(text)
    assert config is None and problems and problems[0].message.startswith("not valid YAML")


def test_merge_keys_still_fold_a_shared_block_in() -> None:
    text = "defaults: &d {channel: log}\nreceivers:\n  ops: {<<: *d, name: ops}\n"
    _, problems = check_text(text)
    assert not any("valid YAML" in p.message for p in problems), problems
