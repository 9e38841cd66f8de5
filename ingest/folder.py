"""Connectors: files and watched folders as a pull source (new and appended files picked up)."""

from __future__ import annotations

import logging
import stat
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ingest.base import PullConnector, SourceRecord, State
from ingest.files import SourceRow
from ingest.normalize import Normaliser
from ingest.tail import TEXT_FORMATS, FileMark, NotARegularFile, format_of, read_from, unchanged

log = logging.getLogger(__name__)

#: Turns one file row into the fields handed to the normaliser (or raises ValidationFailed).
RowTransform = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def _key(path: Path) -> str:
    return f"file:{path.name}"


class FileConnector(PullConnector):
    """Reads files once, or watches folders for new files and lines appended to old ones.

    ``paths`` are files or folders; a folder contributes every file whose
    extension names a format (``.csv``, ``.tsv``, ``.jsonl``, ``.json``,
    ``.xlsx``) and ``pattern`` matches. Each file's position is kept under its
    name, so a file moved in from elsewhere under a known name continues.
    """

    name = "files"

    def __init__(
        self,
        paths: Sequence[Path],
        normaliser: Normaliser,
        *,
        pattern: str = "*",
        fmt: str | None = None,
        transform: RowTransform | None = None,
        follow: bool = False,
        settle_s: float = 2.0,
    ) -> None:
        self.paths = list(paths)
        self.normaliser = normaliser
        self.channel = normaliser.channel
        self.source = normaliser.source
        self.pattern = pattern
        self.fmt = fmt
        self.transform = transform
        self.follow = follow
        self.settle_s = settle_s
        self._refused: set[Path] = set()

    def files(self) -> list[Path]:
        """The files to read: those named, and the folders' regular files (links skipped).

        A file named on the command line is read where it points (the operator
        chose it); in a folder, where anyone with write access can drop a link to
        ``/proc/self/environ`` or a key, only regular files inside it are read.
        """
        found: list[Path] = []
        for path in self.paths:
            if path.is_dir():
                root = path.resolve()
                for p in sorted(path.glob(self.pattern)):
                    if p.name.startswith(".") or not format_of(p):
                        continue
                    if self._inside(p, root):
                        found.append(p)
            elif path.is_file():
                found.append(path.resolve())
        return found

    def _inside(self, path: Path, root: Path) -> bool:
        try:
            mode = path.lstat().st_mode
            regular = stat.S_ISREG(mode) and path.resolve().is_relative_to(root)
        except OSError:
            return False
        if not regular and path not in self._refused:
            self._refused.add(path)
            kind = "a link" if stat.S_ISLNK(mode) else "not a regular file in the folder"
            log.warning("%s: %r is %s; not read", self.source, path.name, kind)
        return regular

    def read(self, state: State) -> Iterator[SourceRecord]:
        for path in self.files():
            fmt = self.fmt or format_of(path)
            if fmt is None:
                continue
            mark = FileMark.from_state(state.get(_key(path)))
            try:
                if mark.inode and self._seen_all(path, fmt, mark):
                    continue
                # a follower leaves a line without its end for the writer to finish,
                # unless the file has not changed for a while (exports often lack one)
                final = not self.follow or time.time() - path.stat().st_mtime > self.settle_s
                for row, after in read_from(path, fmt, mark, final=final):
                    yield self._record(row, {_key(path): after.to_state()})
            except FileNotFoundError:
                log.info("%r disappeared while being read; skipped", path.name)
            except NotARegularFile as exc:  # swapped for a link since it was listed
                log.warning("%s: %s; not read", self.source, exc)  # exc quotes the name (repr)

    @staticmethod
    def _seen_all(path: Path, fmt: str, mark: FileMark) -> bool:
        if fmt in TEXT_FORMATS:
            stat = path.stat()
            return stat.st_ino == mark.inode and stat.st_size == mark.offset
        return unchanged(path, mark)

    def _record(self, row: SourceRow, position: dict[str, Any]) -> SourceRecord:
        if row.error is not None or row.fields is None or self.transform is None:
            return SourceRecord(row.locator, row.fields, row.raw, row.error, position)
        from radar.errors import ValidationFailed

        try:
            fields = self.transform(row.fields)
        except ValidationFailed as exc:
            return SourceRecord(row.locator, None, row.raw, exc, position)
        except Exception as exc:  # a bug in a transform must not stop the connector
            log.exception("%s: transform failed on %r", self.source, row.locator)
            error = ValidationFailed(
                f"unexpected {type(exc).__name__}: {exc}", reason="internal_error"
            )
            return SourceRecord(row.locator, None, row.raw, error, position)
        return SourceRecord(row.locator, fields, row.raw, None, position)

    def backlog(self, state: State) -> tuple[int, int] | None:
        done = total = 0
        for path in self.files():
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            total += size
            mark = FileMark.from_state(state.get(_key(path)))
            done += size if format_of(path) == "xlsx" and mark.rows else min(mark.offset, size)
        return done, total
