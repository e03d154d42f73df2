"""Contractor work in Slack: the Send to contractor form and its vendor options, the link shown to the
sender, the revoke form, what the card shows of the job and the lines the contractor's steps write in
the card's thread. The vendor's name stands for the contractor (their steps have no Slack user)."""

from datetime import date
from typing import Any

from blocks import text as t
from blocks.ids import Action, Block, Callback, ref_value
from blocks.modals import input_block, modal, option, picker, text_input
from models.contractor_schemas import ContractorOnCard
from models.enums import EventKind, JobState
from models.schemas import EventRead, WorkOrderRead

NOTE_MAX = 2000
CONTACT_MAX = 200
KINDS = frozenset(
    {
        EventKind.CONTRACTOR_SENT,
        EventKind.CONTRACTOR_ACCEPTED,
        EventKind.CONTRACTOR_DECLINED,
        EventKind.CONTRACTOR_UPDATE,
        EventKind.CONTRACTOR_FILES,
        EventKind.CONTRACTOR_COST,
        EventKind.CONTRACTOR_DONE,
        EventKind.CONTRACTOR_REVOKED,
    }
)


def _heading(wo: WorkOrderRead) -> dict[str, Any]:
    return {"type": "section", "text": t.mrkdwn(t.md("*{} · {}*", wo.ref, wo.title))}


def send_modal(wo: WorkOrderRead, *, contact: str = "", currency: str = "") -> dict[str, Any]:
    """Pick a vendor (type-ahead of the category's trade), a note and a not-to-exceed amount."""
    blocks = [
        _heading(wo),
        input_block(
            Block.VENDOR,
            "Vendor",
            picker(Action.PICK_VENDOR, "Type a vendor's name"),
            hint="Vendors serving this category; a warning shows when their insurance or contract runs out.",
        ),
        input_block(Block.NOTE, "Note for the contractor", text_input(NOTE_MAX, multiline=True), optional=True),
        input_block(
            Block.NOT_TO_EXCEED,
            f"Not-to-exceed amount ({currency})" if currency else "Not-to-exceed amount",
            text_input(20),
            optional=True,
            hint="A decimal such as 450 or 450.00; leave it empty for no limit.",
        ),
        input_block(
            Block.CONTACT,
            "Contact on site",
            text_input(CONTACT_MAX, initial=contact),
            optional=True,
            hint="A name and a phone number the contractor can ask for. Shown on their page.",
        ),
    ]
    return modal(Callback.CONTRACTOR_MODAL, "Send to contractor", "Send", blocks, metadata=ref_value(wo.id))


def vendor_option(vendor_id: int, name: str, expiry: str | None, expires_on: date | None) -> dict[str, Any]:
    """ "Acme Heating · insurance/contract expires on Fri 06 Mar" (plain text, at most 75 characters)."""
    label = name
    if expiry in ("expired", "expiring") and expires_on is not None:
        verb = "expired" if expiry == "expired" else "expires"
        warning = f" · ⚠ insurance/contract {verb} on {expires_on:%a %d %b %Y}"
        label = f"{name[: t.OPTION_TEXT - len(warning) - 1]}{warning}"
    return option(label, f"vendor:{vendor_id}")


def link_view(wo_ref: str, vendor: str, url: str, *, emailed_to: str | None) -> dict[str, Any]:
    """What the form turns into once sent: the private link to copy (it is in the sender's DM too)."""
    how = (
        t.md("It was emailed to {}.", emailed_to)
        if emailed_to
        else t.md("It was *not* emailed: copy it and send it to them.")
    )
    blocks = [
        {"type": "section", "text": t.mrkdwn(t.md(":handshake: *{}* was sent to *{}*.", wo_ref, vendor))},
        {"type": "section", "text": t.mrkdwn(t.md("*Their private link* (copy it)\n```{}```", url))},
        {
            "type": "context",
            "elements": [
                t.mrkdwn(
                    t.md(
                        "{} Anyone with the link can act on this job; a manager can revoke it from the card. "
                        "The link is in your DM with Wrench too.",
                        how,
                    )
                )
            ],
        },
    ]
    return {
        "type": "modal",
        "title": t.plain("Sent to contractor", t.MODAL_TITLE),
        "close": t.plain("Done", 24),
        "blocks": blocks,
    }


def revoke_modal(wo: WorkOrderRead) -> dict[str, Any]:
    text = t.md(
        "The contractor's link stops working at once: their page says it was revoked. The work stays with the team."
    )
    return modal(
        Callback.REVOKE_CONTRACTOR_MODAL,
        "Revoke contractor link",
        "Revoke",
        [
            _heading(wo),
            {"type": "section", "text": t.mrkdwn(text)},
            input_block(Block.REASON, "Why (for the card's thread)", text_input(1000), optional=True),
        ],
        metadata=ref_value(wo.id, wo.version),
    )


