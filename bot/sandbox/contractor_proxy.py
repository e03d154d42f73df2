"""The contractor page in the sandbox: the links Wrench hands out point at the sandbox's own address
(`portal.public_url` is set to it when wrench.yml gives none), and this passes `/contractor/…` on to the
bot's server, which serves the page exactly as `wrench run` does. So a visitor opens the link a card's
⋯ → Send to contractor shows, in the same browser, on the same port."""

from collections.abc import Callable

import aiohttp
from aiohttp import web

PREFIX = "/contractor/"
PASSED_ON = ("Content-Type", "Content-Length", "Origin", "Sec-Fetch-Site", "User-Agent", "Accept")
PASSED_BACK = (
    "Content-Type",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cache-Control",
    "Location",
)


def routes(
    app: web.Application, bot_url: Callable[[], str | None], http: Callable[[], aiohttp.ClientSession | None]
) -> None:
    async def proxy(request: web.Request) -> web.StreamResponse:
        base, session = bot_url(), http()
        if base is None or session is None:
            raise web.HTTPServiceUnavailable(text="The bot is starting: try again in a moment.")
        headers = {name: request.headers[name] for name in PASSED_ON if name in request.headers}
        async with session.request(
            request.method,
            f"{base}{request.rel_url}",
            headers=headers,
            data=request.content if request.can_read_body else None,
            allow_redirects=False,
        ) as answer:
            body = await answer.read()
            back = {name: answer.headers[name] for name in PASSED_BACK if name in answer.headers}
            return web.Response(body=body, status=answer.status, headers=back)

    app.router.add_route("GET", PREFIX + "{tail:.*}", proxy)
    app.router.add_route("POST", PREFIX + "{tail:.*}", proxy)
