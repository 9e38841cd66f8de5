"""Shared kernel: the message catalogue (Chinese first, English) and the reader's locale.

Everything a person reads from the alerts and the dashboard comes from one YAML
catalogue per language, ``radar/locales/<lang>.yaml``: nested sections whose
dotted paths are the keys (``alerts.headline.firing``), with ``{name}``
placeholders filled by :func:`translate`. Labels of codes (channels, signal
types, severities, ...) live under ``label.<table>.<code>``; a code without a
label is shown as it is. A :class:`Text` is a key with parameters, stored
instead of a rendered sentence where each reader may want another language
(incident timelines). A :class:`Locale` adds the display time zone.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml

from radar import localtime
from radar.errors import ConfigError

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
LOCALES = Path(__file__).with_name("locales")


class MissingMessage(ConfigError, KeyError):
    """A key (or a placeholder of it) is not in the catalogue."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def language(value: object) -> Lang:
    """``value`` as a supported language code (anything but ``en`` reads as Chinese)."""
    return "en" if str(value or "").strip().lower().startswith("en") else "zh"


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{key}.")
        else:
            yield key, str(value)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a catalogue text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalogue:
    """Every user-facing text, per language: ``text(key, lang, **params)``."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self.messages = {lang: dict(texts) for lang, texts in messages.items()}

    @classmethod
    def load(cls, folder: Path = LOCALES) -> Catalogue:
        messages: dict[str, dict[str, str]] = {}
        for lang in LANGS:
            path = folder / f"{lang}.yaml"
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                msg = f"cannot read the message catalogue {path}: {exc}"
                raise ConfigError(msg) from exc
            messages[lang] = dict(_flatten(data))
        return cls(messages)

    def keys(self, lang: str) -> set[str]:
        return set(self.messages.get(lang, {}))

    def has(self, key: str, lang: str = DEFAULT_LANG) -> bool:
        return key in self.messages.get(language(lang), {})

    def raw(self, key: str, lang: str) -> str:
        """The unfilled text of ``key`` in ``lang``."""
        code = language(lang)
        try:
            return self.messages[code][key]
        except KeyError:
            msg = (
                f"no message {key!r} in radar/locales/{code}.yaml; "
                "add it to every language's catalogue"
            )
            raise MissingMessage(msg) from None

    def text(self, key: str, lang: str, /, **params: Any) -> str:
        """``key`` in ``lang`` with its placeholders filled from ``params`` (as they are)."""
        template = self.raw(key, lang)
        try:
            return template.format_map(params)
        except KeyError as exc:
            msg = f"message {key!r} needs the parameter {exc.args[0]!r}; got {sorted(params)}"
            raise MissingMessage(msg) from None

    def label(self, table: str, code: object, lang: str) -> str:
        """The label of ``code`` in ``label.<table>``; a code without one is shown as it is."""
        key = f"label.{table}.{code}"
        return self.text(key, lang) if self.has(key, lang) else str(code)

    def table(self, table: str, lang: str) -> dict[str, str]:
        """Every code of ``label.<table>`` with its label."""
        prefix = f"label.{table}."
        texts = self.messages.get(language(lang), {})
        return {k.removeprefix(prefix): v for k, v in texts.items() if k.startswith(prefix)}


@cache
def catalogue() -> Catalogue:
    """The catalogue shipped in ``radar/locales`` (read once)."""
    return Catalogue.load()


def translate(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """``key`` in ``lang`` from the shipped catalogue, placeholders filled from ``params``
    (Texts, datetimes and durations among them rendered as :meth:`Locale.render` does)."""
    return Locale.of(lang).render(Text(key, params))


def label(table: str, code: object, lang: str = DEFAULT_LANG) -> str:
    """A code's label from ``label.<table>`` (``label("channel", "chat")`` → 在线客服)."""
    return catalogue().label(table, code, lang)


def label_text(table: str, code: object) -> Text | str:
    """A code's label as a :class:`Text` (rendered in each reader's language), or the code."""
    key = f"label.{table}.{code}"
    return Text(key) if catalogue().has(key) else str(code)


@dataclass(frozen=True)
class Text:
    """A message key with its parameters, rendered when someone reads it (:meth:`Locale.render`).

    Parameters may be Texts themselves (a label, a note written by the system),
    aware datetimes (shown in the reader's zone), timedeltas (as durations) or
    lists of these (joined with ``text.join``). :meth:`to_json` keeps all of
    them, so a stored Text is rendered later in whichever language is asked for.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANG, timezone: str | None = None) -> str:
        return Locale.of(lang, timezone).render(self)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "params": {k: _to_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: object) -> Text | None:
        """The Text stored as ``data``, or None when ``data`` is not one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("key"), str):
            return None
        params = data.get("params") or {}
        if not isinstance(params, Mapping):
            return None
        return cls(str(data["key"]), {str(k): _from_json(v) for k, v in params.items()})


