"""Detectors: a detector's fields as plain, JSON-ready values for the state table.

``dataclasses.asdict`` deep-copies through ``copy.deepcopy`` and was most of a
backfill's time. Detector state holds numbers, strings, None, dicts and lists
of those (lists of lists at most two deep), so shallow copies of the
containers are enough: the table must not share a list the detector goes on
changing.
"""

from __future__ import annotations

from typing import Any


def copied(value: Any) -> Any:
    if isinstance(value, list):
        return [copied(item) if isinstance(item, list | dict) else item for item in value]
    if isinstance(value, dict):
        return {k: copied(v) if isinstance(v, list | dict) else v for k, v in value.items()}
    return value


def plain(obj: Any) -> dict[str, Any]:
    """The instance's fields (its ``__dict__``), containers copied."""
    return {name: copied(value) for name, value in vars(obj).items()}
