"""Which hosts Puente may connect to: URL hosts parsed the way browsers read them, addresses classified.

A server-side fetcher must never become a way into the machine's own network (SSRF): loopback, private,
link-local, unique-local, multicast, unspecified, shared (CGNAT), cloud-metadata and other non-global addresses
are refused, including IPv4 addresses hidden in IPv6 (mapped, NAT64, 6to4, Teredo) and IPv4 written in
decimal, octal or hexadecimal (`2130706433`, `0x7f.1`, `0177.0.0.1`).
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refusal(StrEnum):
    """Why an address is refused (the i18n key is `ui.address.<value>`)."""

    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    UNIQUE_LOCAL = "unique-local"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    CGNAT = "cgnat"
    METADATA = "metadata"
    RESERVED = "reserved"


# Cloud instance-metadata services (AWS, ECS, GCP and Azure share 169.254.169.254; Alibaba, Oracle, AWS IPv6).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "169.254.169.123", "100.100.100.200", "192.0.0.192", "fd00:ec2::254"))
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAME = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$")
_NUMBER_PART = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


def refusal(address: IPAddress) -> Refusal | None:
    """Why Puente must not connect to `address`, or None when it is an ordinary public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return refusal(embedded)
        if address.scope_id:
            address = ipaddress.IPv6Address(address.compressed.split("%", 1)[0])
    if address in METADATA_ADDRESSES:
        return Refusal.METADATA
    if address.is_unspecified:
        return Refusal.UNSPECIFIED
    if address.is_loopback:
        return Refusal.LOOPBACK
    if address.is_link_local:
        return Refusal.LINK_LOCAL
    if address.is_multicast:
        return Refusal.MULTICAST
    if isinstance(address, ipaddress.IPv4Address):
        if address in _CGNAT:
            return Refusal.CGNAT
        if any(address in network for network in _RFC1918):
            return Refusal.PRIVATE
    elif address in _UNIQUE_LOCAL:
        return Refusal.UNIQUE_LOCAL
    if not address.is_global or address.is_reserved or address.is_private:
        return Refusal.RESERVED
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, where packets to it would reach that IPv4 host."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # deprecated ::a.b.c.d (:: and ::1 are themselves)
        return ipaddress.IPv4Address(int(address))
    return None


def parse_ip(host: str) -> IPAddress | None:
    """The address a URL host names literally (IPv6 in brackets or not, IPv4 in any spelling), or None for a
    name. Raises ValueError for a host that looks like a number but is no valid address (as browsers do)."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if ":" in bare:
        return ipaddress.IPv6Address(bare)  # ValueError when malformed
    return _loose_ipv4(bare.lower().rstrip("."))


def _loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """WHATWG URL IPv4 parsing: 1–4 parts, each decimal, octal (leading 0) or hexadecimal (0x), the last part
    filling the remaining bytes: `127.1`, `2130706433`, `0x7f.1` and `0177.0.0.1` are all 127.0.0.1."""
    parts = host.split(".")
    if not parts or not _NUMBER_PART.match(parts[-1]):
        return None  # a name (its last label is not a number)
    if len(parts) > 4 or not all(_NUMBER_PART.match(p) for p in parts):
        raise ValueError(f"not an IPv4 address: {host!r}")
    numbers = [_number(p) for p in parts]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(f"IPv4 part out of range: {host!r}")
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _number(part: str) -> int:
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # ValueError for 08, 09: not a number in any base browsers accept
    return int(part)


def is_valid_name(host: str) -> bool:
    """True for a DNS host name (ASCII, as httpx gives internationalised names: punycode)."""
    return len(host) <= 253 and bool(_NAME.match(host))


def is_local_name(host: str) -> bool:
    """Names that always mean this machine (RFC 6761), refused before any DNS look-up."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")
