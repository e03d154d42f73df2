"""The web request portal at `/portal` (off unless `portal.enabled`): a server-rendered form for people
without Slack, and the status page of what they filed. The domain is `services.requests.portal`; this module reads
the form, guards against spam (a honeypot field and a per-address rate limit) and renders the pages."""

import asyncio
import logging
import secrets
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.deps import Deps
from bot.pages.forms import BadForm, BodyTooLarge, clean
from bot.portal.reading import Posted, client_address, read_form
from services.errors import DomainError, InvalidFields, InvalidInput, NotFound
from services.requests import photos, portal
from services.requests.photos import PreparedPhoto
from services.requests.rate_limit import SlidingWindow
from services.work_orders import satisfaction

PREFIX = "/portal"
STATIC = Path(__file__).parent / "static"
HONEYPOT = "leave_empty"  # a name no autofill knows: only robots fill it
ATTEMPTS_FLOOR = 60
TOO_MANY = "Too many attempts from your network in the last hour: please try again later."
log = logging.getLogger("wrench.portal")

# Every page: no framing, no scripts or styles but our own, no referrer (the status page's address is
# its key), nothing cached.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_templates = Environment(
    loader=PackageLoader("bot.portal", "templates"), autoescape=select_autoescape(default=True), auto_reload=False
)


