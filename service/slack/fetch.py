"""Fetch the page behind a link shared in Slack, without becoming an SSRF proxy.

Links come from chat users, so every hop is checked: only http(s), no credentials in the
URL, only the usual web ports (80, 443, the scheme's default, or the configured ones), and
every address the host resolves to must be public (no private, loopback, link-local,
multicast or reserved network) unless private addresses are allowed. The address check
runs in the connector's resolver, on the very addresses the connection uses, and again
on every redirect, which are followed by hand up to a cap. One deadline bounds the whole
fetch (every hop and the body), and the body is counted on the stream against a byte
cap. HTML goes through `extract_page` (trafilatura) for its main text.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Collection

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from service.errors import InputError
from service.htmltext import Page, extract_page

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
WEB_PORTS = (80, 443)
CHUNK = 64 * 1024
USER_AGENT = "newsroom-summarizer/0.1 (+Slack bot; fetches links users share)"
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(InputError):
    """A link could not be read as an article; `code` says why."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def public_address(address: IPAddress) -> bool:
    """True for an address on the public internet (not private, loopback, link-local...)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return public_address(embedded)
    return address.is_global and not address.is_multicast and not address.is_reserved


def any_address(address: IPAddress) -> bool:
    """The policy when private addresses are allowed: anything but multicast or unspecified."""
    return not address.is_multicast and not address.is_unspecified


def _refused(host: str) -> FetchError:
    return FetchError(f"{host} is not a public address", code="address_not_allowed")


class GuardedResolver(AbstractResolver):
    """Resolves with `inner`, then refuses the host if any address breaks the policy."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The host's addresses, all of them allowed by the policy, or FetchError."""
        if self._inner is None:
            self._inner = aiohttp.ThreadedResolver()
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if not self._policy(ipaddress.ip_address(result["host"].split("%")[0])):
                raise _refused(host)
        return results

    async def close(self) -> None:
        """Release the inner resolver."""
        if self._inner is not None:
            await self._inner.close()


def check_url(raw: str) -> URL:
    """The URL if it may be fetched at all (scheme, host, no credentials), else FetchError."""
    try:
        url = URL(raw.strip())
    except (ValueError, TypeError):
        raise FetchError("not a valid URL", code="url_not_allowed") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError("only http and https links are fetched", code="url_not_allowed")
    if url.user is not None or url.password is not None:
        raise FetchError("links with credentials are not fetched", code="url_not_allowed")
    return url.with_fragment(None)


class PageFetcher:
    """Reads the article at a URL: guarded, time-boxed and size-capped."""

    def __init__(
        self,
        *,
        timeout_s: float = 15.0,
        max_bytes: int = 5 * 1024 * 1024,
        max_redirects: int = 5,
        allow_private: bool = False,
        allowed_ports: Collection[int] = WEB_PORTS,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.policy: AddressPolicy = any_address if allow_private else public_address
        self.allowed_ports = frozenset(allowed_ports)
        self._resolver = resolver

    async def fetch(self, url: str) -> Page:
        """The page's main text and metadata; FetchError with a `code` when it cannot be had."""
        current = check_url(url)
        resolver = GuardedResolver(self.policy, self._resolver)
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        try:
            # One deadline for every hop and the body: aiohttp's own timeout is per request,
            # so a chain of slow redirects would get it once per hop.
            async with (
                asyncio.timeout(self.timeout_s),
                aiohttp.ClientSession(
                    connector=connector,
                    trust_env=False,  # a proxy would connect on our behalf, past the check
                    headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.8"},
                ) as session,
            ):
                return await self._follow(session, current)
        except TimeoutError:
            raise FetchError("the site took too long", code="fetch_timeout") from None
        except aiohttp.ClientError as exc:
            reason = type(exc).__name__
            raise FetchError(f"could not fetch the page ({reason})", code="fetch_failed") from None
        finally:
            if self._resolver is None:
                await resolver.close()  # the connector does not own it

    async def _follow(self, session: aiohttp.ClientSession, url: URL) -> Page:
        for _ in range(self.max_redirects + 1):
            self._check_literal(url)
            self._check_port(url)
            async with session.get(url, allow_redirects=False) as response:
                if response.status in REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError("a redirect without a target", code="fetch_failed")
                    url = check_url(str(url.join(URL(location))))
                    continue
                if response.status != 200:
                    raise FetchError(
                        f"the site answered HTTP {response.status}", code="fetch_failed"
                    )
                return await self._page(response, url)
        raise FetchError(f"more than {self.max_redirects} redirects", code="too_many_redirects")

    def _check_literal(self, url: URL) -> None:
        """An IP literal never reaches the resolver: check it here."""
        host = (url.host or "").strip("[]")
        try:
            address = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            return
        if not self.policy(address):
            raise _refused(host)

    def _check_port(self, url: URL) -> None:
        """Only the scheme's default port or an allowed one: other ports are other services."""
        if url.is_default_port() or url.port in self.allowed_ports:
            return
        raise FetchError(f"port {url.port} is not fetched", code="port_not_allowed")

    async def _page(self, response: aiohttp.ClientResponse, url: URL) -> Page:
        content_type = response.content_type.lower()
        if content_type not in HTML_TYPES | TEXT_TYPES:
            raise FetchError(f"not a web page ({content_type})", code="unsupported_content")
        if response.content_length is not None and response.content_length > self.max_bytes:
            raise _too_large(self.max_bytes)
        body = bytearray()
        async for chunk in response.content.iter_chunked(CHUNK):
            body.extend(chunk)
            if len(body) > self.max_bytes:
                raise _too_large(self.max_bytes)
        if content_type in TEXT_TYPES:
            text = _decode(bytes(body), response.charset)
            page: Page | None = Page(text=text, url=str(url)) if text else None
        else:
            # trafilatura is CPU work: off the event loop, which keeps acking Slack.
            page = await asyncio.to_thread(extract_page, bytes(body), str(url))
        if page is None:
            raise FetchError("no article text on the page", code="no_article_text")
        return page


def _decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8", errors="replace").strip()
    except LookupError:  # an unknown charset name
        return body.decode("utf-8", errors="replace").strip()


def _too_large(limit: int) -> FetchError:
    return FetchError(f"the page is larger than {limit} bytes", code="page_too_large")
