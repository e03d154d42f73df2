"""Every Block Kit builder, fed the same text in every field a person can type.

`payloads(text)` calls each public builder of `blocks/` with data whose free-text fields (titles,
descriptions, names, notes, reasons, labels, locations...) all hold `text`; with `longest=True` each
field holds `text` repeated to the longest value Wrench accepts there, and every list is as long as it
can be (100 options, full listings). The mrkdwn property test and the Slack-limits test both walk what
it returns; `BUILDERS` names what it covers, so a structure test can tell when a new builder is not in it.
"""

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import blocks
from blocks import (
    approvals,
    assets,
    calendars,
    card,
    card_modals,
    checklist,
    contractor,
    digest,
    home,
    lists,
    messages,
    modals,
    pm,
    recurring,
    report,
    satisfaction,
    workload,
)
from models.calendar_schemas import CalendarFeedRead
from models.contractor_schemas import ContractorOnCard
from models.enums import (
    Anchor,
    ChecklistKind,
    EventKind,
    FieldType,
    HoldReason,
    JobState,
    NonWorking,
    Priority,
    Repeat,
    RequestStatus,
    SlaStatus,
    Status,
    WorkOrderType,
)
from models.schemas import (
    TITLE_MAX,
    CardContext,
    CustomField,
    EventRead,
    Listing,
    PmScheduleRead,
    ServiceRequestRead,
    TimerPress,
    TimerRead,
    WorkOrderRead,
)
from models.views import (
    AssetCard,
    Dashboard,
    DigestData,
    OpenPurchase,
    PersonWorkload,
    PlannedPm,
    PmDue,
    RecurringFix,
    RecurringIssue,
    TeamKpis,
    TeamTotals,
    VendorContact,
)
from tests.support import purchase_builders

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
PERMALINK = "https://test.slack.com/archives/C0FACILITY/p1700000000000001"


@dataclass(frozen=True)
class Built:
    builder: str  # module.function
    surface: str  # "message", "modal" or "home", as tests.support.block_kit reads it
    payload: dict[str, Any]


