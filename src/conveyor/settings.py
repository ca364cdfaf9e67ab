"""Settings, read once at the edge from the environment (``CONVEYOR_*``) or a ``.env`` file."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVEYOR_", env_file=".env", extra="ignore")

    #: SQLite file by default; ``postgresql://user@host/db`` for production.
    database_url: str = "sqlite:///conveyor.db"
    host: str = "127.0.0.1"
    port: int = 8000
    #: The company's default timezone and holiday-calendar country.
    timezone: str = "Europe/Moscow"
    country: str = "RU"
    #: Seconds between assignment sweeps (the safety net that retries waiting items and
    #: escalates long waits; most assignments happen at once, on events).
    sweep_seconds: float = Field(60.0, ge=1.0, le=3600.0)

    # Notifications (docs/decisions.md, "Notifications"). Email is on when smtp_host is set.
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "conveyor@localhost"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    #: STARTTLS on a plain connection (port 587), or implicit TLS (port 465); not both.
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    #: Log in (CONVEYOR_SMTP_USER) over a connection without TLS: refused unless set.
    smtp_allow_plain_login: bool = Field(False, validate_default=True)
    smtp_timeout: float = Field(10.0, gt=0, le=300)
    #: SMS is on when a gateway URL is set: a JSON POST ``{"to", "text", "reference"}``.
    sms_gateway_url: str | None = None
    #: An optional header sent to the gateway, e.g. ``Authorization`` = ``Bearer <key>``.
    sms_auth_header: str | None = None
    sms_auth_value: SecretStr | None = None
    sms_sender: str | None = None
    sms_timeout: float = Field(10.0, gt=0, le=300)
    webhook_timeout: float = Field(10.0, gt=0, le=300)
    #: A delivery that failed this many times is given up (dead).
    delivery_max_attempts: int = Field(8, ge=1, le=50)
    #: Seconds between two looks for due deliveries (``conveyor serve``).
    delivery_seconds: float = Field(10.0, ge=1.0, le=3600.0)

    @field_validator("smtp_ssl")
    @classmethod
    def _one_kind_of_tls(cls, ssl: bool, info: ValidationInfo) -> bool:
        if ssl and info.data.get("smtp_starttls"):
            raise ValueError("set CONVEYOR_SMTP_STARTTLS or CONVEYOR_SMTP_SSL, not both")
        return ssl

    @field_validator("smtp_allow_plain_login")
    @classmethod
    def _no_password_in_clear(cls, allowed: bool, info: ValidationInfo) -> bool:
        tls = info.data.get("smtp_starttls") or info.data.get("smtp_ssl")
        if info.data.get("smtp_user") and not (tls or allowed):
            raise ValueError(
                "CONVEYOR_SMTP_USER without CONVEYOR_SMTP_STARTTLS or CONVEYOR_SMTP_SSL would "
                "send the password in clear; set CONVEYOR_SMTP_ALLOW_PLAIN_LOGIN=true to allow it"
            )
        return allowed

    @field_validator("sms_auth_value")
    @classmethod
    def _header_with_value(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if (info.data.get("sms_auth_header") is None) != (value is None):
            raise ValueError("set CONVEYOR_SMS_AUTH_HEADER and CONVEYOR_SMS_AUTH_VALUE together")
        return value
