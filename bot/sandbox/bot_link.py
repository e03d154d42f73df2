"""The sandbox's parts (the emulator, the bot's clock, the running bot and an HTTP session to it) and the
link from them to the bot: a person, a channel or a view described as Slack describes them, a request
signed and posted to the bot's `/slack/events` with Slack's 3 s wait, and the bot's answer shown as Slack
shows it. `bot.sandbox.runtime` builds each person's action on this.
"""

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.sandbox import payloads
from bot.sandbox.clock import MovableClock, SandboxError
from bot.sandbox.emulator import FakeSlack
from bot.sandbox.web_api_methods import BOT_USER
from bot.sandbox.workspace import ResponseTarget, Workspace
from bot.server import Running
from services.organisation.org import Organisation

ACK_SECONDS = 3.0  # Slack waits this long for the bot's answer
LATE = (
    "Wrench did not answer in time (Slack waits 3 s), so Slack shows: “{what} failed with the error operation_timeout”"
)
FORM = "application/x-www-form-urlencoded"


@dataclass
class BotLink:
    """What a sandbox is made of, and how a request reaches the bot from it as it would from Slack."""

    org: Organisation
    emulator: FakeSlack
    clock: MovableClock
    secret: str
    ack_seconds: float = ACK_SECONDS
    bot: Running | None = None
    http: aiohttp.ClientSession | None = None
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def workspace(self) -> Workspace:
        return self.emulator.workspace

    @property
    def url(self) -> str:
        return self.emulator.base_url

    @property
    def bot_url(self) -> str:
        assert self.bot is not None
        return f"http://127.0.0.1:{self.bot.port}"

    def _user(self, user: str) -> dict[str, Any]:
        name = self.workspace.person(user).name
        username = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") or user.lower()
        return {"id": user, "username": username, "name": username, "team_id": payloads.TEAM["id"]}

    def _channel(self, channel: str) -> dict[str, str]:
        known = self.workspace.channels.get(channel)
        return {"id": channel, "name": known.name if known else ("directmessage" if channel[0] == "D" else channel)}

    def _base(self, kind: str, user: str) -> dict[str, Any]:
        return {
            "type": kind,
            "team": dict(payloads.TEAM),
            "user": self._user(user),
            "api_app_id": "A0WRENCH",
            "token": "sandbox-verification-token",
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def _visible(self, user: str, channel: str) -> None:
        if not channel or not self.workspace.sees(user, channel):
            raise SandboxError("You are not in that conversation")

    async def send(self, body: bytes, content_type: str, what: str) -> dict[str, Any] | None:
        """POST a signed body to the bot as Slack does; its answer (None when empty), or `SandboxError`
        when it is late (Slack waits 3 s) or not a success."""
        assert self.http is not None
        timestamp = int(time.time())
        headers = payloads.signed_headers(body, content_type=content_type, timestamp=timestamp, secret=self.secret)
        try:
            async with asyncio.timeout(self.ack_seconds):
                async with self.http.post(f"{self.bot_url}/slack/events", data=body, headers=headers) as response:
                    text = await response.text()
        except TimeoutError:
            raise SandboxError(LATE.format(what=what)) from None
        except aiohttp.ClientError as error:
            raise SandboxError(f"Wrench cannot be reached ({error})") from None
        if response.status != 200:
            raise SandboxError(f"{what} failed: Wrench answered HTTP {response.status}")
        if not text.strip():
            return None
        try:
            answer = json.loads(text)
        except ValueError:
            return {"text": text}
        return answer if isinstance(answer, dict) else None

    async def _interaction(self, payload: dict[str, Any], what: str) -> dict[str, Any] | None:
        return await self.send(payloads.interaction(payload), FORM, what)

    async def _event(self, event: dict[str, Any]) -> None:
        body = json.loads(payloads.event_callback(event))
        body["authorizations"] = [{"team_id": payloads.TEAM["id"], "user_id": BOT_USER, "is_bot": True}]
        await self.send(json.dumps(body).encode(), "application/json", "The event")

    def _reply(self, user: str, channel: str | None, answer: dict[str, Any] | None, target: ResponseTarget) -> None:
        """A message in the bot's answer (a slash command's or a click's) shows as a response_url reply would."""
        if answer and (answer.get("text") or answer.get("blocks")):
            key = self.workspace.response_key(target)
            self.workspace.respond(key, answer, self.emulator.next_ts())

    def _view(self, user: str, view_id: str, state: dict[str, Any]) -> dict[str, Any]:
        """A modal or Home tab of `user` as Slack sends it along: with its state, hash and team."""
        found = self.workspace.owner_of(view_id)
        if found is not None and found[0] == user:
            stack = self.workspace.modals[user]
            view = dict(found[1].view)
            view.setdefault("type", "modal")
            view["root_view_id"] = stack[0].view_id
            view["previous_view_id"] = stack[stack.index(found[1]) - 1].view_id if stack.index(found[1]) else None
        elif self.workspace.homes.get(user, {}).get("id") == view_id:
            view = dict(self.workspace.homes[user])
            view.setdefault("type", "home")
        else:
            raise SandboxError("That window is closed")
        view.update(
            team_id=payloads.TEAM["id"],
            app_id="A0WRENCH",
            bot_id="B0WRENCH",
            state=state,
            hash=f"{int(time.time())}.{view['id']}",
        )
        view.setdefault("private_metadata", "")
        view.setdefault("callback_id", "")
        return view
