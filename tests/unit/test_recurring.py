"""Recurring failures on a small fixture whose answers were worked out by hand (the working is in the
comments); the formula is in docs/kpis.md, Recurring failures. Also the `recurring` config section."""

from datetime import UTC, datetime, timedelta

import pytest

from models.enums import Status, WorkOrderType
from services.organisation.config_file import OrgConfigError, parse_organisation
from services.reporting import recurring
from services.reporting.recurring import Failure, Recurrence
from tests.support.org import CONFIG

NOW = datetime(2026, 6, 1, tzinfo=UTC)
WINDOW = timedelta(days=90)  # (3 Mar 2026, 1 Jun 2026]
C = WorkOrderType.CORRECTIVE
DONE = Status.COMPLETED


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def failure(number: int, requested: float, **values: object) -> Failure:
    base: dict[str, object] = {"type": C, "status": Status.OPEN, "category": "Plumbing", "location": "HQ / Plant"}
    return Failure(number=number, requested_at=days_ago(requested), **(base | values))  # type: ignore[arg-type]


FAILURES = [
    # PMP-1: four failures in the window (1, 2, 3, 5), one before it (6, 91 days ago)
    failure(1, 80, asset="PMP-1", status=DONE, completed_at=days_ago(79), resolution="Seal", cause="Worn"),
    failure(2, 40, asset="PMP-1", status=DONE, completed_at=days_ago(39), resolution="Seal again"),
    failure(3, 20, asset="PMP-1", status=DONE, completed_at=days_ago(19), cause="Dry run"),
    failure(4, 10, asset="PMP-1", status=Status.CANCELLED),  # cancelled: not a failure
    failure(5, 5, asset="PMP-1", status=DONE, completed_at=days_ago(4)),  # completed, nothing said: not a "last"
    failure(6, 91, asset="PMP-1", status=DONE, completed_at=days_ago(90), resolution="Old"),
    # CMP-1: two failures, and a preventive job that is not one
    failure(7, 30, asset="CMP-1", location="HQ / Roof"),
    failure(8, 2, asset="CMP-1", location="HQ / Roof"),
    failure(9, 1, asset="CMP-1", location="HQ / Roof", type=WorkOrderType.PREVENTIVE),
    # electrical, no asset, no location
    failure(10, 3, category="Electrical", location=None),
]


def test_what_has_at_least_the_threshold_of_failures_in_the_window() -> None:
    found = recurring.recurring(FAILURES, now=NOW, window=WINDOW, threshold=3)
    # in the window, not cancelled, corrective: 1, 2, 3, 5, 7, 8, 10
    # PMP-1: 1, 2, 3, 5 = 4; CMP-1: 7, 8 = 2 (< 3)
    # HQ / Plant: 1, 2, 3, 5 = 4; HQ / Roof: 7, 8 = 2
    # Plumbing: 1, 2, 3, 5, 7, 8 = 6; Electrical: 10 = 1
    # the last fixes of PMP-1 and HQ / Plant: those completed with a resolution or cause, newest first: 3, 2, 1
    last = (FAILURES[2], FAILURES[1], FAILURES[0])
    assert found == [
        Recurrence("category", "Plumbing", 6, last),
        Recurrence("asset", "PMP-1", 4, last),
        Recurrence("location", "HQ / Plant", 4, last),
    ]
    # threshold 5: only Plumbing (6); the window is (now - 90 days, now]: exactly 90 days ago is out
    assert [r.name for r in recurring.recurring(FAILURES, now=NOW, window=WINDOW, threshold=5)] == ["Plumbing"]
    edge = [failure(20, 90, asset="X"), failure(21, 1, asset="X")]
    assert recurring.recurring(edge, now=NOW, window=WINDOW, threshold=2) == []


def test_at_most_three_last_fixes() -> None:
    fixed = [
        failure(n, 10 - n, asset="FAN-1", status=DONE, completed_at=days_ago(9 - n), resolution=f"Fix {n}")
        for n in range(1, 6)
    ]
    found = recurring.recurring(fixed, now=NOW, window=WINDOW, threshold=5)
    # FAN-1, HQ / Plant and Plumbing, 5 each: assets, locations, categories; each with fixes 5, 4, 3
    assert [r.kind for r in found] == ["asset", "location", "category"]
    assert [f.number for f in found[0].last] == [5, 4, 3]


def test_new_since_the_previous_digest_are_those_that_reached_the_threshold_since() -> None:
    # a day ago (previous digest), window (2 Mar, 31 May]: PMP-1 had 1, 2, 3, 5 = 4 → recurring already;
    # CMP-1 had 7 only (8 was requested 2 days ago: yes, 8 too) = 2; Plumbing had 1, 2, 3, 5, 7, 8 = 6
    # now with threshold 3 nothing new; add CMP-1's third failure requested 6 hours ago: CMP-1 (3) and
    # HQ / Roof (3) reach the threshold since the previous digest
    items = [*FAILURES, failure(11, 0.25, asset="CMP-1", location="HQ / Roof")]
    previous = days_ago(1)
    assert recurring.new_since(FAILURES, previous=previous, now=NOW, window=WINDOW, threshold=3) == []
    found = recurring.new_since(items, previous=previous, now=NOW, window=WINDOW, threshold=3)
    assert [(r.kind, r.name, r.count) for r in found] == [("asset", "CMP-1", 3), ("location", "HQ / Roof", 3)]


def test_a_failure_that_fell_below_the_threshold_and_reached_it_again_is_new_again() -> None:
    # VLV-1 failed three times 150-152 days ago (out of the window then and now), then three times in the last
    # 12 hours: at the previous digest (1 day ago) it had none in its window, now 3 → new again. So does
    # Plumbing (those six are all Plumbing); the last three have no location, the old ones are out of the window
    items = [failure(n, 150 + n, asset="VLV-1") for n in range(3)] + [
        failure(11, 0.5, asset="VLV-1", location=None),
        failure(12, 0.4, asset="VLV-1", location=None),
        failure(13, 0.3, asset="VLV-1", location=None),
    ]
    found = recurring.new_since(items, previous=days_ago(1), now=NOW, window=WINDOW, threshold=3)
    assert [(r.kind, r.name) for r in found] == [("asset", "VLV-1"), ("category", "Plumbing")]


def test_the_config_section_defaults_and_refusals() -> None:
    org = parse_organisation(CONFIG)
    assert (org.recurring.threshold, org.recurring.window_days) == (3, 90)
    org = parse_organisation(CONFIG + "recurring:\n  threshold: 4\n  window_days: 30\n")
    assert (org.recurring.threshold, org.recurring.window_days) == (4, 30)
    text = CONFIG + "recurring:\n  threshold: 1\n  window_dayz: 30\n"
    with pytest.raises(OrgConfigError) as error:
        parse_organisation(text)
    lines = text.splitlines()
    threshold = lines.index("  threshold: 1") + 1
    typo = lines.index("  window_dayz: 30") + 1
    assert str(error.value).splitlines() == [
        f"wrench.yml:line {threshold}: recurring.threshold: must be at least 2, not 1",
        f"wrench.yml:line {typo}: recurring.window_dayz: is not a known key; did you mean `window_days`?",
    ]


def test_the_report_counts_in_words() -> None:
    from models.views import RecurringIssue
    from services.reporting import breakdowns

    issues = [RecurringIssue(kind="category", name=f"c{i}", count=3, window_days=90) for i in range(4)]
    issues.append(RecurringIssue(kind="asset", name="PMP-1", count=3, window_days=90))
    assert breakdowns._recurring_count(issues) == "5 (1 asset, 4 categories)"
