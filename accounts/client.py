"""The client's address, the one way: rate limits, django-axes lockouts and the logs all use it.

Behind a TLS proxy every request arrives from the proxy's address, and a client can write any
`X-Forwarded-For` it likes. So the header is read only when the request came from a proxy listed
in `TRUSTED_PROXY_IPS` (addresses or networks), and then the client is the right-most address in
it that is not itself a listed proxy: the address the outermost of our proxies saw. Whatever a
client put further left is ignored. Without listed proxies, `REMOTE_ADDR` is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

import structlog
from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _is_proxy(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: tuple) -> bool:
    return any(address in network for network in proxies)


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as text (django-axes calls this too: AXES_CLIENT_IP_CALLABLE)."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return UNKNOWN
    proxies = _networks(tuple(settings.TRUSTED_PROXY_IPS))
    if not proxies or not _is_proxy(peer, proxies):
        return str(peer)
    header = "HTTP_" + settings.TRUSTED_PROXY_HEADER.upper().replace("-", "_")
    hops = [h for h in request.META.get(header, "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return UNKNOWN  # a proxy of ours wrote something unreadable: trust nothing left of it
        if not _is_proxy(address, proxies):
            return str(address)
    return str(peer)  # only our proxies in the chain: the request started at one of them


def bind_client_ip_to_logs(request: HttpRequest, **kwargs: object) -> None:
    """django-structlog's request metadata: every log line of the request carries `ip`."""
    structlog.contextvars.bind_contextvars(ip=client_ip(request))


def client_ip_or_none(request: HttpRequest) -> str | None:
    """For django-axes (AXES_CLIENT_IP_CALLABLE), which stores the address in an IP column:
    None, not "unknown", when there is none (a request built in-process, as Client.force_login
    does)."""
    address = client_ip(request)
    return None if address == UNKNOWN else address
