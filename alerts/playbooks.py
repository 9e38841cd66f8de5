"""Alerts: playbooks, the checklist each incident type starts with.

Steps are about responsibilities, customer communication, remedy and coordination.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from alerts.config import PlaybookStep, RulesConfig

DEFAULTS = Path(__file__).with_name("playbooks.yaml")


@cache
def default_playbooks() -> dict[str, tuple[PlaybookStep, ...]]:
    data: dict[str, Any] = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))
    return {
        name: tuple(PlaybookStep.model_validate(s) for s in steps) for name, steps in data.items()
    }


def playbook(incident_type: str, config: RulesConfig | None = None) -> list[PlaybookStep]:
    """The steps for ``incident_type``: the rules file's, else Radar's, else the default list."""
    if config is not None and incident_type in config.playbooks:
        return list(config.playbooks[incident_type])
    defaults = default_playbooks()
    if config is not None and "default" in config.playbooks and incident_type not in defaults:
        return list(config.playbooks["default"])
    return list(defaults.get(incident_type, defaults["default"]))


def checklist_data(incident_type: str, config: RulesConfig | None = None) -> list[dict[str, str]]:
    """The steps as stored in an incident's data."""
    return [step.model_dump() for step in playbook(incident_type, config)]
