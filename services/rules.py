"""The work-order rules, pure: which status may follow which, and who may do what.

Slack, the scheduler and the API all go through these tables; `docs/permissions.md` is their prose.
"""

from enum import StrEnum

from models.enums import Status
from services.errors import Forbidden, InvalidTransition
from services.org import Organisation

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.ON_HOLD, Status.COMPLETED, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.ON_HOLD, Status.COMPLETED, Status.CANCELLED}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
    Status.COMPLETED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}

ACTIVE: frozenset[Status] = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD})


class Role(StrEnum):
    """How a person relates to one work order. One person can hold several roles."""

    REQUESTER = "requester"
    ASSIGNEE = "assignee"
    TECHNICIAN = "technician"  # a technician of the work order's team
    MANAGER = "manager"  # a manager of the work order's team
    ADMIN = "admin"


class Action(StrEnum):
    CLAIM = "claim"
    START = "start"
    COMPLETE = "complete"


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.CLAIM: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Action.START: frozenset({Role.ASSIGNEE, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Action.COMPLETE: frozenset({Role.ASSIGNEE, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
}

# Roles that may act on a work order someone else holds. A technician may start or complete
# unclaimed work (and so takes it), but not work a colleague has claimed.
OVERRIDES_ASSIGNEE: frozenset[Role] = frozenset({Role.MANAGER, Role.ADMIN})

TARGET_STATUS: dict[Action, Status] = {Action.START: Status.IN_PROGRESS, Action.COMPLETE: Status.COMPLETED}


def roles_of(user_id: str, *, team: str, requester_id: str, assignee_id: str | None, org: Organisation) -> set[Role]:
    roles: set[Role] = set()
    if user_id == requester_id:
        roles.add(Role.REQUESTER)
    if assignee_id is not None and user_id == assignee_id:
        roles.add(Role.ASSIGNEE)
    owning_team = org.team(team)
    if user_id in owning_team.technicians:
        roles.add(Role.TECHNICIAN)
    if user_id in owning_team.managers:
        roles.add(Role.MANAGER)
    if user_id in org.admins:
        roles.add(Role.ADMIN)
    return roles


def authorize(action: Action, *, roles: set[Role], assignee_id: str | None, user_id: str, team_name: str) -> None:
    """Raise `Forbidden` with the reason unless someone with `roles` may do `action`."""
    if not roles & PERMISSIONS[action]:
        raise Forbidden(f"Only {team_name} technicians and managers can {action.value} this work order.")
    held_by_other = assignee_id is not None and assignee_id != user_id
    if action is not Action.CLAIM and held_by_other and not roles & OVERRIDES_ASSIGNEE:
        raise Forbidden(f"<@{assignee_id}> holds this work order; ask them or a manager.")


def check_transition(current: Status, target: Status, *, ref: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"{ref} is {current.label.lower()}; it cannot become {target.label.lower()}.")
