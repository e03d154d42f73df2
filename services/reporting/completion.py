"""Completion KPIs, pure: how much of the work asked for in a period got done, and how much of what got
done was done by its resolution due time. `kpis.Work` records in, figures out; the formulas are written
out in docs/kpis.md and tested on hand-worked fixtures in tests/unit/test_kpi_completion.py.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.enums import Priority, Status
from models.public import CompletionOut
from services.reporting.kpis import DONE, Work


@dataclass(frozen=True)
class Completion:
    """One group's counts over the period (the team, a priority or a category)."""

    requested: int = 0  # work orders requested in the period, cancelled ones left out
    completed: int = 0  # work orders completed in the period, whenever they were requested
    on_time: int = 0  # of the completed: done by their resolution due time
    late: int = 0  # of the completed: done after it
    without_due_time: int = 0  # of the completed: no resolution target, left out of the on-time rate
    cancelled: int = 0  # requested in the period and cancelled: not in `requested`

    @property
    def rate(self) -> float | None:
        """Completed ÷ requested; above 1 when more was finished than came in. None: nothing requested."""
        return self.completed / self.requested if self.requested else None

    @property
    def on_time_rate(self) -> float | None:
        """On time ÷ completed with a due time. None: nothing completed had one."""
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None


@dataclass(frozen=True)
class CompletionReport:
    team: Completion = Completion()
    by_priority: dict[Priority, Completion] = field(default_factory=dict)  # in the order of `Priority`
    by_category: dict[str, Completion] = field(default_factory=dict)  # by key, in order of name
    category_names: dict[str, str] = field(default_factory=dict)  # key → name, for the rows


def completion(
    work: Iterable[Work], start: datetime, end: datetime, *, category_names: Mapping[str, str] | None = None
) -> CompletionReport:
    """Over the period [start, end]: requested = work orders whose original request falls in it (not
    cancelled ones); completed = work orders done (completed or closed) with their completion in it;
    of those, on time = completed_at ≤ resolution_due_at, late = after it, and without a due time."""
    team: Counter[str] = Counter()
    by_priority: dict[Priority, Counter[str]] = defaultdict(Counter)
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    for w in work:
        found = Counter(_counted(w, start, end))
        if found:
            team.update(found)
            by_priority[w.priority].update(found)
            by_category[w.category].update(found)
    names = {key: (category_names or {}).get(key, key) for key in by_category}
    return CompletionReport(
        team=Completion(**team),
        by_priority={p: Completion(**by_priority[p]) for p in Priority if p in by_priority},
        by_category={key: Completion(**by_category[key]) for key in sorted(by_category, key=lambda k: (names[k], k))},
        category_names=names,
    )


def _counted(w: Work, start: datetime, end: datetime) -> list[str]:
    """Which of `Completion`'s counts one work order adds to."""
    found = []
    if start <= w.requested_at <= end:
        found.append("cancelled" if w.status is Status.CANCELLED else "requested")
    if w.status in DONE and w.completed_at is not None and start <= w.completed_at <= end:
        found.append("completed")
        if w.resolution_due_at is None:
            found.append("without_due_time")
        else:
            found.append("on_time" if w.completed_at <= w.resolution_due_at else "late")
    return found


def rows(found: CompletionReport) -> list[tuple[str, str]]:
    """The team's two rates as labelled text for `wrench report`, its CSV and the Home tab."""
    return [("Completion rate", _rate(found.team)), ("On-time completion", _on_time(found.team))]


def breakdown_rows(found: CompletionReport) -> list[tuple[str, str]]:
    """One line per priority and one per category with both rates (in the report, after the team-wide
    figures the Home tab shows)."""
    by_priority = "; ".join(f"{p.value}: {_both(c)}" for p, c in found.by_priority.items())
    by_category = "; ".join(f"{found.category_names.get(k, k)}: {_both(c)}" for k, c in found.by_category.items())
    return [("Completion by priority", by_priority or "—"), ("Completion by category", by_category or "—")]


def _rate(c: Completion) -> str:
    cancelled = f", {c.cancelled} cancelled left out" if c.cancelled else ""
    shown = "—" if c.rate is None else f"{c.rate:.0%}"
    return f"{shown} ({c.completed} completed of {c.requested} requested{cancelled})"


def _on_time(c: Completion) -> str:
    shown = "—" if c.on_time_rate is None else f"{c.on_time_rate:.0%}"
    return f"{shown} ({c.on_time} of {c.on_time + c.late}; {c.without_due_time} without a due time)"


def _both(c: Completion) -> str:
    rate = "—" if c.rate is None else f"{c.rate:.0%}"
    on_time = "—" if c.on_time_rate is None else f"{c.on_time_rate:.0%}"
    return f"{rate} done ({c.completed} of {c.requested}), {on_time} on time ({c.on_time} of {c.on_time + c.late})"


def public(found: CompletionReport) -> dict[str, Any]:
    """The `KpisOut` fields of the REST API (`completion`, `completion_by_priority`, `completion_by_category`)."""
    return {
        "completion": _out(found.team),
        "completion_by_priority": {p.value: _out(c) for p, c in found.by_priority.items()},
        "completion_by_category": {key: _out(c) for key, c in found.by_category.items()},
    }


def _out(c: Completion) -> CompletionOut:
    return CompletionOut.model_validate(c, from_attributes=True)
