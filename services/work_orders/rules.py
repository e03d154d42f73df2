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


class Action(StrEnum):
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


_WORKERS = frozenset({Role.ASSIGNEE, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN})
_REQUESTER_OR_MANAGER = frozenset({Role.REQUESTER, Role.MANAGER, Role.ADMIN})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.CLAIM: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Action.ASSIGN: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Action.UNASSIGN: frozenset({Role.ASSIGNEE, Role.MANAGER, Role.ADMIN}),
    Action.START: _WORKERS,
    Action.HOLD: _WORKERS,
    Action.RESUME: _WORKERS,
    Action.COMPLETE: _WORKERS,
    Action.NOTE: frozenset({Role.ANYONE}),
    Action.LOG_TIME: _WORKERS,
    Action.USE_PARTS: _WORKERS,
    Action.PLAN: frozenset({Role.MANAGER, Role.ADMIN}),
    Action.CANCEL: frozenset({Role.REQUESTER, Role.MANAGER, Role.ADMIN}),
    Action.CONFIRM: _REQUESTER_OR_MANAGER,
    Action.REOPEN: _REQUESTER_OR_MANAGER,
    Action.ACKNOWLEDGE: frozenset({Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Action.CHECK_ITEM: _WORKERS,
    Action.FOLLOW_UP: _WORKERS,
    Action.REPORT_DOWN: frozenset({Role.REQUESTER, Role.ASSIGNEE, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN}),
    Action.ADD_COST: _WORKERS,
}

# A role that counts for an action only while the work order is in one of these statuses.
ONLY_WHILE: dict[tuple[Action, Role], frozenset[Status]] = {
    (Action.CANCEL, Role.REQUESTER): frozenset({Status.OPEN}),
}

# Actions on the work itself, and giving it to someone: a technician may do them on unclaimed work (starting,
# holding or completing it takes it) or work they hold, not on work a colleague holds; managers and admins
# may act on anyone's.
WORK_ON_HELD: frozenset[Action] = frozenset(
    {Action.ASSIGN, Action.START, Action.HOLD, Action.RESUME, Action.COMPLETE, Action.CHECK_ITEM}
)
OVERRIDES_ASSIGNEE: frozenset[Role] = frozenset({Role.MANAGER, Role.ADMIN})

TARGET_STATUS: dict[Action, Status] = {
    Action.START: Status.IN_PROGRESS,
    Action.HOLD: Status.ON_HOLD,
    Action.RESUME: Status.IN_PROGRESS,
    Action.COMPLETE: Status.COMPLETED,
    Action.CANCEL: Status.CANCELLED,
    Action.CONFIRM: Status.CLOSED,
    Action.REOPEN: Status.OPEN,
}

PHRASES: dict[Action, str] = {
    Action.CLAIM: "claim",
    Action.ASSIGN: "assign",
    Action.UNASSIGN: "unassign",
    Action.START: "start",
    Action.HOLD: "put on hold",
    Action.RESUME: "resume",
    Action.COMPLETE: "complete",
    Action.NOTE: "add a note to",
    Action.LOG_TIME: "log time on",
    Action.USE_PARTS: "record parts for",
    Action.PLAN: "change the priority or due date of",
    Action.CANCEL: "cancel",
    Action.CONFIRM: "confirm",
    Action.REOPEN: "reopen",
    Action.ACKNOWLEDGE: "acknowledge the escalation of",
    Action.CHECK_ITEM: "fill in the checklist of",
    Action.FOLLOW_UP: "open a follow-up from",
    Action.REPORT_DOWN: "report the asset down on",
    Action.ADD_COST: "add a cost to",
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


def effective_roles(action: Action, roles: set[Role], status: Status) -> set[Role]:
    """`roles` minus those that do not count for `action` in `status` (`ONLY_WHILE`)."""
    return {role for role in roles if status in ONLY_WHILE.get((action, role), frozenset(Status))}


def authorize(
    action: Action,
    *,
    roles: set[Role],
    status: Status,
    assignee_id: str | None,
    user_id: str,
    team_name: str,
) -> None:
    """Raise `Forbidden` with the reason unless someone with `roles` may do `action` now."""
    allowed = effective_roles(action, roles, status) & PERMISSIONS[action]
    if not allowed:
        raise Forbidden(f"Only {who_may(action, team_name)} can {PHRASES[action]} this work order.")
    held_by_other = assignee_id is not None and assignee_id != user_id
    if action in WORK_ON_HELD and held_by_other and not roles & OVERRIDES_ASSIGNEE:
        raise Forbidden(f"<@{assignee_id}> holds this work order; ask them or a manager.")


def who_may(action: Action, team_name: str) -> str:
    """The people `action` is open to, in words: "Facilities technicians and managers"."""
    roles = PERMISSIONS[action]
    if Role.ANYONE in roles:
        return "people in Slack"
    names = []
    for role in (Role.REQUESTER, Role.ASSIGNEE):
        if role in roles:
            condition = ONLY_WHILE.get((action, role))
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
    for action in Action:
        cells = []
        for role in columns:
            allowed = role in PERMISSIONS[action] or Role.ANYONE in PERMISSIONS[action]
            condition = ONLY_WHILE.get((action, role))
            cell = "yes" if allowed else "no"
            if allowed and condition:
                cell += " (while " + " or ".join(s.label.lower() for s in sorted(condition)) + ")"
            if allowed and action in WORK_ON_HELD and role is Role.TECHNICIAN:
                cell += " (unclaimed or theirs)"
            cells.append(cell)
        lines.append(f"| {action.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
