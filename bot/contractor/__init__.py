"""The contractor page at `/contractor/KEY`: what an outside contractor sees of the one job sent to them,
and where they accept or decline it, post updates, send photos and the invoice, give their cost and hours
and mark it done. The key in the address is the only credential (43 random characters, as the portal's
status pages); the domain is `services.contractor_jobs.page`. Served whether or not the portal is on."""

import asyncio
import logging
import secrets
from collections import OrderedDict
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.contractor.reading import read
from bot.contractor.team_photos import PhotoUnavailable, TeamPhotos
from bot.deps import Deps
from bot.pages.forms import BadForm, BodyTooLarge, Sent
from bot.portal import HEADERS as PORTAL_HEADERS
from bot.portal.reading import client_address
from services.contractor_jobs import files, jobs, page
from services.contractor_jobs.jobs import PATH
from services.errors import Conflict, InvalidFields, InvalidInput, NotFound
from services.requests.rate_limit import SlidingWindow

PREFIX = PATH.rstrip("/")
# The portal's headers, with no script at all: the page has none, and the portal's script is on this site
HEADERS = {
    **PORTAL_HEADERS,
    "Content-Security-Policy": PORTAL_HEADERS["Content-Security-Policy"].replace(
        "script-src 'self'", "script-src 'none'"
    ),
}
STATIC = Path(__file__).parent / "static"
VISITS_PER_HOUR = 600  # every page and form, per address
MISSES_PER_HOUR = 30  # addresses that name no job, per address: nobody guesses a key
SEEN_FORMS = 10_000
TOO_MANY = "Too many attempts from your network: try again later."
ACTIONS = ("accept", "decline", "update", "files", "cost", "done")
DONE = {
    "accept": "You accepted the job: thank you. The team can see it.",
    "update": "Your update was sent to the team.",
    "files": "Your files were sent to the team.",
    "cost": "Your cost and hours were saved.",
}
log = logging.getLogger("wrench.contractor")

_templates = Environment(
    loader=PackageLoader("bot.contractor", "templates"), autoescape=select_autoescape(default=True), auto_reload=False
)


