"""``conveyor``: the command line. Commands parse, call a service, print."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from conveyor.cli.errors import run_or_exit
from conveyor.cli.jobs import jobs, worker
from conveyor.cli.notifications import dispatch_from, notifications
from conveyor.cli.simulate import simulate
from conveyor.settings import Settings

app = typer.Typer(
    name="conveyor",
    help="Conveyor: a company's order and task flow, run by itself.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
admin = typer.Typer(help="Administrators and their API tokens.", no_args_is_help=True)
app.add_typer(db, name="db")
app.add_typer(admin, name="admin")
app.add_typer(notifications, name="notifications")
app.add_typer(jobs, name="jobs")
app.command()(simulate)
app.command()(worker)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", envvar="CONVEYOR_DATABASE_URL", help="SQLAlchemy URL"),
]


def _url(database_url: str | None) -> str:
    return database_url or run_or_exit(Settings).database_url


@db.command("upgrade")
def db_upgrade(database_url: DatabaseOption = None, revision: str = "head") -> None:
    """Create or update the schema to the latest migration."""
    from conveyor.storage import migrate

    url = _url(database_url)
    run_or_exit(lambda: migrate.upgrade(url, revision))
    typer.echo(f"Schema is at {revision} on {_safe(url)}")


@db.command("check")
def db_check(database_url: DatabaseOption = None) -> None:
    """Fail when the tables in code and the migrated schema differ."""
    from conveyor.storage import migrate

    run_or_exit(lambda: migrate.check(_url(database_url)))
    typer.echo("The schema matches the code")


@admin.command("create")
def admin_create(
    name: Annotated[str, typer.Option(help="The administrator's full name")],
    email: Annotated[str | None, typer.Option(help="Their email (their web login)")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="A password for the web pages (/ui), with --email; or set CONVEYOR_ADMIN_PASSWORD",
            envvar="CONVEYOR_ADMIN_PASSWORD",
        ),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an administrator and print their API token (shown once); with --password they
    can also sign in to the web pages with their email."""
    from conveyor.domain.actors import SYSTEM
    from conveyor.domain.employees import Employee
    from conveyor.domain.errors import InvalidValue
    from conveyor.domain.logins import check_password
    from conveyor.domain.tokens import Role
    from conveyor.services import logins
    from conveyor.services.bootstrap import create_admin
    from conveyor.storage.database import build_engine, session_factory
    from conveyor.storage.unit_of_work import UnitOfWork

    def create() -> tuple[Employee, str]:
        if password is not None:
            if not email:
                raise InvalidValue("A web password needs --email to sign in with", field="email")
            check_password(password)
        employee, secret = create_admin(uow, name=name, email=email, now=datetime.now(UTC))
        if password is not None:
            assert employee.id is not None
            logins.set_login(
                uow,
                employee.id,
                role=Role.ADMIN,
                password=password,
                actor=SYSTEM,
                now=datetime.now(UTC),
            )
        return employee, secret

    engine = build_engine(_url(database_url))
    uow = UnitOfWork(session_factory(engine))
    employee, secret = run_or_exit(create)
    engine.dispose()
    typer.echo(f"Administrator {employee.name} (id {employee.id})")
    typer.echo(f"API token: {secret}")
    if password is not None:
        typer.echo(f"Web: sign in at /ui with {email}")


@app.command()
def serve(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
    sweep_seconds: Annotated[
        float | None,
        typer.Option(
            min=1.0,
            max=3600.0,
            help="Seconds between assignment sweeps (default 60, or CONVEYOR_SWEEP_SECONDS)",
        ),
    ] = None,
    run_jobs: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run due jobs in this process too (on PostgreSQL, --no-worker leaves them "
            "to `conveyor worker` processes)",
        ),
    ] = True,
) -> None:
    """Run the API server (OpenAPI docs at /docs) with its background sweep and the
    delivery of notifications by email, SMS and webhooks."""
    import uvicorn

    from conveyor.storage import migrate
    from conveyor.web.site import create_site

    settings = run_or_exit(Settings)
    url = _url(database_url)
    if migrate_first:
        run_or_exit(lambda: migrate.upgrade(url))
    app_ = create_site(
        url,
        sweep_seconds=sweep_seconds or settings.sweep_seconds,
        dispatch=dispatch_from(settings),
        delivery_seconds=settings.delivery_seconds,
        run_jobs=run_jobs,
    )
    uvicorn.run(app_, host=host or settings.host, port=port or settings.port)


@app.command()
def demo(
    database_url: Annotated[
        str | None,
        typer.Option(help="Use this (empty) database instead of a fresh conveyor-demo.db"),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the API")] = True,
    seed: Annotated[int, typer.Option(help="Seed of the generated data and of the stream")] = 2026,
    live: Annotated[
        bool | None,
        typer.Option(
            "--live/--no-live",
            help="Stream paid deals in and show each assignment live "
            "[default: live when serving to a terminal]",
            show_default=False,
        ),
    ] = None,
    rate: Annotated[
        float, typer.Option(min=0.05, max=3600, help="Seconds between two incoming deals")
    ] = 1.0,
    duration: Annotated[
        float | None,
        typer.Option(min=0, help="Stop the stream after this many seconds [default: Ctrl+C]"),
    ] = None,
) -> None:
    """Create a realistic digital agency, start the API and print its URL and an admin token;
    on a terminal, stream paid deals in and show who gets each one, and why, live."""
    from conveyor.cli.demo import run_demo

    run_demo(
        database_url=database_url,
        host=host,
        port=port,
        serve_api=serve_api,
        seed=seed,
        live=live,
        rate=rate,
        duration=duration,
    )


def _safe(url: str) -> str:
    from conveyor.storage.database import normalize_url

    return normalize_url(url).split("@")[-1] if "@" in url else url


def run() -> None:
    """The ``conveyor`` command: a mistyped option or a value out of range is one readable
    line on stderr and exit code 2, like every other refusal of the command line."""
    try:
        result = app(prog_name="conveyor", standalone_mode=False)
    except typer.Abort:
        raise SystemExit(1) from None
    except Exception as error:
        # Click's usage errors (Typer's own copy of Click raises them): exit code 2.
        if getattr(error, "exit_code", None) != 2 or not hasattr(error, "format_message"):
            raise
        message = error.format_message()
        if message:  # (none when a bare group has just printed its help)
            context = getattr(error, "ctx", None)
            where = f"{context.command_path}: " if context is not None else ""
            typer.secho(f"error: {where}{message}", err=True, fg=typer.colors.RED)
        raise SystemExit(2) from None
    raise SystemExit(result if isinstance(result, int) else 0)
