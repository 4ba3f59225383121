"""Every request gets a request id (kept from the proxy when well formed), echoed back and
attached to every FluxKit log line written while serving it; logs are JSON lines in prod."""

from __future__ import annotations

import io
import json
import logging

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from fluxkit import logs
from fluxkit.api.request_log import RequestLog


@pytest.fixture
def captured(monkeypatch):
    """FluxKit's log output as a list of lines, in the format chosen by the environment."""
    stream = io.StringIO()

    def configure(fmt: str):
        monkeypatch.setenv("FLUXKIT_LOG_FORMAT", fmt)
        logs.configure(stream)
        return lambda: [line for line in stream.getvalue().splitlines() if line]

    yield configure
    logging.getLogger(logs.ROOT_LOGGER).handlers.clear()
    monkeypatch.delenv("FLUXKIT_LOG_FORMAT")
    logs.configure()


def _app_that_logs():
    async def work(request):
        logging.getLogger("fluxkit.billing").warning("charging %s", "ada", extra={"user_id": 7})
        return PlainTextResponse("done")

    async def boom(request):
        raise RuntimeError("database on fire")

    return RequestLog(Starlette(routes=[Route("/work", work), Route("/boom", boom)]))


def test_the_real_stack_answers_with_a_request_id(client):
    first = client.get("/sign-in")
    second = client.get("/sign-in")
    assert len(first.headers["x-request-id"]) >= 8
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(client):
    kept = client.get("/sign-in", headers={"X-Request-ID": "nginx-4f2a9c1d0e"})
    assert kept.headers["x-request-id"] == "nginx-4f2a9c1d0e"
    replaced = client.get("/sign-in", headers={"X-Request-ID": "<script>\nalert(1)"})
    assert replaced.headers["x-request-id"] != "<script>\nalert(1)"
    assert replaced.headers["x-request-id"].isalnum()


def test_json_lines_carry_the_request_id_of_the_request_being_served(captured):
    lines = captured("json")
    client = TestClient(_app_that_logs())
    response = client.get("/work", headers={"X-Request-ID": "req-0000000042"})
    assert response.text == "done"
    records = [json.loads(line) for line in lines()]
    app_line = next(r for r in records if r["logger"] == "fluxkit.billing")
    assert app_line["message"] == "charging ada"
    assert app_line["level"] == "warning"
    assert app_line["request_id"] == "req-0000000042"
    assert app_line["user_id"] == 7
    access = next(r for r in records if r["logger"] == "fluxkit.access")
    assert (access["method"], access["path"], access["status"]) == ("GET", "/work", 200)
    assert access["request_id"] == "req-0000000042"
    assert access["duration_ms"] >= 0


def test_a_crash_is_logged_as_500_with_its_request_id(captured):
    lines = captured("json")
    client = TestClient(_app_that_logs(), raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    access = [json.loads(line) for line in lines() if '"fluxkit.access"' in line]
    assert access[-1]["status"] == 500 and access[-1]["path"] == "/boom"
    assert access[-1]["request_id"]


def test_outside_a_request_there_is_no_request_id(captured):
    lines = captured("json")
    logging.getLogger("fluxkit.jobs").info("purged %d tasks", 3)
    (record,) = [json.loads(line) for line in lines()]
    assert record["message"] == "purged 3 tasks" and "request_id" not in record


def test_text_format_for_a_terminal(captured):
    lines = captured("text")
    TestClient(_app_that_logs()).get("/work", headers={"X-Request-ID": "req-0000000042"})
    app_line = next(line for line in lines() if "fluxkit.billing" in line)
    assert "WARNING fluxkit.billing: charging ada" in app_line
    assert "user_id=7" in app_line and app_line.endswith("[req-0000000042]")


def test_the_format_follows_the_environment(monkeypatch):
    monkeypatch.delenv("FLUXKIT_LOG_FORMAT", raising=False)
    monkeypatch.delenv("REFLEX_LOG_JSON", raising=False)
    monkeypatch.setenv("REFLEX_ENV_MODE", "dev")
    assert logs.log_format() == "text"
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    assert logs.log_format() == "json"
    monkeypatch.setenv("FLUXKIT_LOG_FORMAT", "text")
    assert logs.log_format() == "text"
