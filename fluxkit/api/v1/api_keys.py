"""/api/v1/api-keys: the API key bodies and routes, thin doors onto services.api_keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from fluxkit.api.deps import request_meta
from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.fields import ID_MAX, NON_BLANK, as_utc
from fluxkit.services import api_keys

KeyName = Annotated[str, Field(min_length=1, max_length=api_keys.NAME_MAX, pattern=NON_BLANK, examples=["CI pipeline"])]

KeyId = Annotated[int, Path(ge=1, le=ID_MAX, description="The key's id (not the key).")]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: KeyName


class ApiKey(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")

    @classmethod
    def of(cls, row: api_keys.ApiKeyRow) -> ApiKey:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=as_utc(row.created_at),
            last_used_at=as_utc(row.last_used_at),
        )


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The key itself. Shown only in this answer: store it now.")

    @classmethod
    def of_new(cls, new: api_keys.NewApiKey) -> ApiKeyCreated:
        return cls(**dict(ApiKey.of(new.row)), key=new.key)


router = APIRouter()


@router.get(
    "/api-keys",
    tags=["api keys"],
    summary="List your API keys",
    response_model=list[ApiKey],
    responses=refusals(),
)
def list_keys(caller: CallerDep):
    return [ApiKey.of(r) for r in run_as(caller, api_keys.list_keys)]


@router.post(
    "/api-keys",
    tags=["api keys"],
    summary="Create an API key (shown once)",
    description=(
        "Answers the key itself in `key`, this once: only a keyed hash is stored. Needs the "
        "signed-in browser session (an API key cannot create more keys)."
    ),
    status_code=201,
    response_model=ApiKeyCreated,
    responses=refusals(403, 409),
)
def create_key(caller: CallerDep, body: ApiKeyCreate, request: Request):
    if not caller.with_session:
        raise api_keys.SessionRequired("Create API keys while signed in (Settings), not with another key.")
    return ApiKeyCreated.of_new(run_as(caller, api_keys.create_key, body.name, meta=request_meta(request)))


@router.delete(
    "/api-keys/{key_id}",
    tags=["api keys"],
    summary="Revoke an API key (it stops working at once)",
    status_code=204,
    response_class=Response,
    responses=refusals(404),
)
def revoke_key(caller: CallerDep, key_id: KeyId, request: Request) -> None:
    run_as(caller, api_keys.revoke_key, key_id, meta=request_meta(request))
