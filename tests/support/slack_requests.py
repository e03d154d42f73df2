"""Slack's payload shapes and request signing live in `bot.sandbox.payloads` (the sandbox sends the same
requests); tests import them from here too."""

from bot.sandbox.payloads import *  # noqa: F403
