"""The yardstick for bench/ack.py: a bare slack-bolt AsyncApp on aiohttp that checks signatures and acks
`/request` and the Claim button, nothing else, served the way Wrench serves `/slack/events`.

    python -m bench.bare_app PORT SLACK_API_URL     (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN from the environment)

bolt checks its token with auth.test once, as Wrench does at start: against the fake Slack here.
"""

import os
import sys
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from blocks.ids import Action, Command


def build(api_url: str) -> web.Application:
    app = AsyncApp(
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=False,
    )

    async def only_ack(ack: Any) -> None:
        await ack()

    app.command(Command.REQUEST)(only_ack)
    app.action(Action.CLAIM)(only_ack)
    return served(app)


def served(app: AsyncApp) -> web.Application:
    """`app` on `/slack/events`, as Wrench serves it, and a `/healthz` to wait for (it tells its pid, for a
    benchmark to read the process's CPU time)."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "pid": os.getpid()})

    application = web.Application()
    application.router.add_post("/slack/events", events)
    application.router.add_get("/healthz", healthz)
    return application


if __name__ == "__main__":
    web.run_app(build(sys.argv[2]), host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
