"""Recent results of the validator page, kept on disk so they can be re-read (in another language) and downloaded.

Each result is a folder named by a random token (what app/runtime/jobs.py writes into it: the input, then the
reports and graphs asked for). The folders live under one folder of this service run, in PUENTE_RESULTS_DIR or the
system's temporary folder, removed when the service stops (and, for a service that was killed, when the next one
starts). Bounded by bytes (PUENTE_RESULTS_MAX_BYTES: the oldest results go first) and by age (an hour). Only the
tokens this store issued name a folder: nothing a request sends becomes a path.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

_PREFIX = "puente-results-"


@dataclass
class _Entry:
    folder: Path
    created: float
    size: int = 0


class ResultStore:
    def __init__(self, *, root: Path | None = None, max_bytes: int = 2_000_000_000, max_age_s: float = 3600.0) -> None:
        base = Path(root) if root is not None else Path(tempfile.gettempdir())
        base.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(base)
        self.root = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=base))
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._max_bytes = max_bytes
        self._max_age_s = max_age_s

    def new(self) -> tuple[str, Path]:
        """A fresh result: its token and its (empty) folder."""
        self._expire()
        token = secrets.token_urlsafe(16)
        folder = self.root / token
        folder.mkdir()
        self._items[token] = _Entry(folder=folder, created=time.monotonic())
        return token, folder

    def get(self, token: str) -> Path | None:
        """The folder of a result still kept, or None."""
        self._expire()
        entry = self._items.get(token)
        return entry.folder if entry is not None else None

    def account(self, token: str) -> None:
        """Count what a result's folder holds now; the oldest results go while all of them hold too much."""
        entry = self._items.get(token)
        if entry is None:
            return
        entry.size = sum(f.stat().st_size for f in entry.folder.iterdir() if f.is_file())
        total = sum(e.size for e in self._items.values())
        while total > self._max_bytes and len(self._items) > 1:
            oldest = next(iter(self._items))
            if oldest == token:  # the newest is kept even alone over the limit: it is being looked at
                break
            total -= self._items[oldest].size
            self.drop(oldest)

    def drop(self, token: str) -> None:
        entry = self._items.pop(token, None)
        if entry is not None:
            shutil.rmtree(entry.folder, ignore_errors=True)

    def size(self) -> int:
        """Bytes on disk, as last counted."""
        return sum(e.size for e in self._items.values())

    def close(self) -> None:
        self._items.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, e in self._items.items() if now - e.created > self._max_age_s]:
            self.drop(token)


def _remove_abandoned(base: Path) -> None:
    """Folders of services that ended without removing theirs (killed): their process is gone."""
    for folder in base.glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX):].split("-", 1)[0]
        if Path("/proc").is_dir() and pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)