class ContractorPage:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.portal = deps.org.portal  # its proxies and its photo size limit apply here too
        hour = timedelta(hours=1)
        self.visits = SlidingWindow(VISITS_PER_HOUR, hour, deps.clock)
        self.misses = SlidingWindow(MISSES_PER_HOUR, hour, deps.clock)
        self.seen: OrderedDict[str, None] = OrderedDict()  # form ids already acted on (a double tap)
        self.team_photos = TeamPhotos(deps.notifier)

    def routes(self, app: web.Application) -> None:
        app.router.add_static(f"{PREFIX}/static", STATIC)
        app.router.add_get(PREFIX + "/{key}", self.show)
        app.router.add_post(PREFIX + "/{key}", self.act)
        app.router.add_get(PREFIX + "/{key}/photos/{number:[0-9]{1,4}}", self.photo)

    # -- pages --------------------------------------------------------------------------------------

    def _page(self, template: str, *, http_status: int = 200, **context: Any) -> web.Response:
        html = _templates.get_template(template).render(static=f"{PREFIX}/static", **context)
        return web.Response(text=html, content_type="text/html", status=http_status, headers=HEADERS)

    def _message(self, heading: str, message: str, *, http_status: int) -> web.Response:
        return self._page("message.html", http_status=http_status, heading=heading, message=message)

    def _limited(self, request: web.Request) -> web.Response | None:
        """429 past the visits an address may make, or once it named too many addresses of no job (a guesser
        is then refused every key, the right one too)."""
        sender = client_address(request, self.portal.trusted_proxies)
        if self.misses.full(sender) or self.visits.hit(sender) is not None:
            return self._message("Too many attempts", TOO_MANY, http_status=429)
        return None

    def _missed(self, request: web.Request) -> None:
        self.misses.hit(client_address(request, self.portal.trusted_proxies))

    async def _job_page(
        self,
        key: str,
        *,
        http_status: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        notice: str | None = None,
        ok: str | None = None,
    ) -> web.Response:
        try:
            job = await self.deps.db.run(partial(page.show, org=self.deps.org, key=key))
        except page.LinkClosed as closed:
            return self._message("This link no longer works", str(closed), http_status=410)
        zone = self.deps.org.zone()

        def when(moment: datetime) -> str:
            return moment.astimezone(zone).strftime("%d %b %Y, %H:%M")

        return self._page(
            "job.html",
            http_status=http_status,
            job=job,
            action=f"{PREFIX}/{key}",
            errors=errors or {},
            values=values or {},
            notice=notice,
            ok=ok,
            when=when,
            form_id=_form_id(),
            max_mb=self.portal.max_photo_mb,
            max_photos=files.MAX_PHOTOS,
        )

    async def show(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        if (turned_away := await self._turned_away(request, key)) is not None:
            return turned_away
        ok = DONE.get(request.query.get("ok", ""))
        return await self._job_page(key, ok=ok)

    async def photo(self, request: web.Request) -> web.Response:
        """One of the team's photos, from Slack, for as long as the link works."""
        key = request.match_info["key"]
        if (turned_away := await self._turned_away(request, key)) is not None:
            return turned_away
        try:
            file_id = await self.deps.db.run(
                partial(page.team_photo, key=key, number=int(request.match_info["number"]))
            )
            shown = await self.team_photos.photo(file_id)
        except page.LinkClosed as closed:
            return self._message("This link no longer works", str(closed), http_status=410)
        except (NotFound, InvalidInput):
            return self._message("Not found", "There is no such photo.", http_status=404)
        except PhotoUnavailable:
            unavailable = "The photo could not be fetched from the team's workspace just now: try again later."
            return self._message("Not available", unavailable, http_status=502)
        name = f"photo-{request.match_info['number']}.{shown.extension}"
        headers = {**HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
        return web.Response(body=shown.content, content_type=shown.content_type, headers=headers)

    async def _turned_away(self, request: web.Request, key: str) -> web.Response | None:
        """429 past the address's limits; 404 for a key of no job, counted against the address."""
        if (limited := self._limited(request)) is not None:
            return limited
        if not await self._exists(key):
            self._missed(request)
            return self._message("Not found", "There is no job at this address.", http_status=404)
        return None

    async def _exists(self, key: str) -> bool:
        async def look(session: Any) -> bool:
            try:
                await jobs.job_by_key(session, key)
            except NotFound:
                return False
            return True

        return await self.deps.db.run(look)

    async def act(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        if (turned_away := await self._turned_away(request, key)) is not None:
            return turned_away
        if not _same_site(request, self.portal.public_url):
            log.info("contractor page: a form sent from another site was refused")
            return self._message("Refused", "This form can only be sent from its own page.", http_status=403)
        try:
            sent = await read(request, max_file_bytes=self.portal.max_photo_bytes)
        except BodyTooLarge:
            limit = f"at most {files.MAX_PHOTOS} photos and an invoice of {self.portal.max_photo_mb} MB each"
            return self._message("Too large", f"What was sent is too large: {limit}.", http_status=413)
        except BadForm as error:
            log.info("contractor page: a body that is not a form (%s)", error)
            return self._message("Not a form", "What was sent is not one of this page's forms.", http_status=400)
        what = sent.text("do")
        if what not in ACTIONS:
            return await self._job_page(key, http_status=400, notice="That form could not be read: try again.")
        form_id = sent.text("form_id")
        if form_id and form_id in self.seen:  # sent twice (a double tap, a browser's retry): done once already
            raise web.HTTPSeeOther(f"{PREFIX}/{key}", headers=HEADERS)
        if form_id:
            self._remember(form_id)  # before acting: the same form sent again meanwhile does nothing
        try:
            await self._do(what, key, sent)
        except BaseException as error:
            self.seen.pop(form_id, None)  # not done: the form may be sent again
            return await self._refused(key, what, sent, error)
        if what in ("decline", "done"):  # the link closes with them: the page says so
            raise web.HTTPSeeOther(f"{PREFIX}/{key}", headers=HEADERS)
        raise web.HTTPSeeOther(f"{PREFIX}/{key}?ok={what}", headers=HEADERS)

    async def _refused(self, key: str, what: str, sent: Sent, error: BaseException) -> web.Response:
        """The page again with what was wrong (what was typed kept), or the closed link's message."""
        if isinstance(error, page.LinkClosed):
            return self._message("This link no longer works", str(error), http_status=410)
        if isinstance(error, InvalidFields):
            return await self._job_page(key, http_status=422, errors=dict(error.errors), values=sent.values)
        if isinstance(error, InvalidInput):
            errors = {error.field or what: str(error)}
            return await self._job_page(key, http_status=422, errors=errors, values=sent.values)
        if isinstance(error, Conflict):
            return await self._job_page(key, http_status=409, notice=str(error))
        raise error

    async def _do(self, what: str, key: str, sent: Sent) -> None:
        common: dict[str, Any] = {"org": self.deps.org, "now": self.deps.clock(), "key": key}
        if what == "accept":
            await self.deps.db.run(partial(page.accept, **common))
        elif what == "decline":
            await self.deps.db.run(partial(page.decline, **common, reason=sent.text("reason")))
        elif what == "update":
            await self.deps.db.run(partial(page.post_update, **common, text=sent.text("update")))
        elif what == "cost":
            await self.deps.db.run(partial(page.set_cost, **common, cost=sent.text("cost"), hours=sent.text("hours")))
        elif what == "done":
            await self.deps.db.run(partial(page.mark_done, **common, resolution=sent.text("resolution")))
        else:
            uploads = await self._uploads(sent)
            await self.deps.db.run(partial(page.add_files, **common, uploads=uploads))

    async def _uploads(self, sent: Sent) -> list[files.Upload]:
        photos = [content for name, content in sent.files if name == "photos"]
        invoices = [content for name, content in sent.files if name == "invoice"]
        if len(photos) > files.MAX_PHOTOS:
            raise InvalidInput(f"Send at most {files.MAX_PHOTOS} photos at a time.", field="photos")
        if len(invoices) > 1:
            raise InvalidInput("Send one invoice at a time.", field="invoice")
        limit = self.portal.max_photo_bytes
        prepared = [
            await asyncio.to_thread(files.prepare, kind, content, max_bytes=limit)
            for kind, content in [*(("photo", p) for p in photos), *(("invoice", i) for i in invoices)]
        ]
        return prepared

    def _remember(self, form_id: str) -> None:
        self.seen[form_id] = None
        while len(self.seen) > SEEN_FORMS:
            self.seen.popitem(last=False)


def _form_id() -> str:
    return secrets.token_urlsafe(16)


def _same_site(request: web.Request, public_url: str | None) -> bool:
    """A form from this page. A browser says where a form was sent from: `Sec-Fetch-Site` (any current
    one), else `Origin` (which it sends as "null" under the page's `no-referrer` policy); one from another
    site is refused. A client that says nothing (an old browser, a script holding the key) is let in: the
    key in the address is the credential, and another site cannot know it."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return True
    allowed = {request.host.lower()}
    if public_url:
        allowed.add(urlsplit(public_url).netloc.lower())
    return urlsplit(origin).netloc.lower() in allowed


def add_contractor_page(app: web.Application, deps: Deps) -> ContractorPage:
    """Serve `/contractor/KEY` on `app`: a key that names no job answers 404."""
    served = ContractorPage(deps)
    served.routes(app)
    return served
