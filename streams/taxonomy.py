"""Understanding stage: the topic taxonomy (``taxonomy.yaml``), validated at load, compiled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from radar.errors import ConfigError
from radar.events import CHANNELS, describe_validation_error
from streams.terms import Haystack, TermSet, check_pattern

DEFAULT_PATH = Path(__file__).with_name("taxonomy.yaml")
StageName = Literal["presale", "sale", "aftersale"]
STAGE_ORDER: dict[str, int] = {"presale": 0, "sale": 1, "aftersale": 2}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermsSpec(_Spec):
    """Keywords (substrings), English keywords (whole words) and regex patterns."""

    keywords: list[str] = Field(default_factory=list)
    keywords_en: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)

    @field_validator("keywords", "keywords_en")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        blank = [v for v in values if not str(v).strip()]
        if blank:
            msg = "keywords must not be empty strings"
            raise ValueError(msg)
        return [str(v).strip() for v in values]

    @field_validator("patterns")
    @classmethod
    def _valid_patterns(cls, values: list[str]) -> list[str]:
        for pattern in values:
            problem = check_pattern(pattern)
            if problem:
                msg = f"pattern {pattern!r}: {problem}"
                raise ValueError(msg)
        return values

    @model_validator(mode="after")
    def _has_terms(self) -> TermsSpec:
        if not (self.keywords or self.keywords_en or self.patterns):
            msg = "needs at least one of keywords, keywords_en or patterns"
            raise ValueError(msg)
        return self

    def compile(self, name: str) -> TermSet:
        return TermSet.compile(name, self.keywords, self.keywords_en, self.patterns)


class TopicSpec(TermsSpec):
    code: str = Field(min_length=1, max_length=64)
    name_en: str
    stage: StageName | None = None


class CrisisSpec(TermsSpec):
    code: str = Field(min_length=1, max_length=32)
    level: int = Field(ge=1, le=3)


class RouteRule(_Spec):
    department: str = Field(min_length=1)
    topic: str | None = None
    crisis: str | None = None
    min_severity: int | None = Field(None, ge=0, le=3)

    @model_validator(mode="after")
    def _one_condition(self) -> RouteRule:
        given = [x for x in (self.topic, self.crisis, self.min_severity) if x is not None]
        if len(given) != 1:
            msg = "a routing rule needs exactly one of topic, crisis or min_severity"
            raise ValueError(msg)
        return self


class RoutingSpec(_Spec):
    default: str = Field(min_length=1)
    rules: list[RouteRule] = Field(default_factory=list)


class TaxonomySpec(_Spec):
    """The whole file, as written."""

    version: Literal[1]
    topics: list[TopicSpec] = Field(min_length=1)
    complaint: TermsSpec
    crisis: list[CrisisSpec] = Field(min_length=1)
    routing: RoutingSpec
    stage_by_channel: dict[str, StageName] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> TaxonomySpec:
        topics = [t.code for t in self.topics]
        crises = [c.code for c in self.crisis]
        for kind, codes in (("topic", topics), ("crisis", crises)):
            duplicates = sorted({c for c in codes if codes.count(c) > 1})
            if duplicates:
                msg = f"{kind} codes must be unique; repeated: {', '.join(duplicates)}"
                raise ValueError(msg)
        for i, rule in enumerate(self.routing.rules):
            if rule.topic is not None and rule.topic not in topics:
                msg = (
                    f"routing.rules.{i}: unknown topic {rule.topic!r}; topics: {', '.join(topics)}"
                )
                raise ValueError(msg)
            if rule.crisis is not None and rule.crisis not in crises:
                msg = (
                    f"routing.rules.{i}: unknown crisis {rule.crisis!r}; known: {', '.join(crises)}"
                )
                raise ValueError(msg)
        unknown = sorted(set(self.stage_by_channel) - set(CHANNELS))
        if unknown:
            msg = f"stage_by_channel: unknown channels {', '.join(unknown)}"
            raise ValueError(msg)
        return self


@dataclass(frozen=True)
class Taxonomy:
    """The compiled taxonomy: what the understanding stage matches texts against."""

    topics: tuple[TermSet, ...]
    topic_stages: dict[str, str | None]
    complaint: TermSet
    crisis: tuple[TermSet, ...]
    crisis_levels: dict[str, int]
    routing: RoutingSpec
    stage_by_channel: dict[str, str]

    @classmethod
    def from_spec(cls, spec: TaxonomySpec) -> Taxonomy:
        return cls(
            topics=tuple(t.compile(t.code) for t in spec.topics),
            topic_stages={t.code: t.stage for t in spec.topics},
            complaint=spec.complaint.compile("complaint"),
            crisis=tuple(c.compile(c.code) for c in spec.crisis),
            crisis_levels={c.code: c.level for c in spec.crisis},
            routing=spec.routing,
            stage_by_channel=dict(spec.stage_by_channel),
        )

    @property
    def topic_codes(self) -> list[str]:
        return [t.name for t in self.topics]

    def match_topics(self, text: str | Haystack) -> list[str]:
        """Every topic whose terms occur in ``text``, in taxonomy order (multi-label)."""
        hay = Haystack.of(text)
        return [t.name for t in self.topics if t.search(hay)]

    def match_crisis(self, text: str | Haystack) -> dict[str, list[str]]:
        """Crisis category → the crisis terms found in ``text`` (only categories found)."""
        hay = Haystack.of(text)
        found: dict[str, list[str]] = {}
        for category in self.crisis:
            terms = category.findall(hay)
            if terms:
                found[category.name] = terms
        return found

    def stage_for(self, topics: Sequence[str], channel: str) -> str | None:
        """The latest lifecycle stage any topic points to, else the channel's default."""
        stages = [s for s in (self.topic_stages.get(t) for t in topics) if s is not None]
        if stages:
            return max(stages, key=STAGE_ORDER.__getitem__)
        return self.stage_by_channel.get(channel)

    def department_for(self, topics: Sequence[str], crisis: Sequence[str], severity: int) -> str:
        """The department of the first routing rule that matches, else the default."""
        for rule in self.routing.rules:
            if rule.min_severity is not None and severity >= rule.min_severity:
                return rule.department
            if rule.crisis is not None and rule.crisis in crisis:
                return rule.department
            if rule.topic is not None and rule.topic in topics:
                return rule.department
        return self.routing.default


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read, validate and compile a taxonomy file; errors name the entry and what to fix."""
    path = path or DEFAULT_PATH
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"taxonomy {path}: cannot read it ({exc})"
        raise ConfigError(msg) from exc
    except yaml.YAMLError as exc:
        msg = f"taxonomy {path}: not valid YAML ({exc}); fix the file"
        raise ConfigError(msg) from exc
    if not isinstance(data, dict):
        msg = f"taxonomy {path}: the top level must be a mapping (version, topics, ...)"
        raise ConfigError(msg)
    try:
        spec = TaxonomySpec.model_validate(data)
    except ValidationError as exc:
        _, message, _ = describe_validation_error(exc)
        msg = f"taxonomy {path}: {message}; fix the file"
        raise ConfigError(msg) from exc
    return Taxonomy.from_spec(spec)


@cache
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped with Radar, loaded once per process."""
    return load_taxonomy(DEFAULT_PATH)
