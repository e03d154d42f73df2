"""Modal state → pydantic model, or `{block_id: message}` for `response_action: errors`."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from blocks.ids import INPUT_ACTION
from services.errors import DomainError, InvalidInput

M = TypeVar("M", bound=BaseModel)


def state_values(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted value of each input block, keyed by block id; blocks left empty are absent,
    so the form model's defaults apply and a required field reports itself missing."""
    values: dict[str, Any] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        element = actions.get(INPUT_ACTION, {})
        kind = element.get("type")
        if kind in ("static_select", "external_select"):
            option = element.get("selected_option")
            values[block_id] = option["value"] if option else None
        elif kind == "users_select":
            values[block_id] = element.get("selected_user")
        else:
            values[block_id] = element.get("value")
    return {block_id: value for block_id, value in values.items() if value is not None}


def parse(model: type[M], view: dict[str, Any]) -> M | dict[str, str]:
    """Validate the modal's values; field names of `model` are the modal's block ids."""
    try:
        return model.model_validate(state_values(view))
    except ValidationError as error:
        errors: dict[str, str] = {}
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else ""
            errors.setdefault(field, _message(problem))
        return errors


async def parse_or_reject(ack: Any, model: type[M], view: dict[str, Any]) -> M | None:
    """The parsed form, or None after answering the modal with its field errors."""
    parsed = parse(model, view)
    if isinstance(parsed, dict):
        await ack(response_action="errors", errors=parsed)
        return None
    return parsed


async def reject(ack: Any, error: DomainError, *, default_field: str) -> None:
    """Show a refusal in the modal, under the field it names (or `default_field`)."""
    field = error.field if isinstance(error, InvalidInput) and error.field else default_field
    await ack(response_action="errors", errors={field: str(error)})


def _message(problem: Any) -> str:
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind in ("missing", "string_too_short") and context.get("min_length", 1) <= 1:
        return "This is required."
    if kind == "string_too_long":
        return f"Use at most {context['max_length']} characters (this has {len(problem['input'])})."
    if kind == "enum":
        return "Pick one of the options."
    return str(problem["msg"]).removeprefix("Value error, ")
