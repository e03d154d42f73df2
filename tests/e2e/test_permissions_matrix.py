"""The permissions matrix: every action of the documented table by every role, each driven the
way a person reaches it in Slack, on SQLite and PostgreSQL.

What is expected comes from the "Who may do what" table in docs/permissions.md, read here (a structure
test keeps that table identical to `rules.PERMISSIONS`; this test does not look at `services.work_orders.rules`).
The roles are the doc's: requester (STAFF filed it), technician of the team (TECH_2; TECH_1 is the one
who holds the work where someone does), technician of another team (OTHER_TECH, "anyone"), manager,
admin and an unknown user (OUTSIDER, "anyone"). Where the assignee column differs from the technician
one, the holder of the work, a colleague of the holder and a holder who has since left the team (the
assignee column alone) are tried as well; a "(while open)" cell is tried in the other statuses too.

Each case gets a work order brought to a state where the action is otherwise valid through the services
(a refused case leaves it as it was, which is checked, so the next case in that state uses it instead of a
new one); the action itself is a signed Slack payload to the running bot: a click on the card (button,
Assign picker, ⋯ menus, checklist item), on the requester's DM or on the escalation message, and the
modal's submission. Allowed: the modal opens and its submission is stored, or the click's change is.
Refused: the clicker is told why (ephemeral reply, or the form's field error for a replayed form) and the
work order, its events and the number of work orders are unchanged.

One bot per database serves the whole module (a bot per case would cost minutes); cases wait for Slack's
calls they need (the card at the work order's version, the DM, the escalation) rather than for the outbox.
"""

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from blocks import card_modals
from blocks import checklist as checklist_blocks
from blocks import contractor as contractor_blocks
from blocks.ids import Action as Control
from blocks.ids import Block, Callback, MoreOption, ref_value
from bot.deps import Deps
from models.enums import HoldReason, Priority, Repeat, Status, WorkOrderType
from models.schemas import RequestCreate, WorkOrderRead
from models.work_orders import WorkOrder
from services.contracting import vendors
from services.contractor_jobs import jobs
from services.contractor_jobs import page as contractor_page
from services.inventory import parts, places
from services.maintenance import checklists, pm_schedules
from services.organisation.config_file import parse_organisation
from services.organisation.integrations import Portal
from services.sla import watch
from services.work_orders import assignment, lifecycle
from services.work_orders import service as work_orders
from tests.conftest import BACKENDS, FrozenClock
from tests.support import databases
from tests.support import slack_requests as sr
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import Call, FakeSlack
from tests.support.org import (
    ADMIN,
    CONFIG,
    ESCALATION_CHANNEL,
    MANAGER,
    OTHER_TECH,
    OUTSIDER,
    STAFF,
    TECH_1,
    TECH_2,
    organisation,
)

# -- the documented table -----------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
COLUMNS = ("requester", "assignee", "technician", "manager", "admin", "anyone")
STATUS_BY_LABEL = {status.label.lower(): status for status in Status}


@dataclass(frozen=True)
class Cell:
    """One cell: "yes", "no", "yes (while open)", "yes (unclaimed or theirs)"."""

    text: str
    allowed: bool
    only_while: frozenset[Status] | None = None
    unclaimed_or_theirs: bool = False

    def grants(self, user: str, *, holder: str | None, status: Status) -> bool:
        if not self.allowed:
            return False
        if self.only_while is not None and status not in self.only_while:
            return False
        return not (self.unclaimed_or_theirs and holder not in (None, user))


def parse_cell(text: str) -> Cell:
    found = re.fullmatch(r"(yes|no)((?: \([^)]+\))*)", text)
    assert found, f"a permissions cell this test cannot read: {text!r}"
    only_while, theirs = None, False
    for condition in re.findall(r"\(([^)]+)\)", found[2]):
        if condition == "unclaimed or theirs":
            theirs = True
        elif condition.startswith("while "):
            only_while = frozenset(STATUS_BY_LABEL[label] for label in condition.removeprefix("while ").split(" or "))
        else:
            raise AssertionError(f"a condition this test does not know: {condition!r} in {text!r}")
    return Cell(text, found[1] == "yes", only_while, theirs)


def documented_table(markdown: str) -> dict[str, dict[str, Cell]]:
    """{action: {role column: cell}} from the first table under "## Who may do what"."""
    lines = iter(markdown.split("## Who may do what", 1)[1].splitlines())
    header = next(line for line in lines if line.startswith("| action |"))
    columns = [name.strip() for name in header.strip("|").split("|")][1:]
    assert tuple(columns) == COLUMNS, f"the table's columns are {columns}"
    assert set(next(lines).replace("|", "").strip()) <= {"-", " "}
    table: dict[str, dict[str, Cell]] = {}
    for line in itertools.takewhile(lambda row: row.startswith("|"), lines):
        action, *cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), line
        table[action] = {column: parse_cell(cell) for column, cell in zip(COLUMNS, cells, strict=True)}
    return table


