"""Printable QR labels for assets (`wrench labels`): each code opens the web portal's form for its asset.

Ten labels of 90 by 50 mm per page (two columns of five), on A4 or US Letter. The QR code is drawn as
vector squares, so it stays sharp at any printer resolution; text is set in Helvetica, whose Latin-1
alphabet covers most asset names (other characters print as "?"; the tag is always plain ASCII).
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import segno
from fpdf import FPDF

LABEL_W, LABEL_H = 90.0, 50.0  # mm
COLUMNS, ROWS = 2, 5
LABELS_PER_PAGE = COLUMNS * ROWS
QR_SIZE = 40.0  # mm, quiet zone included
PADDING = 4.0
# Typographic marks outside Latin-1, as the plain marks Helvetica has: dashes, quotes, ellipsis.
TYPOGRAPHY = str.maketrans(
    {"\u2014": "-", "\u2013": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
)


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"


@dataclass(frozen=True)
class Label:
    url: str
    tag: str
    name: str
    location: str | None


def render(labels: Sequence[Label], *, paper: Paper = Paper.A4, title: str = "Asset labels") -> bytes:
    """The PDF of `labels`, ten to a page."""
    pdf = FPDF(unit="mm", format=paper.value.upper() if paper is Paper.A4 else "Letter")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("Wrench")
    margin_x = (pdf.w - COLUMNS * LABEL_W) / 2
    margin_y = (pdf.h - ROWS * LABEL_H) / 2
    for index, label in enumerate(labels):
        slot = index % LABELS_PER_PAGE
        if slot == 0:
            pdf.add_page()
        x = margin_x + (slot % COLUMNS) * LABEL_W
        y = margin_y + (slot // COLUMNS) * LABEL_H
        _label(pdf, label, x, y)
    return bytes(pdf.output())


def _label(pdf: FPDF, label: Label, x: float, y: float) -> None:
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, LABEL_W, LABEL_H)  # a cutting guide
    qr_x, qr_y = x + PADDING / 2, y + (LABEL_H - QR_SIZE) / 2
    _qr(pdf, label.url, qr_x, qr_y, QR_SIZE)
    text_x = qr_x + QR_SIZE + PADDING / 2
    width = x + LABEL_W - PADDING - text_x
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(text_x, y + PADDING + 2)
    tag = _latin1(label.tag)
    size = 15.0
    pdf.set_font("Helvetica", "B", size)
    while pdf.get_string_width(tag) > width and size > 8:  # a long tag: smaller, never past the label
        size -= 0.5
        pdf.set_font_size(size)
    pdf.cell(width, 7, _fitted(pdf, tag, width), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    _lines(pdf, _latin1(label.name), text_x, pdf.get_y() + 1, width, height=4.5, most=3)
    if label.location:
        pdf.set_font("Helvetica", "", 8)
        pdf.set_text_color(90, 90, 90)
        _lines(pdf, _latin1(label.location), text_x, pdf.get_y() + 1, width, height=3.8, most=2)
    pdf.set_xy(text_x, y + LABEL_H - PADDING - 5)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(width, 5, "Scan to report a problem")


def _lines(pdf: FPDF, text: str, x: float, y: float, width: float, *, height: float, most: int) -> None:
    """`text` wrapped to `width`, at most `most` lines (the last one cut short with "..." if need be)."""
    wrapped = pdf.multi_cell(width, height, text, align="L", dry_run=True, output="LINES")
    # fpdf2 types the result as whatever any `output` could ask for; "LINES" alone gives a list of str
    if not isinstance(wrapped, list):
        raise TypeError(f"fpdf2's multi_cell gave {type(wrapped).__name__} for output='LINES'")
    lines: list[str] = wrapped
    if len(lines) > most:
        lines = [*lines[: most - 1], _fitted(pdf, lines[most - 1] + "...", width, force=True)]
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(width, height, line)
        y += height
    pdf.set_y(y)


def _fitted(pdf: FPDF, text: str, width: float, *, force: bool = False) -> str:
    """`text`, shortened with "..." until it fits `width` in the current font."""
    if pdf.get_string_width(text) <= width and not force:
        return text
    text = text.removesuffix("...")
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The code as filled squares, each row's runs of dark modules drawn as one rectangle."""
    code = segno.make(url, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=4))
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(rows):
        for start, length in _dark_runs(row):
            pdf.rect(x + start * module, y + row_index * module, length * module, module, style="F")


def _dark_runs(row: Iterable[int]) -> Iterator[tuple[int, int]]:
    start = None
    for position, dark in enumerate([*row, 0]):
        if dark and start is None:
            start = position
        elif not dark and start is not None:
            yield start, position - start
            start = None


def _latin1(text: str) -> str:
    return text.translate(TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")
