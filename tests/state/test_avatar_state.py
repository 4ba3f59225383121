"""Uploading a profile picture: streamed to a background event, decoded in a worker thread,
the tab's state lock held only to show the result."""

from __future__ import annotations

import asyncio
import io
import time

from PIL import Image

from fluxkit.state.settings import AppearanceState, SettingsState
from tests.support.states import Tab, event_texts, make_root, substate, upload_chunks


def photo(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


async def test_a_big_picture_is_decoded_without_holding_the_tab(db, alice):
    _, token, _ = alice
    root = make_root(token, "/settings")
    tab = await Tab.open(root)
    settings = substate(root, SettingsState)
    waits: list[float] = []
    running = True

    async def the_same_tab():
        while running:
            start = time.perf_counter()
            async with tab.lock():
                waits.append(time.perf_counter() - start)
            await asyncio.sleep(0.02)

    probe = asyncio.create_task(the_same_tab())
    events = await tab.background(settings, "upload_avatar", await upload_chunks(photo(5000)))  # 25 megapixels
    running = False
    await probe
    assert settings.avatar_url.startswith("/api/avatars/") and settings.avatar_error == ""
    assert substate(root, AppearanceState).avatar_url == settings.avatar_url
    assert "Picture saved." in event_texts(events) and not settings.avatar_busy
    assert len(waits) >= 2 and max(waits) < 0.5, f"the tab waited {max(waits) * 1000:.0f} ms for its state"


async def test_a_file_that_is_not_a_picture_is_refused_with_the_reason(db, alice):
    _, token, _ = alice
    root = make_root(token, "/settings")
    tab = await Tab.open(root)
    settings = substate(root, SettingsState)
    await tab.background(settings, "upload_avatar", await upload_chunks(b"<html>not a picture</html>"))
    assert "not a picture FluxKit accepts" in settings.avatar_error and settings.avatar_url == ""
    await tab.background(settings, "upload_avatar", await upload_chunks(b"\x89PNG\r\n\x1a\n" + b"\0" * 3_000_000))
    assert "the limit is 2 MB" in settings.avatar_error
