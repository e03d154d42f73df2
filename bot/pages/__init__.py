"""What the pages for people outside Slack share (the web portal, the contractor page): their base
stylesheet, and the size-capped reading of the forms they post (`bot.pages.forms`)."""

from pathlib import Path

from aiohttp import web

BASE_STYLESHEET = Path(__file__).parent / "static" / "base.css"


def add_base_stylesheet(app: web.Application, *prefixes: str) -> None:
    """Serve the base stylesheet at `{prefix}/static/base.css` for each page's prefix, next to the page's
    own static files: a proxy publishes only the pages' own paths (the sandbox passes on `/contractor/`
    alone). Add it before the pages, so this route answers ahead of their static folders."""

    async def stylesheet(_: web.Request) -> web.FileResponse:
        return web.FileResponse(BASE_STYLESHEET)

    for prefix in prefixes:
        app.router.add_get(f"{prefix}/static/base.css", stylesheet)
