"""The schema exists only through migrations, and they match the tables in code."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from conveyor.storage import migrate
from conveyor.storage.tables import metadata


def test_migrations_build_every_table_and_alembic_check_finds_no_drift(database_url: str) -> None:
    migrate.check(database_url)
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        existing = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {t.name for t in metadata.sorted_tables} <= existing


def test_migrations_go_down_to_empty_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(url)
    migrate.check(url)


@pytest.mark.parametrize("command", ["upgrade", "check"])
def test_the_cli_runs_migrations_on_an_empty_sqlite_file(tmp_path: Path, command: str) -> None:
    from typer.testing import CliRunner

    from conveyor.cli.main import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = runner.invoke(app, ["db", command, "--database-url", url])
    assert result.exit_code == 0, result.output
