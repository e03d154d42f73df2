"""Every Slack identifier Wrench uses: commands, shortcuts, callback ids, action ids, block ids.

`manifest.yml` and `handlers/` are checked against this module by tests/structure.
"""

import re
from collections.abc import Iterable
from enum import StrEnum


class Command(StrEnum):
    REQUEST = "/request"
    WO = "/wo"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    REACTION_ADDED = "reaction_added"
    MESSAGE = "message"  # replies in a card's thread become notes


class Shortcut(StrEnum):
    """`callback_id` of shortcuts declared in manifest.yml."""

    MESSAGE_TO_REQUEST = "create_work_order"  # message shortcut "Create work order"
    NEW_REQUEST = "new_request"  # global shortcut "New work request"


class Callback(StrEnum):
    """`callback_id` of modals (view submissions)."""

    REQUEST_MODAL = "request_modal"
    COMPLETE_MODAL = "complete_modal"
    HOLD_MODAL = "hold_modal"
    NOTE_MODAL = "note_modal"
    TIME_MODAL = "time_modal"
    PARTS_MODAL = "parts_modal"
    PLAN_MODAL = "plan_modal"
    CANCEL_MODAL = "cancel_modal"
    REOPEN_MODAL = "reopen_modal"
    REJECT_MODAL = "reject_modal"
    READING_MODAL = "reading_modal"  # a checklist item's reading
    PM_MODAL = "pm_modal"  # new or edited PM schedule
    DOWN_MODAL = "down_modal"  # the work order's asset is down
    COST_MODAL = "cost_modal"  # an other cost
    RATING_MODAL = "rating_modal"  # the requester's satisfaction rating
    CONTRACTOR_MODAL = "contractor_modal"  # send the work order to a contractor
    REVOKE_CONTRACTOR_MODAL = "revoke_contractor_modal"  # take the contractor's link back
    PURCHASE_MODAL = "purchase_modal"  # a purchase request for parts
    PO_RECEIVE_MODAL = "po_receive_modal"  # what arrived of a purchase order
    PO_OVER_MODAL = "po_over_modal"  # the second step: receive more than was ordered all the same
    PO_REJECT_MODAL = "po_reject_modal"  # why a purchase request is rejected
    PO_CANCEL_MODAL = "po_cancel_modal"  # a purchase order called off, and why


class Action(StrEnum):
    """`action_id` of interactive elements on cards, messages, modals and the Home tab."""

    CLAIM = "wo_claim"
    START = "wo_start"
    COMPLETE = "wo_complete"
    HOLD = "wo_hold"
    RESUME = "wo_resume"
    UNASSIGN = "wo_unassign"
    ASSIGN = "wo_assign"  # users_select on the card
    MORE = "wo_more"  # overflow menu: note, time, parts, other cost
    MANAGE = "wo_manage"  # overflow menu: priority or due, asset down, cancel
    TIMER = "wo_timer"  # the clicker's labor timer: start it, or be offered to stop it
    TIMER_STOP = "wo_timer_stop"  # in the timer's ephemeral message: stop and log the time
    TIMER_DISCARD = "wo_timer_discard"
    CONFIRM = "wo_confirm"  # in the requester's DM after completion
    REOPEN = "wo_reopen"
    # in the requester's DM once the work closes, one per rating (action ids are unique within a block)
    RATE_1 = "wo_rate_1"
    RATE_2 = "wo_rate_2"
    RATE_3 = "wo_rate_3"
    RATE_4 = "wo_rate_4"
    RATE_5 = "wo_rate_5"
    SHOW = "wo_show"  # "Open" next to a /wo result
    APPROVE = "request_approve"
    REJECT = "request_reject"
    REQUEST_CATEGORY = "request_category"  # the modal redraws its custom fields for the category
    PICK_LOCATION = "pick_location"  # external_select, options served from the database
    PICK_ASSET = "pick_asset"
    PICK_PART = "pick_part"  # "Use parts": parts with their stock, served from the database
    PICK_VENDOR = "pick_vendor"  # "Send to contractor": vendors of the category's trade, with their expiry
    CONTRACTOR_CONFIRM = "wo_contractor_confirm"  # the team confirms the work a contractor marked done
    ACKNOWLEDGE = "sla_acknowledge"  # on an escalation message: someone is on it, stop reminding
    CHECKLIST = "wo_checklist"  # a checklist item: done / pass / fail / clear
    CHECKLIST_READING = "wo_checklist_reading"  # opens the reading modal
    FOLLOW_UP = "wo_follow_up"  # a failed item's follow-up work order
    PM_MENU = "pm_menu"  # a listed PM schedule's overflow: edit, pause, resume, delete
    PM_NEW = "pm_new"
    PM_DELETE = "pm_delete"  # confirmed deletion from the list's menu
    ASSET_REQUEST = "asset_request"  # "File a request" on an asset card
    HOME_MORE = "home_more"
    HOME_KPI_DAYS = "home_kpi_days"  # the managers' KPIs: last 7 or 30 days
    HOME_MORNING_DM = "home_morning_dm"  # turn the personal morning DM on or off
    HOME_NEW_REQUEST = "home_new_request"
    ORDER_MORE = "po_order_more"  # a part's "Order more" (low-stock alert, /wo parts): the purchase request form
    PICK_PO_VENDOR = "pick_po_vendor"  # the purchase request's vendor, served from the register
    PO_APPROVE = "po_approve"  # in a purchase approver's DM
    PO_REJECT = "po_reject"
    PO_RECEIVE = "po_receive"  # on a purchase order's message
    PO_CANCEL = "po_cancel"


