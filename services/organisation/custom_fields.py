"""Custom form fields per category (`fields:` in wrench.yml): their definition and the validation of
submitted values, shared by every intake (the Slack modal today, the web portal later)."""

import re
from datetime import date
from typing import Any

from models.enums import FieldType
from models.schemas import CustomField
from services.errors import InvalidFields

__all__ = ["MAX_FIELDS", "CustomField", "FieldType", "display", "validate"]

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
MAX_FIELDS = 20


def validate(fields: tuple[CustomField, ...], raw: dict[str, Any]) -> dict[str, Any]:
    """The submitted values, typed and checked; `InvalidFields` keyed by field key lists every problem.

    `raw` holds what a form sent: strings for text, numbers and dates, the option for a select, a
    user id, and a bool for a checkbox. Values for fields the category does not have are dropped.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        value = raw.get(field.key)
        if value is None or value == "" or value is False:
            if field.required:
                errors[field.key] = "This is required." if field.type is not FieldType.CHECKBOX else "Tick this box."
            continue
        try:
            clean[field.key] = _typed(field, value)
        except ValueError as problem:
            errors[field.key] = str(problem)
    if errors:
        raise InvalidFields(errors)
    return clean


def _typed(field: CustomField, value: Any) -> Any:
    if field.type in (FieldType.TEXT, FieldType.LONG_TEXT):
        text = str(value).strip()
        if len(text) > field.max_length:
            raise ValueError(f"Use at most {field.max_length} characters (this has {len(text)}).")
        return text
    if field.type is FieldType.NUMBER:
        return _number(field, value)
    if field.type is FieldType.SELECT:
        if value not in field.options:
            raise ValueError("Pick one of the options.")
        return value
    if field.type is FieldType.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("Pick a date (YYYY-MM-DD).") from None
    if field.type is FieldType.USER:
        if not isinstance(value, str) or not USER_ID.match(value):
            raise ValueError("Pick a person.")
        return value
    return bool(value)  # checkbox


def _number(field: CustomField, value: Any) -> int | float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError("Enter a number.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("Enter a number.")
    if not field.decimals and not number.is_integer():
        raise ValueError("Enter a whole number.")
    if field.min is not None and number < field.min:
        raise ValueError(f"Enter {_show(field.min)} or more.")
    if field.max is not None and number > field.max:
        raise ValueError(f"Enter {_show(field.max)} or less.")
    return int(number) if not field.decimals else number


def _show(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def display(field: CustomField, value: Any) -> str:
    """How a stored value reads (plain text; a `user` field's value stays the user id)."""
    if field.type is FieldType.CHECKBOX:
        return "Yes" if value else "No"
    return str(value)
