"""The fake Slack Web API (tests/support/fake_slack.py) in a process of its own, for bench/ack.py.

In production Slack's API is another machine: answering Wrench's calls (cards, `views.open`) must not
slow the process that drives the load and times the acks. So it checks no payload against Block Kit's
rules (`validate=False`: the tests do that) and runs at low priority (nice 10): on a small machine its CPU
goes to what is measured first.

    python -m bench.slack_process          prints its base URL, then serves until stdin closes

`GET /bench/calls/{method}` answers how many calls of that method it has had (`?callback_id=X`: only those
whose view has that callback_id, to tell Wrench's modals from another app's).
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from tests.support.fake_slack import FakeSlack


async def serve() -> None:
    os.nice(10)
    fake = FakeSlack(validate=False)
    await fake.start()

    async def calls(request: web.Request) -> web.Response:
        found = fake.find(request.match_info["method"])
        callback_id = request.query.get("callback_id")
        if callback_id is not None:
            found = [c for c in found if (c.params.get("view") or {}).get("callback_id") == callback_id]
        return web.json_response(len(found))

    counter = web.Application()
    counter.router.add_get("/bench/calls/{method}", calls)
    runner = web.AppRunner(counter, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(fake.base_url, f"http://127.0.0.1:{port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the bench closes it
    await runner.cleanup()
    await fake.stop()


@dataclass
class RemoteSlack:
    """The parts of FakeSlack bench/ack.py uses, for the fake running in its own process."""

    base_url: str
    counter_url: str
    http: aiohttp.ClientSession

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    async def calls(self, method: str, *, callback_id: str | None = None) -> int:
        query = {} if callback_id is None else {"callback_id": callback_id}
        async with self.http.get(f"{self.counter_url}/bench/calls/{method}", params=query) as answer:
            return int(await answer.json())


@asynccontextmanager
async def remote_slack() -> AsyncIterator[RemoteSlack]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.slack_process", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        base_url, counter_url = (await process.stdout.readline()).decode().split()
        async with aiohttp.ClientSession() as http:
            yield RemoteSlack(base_url, counter_url, http)
    finally:
        process.stdin.close()
        await process.wait()


if __name__ == "__main__":
    asyncio.run(serve())
