"""One writer per data folder: the service (or a command) holds PUENTE_DATA_DIR/puente.lock while it runs.

An advisory `flock`: the kernel releases it when the holder dies, kill -9 included, so a crash never leaves the
folder locked. The file says who holds it, for the message the next one gets.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from app.errors import CatalogueUnavailableError
from app.i18n import text


class DataLock:
    """The data folder's lock."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "puente.lock"
        self._descriptor: int | None = None

    def acquire(self, *, holder: str) -> None:
        """Take the lock or raise CatalogueUnavailableError naming who holds it."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise CatalogueUnavailableError(text("detail.data_dir_locked", folder=str(self.path.parent),
                                                 holder=self.holder() or "?")) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{holder} (pid {os.getpid()})\n".encode())
        self._descriptor = descriptor
        # a process forked from the holder (a validation worker replaced later) must not keep the lock alive
        # after the holder dies: its copy of the descriptor is closed at once
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = None
