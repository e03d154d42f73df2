"""Thin bolt listeners, one module per feature. `register` wires every one of them."""

from typing import Any

from handlers import approvals, cards, checklist, escalations, home, intake, lookup, pm, requests, timers


def register(app: Any) -> None:
    """Attach every listener to `app` (a bolt AsyncApp, or anything with its decorator methods)."""
    # bolt tries listeners in this order for every request: the card's buttons first, then /request
    for feature in (cards, requests, approvals, timers, checklist, lookup, pm, home, intake, escalations):
        feature.register(app)
