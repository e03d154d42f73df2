"""PM recurrence maths on dates worked out by hand (2026-03-02 is a Monday)."""

from datetime import date

import pytest

from models.enums import Anchor, NonWorking, Repeat
from services.errors import InvalidInput
from services.maintenance import checklists
from services.maintenance.recurrence import (
    Recurrence,
    RecurrenceError,
    add_months,
    catch_up,
    describe,
    floating_due,
    next_due,
)
from services.organisation.public_holidays import Holidays

MON = date(2026, 3, 2)


def dates(rule: Recurrence, count: int) -> list[date]:
    found, after = [], None
    for _ in range(count):
        after = next_due(rule, after)
        if after is None:
            break
        found.append(after)
    return found


def test_every_n_days_weeks_months_years() -> None:
    assert dates(Recurrence(starts_on=MON, repeat=Repeat.DAYS, every=3), 3) == [MON, date(2026, 3, 5), date(2026, 3, 8)]
    assert dates(Recurrence(starts_on=MON, repeat=Repeat.WEEKS, every=2), 3) == [
        MON,
        date(2026, 3, 16),
        date(2026, 3, 30),
    ]
    assert dates(Recurrence(starts_on=date(2026, 1, 31), repeat=Repeat.MONTHS), 4) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert dates(Recurrence(starts_on=date(2024, 2, 29), repeat=Repeat.YEARS), 3) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
    ]


def test_weekly_on_chosen_weekdays_every_other_week() -> None:
    rule = Recurrence(starts_on=date(2026, 3, 4), repeat=Repeat.WEEKS, every=2, weekdays=frozenset({0, 3}))
    # starts on a Wednesday: Thursday that week, then Monday and Thursday two weeks on
    assert dates(rule, 4) == [date(2026, 3, 5), date(2026, 3, 16), date(2026, 3, 19), date(2026, 3, 30)]


def test_cron_days() -> None:
    rule = Recurrence(starts_on=MON, repeat=Repeat.CRON, cron="0 6 1 * *")  # 06:00 on the 1st of each month
    assert dates(rule, 3) == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    with pytest.raises(RecurrenceError, match="not a cron expression"):
        Recurrence(starts_on=MON, repeat=Repeat.CRON, cron="every monday")


def test_end_date_and_next_after_a_date() -> None:
    rule = Recurrence(starts_on=MON, repeat=Repeat.WEEKS, ends_on=date(2026, 3, 20))
    assert dates(rule, 10) == [MON, date(2026, 3, 9), date(2026, 3, 16)]
    assert next_due(rule, date(2026, 3, 10)) == date(2026, 3, 16)
    with pytest.raises(RecurrenceError, match="end date"):
        Recurrence(starts_on=MON, repeat=Repeat.WEEKS, ends_on=date(2026, 3, 1))


def test_weekends_and_holidays_skipped_or_moved() -> None:
    saturday = date(2026, 3, 7)
    holiday = date(2026, 3, 9)
    kept = Recurrence(starts_on=saturday, repeat=Repeat.DAYS, every=2, holidays=frozenset({holiday}))
    assert dates(kept, 3) == [saturday, holiday, date(2026, 3, 11)]
    skipped = Recurrence(
        starts_on=saturday, repeat=Repeat.DAYS, every=2, holidays=frozenset({holiday}), non_working=NonWorking.SKIP
    )
    assert dates(skipped, 3) == [date(2026, 3, 11), date(2026, 3, 13), date(2026, 3, 17)]
    moved = Recurrence(
        starts_on=saturday,
        repeat=Repeat.DAYS,
        every=2,
        holidays=frozenset({holiday}),
        non_working=NonWorking.NEXT_WORKING_DAY,
    )
    # Sat 7 → Tue 10 (Mon 9 is a holiday); Mon 9 → Tue 10 too, so once; then Wed 11
    assert dates(moved, 3) == [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 13)]


