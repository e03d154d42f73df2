"""The APScheduler that runs the jobs: one instance per job at a time, missed runs coalesced."""

from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler import jobs
from services.ports import Deps


def build_scheduler(deps: Deps, *, tick_seconds: int) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": tick_seconds},
    )
    scheduler.add_job(
        jobs.close_unconfirmed,
        "interval",
        seconds=tick_seconds,
        args=[deps],
        id="close_unconfirmed",
        replace_existing=True,
    )
    return scheduler