def on_card(job: ContractorOnCard) -> dict[str, Any]:
    """The card's line about the job: who has it and where it stands, the amounts, their resolution."""
    parts = [t.md(":handshake: *Contractor:* {} — {}", job.vendor, job.state.label)]
    if job.not_to_exceed:
        parts.append(t.md("not to exceed {}", job.not_to_exceed))
    if job.cost:
        parts.append(t.md("their cost {}", job.cost))
    if job.hours:
        parts.append(t.md("{}", job.hours))
    text = t.lines(parts, " · ")
    if job.state is JobState.DONE and job.resolution:
        text += t.md("\n*Their resolution:* {}\nA technician or manager confirms it is completed.", job.resolution)
    return {"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}


def thread_line(event: EventRead) -> t.Mrkdwn | None:
    """The thread line of a contractor's step (the vendor's name, as typed, stands for them) or the team's."""
    data = event.data
    vendor = str((data.get("vendor") or {}).get("name") or "The contractor")
    line: t.Mrkdwn | None = None
    if event.kind == EventKind.CONTRACTOR_SENT:
        limit = (
            t.md(" (not to exceed {} {})", data["not_to_exceed"], data.get("currency", ""))
            if data.get("not_to_exceed")
            else ""
        )
        note = t.md("\n*Note:* {}", data["note"]) if data.get("note") else ""
        line = t.md(":handshake: {} sent this to *{}*{}.{}", t.user(event.actor_id), vendor, limit, note)
    elif event.kind == EventKind.CONTRACTOR_ACCEPTED:
        line = t.md(":handshake: *{}* accepted the job.", vendor)
    elif event.kind == EventKind.CONTRACTOR_DECLINED:
        line = t.md(
            ":x: *{}* declined the job: {}\nIt is back with the team, unclaimed.", vendor, data.get("reason", "")
        )
    elif event.kind == EventKind.CONTRACTOR_UPDATE:
        line = t.md(":memo: *{}*: {}", vendor, data.get("text", ""))
    elif event.kind == EventKind.CONTRACTOR_FILES:
        what = []
        if data.get("photos"):
            what.append(f"{data['photos']} photo{'s' if data['photos'] != 1 else ''}")
        if data.get("invoice"):
            what.append("the invoice")
        line = t.md(":paperclip: *{}* sent {} (below).", vendor, " and ".join(what) or "files")
    elif event.kind == EventKind.CONTRACTOR_COST:
        hours = t.md(", {:g} h", data["minutes"] / 60) if data.get("minutes") else ""
        over = (
            t.md(" :warning: above the not-to-exceed of {}", data["over_not_to_exceed"])
            if data.get("over_not_to_exceed")
            else ""
        )
        line = t.md(
            ":clipboard: *{}* gave their cost: {} {}{}{}.",
            vendor,
            data.get("cost"),
            data.get("currency", ""),
            hours,
            over,
        )
    elif event.kind == EventKind.CONTRACTOR_DONE:
        line = t.md(
            ":white_check_mark: *{}* marked the work done.\n*Their resolution:* {}\nA technician or manager confirms "
            "it is completed with *Confirm completion* on the card.",
            vendor,
            data.get("resolution", ""),
        )
    elif event.kind == EventKind.CONTRACTOR_REVOKED:
        why = {"completed": "the work order was completed", "cancelled": "the work order was cancelled"}.get(
            str(data.get("why")), ""
        )
        line = (
            t.md("The link of *{}* was closed: {}.", vendor, why)
            if why
            else t.md(":no_entry_sign: {} revoked the link of *{}*{}", t.user(event.actor_id), vendor, _reason(data))
        )
    return t.clip(line, t.SECTION_TEXT) if line is not None else None


def _reason(data: dict[str, Any]) -> t.Mrkdwn:
    return t.md(": {}", data["reason"]) if data.get("reason") else t.md(".")


def sender_dm(wo: WorkOrderRead, event: EventRead, *, permalink: str | None) -> t.Mrkdwn:
    """To whoever sent the work out: the contractor declined it, or marked it done (the team reviews it)."""
    vendor = str((event.data.get("vendor") or {}).get("name") or "The contractor")
    see = t.md(" {}.", t.link(permalink, "See the card")) if permalink else t.md("")
    if event.kind == EventKind.CONTRACTOR_DECLINED:
        text = t.md(
            ":x: *{}* declined {} ({}): {}\nIt is back with the team, unclaimed.{}",
            vendor,
            wo.ref,
            wo.title,
            event.data.get("reason", ""),
            see,
        )
    else:
        text = t.md(
            ":white_check_mark: *{}* marked {} ({}) done: {}\nConfirm it is completed on the card.{}",
            vendor,
            wo.ref,
            wo.title,
            event.data.get("resolution", ""),
            see,
        )
    return t.clip(text, t.SECTION_TEXT)