def test_a_countrys_public_holidays_move_a_schedule() -> None:
    """Weekly on Mondays from 2027-03-22 in England: Easter Monday (29 March) moves to the Tuesday, the
    early May bank holiday (3 May) too; a schedule that keeps holidays stays on them."""
    england = Holidays(country="GB", subdivision="ENG")
    mondays = dict(starts_on=date(2027, 3, 22), repeat=Repeat.WEEKS, holidays=england)
    moved = Recurrence(**mondays, non_working=NonWorking.NEXT_WORKING_DAY)  # type: ignore[arg-type]
    assert dates(moved, 3) == [date(2027, 3, 22), date(2027, 3, 30), date(2027, 4, 5)]
    assert date(2027, 5, 4) in dates(moved, 8) and date(2027, 5, 3) not in dates(moved, 8)
    kept = Recurrence(**mondays)  # type: ignore[arg-type]
    assert date(2027, 3, 29) in dates(kept, 3)


def test_floating_counts_from_completion() -> None:
    rule = Recurrence(starts_on=MON, repeat=Repeat.MONTHS, anchor=Anchor.FLOATING, non_working=NonWorking.SKIP)
    assert floating_due(rule, date(2026, 3, 10)) == date(2026, 4, 10)
    assert floating_due(rule, date(2026, 3, 11)) == date(2026, 4, 13)  # Sat 11 Apr → Mon 13 Apr
    with pytest.raises(RecurrenceError, match="floating"):
        Recurrence(starts_on=MON, repeat=Repeat.CRON, cron="0 0 * * *", anchor=Anchor.FLOATING)


def test_catch_up_makes_one_occurrence_for_missed_dates() -> None:
    weekly = Recurrence(starts_on=MON, repeat=Repeat.WEEKS)
    # down from 2 Mar to Wed 25 Mar: one work order for Mon 23 Mar, three dates skipped before it
    assert catch_up(weekly, MON, today=date(2026, 3, 25), lead_days=0) == (date(2026, 3, 23), 3)
    # on time: nothing skipped
    assert catch_up(weekly, MON, today=MON, lead_days=0) == (MON, 0)
    # a lead time never skips a date that is still to come
    assert catch_up(weekly, MON, today=date(2026, 3, 4), lead_days=10) == (date(2026, 3, 9), 1)


def test_add_months_and_describe() -> None:
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert describe(Recurrence(starts_on=MON, repeat=Repeat.WEEKS, every=2, weekdays=frozenset({0, 3}))) == (
        "every 2 weeks on Mon, Thu"
    )
    assert describe(Recurrence(starts_on=MON, repeat=Repeat.MONTHS)) == "every month"
    assert describe(Recurrence(starts_on=MON, repeat=Repeat.DAYS, every=10, anchor=Anchor.FLOATING)) == (
        "every 10 days after the last completion"
    )


def test_checklist_lines() -> None:
    items = checklists.parse("Check belts\n\n- Belt wear [pass/fail]\nOil pressure [number psi 20..60]\nTemp [number]")
    assert [(i.label, i.kind, i.unit, i.min, i.max) for i in items] == [
        ("Check belts", "check", None, None, None),
        ("Belt wear", "pass_fail", None, None, None),
        ("Oil pressure", "number", "psi", 20.0, 60.0),
        ("Temp", "number", None, None, None),
    ]
    assert checklists.as_text([i.model_dump() for i in items]) == (
        "Check belts\nBelt wear [pass/fail]\nOil pressure [number psi 20..60]\nTemp [number]"
    )
    with pytest.raises(InvalidInput, match="line 2"):
        checklists.parse("Fine\nBroken [maybe]")
    with pytest.raises(InvalidInput, match="at most 20"):
        checklists.parse("\n".join(f"item {n}" for n in range(21)))
    assert checklists.verdict({"min": 20, "max": 60}, 61) == "fail"
    assert checklists.verdict({"min": 20, "max": None}, 99) == "pass"
