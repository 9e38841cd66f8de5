"""Label matchers with Alertmanager's syntax and meaning."""

from __future__ import annotations

import pytest

from alerts.matchers import matches_all, parse_matcher
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
