"""Alerts: read the rules file, keeping line numbers, and report every problem with its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from alerts.config import RulesConfig
from radar.errors import ConfigError

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the rules file."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class RulesError(ConfigError):
    """The rules file is invalid; ``problems`` lists each error with its line."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  {source}:{p}" for p in problems)
        super().__init__(
            f"{source}: {len(problems)} problem(s) in the rules file; fix them "
            f"(`radar alerts lint {source}` prints this list):\n{listed}"
        )


def reference_errors(config: RulesConfig) -> list[tuple[Loc, str]]:
    """Names used but not defined, and names defined twice, each with where it is."""
    errors: list[tuple[Loc, str]] = []
    receivers = {r.name for r in config.receivers}
    quiet = {q.name for q in config.quiet_hours}
    sections: dict[str, list[str]] = {
        "receivers": [r.name for r in config.receivers],
        "rules": [r.name for r in config.rules],
        "quiet_hours": [q.name for q in config.quiet_hours],
    }
    for section, names in sections.items():
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                errors.append(((section, i, "name"), f"{name!r} is defined twice"))
            seen.add(name)

    def check(path: Loc, names: list[str]) -> None:
        for j, name in enumerate(names):
            if name not in receivers:
                known = ", ".join(sorted(receivers))
                errors.append(((*path, j), f"unknown receiver {name!r}; known: {known}"))

    for i, rule in enumerate(config.rules):
        check(("rules", i, "receivers"), rule.receivers)
        for k, step in enumerate(rule.escalate):
            check(("rules", i, "escalate", k, "receivers"), step.receivers)
        for j, name in enumerate(rule.quiet_hours):
            if name not in quiet:
                errors.append(
                    (
                        ("rules", i, "quiet_hours", j),
                        f"unknown quiet hours {name!r}; define it under quiet_hours",
                    )
                )
        if rule.match.sla_breach and rule.match.type and "unanswered" not in rule.match.type:
            errors.append(
                (
                    ("rules", i, "match", "sla_breach"),
                    "sla_breach needs type unanswered (or no type)",
                )
            )
    check(("silences", "receivers"), config.silences.receivers)
    return errors


def field_name(loc: Loc) -> str:
    """``('rules', 0, 'match')`` → ``rules[0].match``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


#: Most nodes a rules file may expand to: aliases (``*name``) repeat what they name, so a
#: few lines can stand for billions of nodes ("billion laughs"); real rules have hundreds.
MAX_NODES = 100_000


class _TooBig(yaml.YAMLError):
    """The file expands to more than :data:`MAX_NODES` nodes, or an alias names itself."""


@dataclass
class _Walk:
    """One walk over a YAML node tree: where each key is, what is wrong, how much is left."""

    loader: yaml.SafeLoader
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    budget: int = MAX_NODES
    open_nodes: set[int] = field(default_factory=set)

    def value(self, node: yaml.Node, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            msg = f"the file expands to more than {MAX_NODES:,} values (aliases repeating aliases)"
            raise _TooBig(msg)
        if len(loc) > 100:
            raise _TooBig(f"line {node.start_mark.line + 1}: nested deeper than 100 levels")
        if id(node) in self.open_nodes:  # &a [*a]: an alias inside what it names
            line = node.start_mark.line + 1
            raise _TooBig(f"line {line}: an alias refers to the block it is in; remove it")
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self.loader.construct_object(node, deep=True)
        self.open_nodes.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(item, (*loc, i)) for i, item in enumerate(node.value)]
            return self.mapping(node, loc)
        finally:
            self.open_nodes.discard(id(node))

    def mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                raise _TooBig(f"line {line}: a key must be a plain value, not a list or mapping")
            if key_node.tag == "tag:yaml.org,2002:merge":  # <<: fold the mapping named in
                merged = self.value(value_node, loc)
                if isinstance(merged, dict):
                    out = {**merged, **out}
                continue
            key = self.loader.construct_object(key_node, deep=True)
            child = (*loc, key) if isinstance(key, str | int) else (*loc, str(key))
            if key in out:
                line = key_node.start_mark.line + 1
                self.problems.append(Problem(line, field_name(child), "key given twice; keep one"))
            self.lines[child] = key_node.start_mark.line + 1
            out[key] = self.value(value_node, child)
        return out


def parse_yaml(text: str) -> tuple[Any, dict[Loc, int], list[Problem]]:
    """(data, line of every key and item, duplicate-key problems); raises on broken YAML."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        walk = _Walk(loader)
        data = None if node is None else walk.value(node, ())
    finally:
        loader.dispose()
    return data, walk.lines, walk.problems


def line_of(loc: Loc, lines: dict[Loc, int]) -> int:
    """The line of ``loc`` or of its nearest enclosing key that the file has."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 0


def _clean(loc: tuple[Any, ...]) -> Loc:
    # pydantic adds validator names such as 'function-before[...]' to some locations
    return tuple(p for p in loc if isinstance(p, int) or "[" not in str(p))


def check_text(text: str) -> tuple[RulesConfig | None, list[Problem]]:
    """Validate rules given as YAML text: the config (when valid) and every problem found."""
    try:
        data, lines, problems = parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem(line, "", f"not valid YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [Problem(0, "", f"not valid YAML: {exc}")]
    if not isinstance(data, dict):
        return None, [
            *problems,
            Problem(1, "", "the top level must be a mapping with receivers and rules"),
        ]
    try:
        config = RulesConfig.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = _clean(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field; check its spelling (docs/alerts.md lists every field)"
            problems.append(Problem(line_of(loc, lines), field_name(loc), message))
        return None, sorted(problems, key=lambda p: p.line)
    for loc, message in reference_errors(config):
        problems.append(Problem(line_of(loc, lines), field_name(loc), message))
    problems.sort(key=lambda p: p.line)
    return (None if problems else config), problems


def lint(path: Path) -> list[Problem]:
    """Every problem in the rules file at ``path`` (empty when it is valid)."""
    return check_text(_read(path))[1]


def load_rules(path: Path) -> RulesConfig:
    """The validated rules at ``path``; raises :class:`RulesError` listing every problem."""
    config, problems = check_text(_read(path))
    if config is None:
        raise RulesError(str(path), problems)
    return config


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        msg = (
            f"rules file {path} does not exist; create it (see docs/alerts.md) "
            "or set RADAR_ALERTS_RULES_FILE"
        )
        raise ConfigError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"rules file {path} is not UTF-8 text"
        raise ConfigError(msg) from exc
