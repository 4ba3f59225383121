"""Fixtures for HTTP tests: the app as Reflex assembles it (tests/support/http.py), and browsers."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.http import BASE_URL, IP, build_app


@pytest.fixture
def app(engine):
    return build_app()


@pytest.fixture
def new_client(app):
    """A browser of its own (own cookie jar), from a given address."""

    def make(ip: str = IP, base_url: str = BASE_URL, **kwargs) -> TestClient:
        return TestClient(app, base_url=base_url, client=(ip, 40000), follow_redirects=False, **kwargs)

    return make


@pytest.fixture
def client(new_client) -> TestClient:
    return new_client()
