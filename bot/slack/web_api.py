"""The Web API calls Wrench makes, each logged and survived when Slack or the network says no.

Used as is to answer the person acting (ephemeral replies, modals: worth it now or never); the
outbox worker uses `bot.slack.delivery.DeliveryApi`, which retries what Slack refuses for now.
"""

import asyncio
import logging
import random
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from blocks import text as t
from bot import http_headers

log = logging.getLogger("wrench.notifier")
MAX_WAIT_IN_PLACE = timedelta(seconds=30)  # a longer Retry-After is handed to the caller (the outbox waits it out)


class RateLimitRetry(AsyncRetryHandler):
    """Retries a 429 in place after Slack's `Retry-After` (seconds or an HTTP date; unreadable: 1 s),
    when that is at most `MAX_WAIT_IN_PLACE`. slack_sdk's own handler reads only seconds and raises on a
    date. A longer wait goes back to the caller as the 429: nobody waits half a minute for a modal, and
    the outbox keeps the notice and tries again when Slack said."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429 and _wait(response) <= MAX_WAIT_IN_PLACE

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        await asyncio.sleep((_wait(response) if response is not None else timedelta(seconds=1)).total_seconds())
        state.increment_current_attempt()


def _wait(response: HttpResponse) -> timedelta:
    value = http_headers.header(response.headers, "Retry-After")
    told = http_headers.retry_after(value, cap=timedelta(days=1))
    return told if told is not None else timedelta(seconds=1 + random.random())


def sdk_logger() -> logging.Logger:
    """The logger slack_sdk's clients are given. They test `logger.level <= DEBUG`, not whether debug is
    enabled, so with their own logger (level unset, 0) they format a debug line of every request and
    answer, the whole modal or card included, only for logging to drop it: a tenth of a `/request`'s CPU."""
    logger = logging.getLogger("wrench.slack_sdk")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return logger


def http_status(error: SlackApiError) -> int | None:
    """The HTTP status of Slack's answer (slack_sdk leaves a raw aiohttp response when the body was unreadable)."""
    status = getattr(error.response, "status_code", None) or getattr(error.response, "status", None)
    return int(status) if status else None


def slack_error(error: SlackApiError) -> str:
    """Slack's error code (`channel_not_found`...), or the HTTP status when the body was not JSON."""
    data = getattr(error.response, "data", None)
    return str(data.get("error")) if isinstance(data, dict) else f"HTTP {http_status(error) or '?'}"


def mrkdwn_safe(arguments: dict[str, Any]) -> dict[str, Any]:
    """A message's `text` as Slack will read it, mrkdwn: left as it is when a builder made it (`Mrkdwn`),
    escaped whole when it is a plain string, so text that skipped the builders cannot become markup."""
    if isinstance(arguments.get("text"), str):
        return {**arguments, "text": t.safe(arguments["text"])}
    return arguments


class SlackApi:
    def __init__(self, client: AsyncWebClient, session: aiohttp.ClientSession | None = None) -> None:
        self.client = client
        self.session = session

    async def call(self, method: str, **kwargs: Any) -> Any:
        """Call a Web API method; log and return None when Slack or the network says no."""
        try:
            return await getattr(self.client, method)(**mrkdwn_safe(kwargs))
        except SlackApiError as error:
            log.warning("slack %s failed: %s", method, slack_error(error))
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack %s failed: %s", method, error or type(error).__name__)
        return None

    async def upload(
        self, channel: str, content: bytes, *, filename: str, title: str, thread_ts: str | None = None
    ) -> Any:
        """Share a file in `channel`, or in a thread of it (files_upload_v2: get an upload URL, send the
        bytes, complete)."""
        try:
            return await self.client.files_upload_v2(
                channel=channel, content=content, filename=filename, title=title, thread_ts=thread_ts
            )
        except SlackApiError as error:
            log.warning("slack files_upload_v2 failed: %s", slack_error(error))
        except (SlackRequestError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("slack files_upload_v2 failed: %s", error or type(error).__name__)
        return None

    async def display_name(self, user_id: str) -> str:
        """The person's display name, or their id when Slack does not say."""
        found = await self.call("users_info", user=user_id)
        profile = ((found or {}).get("user") or {}).get("profile") or {}
        return str(profile.get("display_name") or profile.get("real_name") or user_id)

    async def post(self, channel: str, text: str, **kwargs: Any) -> Any:
        return await self.call("chat_postMessage", channel=channel, text=text, **kwargs)

    async def permalink(self, channel: str, ts: str) -> str | None:
        found = await self.call("chat_getPermalink", channel=channel, message_ts=ts)
        return str(found["permalink"]) if found is not None else None

    async def respond(self, response_url: str, **body: Any) -> None:
        """Post to an interaction's `response_url` (ephemeral replies, replacing the clicked message)."""
        webhook = AsyncWebhookClient(response_url, session=self.session, logger=sdk_logger())
        try:
            response = await webhook.send(**mrkdwn_safe(body))
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("reply to response_url failed: %s", error or type(error).__name__)
            return
        if response.status_code != 200:
            log.warning("reply to response_url failed: %s %s", response.status_code, response.body)

    async def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """Read one message: a channel's top-level message, else a reply in a thread."""
        found = await self.call("conversations_history", channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1)
        for candidate in (found or {}).get("messages", []):
            if candidate.get("ts") == ts:
                return dict(candidate)
        # a reply: the thread's parent comes first, then the messages from `ts` on
        found = await self.call("conversations_replies", channel=channel, ts=ts, oldest=ts, inclusive=True, limit=2)
        for candidate in (found or {}).get("messages", []):
            if candidate.get("ts") == ts:
                return dict(candidate)
        return None
