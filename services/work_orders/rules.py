"""The work-order rules, pure: which status may follow which, and who may do what.

Slack, the scheduler and the API all go through these tables. `docs/permissions.md` shows them as
tables; `permissions_markdown()` renders the permissions one and a test keeps the two the same.
"""

from enum import StrEnum

from models.enums import Status
from services.errors import Forbidden, InvalidTransition
from services.organisation.org import Organisation

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
    ANYONE = "anyone"  # every Slack user, including all of the above


class Permission(StrEnum):
    """What a person may do to a work order: the rows of `PERMISSIONS`."""

    CLAIM = "claim"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    START = "start"
    HOLD = "hold"
    RESUME = "resume"
    COMPLETE = "complete"
    NOTE = "note"
    LOG_TIME = "log_time"
    USE_PARTS = "use_parts"
    PLAN = "plan"  # change priority or due date
    CANCEL = "cancel"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    ACKNOWLEDGE = "acknowledge"  # an SLA escalation: someone is on it
    CHECK_ITEM = "check_item"  # tick, pass or fail a checklist item, or record its reading
    FOLLOW_UP = "follow_up"  # open a corrective work order for a failed checklist item
    REPORT_DOWN = "report_down"  # the work order's asset is down (downtime starts)
    ADD_COST = "add_cost"  # an other cost (contractor, rental...) on the work order
    SEND_TO_CONTRACTOR = "send_to_contractor"  # send the work to an outside contractor's private link
    REVOKE_CONTRACTOR = "revoke_contractor"  # take the contractor's link back
    REVIEW_CONTRACTOR = "review_contractor"  # confirm the work a contractor marked done is completed


_WORKERS = frozenset({Role.ASSIGNEE, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN})
_REQUESTER_OR_MANAGER = frozenset({Role.REQUESTER, Role.MANAGER, Role.ADMIN})

PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.CLAIM: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Permission.ASSIGN: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Permission.UNASSIGN: frozenset({Role.ASSIGNEE, Role.MANAGER, Role.ADMIN}),
    Permission.START: _WORKERS,
    Permission.HOLD: _WORKERS,
    Permission.RESUME: _WORKERS,
    Permission.COMPLETE: _WORKERS,
    Permission.NOTE: frozenset({Role.ANYONE}),
    Permission.LOG_TIME: _WORKERS,
    Permission.USE_PARTS: _WORKERS,
    Permission.PLAN: frozenset({Role.MANAGER, Role.ADMIN}),
    Permission.CANCEL: frozenset({Role.REQUESTER, Role.MANAGER, Role.ADMIN}),
    Permission.CONFIRM: _REQUESTER_OR_MANAGER,
    Permission.REOPEN: _REQUESTER_OR_MANAGER,
    Permission.ACKNOWLEDGE: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Permission.CHECK_ITEM: _WORKERS,
    Permission.FOLLOW_UP: _WORKERS,
    Permission.REPORT_DOWN: frozenset({Role.REQUESTER, Role.ASSIGNEE, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Permission.ADD_COST: _WORKERS,
    Permission.SEND_TO_CONTRACTOR: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Permission.REVOKE_CONTRACTOR: frozenset({Role.MANAGER, Role.ADMIN}),
    Permission.REVIEW_CONTRACTOR: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
}

# A role that counts for a permission only while the work order is in one of these statuses.
ONLY_WHILE: dict[tuple[Permission, Role], frozenset[Status]] = {
    (Permission.CANCEL, Role.REQUESTER): frozenset({Status.OPEN}),
}

# Actions on the work itself, and giving it to someone: a technician may do them on unclaimed work (starting,
# holding or completing it takes it) or work they hold, not on work a colleague holds; managers and admins
# may act on anyone's.
WORK_ON_HELD: frozenset[Permission] = frozenset(
    {
        Permission.ASSIGN,
        Permission.START,
        Permission.HOLD,
        Permission.RESUME,
        Permission.COMPLETE,
        Permission.CHECK_ITEM,
    }
)
OVERRIDES_ASSIGNEE: frozenset[Role] = frozenset({Role.MANAGER, Role.ADMIN})

TARGET_STATUS: dict[Permission, Status] = {
    Permission.START: Status.IN_PROGRESS,
    Permission.HOLD: Status.ON_HOLD,
    Permission.RESUME: Status.IN_PROGRESS,
    Permission.COMPLETE: Status.COMPLETED,
    Permission.CANCEL: Status.CANCELLED,
    Permission.CONFIRM: Status.CLOSED,
    Permission.REOPEN: Status.OPEN,
}

PHRASES: dict[Permission, str] = {
    Permission.CLAIM: "claim",
    Permission.ASSIGN: "assign",
    Permission.UNASSIGN: "unassign",
    Permission.START: "start",
    Permission.HOLD: "put on hold",
    Permission.RESUME: "resume",
    Permission.COMPLETE: "complete",
    Permission.NOTE: "add a note to",
    Permission.LOG_TIME: "log time on",
    Permission.USE_PARTS: "record parts for",
    Permission.PLAN: "change the priority or due date of",
    Permission.CANCEL: "cancel",
    Permission.CONFIRM: "confirm",
    Permission.REOPEN: "reopen",
    Permission.ACKNOWLEDGE: "acknowledge the escalation of",
    Permission.CHECK_ITEM: "fill in the checklist of",
    Permission.FOLLOW_UP: "open a follow-up from",
    Permission.REPORT_DOWN: "report the asset down on",
    Permission.ADD_COST: "add a cost to",
    Permission.SEND_TO_CONTRACTOR: "send to a contractor",
    Permission.REVOKE_CONTRACTOR: "revoke the contractor's link of",
    Permission.REVIEW_CONTRACTOR: "confirm the contractor's completion of",
}


def roles_of(user_id: str, *, team: str, requester_id: str, assignee_id: str | None, org: Organisation) -> set[Role]:
    roles: set[Role] = {Role.ANYONE}
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


def is_team_member(user_id: str, *, team: str, org: Organisation) -> bool:
    owning_team = org.team(team)
    return user_id in owning_team.technicians or user_id in owning_team.managers


def may_plan_maintenance(user_id: str, *, team: str, org: Organisation) -> bool:
    """PM schedules of a team are the business of its managers and the admins."""
    return user_id in org.team(team).managers or user_id in org.admins


def effective_roles(permission: Permission, roles: set[Role], status: Status) -> set[Role]:
    """`roles` minus those that do not count for `permission` in `status` (`ONLY_WHILE`)."""
    return {role for role in roles if status in ONLY_WHILE.get((permission, role), frozenset(Status))}


def authorize(
    permission: Permission,
    *,
    roles: set[Role],
    status: Status,
    assignee_id: str | None,
    user_id: str,
    team_name: str,
) -> None:
    """Raise `Forbidden` with the reason unless someone with `roles` has `permission` now."""
    allowed = effective_roles(permission, roles, status) & PERMISSIONS[permission]
    if not allowed:
        raise Forbidden(f"Only {who_may(permission, team_name)} can {PHRASES[permission]} this work order.")
    held_by_other = assignee_id is not None and assignee_id != user_id
    if permission in WORK_ON_HELD and held_by_other and not roles & OVERRIDES_ASSIGNEE:
        raise Forbidden(f"<@{assignee_id}> holds this work order; ask them or a manager.")


def who_may(permission: Permission, team_name: str) -> str:
    """The people `permission` is open to, in words: "Facilities technicians and managers"."""
    roles = PERMISSIONS[permission]
    if Role.ANYONE in roles:
        return "people in Slack"
    names = []
    for role in (Role.REQUESTER, Role.ASSIGNEE):
        if role in roles:
            condition = ONLY_WHILE.get((permission, role))
            when = f" (while it is {' or '.join(s.label.lower() for s in sorted(condition))})" if condition else ""
            names.append(f"the {role.value}{when}")
    team_roles = [
        name for role, name in ((Role.TECHNICIAN, "technicians"), (Role.MANAGER, "managers")) if role in roles
    ]
    if team_roles:
        names.append(f"{team_name} {' and '.join(team_roles)}")
    return " and ".join(names) if len(names) <= 2 else f"{', '.join(names[:-1])} and {names[-1]}"


def check_transition(current: Status, target: Status, *, ref: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"{ref} is {current.label.lower()}; it cannot become {target.label.lower()}.")


def permissions_markdown() -> str:
    """The permissions table as it appears in docs/permissions.md."""
    columns = (Role.REQUESTER, Role.ASSIGNEE, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN, Role.ANYONE)
    lines = [
        "| action | " + " | ".join(role.value for role in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for permission in Permission:
        cells = []
        for role in columns:
            allowed = role in PERMISSIONS[permission] or Role.ANYONE in PERMISSIONS[permission]
            condition = ONLY_WHILE.get((permission, role))
            cell = "yes" if allowed else "no"
            if allowed and condition:
                cell += " (while " + " or ".join(s.label.lower() for s in sorted(condition)) + ")"
            if allowed and permission in WORK_ON_HELD and role is Role.TECHNICIAN:
                cell += " (unclaimed or theirs)"
            cells.append(cell)
        lines.append(f"| {permission.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
