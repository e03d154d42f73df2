"""The Slack clients Wrench makes do not build debug lines that logging would drop."""

import logging
from types import SimpleNamespace

import aiohttp

from bot.server import make_client
from bot.slack.web_api import sdk_logger
from tests.support.bot import settings_for


async def test_the_web_client_logs_through_a_logger_whose_level_is_set() -> None:
    """slack_sdk formats a debug line of each request (the whole modal or card) when `logger.level` is at
    most DEBUG, which an unset level (0) is, whatever the handlers would keep."""
    fake = SimpleNamespace(api_url="http://127.0.0.1:9/api/")
    async with aiohttp.ClientSession() as session:
        client = make_client(settings_for("sqlite+aiosqlite://", fake), session)  # type: ignore[arg-type]
    assert client.logger is sdk_logger()
    assert client.logger.level > logging.DEBUG
