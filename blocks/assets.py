"""The asset card `/wo asset TAG` answers with."""

from typing import Any

from blocks import text as t
from blocks.card import button
from blocks.ids import Action
from blocks.lists import more, row
from models.views import AssetCard

STATUS = {"running": ":large_green_circle: Running", "down": ":red_circle: Down"}


def asset_card(card: AssetCard) -> dict[str, Any]:
    facts = [
        f"*Status*\n{STATUS.get(card.status, card.status)}",
        f"*Criticality*\n{card.criticality.capitalize()}",
        f"*Location*\n{t.escape(card.location or '—')}",
        f"*Category*\n{t.escape(card.category or '—')}",
        f"*Make and model*\n{t.escape(' '.join(p for p in (card.manufacturer, card.model) if p) or '—')}",
        f"*Serial*\n{t.escape(card.serial or '—')}",
        f"*Installed*\n{card.installed_on.isoformat() if card.installed_on else '—'}",
        f"*Part of*\n{t.escape(card.parent or '—')}",
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain(f"{card.tag} · {card.name}", t.HEADER_TEXT)},
        {"type": "section", "fields": [t.mrkdwn(fact) for fact in facts]},
    ]
    if card.down_since:
        reason = f": {t.escape(card.down_reason)}" if card.down_reason else ""
        blocks.append(
            {"type": "section", "text": t.mrkdwn(f":red_circle: *Down since* {t.when(card.down_since)}{reason}")}
        )
    if card.meters:
        readings = " · ".join(f"{t.escape(name)} {value:g} ({t.when(at)})" for name, value, at in card.meters)
        blocks.append({"type": "context", "elements": [t.mrkdwn(f"*Meters* {readings}")]})
    mtbf = f"{card.mtbf_hours:.0f} h" if card.mtbf_hours is not None else "no failures"
    mttr = f"{card.mttr_hours:.1f} h" if card.mttr_hours is not None else "—"
    reliability = [
        f"*Downtime {card.year}*\n{card.downtime_hours:.1f} h",
        f"*Failures {card.year}*\n{card.failures}",
        f"*MTBF*\n{mtbf}",
        f"*MTTR*\n{mttr}",
    ]
    blocks.append({"type": "section", "fields": [t.mrkdwn(fact) for fact in reliability]})
    blocks.append({"type": "section", "text": t.mrkdwn(f"*Open work* ({card.open_work.total})")})
    blocks += [row(wo) for wo in card.open_work.rows] or [{"type": "context", "elements": [t.mrkdwn("None.")]}]
    blocks += more(card.open_work)
    if card.recent:
        lines = [
            f"*{wo.ref}* {t.escape(wo.title)} · {wo.completed_at:%d %b %Y} · {t.escape(wo.resolution or '')}"
            for wo in card.recent
            if wo.completed_at
        ]
        text = f"*Last {len(lines)} completed*\n" + "\n".join(lines)
        blocks.append({"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))})
    if card.schedules:
        lines = [
            f"{t.escape(s.schedule)} · " + (f"next due {s.due_on:%a %d %b}" if s.due_on else "by meter or paused")
            for s in card.schedules
        ]
        blocks.append(
            {"type": "section", "text": t.mrkdwn(t.clip("*PM schedules*\n" + "\n".join(lines), t.SECTION_TEXT))}
        )
    blocks.append(
        {"type": "actions", "elements": [button("File a request", Action.ASSET_REQUEST, str(card.id), style="primary")]}
    )
    return {"text": f"{card.tag} · {card.name}: {card.status}", "blocks": blocks[: t.MESSAGE_BLOCKS]}
