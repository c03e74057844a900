from tests.hostile.conftest import server  # noqa: F401  (the same real server on loopback)
