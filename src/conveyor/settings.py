"""Settings, read once at the edge from the environment (``CONVEYOR_*``) or a ``.env`` file."""

from __future__ import annotations

from pydantic import Field
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
