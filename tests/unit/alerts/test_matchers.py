"""Label matchers with Alertmanager's syntax and meaning."""

from __future__ import annotations

import pytest

from alerts.matchers import could_match, matches_all, parse_matcher
from radar.errors import ConfigError

LABELS = {"region": "华东", "topic": "物流配送", "type": "spike"}


class TestParse:
    @pytest.mark.parametrize(
        ("text", "name", "op", "value"),
        [
            ('region="华东"', "region", "=", "华东"),
            ("region=华东", "region", "=", "华东"),
            ('product!=""', "product", "!=", ""),
            ('type=~"spike|crisis"', "type", "=~", "spike|crisis"),
            ('topic !~ "退.*"', "topic", "!~", "退.*"),
            (r'note="say \"hi\""', "note", "=", 'say "hi"'),
        ],
    )
    def test_reads(self, text: str, name: str, op: str, value: str) -> None:
        m = parse_matcher(text)
        assert (m.name, m.op, m.value) == (name, op, value)

    @pytest.mark.parametrize("text", ["region", "=华东", "1region=x", 'type=~"("'])
    def test_rejects_with_a_hint(self, text: str) -> None:
        with pytest.raises(ConfigError, match="matcher"):
            parse_matcher(text)

    def test_round_trips_through_str(self) -> None:
        for text in ['region="华东"', 'type=~"spike|crisis"', 'note!="a \\"b\\""']:
            m = parse_matcher(text)
            assert parse_matcher(str(m)) == m


class TestMatch:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('region="华东"', True),
            ('region="华南"', False),
            ('product=""', True),  # absent label = empty string
            ('product=~".+"', False),
            ('type=~"spike|crisis"', True),
            ('type=~"spi"', False),  # regexes match the whole value
            ('topic!~"退.*"', True),
            ('region!="华东"', False),
        ],
    )
    def test_one(self, text: str, expected: bool) -> None:
        assert parse_matcher(text).matches(LABELS) is expected

    def test_all_must_hold_and_none_matches_everything(self) -> None:
        both = [parse_matcher('region="华东"'), parse_matcher('type="crisis"')]
        assert not matches_all(both, LABELS)
        assert matches_all([], LABELS)


class TestSlowExpressions:
    """A label holds customers' words and ``re`` has no time limit (review L6)."""

    @pytest.mark.parametrize(
        ("pattern", "why"),
        [
            ("(a+)+b", "repetition inside a repetition"),
            ("(x|xx)*y", "alternation inside a repetition"),
            (".*a.*a.*a.*x", "at most 3 repetitions"),
            ("a" * 201, "at most 200 characters"),
        ],
    )
    def test_refused_naming_why(self, pattern: str, why: str) -> None:
        with pytest.raises(ConfigError, match=why):
            parse_matcher(f'product=~"{pattern}"')

    @pytest.mark.parametrize(
        "pattern", ["spike|sentiment_shift", ".+", "退.*", ".*a.*b.*", "[a-z]{2,5}-[0-9]+"]
    )
    def test_usual_ones_are_taken(self, pattern: str) -> None:
        assert parse_matcher(f'product=~"{pattern}"').matches({"product": "退货"}) in (True, False)


def test_could_match_asks_only_the_matchers_on_the_labels_given() -> None:
    critical = {"severity": "critical"}
    assert could_match([parse_matcher('region="广东"')], critical)
    assert could_match([parse_matcher('severity=~"major|critical"')], critical)
    assert not could_match([parse_matcher('severity!="critical"')], critical)
