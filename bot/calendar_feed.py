"""`GET /calendar/{token}.ics`: a private calendar feed, for calendar apps to subscribe to. The token is
the only key (no login a calendar app could send), so an unknown or revoked one gets a plain 404."""

from datetime import timedelta
from functools import partial

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from services.organisation import calendar_feeds
from services.reporting import calendar, icalendar
from services.requests.rate_limit import SlidingWindow

FETCHES_PER_HOUR = 120  # apps poll hourly; a stuck one asking every second is cut off, the others are not
HEADERS = {
    "Cache-Control": "private, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
GONE = "This calendar address does not work: it was revoked, or mistyped. Ask for a new one with /wo calendar."


class CalendarFeeds:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.limit = SlidingWindow(FETCHES_PER_HOUR, timedelta(hours=1), deps.clock)

    def routes(self, app: web.Application) -> None:
        app.router.add_get(calendar_feeds.PATH + "/{token}.ics", self.fetch)

    async def fetch(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not calendar_feeds.TOKEN_PATTERN.match(token):
            return web.Response(status=404, text=GONE, headers=HEADERS)
        wait = self.limit.hit(token)
        if wait is not None:
            retry = str(max(1, int(wait.total_seconds())))
            return web.Response(
                status=429, text="Too many fetches: try again later.", headers={**HEADERS, "Retry-After": retry}
            )
        body = await self.deps.db.run(partial(self._read, token=token))
        if body is None:
            return web.Response(status=404, text=GONE, headers=HEADERS)
        return web.Response(
            text=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={**HEADERS, "Content-Disposition": 'inline; filename="wrench.ics"'},
        )

    async def _read(self, session: AsyncSession, *, token: str) -> str | None:
        now = self.deps.clock()
        feed = await calendar_feeds.authenticate(session, now=now, token=token)
        if feed is None:
            return None
        org = self.deps.org
        shown = await calendar.feed(session, org=org, feed=feed, today=org.local_date(now))
        return icalendar.render(shown, timezone=org.timezone, uid_suffix=feed.prefix, now=now)


def add_calendar_feeds(app: web.Application, deps: Deps) -> CalendarFeeds:
    served = CalendarFeeds(deps)
    served.routes(app)
    return served
