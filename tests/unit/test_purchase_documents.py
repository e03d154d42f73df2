"""The purchase order's PDF with any text people typed (Latin-1 or not, long or not) and the exact sums of
amounts in currencies with 0, 2 and 3 decimals."""

from datetime import UTC, date, datetime

import pypdfium2 as pdfium
import pytest

from models.enums import PurchaseStatus
from models.views import PurchaseLineRead, PurchaseRead
from services.errors import InvalidInput
from services.purchasing import amounts, pdf


def order(name: str, **overrides: object) -> PurchaseRead:
    line = PurchaseLineRead(
        id=1, part_id=1, sku="FLT-1", name=name, unit="each", quantity=3, unit_cost_minor=1250,
        unit_cost="12.50", amount="37.50", received=0,
    )  # fmt: skip
    values: dict[str, object] = {
        "id": 1, "number": 7, "status": PurchaseStatus.ORDERED, "team": "facilities", "vendor_key": "acme",
        "vendor_name": name, "vendor_email": "", "work_order_id": None, "work_order_ref": None,
        "requested_by": "U0TECH1", "requested_at": datetime(2026, 3, 2, tzinfo=UTC), "note": name, "currency": "USD",
        "total": "37.50", "total_minor": 3750, "received_minor": 0, "received_amount": "0.00", "lines": (line,),
        "decided_by": "U0MANAGER", "decided_at": None, "rejection_reason": None, "ordered_at": None,
        "received_at": None, "cancelled_by": None, "cancelled_at": None, "cancel_reason": None, "version": 2,
    }  # fmt: skip
    values.update(overrides)
    return PurchaseRead(**values)  # type: ignore[arg-type]


def text_of(data: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data))


@pytest.mark.parametrize(
    "name",
    ["Ørsted “Parts” — Ltd", "配管 部品 😀 <b>&amp;</b>", "x" * 400, "Line one\nline two\r\n\t", "\u202eevil"],
)
def test_the_pdf_takes_any_name(name: str) -> None:
    data = pdf.render(order(name), buyer=name, address=f"{name}\n1 Main St", ordered_on=date(2026, 3, 2))
    text = text_of(data)
    assert data.startswith(b"%PDF") and "Purchase order PO-7" in text and "37.50 USD" in text
    assert "Please quote PO-7" in text


def test_latin1_names_print_as_written() -> None:
    text = text_of(pdf.render(order("Ørsted Ltd"), buyer="Büro GmbH", address="", ordered_on=None))
    assert "Ørsted Ltd" in text and "Büro GmbH" in text


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("12.50", "USD", 1250), ("12", "JPY", 12), ("1.234", "KWD", 1234), ("0", "EUR", 0), ("100000", "USD", 10_000_000)],
)
def test_unit_costs_are_exact(typed: str, currency: str, minor: int) -> None:
    assert amounts.unit_cost_of(typed, currency, field="unit_cost") == minor


@pytest.mark.parametrize(
    ("typed", "currency"),
    [("12.5", "JPY"), ("1.2345", "KWD"), ("1e3", "USD"), ("-1", "USD"), ("12,50", "EUR"), ("", "USD")],
)
def test_costs_that_would_be_rounded_or_are_not_amounts_are_refused(typed: str, currency: str) -> None:
    with pytest.raises(InvalidInput):
        amounts.unit_cost_of(typed, currency, field="unit_cost")


def test_minor_units_and_the_registers_hundredths() -> None:
    assert amounts.to_cents(1250, "USD") == 1250
    assert amounts.to_cents(12, "JPY") == 1200
    assert amounts.to_cents(1234, "KWD") == 123
    assert amounts.from_cents(1200, "JPY") == 12 and amounts.from_cents(123, "KWD") == 1230
