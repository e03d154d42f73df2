"""Photos sent from outside Slack (the web portal): proved to be images by decoding them, turned upright,
scaled down to a sensible size and re-encoded. Re-encoding drops whatever rode along (EXIF with the
phone's GPS position, bytes appended after the image) and decides the file's type and name ourselves.

CPU-bound (tens of milliseconds for a phone photo): callers run it off the event loop.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from services.errors import InvalidInput

ACCEPTED = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # a 40-megapixel image is larger than any phone's; bigger is a decompression bomb
LONGEST_SIDE = 2560
NOT_A_PHOTO = "Send a photo (JPEG, PNG, GIF or WebP)."


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def prepare(content: bytes, *, max_bytes: int) -> PreparedPhoto:
    """The photo as Wrench keeps it; `InvalidInput` (field `photo`) when it is too large or no image."""
    if len(content) > max_bytes:
        raise InvalidInput(f"The photo is too large: at most {max_bytes // (1024 * 1024)} MB.", field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as opened:
                if opened.format not in ACCEPTED:
                    raise InvalidInput(NOT_A_PHOTO, field="photo")
                if opened.width * opened.height > MAX_PIXELS:
                    raise InvalidInput("The photo has too many pixels: send a smaller one.", field="photo")
                image = ImageOps.exif_transpose(opened)
                image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
                return _encoded(image)
    except InvalidInput:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(NOT_A_PHOTO, field="photo") from None


def _encoded(image: Image.Image) -> PreparedPhoto:
    """JPEG for photographs; PNG for images with transparency (a screenshot, a drawing)."""
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        kind, extension = "image/png", "png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        kind, extension = "image/jpeg", "jpg"
    return PreparedPhoto(out.getvalue(), kind, extension, image.width, image.height)
