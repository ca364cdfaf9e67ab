"""``conveyor demo``: build the agency, show it, serve it, and stream deals into it live."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.panel import Panel

from conveyor.cli.background_api import BackgroundApi
from conveyor.cli.demo_live import run_live
from conveyor.cli.errors import run_or_exit
from conveyor.services.demo.build import DEMO_PASSWORD, build_demo
from conveyor.storage import migrate
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from fastapi import FastAPI

DEMO_FILE = Path("conveyor-demo.db")
#: The demo sweeps often, so that waiting deals visibly move soon after capacity frees.
SWEEP_SECONDS = 5.0


def run_demo(
    *,
    database_url: str | None,
    host: str,
    port: int,
    serve_api: bool,
    seed: int,
    live: bool | None = None,
    rate: float = 1.0,
    duration: float | None = None,
) -> None:
    """Build the agency and print how to reach it; then serve the API, stream deals in with
    the live view, or both (``live`` ``None``: live when serving to a terminal)."""
    console = Console()
    if database_url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_FILE}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{DEMO_FILE}"
    url = database_url
    with console.status("Creating the demo agency…"):
        run_or_exit(lambda: migrate.upgrade(url))
        engine = build_engine(url)
        summary = run_or_exit(
            lambda: build_demo(
                UnitOfWork(session_factory(engine)), now=datetime.now(UTC), seed=seed
            )
        )
        engine.dispose()
    base = f"http://{host}:{port}"
    console.print(
        Panel.fit(
            f"[bold]{summary.departments}[/] departments, [bold]{summary.employees}[/] employees "
            f"({summary.external} external partners)\n"
            f"[bold]{summary.companies}[/] client companies, [bold]{summary.deals}[/] deals, "
            f"[bold]{summary.tasks}[/] tasks\n"
            f"Database: {url}",
            title="Conveyor demo",
        )
    )
    # Plain lines, so that the URL and the token copy cleanly from any terminal.
    if serve_api:
        print(f"API:         {base}  (docs: {base}/docs)")
    else:
        print(f"Serve it:    conveyor serve --database-url {url} --port {port}")
    print(f"Admin token: {summary.admin_token}")
    if serve_api:
        print(f"Web:         {base}/ui  (password {DEMO_PASSWORD} for each of:)")
    else:
        print(f"Web logins:  password {DEMO_PASSWORD} for each of:")
    for login in summary.logins:
        print(f"             {login.email}  ({login.name}, {login.role.value})")
    print(f'Try:         curl -H "Authorization: Bearer {summary.admin_token}" {base}/employees')
    if live is None:
        live = serve_api and console.is_terminal
    if not live:
        if serve_api:
            import uvicorn

            uvicorn.run(_app(url), host=host, port=port, log_level="info")
        return
    where = f"API {base}/docs" if serve_api else "API not served"
    api = BackgroundApi(_app(url), host=host, port=port) if serve_api else None
    if api is not None:
        run_or_exit(api.start)
    try:
        streamed = run_or_exit(
            lambda: run_live(
                url, console=console, rate=rate, duration=duration, seed=seed, where=where
            )
        )
    finally:
        if api is not None:
            api.stop()
    print(
        f"Streamed {streamed.deals} deals in {streamed.seconds:.0f} s: {streamed.assigned} "
        f"assignments, {streamed.waited} waits; designers finished {streamed.finished}."
    )


def _app(url: str) -> FastAPI:
    from conveyor.web.site import create_site

    return create_site(url, sweep_seconds=SWEEP_SECONDS)
