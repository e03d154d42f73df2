"""A fake Slack Web API on 127.0.0.1: records every call and answers the way Slack does (each method's
answer in `bot.sandbox.web_api_methods`).

It also receives `response_url` posts (`/response/{key}`), and can answer 429 with Retry-After.

Every message and view it receives is checked against Block Kit's rules (`bot.sandbox.block_kit`): one
Slack would refuse is answered as Slack answers it (`invalid_blocks`, `invalid_arguments`) and kept in
`refused`, which the `fake_slack` fixture turns into a failed test (`strict=False`, the sandbox's default:
taken, with its violations listed on the call; `validate=False`: not checked at all, for a benchmark).

It keeps what each person of the workspace would see (`workspace`, `bot.sandbox.workspace`): what the bot
posted, updated and published, ephemerals, modal stacks. `exact=True` (the sandbox) answers ids it never
issued as Slack does (an unknown view, a trigger_id it did not hand out or older than 3 s); the tests'
hand-made payloads carry made-up ids, so they run with `exact=False`.
"""

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

from aiohttp import web

from bot.sandbox.block_kit import Surface, violations
from bot.sandbox.rate_limits import SlackLimits
from bot.sandbox.web_api_methods import WebApiMethods, content_type
from bot.sandbox.workspace import TRIGGER_SECONDS, Workspace

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-token"
JSON_FIELDS = ("blocks", "view", "attachments", "metadata", "files")
MESSAGES = ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage")
VIEWS = ("views.open", "views.update", "views.push", "views.publish")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    answer: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived
    violations: list[str] = field(default_factory=list)  # Block Kit rules the payload breaks


