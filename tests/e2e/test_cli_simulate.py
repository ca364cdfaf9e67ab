"""``conveyor simulate`` as a head uses it: a table per policy, a chart, readable refusals."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conveyor.cli.main import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}
POLICIES = (
    "round robin",
    "least loaded",
    "fair share",
    "least loaded + look-ahead",
    "batch every 10 min",
)
HEADERS = ("Mean wait", "p95 wait", "Overdue", "Load spread", "Load Gini", "Utilization")


def simulate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["simulate", *args], env=WIDE)
    return result.exit_code, result.output


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), output
    return lines[0]


def test_a_default_run_prints_one_row_per_policy_with_every_figure() -> None:
    code, output = simulate()
    assert code == 0, output
    assert "Synthetic demand (seed 1)" in output and "offered load" in output
    for header in HEADERS:
        assert header in output
    rows = [line for line in output.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == list(POLICIES)
    # The batch row waits minutes; a row deciding on arrival has at least one zero p95.
    assert "0 s" in rows[1]


def test_the_same_seed_prints_the_same_table_and_another_seed_another() -> None:
    options = ("--days", "10", "--employees", "5")
    first = simulate("--seed", "4", *options)
    assert first == simulate("--seed", "4", *options)
    assert first[1] != simulate("--seed", "5", *options)[1]


def test_plot_writes_a_png_chart(tmp_path: Path) -> None:
    chart = tmp_path / "policies.png"
    code, output = simulate("--days", "10", "--plot", str(chart))
    assert code == 0, output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.stat().st_size > 10_000
    assert f"Chart written to {chart}" in output.replace("\n", "")


def test_a_chart_that_is_not_a_png_or_has_no_folder_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    code, output = simulate("--plot", str(tmp_path / "chart.jpg"))
    assert code == 1 and "PNG" in one_error_line(output)
    code, output = simulate("--plot", str(tmp_path / "missing" / "chart.png"))
    assert code == 1 and "No such folder" in one_error_line(output)
    assert not list(tmp_path.iterdir())


def test_demand_from_a_csv_file_is_replayed(tmp_path: Path) -> None:
    demand = tmp_path / "demand.csv"
    demand.write_text(
        "arrival,weight,duration,deadline,category\n"
        "2026-03-02T09:05,1,1.5,,design\n"
        "2026-03-02T09:20,2,3,2026-03-03T18:00,dev\n"
        "2026-03-03T11:00,1,0.5,2026-03-03T12:00,design\n",
        encoding="utf-8",
    )
    code, output = simulate("--csv", str(demand), "--employees", "3")
    assert code == 0, output
    assert "Demand from demand.csv" in output and "3 items" in output
    assert "batch every 10 min" in output


def test_a_bad_csv_is_one_line_naming_row_and_column_and_a_non_zero_exit(tmp_path: Path) -> None:
    demand = tmp_path / "demand.csv"
    demand.write_text(
        "arrival,weight,duration,deadline\n2026-03-02T09:05,1,1.5,\n2026-03-02T09:20,heavy,3,\n",
        encoding="utf-8",
    )
    code, output = simulate("--csv", str(demand))
    assert code != 0
    line = one_error_line(output)
    assert "row 3" in line and "column weight" in line and "'heavy'" in line


def test_a_missing_csv_file_is_one_line_too(tmp_path: Path) -> None:
    code, output = simulate("--csv", str(tmp_path / "nowhere.csv"))
    assert code != 0 and "nowhere.csv" in one_error_line(output)


def test_conflicting_or_impossible_options_are_one_readable_line() -> None:
    code, output = simulate("--csv", "a.csv", "--history", "30")
    assert code == 1 and "not both" in one_error_line(output)
    code, output = simulate("--rule", "3")
    assert code == 1 and "--history" in one_error_line(output)
    code, output = simulate("--employees", "0")
    assert code == 1 and "(employees)" in one_error_line(output)
    code, output = simulate("--capacity", "0")
    assert code == 1 and "(capacity)" in one_error_line(output)
    code, output = simulate("--cycle-minutes", "0")
    assert code == 1 and "(cycle_minutes)" in one_error_line(output)
