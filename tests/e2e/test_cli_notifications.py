"""``conveyor notifications deliver`` sends what is due with the senders the environment
configures, and says what happened."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conveyor.cli.main import app
from conveyor.domain.actors import SYSTEM
from conveyor.services import org
from conveyor.services.notifications import send_message
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.outside import SmtpInbox, smtp_inbox

__all__ = ["smtp_inbox"]


def test_due_deliveries_are_sent_by_the_configured_mail_server(
    uow: UnitOfWork,
    clock: FakeClock,
    database_url: str,
    smtp_inbox: SmtpInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vera, _ = org.create_employee(
        uow,
        org.CreateEmployee(name="Vera", email="vera@agency.example", phone="+79160000001"),
        actor=SYSTEM,
        now=clock(),
    )
    assert vera.id is not None
    send_message(uow, recipient_ids=[vera.id], text="Планёрка в 10:00", actor=SYSTEM, now=clock())
    monkeypatch.setenv("CONVEYOR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CONVEYOR_SMTP_PORT", str(smtp_inbox.port))
    monkeypatch.delenv("CONVEYOR_SMS_GATEWAY_URL", raising=False)
    result = CliRunner().invoke(app, ["notifications", "deliver", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    # No SMS gateway is configured: the SMS is skipped, not retried forever.
    assert result.output.strip() == "sent 1, to retry 0, dead 0, skipped 1, postponed 0"
    [mail] = smtp_inbox.mails
    assert (mail.message["Subject"], mail.body) == ("Сообщение", "Планёрка в 10:00")
    monkeypatch.setenv("CONVEYOR_SMTP_STARTTLS", "true")
    monkeypatch.setenv("CONVEYOR_SMTP_SSL", "true")
    refused = CliRunner().invoke(app, ["notifications", "deliver", "--database-url", database_url])
    assert refused.exit_code == 1
    assert "CONVEYOR_SMTP_SSL" in refused.output and "not both" in refused.output


def test_a_mail_login_without_tls_is_refused_naming_the_setting_that_allows_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CONVEYOR_SMTP_USER", "conveyor")
    for name in ("STARTTLS", "SSL", "ALLOW_PLAIN_LOGIN"):
        monkeypatch.delenv(f"CONVEYOR_SMTP_{name}", raising=False)
    refused = CliRunner().invoke(app, ["notifications", "deliver", "--database-url", database_url])
    assert refused.exit_code == 1
    assert refused.output.startswith("error: CONVEYOR_SMTP_ALLOW_PLAIN_LOGIN:")
    assert "password in clear" in refused.output
