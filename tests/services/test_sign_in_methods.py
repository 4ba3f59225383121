"""The last way to sign in stays, whichever kinds the person has: a passkey keeps a social-only
account's last provider removable, and a linked provider keeps the last passkey removable."""

from __future__ import annotations

import pytest

from fluxkit.models import SocialAccount, User
from fluxkit.services import passkeys, sign_in_methods, social_accounts
from fluxkit.services.errors import Conflict
from tests.support.factories import META
from tests.support.passkeys import SoftAuthenticator


@pytest.fixture
def ada(db, signed_up, sign_in):
    signed_up()
    return sign_in()[1]


def _passkey(db, identity, clock) -> passkeys.PasskeyRow:
    device = SoftAuthenticator()
    options = passkeys.registration_options(db, identity.user.id, clock)
    db.commit()
    row, _messages = passkeys.verify_registration(
        db, identity, device.create(options), name="Phone", meta=META, clock=clock
    )
    db.commit()
    return row


def _without_password(db, user_id: int) -> None:
    db.get(User, user_id).password_hash = ""
    db.commit()


def test_a_passkey_lets_the_last_provider_go_and_then_stays(db, ada, clock):
    key = _passkey(db, ada, clock)
    db.add(SocialAccount(user_id=ada.user.id, provider="github", account_id="gh-1"))
    db.commit()
    _without_password(db, ada.user.id)
    assert sign_in_methods.count(db, ada.user.id) == 2

    social_accounts.unlink(db, ada.user.id, provider="github", meta=META)  # the passkey stays
    db.commit()
    assert sign_in_methods.count(db, ada.user.id) == 1
    with pytest.raises(passkeys.LastSignInMethod):
        passkeys.delete_passkey(db, ada.user.id, key.id, meta=META, clock=clock)
    db.rollback()
    assert [row.id for row in passkeys.list_passkeys(db, ada.user.id)] == [key.id]


def test_a_provider_lets_the_last_passkey_go_and_then_stays(db, ada, clock):
    key = _passkey(db, ada, clock)
    db.add(SocialAccount(user_id=ada.user.id, provider="google", account_id="g-1"))
    db.commit()
    _without_password(db, ada.user.id)

    passkeys.delete_passkey(db, ada.user.id, key.id, meta=META, clock=clock)  # Google stays
    db.commit()
    with pytest.raises(Conflict, match="only way to sign in"):
        social_accounts.unlink(db, ada.user.id, provider="google", meta=META)
    db.rollback()
    assert [a.provider for a in social_accounts.list_accounts(db, ada.user.id)] == ["google"]


def test_a_password_counts_only_when_it_is_a_real_hash(db, ada):
    assert sign_in_methods.count(db, ada.user.id) == 1
    _without_password(db, ada.user.id)
    assert sign_in_methods.count(db, ada.user.id) == 0
