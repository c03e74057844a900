"""The validator page's results on disk: bounded by bytes and by age, and only issued tokens name a folder."""

from __future__ import annotations

import os
from pathlib import Path

from app.api.result_store import ResultStore


def test_the_oldest_results_go_when_they_hold_too_much(tmp_path: Path) -> None:
    store = ResultStore(root=tmp_path, max_bytes=2_500_000)
    tokens = []
    for _ in range(3):
        token, folder = store.new()
        (folder / "input").write_bytes(b"x" * 1_000_000)
        store.account(token)
        tokens.append(token)
    assert store.get(tokens[0]) is None and not (store.root / tokens[0]).exists()  # 3 MB > 2.5 MB: the oldest went
    assert store.get(tokens[1]) is not None and store.get(tokens[2]) is not None
    assert store.size() == 2_000_000
    store.close()
    assert not store.root.exists()


def test_results_expire(tmp_path: Path) -> None:
    store = ResultStore(root=tmp_path, max_age_s=0.0)
    token, folder = store.new()
    assert store.get(token) is None and not folder.exists()
    store.close()


def test_unknown_tokens_name_nothing(tmp_path: Path) -> None:
    store = ResultStore(root=tmp_path)
    token, _ = store.new()
    for wrong in ("..", "../..", token + "/..", "", "nope"):
        assert store.get(wrong) is None
    store.close()


def test_folders_of_a_killed_service_are_removed_by_the_next(tmp_path: Path) -> None:
    abandoned = tmp_path / "puente-results-999999999-abc"  # a pid no process has
    abandoned.mkdir()
    (abandoned / "input").write_bytes(b"x")
    ours = tmp_path / f"puente-results-{os.getpid()}-old"
    ours.mkdir()
    store = ResultStore(root=tmp_path)
    assert not abandoned.exists() and ours.exists()
    store.close()
