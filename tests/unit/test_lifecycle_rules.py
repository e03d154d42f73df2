"""The transition table and the permissions table of services/work_orders/rules.py."""

from itertools import product

import pytest

from models.enums import Status
from services.errors import Forbidden, InvalidTransition
from services.work_orders import rules
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
    anyone = rules.Role.ANYONE
    assert roles(STAFF) == {anyone, rules.Role.REQUESTER}
    assert roles(TECH_1) == {anyone, rules.Role.TECHNICIAN}
    assert roles(TECH_1, assignee=TECH_1) == {anyone, rules.Role.TECHNICIAN, rules.Role.ASSIGNEE}
    assert roles(MANAGER) == {anyone, rules.Role.MANAGER}
    assert roles(ADMIN) == {anyone, rules.Role.ADMIN}
    assert roles(OTHER_TECH) == {anyone}  # a technician of the IT team
    assert roles(OUTSIDER) == {anyone}


A = rules.Action
PEOPLE = [STAFF, TECH_1, TECH_2, MANAGER, ADMIN, OTHER_TECH, OUTSIDER]
WORKERS = {TECH_1, TECH_2, MANAGER, ADMIN}
HOLDER_OR_BOSS = {TECH_1, MANAGER, ADMIN}
# Written out by hand from docs/permissions.md, not computed from rules.PERMISSIONS:
# who may do what to a work order requested by STAFF and held by TECH_1.
MAY = {
    A.CLAIM: WORKERS,  # (claiming held work is then a Conflict, decided after authorize)
    A.ASSIGN: HOLDER_OR_BOSS,  # a colleague's held work: a manager reassigns it
    A.UNASSIGN: HOLDER_OR_BOSS,
    A.START: HOLDER_OR_BOSS,
    A.HOLD: HOLDER_OR_BOSS,
    A.RESUME: HOLDER_OR_BOSS,
    A.COMPLETE: HOLDER_OR_BOSS,
    A.NOTE: set(PEOPLE),
    A.LOG_TIME: WORKERS,
    A.USE_PARTS: WORKERS,
    A.PLAN: {MANAGER, ADMIN},
    A.CANCEL: {STAFF, MANAGER, ADMIN},
    A.CONFIRM: {STAFF, MANAGER, ADMIN},
    A.REOPEN: {STAFF, MANAGER, ADMIN},
    A.ACKNOWLEDGE: WORKERS,
    A.CHECK_ITEM: HOLDER_OR_BOSS,  # a colleague's held work: not theirs to fill in
    A.FOLLOW_UP: WORKERS,
    A.REPORT_DOWN: {STAFF, *WORKERS},
    A.ADD_COST: WORKERS,
}


def decide(action: rules.Action, user: str, *, assignee: str | None = TECH_1, status: Status = Status.OPEN) -> None:
    rules.authorize(
        action, roles=roles(user, assignee), status=status, assignee_id=assignee, user_id=user, team_name="Facilities"
    )


def test_every_action_is_in_the_hand_written_table() -> None:
    assert set(MAY) == set(rules.Action) == set(rules.PERMISSIONS)


@pytest.mark.parametrize(("action", "user"), list(product(rules.Action, PEOPLE)))
def test_permissions_matrix(action: rules.Action, user: str) -> None:
    if user in MAY[action]:
        decide(action, user)
    else:
        with pytest.raises(Forbidden) as refused:
            decide(action, user)
        assert str(refused.value) in (
            f"Only {rules.who_may(action, 'Facilities')} can {rules.PHRASES[action]} this work order.",
            f"<@{TECH_1}> holds this work order; ask them or a manager.",
        )


def test_technicians_may_work_on_unclaimed_work() -> None:
    for action in (A.ASSIGN, A.START, A.HOLD, A.COMPLETE):
        decide(action, TECH_2, assignee=None)


def test_the_requester_may_cancel_only_while_it_is_open() -> None:
    decide(A.CANCEL, STAFF, status=Status.OPEN)
    with pytest.raises(Forbidden, match=r"Only the requester \(while it is open\) and Facilities managers can cancel"):
        decide(A.CANCEL, STAFF, status=Status.IN_PROGRESS)
    decide(A.CANCEL, MANAGER, status=Status.ON_HOLD)


def test_refusals_name_who_may() -> None:
    with pytest.raises(Forbidden, match=r"^Only Facilities technicians and managers can claim this work order\.$"):
        decide(A.CLAIM, OUTSIDER)
    with pytest.raises(Forbidden, match=r"^Only Facilities managers can change the priority or due date of this"):
        decide(A.PLAN, TECH_1)