class Portal:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.config = deps.org.portal
        hour = timedelta(hours=1)
        self.limit = SlidingWindow(self.config.requests_per_hour, hour, deps.clock)  # requests filed
        # every form sent and every asset looked up, counted before any work: floods stop here
        self.attempts = SlidingWindow(max(ATTEMPTS_FLOOR, self.config.requests_per_hour * 10), hour, deps.clock)

    def routes(self, app: web.Application) -> None:
        if self.config.enabled:  # the form; off, status pages may still be served (the requests mailbox's)
            app.router.add_get(PREFIX, self.form)
            app.router.add_get(f"{PREFIX}/", self.form)
            app.router.add_post(PREFIX, self.submit)
            app.router.add_post(f"{PREFIX}/", self.submit)
        app.router.add_get(PREFIX + "/status/{key}", self.status)
        app.router.add_post(PREFIX + "/status/{key}/rating", self.rate)
        app.router.add_static(f"{PREFIX}/static", STATIC)

    # -- pages ------------------------------------------------------------------------------------

    def _page(self, template: str, *, http_status: int = 200, **context: Any) -> web.Response:
        html = _templates.get_template(template).render(
            home=PREFIX, static=f"{PREFIX}/static", form_on=self.config.enabled, **context
        )
        return web.Response(text=html, content_type="text/html", status=http_status, headers=HEADERS)

    def _message(self, heading: str, message: str, *, http_status: int) -> web.Response:
        return self._page("message.html", http_status=http_status, heading=heading, message=message)

    async def _asset(self, tag: str) -> portal.AssetHint | None:
        return await self.deps.db.run(partial(portal.asset_hint, tag=tag)) if tag else None

    def _form_page(
        self,
        values: dict[str, str],
        asset: portal.AssetHint | None,
        *,
        errors: dict[str, str] | None = None,
        http_status: int = 200,
        **extra: Any,
    ) -> web.Response:
        return self._page(
            "form.html",
            http_status=http_status,
            categories=self.deps.org.portal_categories(),
            values=_Values({"form_id": secrets.token_urlsafe(16), **values}),
            errors=errors or {},
            asset=asset,
            limits=portal.LIMITS,
            honeypot=HONEYPOT,
            max_photo_mb=self.config.max_photo_mb,
            max_photo_bytes=self.config.max_photo_bytes,
            **extra,
        )

    async def form(self, request: web.Request) -> web.Response:
        """The form; `?asset=TAG` (what a QR label opens) chooses the asset and fills in where it is."""
        tag = clean(request.query.get("asset", ""))[:64]
        sender = client_address(request, self.config.trusted_proxies)
        hint = await self._asset(tag) if tag and self.attempts.hit(sender) is None else None
        values = {"asset": tag if hint else "", "category": request.query.get("category", "")}
        if hint is not None and hint.location:
            values["location"] = hint.location
        return self._form_page(values, hint)

    async def submit(self, request: web.Request) -> web.Response:
        sender = client_address(request, self.config.trusted_proxies)
        if self.attempts.hit(sender) is not None:
            return self._message("Too many attempts", TOO_MANY, http_status=429)
        try:
            posted = await read_form(request, max_photo_bytes=self.config.max_photo_bytes)
        except BodyTooLarge:
            message = f"What was sent is too large: a photo may be at most {self.config.max_photo_mb} MB."
            return self._message("Too large", message, http_status=413)
        except BadForm as error:
            log.info("portal: a body that is not a form (%s)", error)
            return self._message("Not a form", "What was sent is not the request form.", http_status=400)
        if posted.text(HONEYPOT):  # only robots fill a field people cannot see
            log.info("portal: a submission filled the honeypot field; dropped")
            return self._message("Thank you", "Your request was received.", http_status=200)
        wait = self.limit.hit(sender)
        if wait is not None:
            minutes = max(1, round(wait.total_seconds() / 60))
            notice = f"Too many requests from your network: please try again in {minutes} minutes."
            dropped = posted.photo is not None
            asset = await self._asset(posted.text("asset"))
            return self._form_page(posted.values, asset, http_status=429, notice=notice, photo_dropped=dropped)
        photo, problem = await self._prepared(posted)
        form = posted.to_request(self.deps.org.category(posted.text("category")), photo=photo, photo_problem=problem)
        try:
            submission, key = await self.deps.db.run(
                partial(portal.submit, org=self.deps.org, now=self.deps.clock(), form=form)
            )
        except InvalidFields as error:
            self.limit.forget_last(sender)  # a form sent back to be mended is not a request filed
            dropped = posted.photo is not None and "photo" not in error.errors
            asset = await self._asset(posted.text("asset"))
            errors = dict(error.errors)
            return self._form_page(posted.values, asset, errors=errors, http_status=422, photo_dropped=dropped)
        if submission is None:  # this form was filed already (sent twice): its status page, nothing new
            self.limit.forget_last(sender)
        raise web.HTTPSeeOther(f"{PREFIX}/status/{key}?new=1", headers=HEADERS)

    async def _prepared(self, posted: Posted) -> tuple[PreparedPhoto | None, str | None]:
        """The photo decoded and re-encoded off the event loop, or what is wrong with it."""
        sent = posted.photo
        if sent is None:
            return None, None
        try:
            prepared = await asyncio.to_thread(photos.prepare, sent, max_bytes=self.config.max_photo_bytes)
            return prepared, None
        except InvalidInput as error:
            return None, str(error)

    async def status(self, request: web.Request, *, http_status: int = 200, **extra: Any) -> web.Response:
        try:
            shown = await self.deps.db.run(partial(portal.status, org=self.deps.org, key=request.match_info["key"]))
        except NotFound as error:
            return self._message("Not found", str(error), http_status=404)
        zone = self.deps.org.zone()

        def when(moment: datetime) -> str:
            return moment.astimezone(zone).strftime("%d %b %Y, %H:%M")

        return self._page(
            "status.html",
            http_status=http_status,
            shown=shown,
            key=request.match_info["key"],
            new="new" in request.query,
            rated="rated" in request.query,
            when=when,
            comment_max=satisfaction.COMMENT_MAX,
            **extra,
        )

    async def rate(self, request: web.Request) -> web.Response:
        """The status page's rating form: stored once, then the page again."""
        key = request.match_info["key"]
        if self.attempts.hit(client_address(request, self.config.trusted_proxies)) is not None:
            return self._message("Too many attempts", TOO_MANY, http_status=429)
        try:
            posted = await read_form(request, max_photo_bytes=0)
        except (BadForm, BodyTooLarge):
            return self._message("Not a form", "What was sent is not the rating form.", http_status=400)
        rated = partial(
            portal.rate,
            org=self.deps.org,
            now=self.deps.clock(),
            key=key,
            rating=posted.text("rating"),
            comment=posted.text("comment"),
        )
        try:
            await self.deps.db.run(rated)
        except NotFound as error:
            return self._message("Not found", str(error), http_status=404)
        except DomainError as error:  # no rating picked, a comment too long, rated already, not closed
            return await self.status(request, rating_error=str(error), comment=posted.text("comment"), http_status=422)
        raise web.HTTPSeeOther(f"{PREFIX}/status/{key}?rated=1", headers=HEADERS)


class _Values(dict[str, str]):
    """Form values for the template: a missing one is empty text."""

    def __getattr__(self, name: str) -> str:
        return self.get(name, "")


def add_portal(app: web.Application, deps: Deps) -> Portal | None:
    """Serve the portal on `app` when `portal.enabled`; with the requests mailbox and no portal, its status
    pages only; otherwise `/portal` does not exist (404)."""
    if not deps.org.status_pages_served():
        return None
    served = Portal(deps)
    served.routes(app)
    return served
