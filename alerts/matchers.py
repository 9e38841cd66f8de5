"""Alerts: label matchers (``name="v"``, ``name!="v"``, ``name=~"re"``, ``name!~"re"``).

The syntax and meaning follow Alertmanager: a label that is absent matches as
the empty string, so ``product=""`` selects alerts without a product, and a
regular expression must match the whole value.
"""

from __future__ import annotations

import re
import re._parser as sre_parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
                problem = regex_problem(value)
            except re.error as exc:
                msg = f"matcher {name}{op}{value!r}: invalid regular expression ({exc})"
                raise ConfigError(msg) from exc
            if problem:
                msg = f"matcher {name}{op}{value!r}: {problem}"
                raise ConfigError(msg)
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


#: Longest regular expression a matcher takes, and how many repetitions (``*``, ``+``,
#: ``{2,}``...) it may hold: with three, a label value of 200 characters takes milliseconds.
MAX_REGEX_CHARS = 200
MAX_REPETITIONS = 3
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` could take a long time to match a label value, or None.

    Labels carry customers' words (product, region), and Python's ``re`` has no
    time limit, so a matcher's expression must not backtrack without bound: no
    repetition or alternation inside a repetition (``(a+)+``, ``(a|aa)*``), at
    most :data:`MAX_REPETITIONS` repetitions, at most :data:`MAX_REGEX_CHARS` characters.
    """
    if len(pattern) > MAX_REGEX_CHARS:
        return f"a regular expression of at most {MAX_REGEX_CHARS} characters, please"
    repeats = 0

    def walk(items: Iterable[tuple[Any, Any]], inside: bool) -> str | None:
        nonlocal repeats
        for op, arg in items:
            name, nested = str(op), []
            if name in _REPEATS:
                many = arg[1] > 1
                if many and inside:
                    return "a repetition inside a repetition (like (a+)+) can take hours to match"
                repeats += many
                nested, inside_next = [arg[2]], inside or many
            elif name == "BRANCH":
                if inside:
                    return "an alternation inside a repetition (like (a|ab)*) can take hours"
                nested, inside_next = list(arg[1]), inside
            elif name == "SUBPATTERN":
                nested, inside_next = [arg[3]], inside
            elif name in ("ASSERT", "ASSERT_NOT"):
                nested, inside_next = [arg[1]], inside
            elif name == "ATOMIC_GROUP":
                nested, inside_next = [arg], inside
            elif name == "GROUPREF_EXISTS":
                nested, inside_next = [a for a in arg[1:] if a is not None], inside
            for part in nested:
                found = walk(part, inside_next)
                if found:
                    return found
        return None

    found = walk(sre_parse.parse(pattern), inside=False)
    if found is None and repeats > MAX_REPETITIONS:
        found = f"at most {MAX_REPETITIONS} repetitions (*, +, {{m,n}}) in one expression"
    return found


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


def could_match(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """Whether some alert carrying ``labels`` (whatever its other labels) matches every matcher.

    Only the matchers on those labels' names decide: ``{"severity": "critical"}``
    could match a silence ``region="广东"``, not one with ``severity!="critical"``.
    """
    return all(m.matches(labels) for m in matchers if m.name in labels)
