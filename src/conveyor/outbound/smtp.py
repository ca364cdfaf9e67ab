"""Email over SMTP (``smtplib``): plain, STARTTLS or implicit TLS, with optional login."""

from __future__ import annotations

import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from conveyor.domain.notifications import Channel
from conveyor.outbound.base import Outgoing, SendFailed


@dataclass(frozen=True, kw_only=True)
class SmtpConfig:
    host: str
    port: int = 25
    sender: str = "conveyor@localhost"
    user: str | None = None
    password: str | None = None
    #: Upgrade a plain connection with STARTTLS (usually port 587).
    starttls: bool = False
    #: Implicit TLS from the first byte (usually port 465).
    ssl: bool = False
    timeout: float = 10.0
    #: Log in over a connection without TLS (the password crosses the network in clear).
    allow_plain_login: bool = False

    def __post_init__(self) -> None:
        if self.starttls and self.ssl:
            raise ValueError("SMTP: choose STARTTLS or implicit TLS, not both")
        if self.user and not (self.starttls or self.ssl or self.allow_plain_login):
            raise ValueError("SMTP: logging in without STARTTLS or TLS sends the password in clear")


class SmtpSender:
    """One SMTP session per message: simple, and a server restart costs nothing."""

    channel = Channel.EMAIL

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def compose(self, message: Outgoing) -> EmailMessage:
        email = EmailMessage()
        # First: setting the content drops every Content-* header set before it.
        email.set_content(message.body)
        email["From"] = self.config.sender
        email["To"] = message.address
        email["Subject"] = one_line(message.subject)
        email["Date"] = formatdate(localtime=False)
        domain = self.config.sender.rpartition("@")[2] or "localhost"
        email["Message-ID"] = make_msgid(idstring=f"delivery-{message.delivery_id}", domain=domain)
        email["Content-Language"] = message.language.value
        email["X-Conveyor-Delivery"] = str(message.delivery_id)
        return email

    def send(self, message: Outgoing) -> None:
        config = self.config
        email = self.compose(message)
        where = f"SMTP {config.host}:{config.port}"
        try:
            if config.ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host,
                    config.port,
                    timeout=config.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            with client:
                if config.starttls:
                    client.starttls(context=ssl.create_default_context())
                if config.user:
                    client.login(config.user, config.password or "")
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as refused:
            code, reply = next(iter(refused.recipients.values()))
            text = f"{where} refused {message.address}: {code} {_text(reply)}"
            raise SendFailed(text, permanent=500 <= code < 600) from None
        except smtplib.SMTPDataError as error:
            text = f"{where} refused the message: {error.smtp_code} {_text(error.smtp_error)}"
            raise SendFailed(text, permanent=500 <= error.smtp_code < 600) from None
        except smtplib.SMTPResponseException as error:
            # Login, sender or a command refused: the server's or our configuration's fault.
            text = f"{where}: {error.smtp_code} {_text(error.smtp_error)}"
            raise SendFailed(text, destination_down=True) from None
        except (OSError, smtplib.SMTPException) as error:
            text = f"{where} unreachable: {type(error).__name__}: {error}".rstrip(": ")
            raise SendFailed(text, destination_down=True) from None


def one_line(text: str) -> str:
    """``text`` fit for a header: control characters and line breaks become spaces, runs of
    spaces one (a title typed with a line break must not make the message unsendable)."""
    cleaned = "".join(" " if unicodedata.category(c) in _BREAKING else c for c in text)
    return " ".join(cleaned.split())


#: Control characters, line and paragraph separators.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply
