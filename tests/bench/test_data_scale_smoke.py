"""bench/data_scale.py runs end to end at tiny sizes: every read at every size, a table row
each. Shapes only, never times."""

from __future__ import annotations

from bench import data_scale


def test_data_scale_measures_every_read_at_every_size():
    sizes = [10, 60]
    results = data_scale.measure("sqlite", sizes, samples=2)
    assert set(results) == set(data_scale._reads())
    for by_size in results.values():
        assert sorted(by_size) == sizes
        assert all(p50 > 0 and p95 >= p50 for p50, p95 in by_size.values())
    rendered = data_scale.table("sqlite", results, sizes)
    assert rendered.count("\n| ") == len(results) + 1  # the head and one row per read
