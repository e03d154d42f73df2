"""The purchasing builders (`blocks/purchasing.py`) for `tests.support.every_builder`: every state of a
request and an order, the forms, and what people typed at its longest."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from blocks import messages
from blocks import purchase_forms as f
from blocks import purchasing as p
from models.enums import EventKind, PurchaseStatus
from models.schemas import EventRead
from models.views import PurchaseLineRead, PurchaseRead

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def order(typed: Any, **overrides: Any) -> PurchaseRead:
    lines = tuple(
        PurchaseLineRead(
            id=i,
            part_id=i,
            sku=f"SKU-{i}",
            name=typed(150),
            unit=typed(20),
            quantity=100_000,
            unit_cost_minor=999_999,
            unit_cost="9999.99",
            amount="999999000.00",
            received=i,
        )
        for i in range(1, 11)
    )
    values: dict[str, Any] = {
        "id": 7,
        "number": 12,
        "status": PurchaseStatus.ORDERED,
        "team": "facilities",
        "vendor_key": "acme",
        "vendor_name": typed(150),
        "vendor_email": "orders@acme.example",
        "work_order_id": 3,
        "work_order_ref": "WO-1042",
        "requested_by": "U0TECH1",
        "requested_at": NOW,
        "note": typed(1000),
        "currency": "USD",
        "total": "19999999.99",
        "total_minor": 1_999_999_999,
        "received_minor": 10,
        "received_amount": "0.10",
        "lines": lines,
        "decided_by": "U0MANAGER",
        "decided_at": NOW,
        "rejection_reason": None,
        "ordered_at": NOW,
        "received_at": None,
        "cancelled_by": None,
        "cancelled_at": None,
        "cancel_reason": None,
        "version": 3,
    }
    values.update(overrides)
    return PurchaseRead(**values)


def generate(typed: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    orders = [
        order(typed, status=status, number=None if status is PurchaseStatus.REQUESTED else 12)
        for status in PurchaseStatus
    ] + [
        order(typed, status=PurchaseStatus.REJECTED, number=None, rejection_reason=typed(1000)),
        order(typed, status=PurchaseStatus.CANCELLED, cancelled_by="U0MANAGER", cancel_reason=typed(1000)),
        order(typed, decided_by="wrench", work_order_ref=None, vendor_email=""),
    ]
    for built in orders:
        yield "purchasing.approval_request", "message", p.approval_request(built)
        yield "purchasing.approval_summary", "home", {"type": "home", "blocks": [p.approval_summary(built)]}
        yield "purchasing.purchase_order", "message", p.purchase_order(built)
        yield "purchasing.decision", "message", {"text": p.decision(built)}
        yield "purchasing.decided_dm", "message", {"text": p.decided_dm(built, channel="C0FACILITY")}
    ordered = orders[2]
    approvers = [f"U0APPROVER{i}" for i in range(20)]
    yield "purchasing.requested_dm", "message", {"text": p.requested_dm(orders[0], approvers=approvers)}
    yield "purchase_forms.receive_modal", "modal", f.receive_modal(ordered)
    arrivals = {line.id: (100_000, 999_999) for line in ordered.lines}
    yield "purchase_forms.over_modal", "modal", f.over_modal(ordered, message=typed(1000), arrivals=arrivals)
    yield "purchase_forms.reject_modal", "modal", f.reject_modal(orders[0])
    yield "purchase_forms.cancel_modal", "modal", f.cancel_modal(ordered)
    yield "purchase_forms.notice_modal", "modal", f.notice_modal(typed(100), typed(2000))
    arrived = [{"sku": f"SKU-{i}", "quantity": 100_000} for i in range(10)]
    yield "purchasing.received_line", "message", {"text": p.received_line(arrived, by="U0TECH1", complete=True)}
    for draft in (None, f.PurchaseDraft(part=(3, typed(75)), quantity=5, work_order="WO-1042", reason=typed(500))):
        yield "purchase_forms.request_modal", "modal", f.request_modal(draft, currency="USD")
    low = EventRead(
        id=1,
        work_order_id=7,
        from_status=None,
        to_status=None,
        at=NOW,
        actor_id="U0TECH1",
        kind=EventKind.PARTS_USED,
        data={"part_id": 3, "sku": "BOLT-1", "name": typed(150), "unit": typed(20), "left": 1, "reorder_point": 2},
    )
    yield "purchasing.low_stock_alert", "message", p.low_stock_alert(low.data, messages.low_stock_alert(low))
    rows = [(i, f"SKU-{i}", typed(150), 1.5, 2.0, typed(20)) for i in range(40)]
    yield "purchasing.parts_list", "message", p.parts_list(rows, heading=typed(50))
    yield "purchasing.parts_list", "message", p.parts_list([], heading=typed(50))
    yield "purchasing.open_orders", "message", p.open_orders(orders * 5)
    yield "purchasing.open_orders", "message", p.open_orders([])
