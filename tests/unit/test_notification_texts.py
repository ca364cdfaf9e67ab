"""What a notification says: the catalog in Russian and English, rendered safely."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.errors import InvalidValue
from conveyor.domain.languages import Language, negotiate
from conveyor.domain.notification_texts import (
    ASSIGNMENT_ESCALATED,
    CATALOG,
    ELLIPSIS,
    ITEM_ASSIGNED,
    KINDS,
    MAX_VALUE,
    MESSAGE,
    MISSING,
    check_params,
    fields_of,
    render,
    required_params,
    shorten,
)

EN, RU = Language.EN, Language.RU


def test_every_text_exists_in_every_language_and_uses_only_plain_named_fields() -> None:
    for key, texts in CATALOG.items():
        assert set(texts) == set(Language), key
        kind = key.split(".")[0]
        for language, template in texts.items():
            for text in (template.subject, template.body):
                for _, name, spec, conversion in string.Formatter().parse(text):
                    if name is None:
                        continue
                    assert name.isidentifier(), (key, language, name)
                    assert not spec and conversion is None, (key, language, text)
            used = set(fields_of(template.subject) + fields_of(template.body))
            assert used == required_params(kind), (key, language)


def test_a_deal_given_to_someone_reads_naturally_in_russian_and_in_english() -> None:
    params = {"title": "Сайт для пекарни", "reason": "least loaded: 3/10 points"}
    ru = render(ITEM_ASSIGNED, params, RU, about="deal")
    assert ru.subject == "Сделка «Сайт для пекарни» теперь ваша"
    assert ru.body == "Сделка «Сайт для пекарни» теперь ваша: least loaded: 3/10 points"
    en = render(ITEM_ASSIGNED, params, EN, about="deal")
    assert en.body == "Deal «Сайт для пекарни» is yours: least loaded: 3/10 points"
    assert render(ITEM_ASSIGNED, params, RU, about="lead").subject.startswith("Лид «")
    assert render(ITEM_ASSIGNED, params, EN, about="task").subject.startswith("Task «")
    # An entity without its own wording falls back to the kind's.
    assert (
        render(ITEM_ASSIGNED, params, EN, about="company").subject == "«Сайт для пекарни» is yours"
    )


def test_an_escalation_names_the_wait_and_the_rule() -> None:
    params = {"title": "Shop", "minutes": 31, "rule": "Paid deals to design"}
    assert (
        render(ASSIGNMENT_ESCALATED, params, EN, about="deal").body
        == "Deal «Shop» has waited 31 min for rule «Paid deals to design»"
    )
    assert (
        render(ASSIGNMENT_ESCALATED, params, RU, about="deal").body
        == "Сделка «Shop» ждёт исполнителя 31 мин по правилу «Paid deals to design»"
    )


def test_values_are_text_never_code() -> None:
    hostile = "{title.__class__.__mro__} {0} {reason!r:>99}"
    rendered = render(MESSAGE, {"text": hostile}, EN)
    assert rendered.body == hostile


def test_rendering_never_breaks_a_feed() -> None:
    assert render("kind_from_a_newer_version", {}, RU).body == "kind_from_a_newer_version"
    assert render(ITEM_ASSIGNED, {"title": "Shop"}, EN, about="deal").body == (
        f"Deal «Shop» is yours: {MISSING}"
    )


def test_params_are_checked_before_anything_is_written() -> None:
    with pytest.raises(InvalidValue) as unknown:
        check_params("fireworks", {})
    assert unknown.value.field == "kind"
    with pytest.raises(InvalidValue) as missing:
        check_params(ASSIGNMENT_ESCALATED, {"title": "Shop", "rule": "R"})
    assert missing.value.field == "params.minutes"
    for bad in ([1], {"a": 1}, None, True):
        with pytest.raises(InvalidValue) as wrong:
            check_params(MESSAGE, {"text": bad})
        assert wrong.value.field == "params.text"
    with pytest.raises(InvalidValue):
        check_params(MESSAGE, {"text": "x" * 5001})
    assert check_params(MESSAGE, {"text": "hi", "sender_id": 3}) == {"text": "hi", "sender_id": 3}
    assert {MESSAGE, ITEM_ASSIGNED, ASSIGNMENT_ESCALATED} <= KINDS


def test_the_applications_own_long_values_are_cut_with_an_ellipsis_never_refused() -> None:
    params = {"title": "Shop", "reason": "Not chosen: " + "Oleg — absent; " * 1000}
    checked = check_params(ITEM_ASSIGNED, params, cut=True)
    assert len(checked["reason"]) == MAX_VALUE and checked["reason"].endswith(ELLIPSIS)
    assert checked["reason"][:-1] == params["reason"][: MAX_VALUE - 1]
    assert checked["title"] == "Shop"
    with pytest.raises(InvalidValue) as refused:
        check_params(ITEM_ASSIGNED, params)
    assert refused.value.field == "params.reason"
    # Cutting is for length only: what is wrong otherwise is still refused.
    with pytest.raises(InvalidValue):
        check_params(ITEM_ASSIGNED, {**params, "title": None}, cut=True)


@given(st.text(max_size=300), st.integers(1, 200))
def test_a_shortened_text_fits_and_keeps_its_start(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        assert short == text[: limit - 1] + ELLIPSIS


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9,ru;q=0.8", EN),
        ("ru-RU, en;q=0.5", RU),
        ("de-DE,en;q=0.7,ru;q=0.9", RU),
        ("fr, en;q=0", None),
        ("*", None),
        ("", None),
        (None, None),
        ("en;q=abc, ru;q=0.1", RU),
        ("EN", EN),
    ],
)
def test_the_clients_preferred_language_is_the_best_one_we_speak(
    header: str | None, expected: Language | None
) -> None:
    assert negotiate(header) is expected


@given(st.text(max_size=200))
def test_any_accept_language_header_gives_a_language_or_none(header: str) -> None:
    assert negotiate(header) in (None, EN, RU)
