"""Recurring failures, pure: corrective work orders in, the assets, locations and categories that keep
failing out (formula in docs/kpis.md, tested on hand-worked fixtures in tests/unit/test_recurring.py).
Reading the work orders is `services.reporting.breakdowns`'; the threshold and window are `wrench.yml`'s
`recurring`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.enums import Status, WorkOrderType

KINDS = ("asset", "location", "category")  # the order they are listed in, at equal counts
LAST = 3  # resolutions shown per recurring failure


@dataclass(frozen=True)
class Failure:
    """A work order as this module sees it."""

    number: int
    type: WorkOrderType
    status: Status
    requested_at: datetime  # the original request
    category: str  # its name, as people read it
    asset: str | None = None  # the asset's tag
    location: str | None = None  # the location's path: the work order's own, else its asset's
    title: str = ""
    completed_at: datetime | None = None
    resolution: str = ""
    cause: str = ""

    @property
    def counts(self) -> bool:
        """Corrective and not cancelled (a cancelled request is a duplicate or a mistake, not a failure)."""
        return self.type is WorkOrderType.CORRECTIVE and self.status is not Status.CANCELLED


@dataclass(frozen=True)
class Recurrence:
    """An asset, location or category with `count` failures in the window."""

    kind: str  # asset, location or category
    name: str
    count: int
    last: tuple[Failure, ...]  # the latest completed with a resolution or cause, newest first (≤ LAST)


def recurring(failures: Iterable[Failure], *, now: datetime, window: timedelta, threshold: int) -> list[Recurrence]:
    """Each asset, location and category with at least `threshold` corrective work orders (not cancelled)
    requested in the window (now - window, now]; most failures first, then assets before locations before
    categories, then by name."""
    groups: dict[tuple[str, str], list[Failure]] = defaultdict(list)
    for f in failures:
        if not (f.counts and now - window < f.requested_at <= now):
            continue
        for kind, name in zip(KINDS, (f.asset, f.location, f.category), strict=True):
            if name:
                groups[(kind, name)].append(f)
    found = []
    for (kind, name), items in groups.items():
        if len(items) < threshold:
            continue
        fixed = [f for f in items if f.completed_at is not None and (f.resolution or f.cause)]
        fixed.sort(key=lambda f: (f.completed_at, f.number), reverse=True)
        found.append(Recurrence(kind=kind, name=name, count=len(items), last=tuple(fixed[:LAST])))
    return sorted(found, key=lambda r: (-r.count, KINDS.index(r.kind), r.name))


def new_since(
    failures: Iterable[Failure], *, previous: datetime, now: datetime, window: timedelta, threshold: int
) -> list[Recurrence]:
    """The recurring failures at `now` that were not recurring at `previous` (the previous digest): those
    that reached the threshold in between."""
    items = list(failures)
    before = {(r.kind, r.name) for r in recurring(items, now=previous, window=window, threshold=threshold)}
    return [r for r in recurring(items, now=now, window=window, threshold=threshold) if (r.kind, r.name) not in before]
