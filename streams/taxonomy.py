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
from streams.assertions import Hit, Judge, Verdict, Vocabulary
from streams.crisis_words import CrisisWords, Owner, Terms, outermost, position
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
    #: a threat of what the customer will do (起诉, 曝光): conditions and questions count
    threat: bool = False


def _word_list(values: list[str]) -> list[str]:
    """Cue words: none blank, none listed twice."""
    words = [str(v).strip() for v in values]
    if any(not w for w in words):
        msg = "words must not be empty strings"
        raise ValueError(msg)
    repeated = sorted({w for w in words if words.count(w) > 1})
    if repeated:
        msg = f"listed more than once: {', '.join(repeated)}"
        raise ValueError(msg)
    return words


class SignsSpec(TermsSpec):
    """Symptoms or contaminants that are a crisis of ``category`` (with ``cues``: only
    when one of them comes at most ``within`` characters before, in the same sentence;
    with ``context``: only when one of those words is in that sentence too)."""

    category: str = Field(min_length=1)
    cues: list[str] = Field(default_factory=list)
    within: int = Field(12, ge=1, le=200)
    #: one of these must also be in the term's sentence (foods, for contaminants)
    context: list[str] = Field(default_factory=list)

    @field_validator("cues", "context")
    @classmethod
    def _cue_words(cls, values: list[str]) -> list[str]:
        return _word_list(values)


