"""Sentiment: engines that score text 0..1 (probability of positive), chosen by name."""

from __future__ import annotations

from functools import cache

from streams.sentiment.base import NEUTRAL, SentimentEngine

#: Engine used when none is named (the worker's default, RADAR_WORKER_SENTIMENT_ENGINE).
DEFAULT_ENGINE = "blend"

#: name -> "module:class"; engines load lazily (some carry models).
ENGINES: dict[str, str] = {
    "snownlp": "streams.sentiment.snownlp_engine:SnowNLPEngine",
    "fast": "streams.sentiment.fast:FastEngine",
    "domain": "streams.sentiment.domain:DomainEngine",
    "blend": "streams.sentiment.blend:BlendEngine",
}


def engine_names() -> list[str]:
    return [*ENGINES, "default"]


@cache
def get_engine(name: str = "default") -> SentimentEngine:
    """The engine called ``name`` ("default" is :data:`DEFAULT_ENGINE`), built once per process."""
    import importlib

    resolved = DEFAULT_ENGINE if name == "default" else name
    if resolved not in ENGINES:
        msg = f"unknown sentiment engine {name!r}; choose one of: {', '.join(engine_names())}"
        raise ValueError(msg)
    module_name, _, class_name = ENGINES[resolved].partition(":")
    engine_cls = getattr(importlib.import_module(module_name), class_name)
    engine: SentimentEngine = engine_cls()
    return engine


__all__ = ["DEFAULT_ENGINE", "ENGINES", "NEUTRAL", "SentimentEngine", "engine_names", "get_engine"]
