"""Hostile input to the pure parsers (property tests): durations, modal state, custom field values, CSV
rows and `/wo` numbers. Each either gives a well-formed result or refuses with its own clear error;
nothing else ever escapes."""

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from blocks.ids import parse_ref, ref_value
from handlers.card_forms import CARD_FORMS
from handlers.forms import custom_values, option_id, parse, state_values
from handlers.lookup import parse_number
from handlers.requests import RequestForm
from models.enums import FieldType
from models.schemas import CustomField
from services import csv_import, inputs
from services.errors import InvalidFields
from services.inventory.register_import import ASSETS, LOCATIONS, PARTS
from services.maintenance.pm_import import PM
from services.organisation import custom_fields
from services.organisation.durations import format_duration, parse_duration
from tests.support import hostile
from tests.support import slack_requests as sr

FUZZ = settings(derandomize=True, deadline=None, max_examples=80)


# Durations (wrench.yml: SLA targets, reminders)


@FUZZ
@given(st.one_of(hostile.text(), st.from_regex(r"\s*(\d{1,25}\s*[smhdwSMHDW]\s*){1,4}", fullmatch=True)))
@example("99999999999999999999w")
@example("0m")
def test_a_duration_parses_to_something_positive_or_says_what_is_accepted(text: str) -> None:
    try:
        duration = parse_duration(text)
    except ValueError as error:
        assert "is not a duration" in str(error) or "must be longer than zero" in str(error) or "too long" in str(error)
    else:
        assert duration > timedelta()


@FUZZ
@given(st.integers(min_value=1, max_value=10**10))
def test_a_formatted_duration_parses_back_to_itself(seconds: int) -> None:
    duration = timedelta(seconds=seconds)
    assert parse_duration(format_duration(duration)) == duration


# Modal state → form models


def view(values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"state": {"values": {block_id: {"value": state} for block_id, state in values.items()}}}


def element() -> st.SearchStrategy[dict[str, Any]]:
    """Any one input element as Slack sends it, holding a hostile value."""
    words = hostile.text()
    return st.one_of(
        words.map(sr.text_value),
        hostile.numberish().map(sr.number_value),
        words.map(sr.select_value),
        words.map(lambda value: sr.select_value(value, kind="external_select")),
        words.map(sr.date_value),
        words.map(sr.user_value),
        st.booleans().map(sr.checkbox_value),
        st.one_of(st.integers(), st.integers(-(2**70), 2**70)).map(sr.datetime_value),
        st.lists(words, max_size=3).map(lambda names: sr.files_value(*names)),
    )


def modal_state(block_ids: list[str]) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    return st.dictionaries(st.one_of(st.sampled_from(block_ids), hostile.text(max_size=20)), element(), max_size=8)


FORMS = list(dict.fromkeys([RequestForm, *(spec.form for spec in CARD_FORMS.values())]))


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
@settings(derandomize=True, deadline=None, max_examples=40)
@given(data=st.data())
def test_a_form_parses_or_names_each_wrong_block(form: Any, data: st.DataObject) -> None:
    values = data.draw(modal_state([*form.model_fields, "cf_floor"]))
    parsed = parse(form, view(values))
    unstorable = {block_id for block_id, value in state_values(view(values)).items() if inputs.unstorable_at(value)}
    if isinstance(parsed, dict):
        assert parsed, "a refusal names at least one block"
        for block_id, message in parsed.items():  # a block the modal sent, or a field it left out
            assert block_id in values or block_id in form.model_fields, (block_id, message)
            assert isinstance(message, str) and message.strip()
            assert "Traceback" not in message and "pydantic" not in message.lower()
        assert all(parsed[block_id] == inputs.UNSTORABLE for block_id in unstorable)
    else:
        assert isinstance(parsed, form) and not unstorable
        parsed.arguments() if hasattr(parsed, "arguments") else None  # the service call's arguments build


@FUZZ
@given(modal_state(["title", "category", "cf_floor", "cf_kind", "cf_safe"]))
def test_state_and_custom_values_never_fail_and_hold_only_filled_blocks(values: dict[str, dict[str, Any]]) -> None:
    submitted = view(values)
    found = state_values(submitted)
    assert set(found) <= set(values)
    assert all(value not in (None, "") for value in found.values())
    assert set(custom_values(submitted)) == {key.removeprefix("cf_") for key in found if key.startswith("cf_")}


# Text no database stores


