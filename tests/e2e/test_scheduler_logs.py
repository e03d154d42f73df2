"""The scheduler's logs: one INFO line per job run that did something, saying what; nothing for a run
that did nothing; APScheduler's own line per run only when the operator asks for DEBUG."""

import logging

import pytest

from bot.cli.main import configure_logging
from bot.config import LogLevel
from scheduler import jobs
from tests.conftest import FrozenClock
from tests.e2e.flow import file_request
from tests.support.bot import BotClient


def scheduler_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = [r.getMessage() for r in caplog.records if r.name == "wrench.scheduler" and r.levelno == logging.INFO]
    caplog.clear()
    return lines


async def test_a_job_run_logs_one_line_when_it_did_something(
    bot: BotClient, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wrench.scheduler")
    deps = bot.running.deps
    await file_request(bot, priority="urgent")  # respond in 15 min, resolve in 4 h
    await file_request(bot, priority="urgent")
    await file_request(bot, priority="high")  # resolve in 1 d: warned at 75 %
    assert await jobs.check_sla(deps) == 0
    assert scheduler_lines(caplog) == []  # nothing done, nothing said
    clock.advance(minutes=30)  # the urgent ones missed their response target
    assert await jobs.check_sla(deps) == 2
    assert scheduler_lines(caplog) == ["SLA watch: 2 escalations"]
    assert await jobs.check_sla(deps) == 0
    assert scheduler_lines(caplog) == []
    clock.advance(hours=18)  # 75 % of the high one's day (and its response missed); the urgent ones at level 2
    assert await jobs.check_sla(deps) == 4
    assert scheduler_lines(caplog) == ["SLA watch: 1 warning, 3 escalations"]
    for job in (jobs.generate_pm, jobs.close_unconfirmed, jobs.post_digests, jobs.send_morning_dms):
        await job(deps)
    assert scheduler_lines(caplog) == []


@pytest.mark.parametrize(("level", "apscheduler_info"), [(LogLevel.INFO, False), (LogLevel.DEBUG, True)])
def test_apscheduler_is_quiet_unless_debug_is_asked_for(
    level: LogLevel, apscheduler_info: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger("apscheduler")
    monkeypatch.setattr(logger, "level", logger.level)  # restored after the test
    configure_logging(level)
    executor = logging.getLogger("apscheduler.executors.default")  # "Running job ..." lines come from here
    assert executor.isEnabledFor(logging.INFO) is apscheduler_info
    assert executor.isEnabledFor(logging.WARNING)