TABLE = documented_table(DOC.read_text())

# -- who is who ----------------------------------------------------------------------------------------

ORG = organisation().model_copy(update={"portal": Portal(public_url="https://wrench.example.com")})
FACILITIES = ORG.team("facilities")
FORMER = "U0FORMERTECH"  # a Facilities technician when given the work, who has since left the team
# The organisation as it was when FORMER was on the team (only used to give FORMER work in the setup).
BEFORE_FORMER_LEFT = parse_organisation(
    CONFIG.replace(f"technicians: [{TECH_1}, {TECH_2}]", f"technicians: [{TECH_1}, {TECH_2}, {FORMER}]")
)
assert FORMER in BEFORE_FORMER_LEFT.team("facilities").technicians


def documented_roles(user: str, *, requester: str, holder: str | None) -> set[str]:
    """The doc's roles of `user` on a work order: its "who" table applied to the test organisation."""
    roles = {"anyone"}
    if user == requester:
        roles.add("requester")
    if user == holder:
        roles.add("assignee")
    if user in FACILITIES.technicians:
        roles.add("technician")
    if user in FACILITIES.managers:
        roles.add("manager")
    if user in ORG.admins:
        roles.add("admin")
    return roles


# -- cases ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    drive: "Drive"
    role: str
    user: str
    holder: str | None  # who holds the work order when the user acts (None: unclaimed)
    status: Status

    @property
    def id(self) -> str:
        return f"{self.drive.name}-{self.role}"

    @property
    def allowed(self) -> bool:
        row = TABLE[self.drive.action]
        roles = documented_roles(self.user, requester=STAFF, holder=self.holder)
        return any(row[role].grants(self.user, holder=self.holder, status=self.status) for role in roles)


Runner = Callable[["Matrix", Case, WorkOrderRead], Awaitable[None]]


@dataclass(frozen=True)
class Drive:
    """How one action of the table is reached in Slack, on which work order."""

    name: str  # the test id's first part
    action: str  # the table's row
    run: Runner
    status: Status = Status.OPEN
    holder: str | None = None  # who holds the work in the usual state for it
    may_be_held: bool = True  # the action is valid on work someone holds, too
    work: str = (
        "corrective"  # or "asset", "escalated", "checklist", "failed_item", "contractor_sent", "contractor_done"
    )
    other_statuses: tuple[Status, ...] = ()  # statuses it is valid in too ("while …" cells are tried there)


def cases_of(drive: Drive) -> Iterator[Case]:
    row = TABLE[drive.action]
    base = drive.holder
    yield Case(drive, "requester", STAFF, base, drive.status)
    yield Case(drive, "team_technician", TECH_2, base, drive.status)  # a colleague of TECH_1 where TECH_1 holds it
    yield Case(drive, "other_team_technician", OTHER_TECH, base, drive.status)
    yield Case(drive, "manager", MANAGER, base, drive.status)
    yield Case(drive, "admin", ADMIN, base, drive.status)
    yield Case(drive, "unknown_user", OUTSIDER, base, drive.status)
    if drive.may_be_held and row["assignee"] != row["technician"]:
        yield Case(drive, "assignee", TECH_1, TECH_1, drive.status)
        yield Case(drive, "assignee_off_team", FORMER, FORMER, drive.status)
        if base is None:
            yield Case(drive, "colleague_technician", TECH_2, TECH_1, drive.status)
    stand_in = {"requester": STAFF, "technician": TECH_2, "manager": MANAGER, "admin": ADMIN, "anyone": OUTSIDER}
    for role, cell in row.items():
        only_while = cell.only_while if cell.allowed and role in stand_in else None
        if only_while is not None:
            for status in [status for status in drive.other_statuses if status not in only_while]:
                yield Case(drive, f"{role}_{status.value}", stand_in[role], base, status)


# -- the bot, once per database ------------------------------------------------------------------------

CHECKLIST = "Check flue\nBurner flame [pass/fail]\nPressure [number bar 1..2]"
PASS_FAIL_ITEM, READING_ITEM = 1, 2
ITEMS = [item.model_dump(mode="json") for item in checklists.parse(CHECKLIST)]
REASON = re.compile(r"^(Only .+ can .+ this work order\.|<@U\w+> holds (this work order|WO-\d+); .+)$")


