"""The import benchmark runs end to end against the production backend and measures what it
says: the file sent as the dialog sends it creates every row, and both probes (/api/health,
another user's events) have samples before and during the import. Counts, never times."""

from __future__ import annotations

import pytest

from bench import import_health

pytestmark = [pytest.mark.live, pytest.mark.timeout(1200)]


def test_a_small_import_is_measured_end_to_end():
    result = import_health.run(rows=300, seconds=1.0)  # its own backend-only production server
    figures = import_health.as_json(result)
    assert figures["rows"] == 300 and figures["import_seconds"] > 0
    for key in ("health_alone", "health_during", "others_alone", "others_during"):
        assert figures[key]["n"] > 0
        assert 0 < figures[key]["p50_ms"] <= figures[key]["p95_ms"] <= figures[key]["max_ms"]
