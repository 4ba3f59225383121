"""Settings and dashboard handlers act only on the signed-in user's own data."""

from __future__ import annotations

from fluxkit.services import accounts, audit, sessions
from fluxkit.state.dashboard import DashboardState
from fluxkit.state.settings import SettingsState
from fluxkit.state.shell import ShellState
from tests.support.factories import META, PASSWORD
from tests.support.states import call, make_root, substate


async def test_dashboard_shows_the_users_own_account(db, alice, bob):
    _, token, _ = alice
    dashboard = substate(make_root(token), DashboardState)
    await call(dashboard, "load")
    assert dashboard.name == "Alice"
    assert dashboard.email == "alice@example.com"
    assert dashboard.email_verified is True
    assert dashboard.active_sessions == 1
    assert [a.label for a in dashboard.activity][:2] == ["Signed in", "Account created"]


async def test_settings_lists_own_sessions_and_cannot_revoke_someone_elses(db, alice, bob):
    alice_user, alice_token, alice_identity = alice
    _, bob_token, bob_identity = bob
    # A second device for Alice.
    second_token, _ = accounts.sign_in(db, email="alice@example.com", password=PASSWORD, meta=META)
    db.commit()
    settings = substate(make_root(alice_token, "/settings"), SettingsState)
    await call(settings, "load")
    assert len(settings.sessions) == 2
    assert settings.sessions[0].current is True

    # Bob's session id, sent from Alice's tab: refused, Bob stays signed in.
    await call(settings, "revoke_session", bob_identity.session.id)
    assert sessions.resolve(db, bob_token) is not None

    # Her own other session: signed out at once.
    other = next(row for row in settings.sessions if not row.current)
    await call(settings, "revoke_session", other.id)
    db.expire_all()
    assert sessions.resolve(db, second_token) is None
    assert len(settings.sessions) == 1

    # Her current session cannot be revoked from here (that is Sign out).
    await call(settings, "revoke_session", alice_identity.session.id)
    assert sessions.resolve(db, alice_token) is not None


async def test_rename_validates_and_updates_the_header(db, alice):
    _, token, _ = alice
    root = make_root(token, "/settings")
    settings = substate(root, SettingsState)
    await call(settings, "load")
    await call(settings, "save_name", {"name": "   "})
    assert settings.name_error == "Enter your name."
    assert settings.name == "Alice"
    await call(settings, "save_name", {"name": "Alice Liddell"})
    assert settings.name_error == ""
    assert substate(root, ShellState).user_name == "Alice Liddell"
    assert accounts.user_by_email(db, "alice@example.com").name == "Alice Liddell"


async def test_change_password_needs_the_current_one_and_ends_other_sessions(db, alice):
    _, token, _ = alice
    other_token, _ = accounts.sign_in(db, email="alice@example.com", password=PASSWORD, meta=META)
    db.commit()
    settings = substate(make_root(token, "/settings"), SettingsState)
    await call(settings, "load")

    await call(
        settings,
        "change_password",
        {"currentPassword": "wrong", "newPassword": "brand-new-passphrase", "confirmPassword": "brand-new-passphrase"},
    )
    assert "not right" in settings.password_errors["currentPassword"]
    db.expire_all()
    assert [e.action for e in audit.events_for(db, alice[0].id)][0] == "password_change_failed"
    await call(
        settings,
        "change_password",
        {
            "currentPassword": PASSWORD,
            "newPassword": "brand-new-passphrase",
            "confirmPassword": "different",
        },
    )
    assert "not the same" in settings.password_errors["confirmPassword"]
    db.expire_all()
    assert sessions.resolve(db, other_token) is not None

    await call(
        settings,
        "change_password",
        {
            "currentPassword": PASSWORD,
            "newPassword": "brand-new-passphrase",
            "confirmPassword": "brand-new-passphrase",
        },
    )
    assert settings.password_errors == {}
    db.expire_all()
    assert sessions.resolve(db, other_token) is None
    assert sessions.resolve(db, token) is not None
    assert len(settings.sessions) == 1


# ---- profile, appearance, notifications, my data, delete ------------------------------------


async def test_profile_saves_and_shows_every_field_errors_keep_the_rest(db, alice):
    from fluxkit.models import User

    _, token, _ = alice
    root = make_root(token, "/settings")
    settings = substate(root, SettingsState)
    await call(settings, "load")
    assert "Europe/Berlin" in settings.timezones and ["fr", "Français"] in settings.languages
    form = {
        "name": "Alice L.",
        "bio": "Curious.",
        "company": "Wonderland",
        "location": "Oxford",
        "website": "ftp://nope",
        "timezone": "Europe/London",
        "language": "fr",
    }
    await call(settings, "save_profile", form)
    assert "http" in settings.profile_errors["website"]
    db.expire_all()
    assert db.get(User, alice[0].id).company == ""  # nothing stored while one field is wrong
    await call(settings, "save_profile", {**form, "website": "https://alice.example"})
    assert settings.profile_errors == {}
    assert (settings.company, settings.website, settings.timezone, settings.language) == (
        "Wonderland",
        "https://alice.example",
        "Europe/London",
        "fr",
    )
    assert substate(root, ShellState).user_name == "Alice L."