@dataclass
class Matrix:
    bot: BotClient
    part_id: int
    schedule_id: int
    vendor_id: int = 0
    keys: Iterator[int] = field(default_factory=itertools.count)
    unchanged: dict[tuple[str, str | None, Status], WorkOrderRead] = field(default_factory=dict)

    @property
    def fake(self) -> FakeSlack:
        return self.bot.fake

    @property
    def deps(self) -> Deps:
        return self.bot.running.deps

    async def run(self, work: Callable[..., Awaitable[Any]], **arguments: Any) -> Any:
        return await self.deps.db.run(partial(work, **arguments))


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def matrix(
    request: pytest.FixtureRequest, templates: databases.Templates, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Matrix]:
    url, to_drop = await databases.clone(templates, str(request.param), tmp_path_factory.mktemp("matrix"))
    fake = FakeSlack()
    await fake.start()
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    try:
        # no scheduler tick after the first round: the setup runs the jobs it needs itself
        async with started_bot(url, fake, ORG, clock=clock, wrench_tick_seconds=3600) as bot:

            async def add_part(session: AsyncSession) -> int:
                part = await parts.add_part(
                    session, now=clock(), actor_id="cli", sku="WSH-8", name="Washer M8", on_hand=1000
                )
                return part.id

            schedule = pm_schedules.ScheduleInput(
                title="Inspect boiler",
                team="facilities",
                checklist=checklists.parse(CHECKLIST),
                repeat=Repeat.WEEKS,
                starts_on=date(2030, 1, 7),  # the scheduler generates nothing from it here
            )
            matrix = Matrix(bot, part_id=await bot.running.deps.db.run(add_part), schedule_id=0)
            vendor = {"key": "acme", "name": "Acme Plumbing", "trades": "plumbing"}
            matrix.vendor_id = (await matrix.run(vendors.add_vendor, org=ORG, now=clock(), values=vendor)).id
            created = await matrix.run(pm_schedules.create, org=ORG, now=clock(), user_id=MANAGER, data=schedule)
            matrix.schedule_id = created.id
            yield matrix
            await bot.settled()
    finally:
        await fake.stop()
        if to_drop:
            await databases.drop(to_drop)


# -- setup through the services ------------------------------------------------------------------------


async def prepare(m: Matrix, case: Case) -> WorkOrderRead:
    """A new work order filed by STAFF, in `case.status`, held by `case.holder`, its card in Slack."""
    org, now, drive = m.deps.org, m.deps.clock(), case.drive
    calls_before = len(m.fake.calls)
    filed, priority, asset_id, plan = now, None, None, None
    if drive.work == "asset":
        tag = f"PMP-{next(m.keys)}"
        asset_id = await m.run(places.add_asset, tag=tag, name="Sump pump", location=None, now=now)
    if drive.work == "escalated":  # filed an hour ago, urgent (respond in 15 min), nobody answered
        filed, priority = now - timedelta(hours=1), Priority.URGENT
    if drive.work in ("checklist", "failed_item"):  # preventive work, here with STAFF as its requester too
        plan = work_orders.Plan(
            schedule_id=m.schedule_id,
            due_on=now.date(),
            due_at=now + timedelta(days=1),
            checklist=tuple(checklists.fresh(ITEMS)),
        )
    title = f"{drive.name}: {case.status.label.lower()}, held by {case.holder or 'nobody'}"
    request = RequestCreate(title=title, category="plumbing", priority=priority, asset_id=asset_id)
    created = await m.run(
        work_orders.create,
        org=org,
        now=filed,
        requester_id=STAFF,
        request=request,
        type=WorkOrderType.PREVENTIVE if plan else WorkOrderType.CORRECTIVE,
        team="facilities",
        plan=plan,
    )
    wo_id = created.work_order.id
    if drive.work == "escalated":
        await m.run(watch.check, org=org, now=now)  # what the scheduler's SLA job does
        assert (await m.run(work_orders.get, work_order_id=wo_id)).escalation_level == 1
    by_tech: dict[str, Any] = {"org": org, "now": now, "work_order_id": wo_id, "user_id": TECH_1}
    if case.status is Status.IN_PROGRESS:
        await m.run(lifecycle.start, **by_tech)
    elif case.status is Status.ON_HOLD:
        await m.run(lifecycle.hold, **by_tech, reason=HoldReason.PARTS)
    elif case.status is Status.COMPLETED:
        await m.run(lifecycle.complete, **by_tech, resolution="Replaced the washer")
    holding = None if case.status is Status.OPEN else TECH_1
    if case.holder != holding:
        by_manager: dict[str, Any] = {"org": BEFORE_FORMER_LEFT, "now": now, "work_order_id": wo_id}
        if case.holder is None:
            await m.run(assignment.unassign, **by_manager, user_id=MANAGER)
        else:
            await m.run(assignment.assign, **by_manager, user_id=MANAGER, assignee_id=case.holder)
    if drive.work in ("contractor_sent", "contractor_done"):  # TECH_1 sent it to Acme (and Acme did it)
        sent = await m.run(jobs.send, org=org, now=now, work_order_id=wo_id, user_id=TECH_1, vendor_id=m.vendor_id)
        if drive.work == "contractor_done":
            await m.run(contractor_page.accept, org=org, now=now, key=sent.key)
            await m.run(contractor_page.mark_done, org=org, now=now, key=sent.key, resolution="New trap fitted")
    if drive.work == "failed_item":
        await m.run(
            checklists.mark,
            org=org,
            now=now,
            work_order_id=wo_id,
            seen_version=None,
            user_id=MANAGER,
            index=PASS_FAIL_ITEM,
            result="fail",
        )
    return await in_slack(m, case, wo_id, since=calls_before)