class Typed:
    """What a person typed, cut or repeated to a field's limit."""

    def __init__(self, text: str, *, longest: bool) -> None:
        self.text = text or "x"
        self.longest = longest

    def __call__(self, limit: int) -> str:
        if not self.longest:
            return self.text[:limit]
        return (self.text * (limit // len(self.text) + 1))[:limit]


def work_order(typed: Typed, **overrides: Any) -> WorkOrderRead:
    values: dict[str, Any] = {
        "id": 7,
        "number": 1042,
        "title": typed(TITLE_MAX),
        "description": typed(3000),
        "type": WorkOrderType.CORRECTIVE,
        "priority": Priority.HIGH,
        "status": Status.OPEN,
        "category": "plumbing",
        "team": "facilities",
        "location": typed(500),
        "asset_id": 3,
        "requester_id": "U0STAFF",
        "assignee_id": "U0TECH1",
        "created_at": NOW,
        "updated_at": NOW,
        "response_due_at": NOW + timedelta(hours=1),
        "resolution_due_at": NOW + timedelta(days=1),
        "first_response_at": NOW,
        "completed_at": None,
        "completed_by": None,
        "resolution": None,
        "cause": None,
        "card_channel": "C0FACILITY",
        "card_ts": "1700000000.000001",
        "attachments": [{"id": f"F{i}", "name": typed(255), "permalink": PERMALINK} for i in range(10)]
        + [{"id": "F99", "name": typed(255)}],
        "source_link": PERMALINK,
        "hold_reason": HoldReason.OTHER,
        "status_note": typed(1000),
        "escalation_level": 1,
        "escalated_at": NOW,
        "acknowledged_by": "U0MANAGER",
        "sla_resolution": SlaStatus.BREACHED,
        "checklist": [
            {"label": typed(150), "kind": ChecklistKind.NUMBER, "unit": typed(20), "min": 1, "max": 9, "value": 4},
            *({"label": typed(150), "kind": kind, "result": "fail", "by": "U0TECH1"} for kind in ("pass_fail",) * 30),
            {"label": typed(150), "kind": ChecklistKind.CHECK, "result": "done", "follow_up": 12},
        ],
        "estimated_minutes": 90,
        "version": 4,
    }
    values.update(overrides)
    return WorkOrderRead(**values)


def request(typed: Typed, **overrides: Any) -> ServiceRequestRead:
    values: dict[str, Any] = {
        "id": 3,
        "requester_id": "U0STAFF",
        "category": "keys",
        "title": typed(TITLE_MAX),
        "description": typed(3000),
        "location": typed(500),
        "priority": Priority.LOW,
        "status": RequestStatus.PENDING_APPROVAL,
        "custom_fields": {},
        "attachments": [],
        "decided_by": None,
        "decided_at": None,
        "rejection_reason": None,
        "approval_messages": [],
        "created_at": NOW,
    }
    values.update(overrides)
    return ServiceRequestRead(**values)


def event(kind: str, to: Status | None = None, before: Status | None = None, **data: Any) -> EventRead:
    return EventRead(
        id=1, work_order_id=7, at=NOW, actor_id="U0TECH1", kind=kind, from_status=before, to_status=to, data=data
    )


def events(typed: Typed) -> list[EventRead]:
    """One of every event kind, with what a person typed wherever the event carries it."""
    reason, note = typed(1000), typed(3000)
    return [
        event(EventKind.NOTE_ADDED, text=note, source="card"),
        event(EventKind.PARTS_USED, parts=note),
        event(EventKind.PARTS_USED, sku="BOLT-1", name=typed(150), unit=typed(20), quantity=2),
        event(EventKind.PARTS_USED, sku="BOLT-1", name=typed(150), unit=typed(20), quantity=2, low_stock=True, left=1),
        event(
            EventKind.PARTS_ARRIVED,
            purchase_order="PO-12",
            lines=[{"sku": f"SKU-{i}", "name": typed(150), "quantity": 100_000, "unit": typed(20)} for i in range(10)],
            complete=True,
        ),
        event(EventKind.STATUS_CHANGED, Status.ON_HOLD, reason="other", note=reason),
        event(EventKind.STATUS_CHANGED, Status.COMPLETED, resolution=typed(3000), cause=typed(500)),
        event(EventKind.STATUS_CHANGED, Status.CANCELLED, reason=reason),
        event(EventKind.STATUS_CHANGED, Status.OPEN, Status.COMPLETED, reason=reason),
        event(EventKind.CHECKLIST_ITEM, label=typed(150), value=3.5, unit=typed(20), result="pass"),
        event(EventKind.CHECKLIST_ITEM, label=typed(150), result="fail"),
        event(EventKind.CHECKLIST_ITEM, label=typed(150), result=None),
        event(EventKind.FOLLOW_UP_OPENED, label=typed(150), follow_up=12),
        event(EventKind.ASSET_DOWN, asset=typed(230), reason=typed(500)),
        event(EventKind.ASSET_UP, asset=typed(230), down_hours=3.5),
        event(EventKind.COST_ADDED, amount_cents=1250, currency="EUR", description=typed(200)),
        event(EventKind.ASSIGNED, assignee_id="U0TECH2"),
        event(EventKind.LABOR_LOGGED, minutes=30, user_id="U0TECH2"),
        event(EventKind.ESCALATED, level=2, targets=["response", "resolution"]),
        *contractor_events(typed),
    ]


def contractor_events(typed: Typed) -> list[EventRead]:
    """Every contractor step, the vendor's name and what the contractor typed in each."""
    vendor = {"key": "acme", "name": typed(150)}
    kinds = EventKind
    return [
        event(kinds.CONTRACTOR_SENT, vendor=vendor, note=typed(2000), not_to_exceed="450.00", currency="GBP"),
        event(kinds.CONTRACTOR_ACCEPTED, vendor=vendor),
        event(kinds.CONTRACTOR_DECLINED, vendor=vendor, reason=typed(1000)),
        event(kinds.CONTRACTOR_UPDATE, vendor=vendor, text=typed(2000)),
        event(kinds.CONTRACTOR_FILES, vendor=vendor, photos=2, invoice=1),
        event(
            kinds.CONTRACTOR_COST,
            vendor=vendor,
            cost="500.00",
            currency="GBP",
            minutes=150,
            over_not_to_exceed="450.00 GBP",
        ),
        event(kinds.CONTRACTOR_DONE, vendor=vendor, resolution=typed(3000)),
        event(kinds.CONTRACTOR_REVOKED, vendor=vendor, why="revoked", reason=typed(1000)),
        event(kinds.CONTRACTOR_REVOKED, vendor=vendor, why="completed"),
    ]


def listing(typed: Typed, rows: int, total: int) -> Listing:
    return Listing(rows=tuple(work_order(typed, id=n, number=n) for n in range(1, rows + 1)), total=total)


def schedule(typed: Typed, **overrides: Any) -> PmScheduleRead:
    values: dict[str, Any] = {
        "id": 5,
        "key": None,
        "title": typed(150),
        "description": typed(3000),
        "team": "facilities",
        "category": "plumbing",
        "priority": Priority.MEDIUM,
        "asset_id": 3,
        "location_id": 2,
        "checklist": [{"label": typed(150), "kind": "check"}],
        "estimated_minutes": 60,
        "repeat": Repeat.MONTHS,
        "every": 1,
        "weekdays": [],
        "cron": None,
        "starts_on": date(2026, 3, 1),
        "ends_on": None,
        "max_count": None,
        "anchor": Anchor.FIXED,
        "lead_days": 0,
        "non_working": NonWorking.KEEP,
        "meter": None,
        "meter_every": None,
        "meter_threshold": None,
        "one_open": True,
        "next_due_on": date(2026, 4, 1),
        "open_work_order_id": None,
        "generated_count": 0,
        "paused_at": NOW,
        "pause_reason": "Paused by <@U0MANAGER>",
        "created_by": "U0MANAGER",
        "version": 2,
    }
    values.update(overrides)
    return PmScheduleRead(**values)


def _message(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"text": text, **({"blocks": blocks} if blocks is not None else {})}


def _generate(typed: Typed) -> Iterator[tuple[str, str, dict[str, Any]]]:
    longest = typed.longest
    context = CardContext(
        category=typed(75),
        team=typed(80),
        asset=typed(230),
        fields=(
            *((typed(48), typed(3000), FieldType.TEXT) for _ in range(19)),
            ("Contact", "U0TECH2", FieldType.USER),
        ),
        requester=typed(300),
        cost=typed(40),
        timers=(("U0TECH1", NOW), ("U0TECH2", NOW)),
        contractor=ContractorOnCard(
            job_id=1,
            vendor=typed(150),
            state=JobState.DONE,
            not_to_exceed="450.00 GBP",
            cost="500.00 GBP",
            hours="2.5 h",
            resolution=typed(3000),
        ),
    )
    statuses = list(Status)
    orders = [work_order(typed, status=status) for status in statuses] + [
        work_order(
            typed,
            status=Status.COMPLETED,
            completed_at=NOW,
            completed_by="U0TECH1",
            resolution=typed(3000),
            cause=typed(500),
            closed_at=NOW,
        ),
        work_order(typed, pm_schedule_id=5, assignee_id=None),
    ]
    for wo in orders:
        yield "card.card", "message", card.card(wo, context)
        yield "card.summary", "message", card.summary(wo, context)
        yield "card.summary_modal", "modal", card.summary_modal(wo, context)
        yield "card.fallback", "message", _message(card.fallback(wo))
    wo = orders[0]
    done = orders[len(statuses)]
    for name, view in (
        ("card_modals.complete_modal", card_modals.complete_modal(wo)),
        ("card_modals.hold_modal", card_modals.hold_modal(wo)),
        ("card_modals.note_modal", card_modals.note_modal(wo)),
        ("card_modals.time_modal", card_modals.time_modal(wo, user_id="U0TECH1")),
        ("card_modals.parts_modal", card_modals.parts_modal(wo)),
        ("card_modals.plan_modal", card_modals.plan_modal(wo)),
        ("card_modals.cancel_modal", card_modals.cancel_modal(wo)),
        ("card_modals.cost_modal", card_modals.cost_modal(wo)),
        ("card_modals.down_modal", card_modals.down_modal(wo)),
        ("card_modals.reopen_modal", card_modals.reopen_modal(done)),
        ("card_modals.reject_modal", card_modals.reject_modal(request(typed))),
        ("checklist.reading_modal", checklist.reading_modal(wo, 0)),
        ("contractor.send_modal", contractor.send_modal(wo, contact=typed(200), currency="GBP")),
        ("contractor.revoke_modal", contractor.revoke_modal(wo)),
        (
            "contractor.link_view",
            contractor.link_view(wo.ref, typed(150), "https://w.example/contractor/x", emailed_to=None),
        ),
        (
            "contractor.link_view",
            contractor.link_view(wo.ref, typed(150), "https://w.example/c/y", emailed_to=typed(254)),
        ),
    ):
        yield name, "modal", view
    yield "checklist.checklist", "message", _message("checklist", checklist.checklist(wo, controls=True))
    for state in JobState:
        job = ContractorOnCard(
            job_id=1, vendor=typed(150), state=state, not_to_exceed="9.99 GBP", resolution=typed(3000)
        )
        yield "contractor.on_card", "message", _message("job", [contractor.on_card(job)])
    for told in contractor_events(typed)[2::4]:  # declined, done
        yield "contractor.sender_dm", "message", _message(contractor.sender_dm(wo, told, permalink=PERMALINK))
    for line in (contractor.thread_line(e) for e in contractor_events(typed)):
        if line:
            yield "contractor.thread_line", "message", _message(line)
    options = [contractor.vendor_option(n, typed(150), "expired", date(2026, 3, 1)) for n in range(100)]
    select = {"type": "static_select", "action_id": "value", "options": options}
    picked = modals.modal("contractor_modal", "Vendors", "Send", [modals.input_block("vendor", "Vendor", select)])
    yield "contractor.vendor_option", "modal", picked

    pending, rejected = (
        request(typed),
        request(typed, status=RequestStatus.REJECTED, decided_by="U0MANAGER", rejection_reason=typed(1000)),
    )
    portal = request(typed, requester_id="portal", requester_name=typed(100), requester_email="a@example.com")
    for req in (pending, rejected, portal, request(typed, status=RequestStatus.APPROVED, decided_by="U0MANAGER")):
        yield "approvals.approval_request", "message", approvals.approval_request(req, category_name=typed(75))
        yield "approvals.decision", "message", _message(approvals.decision(req))
    approvers = [f"U0APPROVER{i}" for i in range(20)]
    yield (
        "approvals.awaiting_approval_dm",
        "message",
        _message(approvals.awaiting_approval_dm(pending, approvers=approvers)),
    )
    yield "approvals.rejected_dm", "message", _message(approvals.rejected_dm(rejected))

    for built in events(typed):
        line = messages.thread_line(built)
        if line is not None:
            yield "messages.thread_line", "message", _message(line)
        if built.data.get("low_stock"):
            yield "messages.low_stock_alert", "message", _message(messages.low_stock_alert(built))
    for permalink in (PERMALINK, None):
        yield "messages.filed_dm", "message", _message(messages.filed_dm(wo, team_name=typed(80), permalink=permalink))
        yield "messages.claimed_dm", "message", _message(messages.claimed_dm(wo, permalink=permalink))
        yield "messages.on_hold_dm", "message", _message(messages.on_hold_dm(wo, permalink=permalink))
        yield "messages.completed_dm", "message", messages.completed_dm(done, permalink=permalink)
        yield "messages.cancelled_dm", "message", _message(messages.cancelled_dm(wo, by="U0STAFF", permalink=permalink))
        yield "messages.reopened_dm", "message", _message(messages.reopened_dm(wo, by="U0STAFF", permalink=permalink))
        yield "messages.assigned_dm", "message", _message(messages.assigned_dm(wo, by="U0MANAGER", permalink=permalink))
        yield "messages.sla_warning_dm", "message", _message(messages.sla_warning_dm(wo, permalink=permalink))
        yield "messages.intake_reply", "message", _message(messages.intake_reply(wo, permalink=permalink))
        for reminder in (False, True):
            escalation = messages.escalation_message(
                wo.model_copy(update={"acknowledged_by": None}),
                level=2,
                team_name=typed(80),
                permalink=permalink,
                reminder=reminder,
            )
            yield "messages.escalation_message", "message", escalation
    for settled in (done.model_copy(update={"status": Status.CLOSED}), wo):
        yield "messages.settled_dm", "message", _message(messages.settled_dm(settled, by="U0STAFF"))
    yield "messages.acknowledged", "message", _message(messages.acknowledged(wo))
    yield "messages.wo_usage", "message", _message(messages.wo_usage())
    press = TimerPress(
        timer=TimerRead(id=4, work_order_id=7, user_id="U0TECH1", started_at=NOW), ref="WO-1042", minutes=75
    )
    yield "messages.timer_started", "message", _message(messages.timer_started(press))
    for too_long in (False, True):
        yield "messages.timer_running", "message", messages.timer_running(press, too_long=too_long)
    for logged in (False, True):
        yield (
            "messages.timer_stopped",
            "message",
            _message(messages.timer_stopped("WO-1042", minutes=75, logged=logged)),
        )

    full = listing(typed, 20 if longest else 3, 500)
    yield "lists.results", "message", lists.results(typed(100), full, empty="Nothing found.")
    yield "lists.results", "message", lists.results(typed(100), Listing(), empty="Nothing found.")
    yield "lists.row", "message", _message("row", [lists.row(wo)])
    yield "lists.more", "message", _message("more", lists.more(full))

    categories = [(f"cat{i}", typed(75)) for i in range(100 if longest else 3)]
    fields = [
        CustomField(key="serial", label=typed(48), help=typed(150), max_length=3000),
        CustomField(
            key="floor", label=typed(48), type=FieldType.SELECT, options=tuple(f"{typed(70)}{i}" for i in range(100))
        ),
        CustomField(key="reading", label=typed(48), type=FieldType.NUMBER, min=1, max=10),
        CustomField(key="when", label=typed(48), type=FieldType.DATE),
        CustomField(key="contact", label=typed(48), type=FieldType.USER),
    ]
    draft = modals.RequestDraft(
        title=typed(3000),
        description=typed(3000),
        category="cat0",
        source={"channel": "C0GENERAL", "ts": "1700000000.000009", "user": "U0STAFF"},
        asset=(3, typed(230)),
    )
    yield "modals.request_modal", "modal", modals.request_modal(categories=categories, fields=fields, draft=draft)

    fix = RecurringFix(number=99999, title=typed(150), completed_at=NOW, resolution=typed(3000), cause=typed(500))
    recurring_issue = RecurringIssue(kind="asset", name=typed(500), count=100, window_days=366, last=(fix,) * 3)
    vendor = VendorContact(
        name=typed(150),
        contact_name=typed(150),
        phone=typed(40),
        email=typed(254),
        expires_on=date(2026, 3, 1),
        expiry="expired",
    )
    asset_card = AssetCard(
        id=3,
        tag="PMP-1",
        name=typed(150),
        category=typed(64),
        location=typed(500),
        parent=typed(230),
        manufacturer=typed(100),
        model=typed(100),
        serial=typed(100),
        installed_on=date(2020, 1, 1),
        criticality="high",
        status="down",
        down_since=NOW,
        down_reason=typed(500),
        meters=tuple((typed(40), 1520.5, NOW) for _ in range(10)),
        open_work=full,
        recent=tuple(done.model_copy(update={"id": i}) for i in range(10)),
        year=2026,
        schedules=tuple(PmDue(schedule=f"PM-{i} · {typed(150)}", due_on=date(2026, 4, i + 1)) for i in range(10)),
        recurring=recurring_issue,
        vendor=vendor,
    )
    yield "assets.asset_card", "message", assets.asset_card(asset_card)
    many_issues = [recurring_issue.model_copy(update={"name": f"{typed(200)}{i}"}) for i in range(30 if longest else 2)]
    yield "recurring.digest_section", "message", _message("recurring", recurring.digest_section(many_issues))
    yield "recurring.card_section", "message", _message("recurring", recurring.card_section(recurring_issue))

    digest_data = DigestData(
        team=typed(80),
        local_date=date(2026, 3, 2),
        open=250,
        new_24h=40,
        completed_24h=12,
        overdue=full,
        unassigned=full,
        aging=(("under a day", 40), ("over 4 weeks", 3)),
        on_hold=((typed(60), 5),),
        top_assets=tuple((typed(230), 9 - i) for i in range(5)),
        pm_due=tuple(
            PmDue(schedule=f"PM-{i} · {typed(150)}", due_on=date(2026, 3, 3), asset=typed(230)) for i in range(10)
        ),
        pm_due_total=40,
        overdue_holders=tuple((f"U{i:020d}", 999 - i) for i in range(40 if longest else 3)),
        recurring=tuple(
            recurring_issue.model_copy(update={"kind": kind}) for kind in ("asset", "location", "category") * 3
        ),
        vendor_expiries=(vendor, vendor.model_copy(update={"expiry": "expiring"})) * (20 if longest else 1),
        ratings_7d=999,
        rating_average_7d=4.25,
        low_ratings_24h=tuple((f"WO-{i} · {typed(150)}", 1 + i % 2, typed(1000)) for i in range(10)),
        open_purchases=tuple(
            OpenPurchase(ref=f"PO-{i}", vendor=typed(150), total="19999999.99 USD", status="Partly received", days=400)
            for i in range(10)
        ),
        open_purchases_total=99,
    )
    yield "digest.digest", "message", digest.digest(digest_data)
    quiet = digest_data.model_copy(
        update={"open": 0, "new_24h": 0, "completed_24h": 0, "vendor_expiries": (), "low_ratings_24h": ()}
    )
    yield "digest.digest", "message", digest.digest(quiet)

    kpis = [
        TeamKpis(
            team=typed(80),
            days=7,
            as_of=NOW,
            rows=tuple((typed(60), typed(60)) for _ in range(30)),
            workload=tuple(
                PersonWorkload(
                    user_id=f"U{i:020d}",
                    open=9999,
                    estimated_hours=99999.5,
                    without_estimate=999,
                    overdue=999,
                    completed=9999,
                    ratings=999 if i % 2 else 0,
                    rating_average=4.5 if i % 2 else None,
                )
                for i in range(40 if longest else 3)
            ),
        )
        for _ in range(3 if longest else 1)
    ]
    yield "report.home_kpis", "home", {"type": "home", "blocks": report.home_kpis(kpis, 7)}
    yield "report.team_section", "home", {"type": "home", "blocks": report.team_section(kpis[0])}
    yield "workload.workload_section", "home", {"type": "home", "blocks": workload.workload_section(kpis[0])}
    yield "workload.overdue_holders", "message", _message("holders", workload.overdue_holders(digest_data))
    for expanded in (False, True):
        rows = home.LONG if expanded else home.SHORT
        board = Dashboard(
            assigned=listing(typed, rows, 200),
            requested=listing(typed, rows, 200),
            queue=listing(typed, rows, 200),
            overdue_assigned=3,
            overdue_queue=4,
            pending_approvals=tuple(request(typed, id=i) for i in range(10)),
            pending_purchases=tuple(
                purchase_builders.order(typed, id=i, number=None, status="requested") for i in range(5)
            ),
            teams=tuple(TeamTotals(team=typed(80), open=i) for i in range(5)),
            morning_dm=expanded,
        )
        names = {"keys": typed(75)}
        yield "home.home", "home", home.home(board, category_names=names, expanded=expanded, kpis=kpis)

    plans = [
        schedule(typed),
        schedule(
            typed, paused_at=None, pause_reason=None, repeat=None, meter=typed(40), meter_every=500.0, next_due_on=None
        ),
    ]
    teams = [(f"team{i}", typed(80)) for i in range(100 if longest else 2)]
    for plan in (None, *plans):
        form = pm.pm_form(
            teams=teams,
            categories=categories,
            schedule=plan,
            checklist_text=typed(3000),
            asset_label=typed(230),
            location_label=typed(500),
        )
        yield "pm.pm_form", "modal", form
    many = tuple(schedule(typed, id=i) for i in range(1, (40 if longest else 3) + 1))
    describe = {s.id: typed(200) for s in many}
    for can_plan in (True, False):
        yield "pm.pm_list", "message", pm.pm_list(many, 300, title=typed(100), describe=describe, can_plan=can_plan)
    yield "pm.delete_prompt", "message", pm.delete_prompt(plans[0])
    yield "pm.pm_usage", "message", _message(pm.pm_usage())
    planned = [
        PlannedPm(schedule_id=i, number=i, title=typed(150), due_on=TODAY, asset=typed(64), version=1, updated_at=NOW)
        for i in range(1, (30 if longest else 3) + 1)
    ]
    days = [
        (TODAY + timedelta(days=n), planned if n % 2 == 0 else [], typed(80) if n % 3 == 0 else None) for n in range(14)
    ]
    yield "pm.pm_calendar", "message", pm.pm_calendar(typed(100), days, horizon_days=14)
    yield "pm.pm_calendar", "message", pm.pm_calendar(typed(100), [(TODAY, [], None)], horizon_days=14)

    feeds = [
        CalendarFeedRead(
            id=i,
            prefix=f"{i:08d}",
            team=typed(64) if i % 2 else None,
            person=None if i % 2 else f"U{i:08d}",
            created_by="cli",
            created_at=NOW,
            last_used_at=NOW if i % 3 else None,
            revoked_at=None,
        )
        for i in range(1, (60 if longest else 3) + 1)
    ]
    names = {feed.team: typed(80) for feed in feeds if feed.team}
    yield "calendars.feeds_list", "message", calendars.feeds_list(feeds, names)
    yield "calendars.feeds_list", "message", calendars.feeds_list([], {})
    address = "https://wrench.example.com/calendar/cal_00000001_" + "x" * 43 + ".ics"
    for team_name, absolute in ((typed(80), True), (None, False)):
        made = calendars.feed_made(feeds[0], address, team_name=team_name, absolute=absolute)
        yield "calendars.feed_made", "message", made
    yield "calendars.calendar_usage", "message", _message(calendars.calendar_usage())

    rated = work_order(
        typed, status=Status.CLOSED, rating=1, rating_comment=typed(1000), completed_by="U0TECH1", closed_at=NOW
    )
    yield "satisfaction.rating_request_dm", "message", satisfaction.rating_request_dm(rated, permalink=None)
    yield (
        "satisfaction.rating_request_dm",
        "message",
        satisfaction.rating_request_dm(rated, permalink=PERMALINK),
    )
    yield (
        "satisfaction.rating_modal",
        "modal",
        satisfaction.rating_modal(rated, 4, reply_to="https://hooks.slack.com/x"),
    )
    yield "satisfaction.thanks", "message", _message(satisfaction.thanks(rated))
    for comment in (typed(1000), None):
        low = rated.model_copy(update={"rating_comment": comment})
        yield "satisfaction.low_rating_dm", "message", satisfaction.low_rating_dm(low, permalink=PERMALINK)
    yield from purchase_builders.generate(typed)


def payloads(text: str, *, longest: bool = False) -> list[Built]:
    return [Built(name, surface, payload) for name, surface, payload in _generate(Typed(text, longest=longest))]


# Public functions of blocks/ that are not builders of a payload: small parts the builders share, and
# the parsers of what a payload carries back.
NOT_BUILDERS = {
    "approvals.approve_or_reject",
    "card.button",
    "satisfaction.stars",
    "satisfaction.rate_value",
    "satisfaction.rate_action",
    "card_modals.part_row_block",
    "checklist.item_value",
    "checklist.parse_item_value",
    "checklist.parse_reading_metadata",
    "assets.expiry_note",
    "digest.as_text",
    "modals.custom_field_input",
    "modals.picker",
    "modals.file_input",
    "modals.modal",
    "modals.input_block",
    "modals.text_input",
    "modals.checkboxes",
    "modals.option",
    "purchase_forms.row_block",
    "purchase_forms.receive_block",
    "purchase_forms.cost_block",
}
# Every module of blocks/ but the two that hold no builder: a new module is fed here or fails the test.
BUILDER_MODULES = tuple(
    importlib.import_module(f"blocks.{found.name}")
    for found in pkgutil.iter_modules(blocks.__path__)
    if found.name not in {"text", "ids"}
)
