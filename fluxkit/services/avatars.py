"""Profile pictures: checked by content, re-drawn with Pillow, stored under a random name.

An upload is accepted only when its first bytes say PNG, JPEG, WebP or GIF (the file name
and the browser's content type are ignored) and Pillow decodes it within the size limits.
Only the pixels survive: the picture is cropped to a square, resized to SIZE x SIZE and
written anew as WebP, so no EXIF (location, camera), colour profile, comment or appended
payload of the original is kept. Files live in FLUXKIT_DATA_DIR/avatars as
<32 hex digits>.webp; `path_for()` refuses any other name, so no request reaches outside.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from fluxkit.clock import Clock, system_clock
from fluxkit.models import User
from fluxkit.services import audit, live, topics
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.settings import get_settings

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000  # decompression bombs: refuse before decoding the whole image
MIN_SIDE = 16
SIZE = 256
MEDIA_TYPE = "image/webp"
NAME = re.compile(r"^[0-9a-f]{32}\.webp$")
TOPIC = topics.PROFILE

# Magic numbers of the accepted formats, with the Pillow format each must decode as.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
ACCEPTED = "PNG, JPEG, WebP or GIF"


def _format_of(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((fmt for magic, fmt in _SIGNATURES if data.startswith(magic)), None)


def folder() -> Path:
    path = get_settings().data_dir / "avatars"
    path.mkdir(parents=True, exist_ok=True)
    return path


def render(data: object) -> bytes:
    """The uploaded bytes as a clean SIZE x SIZE WebP, or InvalidInput saying what is wrong."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise InvalidInput("Choose a picture to upload.", fields={"avatar": "Choose a picture to upload."})
    if len(data) > MAX_BYTES:
        message = f"The picture is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB."
        raise InvalidInput(message, fields={"avatar": message})
    expected = _format_of(bytes(data[:16]))
    if expected is None:
        message = f"This file is not a picture FluxKit accepts. Upload a {ACCEPTED} image."
        raise InvalidInput(message, fields={"avatar": message})
    broken = f"The picture could not be read; it may be damaged. Upload a {ACCEPTED} image."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput(
                        "The picture has too many pixels.", fields={"avatar": "The picture has too many pixels."}
                    )
                if min(width, height) < MIN_SIDE:
                    message = f"The picture is too small; use one at least {MIN_SIDE}×{MIN_SIDE} pixels."
                    raise InvalidInput(message, fields={"avatar": message})
                image.seek(0)  # an animated GIF or WebP keeps its first frame
                image.load()
                upright = ImageOps.exif_transpose(image)
                pixels = upright.convert("RGBA")
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidInput(broken, fields={"avatar": broken}) from None
    square = ImageOps.fit(pixels, (SIZE, SIZE), method=Image.Resampling.LANCZOS)
    # A fresh image holds only the pixels: no info dict, EXIF, ICC profile or trailing bytes.
    clean = Image.new("RGBA", (SIZE, SIZE))
    clean.paste(square)
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=85, method=4)
    return out.getvalue()


def path_for(name: object) -> Path:
    """The file of a stored avatar; NotFound for any name that is not one of ours."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise NotFound("No such picture.")
    path = folder() / name
    if not path.is_file():
        raise NotFound("No such picture.")
    return path


def remove_file(name: str | None) -> None:
    """Delete a stored avatar file (after the change that dropped it committed)."""
    if name and NAME.fullmatch(name):
        (folder() / name).unlink(missing_ok=True)


def set_avatar(
    db: Session, user_id: int, data: object, meta: RequestMeta, clock: Clock = system_clock
) -> tuple[str, str | None]:
    """Store a new picture; answers (its URL, the old file name to remove after commit)."""
    clean = render(data)
    name = f"{secrets.token_hex(16)}.webp"
    (folder() / name).write_bytes(clean)
    user = db.get(User, user_id)
    old = user.avatar
    user.avatar = name
    user.updated_at = clock.now()
    db.add(user)
    audit.record(db, "avatar_changed", meta=meta, user_id=user.id, email=user.email, clock=clock)
    live.touch(db, user_id, TOPIC)
    return f"/api/avatars/{name}", old


def clear_avatar(db: Session, user_id: int, meta: RequestMeta, clock: Clock = system_clock) -> str | None:
    """Remove the picture; answers the file name to delete after commit."""
    user = db.get(User, user_id)
    old = user.avatar
    if old:
        user.avatar = None
        user.updated_at = clock.now()
        db.add(user)
        audit.record(db, "avatar_changed", meta=meta, user_id=user.id, email=user.email, detail="removed", clock=clock)
        live.touch(db, user_id, TOPIC)
    return old
