"""Alerts: label matchers (``name="v"``, ``name!="v"``, ``name=~"re"``, ``name!~"re"``).

The syntax and meaning follow Alertmanager: a label that is absent matches as
the empty string, so ``product=""`` selects alerts without a product, and a
regular expression must match the whole value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from radar.errors import ConfigError

_MATCHER = re.compile(
    r"""^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*(?P<value>.*?)\s*$""",
    re.DOTALL,
)
OPERATORS = ("=", "!=", "=~", "!~")


@dataclass(frozen=True)
class Matcher:
    """One condition on one label."""

    name: str
    op: str
    value: str
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def build(cls, name: str, op: str, value: str) -> Matcher:
        if op not in OPERATORS:
            msg = f"unknown operator {op!r} in matcher on {name!r}; use one of {OPERATORS}"
            raise ConfigError(msg)
        regex = None
        if op in ("=~", "!~"):
            try:
                regex = re.compile(value)
            except re.error as exc:
                msg = f"matcher {name}{op}{value!r}: invalid regular expression ({exc})"
                raise ConfigError(msg) from exc
        return cls(name, op, value, regex)

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.name, "")
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        assert self._regex is not None
        found = self._regex.fullmatch(value) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'


def parse_matcher(text: str) -> Matcher:
    """``'region="华东"'`` → a :class:`Matcher`; raises :class:`ConfigError` naming the problem."""
    found = _MATCHER.match(text)
    if found is None:
        msg = (
            f"cannot read matcher {text!r}; write NAME=VALUE, NAME!=VALUE, NAME=~REGEX or "
            'NAME!~REGEX, e.g. region="华东"'
        )
        raise ConfigError(msg)
    value = found.group("value")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return Matcher.build(found.group("name"), found.group("op"), value)


def parse_matchers(texts: Iterable[str]) -> tuple[Matcher, ...]:
    return tuple(parse_matcher(text) for text in texts)


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """True when every matcher holds (an empty list matches everything)."""
    return all(m.matches(labels) for m in matchers)
