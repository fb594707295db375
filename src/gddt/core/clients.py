"""The address of the client that sent a request: views and endpoints read it here and hand it to services."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The peer address of the request ("" when unknown). Only when the peer is one of GDDT_TRUSTED_PROXIES is
    X-Forwarded-For read: from its right end, the first address that is not a trusted proxy is the client (what
    is left of it was written by the client and proves nothing). A malformed entry gives the peer's address."""
    peer = request.META.get("REMOTE_ADDR") or ""
    networks = _networks(tuple(settings.GDDT_TRUSTED_PROXIES))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer
