"""The APScheduler that runs the jobs: one instance per job at a time, missed runs coalesced, a first
run at start (catch-up after downtime), and a stop that lets running jobs finish."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.jobs import JOBS
from services.ports import Deps

log = logging.getLogger("wrench.scheduler")
STOP_GRACE_SECONDS = 20
JobObserver = Callable[[str, float, bool], None]  # (job, seconds it took, whether it raised)


class Scheduler:
    """AsyncIOScheduler plus what it lacks: `stop()` waits for jobs in flight (APScheduler 3 would
    cancel them mid-transaction, and the database would be closed under them)."""

    def __init__(self, deps: Deps, *, tick_seconds: int, on_job_done: JobObserver | None = None) -> None:
        self.running: set[asyncio.Task[Any]] = set()
        self.on_job_done = on_job_done
        self._ran: set[str] = set()
        self._first_round = asyncio.Event()  # every job has run once (the catch-up at start)
        self.apscheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": tick_seconds},
        )
        started = datetime.now(UTC)
        for job in JOBS:
            self.apscheduler.add_job(
                self._tracked(job),
                "interval",
                seconds=tick_seconds,
                args=[deps],
                id=job.__name__,
                name=job.__name__,
                replace_existing=True,
                next_run_time=started,  # catch up at start (after downtime) instead of a tick later
            )

    def _tracked(self, job: Callable[[Deps], Awaitable[int]]) -> Callable[[Deps], Awaitable[int]]:
        async def run(deps: Deps) -> int:
            task = asyncio.current_task()
            if task is not None:
                self.running.add(task)
            started = time.perf_counter()
            failed = True
            try:
                done = await job(deps)
                failed = False
                return done
            finally:
                if task is not None:
                    self.running.discard(task)
                self._ran.add(job.__name__)
                if len(self._ran) == len(JOBS):
                    self._first_round.set()
                if self.on_job_done is not None:
                    self.on_job_done(job.__name__, time.perf_counter() - started, failed)

        run.__name__ = job.__name__
        return run

    async def first_round(self) -> None:
        """Wait until every job has run once since start."""
        await self._first_round.wait()

    def start(self) -> None:
        self.apscheduler.start()

    async def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        self.apscheduler.pause()
        if self.running:
            _, pending = await asyncio.wait(set(self.running), timeout=grace_seconds)
            if pending:
                log.warning("%d jobs still running after %ss; stopping them", len(pending), grace_seconds)
        self.apscheduler.shutdown(wait=False)


def build_scheduler(deps: Deps, *, tick_seconds: int, on_job_done: JobObserver | None = None) -> Scheduler:
    return Scheduler(deps, tick_seconds=tick_seconds, on_job_done=on_job_done)
