"""Completion rate and on-time completion on a small fixture whose answer was worked out by hand (the
working is in the comments)."""

from datetime import UTC, datetime, timedelta

from models.enums import Priority, Status, WorkOrderType
from services.reporting import completion
from services.reporting.completion import Completion
from services.reporting.kpis import Work

T0 = datetime(2026, 3, 1, tzinfo=UTC)
START, END = T0, T0 + timedelta(days=10)
LOW, MEDIUM, HIGH = Priority.LOW, Priority.MEDIUM, Priority.HIGH
NAMES = {"plumbing": "Plumbing", "electrical": "Electrical", "keys": "Keys and access", "hvac": "Heating and cooling"}


def day(days: float, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def work(number: int, priority: Priority, category: str, requested: datetime, **values: object) -> Work:
    base: dict[str, object] = {"type": WorkOrderType.CORRECTIVE, "status": Status.OPEN}
    return Work(number=number, priority=priority, category=category, requested_at=requested, **(base | values))  # type: ignore[arg-type]


def done(at: datetime, due: datetime | None, status: Status = Status.COMPLETED) -> dict[str, object]:
    return {"status": status, "completed_at": at, "resolution_due_at": due}


ITEMS = [
    work(1, HIGH, "plumbing", day(1), **done(day(1, 3), day(2))),  # requested; completed before due → on time
    work(2, HIGH, "electrical", day(2), **done(day(4), day(3))),  # requested; completed a day after due → late
    work(3, MEDIUM, "plumbing", day(3)),  # requested, still open
    work(4, LOW, "keys", day(-5), **done(day(2), None)),  # requested before the period; completed, no due time
    work(5, MEDIUM, "plumbing", day(4), status=Status.CANCELLED),  # cancelled: left out of requested
    work(6, MEDIUM, "plumbing", day(5)),  # completed then reopened: open, completed_at cleared → requested only
    work(7, HIGH, "electrical", day(-20), **done(day(-1), day(-2))),  # completed before the period: nothing
    work(8, LOW, "keys", day(6), **done(day(7), day(7), Status.CLOSED)),  # completed exactly at its due time → on time
    work(9, MEDIUM, "hvac", END),  # requested at the period's last instant → requested
]


def test_completion_rate_and_on_time_for_the_team() -> None:
    found = completion.completion(ITEMS, START, END, category_names=NAMES)
    # requested in the period: 1, 2, 3, 6, 8, 9 = 6 (5 cancelled, 4 and 7 before it)
    # completed in the period: 1, 2, 4, 8 = 4 → 4 / 6 = 2/3
    # of those with a due time: 1 and 8 on time, 2 late → 2 / 3; 4 had no due time
    assert found.team == Completion(requested=6, completed=4, on_time=2, late=1, without_due_time=1, cancelled=1)
    assert (found.team.rate, found.team.on_time_rate) == (4 / 6, 2 / 3)


def test_completion_per_priority_and_category() -> None:
    found = completion.completion(ITEMS, START, END, category_names=NAMES)
    # low: 8 requested; 4 and 8 completed (8 on time, 4 without due) → 2 / 1 = 200%, on time 1 / 1
    # medium: 3, 6, 9 requested, 5 cancelled, nothing completed → 0 / 3, on time undefined
    # high: 1, 2 requested and completed, 1 on time, 2 late (7 is outside) → 2 / 2, on time 1 / 2
    assert found.by_priority == {
        LOW: Completion(requested=1, completed=2, on_time=1, without_due_time=1),
        MEDIUM: Completion(requested=3, cancelled=1),
        HIGH: Completion(requested=2, completed=2, on_time=1, late=1),
    }
    assert (found.by_priority[LOW].rate, found.by_priority[MEDIUM].on_time_rate) == (2.0, None)
    # by name: Electrical (2), Heating and cooling (9), Keys and access (4, 8), Plumbing (1, 3, 5, 6)
    assert list(found.by_category) == ["electrical", "hvac", "keys", "plumbing"]
    assert found.by_category["electrical"] == Completion(requested=1, completed=1, late=1)
    assert found.by_category["hvac"] == Completion(requested=1)
    assert found.by_category["keys"] == Completion(requested=1, completed=2, on_time=1, without_due_time=1)
    assert found.by_category["plumbing"] == Completion(requested=3, completed=1, on_time=1, cancelled=1)


def test_rows_as_the_report_shows_them() -> None:
    found = completion.completion(ITEMS, START, END, category_names=NAMES)
    rows = dict(completion.rows(found) + completion.breakdown_rows(found))
    assert rows["Completion rate"] == "67% (4 completed of 6 requested, 1 cancelled left out)"
    assert rows["On-time completion"] == "67% (2 of 3; 1 without a due time)"
    assert rows["Completion by priority"] == (
        "low: 200% done (2 of 1), 100% on time (1 of 1); medium: 0% done (0 of 3), — on time (0 of 0); "
        "high: 100% done (2 of 2), 50% on time (1 of 2)"
    )
    assert rows["Completion by category"].startswith("Electrical: 100% done (1 of 1), 0% on time (0 of 1); Heating")


def test_nothing_in_the_period() -> None:
    found = completion.completion([], START, END)
    assert found.team == Completion() and (found.team.rate, found.team.on_time_rate) == (None, None)
    assert dict(completion.rows(found) + completion.breakdown_rows(found)) == {
        "Completion rate": "— (0 completed of 0 requested)",
        "On-time completion": "— (0 of 0; 0 without a due time)",
        "Completion by priority": "—",
        "Completion by category": "—",
    }
