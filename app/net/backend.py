"""The connection layer under httpx: every connection goes to an address that was checked, within a deadline.

httpcore asks its network backend for a TCP connection to (host, port). This backend resolves the host once,
refuses the connection when any resolved address is not allowed (addresses.refusal), and connects to the
address it checked, so DNS cannot answer differently between the check and the connection (rebinding). TLS
still uses the host name (SNI and certificate checks), and the Host header comes from the URL as usual.

Reads and writes also respect a per-request total deadline (a context variable set by the client), so a
server that trickles bytes cannot hold a request longer than the total timeout.
"""

from __future__ import annotations

import concurrent.futures
import socket
import ssl
import threading
import time
import typing
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar

import httpcore

from app.net.addresses import IPAddress, Refusal, is_local_name, is_valid_name, parse_ip, refusal

# When the request being sent must be over (time.monotonic()); None: no total limit.
DEADLINE: ContextVar[float | None] = ContextVar("puente_http_deadline", default=None)

Resolver = Callable[[str, int], list[str]]


class AddressRefused(Exception):
    """A connection Puente will not open: the host is (or resolves to) an address it must not reach."""

    def __init__(self, host: str, address: str, reason: Refusal) -> None:
        super().__init__(f"{host} → {address}: {reason.value}")
        self.host, self.address, self.reason = host, address, reason


class HostUnresolved(Exception):
    """The host name has no address (or is not a valid name)."""

    def __init__(self, host: str, message: str) -> None:
        super().__init__(f"{host}: {message}")
        self.host, self.message = host, message


_resolver_pool: concurrent.futures.ThreadPoolExecutor | None = None
_resolver_lock = threading.Lock()


def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver (getaddrinfo), in its order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for info in infos:
        seen[str(info[4][0])] = None
    return list(seen)


def _resolve_within(resolver: Resolver, host: str, port: int, timeout: float | None) -> list[str]:
    """getaddrinfo has no timeout: it runs in a small shared pool and is abandoned after `timeout`."""
    global _resolver_pool
    with _resolver_lock:
        if _resolver_pool is None:
            _resolver_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="puente-dns")
        pool = _resolver_pool
    future = pool.submit(resolver, host, port)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout} s") from exc
    except OSError as exc:  # socket.gaierror
        raise HostUnresolved(host, exc.strerror or str(exc)) from exc


def remaining(timeout: float | None) -> float | None:
    """`timeout` shortened to what is left before the request's deadline (httpcore's timeout when past it)."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the total time allowed for this request is over")
    return left if timeout is None else min(timeout, left)


class VettedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend with the address check and the deadline added."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None = None,
                 connect_to: Mapping[tuple[str, int], tuple[str, int]] | None = None) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolve
        # (host, port) → (address, port) to connect to instead, like curl's --connect-to: a routing table set in
        # code by whoever runs Puente (tests route public names to loopback fakes). Its targets are trusted as
        # configured; everything else, redirects included, is vetted.
        self.connect_to = {(h.lower(), p): target for (h, p), target in (connect_to or {}).items()}
        self._inner = httpcore.SyncBackend()

    def addresses(self, host: str, port: int, *, timeout: float | None) -> list[IPAddress]:
        """The addresses to connect to for (host, port), every one checked; raises AddressRefused."""
        import ipaddress

        try:
            literal = parse_ip(host)
        except ValueError as exc:
            raise HostUnresolved(host, str(exc)) from exc
        if literal is not None:
            found: list[IPAddress] = [literal]
        else:
            if is_local_name(host):
                if not self.allow_private:
                    raise AddressRefused(host, host, Refusal.LOOPBACK)
            elif not is_valid_name(host):
                raise HostUnresolved(host, "not a valid host name")
            found = [ipaddress.ip_address(a.split("%", 1)[0]) for a in
                     _resolve_within(self.resolver, host, port, remaining(timeout))]
            if not found:
                raise HostUnresolved(host, "no address")
        if not self.allow_private:
            for address in found:  # one bad address refuses the host: it could be chosen on another attempt
                reason = refusal(address)
                if reason is not None:
                    raise AddressRefused(host, str(address), reason)
        return found

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        routed = self.connect_to.get((host.lower(), port))
        if routed is not None:
            targets: list[str] = [routed[0]]
            port = routed[1]
        else:
            targets = [str(a) for a in self.addresses(host, port, timeout=timeout)]
        failure: Exception | None = None
        for address in targets:
            try:
                stream = self._inner.connect_tcp(address, port, timeout=remaining(timeout),
                                                 local_address=local_address, socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the next address of the host
                continue
            return DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Puente never connects to Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, remaining(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)
