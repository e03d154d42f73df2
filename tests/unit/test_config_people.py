"""`people:` in wrench.yml: names (and titles) by Slack user id, read like the rest of the file."""

import pytest

from services.organisation.config_file import OrgConfigError, parse_organisation
from services.organisation.org import Person
from tests.support.org import CONFIG

LINE = CONFIG.count("\n") + 1  # the line `people:` is on


def test_people_as_mappings_or_bare_names() -> None:
    org = parse_organisation(CONFIG + "people:\n  U0TECH1: Sam Ortiz\n  U0TECH2: {name: Jo Okafor, title: Plumber}\n")
    assert org.people == {"U0TECH1": Person(name="Sam Ortiz"), "U0TECH2": Person(name="Jo Okafor", title="Plumber")}
    assert parse_organisation(CONFIG).people == {}


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ("  sam: Sam\n", f"line {LINE + 1}: people.sam (the key): 'sam' is not a Slack user id"),
        ("  U0TECH1: {name: ''}\n", f"line {LINE + 1}: people.U0TECH1.name: must not be empty"),
        ("  U0TECH1: {name: Sam, role: boss}\n", f"line {LINE + 1}: people.U0TECH1.role: is not a known key"),
        (
            "  U0TECH1: Sam\n  U0TECH1: Bob\n",
            f"line {LINE + 2}: people.U0TECH1: is written twice in this mapping (first on line {LINE + 1})",
        ),
    ],
)
def test_mistakes_name_their_line(entries: str, problem: str) -> None:
    with pytest.raises(OrgConfigError) as raised:
        parse_organisation(CONFIG + "people:\n" + entries)
    assert len(raised.value.problems) == 1 and problem in raised.value.problems[0]


def test_people_must_be_a_mapping() -> None:
    with pytest.raises(OrgConfigError, match=f"line {LINE}: people: must be a mapping"):
        parse_organisation(CONFIG + "people: [U0TECH1]\n")


def test_the_commented_example_parses_when_uncommented() -> None:
    org = parse_organisation(
        CONFIG + "people:\n  U0000TECH1: {name: Sam Ortiz, title: Technician}\n  U0000MANAG: Priya Shah\n"
    )
    assert org.people["U0000MANAG"].name == "Priya Shah"
