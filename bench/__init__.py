"""Benchmarks (see the Validation throughput issue)."""
