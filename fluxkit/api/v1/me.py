"""/api/v1/me: my profile, my preferences, and an export of all my data.

The same services as Settings: the caller (session cookie or API key) only ever reads and
changes their own account.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from fluxkit.api.deps import request_meta
from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.fields import NON_BLANK
from fluxkit.services import data_export, preferences, profile
from fluxkit.services.audit import RequestMeta

TAG = ["me"]
Language = Literal["en", "de", "es", "fr", "it", "pt", "nl", "ja"]
assert Language.__args__ == tuple(profile.LANGUAGES)
Theme = Literal["light", "dark", "system"]
assert Theme.__args__ == preferences.THEMES
Accent = Literal["violet", "indigo", "blue", "cyan", "teal", "green", "orange", "crimson"]
assert Accent.__args__ == preferences.ACCENTS
Density = Literal["comfortable", "compact"]
assert Density.__args__ == preferences.DENSITIES
NotificationType = Literal["task_completed", "task_due", "task_assigned", "mail", "event_invitation", "system"]
assert NotificationType.__args__ == tuple(preferences.NOTIFICATION_TYPES)
TIME = r"^(([01][0-9]|2[0-3]):[0-5][0-9])?$"
# What the service accepts, said in the spec: one line without control characters; the bio
# may have line breaks and tabs; a website is "" or an http(s) address without credentials.
LINE = r"^[^\x00-\x1f\x7f]*$"
MULTILINE = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"  # 0-65535
WEBSITE = r"^(https?://[^\s\x00-\x1f\x7f/?#@\\\[\]:]+(:" + _PORT + r")?([/?#][^\s\x00-\x1f\x7f\\]*)?)?$"
TimeZone = Enum("TimeZone", {name: name for name in profile.timezones()}, type=str)


class Profile(BaseModel):
    name: str
    email: str
    pending_email: str = Field(
        description='A new address waiting for its confirmation link to be followed; "" for none.'
    )
    bio: str
    company: str
    location: str
    website: str = Field(description='http:// or https:// only; "" for none.')
    timezone: str = Field(description="IANA name, e.g. Europe/Berlin: due dates and the calendar use it.")
    language: Language = Field(description="Stored and shown; the interface itself is in English.")
    avatar_url: str = Field(description='"" without a picture.')

    @classmethod
    def of(cls, row: profile.Profile) -> Profile:
        return cls(**row.__dict__)


class ProfileUpdate(BaseModel):
    """Only the fields sent change; every field is checked before anything is stored."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=profile.LINE_MAX, pattern=NON_BLANK)] | None = None
    bio: Annotated[str, Field(max_length=profile.BIO_MAX, pattern=MULTILINE)] | None = None
    company: Annotated[str, Field(max_length=profile.LINE_MAX, pattern=LINE)] | None = None
    location: Annotated[str, Field(max_length=profile.LINE_MAX, pattern=LINE)] | None = None
    website: (
        Annotated[str, Field(max_length=profile.WEBSITE_MAX, pattern=WEBSITE, examples=["https://example.com"])] | None
    ) = None
    timezone: TimeZone | None = Field(default=None, description="An IANA time zone name, e.g. Europe/Berlin.")
    language: Language | None = None


class Channels(BaseModel):
    in_app: bool = Field(description="Shown in the bell and on /notifications.")
    email: bool = Field(description="Emailed at once (outside quiet hours; in them it waits for the digest).")
    digest: bool = Field(description="Collected into one email a day.")


class ChannelsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    in_app: StrictBool | None = None
    email: StrictBool | None = None
    digest: StrictBool | None = None


class Preferences(BaseModel):
    theme: Theme
    accent: Accent
    density: Density
    quiet_start: str = Field(description='HH:MM in `timezone`; "" without quiet hours.')
    quiet_end: str
    timezone: str
    notifications: dict[NotificationType, Channels]

    @classmethod
    def of(cls, row: preferences.Preferences) -> Preferences:
        return cls(
            theme=row.appearance.theme,
            accent=row.appearance.accent,
            density=row.appearance.density,
            quiet_start=row.quiet_start,
            quiet_end=row.quiet_end,
            timezone=row.timezone,
            notifications={
                c.type: Channels(in_app=c.in_app, email=c.email, digest=c.digest) for c in row.notifications
            },
        )


class PreferencesUpdate(BaseModel):
    """Only the fields sent change. Quiet hours need both ends, or both \"\" to have none."""

    model_config = ConfigDict(extra="forbid")

    theme: Theme | None = None
    accent: Accent | None = None
    density: Density | None = None
    quiet_start: Annotated[str, Field(pattern=TIME, examples=["22:00"])] | None = None
    quiet_end: Annotated[str, Field(pattern=TIME, examples=["07:00"])] | None = None
    notifications: dict[NotificationType, ChannelsUpdate] | None = None


router = APIRouter(prefix="/me", tags=TAG)


@router.get("", summary="My profile", response_model=Profile, responses=refusals())
def get_me(caller: CallerDep):
    return Profile.of(run_as(caller, profile.get_profile))


@router.patch("", summary="Change my profile", response_model=Profile, responses=refusals())
def update_me(caller: CallerDep, body: ProfileUpdate, meta: Annotated[RequestMeta, Depends(request_meta)]):
    changes = {key: value for key, value in body.model_dump(exclude_unset=True).items() if value is not None}
    if "timezone" in changes:
        changes["timezone"] = changes["timezone"].value
    return Profile.of(run_as(caller, profile.update_profile, changes, meta))


@router.get(
    "/preferences",
    summary="My appearance and notification preferences",
    response_model=Preferences,
    responses=refusals(),
)
def get_preferences(caller: CallerDep):
    return Preferences.of(run_as(caller, preferences.get))


@router.put("/preferences", summary="Change my preferences", response_model=Preferences, responses=refusals())
def put_preferences(caller: CallerDep, body: PreferencesUpdate):
    changes = {key: value for key, value in body.model_dump(exclude_unset=True).items() if value is not None}
    if "notifications" in changes:
        changes["notifications"] = {
            kind: {ch: on for ch, on in channels.items() if on is not None}
            for kind, channels in changes["notifications"].items()
        }
    return Preferences.of(run_as(caller, preferences.update, changes))


@router.get(
    "/export",
    summary="Export all my data (JSON download)",
    description=(
        "Everything FluxKit holds about the caller: profile, preferences, tasks with their history, "
        "notifications, API keys (never their hashes), sessions (never token hashes), subscription, "
        "mailbox, sent chat messages, calendar events and activity. Nobody else's data."
    ),
    response_class=Response,
    responses={
        **refusals(),
        200: {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "The export."},
    },
)
def export_me(caller: CallerDep, meta: Annotated[RequestMeta, Depends(request_meta)]):
    filename, text = run_as(caller, data_export.download, meta)
    return Response(
        text,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
