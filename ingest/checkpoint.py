"""Connectors: durable checkpoints, one JSON file per source, replaced atomically."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from radar.errors import ConfigError


class CheckpointStore:
    """Keeps each source's position under ``<data_dir>/checkpoints/``.

    :meth:`save` writes a temporary file, syncs it and renames it over the old
    one, so a crash leaves either the old or the new checkpoint, never half of
    one. Callers save only after Kafka acknowledged the records it covers.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, source: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", source)[:80]
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:8]
        return self.folder / f"{slug}-{digest}.json"

    def load(self, source: str) -> dict[str, Any]:
        path = self.path_for(source)
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            msg = (
                f"checkpoint {path} is unreadable ({exc}); move it away to re-read the source "
                "from the start (ids are stable, so nothing is counted twice)"
            )
            raise ConfigError(msg) from exc
        if not isinstance(data, dict) or not isinstance(data.get("state"), dict):
            msg = f"checkpoint {path} has no 'state' mapping; move it away to start over"
            raise ConfigError(msg)
        return dict(data["state"])

    def save(self, source: str, state: Mapping[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(source)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        payload = json.dumps({"source": source, "state": dict(state)}, ensure_ascii=False)
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)  # the rename itself survives a power cut
        finally:
            os.close(fd)
