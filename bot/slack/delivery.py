"""How the outbox worker talks to Slack: each call that changes something is made once, paced to Slack's
rate limits (`bot.slack.pacing`), and sorted by Slack's answer into done, try again later, or given up for
good."""

import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot import http_headers
from bot.slack.pacing import Pacer, Resting
from bot.slack.web_api import SlackApi, http_status, mrkdwn_safe, slack_error

log = logging.getLogger("wrench.outbox")

# Calls that change something in Slack: made once per outbox entry, retried until Slack takes them.
SIDE_EFFECTS = frozenset({"chat_postMessage", "chat_update", "views_publish", "files_upload_v2"})
# Calls that show the same thing however often they are made (a card, a Home tab, drawn from the state
# now): kept with the steps but not saved on their own, since a try cut short may simply make them again.
REPEATABLE = frozenset({"chat_update", "views_publish"})
# Refusals that are about Slack or the token, not the call: fixed elsewhere, then the call goes through.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
    }
)
REFUSED = "refused"  # a saved step Slack refused for good: {"refused": "channel_not_found"}
MAX_RETRY_AFTER = timedelta(hours=1)  # a longer pause gives the entry back, to be tried again when it is due


class DeliveryInterrupt(Exception):
    """Stops delivering an entry; nothing on the way may swallow it (it is not an error of the notice)."""


class TryLater(DeliveryInterrupt):
    """Slack or the network refused a call for now: deliver the entry again later."""

    def __init__(self, reason: str, retry_after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class HandBack(DeliveryInterrupt):
    """The process is stopping: give the entry back before the next call; the next worker carries on."""


class LeaseLost(DeliveryInterrupt):
    """The entry's lease ran out and another worker took it: stop, it carries on from the saved steps."""


def transient(error: SlackApiError) -> bool:
    status = http_status(error) or 500  # no status: Slack's answer was not even HTTP
    return status == 429 or status >= 500 or slack_error(error) in TRANSIENT_ERRORS


def _request_failed_for_now(error: SlackRequestError) -> bool:
    """files_upload_v2 sending the bytes: a 5xx (or no answer) is for now; a 4xx is the file's fault."""
    found = re.search(r"status: (\d+)", str(error))
    return found is None or int(found.group(1)) >= 500


def _kept(method: str, response: Any) -> dict[str, Any]:
    """What later steps need from Slack's answer (a posted message's place, an uploaded file's id)."""
    data = response.data if hasattr(response, "data") else response
    data = data if isinstance(data, dict) else {}
    if method == "chat_postMessage":
        return {"channel": data.get("channel"), "ts": data.get("ts")}
    if method == "files_upload_v2":
        file = data.get("file") or {}
        return {"file": {key: file[key] for key in ("id", "name", "permalink") if key in file}}
    return {"ok": True}


class DeliveryApi(SlackApi):
    """`SlackApi` for one outbox entry.

    A side effect already made (it is in `steps`, saved before the next call, or by whatever ends the
    try, for each call that must not be made twice) is not made again: its saved answer is returned.
    A transient refusal raises `TryLater`; a permanent one is logged, noted in `failures` and answered
    with None, as `SlackApi` does, so the rest of the entry still goes out.
    Reads (permalinks, names) are not recorded: they are asked again on a retry.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        session: aiohttp.ClientSession | None,
        *,
        steps: dict[str, Any],
        save: Callable[[dict[str, Any]], Awaitable[None]],
        pacer: Pacer,
        stop: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(client, session)
        self.steps = steps
        self.save = save
        self.pacer = pacer
        self.stop = stop
        self.unsaved = False  # a call was made since the steps were last saved
        self._seen: Counter[str] = Counter()

    @property
    def failures(self) -> list[dict[str, str]]:
        """The calls Slack refused for good, on this try or an earlier one (they are saved with the steps)."""
        return [
            {"call": key, "error": str(answer[REFUSED])}
            for key, answer in self.steps.items()
            if isinstance(answer, dict) and REFUSED in answer
        ]

    async def save_made(self) -> None:
        """Save the calls made since the steps were last saved. Each call's record is written before the
        next call, or with whatever ends the try: the entry's finish, which forgets the steps, needs none
        (one write fewer per notice)."""
        if self.unsaved:
            await self.save(self.steps)
            self.unsaved = False

    async def call(self, method: str, **kwargs: Any) -> Any:
        if method not in SIDE_EFFECTS:  # a read (a permalink, a name): paced too, made again on a retry
            await self.save_made()
            await self._wait_turn(method, kwargs.get("channel"))
            return await super().call(method, **kwargs)
        safe = mrkdwn_safe(kwargs)
        return await self._once(method, safe, lambda: getattr(self.client, method)(**safe))

    async def upload(
        self, channel: str, content: bytes, *, filename: str, title: str, thread_ts: str | None = None
    ) -> Any:
        arguments = {"channel": channel, "thread_ts": thread_ts, "file": filename}
        return await self._once(
            "files_upload_v2",
            arguments,
            lambda: self.client.files_upload_v2(
                channel=channel, content=content, filename=filename, title=title, thread_ts=thread_ts
            ),
        )

    async def _wait_turn(self, method: str, channel: str | None) -> None:
        try:
            await self.pacer.wait(method, channel)
        except Resting as resting:
            raise TryLater(f"{method} {resting}", timedelta(seconds=resting.seconds)) from None

    def _key(self, method: str, arguments: dict[str, Any]) -> str:
        """The same call in the same place gets the same key on every try of the entry."""
        target = arguments.get("channel") or arguments.get("user_id") or ""
        place = arguments.get("ts") or arguments.get("thread_ts") or ""
        base = f"{method}:{target}:{place}" + (f":{arguments['file']}" if arguments.get("file") else "")
        self._seen[base] += 1
        return f"{base}#{self._seen[base]}"

    async def _once(self, method: str, arguments: dict[str, Any], make: Callable[[], Awaitable[Any]]) -> Any:
        key = self._key(method, arguments)
        if key in self.steps:
            done = self.steps[key]
            return None if isinstance(done, dict) and REFUSED in done else done
        channel = arguments.get("channel") or arguments.get("user_id")
        await self.save_made()
        if self.stop():
            raise HandBack(key)
        await self._wait_turn(method, channel)
        try:
            answer: dict[str, Any] = _kept(method, await make())
        except SlackApiError as error:
            if transient(error):
                told = http_headers.header(error.response.headers or {}, "Retry-After")
                wait = http_headers.retry_after(told, cap=MAX_RETRY_AFTER)  # Slack's seconds
                if http_status(error) == 429:
                    await self.pacer.rest(method, channel, wait.total_seconds() if wait else 1.0)
                later = self.pacer.later(wait) if wait is not None else None
                raise TryLater(f"{method}: {slack_error(error)}", later) from None
            log.warning("slack %s to %s failed for good: %s", method, channel, slack_error(error))
            answer = {REFUSED: slack_error(error)}
        except SlackRequestError as error:
            if _request_failed_for_now(error):
                raise TryLater(f"{method}: {error}") from None
            log.warning("slack %s to %s failed for good: %s", method, channel, error)
            answer = {REFUSED: str(error)[:200]}
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as error:
            raise TryLater(f"{method}: {type(error).__name__} {error}".strip()) from None
        self.steps[key] = answer
        if method not in REPEATABLE:
            self.unsaved = True
        return None if REFUSED in answer else answer
