"""`fluxkit make-admin EMAIL`: the way to a first admin for an account that exists already."""

from __future__ import annotations

from sqlmodel import select

from fluxkit.models import AuditEvent, User
from tests.support.cli import GOOD_PASSWORD, run


def test_make_admin_promotes_an_existing_account_once(db, capsys, monkeypatch):
    code, _, _ = run(
        capsys,
        monkeypatch,
        "create-user",
        "--email",
        "ada@example.com",
        "--name",
        "Ada",
        "--password-stdin",
        stdin=GOOD_PASSWORD + "\n",
    )
    assert code == 0
    code, out, err = run(capsys, monkeypatch, "make-admin", "Ada@Example.com")
    assert code == 0 and err == ""
    assert "ada@example.com (Ada) is an admin" in out
    db.expire_all()
    assert db.exec(select(User.role).where(User.email == "ada@example.com")).one() == "admin"
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "admin_role_changed")).all()
    assert event.detail == "user -> admin (command line)" and event.user_agent == "fluxkit-cli"

    # Again: nothing changes, nothing new in the audit log.
    assert run(capsys, monkeypatch, "make-admin", "ada@example.com")[0] == 0
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "admin_role_changed")).all()) == 1


def test_make_admin_says_what_is_wrong(db, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "make-admin", "nobody@example.com")
    assert (code, out) == (1, "")
    assert err.strip() == "fluxkit make-admin: No account with the email nobody@example.com."
    code, _, err = run(capsys, monkeypatch, "make-admin", "not an email")
    assert code == 1 and "valid email" in err
