"""Modal state as Slack sends it → form models or field errors; `/wo` arguments; process settings."""

from pathlib import Path
from typing import Any

import pytest

from bot.config import Mode, Settings, SettingsError, load_settings
from handlers.card_forms import CompleteForm
from handlers.forms import parse, state_values
from handlers.lookup import parse_number
from handlers.requests import RequestForm
from tests.support import slack_requests as sr


def view(**values: dict[str, Any]) -> dict[str, Any]:
    return {"state": {"values": {block_id: {"value": state} for block_id, state in values.items()}}}


def test_state_values_leave_out_empty_inputs() -> None:
    submitted = view(
        title=sr.text_value("Leak"),
        description=sr.text_value(None),
        category=sr.select_value("x"),
        priority=sr.select_value(None),
        minutes=sr.number_value("5"),
    )
    assert state_values(submitted) == {"title": "Leak", "category": "x", "minutes": "5"}


def test_request_form_parses_and_strips() -> None:
    form = parse(
        RequestForm,
        view(title=sr.text_value("  Leak  "), category=sr.select_value("plumbing"), priority=sr.select_value("urgent")),
    )
    assert isinstance(form, RequestForm)
    assert (form.title, form.category, form.description, form.location, form.priority) == (
        "Leak",
        "plumbing",
        "",
        "",
        "urgent",
    )


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"title": sr.text_value("   "), "category": sr.select_value("p")}, {"title": "This is required."}),
        (
            {"title": sr.text_value("x" * 151), "category": sr.select_value("p")},
            {"title": "Use at most 150 characters (this has 151)."},
        ),
        ({"title": sr.text_value("ok")}, {"category": "This is required."}),
        (
            {"title": sr.text_value("ok"), "category": sr.select_value("p"), "priority": sr.select_value("asap")},
            {"priority": "Pick one of the options."},
        ),
    ],
)
def test_request_form_errors_are_keyed_by_block(values: dict[str, Any], errors: dict[str, str]) -> None:
    assert parse(RequestForm, view(**values)) == errors


@pytest.mark.parametrize(
    ("minutes", "error"),
    [
        ("-1", "Enter 0 or more."),
        ("1441", "Enter 1440 or less."),
        ("abc", "Enter a whole number."),
        ("2.5", "whole number"),
    ],
)
def test_completion_minutes_are_checked(minutes: str, error: str) -> None:
    result = parse(CompleteForm, view(resolution=sr.text_value("Fixed"), minutes=sr.number_value(minutes)))
    assert isinstance(result, dict) and set(result) == {"minutes"} and error in result["minutes"]


def test_completion_needs_a_resolution() -> None:
    assert parse(CompleteForm, view(cause=sr.text_value("worn"))) == {"resolution": "This is required."}
    form = parse(CompleteForm, view(resolution=sr.text_value("Fixed"), minutes=sr.number_value("30")))
    assert isinstance(form, CompleteForm) and (form.minutes, form.cause) == (30, "")


@pytest.mark.parametrize(("text", "number"), [("42", 42), ("WO-42", 42), ("wo42", 42), ("#42", 42), (" 42 ", 42)])
def test_wo_numbers(text: str, number: int) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "pump", "WO-", "42a", "1234567890", "-3"])
def test_not_wo_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in [*(f.upper() for f in Settings.model_fields)]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    return monkeypatch


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SLACK_BOT_TOKEN", None, "SLACK_BOT_TOKEN: is not set"),
        ("SLACK_BOT_TOKEN", "xoxp-user", "SLACK_BOT_TOKEN: must be a bot token starting with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-1", "SLACK_APP_TOKEN: must be an app-level token starting with xapp-"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: is not a database URL"),
        ("DATABASE_URL", "postgresql://x/y", "DATABASE_URL: must use sqlite+aiosqlite:// or postgresql+asyncpg://"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: must be an http(s) URL"),
        ("WRENCH_TICK_SECONDS", "0", "WRENCH_TICK_SECONDS: Input should be greater than or equal to 1"),
    ],
)
def test_bad_settings_name_the_variable(
    clean_env: pytest.MonkeyPatch, name: str, value: str | None, message: str
) -> None:
    if value is None:
        clean_env.delenv(name)
    else:
        clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(message)


def test_defaults_and_mode_choice(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    settings = load_settings()
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert (settings.database_url, settings.port, settings.wrench_host) == (
        "sqlite+aiosqlite:///wrench.db",
        3000,
        "0.0.0.0",
    )
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET: required for --mode http"):
        settings.mode()
    clean_env.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert load_settings().mode() is Mode.SOCKET
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET"):
        load_settings().mode(Mode.HTTP)
    clean_env.delenv("SLACK_APP_TOKEN")
    clean_env.setenv("SLACK_SIGNING_SECRET", "s")
    assert load_settings().mode() is Mode.HTTP
    with pytest.raises(SettingsError, match=r"^SLACK_APP_TOKEN: required for --mode socket"):
        load_settings().mode(Mode.SOCKET)
