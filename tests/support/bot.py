"""Run Wrench in-process as a real HTTP server and talk to it the way Slack does."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.config import Mode, Settings
from bot.server import Running, running
from services.delivery import outbox
from services.organisation.org import Organisation
from services.ports import Clock
from tests.support import slack_requests as sr
from tests.support.fake_slack import BOT_TOKEN, FakeSlack

FORM = "application/x-www-form-urlencoded"
_keys = itertools.count(1)


def settings_for(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": sr.SIGNING_SECRET,
        "slack_app_token": None,
        "slack_api_url": fake.api_url,
        "database_url": database_url,
        "port": 0,
        "wrench_host": "127.0.0.1",
        "wrench_slack_rate_scale": 0,  # tests that check the pace set it themselves
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class BotClient:
    url: str
    fake: FakeSlack
    http: aiohttp.ClientSession
    running: Running

    async def post(
        self,
        body: bytes,
        *,
        content_type: str = FORM,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> aiohttp.ClientResponse:
        sent = (
            headers if headers is not None else sr.signed_headers(body, content_type=content_type, timestamp=timestamp)
        )
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=sent) as response:
            await response.read()
            return response

    async def command(self, command: str, text: str, *, user_id: str) -> tuple[aiohttp.ClientResponse, str]:
        """Send a slash command; returns the HTTP response and the key its response_url replies carry."""
        key = f"r{next(_keys)}"
        body = sr.slash_command(command, text, user_id=user_id, response_url=self.fake.response_url(key))
        return await self.post(body), key

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str,
        channel: str,
        message_ts: str,
    ) -> tuple[aiohttp.ClientResponse, str]:
        key = f"r{next(_keys)}"
        body = sr.block_action(
            action_id,
            value,
            user_id=user_id,
            channel=channel,
            message_ts=message_ts,
            response_url=self.fake.response_url(key),
        )
        return await self.post(body), key

    async def submit(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], *, user_id: str, view_id: str | None = None
    ) -> tuple[int, dict[str, Any] | None]:
        """Submit a modal; returns the HTTP status and the JSON body (None for an empty ack)."""
        body = sr.view_submission(view, values, user_id=user_id, view_id=view_id)
        headers = sr.signed_headers(body, content_type=FORM)
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=headers) as response:
            text = await response.text()
            return response.status, (await response.json(content_type=None) if text else None)

    async def send(self, body: bytes, *, content_type: str = FORM) -> tuple[int, Any]:
        """POST a signed body; returns the HTTP status and the JSON answer (None when empty)."""
        headers = sr.signed_headers(body, content_type=content_type)
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=headers) as response:
            text = await response.text()
            return response.status, (await response.json(content_type=None) if text else None)

    async def event(self, event: dict[str, Any], *, event_id: str | None = None) -> int:
        status, _ = await self.send(sr.event_callback(event, event_id=event_id), content_type="application/json")
        return status

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until listeners still at work after their ack are done and the outbox has delivered
        everything queued so far (polled: a condition, not a delay)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if self.running.listeners is not None:
            await self.running.listeners.settle(timeout)
        while (status := await self.running.deps.db.run(outbox.status)).pending:
            if loop.time() > deadline:
                raise AssertionError(f"{status.pending} outbox entries undelivered; last error: {status.last_error}")
            await asyncio.sleep(0.01)

    async def replies_to(self, key: str, count: int = 1) -> list[dict[str, Any]]:
        await self.fake.wait_for(lambda: len([r for r in self.fake.replies if r["key"] == key]) >= count)
        return [r for r in self.fake.replies if r["key"] == key]


@asynccontextmanager
async def started_bot(
    database_url: str, fake: FakeSlack, org: Organisation, *, clock: Clock, mode: Mode = Mode.HTTP, **overrides: Any
) -> AsyncIterator[BotClient]:
    """`overrides` replace `settings_for`'s settings (`wrench_slack_rate_scale=4`, say)."""
    settings = settings_for(database_url, fake, **overrides)
    async with running(settings, org, mode=mode, clock=clock) as bot, aiohttp.ClientSession() as http:
        if bot.scheduler is not None:  # its catch-up round at start is over: tests may run jobs themselves
            await asyncio.wait_for(bot.scheduler.first_round(), 10)
        yield BotClient(url=f"http://127.0.0.1:{bot.port}", fake=fake, http=http, running=bot)