async def in_slack(m: Matrix, case: Case, wo_id: int, *, since: int) -> WorkOrderRead:
    """Wait (on Slack's calls, not by polling the outbox) until the card shows the work order as stored,
    and the message to click is there; the rest of the outbox carries on in the background."""
    wo: WorkOrderRead = await m.run(work_orders.get, work_order_id=wo_id)
    assert (wo.status, wo.assignee_id) == (case.status, case.holder)
    await m.fake.wait_for(lambda: card_call(m, wo, since=since))
    if case.drive.work == "escalated":
        await m.fake.wait_for(lambda: message_call(m, wo, Control.ACKNOWLEDGE, channel=ESCALATION_CHANNEL))
    if case.status is Status.COMPLETED:
        await m.fake.wait_for(lambda: message_call(m, wo, Control.CONFIRM, channel=wo.requester_id))
    shows = {"contractor_sent": f"{MoreOption.REVOKE_CONTRACTOR}|", "contractor_done": Control.CONTRACTOR_CONFIRM}
    if case.drive.work in shows:  # the card redrawn with the job (its version unchanged)
        wanted = str(shows[case.drive.work])
        await m.fake.wait_for(lambda: wanted in str((card_call(m, wo, since=since) or Call("", {}, {})).params))
    while wo.card_ts is None:  # posted, and being recorded
        await asyncio.sleep(0.005)
        wo = await m.run(work_orders.get, work_order_id=wo_id)
    return wo


@dataclass(frozen=True)
class Snapshot:
    work_order: dict[str, Any]
    events: list[tuple[int, str]]
    work_orders: int

    def new_kinds(self, before: "Snapshot") -> list[str]:
        return [kind for event_id, kind in self.events if (event_id, kind) not in before.events]


async def snapshot(m: Matrix, wo_id: int) -> Snapshot:
    async with m.deps.db.unit_of_work() as session:
        wo = await work_orders.get(session, wo_id)
        events = await work_orders.events_of(session, wo_id)
        count = await session.scalar(select(func.count()).select_from(WorkOrder))
    # the card's permalink is the outbox's bookkeeping, kept when it delivers the card (perhaps only now)
    kept = wo.model_dump(exclude={"card_permalink"})
    return Snapshot(kept, [(event.id, event.kind) for event in events], int(count or 0))


# -- clicks as Slack sends them ------------------------------------------------------------------------


async def send_click(m: Matrix, user: str, element: dict[str, Any], *, channel: str, ts: str) -> str:
    """POST the block_actions payload of a click on `element`; returns the key its replies carry."""
    key = f"matrix-{next(m.keys)}"
    body = sr.block_action(
        element["action_id"],
        str(element.get("value", "")),
        user_id=user,
        channel=channel,
        message_ts=ts,
        response_url=m.fake.response_url(key),
        element=element,
    )
    assert (await m.bot.post(body)).status == 200
    listeners = m.bot.running.listeners
    assert listeners is not None
    await listeners.settle(10)  # the listener has acked; wait until it is done (its replies sent)
    return key


def card_call(m: Matrix, wo: WorkOrderRead, *, since: int = 0) -> Call | None:
    """The card as drawn for `wo`'s version (its controls carry "id:version"), posted or updated (after
    Slack's first `since` calls)."""
    drawn = f"{Block.CARD_ACTIONS}:{ref_value(wo.id, wo.version)}"
    for call in reversed(m.fake.calls[since:]):
        blocks = call.params.get("blocks") or () if call.method in ("chat.postMessage", "chat.update") else ()
        if any(block.get("block_id") == drawn for block in blocks):
            return call
    return None


def message_call(m: Matrix, wo: WorkOrderRead, action_id: str, *, channel: str) -> Call | None:
    """The latest message posted to `channel` with an `action_id` button about `wo`."""
    for call in reversed(m.fake.find("chat.postMessage", channel=channel)):
        if any(
            element.get("action_id") == action_id and element.get("value") == ref_value(wo.id)
            for block in call.params.get("blocks") or ()
            for element in block.get("elements", ())
            if block.get("type") == "actions"
        ):
            return call
    return None