async def test_appearance_is_saved_and_the_shell_applies_it(db, alice):
    from fluxkit.state.settings import AppearanceState

    _, token, _ = alice
    root = make_root(token, "/settings")
    settings = substate(root, SettingsState)
    await call(settings, "load")
    await call(settings, "set_theme", "dark")
    await call(settings, "set_accent", "teal")
    await call(settings, "set_density", "compact")
    appearance = substate(root, AppearanceState)
    assert (appearance.theme, appearance.accent, appearance.density) == ("dark", "teal", "compact")
    # Another device: a fresh tab of the same user loads the saved choice.
    other = substate(make_root(token, "/dashboard"), AppearanceState)
    await call(other, "load")
    assert (other.theme, other.accent, other.density) == ("dark", "teal", "compact")
    out = await call(settings, "set_accent", "neon")
    assert out and settings.accent == "teal"


async def test_notification_switches_and_quiet_hours(db, alice):
    _, token, _ = alice
    settings = substate(make_root(token, "/settings"), SettingsState)
    await call(settings, "load")
    await call(settings, "set_channel", "mail", "email", True)
    mail_row = next(row for row in settings.choices if row.type == "mail")
    assert (mail_row.in_app, mail_row.email, mail_row.digest) == (True, True, False)
    await call(settings, "save_quiet_hours", {"quiet_start": "22:00", "quiet_end": ""})
    assert "both" in settings.quiet_error
    await call(settings, "save_quiet_hours", {"quiet_start": "22:00", "quiet_end": "07:00"})
    assert (settings.quiet_error, settings.quiet_start, settings.quiet_end) == ("", "22:00", "07:00")


async def test_export_downloads_my_data_only(db, alice, bob):
    import base64
    import json
    from urllib.parse import unquote

    from fluxkit.services import tasks

    tasks.create_task(db, alice[0].id, {"title": "Alice's task"})
    tasks.create_task(db, bob[0].id, {"title": "Bob's task"})
    db.commit()
    settings = substate(make_root(alice[1], "/settings"), SettingsState)
    [download] = await call(settings, "export_data")
    args = {key._js_expr: value for key, value in download.args}
    assert "fluxkit-export-" in str(args["filename"])
    url = str(getattr(args["url"], "_var_value", args["url"]))
    header, _, payload = url.partition(",")
    assert header.startswith("data:application/json")
    data = json.loads(base64.b64decode(payload) if header.endswith(";base64") else unquote(payload))
    assert [t["title"] for t in data["tasks"]] == ["Alice's task"]
    assert "Bob's task" not in json.dumps(data)


async def test_delete_account_needs_email_and_password_and_signs_out(db, alice, bob):
    from fluxkit.models import User

    user, token, _ = alice
    settings = substate(make_root(token, "/settings"), SettingsState)
    await call(settings, "load")
    await call(settings, "delete_account", {"confirm": "alice@example.com", "password": "wrong"})
    assert "not right" in settings.delete_errors["password"]
    db.expire_all()
    assert db.get(User, user.id) is not None
    out = await call(settings, "delete_account", {"confirm": "alice@example.com", "password": PASSWORD})
    assert "/sign-in" in str(out)
    db.expire_all()
    assert db.get(User, user.id) is None
    assert sessions.resolve(db, token) is None
    assert sessions.resolve(db, bob[1]) is not None


async def test_header_and_palette_theme_choices_are_saved_for_every_device(db, alice):
    from fluxkit.services import preferences
    from fluxkit.state.settings import AppearanceState

    _, token, _ = alice
    appearance = substate(make_root(token, "/dashboard"), AppearanceState)
    await call(appearance, "choose_theme", "dark")
    db.expire_all()
    assert preferences.get(db, alice[0].id).appearance.theme == "dark"
    await call(appearance, "choose_theme", "sepia")
    db.expire_all()
    assert preferences.get(db, alice[0].id).appearance.theme == "dark"
    # The palette's Toggle theme passes the mode shown before it: the opposite is saved.
    [then] = await call(appearance, "toggle_theme", "dark")
    assert then.handler.fn.__name__ == "choose_theme"
    assert [getattr(value, "_var_value", value) for _, value in then.args] == ["light"]
