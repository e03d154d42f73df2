"""The App Home tab: a person's work, their team's queue, their requests, approvals waiting for them,
and (for managers) their teams' totals. Always under Slack's 100-block limit."""

from collections.abc import Sequence
from typing import Any

from blocks import report
from blocks import text as t
from blocks.approvals import approval_request
from blocks.card import button
from blocks.ids import Action
from blocks.lists import more, row
from blocks.purchasing import approval_request as purchase_approval
from blocks.purchasing import approval_summary as purchase_summary
from models.schemas import Listing
from models.views import Dashboard, TeamKpis

HOME_BLOCKS = 100
SHORT, LONG = 8, 20  # rows per list, before and after "Show more"


def home(
    dashboard: Dashboard,
    *,
    category_names: dict[str, str],
    expanded: bool = False,
    kpis: Sequence[TeamKpis] = (),
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain("Wrench", t.HEADER_TEXT)},
        {"type": "actions", "elements": [button("New request", Action.HOME_NEW_REQUEST, "new", style="primary")]},
    ]
    for team in dashboard.teams:
        facts = [
            t.md("*Open*\n{}", team.open),
            t.md("*In progress*\n{}", team.in_progress),
            t.md("*On hold*\n{}", team.on_hold),
            t.md("*Unclaimed*\n{}", team.unclaimed),
            t.md("*Overdue*\n{}", team.overdue),
        ]
        blocks.append(
            {
                "type": "section",
                "text": t.mrkdwn(t.md("*{}* team totals", team.team)),
                "fields": [t.mrkdwn(f) for f in facts],
            }
        )
    if dashboard.pending_approvals:
        blocks.append({"type": "header", "text": t.plain("Waiting for your approval", t.HEADER_TEXT)})
        for request in dashboard.pending_approvals[:5]:
            message = approval_request(request, category_name=category_names.get(request.category, request.category))
            blocks += [message["blocks"][0], message["blocks"][-1]]
    if dashboard.pending_purchases:
        blocks.append({"type": "header", "text": t.plain("Purchases waiting for your approval", t.HEADER_TEXT)})
        for order in dashboard.pending_purchases:
            blocks += [purchase_summary(order), purchase_approval(order)["blocks"][-1]]
    overdue = f" · :warning: {dashboard.overdue_assigned} overdue" if dashboard.overdue_assigned else ""
    blocks += _section(
        f"Your work{overdue}",
        dashboard.assigned,
        empty="Nothing assigned to you. Claim a card in your team's channel.",
    )
    if dashboard.queue.total or dashboard.teams:
        overdue = f" · :warning: {dashboard.overdue_queue} overdue" if dashboard.overdue_queue else ""
        blocks += _section(f"Unclaimed in your teams{overdue}", dashboard.queue, empty="Nothing waiting. :tada:")
    blocks += _section(
        "Your requests",
        dashboard.requested,
        empty="You have not filed any requests. Type `/request` anywhere to file one.",
    )
    if not expanded and _hidden(dashboard):
        blocks.append({"type": "actions", "elements": [button("Show more", Action.HOME_MORE, "more")]})
    if kpis:
        blocks += report.home_kpis(kpis, kpis[0].days)
    if dashboard.morning_dm is not None:
        blocks.append(_morning_dm(dashboard.morning_dm))
    blocks.append(
        {
            "type": "context",
            "elements": [t.mrkdwn("`/request` files a request · `/wo mine` · `/wo open` · `/wo search pump`")],
        }
    )
    if len(blocks) > HOME_BLOCKS:  # a safety net: the row limits above keep well below it
        blocks = [*blocks[: HOME_BLOCKS - 1], {"type": "context", "elements": [t.mrkdwn("…more in `/wo`")]}]
    return {"type": "home", "blocks": blocks}


def _section(title: str, listing: Listing, *, empty: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "divider"}, {"type": "header", "text": t.plain(title, t.HEADER_TEXT)}]
    if not listing.rows:
        return [*blocks, {"type": "section", "text": t.mrkdwn(empty)}]
    return [*blocks, *(row(wo) for wo in listing.rows), *more(listing)]


def _hidden(dashboard: Dashboard) -> bool:
    return any(
        listing.total > len(listing.rows) for listing in (dashboard.assigned, dashboard.queue, dashboard.requested)
    )


def _morning_dm(on: bool) -> dict[str, Any]:
    state = "on: your open work comes by DM each working morning" if on else "off"
    return {
        "type": "section",
        "text": t.mrkdwn(t.md(":sunrise: *Morning DM* {}", state)),
        "accessory": button("Turn off" if on else "Turn on", Action.HOME_MORNING_DM, "off" if on else "on"),
    }
