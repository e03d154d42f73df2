"""Slack's rate limits as the fake Slack applies them (`FakeSlack(tiers=True)`): each limit that
`bot.slack.pacing` lists, a method's tier for the workspace and a channel's message a second, is a bucket
of `BURST` calls that refills at its rate; a call that finds its bucket empty is answered 429."""

import math
import time
from collections.abc import Callable

from bot.slack.pacing import BURST, POST_SECONDS, TIERS


class SlackLimits:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (calls left, when)

    def retry_after(self, method: str, channel: str | None, *, scale: float) -> int | None:
        """Slack's Retry-After (its seconds) when this call goes over a limit, None when it may be made.
        `scale`: Slack's clock runs that many times faster (the buckets refill that much faster)."""
        if method == "chat.postMessage":
            key, per_second = f"post:{channel}", 1 / POST_SECONDS
        elif method in TIERS:
            key, per_second = method, TIERS[method] / 60
        else:
            return None
        now = self.monotonic()
        left, since = self._buckets.get(key, (float(BURST), now))
        left = min(float(BURST), left + (now - since) * per_second * scale)
        if left < 1:
            self._buckets[key] = (left, now)
            return max(1, math.ceil((1 - left) / per_second))
        self._buckets[key] = (left - 1, now)
        return None
