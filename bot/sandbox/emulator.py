"""A fake Slack Web API on 127.0.0.1: records every call and answers the way Slack does.

It also receives `response_url` posts (`/response/{key}`), and can answer 429 with Retry-After.

Every message and view it receives is checked against Block Kit's rules (`bot.sandbox.block_kit`): one
Slack would refuse is answered as Slack answers it (`invalid_blocks`, `invalid_arguments`) and kept in
`refused`, which the `fake_slack` fixture turns into a failed test.
"""

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bot.sandbox.block_kit import Surface, violations

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-token"
BOT_USER = "U0WRENCHBOT"
JSON_FIELDS = ("blocks", "view", "attachments", "metadata", "files")
MESSAGES = ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage")
VIEWS = ("views.open", "views.update", "views.push", "views.publish")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    answer: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    rate_limits: dict[str, list[int]] = field(default_factory=dict)
    base_url: str = ""
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _used_triggers: set[str] = field(default_factory=set)
    _runner: web.AppRunner | None = None
    socket_acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)  # file id → bytes posted to its upload URL
    failures: dict[str, str] = field(default_factory=dict)  # method → the error Slack answers it with
    upload_status: int = 200  # what the upload URL answers files_upload_v2's step 2 with (500: a broken upload)
    broken_uploads: int = 0  # the next this-many uploads are answered 500, whatever upload_status says
    server_errors: dict[str, int] = field(default_factory=dict)  # method → how many more calls get HTTP 500
    latency: float = 0.0  # seconds each Web API call takes to answer (a slow Slack)
    refused: list[str] = field(default_factory=list)  # payloads Slack would refuse: method and what is wrong

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket_mode)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def seed_message(self, channel: str, ts: str, text: str, *, user: str) -> None:
        """A message people wrote before the test (what conversations.history will find)."""
        self._messages[(channel, ts)] = {"type": "message", "ts": ts, "text": text, "user": user}

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
        ack = await self.wait_for(lambda: self.socket_acks.get(envelope_id))
        return ack.get("payload")

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

    def _invalid(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Slack's answer to a message or view it would refuse (None: nothing wrong), recorded in `refused`."""
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
        self.refused.append(f"{method}: " + "; ".join(found))
        return {"ok": False, "error": error, "response_metadata": {"messages": [f"[ERROR] {f}" for f in found]}}

    async def _record(self, method: str, params: dict[str, Any], answer: dict[str, Any]) -> web.Response:
        async with self._changed:
            self.calls.append(Call(method, params, answer))
            self._changed.notify_all()
        return web.json_response(answer)

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        found = violations(body, "message")
        if found:
            self.refused.append("response_url: " + "; ".join(found))
            return web.Response(status=400, text="invalid_blocks")
        async with self._changed:
            self.replies.append({"key": request.match_info["key"], **body})
            self._changed.notify_all()
        return web.Response(text="ok")

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

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.base_url.replace('http', 'ws', 1)}/link?ticket={next(self._ts)}"}
        if method == "auth.test":
            return {
                "ok": True,
                "user": "wrench",
                "user_id": BOT_USER,
                "team": "Test Co",
                "team_id": "T0TEST",
                "bot_id": "B0WRENCH",
                "url": "https://test.slack.com/",
            }
        if method == "chat.postMessage":
            if not params.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            channel = params["channel"]
            channel = "D" + channel[1:] if channel.startswith(("U", "W")) else channel
            ts = f"1700000000.{next(self._ts):06d}"
            self._messages[(channel, ts)] = params
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, "text": params.get("text")}}
        if method == "chat.update":
            key = (params.get("channel"), params.get("ts"))
            if key not in self._messages:
                return {"ok": False, "error": "message_not_found"}
            self._messages[key] = params  # type: ignore[index]
            return {"ok": True, "channel": key[0], "ts": key[1]}
        if method == "chat.getPermalink":
            channel, ts = params.get("channel"), str(params.get("message_ts", ""))
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "views.open":
            trigger = params.get("trigger_id")
            if not trigger or trigger in self._used_triggers:
                return {"ok": False, "error": "invalid_trigger_id" if trigger else "invalid_arguments"}
            self._used_triggers.add(trigger)
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **params.get("view", {})}}
        if method in ("conversations.history", "conversations.replies"):
            ts = params.get("latest") or params.get("ts")
            found = self._messages.get((str(params.get("channel")), str(ts)))
            if found is None:
                return {"ok": True, "messages": []}
            return {"ok": True, "messages": [{"type": "message", "ts": ts, **found}]}
        if method == "files.getUploadURLExternal":
            if not params.get("filename") or not params.get("length"):
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = params.get("files") or []
            if not files or any(f.get("id") not in self.uploads for f in files):
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "users.info":
            user = str(params.get("user", ""))
            return {"ok": True, "user": {"id": user, "profile": {"display_name": f"{user.lower()}-name"}}}
        if method in ("views.update", "views.publish"):
            return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **params.get("view", {})}}
        return {"ok": False, "error": "unknown_method"}


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
