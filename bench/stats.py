"""Latency figures shared by the throughput benchmark and the load test."""

from __future__ import annotations

import statistics


def p50_p99(values: list[float]) -> tuple[float, float]:
    """Median and 99th percentile (nearest rank); (0, 0) for no values."""
    if not values:
        return 0.0, 0.0
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
