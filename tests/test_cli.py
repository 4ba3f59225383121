"""The `fluxkit` command, run in-process through main() on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from fluxkit import cli
from fluxkit.db import engine_for
from fluxkit.models import User
from fluxkit.services import accounts, passwords
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidCredentials
from fluxkit.settings import get_settings
from tests.support.cli import GOOD_PASSWORD, run

ROOT = Path(__file__).resolve().parent.parent
META = RequestMeta(ip="127.0.0.1", user_agent="pytest")


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_current_head()


def users(db) -> list[User]:
    db.expire_all()
    return list(db.exec(select(User)))


@pytest.fixture
def fresh_database(tmp_path):
    """Point the settings at an empty SQLite file for one test, then back."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield url
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved
        get_settings.cache_clear()
        engine_for(url).dispose()


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("migrate", "create-user", "seed"):
        assert command in out


def test_module_runs_as_a_command():
    result = subprocess.run(
        [sys.executable, "-m", "fluxkit.cli", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "create-user" in result.stdout


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2


def test_create_user_then_sign_in(db, capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        monkeypatch,
        "create-user",
        "--email",
        " Grace@Example.com ",
        "--name",
        "Grace Hopper",
        "--password-stdin",
        stdin=GOOD_PASSWORD + "\n",
    )
    assert code == 0
    assert "grace@example.com" in out
    [user] = users(db)
    assert (user.email, user.name, user.role, user.email_verified) == (
        "grace@example.com",
        "Grace Hopper",
        "user",
        True,
    )
    _, identity = accounts.sign_in(db, email="grace@example.com", password=GOOD_PASSWORD, meta=META)
    assert identity.user.email == "grace@example.com"


def test_create_admin(db, capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        monkeypatch,
        "create-user",
        "--email",
        "root@example.com",
        "--name",
        "Root",
        "--password-stdin",
        "--admin",
        stdin=GOOD_PASSWORD,  # no trailing newline is fine too
    )
    assert code == 0 and "admin" in out
    [user] = users(db)
    assert user.role == "admin"
    accounts.sign_in(db, email="root@example.com", password=GOOD_PASSWORD, meta=META)


def test_password_keeps_inner_and_trailing_spaces_but_not_the_newline(db, capsys, monkeypatch):
    password = " spaced out password "
    code, _, _ = run(
        capsys,
        monkeypatch,
        "create-user",
        "--email",
        "s@example.com",
        "--name",
        "S",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert code == 0
    accounts.sign_in(db, email="s@example.com", password=password, meta=META)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", GOOD_PASSWORD, "valid email"),
        ("", GOOD_PASSWORD, "email"),
        ("weak@example.com", "password", "too common"),
        ("short@example.com", "abc", "at least 8"),
        ("empty@example.com", "", "Enter a password"),
    ],
)
def test_bad_input_is_a_clear_error(db, capsys, monkeypatch, email, password, message):
    code, out, err = run(
        capsys,
        monkeypatch,
        "create-user",
        "--email",
        email,
        "--name",
        "Someone",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert code == 1
    assert message in err
    assert err.startswith("fluxkit create-user: ") and err.count("\n") == 1
    assert users(db) == []


def test_existing_email_is_a_clear_error(db, capsys, monkeypatch):
    argv = ("create-user", "--email", "dup@example.com", "--name", "First", "--password-stdin")
    assert run(capsys, monkeypatch, *argv, stdin=GOOD_PASSWORD)[0] == 0
    code, _, err = run(capsys, monkeypatch, *argv[:4], "Second", argv[5], stdin="another-fine-password")
    assert code == 1
    assert "already exists" in err
    [user] = users(db)
    assert user.name == "First"
    with pytest.raises(InvalidCredentials):
        accounts.sign_in(db, email="dup@example.com", password="another-fine-password", meta=META)


def test_password_without_stdin_flag_is_refused_when_not_on_a_terminal(db, capsys, monkeypatch):
    code, _, err = run(
        capsys, monkeypatch, "create-user", "--email", "x@example.com", "--name", "X", stdin=GOOD_PASSWORD
    )
    assert code == 1
    assert "--password-stdin" in err
    assert users(db) == []


def test_seed_creates_the_demo_admin_once(db, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "seed")
    assert code == 0
    assert cli.DEMO_EMAIL in out and cli.DEMO_PASSWORD in out
    assert "http://localhost:3000/sign-in" in out
    assert passwords.password_problem(cli.DEMO_PASSWORD) is None

    code, out, _ = run(capsys, monkeypatch, "seed")
    assert code == 0
    assert "already exists" in out and cli.DEMO_PASSWORD in out

    [user] = users(db)
    assert (user.email, user.name, user.role, user.email_verified) == (cli.DEMO_EMAIL, cli.DEMO_NAME, "admin", True)
    _, identity = accounts.sign_in(db, email=cli.DEMO_EMAIL, password=cli.DEMO_PASSWORD, meta=META)
    assert identity.user.is_admin


def test_seed_leaves_a_changed_demo_password_alone(db, capsys, monkeypatch):
    assert run(capsys, monkeypatch, "seed")[0] == 0
    [user] = users(db)
    user.password_hash = passwords.hash_password("my-own-new-password")
    db.add(user)
    db.commit()
    code, out, _ = run(capsys, monkeypatch, "seed")
    assert code == 0
    assert "password was changed" in out and cli.DEMO_PASSWORD not in out
    accounts.sign_in(db, email=cli.DEMO_EMAIL, password="my-own-new-password", meta=META)


def test_migrate_an_empty_database_then_use_it(fresh_database, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "seed")
    assert code == 1
    assert "fluxkit migrate" in err

    code, out, _ = run(capsys, monkeypatch, "migrate")
    assert code == 0
    assert f"from an empty database to revision {head_revision()}" in out
    tables = set(sa.inspect(engine_for(fresh_database)).get_table_names())
    assert {"user", "session", "verification", "audit_log", "alembic_version"} <= tables

    code, out, _ = run(capsys, monkeypatch, "migrate")
    assert code == 0 and "up to date" in out

    assert run(capsys, monkeypatch, "seed")[0] == 0
    with engine_for(fresh_database).connect() as connection:
        role = connection.execute(sa.text("SELECT role FROM user WHERE email = :e"), {"e": cli.DEMO_EMAIL}).scalar()
    assert role == "admin"


def test_migrate_to_an_unknown_revision_is_a_clear_error(fresh_database, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "migrate", "9999")
    assert code == 1
    assert "9999" in err


def test_backup_is_a_consistent_snapshot_of_the_moment_it_ran(fresh_database, tmp_path, capsys, monkeypatch):
    assert run(capsys, monkeypatch, "migrate")[0] == 0
    create = ("create-user", "--name", "Ada", "--password-stdin")
    assert run(capsys, monkeypatch, *create, "--email", "ada@example.com", stdin=GOOD_PASSWORD + "\n")[0] == 0
    copy = tmp_path / "backups" / "fluxkit.db"

    code, out, _ = run(capsys, monkeypatch, "backup", str(copy))
    assert code == 0 and f"to {copy}" in out
    assert run(capsys, monkeypatch, *create, "--email", "bob@example.com", stdin=GOOD_PASSWORD + "\n")[0] == 0

    saved = sa.create_engine(f"sqlite:///{copy}")
    with saved.connect() as connection:
        assert connection.execute(sa.text("SELECT email FROM user")).scalars().all() == ["ada@example.com"]
        assert connection.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    saved.dispose()
    assert not Path(f"{copy}-wal").exists()

    code, _, err = run(capsys, monkeypatch, "backup", str(copy))
    assert code == 1 and "already exists" in err


def test_backup_of_postgresql_points_at_pg_dump(capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://fluxkit:secret@127.0.0.1:5432/fluxkit")
    get_settings.cache_clear()
    try:
        code, _, err = run(capsys, monkeypatch, "backup", "x.db")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert code == 1 and "pg_dump" in err and "secret" not in err
