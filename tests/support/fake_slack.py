"""The fake Slack Web API the tests use is the sandbox's emulator (`bot.sandbox.emulator`): one emulator of
Slack for the suite and for `wrench sandbox`."""

from bot.sandbox.emulator import APP_TOKEN, BOT_TOKEN, BOT_USER, Call, FakeSlack

__all__ = ["APP_TOKEN", "BOT_TOKEN", "BOT_USER", "Call", "FakeSlack"]
