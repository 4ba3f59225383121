"""Build once, serve many times: `make prod` / `fluxkit serve` never rebuild the frontend.

Serving the build for real, behind nginx on two hosts, is tests/e2e/test_two_hosts_live.py;
these are the quick checks around it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from fluxkit import cli, production
from tests.support.live_server import ROOT


def test_make_prod_serves_the_existing_build_and_never_rebuilds():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n: print what would run. WORKERS unset; the build check is part of the recipe.
    done = subprocess.run(["make", "-n", "prod"], cwd=ROOT, capture_output=True, text=True, check=True)
    recipe = done.stdout
    assert "fluxkit serve --host 127.0.0.1 --port 8080" in recipe
    assert "reflex run" not in recipe  # `reflex run --env prod` compiles and rebuilds on every start
    assert "fluxkit build" not in recipe
    assert "reflex db migrate" in recipe  # migrations still run first
    build = subprocess.run(["make", "-n", "build"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "fluxkit build --port 8080" in build


def test_serve_refuses_to_start_without_a_build(tmp_path, monkeypatch, capsys):
    (tmp_path / "rxconfig.py").write_text("")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["serve", "--port", "18999"]) == 1
    err = capsys.readouterr().err
    assert "no production build" in err and "fluxkit build" in err


def test_serve_refuses_several_workers_without_redis(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert cli.main(["serve", "--workers", "3"]) == 1
    assert "needs REDIS_URL" in capsys.readouterr().err


def test_the_build_reaches_the_public_address_or_this_port(monkeypatch):
    monkeypatch.setenv("FLUXKIT_BASE_URL", "https://app.example.com")
    assert production.api_url_for(8080) == "https://app.example.com"
    monkeypatch.delenv("FLUXKIT_BASE_URL")
    assert production.api_url_for(9000) == "http://localhost:9000"


def test_a_build_is_recognised_by_its_stamp(tmp_path):
    with pytest.raises(production.BuildMissing):
        production.built(tmp_path)
    (tmp_path / production.BUILD_DIR).mkdir(parents=True)
    with pytest.raises(production.BuildMissing):  # an interrupted build has no stamp
        production.built(tmp_path)
    (tmp_path / production.STAMP).write_text(json.dumps({"api_url": "http://localhost:8080"}))
    assert production.built(tmp_path)["api_url"] == "http://localhost:8080"
    assert os.path.isdir(tmp_path / production.BUILD_DIR)
