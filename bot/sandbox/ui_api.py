"""The browser UI's side of the sandbox's server: the page (`/`, `/static/`) and its API under
`/sandbox/api/`: `state` (what one person sees), `events` (server-sent: something changed), `upload` (a
file chosen in a form) and one POST per verb, which `Sandbox.act` carries out. Added to the emulator's
own server, so one port serves both Slack's Web API and the UI.
"""

import asyncio
import json
from pathlib import Path

from aiohttp import web

from bot.sandbox import contractor_proxy
from bot.sandbox.clock import SandboxError
from bot.sandbox.runtime import Sandbox

STATIC = Path(__file__).with_name("static")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a file a person attaches in the sandbox


class UiApi:
    """Serves one `Sandbox` to the browser; `routes` is what the emulator adds to its server."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._index)
        if STATIC.is_dir():
            app.router.add_static("/static/", STATIC)
        app.router.add_get("/sandbox/api/state", self._state)
        app.router.add_get("/sandbox/api/events", self._events)
        app.router.add_post("/sandbox/api/upload", self._upload)
        app.router.add_post("/sandbox/api/{verb}", self._verb)
        contractor_proxy.routes(app, self._bot_url, lambda: self.box.http)

    def _bot_url(self) -> str | None:
        return self.box.bot_url if self.box.bot is not None else None

    async def _index(self, _: web.Request) -> web.StreamResponse:
        index = STATIC / "index.html"
        if index.is_file():
            return web.FileResponse(index)
        return web.Response(
            text="<!doctype html><title>Wrench sandbox</title><p>Wrench sandbox: a local stand-in for Slack, "
            "not Slack. The browser UI is not installed; its API is at /sandbox/api/state.</p>",
            content_type="text/html",
        )

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(self.box.state(request.query.get("user")))

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        feed = self.box.workspace.subscribe()
        try:
            await response.write(b'data: {"type": "changed"}\n\n')
            while not self.box.closing.is_set():
                try:
                    notice = await asyncio.wait_for(feed.get(), 1.0)
                except TimeoutError:
                    await response.write(b": still here\n\n")
                    continue
                await response.write(f"data: {json.dumps(notice)}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.box.workspace.unsubscribe(feed)
        return response

    async def _upload(self, request: web.Request) -> web.Response:
        """A file chosen in a form's file input (multipart: `user`, `file`), kept by the stand-in as Slack keeps
        a file a person uploads; answers the file as the form's state will carry it."""
        try:
            form = await request.post()
        except ValueError:
            return web.json_response({"ok": False, "error": "The upload was not a form"}, status=400)
        user, upload = form.get("user"), form.get("file")
        if not isinstance(user, str) or user not in self.box.workspace.people:
            return web.json_response({"ok": False, "error": "Pick who you are first"}, status=400)
        if not isinstance(upload, web.FileField):
            return web.json_response({"ok": False, "error": "No file in the upload"}, status=400)
        content = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return web.json_response({"ok": False, "error": "Files in the sandbox are at most 10 MB"}, status=413)
        name = Path(upload.filename or "file").name[:200] or "file"
        return web.json_response({"ok": True, "file": self.box.emulator.keep_upload(name, content, user=user)})

    async def _verb(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return web.json_response({"ok": False, "error": "The request was not JSON"}, status=400)
        verb = request.match_info["verb"]
        try:
            answer = await self.box.act(verb, body)
        except SandboxError as error:
            return web.json_response({"ok": False, "error": str(error)})
        return web.json_response({"ok": True, **answer})
