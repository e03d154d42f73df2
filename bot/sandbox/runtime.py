"""`wrench sandbox`: the emulator of Slack and the real bot, started together, and what a person does in
the browser turned into the signed requests Slack would send to the bot's `/slack/events`.

One server (default 127.0.0.1:8080) serves the bot's Web API (`/api/`), response URLs (`/response/`),
the browser UI (`/`, `/static/`) and the UI's API (`/sandbox/api/`): `state`, `events` (server-sent) and
one verb per kind of action. The bot runs in HTTP mode on a free 127.0.0.1 port, with `SLACK_API_URL`
pointing at the emulator, a random signing secret and a clock the `clock` verb moves forward.
"""

import asyncio
import contextlib
import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from pydantic import SecretStr

from bot.config import Mode, Settings
from bot.sandbox import payloads
from bot.sandbox.clock import MovableClock, SandboxError, parse_step
from bot.sandbox.emulator import BOT_TOKEN, BOT_USER, FakeSlack
from bot.sandbox.members import channels_of, manifest_entries, people_of
from bot.sandbox.workspace import CALLS_SHOWN, ResponseTarget, Workspace, dm_of
from bot.server import Running, running
from scheduler.jobs import JOBS
from services.delivery import outbox
from services.organisation.org import Organisation

ACK_SECONDS = 3.0  # Slack waits this long for the bot's answer
SETTLE_SECONDS = 10.0  # an action's answer waits this long for the work the bot does after its ack
LATE = (
    "Wrench did not answer in time (Slack waits 3 s), so Slack shows: “{what} failed with the error operation_timeout”"
)
STATIC = Path(__file__).with_name("static")
FORM = "application/x-www-form-urlencoded"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a file a person attaches in the sandbox


