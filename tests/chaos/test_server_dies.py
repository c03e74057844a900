"""kill -9 of the server itself: its zygote and workers end with it, none holds its port, and a new server starts
on the same port at once (issue 19, defect 5)."""

from __future__ import annotations

import os
import signal
import socket
import time

from bench.procs import alive
from tests.chaos.conftest import SMALL, Server


def test_killed_server_leaves_no_process_and_frees_its_port(fresh: Server) -> None:
    server = fresh
    for pid in server.workers(2)[:1]:  # one worker replaced first: a replacement must not hold the port either
        os.kill(pid, signal.SIGKILL)
    assert server.validate(SMALL).status_code == 200
    workers = server.workers(2)
    helpers = server.processes("puente-zygote") + workers
    assert len(set(helpers)) == 3
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if alive(pid)], "workers outlived the server"
    with socket.socket() as again:  # what a restarted server does first
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", server.port))
        again.listen()


def test_a_stopped_server_stops_its_workers(fresh: Server) -> None:
    """SIGTERM (a normal stop) too: nothing left behind."""
    server = fresh
    workers = server.workers(2)
    helpers = server.processes("puente-zygote") + workers
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if alive(pid)]


def _sockets(pid: int) -> int:
    found = 0
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            found += os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:")
        except OSError:
            continue
    return found


def test_helpers_hold_no_socket_but_their_own(server: Server) -> None:
    """The zygote holds its control socket, each worker the socket to the server: not the listening socket, not a
    client connection, not another worker's socket (so nothing keeps a connection or the port open)."""
    with __import__("httpx").Client(base_url=server.url) as client:  # a client connection open meanwhile
        assert client.get("/health").status_code == 200
        workers = server.workers(2)
        for pid in server.processes("puente-zygote") + workers:
            assert _sockets(pid) == 1, pid
