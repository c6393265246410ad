"""accounts.client.client_ip: the one rule for the client's address (#14, items 4 and 11)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from accounts.client import client_ip, client_ip_or_none

PROXY = "10.0.0.5"


def _request(remote: str, forwarded: str | None = None) -> object:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy configured: header ignored
        ("", None, "unknown"),
    ],
)
def test_without_trusted_proxies_the_peer_is_the_client(
    remote: str, forwarded: str | None, expected: str
) -> None:
    assert client_ip(_request(remote, forwarded)) == expected


@override_settings(TRUSTED_PROXY_IPS=[PROXY, "10.1.0.0/16"])
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Through our proxy: the address it saw.
        (PROXY, "198.51.100.1", "198.51.100.1"),
        # A client's own forged hops, left of what our proxy appended, are ignored.
        (PROXY, "1.2.3.4, 5.6.7.8, 198.51.100.1", "198.51.100.1"),
        # Two proxies of ours in a row (a network listed): the first address that is not ours.
        ("10.1.2.3", "198.51.100.1, 10.0.0.5", "198.51.100.1"),
        # A forged header from someone who is not our proxy: the peer is the client.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Ports and IPv6.
        (PROXY, "198.51.100.1:4711", "198.51.100.1"),
        (PROXY, "[2001:db8::1]:4711", "2001:db8::1"),
        # Garbage where our proxy wrote: nothing is trusted.
        (PROXY, "not-an-address", "unknown"),
        # Only our proxies: the request began at one of them.
        (PROXY, "10.1.0.7", PROXY),
        (PROXY, None, PROXY),
    ],
)
def test_behind_trusted_proxies_only_their_header_counts(
    remote: str, forwarded: str | None, expected: str
) -> None:
    assert client_ip(_request(remote, forwarded)) == expected


@override_settings(TRUSTED_PROXY_IPS=[PROXY], TRUSTED_PROXY_HEADER="X-Real-IP")
def test_the_header_is_configurable() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.2")
    assert client_ip(request) == "198.51.100.2"
    forged = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(forged) == PROXY


def test_axes_gets_none_rather_than_a_word_it_cannot_store() -> None:
    """An in-process request (Client.force_login) has no address; axes keeps it in an IP column
    (the bench's force_login failed on PostgreSQL with "unknown")."""
    assert client_ip_or_none(RequestFactory().get("/", REMOTE_ADDR="")) is None
    assert client_ip_or_none(_request("203.0.113.9")) == "203.0.113.9"
