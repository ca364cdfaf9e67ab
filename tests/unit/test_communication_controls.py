"""Communication control definitions as pure rules: defaults, bounds named by field, title
templates, and changes that grow the version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.communication_controls import (
    MAX_TITLE,
    CommunicationControl,
    check_template,
    render,
)
from conveyor.domain.errors import InvalidValue

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def control(**fields: Any) -> CommunicationControl:
    values: dict[str, Any] = {
        "name": "90-day control",
        "pipeline_id": 1,
        "creator_id": 7,
        "timezone": "Europe/Moscow",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return CommunicationControl(**{**values, **fields})


def test_a_new_control_looks_for_90_silent_days_every_morning_and_sets_a_next_day_task() -> None:
    made = control()
    made.check()
    assert (made.silent_days, made.schedule, made.enabled) == (90, "0 9 * * *", True)
    assert made.stage_id is None
    assert made.deal_title_for("Ural Kitchens") == "Client service: Ural Kitchens"
    assert made.task_title_for("Ural Kitchens") == "Contact the client"
    assert (made.deadline_working_days, made.version) == (1, 1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"silent_days": 0}, "silent_days"),
        ({"silent_days": 3651}, "silent_days"),
        ({"deadline_working_days": -1}, "deadline_working_days"),
        ({"deadline_working_days": 251}, "deadline_working_days"),
        ({"deal_title": " "}, "deal_title"),
        ({"deal_title": "Service {client}"}, "deal_title"),
        ({"task_title": "Call {company"}, "task_title"),
        ({"task_title": "x" * (MAX_TITLE + 1)}, "task_title"),
        ({"task_description": "x" * 20_001}, "task_description"),
    ],
)
def test_a_definition_out_of_bounds_is_refused_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        control(**fields).check()
    assert refused.value.field == field


def test_the_bounds_themselves_are_accepted() -> None:
    control(silent_days=1, deadline_working_days=0).check()
    control(silent_days=3650, deadline_working_days=250).check()


def test_a_company_name_is_data_never_a_format() -> None:
    assert render("Service: {company}", "{0} & {company} Ltd") == "Service: {0} & {company} Ltd"
    long = render("{company}", "N" * 400)
    assert len(long) == MAX_TITLE and long.endswith("…")
    assert check_template("Call {company} about {company}", field="task_title")


def test_a_change_names_what_changed_and_grows_the_version_once() -> None:
    made = control()
    later = NOW + timedelta(hours=1)
    assert made.change({"silent_days": 60, "name": "90-day control"}, now=later) == ["silent_days"]
    assert (made.silent_days, made.version, made.updated_at) == (60, 2, later)
    assert made.change({"silent_days": 60}, now=later + timedelta(hours=1)) == []
    assert (made.version, made.updated_at) == (2, later)


@pytest.mark.parametrize("name", ["id", "version", "next_run_at", "created_at", "owner"])
def test_what_only_the_system_sets_cannot_be_changed(name: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        control().change({name: 5}, now=NOW)
    assert refused.value.field == name
