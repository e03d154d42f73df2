"""Scheduled jobs (preventive maintenance, SLA escalation, digests): not built yet, see issue #4.

Jobs will be plain `async def run_x(deps, now) -> int` functions calling services, wired by
`scheduler/setup.py` into an APScheduler AsyncIOScheduler (ARCHITECTURE.md section 1).
"""
