"""/settings opens a sub-page: its old #anchors and the email-change answer land where their
section now lives; everything else on the first sub-page. Signed out: sign-in."""

from __future__ import annotations

import pytest

from fluxkit.fluxkit import SIGNED_IN_ROUTES
from fluxkit.navigation import SETTINGS_PAGES
from fluxkit.pages import settings as settings_page
from fluxkit.routes import is_protected, protected_prefixes
from fluxkit.state.settings import SettingsState
from tests.support.states import call, make_root, redirect_targets, substate


@pytest.mark.parametrize(
    ("anchor", "target"),
    [
        ("", "/settings/profile"),
        ("billing", "/settings/billing"),
        ("sessions", "/settings/account"),
        ("danger-zone", "/settings/account"),
        ("api-keys", "/settings/api-keys"),
        ("your-data", "/settings/data"),
        ("nonsense", "/settings/profile"),
    ],
)
async def test_old_anchors_open_their_sub_page(alice, anchor, target):
    _, token, _ = alice
    settings = substate(make_root(token, "/settings"), SettingsState)
    assert redirect_targets(await call(settings, "open_section", anchor)) == [target]


async def test_the_email_change_answer_opens_account_with_its_query(alice):
    _, token, _ = alice
    settings = substate(make_root(token, "/settings?email=changed"), SettingsState)
    assert redirect_targets(await call(settings, "open_section", "")) == ["/settings/account?email=changed"]


async def test_signed_out_goes_to_sign_in(db):
    settings = substate(make_root(None, "/settings"), SettingsState)
    assert redirect_targets(await call(settings, "open_section", "billing")) == ["/sign-in?redirect=/settings"]
    assert redirect_targets(await call(settings, "open_first")) == ["/sign-in?redirect=/settings"]


def test_every_sub_page_is_registered_and_protected():
    routes = [route for route, _title, _page in settings_page.SUB_PAGES]
    assert routes == [f"/settings/{slug}" for _label, slug, _icon in SETTINGS_PAGES]
    prefixes = protected_prefixes(SIGNED_IN_ROUTES)
    assert all(is_protected(route, prefixes) for route in routes)
    from fluxkit.fluxkit import app

    assert {route.strip("/") for route in routes} <= {page.strip("/") for page in app._unevaluated_pages}
