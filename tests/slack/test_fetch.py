"""Fetching a shared link: the page's article text, and never a private address (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from service.errors import ConfigError
from service.slack.fetch import FetchError, PageFetcher, check_url, public_address
from service.slack.settings import load_slack_settings
from tests.slack.fakesite import FakeSite


@pytest.fixture
async def site() -> AsyncIterator[FakeSite]:
    fake = FakeSite()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def inner_site() -> AsyncIterator[FakeSite]:
    """A second server, on another loopback address: the 'internal' service."""
    fake = FakeSite(host="127.0.0.2")
    await fake.start()
    yield fake
    await fake.stop()


def local(site: FakeSite, **options: Any) -> PageFetcher:
    """A fetcher allowed to reach the fake site: loopback, on its random port."""
    return PageFetcher(allow_private=True, allowed_ports=[site.port], **options)


def only_first_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Test policy: 127.0.0.1 stands for the public internet, the rest is private."""
    return address == ipaddress.ip_address("127.0.0.1") or public_address(address)


class FakeResolver(AbstractResolver):
    """A DNS that answers from a table."""

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self,
        host: str,
        port: int = 0,
        family: socket.AddressFamily = socket.AF_INET,  # noqa: ARG002 - the table decides
    ) -> list[ResolveResult]:
        self.asked.append(host)
        address = self.table[host]
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 around 169.254.169.254
        ("ff02::1", False),
    ],
)
def test_only_public_addresses_pass(address: str, public: bool) -> None:
    assert public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/a",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://example.org:70/",
        "http://user:secret@example.org/",
        "https:///nohost",
        "not a url",
    ],
)
async def test_other_schemes_and_credentials_are_refused(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        await PageFetcher().fetch(url)
    assert caught.value.code == "url_not_allowed"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/admin",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
async def test_private_ip_literals_are_refused_before_connecting(url: str) -> None:
    # The network guard of tests/conftest.py would fail any outside connection; a refused
    # loopback connection would be 'fetch_failed': the code shows nothing was attempted.
    with pytest.raises(FetchError) as caught:
        await PageFetcher().fetch(url)
    assert caught.value.code == "address_not_allowed"


@pytest.mark.parametrize("host", ["localhost", "2130706433", "127.1", "017700000001"])
async def test_other_spellings_of_loopback_are_not_fetched(site: FakeSite, host: str) -> None:
    with pytest.raises(FetchError) as caught:
        await PageFetcher(allowed_ports=[site.port]).fetch(
            f"http://{host}:{site.port}/article.html"
        )
    assert caught.value.code in ("address_not_allowed", "fetch_failed")
    assert site.hits["/article.html"] == 0


async def test_a_name_resolving_to_a_private_address_is_refused(site: FakeSite) -> None:
    resolver = FakeResolver({"intranet.example": "127.0.0.1"})
    fetcher = PageFetcher(resolver=resolver, allowed_ports=[site.port])
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(f"http://intranet.example:{site.port}/article.html")
    assert caught.value.code == "address_not_allowed"
    assert resolver.asked == ["intranet.example"]
    assert site.hits["/article.html"] == 0


async def test_article_page_gives_its_main_text(site: FakeSite) -> None:
    resolver = FakeResolver({"news.example": "127.0.0.1"})
    fetcher = PageFetcher(resolver=resolver, allowed_ports=[site.port])
    fetcher.policy = only_first_loopback
    page = await fetcher.fetch(f"http://news.example:{site.port}/article.html")
    assert "neutraliser quatorze terroristes" in page.text
    assert "Accueil" not in page.text and "Journal de test" not in page.text
    assert page.title == "Mali : l'armée repousse une attaque"
    assert page.published_at == "2025-01-09"


async def test_plain_text_is_read_as_it_is(site: FakeSite) -> None:
    page = await local(site).fetch(site.url("/note.txt"))
    assert page.text == "Flooding closed the ring road on Monday."


async def test_redirects_are_followed(site: FakeSite) -> None:
    page = await local(site).fetch(site.url("/redirect/1"))
    assert "Diangassagou" in page.text
    assert site.hits["/redirect/1"] == 1 and site.hits["/article.html"] == 1


async def test_a_redirect_to_a_private_address_is_refused(
    site: FakeSite, inner_site: FakeSite
) -> None:
    fetcher = PageFetcher(allowed_ports=[site.port, inner_site.port])
    fetcher.policy = only_first_loopback
    target = inner_site.url("/article.html")
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(site.url(f"/redirect/1?to={target}"))
    assert caught.value.code == "address_not_allowed"
    assert site.hits["/redirect/1"] == 1
    assert sum(inner_site.hits.values()) == 0


async def test_a_redirect_by_name_to_a_private_address_is_refused(
    site: FakeSite, inner_site: FakeSite
) -> None:
    resolver = FakeResolver({"news.example": "127.0.0.1", "cms.internal": "127.0.0.2"})
    fetcher = PageFetcher(resolver=resolver, allowed_ports=[site.port, inner_site.port])
    fetcher.policy = only_first_loopback
    target = f"http://cms.internal:{inner_site.port}/article.html"
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(f"http://news.example:{site.port}/redirect/1?to={target}")
    assert caught.value.code == "address_not_allowed"
    assert resolver.asked == ["news.example", "cms.internal"]
    assert sum(inner_site.hits.values()) == 0


async def test_a_redirect_to_another_scheme_is_refused(site: FakeSite) -> None:
    with pytest.raises(FetchError) as caught:
        await local(site).fetch(site.url("/redirect/1?to=file:///etc/passwd"))
    assert caught.value.code == "url_not_allowed"


async def test_redirects_are_capped(site: FakeSite) -> None:
    with pytest.raises(FetchError) as caught:
        await local(site, max_redirects=3).fetch(site.url("/loop"))
    assert caught.value.code == "too_many_redirects"
    assert site.hits["/loop"] == 4


async def test_the_body_is_capped_on_the_stream(site: FakeSite) -> None:
    with pytest.raises(FetchError) as caught:
        await local(site, max_bytes=100_000).fetch(site.url("/huge"))
    assert caught.value.code == "page_too_large"


async def test_a_slow_site_times_out(site: FakeSite) -> None:
    with pytest.raises(FetchError) as caught:
        await local(site, timeout_s=0.3).fetch(site.url("/slow"))
    assert caught.value.code == "fetch_timeout"


async def test_one_deadline_bounds_the_whole_chain_of_redirects(site: FakeSite) -> None:
    # Each hop answers in 0.4 s, within a 0.6 s timeout; four hops in a row do not fit.
    started = time.perf_counter()
    with pytest.raises(FetchError) as caught:
        await local(site, timeout_s=0.6).fetch(site.url("/hop/4?delay=0.4"))
    took = time.perf_counter() - started
    assert caught.value.code == "fetch_timeout"
    assert str(caught.value) == "the site took too long"
    assert took < 1.2, took
    assert site.hits["/hop/4"] == 1 and site.hits["/hop/2"] == 0
    assert site.hits["/article.html"] == 0


async def test_quick_redirects_fit_in_the_deadline(site: FakeSite) -> None:
    page = await local(site, timeout_s=5.0).fetch(site.url("/hop/3?delay=0.05"))
    assert "Diangassagou" in page.text
    assert site.hits["/article.html"] == 1


async def test_another_port_is_refused_before_connecting(site: FakeSite) -> None:
    with pytest.raises(FetchError) as caught:
        await PageFetcher(allow_private=True).fetch(site.url("/article.html"))
    assert caught.value.code == "port_not_allowed"
    assert str(site.port) in str(caught.value)
    assert sum(site.hits.values()) == 0


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://news.example/a", True),
        ("https://news.example/a", True),
        ("http://news.example:80/a", True),
        ("https://news.example:443/a", True),
        ("http://news.example:443/a", True),
        ("http://news.example:22/a", False),
        ("https://news.example:6379/a", False),
        ("http://news.example:8080/a", False),
    ],
)
async def test_only_web_ports_are_fetched_by_default(url: str, allowed: bool) -> None:
    # Whether the host was looked up shows whether the port check let the link through.
    resolver = FakeResolver({"news.example": "127.0.0.1"})
    fetcher = PageFetcher(resolver=resolver, timeout_s=2.0)
    fetcher.policy = only_first_loopback
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)  # nothing of ours listens there
    assert (caught.value.code != "port_not_allowed") is allowed
    assert resolver.asked == (["news.example"] if allowed else [])


