"""Where the server may POST an alert (OWASP API7:2023, server-side request forgery).

A webhook URL is refused unless it is http(s), carries no credentials, and every address its host
resolves to is a public (global) one: loopback, private, link-local (the cloud metadata address
169.254.169.254), carrier-grade NAT, multicast, reserved and unspecified (0.0.0.0) addresses are
refused, IPv4-mapped IPv6 included. An operator can allow named hosts or networks on purpose
(`webhook_allow`, e.g. a guarantor's receiver inside the mission's own network). The check runs
when a hook is registered and again before every delivery (a name may resolve elsewhere later);
deliveries never follow redirects.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

__all__ = ["UnsafeTarget", "check_webhook_url", "parse_allow"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnsafeTarget(ValueError):
    """A webhook URL the server will not call."""


def parse_allow(text: str) -> tuple[set[str], list[Network]]:
    """`webhook_allow`: comma-separated host names (optionally host:port) and networks (CIDR)."""
    hosts, networks = set(), []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.lower())
    return hosts, networks


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeTarget(f"cannot resolve {host!r}: {error}") from None
    found = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        found.append(address)
    return found


def check_webhook_url(url: str, allow: Sequence[str] | str = "") -> None:
    """Raise UnsafeTarget if the server must not POST to `url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("a webhook URL is http:// or https:// with a host name")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("a webhook URL must not carry credentials (user:password@)")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("the webhook URL's port is not a number from 1 to 65535") from None
    hosts, networks = parse_allow(allow if isinstance(allow, str) else ",".join(allow))
    host = parts.hostname.lower()
    if host in hosts or f"{host}:{port}" in hosts:
        return
    for address in _addresses(host, port):
        if any(address in network for network in networks):
            continue
        if not address.is_global or address.is_multicast:
            raise UnsafeTarget(
                f"{host} resolves to {address}, a loopback, private, link-local or reserved address; "
                "an operator can allow it with TRUCE_API_WEBHOOK_ALLOW"
            )