def _to_json(value: Any) -> Any:
    if isinstance(value, Text):
        return value.to_json()
    if isinstance(value, datetime):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$seconds": value.total_seconds()}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, Mapping):
        if isinstance(value.get("$time"), str):
            return datetime.fromisoformat(value["$time"])
        if isinstance(value.get("$seconds"), int | float):
            return timedelta(seconds=value["$seconds"])
        found = Text.from_json(value)
        return value if found is None else found
    return value


def stored_text(data: object, fallback: str) -> Text | str:
    """The Text kept in ``data`` (a stored ``to_json``), else ``fallback`` as written."""
    found = Text.from_json(data)
    return fallback if found is None else found


#: Zones with a name of their own in the catalogue (``label.zone``); others show their offset.
NAMED_ZONES = ("Asia/Shanghai", "PRC", "UTC", "Etc/UTC")


@dataclass(frozen=True)
class Locale:
    """Who reads: in which language, and in which time zone times are shown."""

    lang: Lang = DEFAULT_LANG
    timezone: str = localtime.DEFAULT_ZONE

    @classmethod
    def of(cls, lang: object, timezone: str | None = None) -> Locale:
        return cls(language(lang), timezone or localtime.DEFAULT_ZONE)

    @classmethod
    def from_settings(cls, core: Any) -> Locale:
        """The locale of ``CoreSettings`` (``RADAR_LANGUAGE``, ``RADAR_TIMEZONE``)."""
        return cls.of(core.language, core.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return localtime.zone(self.timezone)

    def t(self, key: str, /, **params: Any) -> str:
        """``key`` in this locale's language."""
        return self.render(Text(key, params))

    def render(self, text: Text | str) -> str:
        """A Text in this language and zone (a plain string is shown as written)."""
        if isinstance(text, str):
            return text
        values = {name: self._value(value) for name, value in text.params.items()}
        return catalogue().text(text.key, self.lang, **values)

    def _value(self, value: Any) -> Any:
        if isinstance(value, Text):
            return self.render(value)
        if isinstance(value, datetime):
            return self.time(value)
        if isinstance(value, timedelta):
            return self.duration(value)
        if isinstance(value, list | tuple):
            return catalogue().text("text.join", self.lang).join(str(self._value(v)) for v in value)
        return value

    def duration(self, value: timedelta) -> str:
        """``1 小时 30 分钟`` / ``1h30m``: days, hours, minutes and seconds that are not zero."""
        seconds = int(value.total_seconds())
        parts = []
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            amount, seconds = divmod(seconds, size)
            if amount:
                parts.append(catalogue().text(f"duration.{unit}", self.lang, n=amount))
        joiner = catalogue().text("duration.join", self.lang)
        return joiner.join(parts) or catalogue().text("duration.s", self.lang, n=0)

    def label(self, table: str, code: object) -> str:
        return label(table, code, self.lang)

    def zone_label(self, at: datetime | None = None) -> str:
        """``北京时间`` / ``Beijing time``, or ``UTC+09:00 Asia/Tokyo`` for other zones."""
        if self.timezone in NAMED_ZONES:
            return self.label("zone", self.timezone)
        when = at if at is not None else datetime.now(localtime.zone("UTC"))
        return f"{localtime.offset_text(when, self.tz)} {self.timezone}"

    def local(self, value: datetime) -> datetime:
        return localtime.local(value, self.tz)

    def clock(self, value: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """``value`` as local wall-clock text, without the zone."""
        return self.local(value).strftime(fmt)

    def time(self, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """``2026-12-07 14:05（北京时间）``, ``2026-12-07 14:05 (Beijing time)``; ``—`` for None."""
        if value is None:
            return "—"
        return self.t("time.with_zone", time=self.clock(value, fmt), zone=self.zone_label(value))

    def span(self, start: datetime, end: datetime) -> str:
        """``2026-12-07 14:00–15:00（北京时间）``: a window; the end's date only when it differs."""
        a, b = self.local(start), self.local(end)
        end_fmt = "%H:%M" if a.date() == b.date() else "%Y-%m-%d %H:%M"
        text = f"{a:%Y-%m-%d %H:%M}–{b.strftime(end_fmt)}"
        return self.t("time.with_zone", time=text, zone=self.zone_label(start))

    def heading(self, key: str, /, **params: Any) -> str:
        """A column heading that names the zone: ``时间（北京时间）``."""
        return self.t("time.heading", name=self.t(key, **params), zone=self.zone_label())