class MoreOption(StrEnum):
    """The overflow menu's entries on a card (each opens a small modal)."""

    NOTE = "note"
    TIME = "time"
    PARTS = "parts"
    PLAN = "plan"
    CANCEL = "cancel"
    ASSET_DOWN = "asset_down"  # only on work with an asset
    COST = "cost"
    CONTRACTOR = "contractor"  # send to a contractor (while no job is open)
    REVOKE_CONTRACTOR = "revoke_contractor"  # take the open job's link back


class Block(StrEnum):
    """`block_id` of blocks that carry input (errors are keyed by these) or actions."""

    TITLE = "title"
    CATEGORY = "category"
    DESCRIPTION = "description"
    LOCATION = "location"
    LOCATION_TEXT = "location_text"
    ASSET = "asset"
    ASSET_DOWN = "asset_down"
    PRIORITY = "priority"
    FILES = "files"
    RESOLUTION = "resolution"
    CAUSE = "cause"
    MINUTES = "minutes"
    WORKER = "worker"
    REASON = "reason"
    RATING = "rating"
    COMMENT = "comment"
    NOTE = "note"
    PARTS = "parts"
    PART = "part"
    QUANTITY = "quantity"
    AMOUNT = "amount"
    OVERRIDE = "override"
    DUE = "due"
    CARD_ACTIONS = "card_actions"
    READING = "reading"
    CHECKLIST = "checklist"
    FOLLOW_UPS = "follow_ups"
    VENDOR = "vendor"
    CONTACT = "contact"
    NOT_TO_EXCEED = "not_to_exceed"
    UNIT_COST = "unit_cost"
    WORK_ORDER = "work_order"
    PO_LINES = "po_lines"  # the purchase order message's buttons


# Input blocks keep their value under this action id; the block id says which field it is.
INPUT_ACTION = "value"
# Custom fields of a category are input blocks `cf_<key>`.
CUSTOM_FIELD_PREFIX = "cf_"


def custom_field_block(key: str) -> str:
    return f"{CUSTOM_FIELD_PREFIX}{key}"


def kpi_days_action(days: int) -> str:
    """The action id of the Home tab's "Last N days" button. Slack wants action ids unique within a block,
    and the periods share one: each has its own ("home_kpi_days_30"); handlers.home takes them all."""
    return f"{Action.HOME_KPI_DAYS}_{days}"


def ref_value(work_order_id: int, version: int | None = None) -> str:
    """What a button carries: the work order's id and the version the card showed ("12:3")."""
    return f"{work_order_id}:{version}" if version is not None else str(work_order_id)


# -- reading back what the builders put in values, block ids and private_metadata -----------------------
#
# Slack hands these back as sent, but a message or modal drawn by an older version of Wrench, or a forged
# payload, can carry anything. Every parser below raises `Unreadable` for what no builder of ours makes;
# handlers.guard answers it politely with one log line, and nothing is changed.

ROW_ID = re.compile(r"[0-9]{1,9}")  # a row id or version: 9 digits always fit the database's integer
REF = re.compile(r"([0-9]{1,9})(?::([0-9]{1,9}))?")


class Unreadable(ValueError):
    """A button value, option value, block id or private_metadata that none of our builders made."""

    def __init__(self, what: str, value: object) -> None:
        shown = repr(value)
        super().__init__(f"{what}: {shown[:60]}{'…' if len(shown) > 60 else ''}")


def parse_ref(value: object) -> tuple[int, int | None]:
    """(work order id, version seen or None) from `ref_value`."""
    matched = REF.fullmatch(value) if isinstance(value, str) else None
    if matched is None:
        raise Unreadable("a work order reference", value)
    head, version = matched.groups()
    return int(head), int(version) if version is not None else None


def parse_id(value: object, what: str = "a row id") -> int:
    """A row id a button carries ("12"): a request, a timer, a PM schedule, an asset."""
    if not isinstance(value, str) or not ROW_ID.fullmatch(value):
        raise Unreadable(what, value)
    return int(value)


def parse_choice(value: object, choices: Iterable[str]) -> tuple[str, str]:
    """("verb", "rest") of a menu option's "verb|rest", the verb one of `choices`."""
    verb, bar, rest = value.partition("|") if isinstance(value, str) else ("", "", "")
    if not bar or verb not in set(choices):
        raise Unreadable("a menu option", value)
    return verb, rest


def parse_one_of(value: object, choices: Iterable[str], what: str) -> str:
    """A value that is one of a few words ("on" / "off", "7" / "30")."""
    if not isinstance(value, str) or value not in set(choices):
        raise Unreadable(what, value)
    return value
