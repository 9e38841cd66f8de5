"""Alerts: playbooks, the checklist each incident type starts with.

Steps are about responsibilities, customer communication, remedy and coordination.
Radar's own steps (``playbooks.yaml``) take their text from the message catalogue
and keep its key, so the dashboard shows them in each reader's language; a rules
file's steps are its own text, shown as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from alerts.config import RulesConfig
from radar.i18n import DEFAULT_LANG, translate

DEFAULTS = Path(__file__).with_name("playbooks.yaml")


@dataclass(frozen=True)
class Step:
    """One checklist item: its area, its text, and its catalogue key when it is Radar's."""

    area: str
    text: str
    key: str | None = None

    def to_data(self) -> dict[str, str]:
        data = {"area": self.area, "text": self.text}
        return {**data, "key": self.key} if self.key else data


@cache
def default_playbooks() -> dict[str, tuple[tuple[str, str], ...]]:
    """Radar's playbooks: incident type → (area, catalogue key) of each step."""
    data: dict[str, Any] = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))
    return {
        name: tuple((str(s["area"]), f"playbook.{name}.{s['step']}") for s in steps)
        for name, steps in data.items()
    }


def playbook(
    incident_type: str, config: RulesConfig | None = None, lang: str = DEFAULT_LANG
) -> list[Step]:
    """The steps for ``incident_type``: the rules file's, else Radar's, else the default list."""
    if config is not None and incident_type in config.playbooks:
        return [Step(s.area, s.text) for s in config.playbooks[incident_type]]
    defaults = default_playbooks()
    if config is not None and "default" in config.playbooks and incident_type not in defaults:
        return [Step(s.area, s.text) for s in config.playbooks["default"]]
    steps = defaults.get(incident_type, defaults["default"])
    return [Step(area, translate(key, lang), key) for area, key in steps]


def checklist_data(
    incident_type: str, config: RulesConfig | None = None, lang: str = DEFAULT_LANG
) -> list[dict[str, str]]:
    """The steps as stored in an incident's data."""
    return [step.to_data() for step in playbook(incident_type, config, lang)]
