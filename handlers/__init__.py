"""Thin bolt listeners, one module per feature. `register` wires every one of them."""

from typing import Any

from handlers import cards, home, lookup, requests


def register(app: Any) -> None:
    """Attach every listener to `app` (a bolt AsyncApp, or anything with its decorator methods)."""
    for feature in (requests, cards, lookup, home):
        feature.register(app)
