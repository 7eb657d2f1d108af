"""A small news site on a loopback address: article pages, redirects, slow and huge answers."""

from __future__ import annotations

import asyncio
import html
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from tests.conftest import SAMPLE


def article_html(text: str, title: str = "Mali : l'armée repousse une attaque") -> str:
    """An article page as a CMS renders it: navigation, the story, a footer."""
    paragraphs = "\n".join(
        f"<p>{html.escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip()
    )
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="2025-01-09T08:00:00+00:00">
</head><body>
<nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
<article><h1>{html.escape(title)}</h1>{paragraphs}</article>
<footer>© Journal de test</footer>
</body></html>"""


@dataclass
class FakeSite:
    """Serves fixed routes; `hits` counts requests per path."""

    host: str = "127.0.0.1"
    hits: Counter[str] = field(default_factory=Counter)
    port: int = 0
    _runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, shutdown_timeout=1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        self.hits[path] += 1
        if path == "/article.html":
            page = article_html(SAMPLE.read_text(encoding="utf-8"))
            return web.Response(text=page, content_type="text/html", charset="utf-8")
        if path == "/note.txt":
            return web.Response(text="Flooding closed the ring road on Monday.", charset="utf-8")
        if path.startswith("/redirect/"):
            target = request.query.get("to", "/article.html")
            return web.Response(status=302, headers={"Location": target})
        if path.startswith("/hop/"):
            return await self._hop(request, int(path.removeprefix("/hop/")))
        if path == "/loop":
            return web.Response(status=302, headers={"Location": "/loop"})
        if path == "/slow":
            await asyncio.sleep(5)
            return web.Response(text="late")
        if path == "/huge":
            return await self._huge(request)
        if path == "/report.pdf":
            return web.Response(body=b"%PDF-1.7", content_type="application/pdf")
        if path == "/empty.html":
            return web.Response(text="<html><body></body></html>", content_type="text/html")
        return web.Response(status=404, text="not found")

    async def _hop(self, request: web.Request, left: int) -> web.Response:
        """A slow redirect chain: each hop waits `delay` s, then points at the next one."""
        delay = float(request.query.get("delay", "0"))
        await asyncio.sleep(delay)
        target = f"/hop/{left - 1}?delay={delay}" if left > 0 else "/article.html"
        return web.Response(status=302, headers={"Location": target})

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        """A page streamed without Content-Length, far larger than any cap."""
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<p>" + b"word " * 4000 + b"</p>"
        try:
            for _ in range(500):
                await response.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass  # the reader stopped, as it should
        return response
