"""Job functions: each runs its service calls in one transaction, which also queues what Slack must be
told (the outbox worker delivers it), so a job that committed has told everyone it owes, exactly once.

Jobs are safe to run on several replicas at once: a work order changed by two of them at the same
moment is caught by its version column, and the retry finds nothing left to do.
"""

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from functools import partial

from models.enums import EventKind
from models.schemas import Change
from services.maintenance import pm_generation
from services.ports import Deps
from services.reporting import digest, morning
from services.sla import watch
from services.work_orders import lifecycle

log = logging.getLogger("wrench.scheduler")


def counted(amount: int, one: str, many: str | None = None) -> str:
    return f"{amount} {one if amount == 1 else many or one + 's'}"


def report(job: str, *parts: tuple[int, str, str | None]) -> None:
    """One INFO line for a run that did something (`SLA watch: 2 warnings, 1 escalation`); none otherwise.
    APScheduler's own line per run is kept at DEBUG (see `bot.cli.main.configure_logging`)."""
    done = [counted(amount, one, many) for amount, one, many in parts if amount]
    if done:
        log.info("%s: %s", job, ", ".join(done))


async def close_unconfirmed(deps: Deps) -> int:
    """Close completed work nobody confirmed or reopened in time; returns how many closed."""
    closed = len(await _changes(deps, lifecycle.close_unconfirmed))
    report("auto-close", (closed, "unconfirmed work order closed", "unconfirmed work orders closed"))
    return closed


SLA_STEPS = (
    (EventKind.SLA_WARNING, "warning"),
    (EventKind.ESCALATED, "escalation"),
    (EventKind.SLA_REMINDER, "reminder"),
)


async def check_sla(deps: Deps) -> int:
    """Warn, mark breaches and escalate; returns how many work orders were warned, escalated or reminded about."""
    found = await _changes(deps, watch.check)
    kinds = Counter(event.kind for change in found for event in change.events)
    report("SLA watch", *((kinds[kind.value], name, None) for kind, name in SLA_STEPS))
    return len(found)


async def generate_pm(deps: Deps) -> int:
    """Turn due PM schedules into work orders (posted like any card); returns how many were created."""
    run = await deps.db.run(partial(pm_generation.check, org=deps.org, now=deps.clock()))
    report("PM", (len(run.created), "preventive work order created", "preventive work orders created"))
    return len(run.created)


async def _changes(deps: Deps, service: Callable[..., Awaitable[list[Change]]]) -> list[Change]:
    """Run `service(session, org=, now=)` in one transaction (each change queues its own notice)."""
    return await deps.db.run(partial(service, org=deps.org, now=deps.clock()))


async def post_digests(deps: Deps) -> int:
    """Queue each digest whose local time has come today, once per day across replicas and restarts."""
    now, posted = deps.clock(), 0
    for due, local_date in digest.due(deps.org, now):
        posted += await deps.db.run(partial(digest.queue, org=deps.org, due=due, local_date=local_date, now=now))
    report("digests", (posted, "digest queued", "digests queued"))
    return posted


async def send_morning_dms(deps: Deps) -> int:
    """Each opted-in person's open work, most overdue first, once per working day; nothing when they have none."""
    today = morning.due_date(deps.org, deps.clock())
    if today is None:
        return 0
    sent = await deps.db.run(partial(morning.queue, today=today, now=deps.clock()))
    report("morning DMs", (sent, "morning DM queued", "morning DMs queued"))
    return sent


# What runs: every job on every tick (`WRENCH_TICK_SECONDS`), each deciding for itself whether
# anything is due. Each claims its work with a conditional UPDATE or a unique key, so several schedulers
# run it once (see the module docstring of each service it calls).
JOBS: tuple[Callable[[Deps], Awaitable[int]], ...] = (
    generate_pm,
    check_sla,
    close_unconfirmed,
    post_digests,
    send_morning_dms,
)
