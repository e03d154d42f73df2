"""`wrench sandbox` as a person starts it: one line saying where, the UI and its API answering."""

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import aiohttp

from tests.support.process import WRENCH, free_port, wrench


def sandbox_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WRENCH_", "DATABASE_URL", "PORT"))}
    return {**env, "TEST_WORKDIR": str(tmp_path)}


async def test_help_names_the_options(tmp_path: Path) -> None:
    code, output = await wrench("sandbox", "--help", env=sandbox_env(tmp_path))
    assert code == 0 and all(o in output for o in ("--port", "--empty", "--reset", "--rate-limits", "--strict"))


async def test_wrench_run_without_slack_points_at_the_sandbox(tmp_path: Path) -> None:
    code, output = await wrench("run", env=sandbox_env(tmp_path))
    assert code == 2 and "SLACK_BOT_TOKEN: is not set" in output and "wrench sandbox" in output
    assert len(output.strip().splitlines()) == 1


async def test_the_sandbox_starts_serves_and_stops(tmp_path: Path) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        WRENCH,
        "sandbox",
        "--port",
        str(port),
        "--empty",
        cwd=tmp_path,
        env=sandbox_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert line.strip() == f"Wrench sandbox on http://127.0.0.1:{port} (a local stand-in for Slack, not Slack)"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/") as response:
                assert response.status == 200 and "sandbox" in (await response.text()).lower()
            async with http.get(f"http://127.0.0.1:{port}/sandbox/api/state") as response:
                state = await response.json()
        assert state["sandbox"] and state["people"] and state["conversations"]
        assert (tmp_path / "wrench-sandbox.db").is_file()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0
