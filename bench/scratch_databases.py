"""The throwaway databases the benchmarks run on: a temporary SQLite file, or a fresh
PostgreSQL database created beside ``CONVEYOR_TEST_POSTGRES_URL``'s; both migrated, both
gone when the block ends."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conveyor.storage import migrate
from conveyor.storage.database import normalize_url

POSTGRES_URL = os.environ.get(
    "CONVEYOR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextlib.contextmanager
def fresh_database(kind: str, postgres_url: str = POSTGRES_URL) -> Iterator[str]:
    """The URL of a new, migrated database that is gone when the block ends."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="conveyor-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            migrate.upgrade(url)
            yield url
        return
    admin_url = normalize_url(postgres_url)
    name = f"conveyor_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
