"""The digest chart renders to a PNG of the size it promises, with data or without."""

import io
from datetime import date, timedelta

from PIL import Image

from bot.slack import chart
from models.views import DigestChart

DAYS = tuple(date(2026, 3, 2) - timedelta(days=13 - n) for n in range(14))


def test_renders_a_png() -> None:
    data = DigestChart(
        team="Facilities", backlog=tuple((d, n * 3) for n, d in enumerate(DAYS)), completions=(("U1", 4),)
    )
    png = chart.render(data, names={"U1": "Ana"})
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size == (chart.WIDTH, chart.HEIGHT) and image.format == "PNG"


def test_renders_an_empty_chart() -> None:
    empty = DigestChart(team="IT", backlog=tuple((d, 0) for d in DAYS), completions=())
    assert Image.open(io.BytesIO(chart.render(empty))).size == (chart.WIDTH, chart.HEIGHT)