def shown_card(m: Matrix, wo: WorkOrderRead) -> dict[str, Any]:
    found = card_call(m, wo)
    assert found is not None, f"WO-{wo.number}'s card does not show version {wo.version}"
    return found.params


def control_on(message: dict[str, Any], action_id: str, *, block: str | None = None) -> dict[str, Any]:
    """A control of a message (its actions blocks' elements and its sections' accessories), with its block id."""
    for shown in message["blocks"]:
        if block is not None and shown.get("block_id") != block:
            continue
        elements = shown.get("elements", []) if shown["type"] == "actions" else [shown.get("accessory") or {}]
        for element in elements:
            if element.get("action_id") == action_id:
                return {**element, "block_id": shown.get("block_id", "")}
    raise AssertionError(f"no {action_id} control on {message.get('text')!r}")


async def click_card(m: Matrix, user: str, wo: WorkOrderRead, action_id: str, **chosen: Any) -> str:
    """Click a card control: a button, or the Assign picker (`selected_user`), or a menu entry (`option`),
    or a checklist item's control (`block`, and `result` for its menu)."""
    card = shown_card(m, wo)
    element = control_on(card, action_id, block=chosen.get("block"))
    if element["type"] == "overflow":
        wanted = chosen.get("option") or chosen.get("result")
        picked = next(o for o in element["options"] if wanted in o["value"].split("|"))
        element = {
            "type": "overflow",
            "action_id": action_id,
            "block_id": element["block_id"],
            "selected_option": picked,
        }
    elif element["type"] == "users_select":
        element = {**element, "selected_user": chosen["selected_user"]}
    else:
        element = {k: element[k] for k in ("type", "action_id", "block_id", "value", "text")}
    assert wo.card_channel and wo.card_ts
    return await send_click(m, user, element, channel=wo.card_channel, ts=wo.card_ts)


async def click_message(m: Matrix, user: str, wo: WorkOrderRead, action_id: str, *, channel: str) -> str:
    """Click a button of the message about `wo` posted to `channel` (the requester's DM, the escalation)."""
    found = message_call(m, wo, action_id, channel=channel)
    assert found is not None, f"no message with {action_id} for WO-{wo.number} in {channel}"
    element = control_on(found.params, action_id)
    return await send_click(m, user, element, channel=found.answer["channel"], ts=found.answer["ts"])


# -- what allowed and refused look like ----------------------------------------------------------------


def refusals(m: Matrix, key: str) -> list[str]:
    return [r["text"] for r in m.fake.replies if r["key"] == key and not r.get("replace_original")]


async def expect_refused(m: Matrix, case: Case, key: str, before: Snapshot, opened: int) -> None:
    told = refusals(m, key)
    assert told, f"{case.id}: the documented table refuses this, but Wrench did it"
    reply = next(r for r in m.fake.replies if r["key"] == key)
    assert len(told) == 1 and reply["response_type"] == "ephemeral", reply
    assert REASON.match(told[0]), f"{case.id}: refused without saying who may: {told[0]!r}"
    assert len(m.fake.find("views.open")) == opened, f"{case.id}: a form opened for someone who may not use it"
    assert await snapshot(m, before.work_order["id"]) == before, f"{case.id}: a refused click changed the work order"


def expect_not_refused(m: Matrix, case: Case, key: str) -> None:
    told = refusals(m, key)
    assert not told, f"{case.id}: the documented table allows this, but Wrench refused: {told}"


Effect = Callable[[Case, Snapshot, Snapshot], None]


def one_click(open_: Callable[[Matrix, Case, WorkOrderRead], Awaitable[str]], effect: Effect) -> Runner:
    """A click that does it (Claim, Start, Confirm, Acknowledge, a checklist mark...)."""

    async def run(m: Matrix, case: Case, wo: WorkOrderRead) -> None:
        before, opened = await snapshot(m, wo.id), len(m.fake.find("views.open"))
        key = await open_(m, case, wo)
        if case.allowed:
            expect_not_refused(m, case, key)
            effect(case, before, await snapshot(m, wo.id))
        else:
            await expect_refused(m, case, key, before, opened)

    return run


