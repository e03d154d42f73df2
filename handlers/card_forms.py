"""The forms behind a card's modals: what opens each, what each asks, and which service call it becomes."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from blocks import card_modals, contractor, modals
from blocks.ids import Action, Block, Callback, MoreOption
from handlers.forms import from_timestamp
from models.enums import HoldReason, Priority
from models.schemas import CAUSE_MAX, RESOLUTION_MAX, Change, WorkOrderRead
from services.contractor_jobs import jobs as contractor_jobs
from services.inventory import parts
from services.work_orders import costs, downtime, lifecycle, parts_used, rules, work_log


class Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    def arguments(self) -> dict[str, Any]:
        """The service call's keyword arguments."""
        return self.model_dump()


class CompleteForm(Form):
    resolution: str = Field(min_length=1, max_length=RESOLUTION_MAX)
    cause: str = Field(default="", max_length=CAUSE_MAX)
    minutes: int | None = Field(default=None, ge=0, le=modals.MINUTES_MAX)
    files: list[dict[str, Any]] = []


class HoldForm(Form):
    reason: HoldReason
    note: str = Field(default="", max_length=card_modals.REASON_MAX)


class NoteForm(Form):
    note: str = Field(min_length=1, max_length=card_modals.NOTE_MAX)

    def arguments(self) -> dict[str, Any]:
        return {"text": self.note}


class TimeForm(Form):
    minutes: int = Field(ge=1, le=modals.MINUTES_MAX)
    worker: str | None = None

    def arguments(self) -> dict[str, Any]:
        return {"minutes": self.minutes, "worker_id": self.worker}


PART_CHOICE = r"^part:[0-9]{1,9}$"  # as the picker offers it: a row id the column holds


class PartsForm(Form):
    """Rows of `card_modals.parts_modal`: the first is required, the others optional."""

    part: str = Field(pattern=PART_CHOICE)
    quantity: float = Field(gt=0, le=parts.MAX_QUANTITY)
    part_2: str | None = Field(default=None, pattern=PART_CHOICE)
    quantity_2: float | None = Field(default=None, gt=0, le=parts.MAX_QUANTITY)
    part_3: str | None = Field(default=None, pattern=PART_CHOICE)
    quantity_3: float | None = Field(default=None, gt=0, le=parts.MAX_QUANTITY)
    override: list[str] = []

    def arguments(self) -> dict[str, Any]:
        rows = [(self.part, self.quantity), (self.part_2, self.quantity_2), (self.part_3, self.quantity_3)]
        lines = [
            parts_used.PartLine(int(part.removeprefix("part:")) if part else None, quantity, row=row)
            for row, (part, quantity) in enumerate(rows, start=1)
        ]
        return {"lines": lines, "override": bool(self.override)}


class CostForm(Form):
    description: str = Field(min_length=1, max_length=200)
    amount: float = Field(gt=0, le=costs.LARGEST)


LATEST_DUE = int(datetime(9000, 1, 1, tzinfo=UTC).timestamp())  # leaves room for the date maths that follow


class PlanForm(Form):
    priority: Priority | None = None
    due: int | None = None

    @field_validator("due")
    @classmethod
    def _a_time(cls, due: int | None) -> int | None:
        """A datetimepicker's Unix seconds, within what a datetime holds."""
        if due is not None and not 0 <= due < LATEST_DUE:
            raise ValueError("Pick a date and time.")
        return due

    def arguments(self) -> dict[str, Any]:
        due: datetime | None = from_timestamp(self.due)
        return {"priority": self.priority, "due": due}


class RevokeForm(Form):
    reason: str = Field(default="", max_length=card_modals.REASON_MAX)


class ReasonForm(Form):
    reason: str = Field(min_length=1, max_length=card_modals.REASON_MAX)


Service = Callable[..., Awaitable[Change]]


