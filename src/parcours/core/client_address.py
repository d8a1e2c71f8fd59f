"""The client's IP address of a request, as login throttling and the audit trail record it.

`REMOTE_ADDR` is the address that opened the connection. Behind a reverse proxy that is the
proxy's, and the client's is in `X-Forwarded-For`; but any client can send that header, so it
is read only when the connection comes from a proxy listed in `PARCOURS_TRUSTED_PROXIES`
(addresses or networks), and then from the right: each trusted proxy appends the address it
saw, so the first untrusted address from the right is the client's, whatever a client
wrote on the left.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str:
    """The client's address (may be "" for a request without REMOTE_ADDR, as in some tests)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = trusted_proxies(getattr(settings, "PARCOURS_TRUSTED_PROXIES", []))
    if not proxies or not _is_trusted(remote, proxies):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        if not _is_address(hop):
            break  # a malformed hop: keep the last address a trusted proxy vouched for
        client = hop
        if not _is_trusted(hop, proxies):
            break
    return client


def trusted_proxies(entries: Iterable[str]) -> list[Network]:
    """Parse the proxies' addresses or networks ("10.0.0.2", "10.0.0.0/24", "::1")."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, proxies: list[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in proxies)
