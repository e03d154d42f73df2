"""Builds the bolt app for one process. There is no module-level app."""

import logging

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot import errors
from bot.config import Settings
from bot.deps import Deps
from handlers.guard import InFlight, ack_at_once


class _QuietTokenWarning(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN itself and warns that the client we pass wins: it always does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def build_app(settings: Settings, deps: Deps, client: AsyncWebClient, in_flight: InFlight | None = None) -> AsyncApp:
    """The bolt app; `in_flight` learns of every listener still running after its ack."""
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    logger = logging.getLogger("wrench.bolt")
    logger.addFilter(_QuietTokenWarning())
    app = AsyncApp(client=client, signing_secret=signing_secret, process_before_response=False, logger=logger)

    @app.middleware
    async def provide_deps(context: AsyncBoltContext, next: object) -> None:
        context["deps"] = deps
        context[InFlight.CONTEXT_KEY] = in_flight
        await next()  # type: ignore[operator]

    app.middleware(ack_at_once)
    handlers.register(app)
    errors.register(app)
    return app
