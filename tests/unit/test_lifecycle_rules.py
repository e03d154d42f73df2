"""The transition table and the permissions table of services/rules.py."""

from itertools import product

import pytest

from models.enums import Status
from services import rules
from services.errors import Forbidden, InvalidTransition
from tests.support.org import ADMIN, MANAGER, OTHER_TECH, OUTSIDER, STAFF, TECH_1, TECH_2, organisation

ORG = organisation()
ALLOWED = {
    (Status.OPEN, Status.IN_PROGRESS),
    (Status.OPEN, Status.ON_HOLD),
    (Status.OPEN, Status.COMPLETED),
    (Status.OPEN, Status.CANCELLED),
    (Status.IN_PROGRESS, Status.ON_HOLD),
    (Status.IN_PROGRESS, Status.COMPLETED),
    (Status.IN_PROGRESS, Status.CANCELLED),
    (Status.ON_HOLD, Status.IN_PROGRESS),
    (Status.ON_HOLD, Status.CANCELLED),
    (Status.COMPLETED, Status.CLOSED),
    (Status.COMPLETED, Status.OPEN),
}


@pytest.mark.parametrize(("current", "target"), list(product(Status, Status)))
def test_transition_table(current: Status, target: Status) -> None:
    if (current, target) in ALLOWED:
        rules.check_transition(current, target, ref="WO-1")
    else:
        with pytest.raises(InvalidTransition, match=f"WO-1 is {current.label.lower()}"):
            rules.check_transition(current, target, ref="WO-1")


def roles(user: str, assignee: str | None = None) -> set[rules.Role]:
    return rules.roles_of(user, team="facilities", requester_id=STAFF, assignee_id=assignee, org=ORG)


def test_roles_are_worked_out_per_work_order() -> None:
    assert roles(STAFF) == {rules.Role.REQUESTER}
    assert roles(TECH_1) == {rules.Role.TECHNICIAN}
    assert roles(TECH_1, assignee=TECH_1) == {rules.Role.TECHNICIAN, rules.Role.ASSIGNEE}
    assert roles(MANAGER) == {rules.Role.MANAGER}
    assert roles(ADMIN) == {rules.Role.ADMIN}
    assert roles(OTHER_TECH) == set()  # a technician of the IT team
    assert roles(OUTSIDER) == set()


# (user, assignee) → may claim, may start, may complete
CASES = [
    (STAFF, None, False, False, False),
    (OUTSIDER, None, False, False, False),
    (OTHER_TECH, None, False, False, False),
    (TECH_1, None, True, True, True),
    (TECH_1, TECH_1, True, True, True),
    (TECH_2, TECH_1, True, False, False),  # claiming held work is a Conflict, decided after authorize
    (MANAGER, TECH_1, True, True, True),
    (ADMIN, TECH_1, True, True, True),
]


@pytest.mark.parametrize(("user", "assignee", "claim", "start", "complete"), CASES)
def test_permissions_table(user: str, assignee: str | None, claim: bool, start: bool, complete: bool) -> None:
    for action, allowed in (
        (rules.Action.CLAIM, claim),
        (rules.Action.START, start),
        (rules.Action.COMPLETE, complete),
    ):

        def decide(action: rules.Action = action) -> None:
            rules.authorize(
                action, roles=roles(user, assignee), assignee_id=assignee, user_id=user, team_name="Facilities"
            )

        if allowed:
            decide()
        else:
            with pytest.raises(Forbidden) as refused:
                decide()
            assert str(refused.value) in (
                f"Only Facilities technicians and managers can {action.value} this work order.",
                f"<@{assignee}> holds this work order; ask them or a manager.",
            )
