"""Address classification and URL host parsing: what the SSRF defence refuses and what it lets through."""

from __future__ import annotations

import ipaddress

import pytest

from app.net.addresses import Refusal, is_local_name, parse_ip, refusal


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),        # one decimal number
    ("0x7f.1", "127.0.0.1"),            # hexadecimal, the last part filling three bytes
    ("0177.0.0.1", "127.0.0.1"),        # octal
    ("127.1", "127.0.0.1"),
    ("0x7F000001", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("169.254.169.254.", "169.254.169.254"),  # a trailing dot
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
    ("::1", "::1"),
    ("8.8.8.8", "8.8.8.8"),
])
def test_hosts_that_are_addresses_are_read_as_browsers_read_them(host: str, expected: str) -> None:
    assert parse_ip(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("host", ["datos.gob.cl", "www.datos.gov.co", "1.2.3.4.nip.io", "xn--r8jz45g.jp"])
def test_names_are_not_addresses(host: str) -> None:
    assert parse_ip(host) is None


@pytest.mark.parametrize("host", ["1.2.3.999", "08.0.0.1", "1.2.3.4.5", "example.123", "256.1", "[::zz]"])
def test_numbers_that_are_no_address_are_invalid(host: str) -> None:
    with pytest.raises(ValueError):
        parse_ip(host)


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", Refusal.LOOPBACK),
    ("127.255.0.9", Refusal.LOOPBACK),
    ("::1", Refusal.LOOPBACK),
    ("::ffff:127.0.0.1", Refusal.LOOPBACK),     # IPv4-mapped IPv6
    ("64:ff9b::7f00:1", Refusal.LOOPBACK),      # NAT64 of 127.0.0.1
    ("2002:7f00:1::", Refusal.LOOPBACK),        # 6to4 of 127.0.0.1
    ("::7f00:1", Refusal.LOOPBACK),             # IPv4-compatible (deprecated)
    ("10.1.2.3", Refusal.PRIVATE),
    ("172.16.0.1", Refusal.PRIVATE),
    ("192.168.1.1", Refusal.PRIVATE),
    ("::ffff:192.168.1.1", Refusal.PRIVATE),
    ("169.254.169.254", Refusal.METADATA),
    ("::ffff:169.254.169.254", Refusal.METADATA),
    ("fd00:ec2::254", Refusal.METADATA),
    ("100.100.100.200", Refusal.METADATA),
    ("169.254.1.1", Refusal.LINK_LOCAL),
    ("fe80::1", Refusal.LINK_LOCAL),
    ("fd12:3456::1", Refusal.UNIQUE_LOCAL),
    ("224.0.0.1", Refusal.MULTICAST),
    ("ff02::1", Refusal.MULTICAST),
    ("0.0.0.0", Refusal.UNSPECIFIED),
    ("::", Refusal.UNSPECIFIED),
    ("100.64.0.1", Refusal.CGNAT),
    ("100.127.255.254", Refusal.CGNAT),
    ("192.0.2.10", Refusal.RESERVED),           # documentation
    ("240.0.0.1", Refusal.RESERVED),
    ("255.255.255.255", Refusal.RESERVED),
    ("2001:db8::1", Refusal.RESERVED),
])
def test_internal_addresses_are_refused_with_their_reason(address: str, reason: Refusal) -> None:
    assert refusal(ipaddress.ip_address(address)) is reason


@pytest.mark.parametrize("address", ["8.8.8.8", "151.101.1.69", "200.1.123.4", "2001:4860:4860::8888",
                                     "2a00:1450:4001:80e::200e", "::ffff:8.8.8.8", "100.128.0.1"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("name", "local"), [("localhost", True), ("LOCALHOST.", True), ("a.localhost", True),
                                             ("localhost.example.org", False), ("datos.gob.es", False)])
def test_localhost_names(name: str, local: bool) -> None:
    assert is_local_name(name) is local