def with_form(
    open_: Callable[[Matrix, Case, WorkOrderRead], Awaitable[str]],
    callback: str,
    values: Callable[[Matrix, Case], dict[str, dict[str, Any]]],
    drawn: Callable[[WorkOrderRead], dict[str, Any]],
    error_field: str,
    effect: Effect,
    answered: Callable[[Any], bool] = lambda answer: answer == (200, None),
) -> Runner:
    """A click that opens a form (only for those who may), then its submission. Someone who may not is
    refused at the click, and again when they submit the form anyway (as someone allowed would see it)."""

    async def run(m: Matrix, case: Case, wo: WorkOrderRead) -> None:
        before, opened = await snapshot(m, wo.id), len(m.fake.find("views.open"))
        key = await open_(m, case, wo)
        if case.allowed:
            expect_not_refused(m, case, key)
            forms = m.fake.find("views.open")
            assert len(forms) == opened + 1, f"{case.id}: no form opened"
            form = forms[-1].params["view"]
            assert form["callback_id"] == callback
            answer = await m.bot.submit(form, values(m, case), user_id=case.user)
            assert answered(answer), f"{case.id}: the documented table allows this, but the form said {answer}"
            effect(case, before, await snapshot(m, wo.id))
        else:
            await expect_refused(m, case, key, before, opened)
            status, body = await m.bot.submit(drawn(wo), values(m, case), user_id=case.user)
            assert status == 200 and body is not None and body["response_action"] == "errors", (case.id, body)
            assert list(body["errors"]) == [error_field], (case.id, body)
            assert REASON.match(body["errors"][error_field]), f"{case.id}: refused without saying who may: {body}"
            assert await snapshot(m, wo.id) == before, f"{case.id}: a refused form changed the work order"

    return run


def recorded(*kinds: str) -> Effect:
    def effect(case: Case, before: Snapshot, after: Snapshot) -> None:
        assert after.new_kinds(before) == list(kinds), case.id
        assert after.work_order["status"] == before.work_order["status"], case.id
        assert after.work_order["assignee_id"] == before.work_order["assignee_id"], case.id

    return effect


def moved(status: Status, *, takes: bool = True) -> Effect:
    """The status changed; unclaimed work was taken by whoever did it (`takes`)."""

    def effect(case: Case, before: Snapshot, after: Snapshot) -> None:
        taken = takes and case.holder is None
        assert after.new_kinds(before) == ["assigned"] * taken + ["status_changed"], case.id
        assert after.work_order["status"] == status, case.id
        assert after.work_order["assignee_id"] == (case.user if taken else case.holder), case.id

    return effect


def held_by(who: Callable[[Case], str | None], kind: str) -> Effect:
    def effect(case: Case, before: Snapshot, after: Snapshot) -> None:
        assert after.new_kinds(before) == [kind], case.id
        assert after.work_order["assignee_id"] == who(case), case.id

    return effect


def assign_target(case: Case) -> str:
    """Someone of the team other than the clicker and the holder."""
    return next(person for person in (TECH_1, TECH_2, MANAGER) if person not in (case.user, case.holder))


def planned(case: Case, before: Snapshot, after: Snapshot) -> None:
    assert after.new_kinds(before) == ["priority_changed"], case.id
    assert after.work_order["priority"] == Priority.LOW, case.id


def acknowledged(case: Case, before: Snapshot, after: Snapshot) -> None:
    assert after.new_kinds(before) == ["acknowledged"], case.id
    assert after.work_order["acknowledged_by"] == case.user, case.id


def marked(case: Case, before: Snapshot, after: Snapshot) -> None:
    assert after.new_kinds(before) == ["checklist_item"], case.id
    item = after.work_order["checklist"][PASS_FAIL_ITEM]
    assert (item["result"], item["by"]) == ("pass", case.user), case.id


def read(case: Case, before: Snapshot, after: Snapshot) -> None:
    assert after.new_kinds(before) == ["checklist_item"], case.id
    item = after.work_order["checklist"][READING_ITEM]
    assert (item["result"], item["value"], item["by"]) == ("pass", 1.5, case.user), case.id


def followed_up(case: Case, before: Snapshot, after: Snapshot) -> None:
    assert after.new_kinds(before) == ["follow_up_opened"], case.id
    assert after.work_orders == before.work_orders + 1, case.id


# -- how each action is reached ------------------------------------------------------------------------


def card_button(action_id: str) -> Callable[[Matrix, Case, WorkOrderRead], Awaitable[str]]:
    return lambda m, case, wo: click_card(m, case.user, wo, action_id)


def card_menu(action_id: str, option: MoreOption) -> Callable[[Matrix, Case, WorkOrderRead], Awaitable[str]]:
    return lambda m, case, wo: click_card(m, case.user, wo, action_id, option=option)


def requester_dm(action_id: str) -> Callable[[Matrix, Case, WorkOrderRead], Awaitable[str]]:
    return lambda m, case, wo: click_message(m, case.user, wo, action_id, channel=wo.requester_id)


def assign_picker(m: Matrix, case: Case, wo: WorkOrderRead) -> Awaitable[str]:
    return click_card(m, case.user, wo, Control.ASSIGN, selected_user=assign_target(case))


