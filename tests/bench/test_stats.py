from bench.stats import p50_p99


def test_median_and_nearest_rank_99th() -> None:
    assert p50_p99([float(v) for v in range(1, 101)]) == (50.5, 100.0)
    assert p50_p99([3.0, 1.0, 2.0]) == (2.0, 3.0)


def test_no_values_gives_zeros() -> None:
    assert p50_p99([]) == (0.0, 0.0)
