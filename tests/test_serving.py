"""Production workers: a Granian server made after rxconfig.py loaded respawns dead workers."""

from __future__ import annotations

from granian.constants import Interfaces
from granian.server import Server

import rxconfig  # noqa: F401 - applies fluxkit.serving.respawn_failed_workers(), as `reflex run` does
from fluxkit import serving


def test_granian_servers_respawn_a_dead_worker():
    server = Server(target="fluxkit.fluxkit:app", interface=Interfaces.ASGI, workers=2)
    assert server.respawn_failed_workers is True


def test_an_explicit_choice_is_kept_and_applying_twice_wraps_once():
    from granian.server.common import AbstractServer

    wrapped = AbstractServer.__init__
    assert serving.respawn_failed_workers() is True
    assert AbstractServer.__init__ is wrapped
    server = Server(target="fluxkit.fluxkit:app", interface=Interfaces.ASGI, respawn_failed_workers=False)
    assert server.respawn_failed_workers is False
    assert Server(target="x:app", interface=Interfaces.ASGI).respawn_failed_workers is True
