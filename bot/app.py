"""Builds the bolt app for one process. There is no module-level app."""

import logging

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot import errors
from bot.config import Settings
from bot.deps import Deps


def build_app(settings: Settings, deps: Deps, client: AsyncWebClient) -> AsyncApp:
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=False,
        logger=logging.getLogger("wrench.bolt"),
    )

    @app.middleware
    async def provide_deps(context: AsyncBoltContext, next: object) -> None:
        context["deps"] = deps
        await next()  # type: ignore[operator]

    handlers.register(app)
    errors.register(app)
    return app
