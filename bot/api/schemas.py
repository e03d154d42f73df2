"""What API clients send: query parameters and JSON bodies, validated by pydantic (the OpenAPI
document shows these same models)."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from models.enums import HoldReason, Priority, PurchaseStatus, RequestStatus, Status
from models.schemas import CAUSE_MAX, DESCRIPTION_MAX, LOCATION_MAX, RESOLUTION_MAX, TITLE_MAX

SLACK_USER = r"^[UW][A-Z0-9]{2,}$"
TAG = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"


def _in_utc(moment: datetime) -> datetime:
    """The time in UTC, as stored times are compared (one at the very edge of the calendar may not be)."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("Give a time between the years 1 and 9999 in UTC.") from None


Since = Annotated[AwareDatetime, AfterValidator(_in_utc)]


def _decimal_text(value: Any) -> Any:
    """An amount is a decimal in a string: a JSON number would be read as a float, and is refused saying so."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            "decimal_string", 'Write it as a decimal in a string, like "85.50": a JSON number would be a float.'
        )
    return value


# Checked, with its own message, by the service that takes it (every wrong value named at once).
DecimalText = Annotated[str, BeforeValidator(_decimal_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Paging(Strict):
    cursor: str | None = Field(default=None, max_length=64, description="`next_cursor` of the previous page.")
    limit: int = Field(default=100, ge=1, le=500)


class WorkOrderQuery(Paging):
    status: Status | None = None
    team: str | None = Field(default=None, max_length=64)
    asset: str | None = Field(default=None, pattern=TAG, description="An asset's tag.")
    priority: Priority | None = None
    updated_since: Since | None = Field(
        default=None, description="ISO 8601 with a time zone; only work orders changed at or after it."
    )


class RequestQuery(Paging):
    status: RequestStatus | None = None
    updated_since: Since | None = None


class RegisterQuery(Paging):
    updated_since: Since | None = None


class ScheduleQuery(Paging):
    team: str | None = Field(default=None, max_length=64)


class KpiQuery(Strict):
    team: str = Field(max_length=64)
    days: int = Field(default=30, ge=1, le=366)


class Acting(Strict):
    actor: str | None = Field(
        default=None,
        pattern=SLACK_USER,
        description="Slack user id the change is made as (their permissions apply). "
        "Not needed, and must match, when the token was created with --as.",
    )


class RequestBody(Acting):
    category: str = Field(max_length=64, description="A category key from wrench.yml.")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    location: str = Field(default="", max_length=LOCATION_MAX, description="Free text, when there is no asset.")
    asset: str | None = Field(default=None, pattern=TAG, description="The tag of the asset concerned.")
    asset_down: bool = Field(default=False, description="The asset has stopped: its downtime starts now.")
    priority: Priority | None = None
    custom_fields: dict[str, Any] = Field(default={}, description="By field key, as the category defines them.")


class WorkOrderBody(RequestBody):
    requester: str | None = Field(default=None, pattern=SLACK_USER, description="Default: the actor.")


class StatusBody(Acting):
    status: Status
    reason: str = Field(default="", max_length=1000, description="Cancel, reopen: why. Hold: a note.")
    hold_reason: HoldReason | None = Field(default=None, description="Required to put work on hold.")
    resolution: str = Field(default="", max_length=RESOLUTION_MAX, description="Required to complete.")
    cause: str = Field(default="", max_length=CAUSE_MAX)
    minutes: int | None = Field(default=None, ge=0, le=1440, description="Time spent, logged when completing.")
    version: int | None = Field(default=None, description="The version you saw: refused (409) if it changed since.")


class AssignmentBody(Acting):
    assignee: str | None = Field(pattern=SLACK_USER, description="Slack user id, or null to unassign.")
    version: int | None = None


class VendorChange(Acting):
    """A vendor's values, each checked by the same rules as `wrench vendors` and the CSV import. The actor
    must be a manager or an admin."""

    name: str | None = Field(default=None, max_length=1000)
    trades: list[str] | None = Field(default=None, max_length=100, description="Category keys of wrench.yml.")
    contact_name: str | None = Field(default=None, max_length=1000)
    email: str | None = Field(default=None, max_length=1000)
    phone: str | None = Field(default=None, max_length=1000)
    hourly_rate: DecimalText | None = Field(
        default=None,
        max_length=40,
        examples=["85.50"],
        description="A decimal in a string (never a JSON number, which would be a float), in `currency`.",
    )
    currency: str | None = Field(default=None, max_length=3, description="ISO 4217; default: the organisation's.")
    expires_on: str | None = Field(
        default=None, max_length=40, description="YYYY-MM-DD: when its insurance or contract runs out."
    )
    notes: str | None = Field(default=None, max_length=10000)


class VendorBody(VendorChange):
    key: str = Field(
        max_length=1000,
        examples=["acme-hvac"],
        description="How the register names it: letters, digits and . _ - (at most 64), like acme-hvac.",
    )
    name: str = Field(max_length=1000)


class VendorPatch(VendorChange):
    """Only the values sent are changed; null (or "") clears an optional one."""


UNIT_COST = r"^[0-9]{1,6}(\.[0-9]{1,4})?$"
PURCHASE_REF = r"^(?:[Pp][OoRr]-?)?[0-9]{1,9}$"


class PurchaseQuery(Paging):
    status: PurchaseStatus | None = None


class PurchaseLineBody(Strict):
    sku: str = Field(max_length=64)
    quantity: int = Field(description="Whole units of the part (1 to 100,000).")
    unit_cost: DecimalText | None = Field(
        default=None,
        max_length=20,
        examples=["12.50"],
        description="A decimal in a string (never a JSON number); default: the part's cost in the register.",
    )


class PurchaseRequestBody(Acting):
    """Checked by the same rules as the Slack form and `wrench purchasing request`; below the threshold of
    `purchasing:` it is approved at once."""

    vendor: str = Field(max_length=64, description="The vendor's key in the register.")
    lines: list[PurchaseLineBody] = Field(min_length=1, max_length=10)
    work_order: str | None = Field(default=None, max_length=20, examples=["WO-12"])
    note: str = Field(default="", max_length=10000)


class ReceiptLineBody(Strict):
    sku: str = Field(max_length=64)
    quantity: int = Field(description="What arrived, whole units (0 to 100,000).")
    unit_cost: DecimalText | None = Field(
        default=None, max_length=20, description="The actual unit cost, a decimal in a string; default: as ordered."
    )


class ReceiptBody(Acting):
    """What arrived of a purchase order. Without `lines`, everything still to come."""

    lines: list[ReceiptLineBody] | None = Field(default=None, max_length=10)
    allow_over: bool = Field(default=False, description="Receive more than was ordered (refused otherwise).")
    version: int | None = Field(
        default=None, description="The order's `version` you saw: refused (409) if something was received since."
    )


class SpendQuery(Strict):
    days: int = Field(default=30, ge=1, le=3660, description="The period: the last N days.")
    team: str | None = Field(default=None, max_length=64, description="Only this team's purchase orders.")