async def test_a_redirect_to_another_port_is_refused(site: FakeSite, inner_site: FakeSite) -> None:
    target = f"http://127.0.0.1:{inner_site.port}/article.html"
    with pytest.raises(FetchError) as caught:
        await local(site).fetch(site.url(f"/redirect/1?to={target}"))
    assert caught.value.code == "port_not_allowed"
    assert site.hits["/redirect/1"] == 1
    assert sum(inner_site.hits.values()) == 0


def test_allowed_ports_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_slack_settings().fetch_allowed_ports == [80, 443]
    monkeypatch.setenv("SLACK_FETCH_ALLOWED_PORTS", "80, 443,8080")
    assert load_slack_settings().fetch_allowed_ports == [80, 443, 8080]
    for wrong in ("70000", "http"):
        monkeypatch.setenv("SLACK_FETCH_ALLOWED_PORTS", wrong)
        with pytest.raises(ConfigError) as caught:
            load_slack_settings()
        assert "SLACK_FETCH_ALLOWED_PORTS" in str(caught.value)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/report.pdf", "unsupported_content"),
        ("/missing", "fetch_failed"),
        ("/empty.html", "no_article_text"),
    ],
)
async def test_what_is_not_an_article_page_says_why(site: FakeSite, path: str, code: str) -> None:
    with pytest.raises(FetchError) as caught:
        await local(site).fetch(site.url(path))
    assert caught.value.code == code


async def test_a_closed_port_is_a_fetch_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        await PageFetcher(allow_private=True, allowed_ports=[port]).fetch(
            f"http://127.0.0.1:{port}/"
        )
    assert caught.value.code == "fetch_failed"


def test_fragments_are_dropped() -> None:
    assert str(check_url(" https://news.example/a?b=1#top ")) == "https://news.example/a?b=1"
