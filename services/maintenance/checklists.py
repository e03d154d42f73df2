"""PM checklists: written one item per line, carried by each generated work order, ticked on its card;
a failed item opens a follow-up corrective work order in one click.

Line syntax (the modal and CSV use it): `Check belts` (tick when done), `Belt wear [pass/fail]`,
`Oil pressure [number psi 20..60]` (a reading; outside 20..60 it fails).
"""

import math
import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ChecklistKind, EventKind, Priority, WorkOrderType
from models.schemas import Change, ChecklistItem, RequestCreate
from models.work_orders import WorkOrder
from services.errors import InvalidInput
from services.organisation.org import Organisation
from services.work_orders import changes, rules
from services.work_orders import service as work_orders

MAX_ITEMS = 20
LINE = re.compile(r"^(?P<label>.*?)\s*\[(?P<spec>[^\]]*)\]\s*$")
RANGE = re.compile(r"^(?P<low>-?\d+(?:\.\d+)?)?\s*(?:\.\.|to)\s*(?P<high>-?\d+(?:\.\d+)?)?$")
PASS_FAIL = {"pass/fail", "pass-fail", "passfail", "pass fail"}
RESULTS = {
    ChecklistKind.CHECK: ("done", None),
    ChecklistKind.PASS_FAIL: ("pass", "fail", None),
    ChecklistKind.NUMBER: (None,),
}


def parse(text: str) -> tuple[ChecklistItem, ...]:
    """Checklist lines → items; `InvalidInput` names the line that is wrong."""
    items = []
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) > MAX_ITEMS:
        raise InvalidInput(f"A checklist has at most {MAX_ITEMS} items; this one has {len(lines)}.")
    for number, line in lines:
        try:
            items.append(_item(line.lstrip("-*• ").strip()))
        except (ValueError, ValidationError) as error:
            reason = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
            raise InvalidInput(f"Checklist line {number} (“{line[:60]}”): {reason}.") from None
    return tuple(items)


def _item(line: str) -> ChecklistItem:
    match = LINE.match(line)
    if match is None:
        return ChecklistItem(label=line)
    label, words = match["label"], match["spec"].strip().lower()
    if words in PASS_FAIL:
        return ChecklistItem(label=label, kind=ChecklistKind.PASS_FAIL)
    if words in ("", "check", "done"):
        return ChecklistItem(label=label)
    kind, _, rest = words.partition(" ")
    if kind != "number":
        raise ValueError("write [pass/fail], [number], [number UNIT] or [number UNIT MIN..MAX]")
    unit, low, high = None, None, None
    for word in rest.split():
        found = RANGE.match(word)
        if found and (found["low"] or found["high"]):
            low = float(found["low"]) if found["low"] else None
            high = float(found["high"]) if found["high"] else None
        else:
            unit = word
    return ChecklistItem(label=label, kind=ChecklistKind.NUMBER, unit=unit, min=low, max=high)


def as_text(items: list[dict[str, Any]]) -> str:
    """Items back as lines (to prefill the edit form)."""
    lines = []
    for item in items:
        line = item["label"]
        if item.get("kind") == ChecklistKind.PASS_FAIL:
            line += " [pass/fail]"
        elif item.get("kind") == ChecklistKind.NUMBER:
            low, high = item.get("min"), item.get("max")
            bounds = f"{_num(low)}..{_num(high)}" if low is not None or high is not None else ""
            line += " [" + " ".join(p for p in ("number", item.get("unit") or "", bounds) if p) + "]"
        lines.append(line)
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def fresh(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A schedule's items as a new work order carries them: nothing ticked yet."""
    return [{**item, "result": None, "value": None, "by": None, "at": None, "follow_up": None} for item in items]


def verdict(item: dict[str, Any], value: float) -> str:
    """A reading passes inside the item's min..max (either may be open)."""
    low, high = item.get("min"), item.get("max")
    return "fail" if (low is not None and value < low) or (high is not None and value > high) else "pass"


async def mark(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    seen_version: int | None,
    user_id: str,
    index: int,
    result: str | None = None,
    value: float | None = None,
) -> Change:
    """Tick, pass, fail or clear item `index`, or record its reading (`value`)."""
    work_order, items = await _checklist(
        session, org, work_order_id, user_id, rules.Permission.CHECK_ITEM, seen_version
    )
    if work_order.status not in rules.ACTIVE:
        raise InvalidInput(f"WO-{work_order.number} is {work_order.status.label.lower()}: its checklist is final.")
    if not 0 <= index < len(items):
        raise InvalidInput("That checklist item is no longer on this work order.")
    item = items[index]
    if value is not None:
        if item.get("kind") != ChecklistKind.NUMBER:
            raise InvalidInput(f"“{item['label']}” does not take a reading.")
        if not math.isfinite(value):  # NaN would pass every range, and JSON cannot hold it
            raise InvalidInput("Enter a number.", field="reading")
        result = verdict(item, value)
    elif result not in RESULTS[ChecklistKind(item.get("kind", ChecklistKind.CHECK))]:
        raise InvalidInput(f"“{item['label']}” cannot be marked {result}.")
    item.update(result=result, value=value, by=user_id if result else None, at=now.isoformat() if result else None)
    work_order.checklist = items
    work_order.updated_at = now
    data = {"index": index, "label": item["label"], "result": result, "value": value, "unit": item.get("unit")}
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.CHECKLIST_ITEM, data=data)
    return await changes.done(session, work_order, event)


async def _checklist(
    session: AsyncSession,
    org: Organisation,
    work_order_id: int,
    user_id: str,
    permission: rules.Permission,
    seen_version: int | None,
) -> tuple[WorkOrder, list[dict[str, Any]]]:
    """The work order, checked for `permission`, and a copy of its items to change and store back."""
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, permission, seen_version=seen_version)
    return work_order, [dict(item) for item in work_order.checklist]


async def follow_up(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    seen_version: int | None,
    user_id: str,
    index: int,
) -> tuple[Change, Change]:
    """Open a corrective work order for failed item `index` (once): (the new one, the inspection)."""
    work_order, items = await _checklist(session, org, work_order_id, user_id, rules.Permission.FOLLOW_UP, seen_version)
    if not 0 <= index < len(items) or items[index].get("result") != "fail":
        raise InvalidInput("Only a failed checklist item can open a follow-up.")
    item = items[index]
    if item.get("follow_up"):
        raise InvalidInput(f"“{item['label']}” already has its follow-up: WO-{item['follow_up']}.")
    reading = f" (reading {_num(item.get('value'))}{' ' + item['unit'] if item.get('unit') else ''})"
    request = RequestCreate(
        title=f"Follow-up: {item['label']}"[:150],
        category=work_order.category,
        description=(
            f"“{item['label']}” failed{reading if item.get('value') is not None else ''} "
            f"on WO-{work_order.number} ({work_order.title})."
        ),
        location=work_order.location,
        location_id=work_order.location_id,
        asset_id=work_order.asset_id,
        priority=max(work_order.priority, Priority.MEDIUM, key=list(Priority).index),
    )
    created = await work_orders.create(
        session,
        org=org,
        now=now,
        requester_id=user_id,
        request=request,
        type=WorkOrderType.CORRECTIVE,
        team=work_order.team,
    )
    item["follow_up"] = created.work_order.number
    work_order.checklist = items
    work_order.updated_at = now
    data = {"index": index, "label": item["label"], "follow_up": created.work_order.number}
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.FOLLOW_UP_OPENED, data=data)
    return created, await changes.done(session, work_order, event)
