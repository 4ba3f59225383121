"""The same password typed as composed or decomposed Unicode is the same password."""

import unicodedata

import pytest

from fluxkit.services import passwords

pytestmark = pytest.mark.production_hash_cost


def test_composed_and_decomposed_spellings_match():
    composed = unicodedata.normalize("NFC", "crème brûlée passphrase")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    stored = passwords.hash_password(decomposed)
    assert passwords.verify_password(composed, stored)[0] is True
    assert passwords.verify_password("creme brulee passphrase", stored)[0] is False
