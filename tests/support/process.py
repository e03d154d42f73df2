"""`wrench` as an operator runs it: a real process, configured by environment and a wrench.yml."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Protocol

import aiohttp

from tests.support import slack_requests as sr
from tests.support.bot import FORM
from tests.support.fake_slack import BOT_TOKEN
from tests.support.org import CONFIG


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SlackApiUrl(Protocol):
    @property
    def api_url(self) -> str: ...


def wrench_env(
    tmp_path: Path, database_url: str, fake: SlackApiUrl, *, config_text: str = CONFIG, **extra: str
) -> dict[str, str]:
    config = tmp_path / "wrench.yml"
    config.write_text(config_text)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WRENCH_", "DATABASE_URL", "PORT"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": sr.SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": database_url,
            "WRENCH_CONFIG": str(config),
            "WRENCH_HOST": "127.0.0.1",
            "PORT": str(free_port()),
            "TEST_WORKDIR": str(tmp_path),  # where the commands run: outside the source tree
            **extra,
        }
    )
    return env


WRENCH = str(Path(sys.executable).with_name("wrench"))  # the installed console script


async def wrench(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run a short wrench command to completion, from outside the source tree; returns (exit code, output)."""
    process = await asyncio.create_subprocess_exec(
        WRENCH, *args, env=env, cwd=env["TEST_WORKDIR"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, output.decode()


async def start_wrench(env: dict[str, str], *args: str, log: IO[bytes] | None = None) -> asyncio.subprocess.Process:
    """Start `wrench run --mode http` (or `wrench ARGS`) and wait until /healthz answers 200. Its output
    is kept for `stop_wrench`, or written to `log` (a long run would fill the pipe and stall it)."""
    process = await asyncio.create_subprocess_exec(
        WRENCH,
        *(args or ("run", "--mode", "http")),
        env=env,
        cwd=env["TEST_WORKDIR"],
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{env['PORT']}"
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError((await process.stdout.read()).decode() if process.stdout else "exited")
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    process.kill()
    raise AssertionError("wrench did not become healthy")


async def stop_wrench(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM, as an orchestrator stops it; returns (exit code, everything it printed)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    output = await asyncio.wait_for(process.stdout.read(), 30) if process.stdout else b""
    await asyncio.wait_for(process.wait(), 30)
    return process.returncode or 0, output.decode()


@asynccontextmanager
async def running_wrench(env: dict[str, str]) -> AsyncIterator[str]:
    """Start `wrench run --mode http`, wait for /healthz, stop it with SIGTERM at the end."""
    process = await start_wrench(env)
    try:
        yield f"http://127.0.0.1:{env['PORT']}"
    finally:
        code, output = await stop_wrench(process)
    assert code == 0, output


async def post_signed(http: aiohttp.ClientSession, url: str, body: bytes) -> int:
    async with http.post(f"{url}/slack/events", data=body, headers=sr.signed_headers(body, content_type=FORM)) as r:
        return r.status
