"""What a production start imports (BENCHMARKS.md "Start time", #19).

A restart's downtime is mostly the import of the app. The Stripe SDK, icalendar and alembic's
autogenerate (with mako and SQLAlchemy's PostgreSQL dialect) cost a production start ~15% of
its import and serve a few pages or commands: they are imported where used. Reflex's start-up
schema check in development still leaves the indexes the models cannot declare alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.live_server import ROOT

SLOW_AND_RARE = ("stripe", "icalendar", "alembic", "mako")


def _python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "REFLEX_ENV_MODE"}}
    base |= {
        "FLUXKIT_DATA_DIR": str(tmp_path),
        "FLUXKIT_SECRET_KEY": "start-imports",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=240
    )


def test_a_production_worker_does_not_import_the_slow_rarely_used_libraries(tmp_path):
    # What a Granian worker of `fluxkit serve` does: the config (rxconfig.py), then the app.
    code = (
        "import sys\n"
        "from reflex_base.config import get_config\n"
        "get_config()\n"
        "import fluxkit.fluxkit\n"
        f"print(sorted(name for name in {SLOW_AND_RARE!r} if name in sys.modules))\n"
    )
    done = _python(code, tmp_path, REFLEX_ENV_MODE="prod")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_the_libraries_still_load_where_they_are_used(tmp_path):
    code = (
        "from fluxkit.services.billing import subscriptions, webhooks\n"
        "from fluxkit.services.calendar import ics\n"
        "print(type(subscriptions._client_for('sk_test_x', '')).__name__, ics._calendar('x').name)\n"
    )
    done = _python(code, tmp_path, REFLEX_ENV_MODE="prod")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["StripeClient", "VCALENDAR"], done.stdout


def test_reflex_s_development_schema_check_sees_no_change_on_a_migrated_database(tmp_path):
    """`reflex run` (development) compares the models with the database at start; the search and
    sort indexes the models cannot declare must not read as changes (or as indexes to drop)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}", "REFLEX_USE_NPM": "1"}
    migrated = subprocess.run(
        [sys.executable, "-m", "fluxkit.cli", "migrate"],
        cwd=ROOT,
        env={**os.environ, **env, "FLUXKIT_DATA_DIR": str(tmp_path), "FLUXKIT_SECRET_KEY": "x"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    code = (
        "from reflex_base.config import get_config\n"
        "get_config()\n"
        "import fluxkit.fluxkit\n"
        "from reflex import model\n"
        "with model.get_engine().connect() as connection:\n"
        "    print('changes' if model.alembic_autogenerate(connection, write_migration_scripts=False) else 'none')\n"
    )
    done = _python(code, tmp_path, **env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "none", done.stdout + done.stderr[-2000:]
