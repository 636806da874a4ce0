"""The SSRF guard's address policy: loopback, private and metadata addresses in every spelling
are refused, including IPv6 forms that carry an IPv4 address; public ones pass."""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from services.spider.guard import Guard, Refused, is_forbidden

INTERNAL = [
    "127.0.0.1",
    "10.1.2.3",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fe80::1",
    "fd00:ec2::254",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::127.0.0.1",  # IPv4-compatible (deprecated, still routed by some stacks)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata service
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
]
PUBLIC = ["93.184.215.14", "2606:4700::1", "::ffff:93.184.215.14", "64:ff9b::5db8:d70e"]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_forbidden_in_every_spelling(address: str) -> None:
    assert is_forbidden(ip_address(address), [])


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass_in_every_spelling(address: str) -> None:
    assert not is_forbidden(ip_address(address), [])


def test_an_allowed_network_admits_its_embedded_forms_too() -> None:
    allowed = [ip_network("127.0.0.0/8")]
    assert not is_forbidden(ip_address("::ffff:127.0.0.1"), allowed)
    assert is_forbidden(ip_address("::ffff:10.0.0.1"), allowed)


async def _nowhere(host: str, port: int) -> list[str]:
    raise AssertionError(f"a literal address needs no lookup: {host}")


@pytest.mark.parametrize(
    "url",
    [
        "http://[::ffff:127.0.0.1]/",
        "http://[::127.0.0.1]:8080/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
async def test_literal_internal_urls_are_refused_without_a_lookup(url: str) -> None:
    with pytest.raises(Refused, match="ssrf_refused"):
        await Guard([], _nowhere).check(url)


async def test_a_name_with_one_internal_answer_is_refused() -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "10.0.0.7"]

    with pytest.raises(Refused, match=r"10\.0\.0\.7"):
        await Guard([], mixed).check("https://mixed.example/")


async def test_numeric_and_invalid_hosts_are_refused_by_the_system_resolver() -> None:
    with pytest.raises(Refused, match="ssrf_refused"):
        await Guard([]).check("http://2130706433/")  # 127.0.0.1 as one number
    with pytest.raises(Refused) as invalid:
        await Guard([]).check("http://a..b/")
    assert invalid.value.reason in {"invalid_host", "dns"}
