"""Settings' plain HTTP routes: profile pictures, and the email-change confirmation link.

GET /api/avatars/<32 hex>.webp serves a stored picture (only names FluxKit made; no paths)
as image/webp with nosniff and a restrictive CSP, so even a crafted file could not run as a
page. Names are random and change with every upload, so answers may be cached for long.

GET /api/account/confirm-email?token=... is the link sent to a new address: following it
makes that address the account's (the old one is told), then opens Settings.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import RedirectResponse

from fluxkit.api.deps import request_meta
from fluxkit.db import session_scope
from fluxkit.routes import SETTINGS
from fluxkit.services import avatars, email, profile
from fluxkit.services.errors import InvalidInput, InvalidToken, NotFound

router = APIRouter(prefix="/api")

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=31536000, immutable",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@router.get("/avatars/{name}", include_in_schema=False)
def avatar(name: str) -> Response:
    try:
        path = avatars.path_for(name)
    except NotFound:
        return Response(
            "No such picture.", status_code=404, media_type="text/plain", headers={"X-Content-Type-Options": "nosniff"}
        )
    return Response(path.read_bytes(), media_type=avatars.MEDIA_TYPE, headers=HEADERS)


@router.get("/account/confirm-email", include_in_schema=False)
def confirm_email(request: Request, background: BackgroundTasks, token: str = "") -> Response:
    try:
        with session_scope() as db:
            _, messages = profile.confirm_email_change(db, token, request_meta(request))
    except (InvalidToken, InvalidInput):
        return RedirectResponse(f"{SETTINGS}?email=invalid", status_code=303)
    background.add_task(email.deliver_all, messages)
    return RedirectResponse(f"{SETTINGS}?email=changed", status_code=303)
