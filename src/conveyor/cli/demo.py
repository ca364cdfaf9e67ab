"""``conveyor demo``: build the agency, show it, serve it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from conveyor.cli.errors import run_or_exit
from conveyor.services.demo.build import build_demo
from conveyor.storage import migrate
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork

DEMO_FILE = Path("conveyor-demo.db")
#: The demo sweeps often, so that waiting deals visibly move soon after capacity frees.
SWEEP_SECONDS = 5.0


def run_demo(*, database_url: str | None, host: str, port: int, serve_api: bool, seed: int) -> None:
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
    print(f'Try:         curl -H "Authorization: Bearer {summary.admin_token}" {base}/employees')
    if serve_api:
        import uvicorn

        from conveyor.api.app import create_app

        app = create_app(url, sweep_seconds=SWEEP_SECONDS)
        uvicorn.run(app, host=host, port=port, log_level="info")