class AssertionsSpec(_Spec):
    """The cue words that decide whether a text asserts a term (``streams.assertions``)."""

    clause_marks: str = Field(min_length=1)
    sentence_marks: str = Field(min_length=1)
    negators: list[str] = Field(min_length=1)
    negation_tokens: int = Field(6, ge=1, le=50)
    negators_after: list[str] = Field(default_factory=list)
    after_tails: list[str] = Field(default_factory=list)
    hypothetical: list[str] = Field(default_factory=list)
    hypothetical_tokens: int = Field(12, ge=1, le=50)
    questions: list[str] = Field(default_factory=list)
    perfective: list[str] = Field(default_factory=list)
    hearsay: list[str] = Field(default_factory=list)
    modals: list[str] = Field(default_factory=list)
    denials: list[str] = Field(default_factory=list)
    rumour: list[str] = Field(default_factory=list)
    elsewhere: list[str] = Field(default_factory=list)
    this_one: list[str] = Field(default_factory=list)
    breakers: list[str] = Field(default_factory=list)
    coordinators: list[str] = Field(default_factory=list)
    opposites: list[str] = Field(default_factory=list)

    @field_validator(
        "negators",
        "negators_after",
        "after_tails",
        "hypothetical",
        "questions",
        "perfective",
        "hearsay",
        "modals",
        "denials",
        "rumour",
        "elsewhere",
        "this_one",
        "breakers",
        "coordinators",
        "opposites",
    )
    @classmethod
    def _words(cls, values: list[str]) -> list[str]:
        return _word_list(values)

    @model_validator(mode="after")
    def _consistent(self) -> AssertionsSpec:
        missing = sorted(set(self.sentence_marks) - set(self.clause_marks))
        if missing:
            msg = f"sentence_marks {missing} must also be clause_marks (a sentence ends a clause)"
            raise ValueError(msg)
        # a breaker ends the reach of a cue: one word cannot be both
        for kind in ("negators", "hypothetical", "hearsay", "rumour", "elsewhere"):
            both = sorted(set(self.breakers) & set(getattr(self, kind)))
            if both:
                msg = f"{', '.join(both)}: listed in both breakers and {kind}; keep one"
                raise ValueError(msg)
        return self

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(**self.model_dump())


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
    symptoms: list[SignsSpec] = Field(default_factory=list)
    contaminants: list[SignsSpec] = Field(default_factory=list)
    #: without it, every matched term counts (no negation, hypotheticals, rumours)
    assertions: AssertionsSpec | None = None
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
        for section in ("symptoms", "contaminants"):
            for i, signs in enumerate(getattr(self, section)):
                if signs.category not in crises:
                    msg = (
                        f"{section}.{i}.category: unknown crisis {signs.category!r}; "
                        f"known: {', '.join(crises)}"
                    )
                    raise ValueError(msg)
        if self.assertions is not None:
            keywords = {k.lower() for c in self.crisis for k in [*c.keywords, *c.keywords_en]}
            keywords |= {k.lower() for k in [*self.complaint.keywords, *self.complaint.keywords_en]}
            hidden = sorted(keywords & {o.lower() for o in self.assertions.opposites})
            if hidden:
                msg = (
                    f"assertions.opposites: {', '.join(hidden)} is a crisis or complaint "
                    "keyword itself, so it would never count; remove it from one list"
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
    words: CrisisWords | None = None  # crisis keywords, symptoms and contaminants together
    judge: Judge | None = None
    threats: frozenset[str] = frozenset()
    topic_words: tuple[str, ...] = ()  # every topic's Chinese keywords (streams.phrases)

    @classmethod
    def from_spec(cls, spec: TaxonomySpec) -> Taxonomy:
        groups: list[tuple[Owner, TermsSpec]] = [(Owner(c.code), c) for c in spec.crisis]
        groups += [
            (
                Owner(
                    g.category,
                    tuple(c.lower() for c in g.cues),
                    g.within if g.cues else 0,
                    tuple(c.lower() for c in g.context),
                ),
                g,
            )
            for g in [*spec.symptoms, *spec.contaminants]
        ]
        judge = None
        if spec.assertions is not None:
            words = [w for _, terms in groups for w in terms.keywords]
            words += [*spec.complaint.keywords, *spec.assertions.opposites]
            judge = Judge(spec.assertions.vocabulary(), words)
        return cls(
            topics=tuple(t.compile(t.code) for t in spec.topics),
            topic_stages={t.code: t.stage for t in spec.topics},
            complaint=spec.complaint.compile("complaint"),
            crisis=tuple(c.compile(c.code) for c in spec.crisis),
            crisis_levels={c.code: c.level for c in spec.crisis},
            routing=spec.routing,
            stage_by_channel=dict(spec.stage_by_channel),
            words=CrisisWords.compile(groups),
            judge=judge,
            threats=frozenset(c.code for c in spec.crisis if c.threat),
            topic_words=tuple(dict.fromkeys(k for t in spec.topics for k in t.keywords)),
        )

    @property
    def topic_codes(self) -> list[str]:
        return [t.name for t in self.topics]

    def match_topics(self, text: str | Haystack) -> list[str]:
        """Every topic whose terms occur in ``text``, in taxonomy order (multi-label)."""
        hay = Haystack.of(text)
        return [t.name for t in self.topics if t.search(hay)]

    def find_terms(
        self, text: str | Haystack, *, complaint_from: int = 0, keyword_only: bool = False
    ) -> Terms:
        """The crisis terms (keywords, symptoms, contaminants) and complaint terms that
        ``text`` asserts; complaint terms only from ``complaint_from`` on (after a title).

        ``keyword_only``: the crisis keywords as written, every occurrence counted, no
        symptoms: the matcher before terms were judged, kept for comparison.
        """
        hay = Haystack.of(text)
        complaint = [
            Hit(m.term, "complaint", m.start, m.end)
            for m in self.complaint.finditer(hay)
            if m.start >= complaint_from
        ]
        if keyword_only or self.judge is None or self.words is None:
            crisis = [
                Hit(m.term, c.name, m.start, m.end) for c in self.crisis for m in c.finditer(hay)
            ]
            return Terms(sorted(crisis, key=position), complaint)
        crisis = self.words.find(hay, self.judge)
        if not crisis and not complaint:
            return Terms([], [])
        asserted = self.judge.asserted(hay.text, [*crisis, *complaint], self.threats)
        kept = outermost([h for h in asserted if h.category != "complaint"])
        return Terms(kept, [h for h in asserted if h.category == "complaint"])

    def explain(self, text: str) -> list[tuple[Hit, Verdict]]:
        """Every crisis and complaint term in ``text`` with what the text does with it
        (asserted, negated, hypothetical, rumour, elsewhere, opposite)."""
        hay = Haystack(text)
        if self.judge is None or self.words is None:
            return [(h, "asserted") for h in self.find_terms(hay, keyword_only=True).crisis]
        found = self.words.find(hay, self.judge)
        found += [Hit(m.term, "complaint", m.start, m.end) for m in self.complaint.finditer(hay)]
        return self.judge.verdicts(text, found, self.threats)

    def match_crisis(
        self, text: str | Haystack, *, keyword_only: bool = False
    ) -> dict[str, list[str]]:
        """Crisis category → the crisis terms ``text`` asserts (only categories found)."""
        return self.find_terms(text, keyword_only=keyword_only).crisis_found()

    def category_of(self, term: str) -> str | None:
        """The crisis category a reported term belongs to (the gravest, if several)."""
        if self.words is None:
            return None
        return self.words.category_of(term, self.crisis_levels)

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
