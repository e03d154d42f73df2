"""Settle time at Slack's rate limits: bursts of card changes, beside the floor Slack's limits impose.

    python -m bench.settle                           # SQLite; PostgreSQL too when BENCH_POSTGRES_URL is set
    python -m bench.settle --cards 200 --scale 20 --viewers 2 --backend sqlite
    python -m bench.settle --bursts claim            # claims alone: CPU per Claim

The fake Slack (`bot.sandbox.emulator`, in this process) enforces Slack's published limits as
`bot.slack.pacing` lists them: each method's tier for the workspace and a message a second per channel,
each a bucket of `BURST` calls, answering 429 with Retry-After when one is exceeded. Its clock and
Wrench's run `--scale` times faster (`WRENCH_SLACK_RATE_SCALE`), so ten minutes of Slack's limits take
half a minute. Wrench (`wrench run --mode http`) runs as a process of its own.

Each scenario files `--cards` work orders (each from a requester of its own, in one team channel or
spread over several), waits until their cards are posted, and has `--viewers` managers with the Home tab
open. Then, timed: a burst of Claim clicks on every card, a burst of notes (the Add note form), and a burst
of completions (the Complete form), each burst sent once the previous one's changes are saved. It waits
until everything is delivered and prints:

- settle: from the first click to the last Web API call the changes caused;
- floor: the least time Slack's limits allow for the calls the changes need (one chat.update per card,
  each thread line, each DM, one Home publish per viewer), for each limit `(calls - BURST) / rate`,
  the largest of them; settle ÷ floor is the target (at most 1.2);
- Web API calls per change, and the 429s Slack answered (target: none);
- Wrench's CPU time (user + system, from /proc) per change, acks and delivery together (`--bursts claim`:
  the claims alone, the figure the target is set for).
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.scratch import postgres_database, sqlite_database
from blocks import card_modals
from blocks.ids import Action, Block
from bot.sandbox.emulator import FakeSlack
from bot.slack.pacing import BURST, POST_SECONDS, TIERS
from models import migrate
from models.db import Database
from models.enums import EventKind, Status
from models.schemas import RequestCreate
from models.work_orders import WorkOrder, WorkOrderEvent
from services.delivery import outbox, slack_events
from services.organisation.config_file import parse_organisation
from services.requests import service as requests
from services.work_orders import service as work_orders
from tests.support import slack_requests as sr
from tests.support.process import start_wrench, stop_wrench, wrench_env

TECH = "U0TECH1"
CONNECTIONS = 16
BURSTS = ("claim", "note", "complete")


def config(channels: int) -> str:
    """Teams t0..tN-1, each with its channel, a manager and a category; one technician works in all."""
    teams = "\n".join(
        f"  - {{key: t{n}, name: Team {n}, channel: C0TEAM{n}, managers: [U0BOSS{n}], technicians: [{TECH}]}}"
        for n in range(channels)
    )
    categories = "\n".join(f"  - {{key: c{n}, name: Kind {n}, team: t{n}}}" for n in range(channels))
    return f"timezone: Europe/London\nadmins: [U0ADMIN]\nteams:\n{teams}\ncategories:\n{categories}\n"


@dataclass
class Card:
    id: int
    channel: str
    ts: str


async def prepare(url: str, cards: int, channels: int, viewers: list[str]) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        org, now = parse_organisation(config(channels)), datetime.now(UTC)
        for user_id in viewers:
            await db.run(partial(slack_events.opened_home, user_id=user_id, now=now))
        for n in range(cards):
            request = RequestCreate(title=f"Leak {n}", category=f"c{n % channels}", description="Water on the floor")
            submit = partial(requests.submit, org=org, now=now, requester_id=f"U0STAFF{n:04d}", request=request)
            await db.run(partial(submit))
    finally:
        await db.dispose()


async def delivered(db: Database, http: aiohttp.ClientSession, wrench_url: str, *, within: float = 900) -> None:
    """Until the outbox is empty and no acknowledged click or form is still waiting for its work."""
    deadline = time.monotonic() + within
    while True:
        pending = (await db.run(outbox.status)).pending
        if not pending:
            async with http.get(f"{wrench_url}/metrics") as answer:
                text = await answer.text()
            busy = [line for line in text.splitlines() if line.startswith("wrench_slack_work_in_flight ")]
            if busy and float(busy[0].split()[-1]) == 0:
                return
        if time.monotonic() > deadline:
            raise SystemExit("Wrench did not deliver everything in time")
        await asyncio.sleep(0.1)


async def saved(db: Database, cards: list[Card], counted: Any, *, within: float = 300) -> None:
    """Until the count `counted` (a SELECT) reaches the number of cards."""
    deadline = time.monotonic() + within
    while True:
        async with db.unit_of_work() as session:
            count = await session.scalar(counted)
        if count == len(cards):
            return
        if time.monotonic() > deadline:
            raise SystemExit("the clicks were not all carried out in time")
        await asyncio.sleep(0.05)


async def send(http: aiohttp.ClientSession, wrench_url: str, bodies: list[bytes]) -> None:
    queue = iter(bodies)

    async def worker() -> None:
        for body in queue:
            headers = sr.signed_headers(body, content_type="application/x-www-form-urlencoded")
            async with http.post(f"{wrench_url}/slack/events", data=body, headers=headers) as answer:
                await answer.read()
                if answer.status != 200:
                    raise SystemExit(f"Wrench answered {answer.status}")

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))


async def forms(db: Database, cards: list[Card], build: Any, values: dict[str, Any]) -> list[bytes]:
    bodies = []
    for card in cards:
        wo = await db.run(partial(work_orders.get, work_order_id=card.id))
        bodies.append(sr.view_submission(build(wo), values, user_id=TECH))
    return bodies


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def floor_seconds(needed: Counter[str], scale: float) -> tuple[float, str]:
    """The least time the limits allow for `needed` calls of each key, and the key that sets it."""
    found = []
    for key, calls in needed.items():
        per_second = 1 / POST_SECONDS if key.startswith("post:") else TIERS[key] / 60
        found.append((max(0, calls - BURST) / (per_second * scale), key))
    return max(found)


async def scenario(
    url: str, *, cards: int, channels: int, viewers: int, scale: float, bursts: tuple[str, ...] = BURSTS
) -> dict[str, Any]:
    """Claims on every card, then the other `bursts` (notes, completions) in turn."""
    bosses = [f"U0BOSS{n % channels}" for n in range(viewers)]
    await prepare(url, cards, channels, bosses)
    fake = FakeSlack(tiers=True, rate_scale=scale, strict=False)
    await fake.start()
    db = Database(url)
    with tempfile.TemporaryDirectory(prefix="settle-") as folder:
        env = wrench_env(Path(folder), url, fake, config_text=config(channels), WRENCH_SLACK_RATE_SCALE=str(scale))
        log = (Path(folder) / "wrench.log").open("wb")
        wrench = await start_wrench(env, log=log)
        wrench_url = f"http://127.0.0.1:{env['PORT']}"
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONNECTIONS)) as http:
                await delivered(db, http, wrench_url)
                async with db.unit_of_work() as session:
                    rows = await session.execute(select(WorkOrder.id, WorkOrder.card_channel, WorkOrder.card_ts))
                shown = [Card(id_, str(channel), str(ts)) for id_, channel, ts in rows.all()]
                mark, cpu = len(fake.calls), cpu_seconds(wrench.pid)
                started = time.monotonic()
                claims = [
                    sr.block_action(
                        Action.CLAIM,
                        f"{card.id}:1",
                        user_id=TECH,
                        channel=card.channel,
                        message_ts=card.ts,
                        response_url=fake.response_url("b"),
                    )
                    for card in shown
                ]
                await send(http, wrench_url, claims)
                await saved(db, shown, select(func.count()).where(WorkOrder.assignee_id == TECH))
                if "note" in bursts:
                    note: dict[str, Any] = {Block.NOTE: sr.text_value("Valve replaced")}
                    notes = await forms(db, shown, card_modals.note_modal, note)
                    await send(http, wrench_url, notes)
                    noted = WorkOrderEvent.kind == EventKind.NOTE_ADDED
                    await saved(db, shown, select(func.count()).select_from(WorkOrderEvent).where(noted))
                if "complete" in bursts:
                    done: dict[str, Any] = {Block.RESOLUTION: sr.text_value("Fixed the leak")}
                    await send(http, wrench_url, await forms(db, shown, card_modals.complete_modal, done))
                    await saved(db, shown, select(func.count()).where(WorkOrder.status == Status.COMPLETED))
                await delivered(db, http, wrench_url)
                cpu = cpu_seconds(wrench.pid) - cpu
        finally:
            code, _ = await stop_wrench(wrench)
            log.close()
            if os.environ.get("BENCH_KEEP_LOG"):
                print((Path(folder) / "wrench.log").read_text()[-6000:], file=sys.stderr)
            await fake.stop()
            await db.dispose()
            if code != 0:
                print((Path(folder) / "wrench.log").read_text()[-3000:], file=sys.stderr)
    made = [call for call in fake.calls[mark:] if not call.method.endswith("#429")]
    settle = max(call.at for call in made) - started
    changes = len(bursts) * cards
    needed: Counter[str] = Counter({"chat.update": cards, "views.publish": viewers})
    for call in made:
        if call.method == "chat.postMessage":
            needed[f"post:{call.params.get('channel')}"] += 1
    floor, limit = floor_seconds(needed, scale)
    return {
        "cards": cards,
        "channels": channels,
        "viewers": viewers,
        "settle": settle,
        "floor": floor,
        "limit": limit,
        "calls": Counter(call.method for call in made),
        "per_change": len(made) / changes,
        "429s": sum(1 for call in fake.calls[mark:] if call.method.endswith("#429")),
        "cpu_ms": cpu * 1000 / changes,
        "bursts": bursts,
    }


def line(backend: str, found: dict[str, Any]) -> str:
    calls = ", ".join(f"{method} {count}" for method, count in sorted(found["calls"].items()))
    return (
        f"{backend:10} {found['cards']:>5} cards in {found['channels']} channel(s), {found['viewers']} viewers: "
        f"settle {found['settle']:6.1f} s, floor {found['floor']:6.1f} s ({found['limit']}), "
        f"settle/floor {found['settle'] / found['floor']:.2f}, {found['per_change']:.2f} calls/change, "
        f"429s {found['429s']}, CPU {found['cpu_ms']:.1f} ms/change ({'+'.join(found['bursts'])})\n    {calls}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 4], help="scenarios: channels per burst")
    parser.add_argument("--viewers", type=int, default=2, help="managers with the Home tab open")
    parser.add_argument("--scale", type=float, default=20, help="Slack's clock runs this many times faster")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--bursts", choices=BURSTS, nargs="+", default=list(BURSTS), help="claim always; notes and completions if named"
    )
    args = parser.parse_args()
    server = os.environ.get("BENCH_POSTGRES_URL")
    if args.backend == "postgresql" and not server:
        raise SystemExit("set BENCH_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/postgres")
    backends = [b for b in ("sqlite", "postgresql") if args.backend in (b, "both") and (b == "sqlite" or server)]
    print(
        f"settle at Slack's limits run {args.scale:g} times faster, {date.today()}, {os.cpu_count()} CPUs,"
        f" burst {BURST}"
    )
    bursts = tuple(kind for kind in BURSTS if kind == "claim" or kind in args.bursts)
    ratios: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.runs):
        for backend in backends:
            for channels in args.channels:
                run = partial(
                    scenario, cards=args.cards, channels=channels, viewers=args.viewers, scale=args.scale, bursts=bursts
                )
                if backend == "sqlite":
                    async with sqlite_database() as url:
                        found = await run(url)
                else:
                    assert server is not None
                    async with postgres_database(server) as url:
                        found = await run(url)
                print(line(backend, found), flush=True)
                ratios.setdefault((backend, channels), []).append(found["settle"] / found["floor"])
    if args.runs > 1:
        for (backend, channels), measured in ratios.items():
            print(f"{backend} {channels} channel(s): settle/floor median {statistics.median(measured):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
