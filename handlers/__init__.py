"""Thin bolt listeners, one module per feature. `register` wires every one of them."""

from slack_bolt.async_app import AsyncApp

from handlers import (
    approvals,
    cards,
    checklist,
    contractors,
    escalations,
    home,
    intake,
    lookup,
    pm,
    purchasing,
    requests,
    satisfaction,
    timers,
)


def register(app: AsyncApp) -> None:
    """Attach every listener to `app`."""
    # bolt tries listeners in this order for every request: the card's buttons first, then /request
    features = (cards, requests, approvals, satisfaction, timers, checklist, lookup, pm, home, intake, escalations)
    for feature in (*features, contractors, purchasing):
        feature.register(app)
