"""The asset card `/wo asset TAG` answers with."""

from typing import Any

from blocks import recurring
from blocks import text as t
from blocks.card import button
from blocks.ids import Action
from blocks.lists import more, row
from models.views import AssetCard, VendorContact

STATUS = {"running": ":large_green_circle: Running", "down": ":red_circle: Down"}


def asset_card(card: AssetCard) -> dict[str, Any]:
    facts = [
        t.md("*Status*\n{}", STATUS.get(card.status, card.status)),
        t.md("*Criticality*\n{}", card.criticality.capitalize()),
        t.md("*Location*\n{}", card.location or "—"),
        t.md("*Category*\n{}", card.category or "—"),
        t.md("*Make and model*\n{}", " ".join(p for p in (card.manufacturer, card.model) if p) or "—"),
        t.md("*Serial*\n{}", card.serial or "—"),
        t.md("*Installed*\n{}", card.installed_on.isoformat() if card.installed_on else "—"),
        t.md("*Part of*\n{}", card.parent or "—"),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain(f"{card.tag} · {card.name}", t.HEADER_TEXT)},
        {"type": "section", "fields": [t.mrkdwn(fact) for fact in facts]},
    ]
    if card.vendor is not None:
        blocks += _serviced_by(card.vendor)
    if card.down_since:
        reason = t.md(": {}", card.down_reason) if card.down_reason else ""
        down = t.md(":red_circle: *Down since* {}{}", t.when(card.down_since), reason)
        blocks.append({"type": "section", "text": t.mrkdwn(down)})
    if card.meters:
        readings = t.lines((t.md("{} {:g} ({})", name, value, t.when(at)) for name, value, at in card.meters), " · ")
        blocks.append({"type": "context", "elements": [t.mrkdwn(t.md("*Meters* {}", readings))]})
    mtbf = f"{card.mtbf_hours:.0f} h" if card.mtbf_hours is not None else "no failures"
    mttr = f"{card.mttr_hours:.1f} h" if card.mttr_hours is not None else "—"
    reliability = [
        t.md("*Downtime {}*\n{:.1f} h", card.year, card.downtime_hours),
        t.md("*Failures {}*\n{}", card.year, card.failures),
        t.md("*MTBF*\n{}", mtbf),
        t.md("*MTTR*\n{}", mttr),
    ]
    blocks.append({"type": "section", "fields": [t.mrkdwn(fact) for fact in reliability]})
    blocks += recurring.card_section(card.recurring)
    blocks.append({"type": "section", "text": t.mrkdwn(t.md("*Open work* ({})", card.open_work.total))})
    blocks += [row(wo) for wo in card.open_work.rows] or [{"type": "context", "elements": [t.mrkdwn("None.")]}]
    blocks += more(card.open_work)
    if card.recent:
        done = [
            t.md("*{}* {} · {:%d %b %Y} · {}", wo.ref, wo.title, wo.completed_at, wo.resolution or "")
            for wo in card.recent
            if wo.completed_at
        ]
        text = t.md("*Last {} completed*\n{}", len(done), t.lines(done))
        blocks.append({"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))})
    if card.schedules:
        planned = [
            t.md("{} · {}", s.schedule, f"next due {s.due_on:%a %d %b}" if s.due_on else "by meter or paused")
            for s in card.schedules
        ]
        text = t.md("*PM schedules*\n{}", t.lines(planned))
        blocks.append({"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))})
    blocks.append(
        {"type": "actions", "elements": [button("File a request", Action.ASSET_REQUEST, str(card.id), style="primary")]}
    )
    return t.message(t.md("{} · {}: {}", card.tag, card.name, card.status), blocks[: t.MESSAGE_BLOCKS])


def _serviced_by(vendor: VendorContact) -> list[dict[str, Any]]:
    """Who services the asset: what people typed (name, contact, phone, email) as plain text, which Slack
    never reads as markup or turns into a link; and a warning when the vendor's insurance or contract has
    run out or runs out within a week."""
    details = " · ".join(part for part in (vendor.name, vendor.contact_name, vendor.phone, vendor.email) if part)
    elements: list[dict[str, Any]] = [
        t.mrkdwn(t.Mrkdwn("*Serviced by*")),
        {"type": "plain_text", "text": t.clip(details, t.FIELD_TEXT), "emoji": False},
    ]
    warning = expiry_note(vendor)
    if warning:
        elements.append(t.mrkdwn(warning))
    return [{"type": "context", "elements": elements}]


def expiry_note(vendor: VendorContact) -> t.Mrkdwn | None:
    """ ":warning: Insurance or contract expired on 30 Nov 2026", or "… expires on …" within a week."""
    if vendor.expires_on is None or vendor.expiry not in ("expired", "expiring"):
        return None
    verb = "expired" if vendor.expiry == "expired" else "expires"
    return t.md(":warning: Insurance or contract {} on {:%a %d %b %Y}", verb, vendor.expires_on)
