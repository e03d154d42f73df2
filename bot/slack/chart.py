"""The digest's chart image, drawn server-side with Pillow: the open backlog over 14 days (bars with
their values) beside completions per person (horizontal bars). A pure function: data in, PNG bytes out.
"""

import io
from collections.abc import Mapping

from PIL import Image, ImageDraw, ImageFont

from models.views import DigestChart

WIDTH, HEIGHT = 960, 420
MARGIN = 28
BACKGROUND = (255, 255, 255)
INK = (29, 28, 29)
MUTED = (97, 96, 97)
GRID = (221, 221, 221)
BACKLOG = (18, 100, 163)
TODAY = (224, 30, 90)
DONE = (46, 182, 125)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font:
    try:
        return ImageFont.load_default(size=size)  # Pillow ≥ 10.1 with FreeType: a scalable font
    except (TypeError, OSError):
        return ImageFont.load_default()


def render(chart: DigestChart, *, names: Mapping[str, str] | None = None) -> bytes:
    """PNG bytes of the chart; `names` maps user ids to display names (ids are shown otherwise)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title, small = _font(18), _font(12)
    draw.text((MARGIN, 14), f"{chart.team}: open backlog, last {len(chart.backlog)} days", font=title, fill=INK)
    split = int(WIDTH * 0.62)
    draw.text((split + MARGIN, 14), "Completed, by person", font=title, fill=INK)
    _backlog(draw, chart, (MARGIN, 60, split - MARGIN, HEIGHT - 40), small)
    _completions(draw, chart, names or {}, (split + MARGIN, 60, WIDTH - MARGIN, HEIGHT - 40), small)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _backlog(draw: ImageDraw.ImageDraw, chart: DigestChart, box: tuple[int, int, int, int], font: Font) -> None:
    left, top, right, bottom = box
    highest = max((count for _, count in chart.backlog), default=0) or 1
    draw.line((left, bottom, right, bottom), fill=GRID, width=1)
    slot = (right - left) / max(len(chart.backlog), 1)
    for index, (day, count) in enumerate(chart.backlog):
        x0 = left + index * slot + slot * 0.15
        x1 = left + (index + 1) * slot - slot * 0.15
        height = (bottom - top - 20) * count / highest
        colour = TODAY if index == len(chart.backlog) - 1 else BACKLOG
        if count:
            draw.rectangle((x0, bottom - height, x1, bottom), fill=colour)
        centre = (x0 + x1) / 2
        draw.text((centre, bottom - height - 4), str(count), font=font, fill=INK, anchor="mb")
        draw.text((centre, bottom + 6), day.strftime("%d/%m"), font=font, fill=MUTED, anchor="mt")


def _completions(
    draw: ImageDraw.ImageDraw,
    chart: DigestChart,
    names: Mapping[str, str],
    box: tuple[int, int, int, int],
    font: Font,
) -> None:
    left, top, right, bottom = box
    if not chart.completions:
        draw.text((left, top), "Nothing completed in these days.", font=font, fill=MUTED)
        return
    label_width = 110
    highest = max(count for _, count in chart.completions) or 1
    row = min(36.0, (bottom - top) / len(chart.completions))
    for index, (user_id, count) in enumerate(chart.completions):
        y = top + index * row
        name = names.get(user_id, user_id)
        draw.text((left, y + row / 2), name[:16], font=font, fill=INK, anchor="lm")
        length = (right - left - label_width - 30) * count / highest
        draw.rectangle((left + label_width, y + row * 0.2, left + label_width + length, y + row * 0.8), fill=DONE)
        draw.text((left + label_width + length + 6, y + row / 2), str(count), font=font, fill=INK, anchor="lm")
