"""When to try a request again and how long to wait first: exponential backoff with jitter, or the server's
own Retry-After (seconds or an HTTP date)."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass

# Answers worth another try: too many requests, and server errors that are usually passing (not 501/505).
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (`120` or `Wed, 21 Oct 2015 07:28:00 GMT`; `now` is Unix
    time), 0 for a date already past, None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    return max(0.0, float(when.timestamp()) - now)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: try n waits about base × 2ⁿ seconds (at most `cap`), scaled by a random factor
    in [0.5, 1) so that many clients do not come back at the same instant."""

    base: float
    cap: float

    def delay(self, attempt: int, *, random: Callable[[], float]) -> float:
        growth: float = 2.0 ** attempt
        return min(self.cap, self.base * growth) * (0.5 + random() / 2)
