"""Modal state → pydantic model, or `{block_id: message}` for `response_action: errors`; and a modal's
use case run and answered (`submit`)."""

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from blocks.ids import CUSTOM_FIELD_PREFIX, custom_field_block
from handlers.context import Ack, run_as
from services.errors import DomainError, InvalidFields, InvalidInput
from services.inputs import UNSTORABLE, unstorable_at
from services.ports import Deps

M = TypeVar("M", bound=BaseModel)
OPTION_ID = re.compile(r"[0-9]{1,9}")  # a row id, as the pickers' options carry it ("loc:12")


def element_value(element: dict[str, Any]) -> Any:
    """The value one submitted element holds, whatever its type (None when left empty)."""
    kind = element.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option")
        return option["value"] if option else None
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "datetimepicker":
        return element.get("selected_date_time")
    if kind == "checkboxes":
        return [option["value"] for option in element.get("selected_options") or []]
    if kind == "file_input":
        return [_file_ref(file) for file in element.get("files") or []] or None
    return element.get("value")


def _file_ref(file: dict[str, Any]) -> dict[str, Any]:
    """What Wrench keeps of an uploaded file: Slack keeps the file, we keep the reference (and its type: the
    contractor page shows the photos among them)."""
    kept = {"id": file.get("id"), "name": file.get("name") or file.get("title"), "permalink": file.get("permalink")}
    return {**kept, "mimetype": file["mimetype"]} if file.get("mimetype") else kept


def state_values(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted value of each input block, keyed by block id; blocks left empty are absent,
    so the form model's defaults apply and a required field reports itself missing."""
    values: dict[str, Any] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        element: dict[str, Any] = next(iter(actions.values()), {})  # an input block holds exactly one element
        value = element_value(element)
        if value is not None and value != "":
            values[block_id] = value
    return values


def custom_values(view: dict[str, Any]) -> dict[str, Any]:
    """The custom field values of a request form, keyed by field key (checkboxes as bools)."""
    found: dict[str, Any] = {}
    for block_id, value in state_values(view).items():
        if block_id.startswith(CUSTOM_FIELD_PREFIX):
            found[block_id.removeprefix(CUSTOM_FIELD_PREFIX)] = bool(value) if isinstance(value, list) else value
    return found


def parse(model: type[M], view: dict[str, Any]) -> M | dict[str, str]:
    """Validate the modal's values; field names of `model` are the modal's block ids. Text that cannot
    be stored (a NUL, a lone surrogate) is refused in whichever block holds it, custom fields too."""
    values = state_values(view)
    unstorable = {block_id: UNSTORABLE for block_id, value in values.items() if unstorable_at(value) is not None}
    try:
        parsed = model.model_validate(values)
    except ValidationError as error:
        return {**errors_of(error), **unstorable}
    return unstorable or parsed


def errors_of(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        errors.setdefault(field, _message(problem))
    return errors


async def parse_or_reject(ack: Ack, model: type[M], view: dict[str, Any]) -> M | None:
    """The parsed form, or None after answering the modal with its field errors."""
    parsed = parse(model, view)
    if isinstance(parsed, dict):
        await ack(response_action="errors", errors=parsed)
        return None
    return parsed


async def reject(ack: Ack, error: DomainError, *, default_field: str) -> None:
    """Show a refusal in the modal, under the field(s) it names (or `default_field`)."""
    if isinstance(error, InvalidFields):
        errors = {custom_field_block(key): message for key, message in error.errors.items()}
    elif isinstance(error, InvalidInput) and error.field:
        errors = {error.field: str(error)}
    else:
        errors = {default_field: str(error)}
    await ack(response_action="errors", errors=errors)


async def submit(
    ack: Ack,
    deps: Deps,
    service: Callable[..., Awaitable[object]],
    /,
    *,
    user_id: str,
    error_field: str,
    **arguments: Any,
) -> None:
    """Run a modal's use case as `user_id` (`run_as`) and answer the modal: closed once it is stored, else
    the refusal shown under the field it names (or `error_field`)."""
    try:
        await run_as(deps, service, user_id=user_id, **arguments)
    except DomainError as error:
        await reject(ack, error, default_field=error_field)
        return
    await ack()


def first_line(text: str) -> str:
    """The first line with something on it: the title of a request filed from a message."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def option_id(value: str, prefix: str) -> int | None:
    """The row id a picked option `<prefix><id>` carries; None for another kind of option. ValueError
    for a value no picker of ours offers (a forged one, or an id past what the column holds)."""
    if not value.startswith(prefix):
        return None
    number = value.removeprefix(prefix)
    if not OPTION_ID.fullmatch(number):
        raise ValueError(f"{value[:40]!r} is not an option")
    return int(number)


def metadata_ref(view: dict[str, Any]) -> str:
    return str(view.get("private_metadata") or "")


def from_timestamp(value: Any) -> datetime | None:
    """A datetimepicker's value (Unix seconds) as a UTC datetime."""
    return datetime.fromtimestamp(int(value), UTC) if value not in (None, "") else None


def _message(problem: Any) -> str:
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind in ("missing", "string_too_short") and context.get("min_length", 1) <= 1:
        return "This is required."
    if kind == "string_too_long":
        return f"Use at most {context['max_length']} characters (this has {len(problem['input'])})."
    if kind == "enum":
        return "Pick one of the options."
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = context.get("ge", context.get("le"))
        return f"Enter {bound} or {'more' if kind == 'greater_than_equal' else 'less'}."
    if kind in ("int_parsing", "int_from_float"):
        return "Enter a whole number."
    return str(problem["msg"]).removeprefix("Value error, ")
