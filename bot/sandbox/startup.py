"""`wrench sandbox`'s parts started together: the emulator of Slack with the browser UI's API on one
server (default 127.0.0.1:8080), then the real bot in HTTP mode on a free 127.0.0.1 port, with
`SLACK_API_URL` pointing at the emulator, a random signing secret and the clock the `clock` verb moves
forward; both stopped at the end.
"""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from pydantic import SecretStr

from bot.config import Mode, Settings
from bot.sandbox.bot_link import ACK_SECONDS
from bot.sandbox.clock import MovableClock
from bot.sandbox.emulator import BOT_TOKEN, FakeSlack
from bot.sandbox.members import channels_of, people_of
from bot.sandbox.runtime import Sandbox
from bot.sandbox.ui_api import UiApi
from bot.sandbox.workspace import Workspace
from bot.server import running
from services.organisation.org import Organisation


@asynccontextmanager
async def sandbox(
    org: Organisation,
    database_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    clock: MovableClock | None = None,
    people: dict[str, str] | None = None,  # more people to act as (id → name) than the organisation names
    rate_limits: bool = False,
    strict: bool = False,
    ack_seconds: float = ACK_SECONDS,
) -> AsyncIterator[Sandbox]:
    """The emulator on host:port, then the bot talking to it; both stopped at the end."""
    workspace = Workspace(people=people_of(org, people), channels=channels_of(org))
    clock = clock or MovableClock()
    emulator = FakeSlack(
        workspace=workspace, strict=strict, exact=True, tiers=rate_limits, ts_clock=lambda: clock().timestamp()
    )
    box = Sandbox(org, emulator, clock, secrets.token_hex(16), ack_seconds=ack_seconds)
    await emulator.start(host=host, port=port, routes=UiApi(box).routes)
    if not org.portal.public_url:  # contractor links open here (bot/sandbox/contractor_proxy.py)
        org = org.model_copy(update={"portal": org.portal.model_copy(update={"public_url": emulator.base_url})})
    try:
        settings = Settings(
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_signing_secret=SecretStr(box.secret),
            slack_app_token=None,
            slack_api_url=emulator.api_url,
            database_url=database_url,
            port=0,
            wrench_host="127.0.0.1",
            wrench_slack_rate_scale=0,
        )
        async with running(settings, org, mode=Mode.HTTP, clock=box.clock) as bot, aiohttp.ClientSession() as http:
            box.bot, box.http = bot, http
            try:
                yield box
            finally:
                box.closing.set()
    finally:
        box.closing.set()
        await emulator.stop()
