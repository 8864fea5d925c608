"""`letan sim day`: the real dialog and the real queue engine through a simulated working day."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from letan.cli import app as cli
from robot.clock import FixedClock
from robot.config import load_catalogue_checked, load_centre
from robot.queue import QueueEngine
from simulator.day import plan_day, run_day_report, simulate_day
from tests.conftest import CUA_NAM, PHU_DINH

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
DAY = date(2026, 11, 25)


@pytest.mark.slow
def test_visits_agree_with_the_queue_engine(tmp_path: Path) -> None:
    plan = plan_day(CENTRE, CATALOGUE, DAY, 150, seed=3)
    db = tmp_path / "day.sqlite3"
    visits = simulate_day(CENTRE, CATALOGUE, plan, db)
    engine = QueueEngine(CENTRE, db, FixedClock(plan.citizens[-1].arrives))
    try:
        stats = engine.stats(DAY)
        tickets = engine.tickets(DAY)
    finally:
        engine.close()
    issued = [v for v in visits if v.outcome == "ticket"]
    assert len(issued) == stats.total.tickets == len(tickets) > 100
    assert sum(1 for v in issued if v.no_show) == stats.total.no_shows
    assert stats.total.unfinished == 0  # counters served everyone who got a number
    by_number = {t.number: t for t in tickets}
    for visit in issued:  # the dialog asked for the service the citizen came for
        assert visit.number is not None
        ticket = by_number[visit.number]
        assert ticket.service == visit.service
        assert CENTRE.service_for_procedure(visit.procedure or "") == CENTRE.service(ticket.service)
        assert ticket.priority == visit.priority
    assert any(v.outcome == "turned_away" for v in visits) or all(
        c.arrives.time() < CENTRE.opening_hours.for_date(DAY).morning.cutoff for c in plan.citizens  # type: ignore[union-attr]
    )


@pytest.mark.slow
def test_one_more_chung_thuc_counter_shortens_its_wait(tmp_path: Path) -> None:
    report = run_day_report(CENTRE, CATALOGUE, DAY, tmp_path, seed=5, arrivals=400,
                            what_if_counters={"chung_thuc": 4})
    base, more = (next(s for s in r.kpis.per_service if s.service == "chung_thuc") for r in report.runs)
    assert more.wait_p90_min < base.wait_p90_min
    assert report.runs[0].kpis.tickets == report.runs[1].kpis.tickets  # same citizens, same seed
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "What if" in summary and "chung_thuc" in summary
    assert (tmp_path / "day.png").stat().st_size > 10_000
    data = json.loads((tmp_path / "kpis.json").read_text(encoding="utf-8"))
    assert [r["label"] for r in data["runs"]] == ["baseline", "what-if"]


@pytest.mark.slow
def test_600_citizens_in_under_10_seconds(tmp_path: Path) -> None:
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["sim", "day", "--config", str(PHU_DINH), "--at", "2026-11-25",
                                      "--base-arrivals", "600", "--out", str(tmp_path)])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    assert elapsed < 10, f"{elapsed:.1f} s"
    data = json.loads((tmp_path / "kpis.json").read_text(encoding="utf-8"))
    kpis = data["runs"][0]["kpis"]
    assert kpis["arrivals"] == 600
    assert kpis["referred"] > 0  # Phú Định sends residence procedures to the ward police
    assert kpis["tickets_per_hour"]["09:00"] > kpis["tickets_per_hour"].get("16:00", 0)  # morning peak
