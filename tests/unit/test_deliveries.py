"""Deliveries: when a failed one is tried again, when it is given up, how long an attempt
holds it, how webhooks sign, and which mail settings are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from conveyor.cli.notifications import dispatch_from
from conveyor.domain.errors import Conflict, InvalidValue
from conveyor.domain.notifications import Channel, Delivery, DeliveryState, RetryPolicy
from conveyor.domain.webhooks import check_kinds, check_url, signature, verify
from conveyor.outbound import SmtpConfig
from conveyor.outbound.base import http_failure
from conveyor.services.deliveries import LEASE, lease_for
from conveyor.settings import Settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def delivery() -> Delivery:
    return Delivery(
        id=1,
        notification_id=1,
        channel=Channel.EMAIL,
        address="vera@example.com",
        next_attempt_at=NOW,
        created_at=NOW,
    )


def test_a_failed_delivery_waits_twice_as_long_each_time_up_to_the_longest_pause() -> None:
    policy = RetryPolicy(
        max_attempts=10, first_pause=timedelta(minutes=1), longest_pause=timedelta(minutes=10)
    )
    pauses = [policy.next_attempt_at(n, NOW) for n in range(1, 11)]
    minutes = [None if p is None else (p - NOW) / timedelta(minutes=1) for p in pauses]
    assert minutes == [1, 2, 4, 8, 10, 10, 10, 10, 10, None]


@given(
    max_attempts=st.integers(1, 50),
    attempts=st.integers(1, 10_000),
    first=st.integers(1, 3600),
    longest=st.integers(1, 100_000),
)
def test_a_retry_is_always_later_never_past_the_longest_pause_and_none_when_spent(
    max_attempts: int, attempts: int, first: int, longest: int
) -> None:
    first_pause = timedelta(seconds=first)
    longest_pause = timedelta(seconds=max(first, longest))
    policy = RetryPolicy(
        max_attempts=max_attempts, first_pause=first_pause, longest_pause=longest_pause
    )
    retry = policy.next_attempt_at(attempts, NOW)
    if attempts >= max_attempts:
        assert retry is None
    else:
        assert retry is not None
        assert NOW + first_pause <= retry <= NOW + longest_pause


def test_a_delivery_is_dead_after_its_last_attempt_and_every_attempt_is_kept() -> None:
    policy = RetryPolicy(max_attempts=3)
    sending = delivery()
    first = sending.failed("SMTP unreachable", NOW, policy)
    assert (sending.state, sending.attempts) == (DeliveryState.PENDING, 1)
    assert sending.next_attempt_at == NOW + timedelta(minutes=1)
    assert not sending.is_due(NOW) and sending.is_due(NOW + timedelta(minutes=1))
    sending.failed("SMTP unreachable", NOW + timedelta(minutes=1), policy)
    last = sending.failed("SMTP unreachable", NOW + timedelta(minutes=3), policy)
    assert (sending.state, sending.attempts, sending.next_attempt_at) == (
        DeliveryState.DEAD,
        3,
        None,
    )
    assert (first.ok, first.error, last.at) == (
        False,
        "SMTP unreachable",
        NOW + timedelta(minutes=3),
    )
    with pytest.raises(Conflict):
        sending.failed("again", NOW, policy)


def test_a_refused_address_is_given_up_at_once_and_a_success_ends_the_delivery() -> None:
    refused = delivery()
    refused.failed("550 no such mailbox", NOW, RetryPolicy(), permanent=True)
    assert refused.state is DeliveryState.DEAD and refused.attempts == 1
    sent = delivery()
    sent.failed("timeout", NOW, RetryPolicy())
    attempt = sent.succeeded(NOW + timedelta(minutes=1))
    assert (sent.state, sent.attempts, sent.last_error, sent.sent_at) == (
        DeliveryState.SENT,
        2,
        None,
        NOW + timedelta(minutes=1),
    )
    assert attempt.ok and attempt.error is None
    with pytest.raises(Conflict):
        sent.lease(NOW)


def test_an_error_is_kept_short() -> None:
    long = delivery()
    attempt = long.failed("x" * 5000, NOW, RetryPolicy())
    assert len(attempt.error or "") == len(long.last_error or "") == 1000


def test_the_webhook_signature_is_hmac_sha256_of_the_timestamp_and_the_body() -> None:
    # Computed independently: printf '1767225600.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expected = "sha256=6d204545ff126a339c00513d93603299c984074ce1331c3537c3f6c976b49019"
    assert signature("whsec_test", 1767225600, b'{"a":1}') == expected
    good = {"body": b'{"a":1}', "timestamp": "1767225600", "signature_header": expected}
    assert verify("whsec_test", **good, now=1767225600 + 60)
    assert not verify("whsec_other", **good, now=1767225600)
    assert not verify("whsec_test", **{**good, "body": b'{"a":2}'}, now=1767225600)
    assert not verify("whsec_test", **good, now=1767225600 + 301)
    assert not verify("whsec_test", **{**good, "timestamp": "soon"}, now=1767225600)


@pytest.mark.parametrize("header", ["sha256=é", "sha256=" + "я" * 64, "\udcff", ""])
def test_a_malformed_signature_header_is_not_a_match_never_an_error(header: str) -> None:
    sent = {"body": b'{"a":1}', "timestamp": "1767225600", "signature_header": header}
    assert verify("whsec_test", **sent, now=1767225600) is False


def test_an_attempt_holds_its_delivery_thrice_the_longest_timeout_five_minutes_at_least() -> None:
    assert lease_for() == lease_for(10, 10, 10) == LEASE == timedelta(minutes=5)
    assert lease_for(10, 300, 5) == timedelta(minutes=15)
    settings = Settings(_env_file=None, smtp_host="mail.example", smtp_timeout=200)
    assert dispatch_from(settings).lease == timedelta(minutes=10)


def test_a_password_is_not_sent_in_clear_unless_the_settings_say_so_explicitly() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, smtp_host="mail.example", smtp_user="conveyor")
    assert "CONVEYOR_SMTP_ALLOW_PLAIN_LOGIN" in str(refused.value)
    for allowed in (
        {"smtp_starttls": True},
        {"smtp_ssl": True},
        {"smtp_allow_plain_login": True},
    ):
        Settings(_env_file=None, smtp_host="mail.example", smtp_user="conveyor", **allowed)
    with pytest.raises(ValueError, match="in clear"):
        SmtpConfig(host="mail.example", user="conveyor")
    assert SmtpConfig(host="mail.example", user="conveyor", starttls=True).user == "conveyor"


def test_a_webhook_endpoint_is_an_http_url_without_credentials_and_known_kinds() -> None:
    assert check_url("https://crm.example.com/hooks/conveyor?x=1")
    for bad in (
        "ftp://example.com",
        "example.com/hook",
        "https://",
        "https://u:p@example.com",
        "http://[::1",
        "http://example.com:99999/",
        "http://exa mple.com/",
    ):
        with pytest.raises(InvalidValue) as refused:
            check_url(bad)
        assert refused.value.field == "url"
    assert check_kinds(["message", "item_assigned", "message"]) == ["message", "item_assigned"]
    with pytest.raises(InvalidValue) as unknown:
        check_kinds(["message", "fireworks"])
    assert unknown.value.field == "kinds.1"


@pytest.mark.parametrize(
    ("status", "permanent", "down"),
    [
        (400, True, False),
        (422, True, False),
        (401, False, True),
        (404, False, True),
        (429, False, True),
        (500, False, True),
        (503, False, True),
        (302, False, True),
    ],
)
def test_an_http_answer_tells_whether_to_retry(status: int, permanent: bool, down: bool) -> None:
    failure = http_failure(status, "  no\n such   number ", where="The SMS gateway")
    assert (failure.permanent, failure.destination_down) == (permanent, down)
    assert str(failure) == f"The SMS gateway answered HTTP {status}: no such number"