@dataclass
class FakeSlack(WebApiMethods):
    calls: list[Call] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    rate_limits: dict[str, list[int]] = field(default_factory=dict)
    base_url: str = ""
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _violations: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    socket_acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id → bytes posted to its upload URL
    file_reads: list[str] = field(default_factory=list)  # the Authorization each read of a file's bytes carried
    failures: dict[str, str] = field(default_factory=dict)  # method → the error Slack answers it with
    upload_status: int = 200  # what the upload URL answers files_upload_v2's step 2 with (500: a broken upload)
    broken_uploads: int = 0  # the next this-many uploads are answered 500, whatever upload_status says
    server_errors: dict[str, int] = field(default_factory=dict)  # method → how many more calls get HTTP 500
    latency: float = 0.0  # seconds each Web API call takes to answer (a slow Slack)
    refused: list[str] = field(default_factory=list)  # payloads Slack would refuse: method and what is wrong
    workspace: Workspace = field(default_factory=Workspace)
    strict: bool = True  # refuse a payload that breaks Block Kit's rules (False: take it, list what is wrong)
    validate: bool = True  # check payloads against Block Kit's rules at all (False: a benchmark's stand-in)
    exact: bool = False  # answer ids it never issued as Slack does (see the module's docstring)
    tiers: bool = False  # answer 429 as Slack's rate limits would (`bot.slack.pacing`: tiers, a post a second)
    rate_scale: float = 1.0  # Slack's clock this many times faster: limits allow more, Retry-After says as much
    # seconds since the epoch a message's ts starts with (the sandbox: the bot's clock, so a message is shown
    # at the time the bot thinks it is); None: a fixed base, as the tests compare nothing else
    ts_clock: Callable[[], float] | None = None
    _limits: SlackLimits = field(default_factory=SlackLimits)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    async def start(
        self, *, host: str = "127.0.0.1", port: int = 0, routes: Callable[[web.Application], None] | None = None
    ) -> None:
        """Serve on host:port (0: a free port); `routes` adds the sandbox's own pages to the same server."""
        if self.exact:
            self.workspace.trigger_seconds = TRIGGER_SECONDS
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket_mode)
        app.router.add_get("/files/{file_id}/{name}", self._file)
        if routes is not None:
            routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def seed_message(self, channel: str, ts: str, text: str, *, user: str, thread_ts: str | None = None) -> None:
        """A message a person wrote (what conversations.history will find), a reply when `thread_ts` is set."""
        self._messages[(channel, ts)] = {"type": "message", "ts": ts, "text": text, "user": user}
        self.workspace.post(channel, ts, {"text": text, "thread_ts": thread_ts}, user=user)

    def keep_upload(self, name: str, content: bytes, *, user: str) -> dict[str, Any]:
        """A file a person put in a form's file input: kept, and described as Slack's `file_input` state
        describes it (the bot keeps its id, name and permalink)."""
        file_id = f"F{next(self._ts):08d}"
        self.uploads[file_id] = content
        url = f"{self.base_url}/files/{file_id}/{quote(name)}"
        self.workspace.files[file_id] = {"name": name, "title": name, "url": url}
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": content_type(name),
            "size": len(content),
            "user": user,
            "url_private": url,
            "permalink": url,
        }

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and Retry-After."""
        self.rate_limits.setdefault(method, []).extend([retry_after] * times)

    def break_down(self, method: str, *, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 500 (Slack having a bad moment)."""
        self.server_errors[method] = self.server_errors.get(method, 0) + times

    # -- reading what happened ------------------------------------------------------------------

    def fail(self, method: str, error: str) -> None:
        """Answer every call of `method` with `{"ok": false, "error": error}` from now on."""
        self.failures[method] = error

    def find(self, method: str, **match: Any) -> list[Call]:
        return [c for c in self.calls if c.method == method and all(c.params.get(k) == v for k, v in match.items())]

    async def wait_for(self, check: Callable[[], Any], *, timeout: float = 10.0) -> Any:  # noqa: ASYNC109
        """Wait until `check()` is truthy (re-checked after every call Slack receives)."""

        async def until() -> Any:
            async with self._changed:
                while not (result := check()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(until(), timeout)

    async def wait_calls(self, method: str, count: int = 1, **match: Any) -> list[Call]:
        await self.wait_for(lambda: len(self.find(method, **match)) >= count)
        return self.find(method, **match)

    # -- Socket Mode ------------------------------------------------------------------------------

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Send an envelope over the Socket Mode connection; return the payload the app acked with."""
        await self.wait_for(lambda: self._sockets)
        envelope_id = f"env-{next(self._ts)}"
        await self._sockets[-1].send_json(
            {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        )
        ack: dict[str, Any] = await self.wait_for(lambda: self.socket_acks.get(envelope_id))
        answered: dict[str, Any] | None = ack.get("payload")
        return answered

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0WRENCH"}})
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        async for message in socket:
            acked = json.loads(message.data)
            async with self._changed:
                self.socket_acks[acked["envelope_id"]] = acked
                self._changed.notify_all()
        self._sockets.remove(socket)
        return socket

    # -- serving ----------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if request.headers.get("Authorization") != f"Bearer {token}" and params.get("token") != token:
            return await self._record(method, params, {"ok": False, "error": "invalid_auth"})
        pending = self.rate_limits.get(method)
        if not pending and self.tiers:
            pending = self._over_tier(method, params)
        if pending:
            retry_after = pending.pop(0)
            await self._record(f"{method}#429", params, {})
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        if self.server_errors.get(method):
            self.server_errors[method] -= 1
            await self._record(f"{method}#500", params, {})
            return web.Response(status=500, text="Internal Server Error")
        if method in self.failures:
            return await self._record(method, params, {"ok": False, "error": self.failures[method]})
        invalid = self._invalid(method, params)
        if invalid is not None:
            return await self._record(method, params, invalid)
        return await self._record(method, params, self._answer(method, params))

    def _over_tier(self, method: str, params: dict[str, Any]) -> list[int]:
        """[Retry-After] when this call goes over Slack's limit (`SlackLimits`), [] otherwise."""
        wait = self._limits.retry_after(method, params.get("channel"), scale=self.rate_scale)
        return [] if wait is None else [wait]

    def _invalid(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Slack's answer to a message or view it would refuse (None: nothing wrong), recorded in `refused`."""
        if not self.validate:
            return None
        surface: Surface
        if method in MESSAGES:
            payload, surface, error = params, "message", "invalid_blocks"
        elif method in VIEWS:
            view = params.get("view")
            payload = view if isinstance(view, dict) else {}
            surface = "home" if method == "views.publish" else "modal"
            error = "invalid_arguments"
        else:
            return None
        found = violations(payload, surface)
        if not found:
            return None
        if not self.strict:
            self._violations = found
            return None
        self.refused.append(f"{method}: " + "; ".join(found))
        return {"ok": False, "error": error, "response_metadata": {"messages": [f"[ERROR] {f}" for f in found]}}

    async def _record(self, method: str, params: dict[str, Any], answer: dict[str, Any]) -> web.Response:
        found, self._violations = self._violations, []
        if answer.get("response_metadata") and not answer.get("ok"):
            found = [m.removeprefix("[ERROR] ") for m in answer["response_metadata"].get("messages", [])]
        async with self._changed:
            self.calls.append(Call(method, params, answer, violations=found))
            self._changed.notify_all()
        self.workspace.changed()
        return web.json_response(answer)

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        found = violations(body, "message") if self.validate else []
        if found:
            self.refused.append("response_url: " + "; ".join(found))
            return web.Response(status=400, text="invalid_blocks")
        async with self._changed:
            self.replies.append({"key": request.match_info["key"], **body})
            self._changed.notify_all()
        known = self.workspace.respond(request.match_info["key"], body, self.next_ts())
        if self.exact and not known:
            return web.Response(status=404, text="no_such_response_url")
        return web.Response(text="ok")

    async def _file(self, request: web.Request) -> web.Response:
        """A file's bytes, as a person opens it from the message it is on."""
        body = self.uploads.get(request.match_info["file_id"])
        self.file_reads.append(request.headers.get("Authorization", ""))
        if body is None:
            raise web.HTTPNotFound()
        kind = content_type(request.match_info["name"])
        return web.Response(body=body, content_type=kind)

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the bytes, posted to the URL files.getUploadURLExternal gave."""
        body = await request.read()
        if self.broken_uploads or self.upload_status != 200:
            self.broken_uploads = max(0, self.broken_uploads - 1)
            return web.Response(status=500 if self.upload_status == 200 else self.upload_status, text="upload failed")
        async with self._changed:
            self.uploads[request.match_info["file_id"]] = body
            self._changed.notify_all()
        return web.Response(text=f"OK - {len(body)}")


async def _params(request: web.Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query)
    raw = await request.read()
    if request.content_type == "application/json":
        params: dict[str, Any] = json.loads(raw or b"{}")
    else:
        params = dict(parse_qsl(raw.decode()))
    params = {**request.query, **params}  # some methods (files.*) send their arguments in the query string
    for name in JSON_FIELDS:
        if isinstance(params.get(name), str):
            params[name] = json.loads(params[name])
    return params
