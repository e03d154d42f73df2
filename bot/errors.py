"""The bolt app's backstop for errors outside listeners (middleware); listeners use `handlers.guard`."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from handlers.guard import describe, response_url


def register(app: AsyncApp) -> None:
    app.error(on_error)


async def on_error(error: Exception, body: dict[str, Any], context: Any) -> None:
    text = describe(error)
    url = response_url(body)
    deps = context.get("deps")
    if url and deps is not None:
        await deps.notifier.reply(url, text)
