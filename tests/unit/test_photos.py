"""Photos from outside Slack: decoded to prove they are images, re-encoded, refused with a clear reason."""

import io

import pytest
from PIL import Image

from services.errors import InvalidInput
from services.requests import photos

MB = 1024 * 1024


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def test_a_photo_becomes_a_jpeg_and_a_transparent_image_a_png() -> None:
    jpeg = photos.prepare(encoded(Image.new("RGB", (4000, 3000)), "WEBP"), max_bytes=10 * MB)
    assert (jpeg.content_type, jpeg.extension, jpeg.width, jpeg.height) == ("image/jpeg", "jpg", 2560, 1920)
    drawing = Image.new("P", (10, 10))
    drawing.info["transparency"] = 0
    png = photos.prepare(encoded(drawing, "GIF", transparency=0), max_bytes=MB)
    assert png.content_type == "image/png" and png.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 a document", "Send a photo (JPEG, PNG, GIF or WebP)."),
        (b"\xff\xd8\xff\xe0 a JPEG header and nothing else", "Send a photo (JPEG, PNG, GIF or WebP)."),
        (encoded(Image.new("RGB", (8, 8)), "BMP"), "Send a photo (JPEG, PNG, GIF or WebP)."),
        (encoded(Image.new("1", (9000, 9000)), "PNG"), "The photo has too many pixels: send a smaller one."),
        (b"\0" * (2 * MB), "The photo is too large: at most 1 MB."),
    ],
)
def test_what_is_not_a_photo_is_refused_with_a_reason(content: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        photos.prepare(content, max_bytes=MB)
    assert (str(refused.value), refused.value.field) == (message, "photo")
