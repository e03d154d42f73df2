"""The purchase order as a PDF for the vendor (fpdf2, as the asset labels): the buyer, the order's number
and dates, the vendor, each line with its expected unit cost and amount, and the total. Text is set in
Helvetica, whose Latin-1 alphabet covers most names (other characters print as "?")."""

from datetime import date

from fpdf import FPDF

from models.views import PurchaseRead
from services.contracting import money

TYPOGRAPHY = str.maketrans(
    {"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
)
COLUMNS = (("SKU", 32.0), ("Part", 70.0), ("Quantity", 22.0), ("Unit cost", 28.0), ("Amount", 28.0))


def latin1(text: str) -> str:
    return text.translate(TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


def filename(order: PurchaseRead) -> str:
    return f"{order.ref}.pdf"


def render(order: PurchaseRead, *, buyer: str, address: str, ordered_on: date | None) -> bytes:
    """The purchase order's PDF: one page for up to ten lines."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_title(f"Purchase order {order.ref}")
    pdf.set_creator("Wrench")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.cell(0, 10, _fitted(pdf, latin1(buyer), width), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for written in address.splitlines()[:6]:
        pdf.cell(0, 5, _fitted(pdf, latin1(written), width), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, f"Purchase order {order.ref}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    facts = [
        ("Date", ordered_on.isoformat() if ordered_on else "-"),
        ("Vendor", f"{order.vendor_name} ({order.vendor_key})"),
        ("Vendor email", order.vendor_email or "-"),
        ("For work order", order.work_order_ref or "-"),
        ("Currency", order.currency),
    ]
    for label, value in facts:
        pdf.cell(35, 6, label)
        pdf.cell(0, 6, _fitted(pdf, latin1(value), width - 35), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_fill_color(235, 235, 235)
    for title, width in COLUMNS:
        pdf.cell(
            width, 7, title, border=1, fill=True, align="R" if title in ("Quantity", "Unit cost", "Amount") else "L"
        )
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for line in order.lines:
        amount = line.quantity * line.unit_cost_minor
        cells = (
            _fitted(pdf, latin1(line.sku), COLUMNS[0][1] - 2),
            _fitted(pdf, latin1(line.name), COLUMNS[1][1] - 2),
            f"{line.quantity} {latin1(line.unit)}"[:14],
            str(money.from_minor(line.unit_cost_minor, order.currency)),
            str(money.from_minor(amount, order.currency)),
        )
        for (title, width), text in zip(COLUMNS, cells, strict=True):
            pdf.cell(width, 7, text, border=1, align="L" if title in ("SKU", "Part") else "R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    label_width = sum(width for _, width in COLUMNS[:-1])
    pdf.cell(label_width, 8, "Total", border=1, align="R")
    pdf.cell(COLUMNS[-1][1], 8, f"{order.total} {order.currency}", border=1, align="R")
    pdf.ln(12)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, f"Please quote {order.ref} on your delivery note and invoice.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _fitted(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."
