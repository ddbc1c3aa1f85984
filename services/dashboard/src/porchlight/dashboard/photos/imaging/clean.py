"""Making an uploaded image safe to publish (a logic module: Pillow, no database, no HTTP).

An upload is refused unless Pillow reads it as JPEG, PNG or WebP within the limits: bytes
(``MAX_BYTES``), pixels (``MAX_PIXELS``, checked from the header before decoding, so a
decompression bomb — a small file that decodes to gigapixels — is refused without being
decoded) and a full decode (a truncated or malformed file fails here, not in a reader's browser).
What is kept is re-encoded from the pixels alone: EXIF (the camera's GPS position, its serial,
the time) and every other metadata block are dropped, the orientation the camera recorded is
applied first so the picture stands the right way up, and the longest side is at most ``size``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is ~48 M: ask for a smaller export
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_SIDE = 1600
THUMB_SIDE = 480


class ImageRefused(ValueError):
    """Why an upload cannot be used, in words for the person who sent it."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    media_type: str
    width: int
    height: int


def clean(data: bytes, *, size: int = PHOTO_SIDE, output: str = "JPEG") -> CleanImage:
    """The upload re-encoded as ``output`` (JPEG or PNG) from its pixels only, at most ``size`` wide or high."""
    if not data:
        raise ImageRefused("the file is empty")
    if len(data) > MAX_BYTES:
        raise ImageRefused(f"the file is {len(data) / 1e6:.1f} MB; at most {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in FORMATS:
                raise ImageRefused(f"a {img.format or 'unknown'} file; send a JPEG, PNG or WebP photo")
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(
                    f"{width} x {height} pixels is too large; at most {MAX_PIXELS // 1_000_000} megapixels"
                )
            img.load()  # decodes every pixel: a truncated or malformed file fails here
    except ImageRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageRefused("not a JPEG, PNG or WebP image that can be read") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageRefused("the image is damaged or cut short") from e
    upright: Image.Image = ImageOps.exif_transpose(img)  # as the camera stood, before EXIF is dropped
    upright.thumbnail((size, size))
    if output == "JPEG":
        upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA")
    out = io.BytesIO()
    # A new image from the pixels: no exif=, no icc_profile=, no info carried over.
    fresh = Image.new(upright.mode, upright.size)
    fresh.paste(upright)
    fresh.save(out, output, **({"quality": 85, "optimize": True} if output == "JPEG" else {"optimize": True}))
    return CleanImage(out.getvalue(), "image/jpeg" if output == "JPEG" else "image/png", *fresh.size)