@dataclass(frozen=True)
class CardForm:
    """One modal of a card: the permission it needs, how it is drawn, read and carried out."""

    permission: rules.Permission
    draw: Callable[[WorkOrderRead, str], dict[str, Any]]  # (work order, clicker) → view
    form: type[Form]
    service: Service
    error_field: str  # where a refusal is shown in the modal
    versioned: bool = True  # refused when the work order changed since the card was drawn


CARD_FORMS: dict[str, CardForm] = {
    Callback.COMPLETE_MODAL: CardForm(
        rules.Permission.COMPLETE,
        lambda wo, _: card_modals.complete_modal(wo),
        CompleteForm,
        lifecycle.complete,
        Block.RESOLUTION,
    ),
    Callback.HOLD_MODAL: CardForm(
        rules.Permission.HOLD, lambda wo, _: card_modals.hold_modal(wo), HoldForm, lifecycle.hold, Block.REASON
    ),
    Callback.NOTE_MODAL: CardForm(
        rules.Permission.NOTE, lambda wo, _: card_modals.note_modal(wo), NoteForm, work_log.add_note, Block.NOTE, False
    ),
    Callback.TIME_MODAL: CardForm(
        rules.Permission.LOG_TIME,
        lambda wo, user: card_modals.time_modal(wo, user_id=user),
        TimeForm,
        work_log.log_time,
        Block.MINUTES,
        False,
    ),
    Callback.PARTS_MODAL: CardForm(
        rules.Permission.USE_PARTS,
        lambda wo, _: card_modals.parts_modal(wo),
        PartsForm,
        parts_used.use,
        Block.QUANTITY,
        False,
    ),
    Callback.PLAN_MODAL: CardForm(
        rules.Permission.PLAN, lambda wo, _: card_modals.plan_modal(wo), PlanForm, work_log.plan, Block.PRIORITY
    ),
    Callback.CANCEL_MODAL: CardForm(
        rules.Permission.CANCEL, lambda wo, _: card_modals.cancel_modal(wo), ReasonForm, lifecycle.cancel, Block.REASON
    ),
    Callback.COST_MODAL: CardForm(
        rules.Permission.ADD_COST,
        lambda wo, _: card_modals.cost_modal(wo),
        CostForm,
        costs.add_cost,
        Block.AMOUNT,
        False,
    ),
    Callback.DOWN_MODAL: CardForm(
        rules.Permission.REPORT_DOWN,
        lambda wo, _: card_modals.down_modal(wo),
        ReasonForm,
        downtime.report_down,
        Block.REASON,
        False,
    ),
    Callback.REOPEN_MODAL: CardForm(
        rules.Permission.REOPEN,
        lambda wo, _: card_modals.reopen_modal(wo),
        ReasonForm,
        lifecycle.reopen,
        Block.REASON,
        False,
    ),
    Callback.REVOKE_CONTRACTOR_MODAL: CardForm(
        rules.Permission.REVOKE_CONTRACTOR,
        lambda wo, _: contractor.revoke_modal(wo),
        RevokeForm,
        contractor_jobs.revoke,
        Block.REASON,
        False,
    ),
}

# What opens each modal: the card's buttons, and the entries of its overflow menu.
OPENS_FORM: dict[str, str] = {
    Action.HOLD: Callback.HOLD_MODAL,
    Action.COMPLETE: Callback.COMPLETE_MODAL,
    Action.REOPEN: Callback.REOPEN_MODAL,
}
MORE_FORMS: dict[MoreOption, str] = {
    MoreOption.NOTE: Callback.NOTE_MODAL,
    MoreOption.TIME: Callback.TIME_MODAL,
    MoreOption.PARTS: Callback.PARTS_MODAL,
    MoreOption.PLAN: Callback.PLAN_MODAL,
    MoreOption.CANCEL: Callback.CANCEL_MODAL,
    MoreOption.ASSET_DOWN: Callback.DOWN_MODAL,
    MoreOption.COST: Callback.COST_MODAL,
    MoreOption.REVOKE_CONTRACTOR: Callback.REVOKE_CONTRACTOR_MODAL,
}
