"""The floor under every write: raw INSERT + COMMIT latency on SQLite and PostgreSQL.

    python -m bench.commit_floor [--samples 500]

SQLite: a temporary database file opened through the app's own engine (fluxkit/db.py: WAL,
synchronous=FULL, busy timeout, foreign keys), so each COMMIT waits for the WAL fsync as the
app's do. PostgreSQL: a fresh database (CREATE, DROP afterwards) on the local server, default
settings (synchronous_commit on). One tiny row per transaction, one connection, no ORM.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.support import Latency, fresh_postgres


def measure(database_url: str, samples: int) -> Latency:
    from fluxkit.db import engine_for

    engine = engine_for(database_url)
    latency = Latency()
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, note VARCHAR(40))"))
            connection.commit()
            for n in range(samples):
                started = time.perf_counter()
                connection.execute(text("INSERT INTO bench_floor (id, note) VALUES (:id, 'x')"), {"id": n + 1})
                connection.commit()
                latency.seconds.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return latency


def run(samples: int = 500) -> dict:
    with tempfile.TemporaryDirectory(prefix="fluxkit-floor-") as folder:
        sqlite = measure(f"sqlite:///{Path(folder) / 'floor.db'}", samples)
    with fresh_postgres() as url:
        postgres = measure(url, samples)
    return {"sqlite": sqlite, "postgresql": postgres}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.commit_floor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args(argv)
    print(json.dumps({name: latency.as_json() for name, latency in run(args.samples).items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
