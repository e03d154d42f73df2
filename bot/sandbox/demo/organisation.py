"""The demo organisation (demo.yml, a wrench.yml with a `people:` section) and the names of anyone's people."""

from importlib import resources

from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation, Person

DEMO_FILE = "demo.yml"
HISTORY_WORKDAYS = 30  # six weeks of working days before `now`

# who is who in demo.yml
ADMIN = "U0ADMIN"
APPROVER = "U0APPROVER"
F_MANAGER = "U0FMANAGER"
SAM, JO, MATEO = "U0FTECH1", "U0FTECH2", "U0FTECH3"
IT_MANAGER = "U0ITMANAGER"
LIN, OMAR = "U0ITTECH1", "U0ITTECH2"
ANA, BEN, CHLOE, DAVID = "U0STAFF1", "U0STAFF2", "U0STAFF3", "U0STAFF4"
REQUESTERS = (ANA, BEN, CHLOE, DAVID)


# -- the organisation and its people ----------------------------------------------------------------


def demo_text() -> str:
    """demo.yml as packaged."""
    return resources.files("bot.sandbox.demo").joinpath(DEMO_FILE).read_text(encoding="utf-8")


def demo_organisation() -> Organisation:
    return parse_organisation(demo_text(), source=f"bot/sandbox/demo/{DEMO_FILE}")


def demo_people() -> dict[str, Person]:
    return dict(demo_organisation().people)


def people_of(org: Organisation) -> dict[str, Person]:
    """Everyone the organisation names, by user id: named from its `people:` section, the others with
    generated names by role ("Technician 1", "Manager 1", "Approver 1", "Admin 1"), in the order the file
    names them. People listed under `people:` only are included too."""
    found: dict[str, Person] = {}
    numbers: dict[str, int] = {}

    def add(user_id: str, role: str, title: str) -> None:
        if user_id in found:
            return
        named = org.people.get(user_id)
        if named is not None:
            found[user_id] = named
            return
        numbers[role] = numbers.get(role, 0) + 1
        found[user_id] = Person(name=f"{role} {numbers[role]}", title=title)

    for user_id in org.admins:
        add(user_id, "Admin", "Admin")
    for team in org.teams:
        for user_id in team.managers:
            add(user_id, "Manager", f"{team.name} manager")
        for user_id in team.technicians:
            add(user_id, "Technician", f"{team.name} technician")
    for category in org.categories:
        for user_id in category.approvers:
            add(user_id, "Approver", f"Approves {category.name}")
    for user_id in org.hourly_rates:
        add(user_id, "Person", "Technician")
    for user_id, person in org.people.items():
        found.setdefault(user_id, person)
    return found
