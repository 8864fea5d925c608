"""The simulator's pure parts: console commands, scenario files and checks, the day's plan and KPIs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from robot.config import ConfigError, load_catalogue_checked, load_centre
from robot.paths import SCENARIOS_DIR
from robot.queue.policy import next_open_day, next_opening
from simulator.console import ConsoleError, Meta, parse_line, render
from simulator.day import (
    Visit,
    compute_kpis,
    plan_day,
    procedure_mix,
    queue_lengths,
    with_counters,
)
from simulator.scenario import Expectation, Observation, Step, check, load_scenario
from tests.conftest import CUA_NAM, PHU_DINH

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
TZ = CENTRE.site.tz


def test_console_lines_become_steps() -> None:
    assert parse_line("tôi muốn chứng thực bản sao") == Step(say="tôi muốn chứng thực bản sao")
    assert parse_line("/call 3") == Step(call=3)
    assert parse_line("/fault printer paper-out") == Step(fault="printer paper-out")
    assert parse_line("/unplug scanner") == Step(unplug="scanner")
    assert parse_line("/obstacle on") == Step(obstacle=True)
    assert parse_line("/obstacle off") == Step(obstacle=False)
    assert parse_line("/qr 000.A0.01.H26-210212-9090") == Step(qr="000.A0.01.H26-210212-9090")
    assert parse_line("/wait 90") == Step(wait=90.0)
    assert parse_line("/quit") == Meta("quit")
    assert parse_line("  ") == Meta("nothing")
    for bad in ("/call x", "/obstacle maybe", "/fault printer", "/wav", "/nope", "/wait -1"):
        with pytest.raises(ConsoleError):
            parse_line(bad)


def test_render_shows_ticket_text_and_escapes_markup() -> None:
    line = render(Observation("printed", "A001 [chung_thuc]", {"png": "/tmp/t.png", "lines": ["SỐ A001"]},
                              "2026-11-25T08:05:00+07:00"))
    assert "08:05:00" in line and "/tmp/t.png" in line and "SỐ A001" in line
    assert "\\[chung_thuc]" in line


def test_every_shipped_scenario_file_is_valid() -> None:
    files = sorted(SCENARIOS_DIR.glob("*.yaml"))
    assert files, "no scenarios shipped"
    for path in files:
        scenario = load_scenario(path)
        assert scenario.steps
        centre_path = scenario.centre_path()
        assert centre_path is None or centre_path.exists(), path


def test_bad_scenario_reports_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nsteps:\n  - say: a\n    call: 1\n  - wait: 1\n    expect: [{robot_says: a, alert: b}]\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "steps[0]" in text and "exactly one action" in text
    assert "steps[1].expect[0]" in text and "exactly one check" in text


def test_checks_pass_and_fail_on_what_was_seen() -> None:
    seen = [
        Observation("said", "Dạ, chứng thực làm ở quầy số một ạ."),
        Observation("printed", "A001", {"service": "chung_thuc"}),
        Observation("ticket", "A001", {"priority": True}),
        Observation("event", "letan/v1/cua-nam/queue/ticket/issued"),
        Observation("guide", "arrived", {"arrived": True, "counter": 3}),
        Observation("alert", "printer paper out", {"kind": "printer"}),
    ]
    ok = [
        Expectation(robot_says="quầy số MỘT"), Expectation(ticket_printed="chung_thuc"),
        Expectation(priority_ticket=True), Expectation(event_published="ticket/issued"),
        Expectation(arrived_at_counter=3), Expectation(alert="printer"), Expectation(robot_not_says="hộ tịch"),
    ]
    for expectation in ok:
        assert check(expectation, seen).ok, expectation
    bad = [
        Expectation(robot_says="hộ tịch"), Expectation(ticket_printed="ho_tich"), Expectation(no_ticket_printed=True),
        Expectation(arrived_at_counter=2), Expectation(guide_stopped="obstacle"), Expectation(alert="scanner"),
    ]
    for expectation in bad:
        result = check(expectation, seen)
        assert not result.ok and result.detail, expectation


def test_next_opening_and_working_day() -> None:
    hours = CENTRE.opening_hours
    friday_night = datetime(2026, 11, 27, 22, 0, tzinfo=TZ)
    assert next_opening(hours, friday_night) == datetime(2026, 11, 28, 8, 0, tzinfo=TZ)  # Saturday morning
    saturday_noon = datetime(2026, 11, 28, 12, 30, tzinfo=TZ)
    assert next_opening(hours, saturday_noon) == datetime(2026, 11, 30, 8, 0, tzinfo=TZ)  # no Saturday afternoon
    assert next_open_day(hours, date(2026, 11, 28)) == date(2026, 11, 30)
    assert next_open_day(hours, date(2026, 12, 31)) == date(2027, 1, 2)  # 1 Jan closed


def test_plan_has_a_morning_peak_and_chung_thuc_dominates() -> None:
    day = date(2026, 11, 25)
    plan = plan_day(CENTRE, CATALOGUE, day, 600, seed=7)
    assert len(plan.citizens) == 600
    assert plan == plan_day(CENTRE, CATALOGUE, day, 600, seed=7)  # same seed, same day
    by_hour: dict[int, int] = {}
    for c in plan.citizens:
        by_hour[c.arrives.hour] = by_hour.get(c.arrives.hour, 0) + 1
    assert max(by_hour, key=lambda h: by_hour[h]) in (8, 9)
    assert by_hour.get(8, 0) + by_hour.get(9, 0) > by_hour.get(14, 0) + by_hour.get(15, 0)
    groups: dict[str, int] = {}
    for c in plan.citizens:
        if c.procedure:
            service = CENTRE.service_for_procedure(c.procedure)
            key = service.id if service else "referred"
            groups[key] = groups.get(key, 0) + 1
    assert max(groups, key=lambda k: groups[k]) == "chung_thuc"
    assert groups["chung_thuc"] > 0.4 * len(plan.citizens)
    assert all(c.utterance for c in plan.citizens)
    assert any(c.priority for c in plan.citizens) and any(c.no_show for c in plan.citizens)


def test_mix_keeps_referred_procedures_of_phu_dinh() -> None:
    phu_dinh = load_centre(PHU_DINH, CATALOGUE)
    mix = procedure_mix(phu_dinh, CATALOGUE)
    assert "dang_ky_tam_tru" in mix  # referred to the ward police, still asked about
    assert phu_dinh.service_for_procedure("dang_ky_tam_tru") is None


def test_what_if_counters_adds_and_closes() -> None:
    more = with_counters(CENTRE, {"chung_thuc": 4})
    assert len(more.counters_for_service("chung_thuc")) == 4
    fewer = with_counters(CENTRE, {"chung_thuc": 1})
    assert len(fewer.counters_for_service("chung_thuc")) == 1
    assert len(fewer.counters_for_service("ho_tich")) >= 1
    with pytest.raises(KeyError):
        with_counters(CENTRE, {"nope": 2})


def test_kpis_from_visits() -> None:
    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=TZ)
    visits = [
        Visit(0, t0, "chung_thuc_ban_sao", "ticket", "chung_thuc", "A001", False, t0, t0 + timedelta(minutes=10),
              1, t0 + timedelta(minutes=13)),
        Visit(1, t0, "chung_thuc_ban_sao", "ticket", "chung_thuc", "A002", False, t0, t0 + timedelta(minutes=20),
              2, t0 + timedelta(minutes=22), no_show=True),
        Visit(2, t0, "khai_sinh", "ticket", "ho_tich", "B001", False, t0, t0 + timedelta(minutes=4), 3,
              t0 + timedelta(minutes=14)),
        Visit(3, t0 + timedelta(hours=4), "khai_sinh", "turned_away"),
    ]
    kpis = compute_kpis(date(2026, 11, 25), visits, {"chung_thuc": 3})
    assert (kpis.tickets, kpis.served, kpis.no_shows, kpis.turned_away) == (3, 2, 1, 1)
    assert kpis.wait_median_min == 10.0 and kpis.wait_p90_min == 20.0
    assert kpis.longest_queue == 2 and kpis.longest_queue_service == "chung_thuc"
    assert kpis.tickets_per_hour == {"08:00": 3}
    assert queue_lengths(visits, "chung_thuc", [t0 + timedelta(minutes=15)]) == [1]