@dataclass
class Sandbox:
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

    # -- serving the UI --------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._index)
        if STATIC.is_dir():
            app.router.add_static("/static/", STATIC)
        app.router.add_get("/sandbox/api/state", self._state)
        app.router.add_get("/sandbox/api/events", self._events)
        app.router.add_post("/sandbox/api/upload", self._upload)
        app.router.add_post("/sandbox/api/{verb}", self._verb)

    async def _index(self, _: web.Request) -> web.StreamResponse:
        index = STATIC / "index.html"
        if index.is_file():
            return web.FileResponse(index)
        return web.Response(
            text="<!doctype html><title>Wrench sandbox</title><p>Wrench sandbox: a local stand-in for Slack, "
            "not Slack. The browser UI is not installed; its API is at /sandbox/api/state.</p>",
            content_type="text/html",
        )

    def state(self, user: str | None) -> dict[str, Any]:
        people = self.workspace.people
        me = user if user in people else next(iter(people), user or "")
        commands, shortcuts = manifest_entries()
        calls = [
            {
                "method": c.method,
                "ok": bool(c.answer.get("ok")),
                "error": c.answer.get("error"),
                "violations": c.violations,
            }
            for c in self.emulator.calls[-CALLS_SHOWN:]
        ]
        return {
            **self.workspace.state_for(me),
            "now": self.clock().isoformat(timespec="seconds"),
            "sandbox": True,
            "calls": calls,
            "commands": commands,
            "shortcuts": shortcuts,
        }

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(self.state(request.query.get("user")))

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        feed = self.workspace.subscribe()
        try:
            await response.write(b'data: {"type": "changed"}\n\n')
            while not self.closing.is_set():
                try:
                    notice = await asyncio.wait_for(feed.get(), 1.0)
                except TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                await response.write(f"data: {json.dumps(notice)}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.workspace.unsubscribe(feed)
        return response

    async def _upload(self, request: web.Request) -> web.Response:
        """A file chosen in a form's file input (multipart: `user`, `file`), kept by the stand-in as Slack keeps
        a file a person uploads; answers the file as the form's state will carry it."""
        try:
            form = await request.post()
        except ValueError:
            return web.json_response({"ok": False, "error": "The upload was not a form"}, status=400)
        user, upload = form.get("user"), form.get("file")
        if not isinstance(user, str) or user not in self.workspace.people:
            return web.json_response({"ok": False, "error": "Pick who you are first"}, status=400)
        if not isinstance(upload, web.FileField):
            return web.json_response({"ok": False, "error": "No file in the upload"}, status=400)
        content = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return web.json_response({"ok": False, "error": "Files in the sandbox are at most 10 MB"}, status=413)
        name = Path(upload.filename or "file").name[:200] or "file"
        return web.json_response({"ok": True, "file": self.emulator.keep_upload(name, content, user=user)})

    async def _verb(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return web.json_response({"ok": False, "error": "The request was not JSON"}, status=400)
        verb = request.match_info["verb"]
        try:
            answer = await self.act(verb, body)
        except SandboxError as error:
            return web.json_response({"ok": False, "error": str(error)})
        return web.json_response({"ok": True, **answer})

    # -- what a person does ----------------------------------------------------------------------

    async def act(self, verb: str, body: dict[str, Any]) -> dict[str, Any]:
        """Do `verb` as `body["user"]`; the answer to show, or `SandboxError`."""
        actions: dict[str, Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]] = {
            "command": self.command,
            "message": self.message,
            "react": self.react,
            "shortcut": self.shortcut,
            "message_shortcut": self.message_shortcut,
            "home_opened": self.home_opened,
            "block_action": self.block_action,
            "view_submit": self.view_submit,
            "view_close": self.view_close,
            "options": self.options,
            "clock": self.move_clock,
            "dismiss": self.dismiss,
        }
        if verb not in actions:
            raise SandboxError(f"Unknown action {verb!r}")
        user = body.get("user")
        if not isinstance(user, str) or user not in self.workspace.people:
            raise SandboxError("Pick a person to act as")
        answer = await actions[verb](user, body)
        if self.bot is not None and self.bot.listeners is not None:  # what the action does after its ack
            await self.bot.listeners.settle(SETTLE_SECONDS)
        return answer

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

    async def command(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, command = str(body.get("channel") or dm_of(user)), str(body.get("command") or "")
        self._visible(user, channel)
        known = [c["command"] for c in manifest_entries()[0]]
        if command not in known:
            raise SandboxError(f"{command} is not a valid command")
        target = ResponseTarget(user, channel)
        key = self.workspace.response_key(target)
        fields = payloads.slash_command_fields(
            command,
            str(body.get("text") or ""),
            user_id=user,
            response_url=self.emulator.response_url(key),
            channel_id=channel,
        )
        fields.update(
            token="sandbox-verification-token",
            channel_name=self._channel(channel)["name"],
            user_name=self._user(user)["username"],
            trigger_id=self.workspace.issue_trigger(user),
            is_enterprise_install="false",
        )
        answer = await self.send(urlencode(fields).encode(), FORM, command)
        self._reply(user, channel, answer, target)
        return {}

    async def message(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, text = str(body.get("channel") or ""), str(body.get("text") or "")
        self._visible(user, channel)
        if not text.strip():
            raise SandboxError("Type a message first")
        thread_ts = body.get("thread_ts")
        ts = self.emulator.next_ts()
        self.emulator.seed_message(channel, ts, text, user=user, thread_ts=str(thread_ts) if thread_ts else None)
        if channel.startswith(("C", "G")):  # the bot subscribes to channel messages, not to its DMs
            event = {
                "type": "message",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": "channel" if channel.startswith("C") else "group",
            }
            if thread_ts:
                event["thread_ts"] = str(thread_ts)
            await self._event(event)
        return {"ts": ts}

    async def react(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts, name = str(body.get("channel") or ""), str(body.get("ts") or ""), str(body.get("name") or "")
        self._visible(user, channel)
        message = self.workspace.find(channel, ts)
        if message is None or not name:
            raise SandboxError("That message is gone")
        self.workspace.react(channel, ts, name, user)
        event = {
            "type": "reaction_added",
            "user": user,
            "reaction": name,
            "event_ts": self.emulator.next_ts(),
            "item": {"type": "message", "channel": channel, "ts": ts},
            "item_user": message.get("user") or BOT_USER,
        }
        await self._event(event)
        return {}

    async def shortcut(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        payload = {
            **self._base("shortcut", user),
            "callback_id": str(body.get("callback_id") or ""),
            "trigger_id": self.workspace.issue_trigger(user),
            "action_ts": f"{time.time():.6f}",
        }
        await self._interaction(payload, "The shortcut")
        return {}

    async def message_shortcut(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(body.get("channel") or ""), str(body.get("ts") or "")
        self._visible(user, channel)
        message = self.workspace.find(channel, ts)
        if message is None:
            raise SandboxError("That message is gone")
        key = self.workspace.response_key(ResponseTarget(user, channel, message_ts=ts))
        shown = {"type": "message", "ts": ts, "text": message["text"], "user": message.get("user") or BOT_USER}
        if message.get("thread_ts"):
            shown["thread_ts"] = message["thread_ts"]
        payload = {
            **self._base("message_action", user),
            "callback_id": str(body.get("callback_id") or ""),
            "channel": self._channel(channel),
            "message": shown,
            "message_ts": ts,
            "trigger_id": self.workspace.issue_trigger(user),
            "response_url": self.emulator.response_url(key),
            "action_ts": f"{time.time():.6f}",
        }
        await self._interaction(payload, "The shortcut")
        return {}

    async def home_opened(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": dm_of(user),
            "tab": "home",
            "event_ts": self.emulator.next_ts(),
        }
        if user in self.workspace.homes:
            event["view"] = self.workspace.homes[user]
        await self._event(event)
        return {}

    async def block_action(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        container, action = body.get("container") or {}, body.get("action") or {}
        if not isinstance(container, dict) or not isinstance(action, dict) or not body.get("action_id"):
            raise SandboxError("Nothing to click")
        payload = {**self._base("block_actions", user), "trigger_id": self.workspace.issue_trigger(user)}
        payload["actions"] = [
            {
                **action,
                "action_id": body["action_id"],
                "block_id": str(body.get("block_id") or ""),
                "action_ts": f"{time.time():.6f}",
            }
        ]
        state = {"values": (body.get("state") or {}).get("values", {})}
        target: ResponseTarget | None = None
        kind = container.get("type")
        if kind == "message":
            channel, ts = str(container.get("channel") or ""), str(container.get("ts") or "")
            self._visible(user, channel)
            message = self.workspace.find(channel, ts)
            if message is None:
                raise SandboxError("That message is gone")
            target = ResponseTarget(user, channel, message_ts=ts)
            payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
            payload["channel"] = self._channel(channel)
            payload["message"] = {
                "type": "message",
                "ts": ts,
                "text": message["text"],
                "blocks": message["blocks"] or [],
                "user": message.get("user") or BOT_USER,
                **({"bot_id": "B0WRENCH"} if message["bot"] else {}),
            }
            payload["state"] = state
        elif kind == "ephemeral":
            shown = self.workspace.ephemeral_by_id(user, str(container.get("id")))
            if shown is None:
                raise SandboxError("That message is gone")
            target = ResponseTarget(user, shown["channel"], ephemeral_id=shown["id"])
            payload["container"] = {
                "type": "message",
                "message_ts": shown["at"],
                "channel_id": shown["channel"],
                "is_ephemeral": True,
            }
            payload["channel"] = self._channel(shown["channel"] or dm_of(user))
            payload["state"] = state
        elif kind == "view":
            view = self._view(user, str(container.get("view_id") or ""), state)
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        else:
            raise SandboxError("Nothing to click")
        if target is not None:
            payload["response_url"] = self.emulator.response_url(self.workspace.response_key(target))
        answer = await self._interaction(payload, "The action")
        if target is not None:
            self._reply(user, target.channel, answer, target)
        return {}

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

    async def view_submit(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id") or "")
        view = self._view(user, view_id, {"values": (body.get("state") or {}).get("values", {})})
        payload = {
            **self._base("view_submission", user),
            "trigger_id": self.workspace.issue_trigger(user),
            "view": view,
            "response_urls": [],
        }
        answer = await self._interaction(payload, "Submitting the form") or {}
        action = answer.get("response_action")
        if action == "errors":
            self.workspace.show_errors(view_id, dict(answer.get("errors") or {}))
            return {"errors": answer.get("errors") or {}}
        if action == "update":
            self.workspace.update_view(view_id, answer.get("view") or {})
        elif action == "push":
            self.workspace.open_view(user, answer.get("view") or {}, push=True)
        elif action == "clear":
            self.workspace.close(user, everything=True)
        else:
            self.workspace.close(user, view_id)
        return {}

    async def view_close(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id") or "")
        view = self._view(user, view_id, {"values": (body.get("state") or {}).get("values", {})})
        self.workspace.close(user, view_id)
        if view.get("notify_on_close"):
            payload = {**self._base("view_closed", user), "view": view, "is_cleared": False}
            await self._interaction(payload, "Closing the form")
        return {}

    async def options(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        view = self._view(user, str(body.get("view_id") or ""), {"values": {}})
        payload = {
            **self._base("block_suggestion", user),
            "action_id": str(body.get("action_id") or ""),
            "block_id": str(body.get("block_id") or ""),
            "value": str(body.get("value") or ""),
            "container": {"type": "view", "view_id": view["id"]},
            "view": view,
            "action_ts": f"{time.time():.6f}",
        }
        answer = await self._interaction(payload, "Loading options") or {}
        shown: dict[str, Any] = {"options": answer.get("options") or []}
        if answer.get("option_groups"):
            shown["option_groups"] = answer["option_groups"]
        return shown

    async def dismiss(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        self.workspace.dismiss(user, str(body.get("id") or ""))
        return {}

    async def move_clock(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        """Move the bot's clock forward, run every scheduler job now, and wait for what they queued to be posted."""
        self.clock.advance(parse_step(str(body.get("advance") or ""), self.org, self.clock()))
        ran = await self.run_jobs()
        self.workspace.changed()
        return {"now": self.clock().isoformat(timespec="seconds"), "ran": ran}

    async def run_jobs(self) -> dict[str, int]:
        assert self.bot is not None
        ran = {job.__name__: await job(self.bot.deps) for job in JOBS}
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(20):
                await self._delivered()
        return ran

    async def _delivered(self) -> None:
        """Until the outbox has posted everything queued (polled: the worker tells nobody)."""
        assert self.bot is not None
        while (await self.bot.deps.db.run(outbox.status)).pending:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


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
    await emulator.start(host=host, port=port, routes=box.routes)
    try:
        settings = Settings(
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_signing_secret=SecretStr(box.secret),
            slack_app_token=None,
            slack_api_url=emulator.api_url,
            database_url=database_url,
            port=0,
            wrench_host="127.0.0.1",
            wrench_slack_pace_seconds=0,
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
