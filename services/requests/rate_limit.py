"""A sliding-window rate limit per key (the web portal's per-address spam guard).

Kept in memory: each replica counts on its own, so N replicas let an address file up to N times the
limit. The clock is injected, so tests move time instead of sleeping.
"""

from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta


class SlidingWindow:
    """At most `limit` hits per key within any `window`; forgets keys idle for a whole window."""

    def __init__(
        self, limit: int, window: timedelta, clock: Callable[[], datetime], *, max_keys: int = 100_000
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[datetime]] = OrderedDict()

    def hit(self, key: str) -> timedelta | None:
        """Count a hit for `key`; None when allowed, else how long until the next one would be."""
        now = self.clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            self._hits[key] = hits
            return hits[0] + self.window - now
        hits.append(now)
        self._hits[key] = hits  # most recently used last
        self._forget_idle(now)
        return None

    def full(self, key: str) -> bool:
        """Whether `key` has used up its hits in the window now; nothing is counted."""
        hits = self._hits.get(key)
        since = self.clock() - self.window
        return hits is not None and sum(1 for hit in hits if hit > since) >= self.limit

    def forget_last(self, key: str) -> None:
        """Take back `key`'s latest hit (it turned out not to count)."""
        hits = self._hits.get(key)
        if hits:
            hits.pop()

    def _forget_idle(self, now: datetime) -> None:
        """Drop keys whose hits are all older than the window, and the least recent beyond `max_keys`."""
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if len(self._hits) <= self.max_keys and hits and hits[-1] > now - self.window:
                return
            del self._hits[key]
