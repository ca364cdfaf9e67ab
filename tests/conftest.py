"""Fixtures: every database test runs on SQLite and on PostgreSQL, each test isolated.

The schema is built only by the Alembic migrations, once per run and database.
PostgreSQL comes from CONVEYOR_TEST_POSTGRES_URL (default: the local ``test`` database);
without it the PostgreSQL half skips with the reason, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conveyor.storage import migrate
from conveyor.storage.database import build_engine, normalize_url, session_factory
from conveyor.storage.tables import metadata
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

POSTGRES_URL = os.environ.get(
    "CONVEYOR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of its own for this run, migrated once, dropped at the end."""
    admin_url = normalize_url(POSTGRES_URL)
    name = f"conveyor_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any connection failure means: no PostgreSQL here
        if IN_CI:
            pytest.fail(
                f"PostgreSQL is required under CI but unreachable at {POSTGRES_URL}: {error}"
            )
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (set CONVEYOR_TEST_POSTGRES_URL)")
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "conveyor.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_database")
    yield url
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow(database_url: str) -> Iterator[UnitOfWork]:
    engine = build_engine(database_url)
    yield UnitOfWork(session_factory(engine))
    engine.dispose()
