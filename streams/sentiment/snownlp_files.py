"""Sentiment: read snownlp's own model files from the installed package (no copies shipped)."""

from __future__ import annotations

import gzip
import importlib.util
import marshal
from pathlib import Path
from typing import Any

from radar.errors import ConfigError


def snownlp_dir() -> Path:
    """Folder of the installed snownlp package, found without importing it.

    Importing snownlp loads every model it has (tagger, pinyin, ...); the fast
    engine needs only three files, so it locates the package instead.
    """
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        msg = "snownlp is not installed; install the project with `pip install -e .`"
        raise ConfigError(msg)
    return Path(next(iter(spec.submodule_search_locations)))


def _model_file(relative: str) -> Path:
    path = snownlp_dir() / relative
    if not path.is_file():
        msg = f"snownlp model file {path} is missing; reinstall snownlp (pip install -e .)"
        raise ConfigError(msg)
    return path


def load_marshal(relative: str) -> dict[str, Any]:
    """A snownlp model saved with ``save(fname, iszip=True)``: gzip'd marshal, ``.3`` on Python 3.

    Falls back to plain marshal exactly as snownlp's ``load`` does when the file
    is not gzip'd.
    """
    path = _model_file(relative + ".3")
    try:
        with gzip.open(path, "rb") as file:
            data = marshal.loads(file.read())  # noqa: S302 - the installed package's own model
    except OSError:
        data = marshal.loads(path.read_bytes())  # noqa: S302 - same file, not gzip'd
    if not isinstance(data, dict):
        msg = f"{path} is not a snownlp model (expected a mapping); reinstall snownlp"
        raise ConfigError(msg)
    return data


def seg_model() -> dict[str, Any]:
    """The character-based generative segmenter (``snownlp/seg/seg.marshal``)."""
    return load_marshal("seg/seg.marshal")


def sentiment_model() -> dict[str, Any]:
    """The naive Bayes sentiment classifier (``snownlp/sentiment/sentiment.marshal``)."""
    return load_marshal("sentiment/sentiment.marshal")


def stopwords() -> frozenset[str]:
    """snownlp's stop words (``snownlp/normal/stopwords.txt``), one per line, stripped.

    snownlp reads the file with ``codecs.open``, whose lines end at every
    Unicode line boundary, hence ``splitlines`` rather than ``split("\\n")``.
    """
    text = _model_file("normal/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines())


#: words that mark a hotel review (ChnSentiCorp's hotel reviews are part of snownlp's corpus)
HOTEL_WORDS = ("酒店", "宾馆", "房间", "前台", "入住")


def hotel_reviews() -> tuple[list[str], list[int]]:
    """Hotel reviews from the corpus snownlp was trained on (``sentiment/neg.txt``, ``pos.txt``).

    Lines naming a hotel word, stripped, each once (first label wins), with
    label 0 (from ``neg.txt``) or 1 (``pos.txt``). None of them is in the
    project's labelled shop reviews; snownlp learned every one of them.
    """
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    for name, label in (("sentiment/neg.txt", 0), ("sentiment/pos.txt", 1)):
        for line in _model_file(name).read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text and text not in seen and any(word in text for word in HOTEL_WORDS):
                seen.add(text)
                texts.append(text)
                labels.append(label)
    return texts, labels
