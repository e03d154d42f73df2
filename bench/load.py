"""Sustained load for bench/ack.py: pre-signed requests sent for a fixed time over a fixed number of
connections, by wrk (far cheaper on a small machine) or by a Python client in a process of its own.

    python -m bench.load URL BODIES CONNECTIONS SECONDS     (the Python client; prints one JSON line)

BODIES is a file of signed requests, one a line: signature, timestamp and form-encoded body separated by
tabs. Each connection goes through its own share of them in order and starts again from its first when
it reaches the end (`wrapped` counts those restarts). Slack's signatures stay valid for 5 minutes, so a
file is written just before it is used. Both clients print the same figures: requests answered 200,
seconds, p50 and p99 latency in ms, answers other than 200, and socket errors.

wrk is Debian's package `wrk` (`apt-get install wrk`); the Python client needs nothing more.
"""

import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Any

import aiohttp

from tests.support import slack_requests as sr

CONTENT_TYPE = "application/x-www-form-urlencoded"

LUA = r"""
local threads, wrk_threads = {}, tonumber(os.getenv("ACK_THREADS"))
local mine, next_one = {}, 1
wrapped = 0

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local n = 0
  for line in io.lines(os.getenv("ACK_BODIES")) do
    if n % wrk_threads == number then
      local signature, timestamp, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      mine[#mine + 1] = wrk.format("POST", "/slack/events", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Slack-Signature"] = signature,
        ["X-Slack-Request-Timestamp"] = timestamp,
      }, body)
    end
    n = n + 1
  end
end

function request()
  local r = mine[next_one]
  next_one = next_one + 1
  if next_one > #mine then next_one, wrapped = 1, wrapped + 1 end
  return r
end

function done(summary, latency, requests)
  local wraps = 0
  for _, thread in ipairs(threads) do wraps = wraps + thread:get("wrapped") end
  local e = summary.errors
  io.write(string.format(
    '\nACK-JSON {"answered": %d, "seconds": %.3f, "p50": %.3f, "p99": %.3f, "not_200": %d, ' ..
    '"socket_errors": %d, "wrapped": %d}\n',
    summary.requests - e.status, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout, wraps))
end
"""


def write_bodies(path: Path, bodies: list[bytes]) -> None:
    """Sign `bodies` now and write them as the clients read them."""
    with path.open("w") as out:
        for body in bodies:
            headers = sr.signed_headers(body, content_type=CONTENT_TYPE)
            out.write(f"{headers['X-Slack-Signature']}\t{headers['X-Slack-Request-Timestamp']}\t{body.decode()}\n")


def wrk_threads(connections: int) -> int:
    return min(2, connections)


async def run(client: str, url: str, bodies: Path, connections: int, seconds: float) -> dict[str, Any]:
    """Load `url` for `seconds`; the figures the client printed."""
    if client == "wrk":
        wrk = shutil.which("wrk")
        if wrk is None:
            raise SystemExit("wrk is not installed: apt-get install wrk (or run with --client python)")
        script = bodies.with_suffix(".lua")
        script.write_text(LUA)
        threads = wrk_threads(connections)
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script)]
        env = {"ACK_BODIES": str(bodies), "ACK_THREADS": str(threads), "PATH": "/usr/bin:/bin"}
        command.append(url)
    else:
        command = [sys.executable, "-m", "bench.load", url, str(bodies), str(connections), str(seconds)]
        env = None
    process = await asyncio.create_subprocess_exec(
        *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=Path(__file__).parents[1]
    )
    out, err = await process.communicate()
    lines = [line for line in out.decode().splitlines() if line.startswith("ACK-JSON ")]
    if process.returncode != 0 or not lines:
        raise SystemExit(f"{command[0]} failed ({process.returncode}): {err.decode()[-2000:]}{out.decode()[-2000:]}")
    figures: dict[str, Any] = json.loads(lines[-1].removeprefix("ACK-JSON "))
    return figures


def read_bodies(path: Path) -> list[tuple[bytes, dict[str, str]]]:
    found = []
    for line in path.read_text().splitlines():
        signature, timestamp, body = line.split("\t", 2)
        headers = {"Content-Type": CONTENT_TYPE, "X-Slack-Signature": signature, "X-Slack-Request-Timestamp": timestamp}
        found.append((body.encode(), headers))
    return found


async def python_client(url: str, bodies: Path, connections: int, seconds: float) -> dict[str, Any]:
    """The Python client: `connections` workers, each with its share of the bodies, until `seconds` pass."""
    every = read_bodies(bodies)
    latencies: list[float] = []
    not_200 = socket_errors = wrapped = 0
    deadline = time.perf_counter() + seconds

    async def worker(http: aiohttp.ClientSession, number: int) -> None:
        nonlocal not_200, socket_errors, wrapped
        mine = list(islice(every, number, None, connections)) or every
        while True:
            for body, headers in mine:
                if time.perf_counter() >= deadline:
                    return
                started = time.perf_counter()
                try:
                    async with http.post(f"{url}/slack/events", data=body, headers=headers) as answer:
                        await answer.read()
                        if answer.status != 200:
                            not_200 += 1
                            continue
                except aiohttp.ClientError:
                    socket_errors += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
            wrapped += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as http:
        await asyncio.gather(*(worker(http, n) for n in range(connections)))
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    return {
        "answered": len(latencies),
        "seconds": time.perf_counter() - started,
        "p50": quantiles[49],
        "p99": quantiles[98],
        "not_200": not_200,
        "socket_errors": socket_errors,
        "wrapped": wrapped,
    }


if __name__ == "__main__":
    url, path, connections, seconds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    print("ACK-JSON " + json.dumps(asyncio.run(python_client(url, path, connections, seconds))), flush=True)