def texts(value: Any) -> list[str]:
    """Every string in a JSON-like value, keys too."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [*texts(key), *texts(item)]]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return []


def storable(text: str) -> bool:
    try:
        text.encode("utf-8")  # refuses a lone surrogate
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


@FUZZ
@given(hostile.json_value())
def test_unstorable_text_is_found_where_it_is_and_searches_drop_it(value: Any) -> None:
    where = inputs.unstorable_at(value)
    assert (where is None) == all(storable(text) for text in texts(value))
    if where is None:
        return
    found = value
    for step in where:
        found = found[step]
    culprit = found if isinstance(found, str) and not storable(found) else where[-1]  # or the key held it
    assert isinstance(culprit, str) and not storable(culprit)
    assert storable(inputs.searchable(culprit))


# Custom field values (the modal and the REST API's custom_fields)

FIELDS = (
    CustomField(key="floor", label="Floor", type=FieldType.NUMBER, min=-2, max=40, required=True),
    CustomField(key="weight", label="Weight", type=FieldType.NUMBER, decimals=True),
    CustomField(key="kind", label="Kind", type=FieldType.SELECT, options=("Too hot", "Too cold")),
    CustomField(key="noticed", label="Noticed", type=FieldType.DATE),
    CustomField(key="contact", label="Contact", type=FieldType.USER),
    CustomField(key="safe", label="Safe", type=FieldType.CHECKBOX),
    CustomField(key="note", label="Note", type=FieldType.TEXT, max_length=20),
    CustomField(key="story", label="Story", type=FieldType.LONG_TEXT),
)
KEYS = [field.key for field in FIELDS]


@FUZZ
@given(st.dictionaries(st.one_of(st.sampled_from(KEYS), hostile.text(max_size=10)), hostile.json_value(), max_size=10))
@example({"floor": 10**5000})
@example({"floor": "1e400", "weight": "nan", "note": 10**5000})
def test_custom_field_values_are_typed_or_each_wrong_one_is_named(raw: dict[str, Any]) -> None:
    try:
        clean = custom_fields.validate(FIELDS, raw)
    except InvalidFields as refused:
        assert set(refused.errors) <= set(KEYS)
        assert all(isinstance(message, str) and message.strip() for message in refused.errors.values())
        return
    assert set(clean) <= set(KEYS) and "floor" in clean
    by_key = {field.key: field for field in FIELDS}
    for key, value in clean.items():
        kind = by_key[key].type
        if kind is FieldType.NUMBER:
            assert isinstance(value, int | float) and value == value
        if key == "floor":
            assert isinstance(value, int) and -2 <= value <= 40
        if kind is FieldType.SELECT:
            assert value in by_key[key].options
        if kind is FieldType.DATE:
            assert date.fromisoformat(value).isoformat() == value
        if kind is FieldType.USER:
            assert re.fullmatch(r"[UW][A-Z0-9]{2,}", value)
        if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
            assert isinstance(value, str) and value == value.strip() and len(value) <= by_key[key].max_length
    assert custom_fields.validate(FIELDS, clean) == clean  # what is stored checks again the same


# CSV rows


@FUZZ
@given(hostile.text(max_size=400))
@example("tag,name\n\x00,\x00")
@example('tag\n"' + "x" * 140_000 + '"')  # over csv's field limit
@example('tag\n"unterminated')
@example("tag,name\nA\rB,c")
def test_any_text_reads_as_rows_or_fails_at_a_named_line(text: str) -> None:
    for kind in (LOCATIONS, ASSETS, PARTS, PM):
        try:
            rows = csv_import.read_rows(kind, text)
        except csv_import.ImportFailed as refused:
            assert refused.problems and all(re.match(r"line \d+: ", problem) for problem in refused.problems)
        else:
            assert all(set(cells) <= set(kind.columns) for _, cells in rows)


@FUZZ
@given(st.lists(st.lists(hostile.text(max_size=30), min_size=2, max_size=2), max_size=6))
def test_written_rows_read_back_cell_for_cell_on_their_own_line(rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)  # as spreadsheets write it: \r\n, quoting what needs it
    writer.writerow(["Tag", " NAME "])
    starts = []
    for row in rows:
        starts.append(out.getvalue().count("\n") + 1)
        writer.writerow(row)
    read = csv_import.read_rows(ASSETS, out.getvalue())
    cells = [{"tag": tag.strip(), "name": name.strip()} for tag, name in rows]
    assert read == list(zip(starts, cells, strict=True))


# Ids carried by buttons and picked options


@FUZZ
@given(st.integers(1, 2**31 - 1), st.one_of(st.none(), st.integers(0, 2**31 - 1)))
def test_a_card_ref_reads_back_as_it_was_written(work_order_id: int, version: int | None) -> None:
    assert parse_ref(ref_value(work_order_id, version)) == (work_order_id, version)


@FUZZ
@given(st.sampled_from(("loc:", "asset:", "part:")), st.one_of(hostile.numberish(), hostile.text(max_size=12)))
def test_a_picked_option_is_an_id_the_column_holds_or_refused(prefix: str, rest: str) -> None:
    try:
        found = option_id(prefix + rest, prefix)
    except ValueError:
        assert not re.fullmatch(r"[0-9]{1,9}", rest)
    else:
        assert re.fullmatch(r"[0-9]{1,9}", rest) and found == int(rest)
    assert option_id("text:" + rest, prefix) is None


# `/wo 42`


@FUZZ
@given(hostile.text(max_size=30))
def test_a_wo_number_is_small_positive_or_none(text: str) -> None:
    number = parse_number(text)
    assert number is None or 0 <= number < 10**9
