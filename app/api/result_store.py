"""Recent validation results of the web page, kept in memory so they can be re-read and downloaded.

Bounded (count and age): a results page link works for an hour, then the operator validates again.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from app.pipeline.run import Outcome


@dataclass(frozen=True)
class StoredResult:
    outcome: Outcome
    filename: str
    created: float


class ResultStore:
    def __init__(self, *, max_items: int = 200, max_age_s: float = 3600.0) -> None:
        self._items: OrderedDict[str, StoredResult] = OrderedDict()
        self._lock = threading.Lock()
        self._max_items = max_items
        self._max_age_s = max_age_s

    def put(self, outcome: Outcome, *, filename: str) -> str:
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._items[token] = StoredResult(outcome=outcome, filename=filename, created=time.monotonic())
            while len(self._items) > self._max_items:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> StoredResult | None:
        with self._lock:
            found = self._items.get(token)
            if found is None:
                return None
            if time.monotonic() - found.created > self._max_age_s:
                del self._items[token]
                return None
            return found
