"""The docs stay true to the code: every setting and config key is documented, the example parses."""

import re
from pathlib import Path

import pytest

from bot.cli.main import cli
from bot.config import Settings
from models.schemas import CustomField
from services.organisation.business_time import BusinessHours
from services.organisation.config_file import load_organisation
from services.organisation.integrations import EmailIntake, EmailRule, Imap, Portal, Smtp, Webhook
from services.organisation.org import (
    Category,
    Digest,
    EmojiIntake,
    Escalation,
    Organisation,
    Person,
    Purchasing,
    Recurring,
    SlaTarget,
    Team,
    Threshold,
)
from services.organisation.public_holidays import Holidays
from services.work_orders import rules

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "docs/configuration.md").read_text()
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("variable", [name.upper() for name in Settings.model_fields])
def test_every_environment_variable_is_documented(variable: str) -> None:
    assert f"| `{variable}` |" in REFERENCE


@pytest.mark.parametrize(
    "model",
    [
        Organisation,
        Team,
        Category,
        SlaTarget,
        CustomField,
        EmojiIntake,
        Escalation,
        Digest,
        BusinessHours,
        Holidays,
        Webhook,
        Portal,
        Smtp,
        EmailIntake,
        Imap,
        EmailRule,
        Recurring,
        Person,
        Purchasing,
        Threshold,
    ],
)
def test_every_config_key_is_documented(model: type) -> None:
    for name, field in model.model_fields.items():
        key = field.alias or name
        assert f"`{key}`" in REFERENCE, f"{model.__name__}.{key} is missing from docs/configuration.md"


def test_documented_variables_exist() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", REFERENCE, re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_example_config_is_valid() -> None:
    org = load_organisation(ROOT / "wrench.example.yml")
    assert org.teams and org.categories and org.sla


def test_readme_lists_every_cli_command() -> None:
    commands = [(command.name or command.callback.__name__, "") for command in cli.registered_commands]
    for group in cli.registered_groups:
        commands += [(group.name, command.name or "") for command in group.typer_instance.registered_commands]
    assert len(commands) >= 3
    for name, sub in commands:
        assert f"`wrench {name} {sub}".strip() in README, (name, sub)


def test_permissions_doc_shows_the_rules_table() -> None:
    assert rules.permissions_markdown() in (ROOT / "docs/permissions.md").read_text()
