"""Builds the bolt app for one process. There is no module-level app."""

import logging

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.middleware.authorization.async_single_team_authorization import AsyncSingleTeamAuthorization
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

import handlers
from bot import errors
from bot.config import Settings
from bot.deps import Deps
from handlers.guard import InFlight, ack_at_once


class _QuietTokenWarning(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN itself and warns that the client we pass wins: it always does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def build_app(
    settings: Settings,
    deps: Deps,
    client: AsyncWebClient,
    in_flight: InFlight | None = None,
    *,
    identity: AsyncSlackResponse | None = None,
) -> AsyncApp:
    """The bolt app; `in_flight` learns of every listener still running after its ack. `identity` is the
    token's auth.test, asked at startup: bolt asks it again on its first request otherwise, and every
    request of a first burst asks at once (auth.test has a rate limit like any method)."""
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    logger = logging.getLogger("wrench.bolt")
    logger.addFilter(_QuietTokenWarning())
    app = AsyncApp(client=client, signing_secret=signing_secret, process_before_response=False, logger=logger)

    @app.middleware
    async def provide_deps(context: AsyncBoltContext, next: object) -> None:
        context["deps"] = deps
        context[InFlight.CONTEXT_KEY] = in_flight
        await next()  # type: ignore[operator]

    if identity is not None:
        for middleware in app._async_middleware_list:
            if isinstance(middleware, AsyncSingleTeamAuthorization):
                middleware.auth_test_result = identity
    app.middleware(ack_at_once)
    handlers.register(app)
    errors.register(app)
    return app
