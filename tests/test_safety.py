from __future__ import annotations

import pytest

from govcrawl.fetch.safety import refusal


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "127.0.0.2",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",
        "100.64.0.1",
        "::ffff:192.168.0.1",
        "224.0.0.1",
    ],
)
def test_internal_addresses_are_refused_by_default(ip: str) -> None:
    assert refusal(ip, allow_loopback=False) is not None


def test_allow_loopback_lifts_only_ipv4_loopback() -> None:
    assert refusal("127.0.0.2", allow_loopback=True) is None
    assert refusal("127.255.0.9", allow_loopback=True) is None
    for ip in ("::1", "10.0.0.1", "192.168.0.1", "169.254.169.254", "::ffff:10.0.0.1"):
        assert refusal(ip, allow_loopback=True) is not None, ip


def test_public_addresses_pass() -> None:
    assert refusal("202.127.48.145", allow_loopback=False) is None
    assert refusal("2400:da00::6666", allow_loopback=False) is None
