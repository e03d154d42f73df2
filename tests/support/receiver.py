"""A webhook receiver for tests: an aiohttp server on a free port that checks each delivery's signature
the way docs/webhooks.md tells receivers to (its own HMAC code, not Wrench's), records it, and answers
with the statuses a test queues (200 once the queue is empty)."""

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SECRET = "receiver-secret-0123456789"


@dataclass
class Delivery:
    headers: dict[str, str]
    body: dict[str, Any]
    signature_ok: bool
    answered: int


@dataclass
class Receiver:
    answers: list[int] = field(default_factory=list)  # statuses to give, in order; then 200
    hold: asyncio.Event | None = None  # set: answer; unset: keep the sender waiting
    deliveries: list[Delivery] = field(default_factory=list)
    waiting: int = 0  # deliveries held unanswered now
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self.runner is not None:
            await self.runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        raw = await request.read()
        timestamp = request.headers.get("X-Wrench-Timestamp", "0")
        expected = "v1=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        # (a real receiver also refuses a timestamp far from its own clock; tests run on a frozen one)
        ok = hmac.compare_digest(expected, request.headers.get("X-Wrench-Signature", ""))
        status = self.answers.pop(0) if self.answers else 200
        if not ok:
            status = 401
        if self.hold is not None:
            async with self.arrived:
                self.waiting += 1
                self.arrived.notify_all()
            try:
                await self.hold.wait()
            finally:
                self.waiting -= 1
        async with self.arrived:
            self.deliveries.append(Delivery(dict(request.headers), json.loads(raw), ok, status))
            self.arrived.notify_all()
        return web.Response(status=status, text="nope" if status >= 300 else "ok")

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.deliveries) >= count), timeout)
        return list(self.deliveries)

    async def until_waiting(self) -> None:
        async with self.arrived:
            await self.arrived.wait_for(lambda: self.waiting > 0)

    def delivered(self) -> list[Delivery]:
        return [d for d in self.deliveries if 200 <= d.answered < 300]
