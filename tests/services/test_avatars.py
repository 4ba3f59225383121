"""Avatars: accepted by content only, re-encoded (no EXIF, no appended payload), served by
random name only, and replacing one removes the old file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from fluxkit.models import User
from fluxkit.services import avatars
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidInput, NotFound
from tests.support.factories import make_user

META = RequestMeta()


def picture(fmt: str = "PNG", size=(400, 300), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPS latitude
        image.save(out, format=fmt, exif=data)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_each_accepted_format_becomes_a_256_square_webp(fmt):
    out = avatars.render(picture(fmt))
    with Image.open(io.BytesIO(out)) as image:
        assert (image.format, image.size) == ("WEBP", (256, 256))


def test_exif_and_trailing_payload_do_not_survive():
    original = picture("JPEG", exif=True) + b"<script>alert(1)</script>PK\x03\x04polyglot"
    assert b"SecretCam" in original
    out = avatars.render(original)
    assert b"SecretCam" not in out and b"<script>" not in out and b"polyglot" not in out
    with Image.open(io.BytesIO(out)) as image:
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a picture FluxKit accepts"),
        (b"%PDF-1.7 fake", "not a picture FluxKit accepts"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "could not be read"),
        (b"", "Choose a picture"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, words):
    with pytest.raises(InvalidInput) as refused:
        avatars.render(data)
    assert words in refused.value.message
    assert refused.value.fields["avatar"] == refused.value.message


def test_a_picture_named_png_is_judged_by_its_content():
    gif = picture("GIF")  # whatever the browser called it, its bytes say GIF: accepted
    assert avatars.render(gif)[:4] == b"RIFF"
    html = b"<html><body>hi</body></html>"  # called avatar.png: refused
    with pytest.raises(InvalidInput):
        avatars.render(html)


def test_too_large_and_too_small_are_refused():
    with pytest.raises(InvalidInput) as big:
        avatars.render(b"\x89PNG\r\n\x1a\n" + b"\0" * (avatars.MAX_BYTES + 1))
    assert "limit is 2 MB" in big.value.message
    with pytest.raises(InvalidInput) as small:
        avatars.render(picture("PNG", size=(8, 8)))
    assert "too small" in small.value.message


def test_decompression_bomb_is_refused():
    image = Image.new("1", (20000, 20000))  # 400 megapixels, a small file
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert len(out.getvalue()) < avatars.MAX_BYTES
    with pytest.raises(InvalidInput):
        avatars.render(out.getvalue())


def test_set_replace_and_clear(db, ada):
    url, old = avatars.set_avatar(db, ada, picture(), META)
    db.commit()
    assert old is None and url.startswith("/api/avatars/") and url.endswith(".webp")
    first = db.get(User, ada).avatar
    assert avatars.path_for(first).read_bytes()[:4] == b"RIFF"
    _, old = avatars.set_avatar(db, ada, picture("JPEG"), META)
    db.commit()
    assert old == first
    avatars.remove_file(old)
    with pytest.raises(NotFound):
        avatars.path_for(first)
    second = db.get(User, ada).avatar
    assert avatars.clear_avatar(db, ada, META) == second
    db.commit()
    assert db.get(User, ada).avatar is None


@pytest.mark.parametrize(
    "name",
    ["../secret_key", "..%2Fsecret_key", "/etc/passwd", "a" * 32 + ".png", "A" * 32 + ".webp", "", "fluxkit.db", None],
)
def test_only_our_own_names_are_served(name):
    with pytest.raises(NotFound):
        avatars.path_for(name)
