"""``conveyor notifications``: send the deliveries that are due, now (cron, or a check)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from conveyor.cli.errors import run_or_exit
from conveyor.domain.notifications import RetryPolicy
from conveyor.outbound import senders_from
from conveyor.services.deliveries import BATCH, Dispatch, lease_for
from conveyor.settings import Settings

notifications = typer.Typer(
    help="Notification deliveries (email, SMS, webhooks).", no_args_is_help=True
)


def dispatch_from(settings: Settings) -> Dispatch:
    """The senders the settings configure, their retry policy, and the lease of an attempt
    (from the senders' timeouts: ``lease_for``)."""
    return Dispatch(
        senders=senders_from(settings),
        retry=RetryPolicy(max_attempts=settings.delivery_max_attempts),
        lease=lease_for(settings.smtp_timeout, settings.sms_timeout, settings.webhook_timeout),
    )


@notifications.command("deliver")
def deliver(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="CONVEYOR_DATABASE_URL", help="SQLAlchemy URL"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Deliveries at most")] = BATCH,
) -> None:
    """Send the deliveries that are due, up to --limit and for about 20 seconds (``conveyor
    serve`` does it every CONVEYOR_DELIVERY_SECONDS by itself), and print what happened."""
    from conveyor.services.deliveries import deliver_due
    from conveyor.storage.database import build_engine, session_factory
    from conveyor.storage.unit_of_work import UnitOfWork

    settings = run_or_exit(Settings)
    url = database_url or settings.database_url
    engine = build_engine(url)
    try:
        uow = UnitOfWork(session_factory(engine))
        dispatch = dispatch_from(settings)
        report = run_or_exit(
            lambda: deliver_due(
                uow, dispatch=dispatch, clock=lambda: datetime.now(UTC), limit=limit
            )
        )
    finally:
        engine.dispose()
    typer.echo(
        f"sent {report.sent}, to retry {report.retrying}, dead {report.dead}, "
        f"skipped {report.skipped}, postponed {report.postponed}"
    )
