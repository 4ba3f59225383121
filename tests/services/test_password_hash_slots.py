"""A burst of sign-ins cannot take every core from the event loop.

argon2 releases the GIL, so without a limit FastAPI's thread pool hashes on every core at
once and everyone's websocket events wait (bench/signin.py measured other users' p95 at 6-8×
during 4 concurrent sign-ins on 2 cores; about 3× with the limit).
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from fluxkit.services import passwords

pytestmark = pytest.mark.production_hash_cost


def test_concurrent_hashes_leave_a_core_free(monkeypatch):
    running = 0
    most = 0
    lock = threading.Lock()
    real_verify = passwords._context.verify_and_update

    def counting_verify(*args, **kwargs):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.05)
            return real_verify(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    stored = passwords.hash_password("correct horse battery")
    monkeypatch.setattr(passwords._context, "verify_and_update", counting_verify)
    outcomes = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(passwords.verify_password("correct horse battery", stored)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [ok for ok, _ in outcomes] == [True] * 6  # every sign-in still gets its answer
    assert most <= max(1, (os.cpu_count() or 1) - 1)


def test_hashing_and_the_unknown_email_path_still_work():
    stored = passwords.hash_password("correct horse battery")
    assert passwords.verify_password("correct horse battery", stored)[0] is True
    assert passwords.verify_password("wrong horse battery", stored)[0] is False
    passwords.burn_hash_time("anything at all")  # takes the dummy hash's slot without deadlocking
