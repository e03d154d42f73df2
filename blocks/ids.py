"""Every Slack identifier Wrench uses: commands, callback ids, action ids, block ids.

`manifest.yml` and `handlers/` are checked against this module by tests/structure.
"""

from enum import StrEnum


class Command(StrEnum):
    REQUEST = "/request"
    WO = "/wo"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"


class Callback(StrEnum):
    """`callback_id` of modals (view submissions)."""

    REQUEST_MODAL = "request_modal"
    COMPLETE_MODAL = "complete_modal"


class Action(StrEnum):
    """`action_id` of buttons on cards and messages."""

    CLAIM = "wo_claim"
    START = "wo_start"
    COMPLETE = "wo_complete"


class Block(StrEnum):
    """`block_id` of blocks that carry input (errors are keyed by these) or actions."""

    TITLE = "title"
    CATEGORY = "category"
    DESCRIPTION = "description"
    LOCATION = "location"
    PRIORITY = "priority"
    RESOLUTION = "resolution"
    CAUSE = "cause"
    MINUTES = "minutes"
    CARD_ACTIONS = "card_actions"


# Input blocks keep their value under this action id; the block id says which field it is.
INPUT_ACTION = "value"
