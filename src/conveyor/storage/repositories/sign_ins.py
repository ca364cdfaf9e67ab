"""Sign-in attempts, counted to pause password guessing (``domain/logins.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from conveyor.storage.tables.org import sign_in_attempts


class SignInAttemptRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, email_key: str, *, at: datetime) -> int:
        """A new attempt under ``email_key``; its id."""
        statement = insert(sign_in_attempts).values(email_key=email_key, at=at)
        result: Any = self.session.execute(statement)
        return int(result.inserted_primary_key[0])

    def forget(self, attempt_id: int) -> None:
        """The attempt succeeded: it no longer counts."""
        self.session.execute(delete(sign_in_attempts).where(sign_in_attempts.c.id == attempt_id))

    def latest(self, email_key: str, *, since: datetime, limit: int) -> list[datetime]:
        """When the latest ``limit`` attempts under ``email_key`` after ``since`` were made,
        newest first."""
        c = sign_in_attempts.c
        query = (
            select(c.at)
            .where(c.email_key == email_key, c.at > since)
            .order_by(c.at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def purge_before(self, before: datetime) -> int:
        """Delete the attempts made before ``before``; how many went."""
        statement = delete(sign_in_attempts).where(sign_in_attempts.c.at < before)
        return _rowcount(self.session.execute(statement))


def _rowcount(result: Any) -> int:
    return int(result.rowcount)
