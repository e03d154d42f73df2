"""The portal's sliding-window rate limit, on a clock moved by hand."""

from datetime import UTC, datetime, timedelta

from services.requests.rate_limit import SlidingWindow
from tests.conftest import FrozenClock


def test_a_key_gets_its_limit_per_window_and_is_told_when_to_come_back() -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    limit = SlidingWindow(2, timedelta(hours=1), clock)
    assert limit.hit("a") is None
    clock.advance(minutes=10)
    assert limit.hit("a") is None and limit.hit("b") is None
    assert limit.hit("a") == timedelta(minutes=50)
    clock.advance(minutes=50)  # the first hit has left the window
    assert limit.hit("a") is None and limit.hit("a") == timedelta(minutes=10)


def test_a_hit_taken_back_does_not_count() -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    limit = SlidingWindow(1, timedelta(hours=1), clock)
    assert limit.hit("a") is None
    limit.forget_last("a")
    limit.forget_last("never-seen")
    assert limit.hit("a") is None and limit.hit("a") is not None


def test_memory_is_bounded_idle_and_least_recent_keys_are_forgotten() -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    limit = SlidingWindow(1, timedelta(hours=1), clock, max_keys=3)
    for key in "abcd":
        assert limit.hit(key) is None
    assert len(limit._hits) == 3 and limit.hit("a") is None  # "a" was the least recent: forgotten
    clock.advance(hours=2)
    limit.hit("e")
    assert list(limit._hits) == ["e"]  # the others were idle for a whole window