def acknowledge_button(m: Matrix, case: Case, wo: WorkOrderRead) -> Awaitable[str]:
    return click_message(m, case.user, wo, Control.ACKNOWLEDGE, channel=ESCALATION_CHANNEL)


def item_menu(m: Matrix, case: Case, wo: WorkOrderRead) -> Awaitable[str]:
    return click_card(m, case.user, wo, Control.CHECKLIST, block=f"{Block.CHECKLIST}:{PASS_FAIL_ITEM}", result="pass")


def reading_button(m: Matrix, case: Case, wo: WorkOrderRead) -> Awaitable[str]:
    return click_card(m, case.user, wo, Control.CHECKLIST_READING, block=f"{Block.CHECKLIST}:{READING_ITEM}")


def follow_up_button(m: Matrix, case: Case, wo: WorkOrderRead) -> Awaitable[str]:
    return click_card(m, case.user, wo, Control.FOLLOW_UP, block=f"{Block.FOLLOW_UPS}:{PASS_FAIL_ITEM}")


def text(field_name: str, value: str) -> Callable[[Matrix, Case], dict[str, dict[str, Any]]]:
    return lambda m, case: {field_name: sr.text_value(value)}


ACTIVE_ELSEWHERE = (Status.IN_PROGRESS, Status.ON_HOLD)
DRIVES = [
    Drive(
        "claim",
        "claim",
        one_click(card_button(Control.CLAIM), held_by(lambda c: c.user, "assigned")),
        may_be_held=False,
    ),
    Drive("assign", "assign", one_click(assign_picker, held_by(assign_target, "assigned"))),
    Drive(
        "unassign",
        "unassign",
        one_click(card_button(Control.UNASSIGN), held_by(lambda c: None, "unassigned")),
        holder=TECH_1,
    ),
    Drive("start", "start", one_click(card_button(Control.START), moved(Status.IN_PROGRESS))),
    Drive(
        "hold",
        "hold",
        with_form(
            card_button(Control.HOLD),
            Callback.HOLD_MODAL,
            lambda m, case: {"reason": sr.select_value("parts"), "note": sr.text_value("valve on order")},
            card_modals.hold_modal,
            Block.REASON,
            moved(Status.ON_HOLD),
        ),
    ),
    Drive("resume", "resume", one_click(card_button(Control.RESUME), moved(Status.IN_PROGRESS)), status=Status.ON_HOLD),
    Drive(
        "complete",
        "complete",
        with_form(
            card_button(Control.COMPLETE),
            Callback.COMPLETE_MODAL,
            text(Block.RESOLUTION, "Replaced the trap seal"),
            card_modals.complete_modal,
            Block.RESOLUTION,
            moved(Status.COMPLETED),
        ),
        status=Status.IN_PROGRESS,
    ),
    Drive(
        "note",
        "note",
        with_form(
            card_menu(Control.MORE, MoreOption.NOTE),
            Callback.NOTE_MODAL,
            text(Block.NOTE, "Shut the valve first"),
            card_modals.note_modal,
            Block.NOTE,
            recorded("note_added"),
        ),
    ),
    Drive(
        "log_time",
        "log_time",
        with_form(
            card_menu(Control.MORE, MoreOption.TIME),
            Callback.TIME_MODAL,
            lambda m, case: {"minutes": sr.number_value("30"), "worker": sr.user_value(case.user)},
            lambda wo: card_modals.time_modal(wo, user_id=TECH_1),
            Block.MINUTES,
            recorded("labor_logged"),
        ),
    ),
    Drive(
        "use_parts",
        "use_parts",
        with_form(
            card_menu(Control.MORE, MoreOption.PARTS),
            Callback.PARTS_MODAL,
            lambda m, case: {
                "part": sr.select_value(f"part:{m.part_id}", kind="external_select"),
                "quantity": sr.number_value("1"),
            },
            card_modals.parts_modal,
            Block.QUANTITY,
            recorded("parts_used"),
        ),
    ),
    Drive(
        "plan",
        "plan",
        with_form(
            card_menu(Control.MANAGE, MoreOption.PLAN),
            Callback.PLAN_MODAL,
            lambda m, case: {"priority": sr.select_value("low")},
            card_modals.plan_modal,
            Block.PRIORITY,
            planned,
        ),
    ),
    Drive(
        "cancel",
        "cancel",
        with_form(
            card_menu(Control.MANAGE, MoreOption.CANCEL),
            Callback.CANCEL_MODAL,
            text(Block.REASON, "Not needed any more"),
            card_modals.cancel_modal,
            Block.REASON,
            moved(Status.CANCELLED, takes=False),
        ),
        other_statuses=ACTIVE_ELSEWHERE,
    ),
    Drive(
        "confirm",
        "confirm",
        one_click(requester_dm(Control.CONFIRM), moved(Status.CLOSED, takes=False)),
        status=Status.COMPLETED,
        holder=TECH_1,
        may_be_held=False,
    ),
    Drive(
        "reopen",
        "reopen",
        with_form(
            requester_dm(Control.REOPEN),
            Callback.REOPEN_MODAL,
            text(Block.REASON, "Still dripping"),
            card_modals.reopen_modal,
            Block.REASON,
            moved(Status.OPEN, takes=False),
        ),
        status=Status.COMPLETED,
        holder=TECH_1,
        may_be_held=False,
    ),
    Drive("acknowledge", "acknowledge", one_click(acknowledge_button, acknowledged), work="escalated"),
    Drive("check_item", "check_item", one_click(item_menu, marked), work="checklist"),
    Drive(
        "check_item(reading)",
        "check_item",
        with_form(
            reading_button,
            Callback.READING_MODAL,
            lambda m, case: {"reading": sr.number_value("1.5")},
            lambda wo: checklist_blocks.reading_modal(wo, READING_ITEM),
            Block.READING,
            read,
        ),
        work="checklist",
    ),
    Drive("follow_up", "follow_up", one_click(follow_up_button, followed_up), work="failed_item"),
    Drive(
        "report_down",
        "report_down",
        with_form(
            card_menu(Control.MANAGE, MoreOption.ASSET_DOWN),
            Callback.DOWN_MODAL,
            text(Block.REASON, "Seized, basement flooding"),
            card_modals.down_modal,
            Block.REASON,
            recorded("asset_down"),
        ),
        work="asset",
    ),
    Drive(
        "add_cost",
        "add_cost",
        with_form(
            card_menu(Control.MORE, MoreOption.COST),
            Callback.COST_MODAL,
            lambda m, case: {"description": sr.text_value("Drain jetting"), "amount": sr.number_value("150")},
            card_modals.cost_modal,
            Block.AMOUNT,
            recorded("cost_added"),
        ),
    ),
]
DRIVES += [
    Drive(
        "send_to_contractor",
        "send_to_contractor",
        with_form(
            card_menu(Control.MANAGE, MoreOption.CONTRACTOR),
            Callback.CONTRACTOR_MODAL,
            lambda m, case: {"vendor": sr.select_value(f"vendor:{m.vendor_id}", kind="external_select")},
            contractor_blocks.send_modal,
            Block.VENDOR,
            recorded("contractor_sent"),
            answered=lambda answer: answer[0] == 200 and (answer[1] or {}).get("response_action") == "update",
        ),
    ),
    Drive(
        "revoke_contractor",
        "revoke_contractor",
        with_form(
            card_menu(Control.MANAGE, MoreOption.REVOKE_CONTRACTOR),
            Callback.REVOKE_CONTRACTOR_MODAL,
            text(Block.REASON, "Sent to the wrong firm"),
            contractor_blocks.revoke_modal,
            Block.REASON,
            recorded("contractor_revoked"),
        ),
        work="contractor_sent",
    ),
    Drive(
        "review_contractor",
        "review_contractor",
        one_click(card_button(Control.CONTRACTOR_CONFIRM), moved(Status.COMPLETED, takes=False)),
        work="contractor_done",
    ),
]
CASES = [case for drive in DRIVES for case in cases_of(drive)]


