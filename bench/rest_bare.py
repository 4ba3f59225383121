"""The reference of bench/rest.py: a bare FastAPI app answering the same JSON as FluxKit's API.

Served by Granian (ASGI, one worker) like the app. `GET /api/v1/tasks` answers the page of
tasks FluxKit answered (read from FLUXKIT_BARE_LIST, a JSON file); `POST /api/v1/tasks` reads
and parses the JSON body and answers 201 with the created task FluxKit answered
(FLUXKIT_BARE_TASK). Plain FastAPI: a route returning the parsed JSON, no middleware, no
database, no authentication.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import Body, FastAPI

app = FastAPI()
PAGE: Any = json.loads(open(os.environ["FLUXKIT_BARE_LIST"]).read())
TASK: Any = json.loads(open(os.environ["FLUXKIT_BARE_TASK"]).read())


@app.get("/api/v1/tasks")
def list_tasks(page_size: int = 10) -> Any:
    return PAGE


@app.post("/api/v1/tasks", status_code=201)
def create_task(body: dict = Body(...)) -> Any:
    return TASK
