"""Live topics are constants of services/topics.py on both sides: announced and listened to."""

from __future__ import annotations

import pytest

from fluxkit.fluxkit import LIVE_HANDLERS
from fluxkit.services import live, topics
from fluxkit.state import live as live_tabs
from fluxkit.state.tasks.page import TasksState


def test_every_topic_has_handlers_and_every_handler_a_topic():
    assert set(LIVE_HANDLERS) == topics.ALL


def test_announcing_an_unknown_topic_is_refused(db):
    with pytest.raises(ValueError, match="Unknown live topic"):
        live.touch(db, 1, "task")  # a typo of "tasks": nobody would hear it


def test_listening_to_an_unknown_topic_is_refused():
    with pytest.raises(ValueError, match="Unknown live topic"):
        live_tabs.on_change("Tasks", TasksState.refresh)