def test_the_table_is_read_as_written() -> None:
    assert parse_cell("no") == Cell("no", False)
    assert parse_cell("yes (while open)") == Cell("yes (while open)", True, frozenset({Status.OPEN}))
    assert parse_cell("yes (unclaimed or theirs)").grants(TECH_2, holder=None, status=Status.OPEN)
    assert not parse_cell("yes (unclaimed or theirs)").grants(TECH_2, holder=TECH_1, status=Status.OPEN)
    assert parse_cell("yes (while open or on hold)").only_while == frozenset({Status.OPEN, Status.ON_HOLD})


def test_every_documented_action_is_driven_and_every_role_tried() -> None:
    assert {drive.action for drive in DRIVES} == set(TABLE), "a row of the table without a way to reach it here"
    for action in TABLE:
        roles = {case.role for case in CASES if case.drive.action == action}
        assert {"requester", "team_technician", "other_team_technician", "manager", "admin", "unknown_user"} <= roles
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.asyncio(loop_scope="module")  # the module's bot lives in the module's event loop
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_permissions_matrix(matrix: Matrix, case: Case) -> None:
    state = (case.drive.name, case.holder, case.status)
    wo = matrix.unchanged.pop(state, None) or await prepare(matrix, case)
    await case.drive.run(matrix, case, wo)
    if not case.allowed:  # refused, and checked to be unchanged: as good as a fresh one for the next case
        matrix.unchanged[state] = wo
