"""The fake Slack Web API the tests use is the sandbox's emulator (`bot.sandbox.emulator`): one emulator of
Slack for the suite and for `wrench sandbox`."""

from bot.sandbox.emulator import APP_TOKEN, BOT_TOKEN, Call, FakeSlack
from bot.sandbox.web_api_methods import BOT_USER

__all__ = ["APP_TOKEN", "BOT_TOKEN", "BOT_USER", "Call", "FakeSlack"]
