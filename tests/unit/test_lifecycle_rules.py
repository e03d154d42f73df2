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


P = rules.Permission
PEOPLE = [STAFF, TECH_1, TECH_2, MANAGER, ADMIN, OTHER_TECH, OUTSIDER]
WORKERS = {TECH_1, TECH_2, MANAGER, ADMIN}
HOLDER_OR_BOSS = {TECH_1, MANAGER, ADMIN}
# Written out by hand from docs/permissions.md, not computed from rules.PERMISSIONS:
# who may do what to a work order requested by STAFF and held by TECH_1.
MAY = {
    P.CLAIM: WORKERS,  # (claiming held work is then a Conflict, decided after authorize)
    P.ASSIGN: HOLDER_OR_BOSS,  # a colleague's held work: a manager reassigns it
    P.UNASSIGN: HOLDER_OR_BOSS,
    P.START: HOLDER_OR_BOSS,
    P.HOLD: HOLDER_OR_BOSS,
    P.RESUME: HOLDER_OR_BOSS,
    P.COMPLETE: HOLDER_OR_BOSS,
    P.NOTE: set(PEOPLE),
    P.LOG_TIME: WORKERS,
    P.USE_PARTS: WORKERS,
    P.PLAN: {MANAGER, ADMIN},
    P.CANCEL: {STAFF, MANAGER, ADMIN},
    P.CONFIRM: {STAFF, MANAGER, ADMIN},
    P.REOPEN: {STAFF, MANAGER, ADMIN},
    P.ACKNOWLEDGE: WORKERS,
    P.CHECK_ITEM: HOLDER_OR_BOSS,  # a colleague's held work: not theirs to fill in
    P.FOLLOW_UP: WORKERS,
    P.REPORT_DOWN: {STAFF, *WORKERS},
    P.ADD_COST: WORKERS,
    P.SEND_TO_CONTRACTOR: WORKERS,  # the team's technicians (not only the holder), managers, admins
    P.REVOKE_CONTRACTOR: {MANAGER, ADMIN},
    P.REVIEW_CONTRACTOR: WORKERS,
}


def decide(
    permission: rules.Permission, user: str, *, assignee: str | None = TECH_1, status: Status = Status.OPEN
) -> None:
    rules.authorize(
        permission,
        roles=roles(user, assignee),
        status=status,
        assignee_id=assignee,
        user_id=user,
        team_name="Facilities",
    )


def test_every_permission_is_in_the_hand_written_table() -> None:
    assert set(MAY) == set(rules.Permission) == set(rules.PERMISSIONS)


@pytest.mark.parametrize(("permission", "user"), list(product(rules.Permission, PEOPLE)))
def test_permissions_matrix(permission: rules.Permission, user: str) -> None:
    if user in MAY[permission]:
        decide(permission, user)
    else:
        with pytest.raises(Forbidden) as refused:
            decide(permission, user)
        assert str(refused.value) in (
            f"Only {rules.who_may(permission, 'Facilities')} can {rules.PHRASES[permission]} this work order.",
            f"<@{TECH_1}> holds this work order; ask them or a manager.",
        )


def test_technicians_may_work_on_unclaimed_work() -> None:
    for permission in (P.ASSIGN, P.START, P.HOLD, P.COMPLETE):
        decide(permission, TECH_2, assignee=None)


def test_the_requester_may_cancel_only_while_it_is_open() -> None:
    decide(P.CANCEL, STAFF, status=Status.OPEN)
    with pytest.raises(Forbidden, match=r"Only the requester \(while it is open\) and Facilities managers can cancel"):
        decide(P.CANCEL, STAFF, status=Status.IN_PROGRESS)
    decide(P.CANCEL, MANAGER, status=Status.ON_HOLD)


def test_refusals_name_who_may() -> None:
    with pytest.raises(Forbidden, match=r"^Only Facilities technicians and managers can claim this work order\.$"):
        decide(P.CLAIM, OUTSIDER)
    with pytest.raises(Forbidden, match=r"^Only Facilities managers can change the priority or due date of this"):
        decide(P.PLAN, TECH_1)
