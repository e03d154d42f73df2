"""wrench.yml parsing: what is accepted, and errors that name the line."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from models.enums import Priority
from services.organisation.config_file import OrgConfigError, load_organisation, parse_organisation
from services.organisation.durations import format_duration, parse_duration
from tests.support.org import CONFIG


def test_the_test_organisation_parses() -> None:
    org = parse_organisation(CONFIG)
    assert [t.key for t in org.teams] == ["facilities", "it"]
    assert org.category("electrical").default_priority is Priority.HIGH
    assert org.sla[Priority.URGENT].respond == timedelta(minutes=15)
    assert org.sla[Priority.LOW].resolve == timedelta(weeks=2)
    assert org.category("nope") is None and org.category_name("gone") == "gone"


def line_of(text: str, needle: str) -> int:
    """The line `needle` starts on (it may span lines)."""
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            "    name: IT\n",
            "    name: IT\n    colour: blue\n",
            "colour: blue",
            "teams[2] (key: it).colour: is not a known key",
        ),
        (
            "channel: C0ITDESK",
            "channel: '#it'",
            "channel: '#it'",
            "teams[2] (key: it).channel: '#it' is not a Slack channel id",
        ),
        (
            "technicians: [U0ITTECH]",
            "technicians:\n      - U0ITTECH\n      - bob",
            "      - bob",
            "teams[2] (key: it).technicians[2]: 'bob' is not a Slack user id",
        ),
        (
            "    team: it\n",
            "    team: hr\n",
            "team: hr",
            "categories[3] (key: laptops).team: team 'hr' is not defined under teams",
        ),
        (
            "  - key: it\n",
            "  - key: facilities\n",
            "  - key: facilities\n    name: IT",
            "teams[2] (key: facilities).key: key 'facilities' is used twice",
        ),
        ("timezone: Europe/London", "timezone: Mars/Olympus", "timezone:", "timezone: 'Mars/Olympus' is not an IANA"),
        (
            "respond: 15m, resolve: 4h",
            "respond: 15 minutes, resolve: 4h",
            "urgent:",
            "sla.urgent.respond: '15 minutes' is not a duration",
        ),
        ("respond: 1h,", "respond: 2d,", "high:", "sla.high: respond must not be longer than resolve"),
        (
            "    default_priority: medium",
            "    default_priority: whenever",
            "default_priority: whenever",
            "categories[1] (key: plumbing).default_priority: must be 'low', 'medium', 'high' or 'urgent', "
            "not 'whenever'",
        ),
    ],
)
def test_errors_name_the_line(old: str, new: str, where: str, message: str) -> None:
    assert old in CONFIG
    broken = CONFIG.replace(old, new, 1)
    with pytest.raises(OrgConfigError) as error:
        parse_organisation(broken, source="wrench.yml")
    expected_line = line_of(broken, where)
    assert str(error.value).startswith(f"wrench.yml:line {expected_line}: "), str(error.value)
    assert message in str(error.value)


def test_yaml_syntax_errors_name_the_line() -> None:
    with pytest.raises(OrgConfigError) as error:
        parse_organisation("teams:\n  - key: a\n    name: [unclosed\n")
    assert str(error.value).startswith("wrench.yml:line 4: not valid YAML (")
    assert str(error.value).endswith("; it started on line 3)")


@pytest.mark.parametrize("text", ["", "- just\n- a list\n", "teams: []\ncategories: []\n"])
def test_empty_or_wrong_shape(text: str) -> None:
    with pytest.raises(OrgConfigError, match=r"^wrench.yml:line 1: "):
        parse_organisation(text)


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(OrgConfigError) as error:
        load_organisation(tmp_path / "absent.yml")
    assert str(error.value) == f"{tmp_path / 'absent.yml'}: cannot read the config file (No such file or directory)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("4h", timedelta(hours=4)),
        ("3d", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(minutes=90)),
        (" 2H 15M ", timedelta(hours=2, minutes=15)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize("text", ["", "10", "5x", "-5m", "0m", "h", "1.5h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|longer than zero"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("portal", "where", "message"),
    [
        (
            "  categories: [plumbing, boats]\n",
            "categories: [plumbing, boats]",
            "portal.categories[2]: category 'boats'",
        ),
        (
            "  categories: [hvac]\n",
            "categories: [hvac]",
            "category 'hvac' asks for a Slack user: the portal cannot",
        ),
        (
            "  public_url: wrench.example.com\n",
            "public_url:",
            "portal.public_url: 'wrench.example.com' is not a scheme",
        ),
        ("  public_url: https://example.com/wrench\n", "public_url:", "(no path)"),
        ("  requests_per_hour: 0\n", "requests_per_hour:", "portal.requests_per_hour: must be at least 1, not 0"),
    ],
)
def test_portal_errors_name_the_line(portal: str, where: str, message: str) -> None:
    config = CONFIG.replace(
        "{key: contact, label: Who to ask on site, type: user}",
        "{key: contact, label: Who, type: user, required: true}",
    )
    broken = f"{config}\nportal:\n  enabled: true\n{portal}"
    with pytest.raises(OrgConfigError) as error:
        parse_organisation(broken, source="wrench.yml")
    assert str(error.value).startswith(f"wrench.yml:line {line_of(broken, where)}: "), str(error.value)
    assert message in str(error.value)


def test_the_portal_offers_what_nobody_needs_slack_for() -> None:
    org = parse_organisation(CONFIG + "\nportal: {enabled: true, categories: [keys, hvac]}\n")
    assert [c.key for c in org.portal_categories()] == ["keys", "hvac"]  # hvac's user field is optional
    needs_slack = CONFIG.replace("type: user}", "type: user, required: true}")
    org = parse_organisation(needs_slack + "\nportal: {enabled: true}\n")
    assert "hvac" not in [c.key for c in org.portal_categories()] and len(org.portal_categories()) == 4
    assert org.portal.label_url("GATE/1 A") == "/portal?asset=GATE%2F1%20A"  # no public_url: labels refuse


def test_remind_every_zero_turns_reminders_off() -> None:
    assert parse_organisation(CONFIG + "escalation: {remind_every: 0s}\n").escalation.remind_every == timedelta()
    assert parse_organisation(CONFIG + "escalation: {remind_every: 0}\n").escalation.remind_every == timedelta()
    with pytest.raises(OrgConfigError, match="must be longer than zero"):
        parse_organisation(CONFIG + "escalation: {level_2_after: 0s}\n")  # zero means "never" only for reminders


def test_config_check_accepts_remind_every_zero(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli.main import cli

    path = tmp_path / "wrench.yml"
    path.write_text(CONFIG + "escalation:\n  remind_every: 0s\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["config", "check", str(path)])
    assert result.exit_code == 0 and result.output.startswith(f"{path}: OK ("), result.output


def several_mistakes() -> str:
    """The test organisation with four mistakes in it, in different places."""
    broken = (
        CONFIG.replace("    default_priority: medium", "    default_prority: medium", 1)  # a typo of a key
        .replace("channel: C0ITDESK", "channel: '#it'", 1)  # a channel name instead of its id
        .replace("  - key: laptops\n    name: Laptops\n", "  - key: laptops\n    name: Laptops\n    name: Notebooks\n")
        .replace("respond: 1h, resolve: 1d", "respond: 1h, resolve: soon", 1)
    )
    return broken + "auto_close_days: lots\n"


def test_every_mistake_is_reported_at_once_each_on_its_line() -> None:
    broken = several_mistakes()
    with pytest.raises(OrgConfigError) as error:
        parse_organisation(broken, source="wrench.yml")
    channel = line_of(broken, "channel: '#it'")
    assert error.value.problems == [
        f"wrench.yml:line {channel}: teams[2] (key: it).channel: '#it' is not a Slack "
        "channel id (like C012AB3CD); names can change, ids do not",
        f"wrench.yml:line {line_of(broken, 'default_prority')}: categories[1] (key: plumbing).default_prority: "
        "is not a known key; did you mean `default_priority`?",
        f"wrench.yml:line {line_of(broken, 'name: Notebooks')}: categories[3] (key: laptops).name: is written twice "
        f"in this mapping (first on line {line_of(broken, 'name: Laptops')}); keep one",
        f"wrench.yml:line {line_of(broken, 'high:')}: sla.high.resolve: 'soon' is not a duration: use a number "
        "and a unit s, m, h, d or w, like 30m or 1h30m",
        f"wrench.yml:line {line_of(broken, 'auto_close_days')}: auto_close_days: must be a whole number, not 'lots'",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("timezone: UTC\n", "timezone: is written twice in this mapping (first on line 2); keep one"),
        ("escalation:\n  warn_at: 0.5\n  warn_at: 0.6\n", "escalation.warn_at: is written twice"),
    ],
)
def test_a_key_written_twice_is_refused(extra: str, message: str) -> None:
    broken = CONFIG + extra  # PyYAML would keep the last value and say nothing
    with pytest.raises(OrgConfigError) as error:
        parse_organisation(broken)
    assert len(error.value.problems) == 1 and message in str(error.value)
    second = broken[: broken.rindex(extra.splitlines()[-1])].count("\n") + 1
    assert str(error.value).startswith(f"wrench.yml:line {second}: ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    name: IT\n", "    nmae: IT\n", "teams[2] (key: it).nmae: is not a known key; did you mean `name`?"),
        ("timezone:", "time_zone:", "time_zone: is not a known key; did you mean `timezone`?"),
        ("    name: IT\n", "    name: IT\n    colour: blue\n", "colour: is not a known key (known here: key, name,"),
    ],
)
def test_an_unknown_key_names_the_key_it_is_probably_a_typo_of(old: str, new: str, message: str) -> None:
    with pytest.raises(OrgConfigError, match=re.escape(message)):
        parse_organisation(CONFIG.replace(old, new, 1))


def test_config_check_and_run_print_the_same_line_for_each_problem(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli.main import cli

    path = tmp_path / "wrench.yml"
    path.write_text(several_mistakes(), encoding="utf-8")
    with pytest.raises(OrgConfigError) as error:
        load_organisation(path)
    expected = [f"wrench: {problem}" for problem in error.value.problems]
    assert len(expected) == 5

    checked = CliRunner().invoke(cli, ["config", "check", str(path)])
    assert checked.exit_code == 1
    assert checked.stderr.splitlines() == [*expected, f"wrench: 5 problems in {path}"]

    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "WRENCH_CONFIG": str(path)}
    ran = CliRunner().invoke(cli, ["run"], env=env)
    assert ran.exit_code == 2 and ran.stderr.splitlines() == expected


def test_a_webhook_secret_missing_from_the_environment_is_reported_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wrench.yml"
    webhook = (
        "webhooks:\n  - name: erp\n    url: https://erp.example.com/hook\n    secret_env: WRENCH_TEST_ERP_SECRET\n"
    )
    path.write_text(CONFIG + webhook, encoding="utf-8")
    monkeypatch.delenv("WRENCH_TEST_ERP_SECRET", raising=False)
    assert load_organisation(path).webhooks[0].name == "erp"  # commands that send nothing need no secret
    with pytest.raises(OrgConfigError) as error:
        load_organisation(path, check_environment=True)
    line = line_of(CONFIG + webhook, "secret_env")
    assert str(error.value) == (
        f"{path}:line {line}: webhooks[1] (name: erp).secret_env: WRENCH_TEST_ERP_SECRET must hold a secret "
        "of 16+ characters"
    )
    monkeypatch.setenv("WRENCH_TEST_ERP_SECRET", "s" * 16)
    assert load_organisation(path, check_environment=True).webhooks[0].name == "erp"
