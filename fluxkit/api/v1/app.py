"""The /api/v1 sub-application: REST over the same services as the UI."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from fluxkit.api import errors
from fluxkit.api.v1 import docs
from fluxkit.api.v1.api_keys import router as api_keys_router
from fluxkit.api.v1.calendar import router as calendar_router
from fluxkit.api.v1.caller import RateHeaders
from fluxkit.api.v1.chat import router as chat_router
from fluxkit.api.v1.dashboard import router as dashboard_router
from fluxkit.api.v1.faqs import admin_router as faqs_admin_router
from fluxkit.api.v1.faqs import router as faqs_router
from fluxkit.api.v1.mail import router as mail_router
from fluxkit.api.v1.me import router as me_router
from fluxkit.api.v1.notifications import router as notifications_router
from fluxkit.api.v1.organizations import router as organizations_router
from fluxkit.api.v1.tasks import router as tasks_router
from fluxkit.api.v1.users import router as users_router

PREFIX = "/api/v1"
TITLE = "FluxKit API v1"
DESCRIPTION = (
    "Tasks, notifications, mail, chat, calendar, organizations, FAQs, the dashboard, your "
    "account and API keys, and the users admin: the same rules as the app. "
    "Authenticate with `Authorization: Bearer <API key>` or the browser's session cookie. "
    "Errors answer `{error, message, fields}` with a stable `error` code. "
    "Every answer carries X-RateLimit-Limit / -Remaining / -Reset."
)


def create_v1() -> FastAPI:
    api = FastAPI(
        title=TITLE,
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        servers=[{"url": PREFIX}],
    )
    errors.install(api)
    api.include_router(tasks_router)
    api.include_router(notifications_router)
    api.include_router(api_keys_router)
    api.include_router(calendar_router)
    api.include_router(chat_router)
    api.include_router(users_router)
    api.include_router(mail_router)
    api.include_router(dashboard_router)
    api.include_router(faqs_router)
    api.include_router(faqs_admin_router)
    api.include_router(organizations_router)
    api.include_router(me_router)
    api.add_middleware(RateHeaders)

    @api.get("/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(docs.page(TITLE))

    return api
