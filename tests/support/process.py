"""`wrench` as an operator runs it: a real process, configured by environment and a wrench.yml; and
`wrench_in_process`, the same command line run by the Typer app in this process, for tests about what a
command does rather than about the process that runs it."""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import IO, Protocol

import aiohttp
from typer.testing import CliRunner

from bot.cli.main import cli
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


_one_at_a_time = threading.Lock()  # a command has the process's environment, working directory and stdout


async def wrench_in_process(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """`wrench(*args, env=env)` without starting a process: the Typer app runs here, in a thread of its own
    (commands run their own event loop; the test's, serving the fake Slack or a mail server, carries on
    meanwhile), with exactly `env` as its environment and TEST_WORKDIR as its working directory (this
    process's, while the command runs: one command at a time); returns (exit code, stdout and stderr as
    written). An exception no command handles is raised here, not turned into exit code 1. Starting the
    interpreter and importing Wrench costs a second or two a command; a test that is about the installed
    script, start-up or signals runs `wrench`."""
    return await asyncio.to_thread(_invoke, args, env)


def _invoke(args: tuple[str, ...], env: dict[str, str]) -> tuple[int, str]:
    environment: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    environment.update(env)
    with _one_at_a_time:
        before = os.getcwd()
        os.chdir(env["TEST_WORKDIR"])
        try:
            with _logged_to_stderr():
                result = CliRunner().invoke(
                    cli, list(args), env=environment, catch_exceptions=False, prog_name="wrench"
                )
        finally:
            os.chdir(before)
    return result.exit_code, result.output


@contextmanager
def _logged_to_stderr() -> Iterator[None]:
    """What the command logs at WARNING and above, written to its stderr as the process would (logging
    unconfigured: Python's last-resort handler prints the message and any traceback). Only this thread's
    records: a bot running in the test's event loop meanwhile logs elsewhere."""
    handler = _StderrNow(logging.WARNING)
    thread = threading.get_ident()
    handler.addFilter(lambda record: record.thread == thread)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


class _StderrNow(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes (the command's, captured), like the last resort."""

    def __init__(self, level: int) -> None:
        logging.Handler.__init__(self, level)

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr


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
