"""Queue engine: numbering, lifecycle and its illegal variants, priority, hours, cap, midnight, events, stats."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from robot.queue import (
    CounterBusy,
    DailyCapReached,
    IllegalTransition,
    QueueClosed,
    QueueEngine,
    TicketStatus,
    UnknownCounter,
    UnknownService,
    UnknownTicket,
)
from tests.test_queue_support import always_open, cua_nam, engine_at, local

MONDAY = "2026-11-23T09:00"  # a Monday, open 08:00-11:30 (cut-off) and 13:30-16:30 in Cửa Nam


@pytest.fixture
def engine(tmp_path: Path):
    eng, _clock = engine_at(cua_nam(), tmp_path / "q.sqlite3", MONDAY)
    yield eng
    eng.close()


def snapshot(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        tickets = conn.execute("SELECT * FROM tickets ORDER BY id").fetchall()
        events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        return [*tickets, ("events", events)]


def test_numbers_per_service_prefix_and_padding(engine: QueueEngine) -> None:
    numbers = [engine.issue("chung_thuc").ticket.number for _ in range(3)]
    assert numbers == ["A001", "A002", "A003"]
    assert engine.issue("ho_tich").ticket.number == "B001"
    issued = engine.issue("chung_thuc")
    assert issued.ticket.number == "A004"
    assert issued.people_ahead == 3
    # 3 people ahead, 3 open counters serve chứng thực (1, 2, 4), 6 minutes each by default
    assert issued.wait_minutes == 6


def test_start_wrap_and_cap_from_config(tmp_path: Path) -> None:
    centre = cua_nam()
    services = tuple(
        s.model_copy(update={"start": 7, "wrap": 9, "digits": 1, "daily_cap": 10}) if s.id == "ho_tich" else s
        for s in centre.services
    )
    eng, _ = engine_at(centre.model_copy(update={"services": services}), tmp_path / "q.sqlite3", MONDAY)
    assert [eng.issue("ho_tich").ticket.number for _ in range(3)] == ["B7", "B8", "B9"]
    # the range 7..9 is exhausted: wrapping would repeat B7 the same day, so the cap is the range
    with pytest.raises(DailyCapReached) as err:
        eng.issue("ho_tich")
    assert "Tư pháp - Hộ tịch" in (err.value.citizen_message or "")
    assert len(eng.tickets()) == 3


def test_daily_cap_refuses_and_changes_nothing(tmp_path: Path) -> None:
    centre = always_open(cua_nam(), daily_cap=2)
    eng, _ = engine_at(centre, tmp_path / "q.sqlite3", MONDAY)
    eng.issue("chung_thuc")
    eng.issue("chung_thuc")
    before = snapshot(tmp_path / "q.sqlite3")
    with pytest.raises(DailyCapReached) as err:
        eng.issue("chung_thuc")
    assert "cap of 2" in str(err.value)
    assert err.value.citizen_message and "hết số" in err.value.citizen_message
    assert snapshot(tmp_path / "q.sqlite3") == before
    assert eng.issue("ho_tich").ticket.number == "B001"  # other services still issue


@pytest.mark.parametrize(
    ("at", "reason", "next_opening", "words"),
    [
        ("2026-11-23T07:30", "before opening", "2026-11-23T08:00", "tám giờ sáng hôm nay"),
        ("2026-11-23T11:45", "between sessions", "2026-11-23T13:30", "một giờ rưỡi chiều hôm nay"),
        ("2026-11-23T16:31", "after cutoff", "2026-11-24T08:00",
         "tám giờ sáng thứ Ba, ngày hai mươi tư tháng mười một"),
        ("2026-11-28T12:00", "after cutoff", "2026-11-30T08:00", "tám giờ sáng thứ Hai, ngày ba mươi tháng mười một"),
        ("2026-11-29T10:00", "closed day", "2026-11-30T08:00", "Hôm nay trung tâm không làm việc"),
        ("2026-09-01T09:00", "closed day", "2026-09-03T08:00", "tám giờ sáng thứ Năm, ngày ba tháng chín"),  # holiday
    ],
)
def test_closed_hours_refuse_with_reason_and_next_opening(
    tmp_path: Path, at: str, reason: str, next_opening: str, words: str,
) -> None:
    eng, _ = engine_at(cua_nam(), tmp_path / "q.sqlite3", at)
    with pytest.raises(QueueClosed) as err:
        eng.issue("chung_thuc")
    assert reason in str(err.value)
    assert err.value.next_opening == local(next_opening)
    assert words in (err.value.citizen_message or "")
    assert eng.tickets() == []


def test_open_edges(tmp_path: Path) -> None:
    eng, clock = engine_at(cua_nam(), tmp_path / "q.sqlite3", "2026-11-23T08:00")
    assert eng.issue("chung_thuc").ticket.number == "A001"
    clock.set(local("2026-11-23T11:29:59"))
    assert eng.issue("chung_thuc").ticket.number == "A002"
    clock.set(local("2026-11-23T11:30"))
    with pytest.raises(QueueClosed):
        eng.issue("chung_thuc")


def test_full_lifecycle_with_timestamps_and_events(engine: QueueEngine, tmp_path: Path) -> None:
    clock = engine.clock
    a1 = engine.issue("chung_thuc").ticket
    clock.sleep(60)  # type: ignore[attr-defined]
    called = engine.call_next(1)
    assert called is not None and called.number == a1.number and called.status == TicketStatus.CALLED
    assert called.counter == 1 and called.call_count == 1
    assert called.called_at == local("2026-11-23T09:01")
    clock.sleep(30)  # type: ignore[attr-defined]
    recalled = engine.recall(1)
    assert recalled.call_count == 2 and recalled.called_at == called.called_at
    serving = engine.start_serving(a1.number)
    assert serving.status == TicketStatus.SERVING and serving.serving_at == local("2026-11-23T09:01:30")
    clock.sleep(300)  # type: ignore[attr-defined]
    done = engine.done(a1.number)
    assert done.status == TicketStatus.DONE and done.finished_at == local("2026-11-23T09:06:30")
    events = engine.events_after(0, 100)
    assert [e.kind for e in events] == ["issued", "called", "recalled", "serving", "done"]
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert events[1].counter == 1 and events[1].at == "2026-11-23T09:01:00.000+07:00"
    assert engine.events_after(events[2].id, 100)[0].kind == "serving"
    assert len(engine.events_after(0, 2)) == 2
    # the next estimate uses the real service time (5 minutes)
    for _ in range(3):
        engine.issue("chung_thuc")
    assert engine.issue("chung_thuc").wait_minutes == 5  # 3 ahead * 5 min / 3 counters


def test_no_show_cancel_park_unpark_transfer(engine: QueueEngine) -> None:
    a1, a2, a3 = (engine.issue("chung_thuc").ticket for _ in range(3))
    engine.call(a2.number, counter=2)
    assert engine.no_show(a2.number).status == TicketStatus.NO_SHOW
    assert engine.cancel(a3.number).status == TicketStatus.CANCELLED
    parked = engine.park(a1.number)
    assert parked.status == TicketStatus.PARKED and parked.parked_at is not None
    assert engine.call_next(1) is None  # nobody waiting: a parked ticket is not called
    assert engine.unpark(a1.number).status == TicketStatus.WAITING
    moved = engine.transfer(a1.number, "ho_tich")
    assert moved.number == a1.number and moved.service == "ho_tich" and moved.status == TicketStatus.WAITING
    b = engine.call_next(3)  # counter 3 serves hộ tịch only
    assert b is not None and b.number == a1.number
    kinds = [e.kind for e in engine.events_after(0, 100)]
    assert kinds == ["issued"] * 3 + ["called", "no_show", "cancelled", "parked", "unparked", "transferred", "called"]
    transferred = next(e for e in engine.events_after(0, 100) if e.kind == "transferred")
    assert transferred.from_service == "chung_thuc" and transferred.service == "ho_tich"


def test_park_while_serving_frees_the_counter(engine: QueueEngine) -> None:
    a1, a2 = (engine.issue("chung_thuc").ticket for _ in range(2))
    engine.call_next(1)
    engine.start_serving(a1.number)
    engine.park(a1.number)
    assert engine.current(1) is None
    nxt = engine.call_next(1)
    assert nxt is not None and nxt.number == a2.number
    engine.unpark(a1.number)
    engine.no_show(a2.number)
    again = engine.call_next(1)
    assert again is not None and again.number == a1.number  # back at its original place


ILLEGAL = [
    # (setup actions applied to A001, illegal action)
    ([], "start_serving"), ([], "done"), ([], "no_show"), ([], "unpark"), ([], "recall"),
    (["call"], "call"), (["call"], "done"), (["call"], "unpark"),
    (["call", "start_serving"], "no_show"), (["call", "start_serving"], "start_serving"),
    (["call", "start_serving"], "cancel"), (["call", "start_serving"], "recall"),
    (["call", "start_serving", "done"], "call"),
    (["call", "start_serving", "done"], "cancel"), (["call", "start_serving", "done"], "transfer"),
    (["call", "start_serving", "done"], "park"),
    (["call", "no_show"], "call"), (["call", "no_show"], "done"), (["cancel"], "call"), (["cancel"], "unpark"),
    (["park"], "call"), (["park"], "park"), (["park"], "start_serving"), (["park"], "done"),
]


def _act(engine: QueueEngine, action: str, number: str) -> object:
    if action == "call":
        return engine.call(number, counter=1)
    if action == "recall":
        return engine.recall(1)
    if action == "transfer":
        return engine.transfer(number, "ho_tich")
    return getattr(engine, action)(number)


@pytest.mark.parametrize(("setup", "illegal"), ILLEGAL)
def test_illegal_transitions_raise_and_change_nothing(
    tmp_path: Path, setup: list[str], illegal: str,
) -> None:
    db = tmp_path / "q.sqlite3"
    eng, _ = engine_at(cua_nam(), db, MONDAY)
    number = eng.issue("chung_thuc").ticket.number
    for action in setup:
        _act(eng, action, number)
    before = snapshot(db)
    with pytest.raises((IllegalTransition, UnknownTicket)) as err:
        _act(eng, illegal, number)
    assert str(err.value)  # an English sentence for the technician
    if isinstance(err.value, IllegalTransition):
        assert number in str(err.value) and "expected" in str(err.value)
    assert snapshot(db) == before


def test_transfer_to_the_same_service_is_refused(engine: QueueEngine) -> None:
    a1 = engine.issue("chung_thuc").ticket
    with pytest.raises(IllegalTransition, match="already in service"):
        engine.transfer(a1.number, "chung_thuc")


def test_counter_rules(engine: QueueEngine) -> None:
    a1, a2 = (engine.issue("chung_thuc").ticket for _ in range(2))
    b1 = engine.issue("ho_tich").ticket
    with pytest.raises(UnknownCounter, match="no counter 42"):
        engine.call_next(42)
    with pytest.raises(UnknownCounter, match="does not serve"):
        engine.call(b1.number, counter=1)
    engine.call_next(1)
    with pytest.raises(CounterBusy, match=f"still has ticket {a1.number}"):
        engine.call_next(1)
    with pytest.raises(CounterBusy):
        engine.call(a2.number, counter=1)
    with pytest.raises(UnknownTicket, match="no called ticket"):
        engine.recall(2)
    with pytest.raises(UnknownTicket, match="no ticket A999"):
        engine.done("A999")
    with pytest.raises(UnknownService, match="no service 'visa'"):
        engine.issue("visa")
    # counter 4 serves hộ tịch and chứng thực: oldest waiting of both, A002 (issued before B001)
    picked = engine.call_next(4)
    assert picked is not None and picked.number == a2.number


def test_call_out_of_order(engine: QueueEngine) -> None:
    tickets = [engine.issue("chung_thuc").ticket for _ in range(4)]
    assert engine.call(tickets[2].number.lower(), counter=2).number == tickets[2].number
    nxt = engine.call_next(1)
    assert nxt is not None and nxt.number == tickets[0].number


def test_strict_priority(tmp_path: Path) -> None:
    centre = cua_nam()
    centre = centre.model_copy(update={"queue": centre.queue.model_copy(update={"priority_mode": "strict"})})
    eng, _ = engine_at(centre, tmp_path / "q.sqlite3", MONDAY)
    n1, n2 = eng.issue("chung_thuc").ticket, eng.issue("chung_thuc").ticket
    p1 = eng.issue("chung_thuc", priority=True)
    assert p1.people_ahead == 0
    assert eng.issue("chung_thuc").people_ahead == 3
    order = []
    for _ in range(4):
        ticket = eng.call_next(1)
        assert ticket is not None
        order.append(ticket.number)
        eng.no_show(ticket.number)
    assert order[:3] == [p1.ticket.number, n1.number, n2.number]


def test_interleave_one_priority_after_every_n(tmp_path: Path) -> None:
    centre = cua_nam()
    centre = centre.model_copy(update={"queue": centre.queue.model_copy(
        update={"priority_mode": "interleave", "priority_every": 2})})
    eng, _ = engine_at(centre, tmp_path / "q.sqlite3", MONDAY)
    normal = [eng.issue("chung_thuc").ticket.number for _ in range(5)]
    prio = [eng.issue("chung_thuc", priority=True).ticket.number for _ in range(2)]
    order = []
    while (ticket := eng.call_next(1)) is not None:
        order.append(ticket.number)
        eng.start_serving(ticket.number)
        eng.done(ticket.number)
    assert order == [normal[0], normal[1], prio[0], normal[2], normal[3], prio[1], normal[4]]


def test_midnight_rollover_in_local_time_keeps_the_previous_day(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    eng, clock = engine_at(always_open(cua_nam()), db, "2026-11-24T06:30")  # 23:30 UTC on the 23rd
    assert eng.issue("chung_thuc").ticket.number == "A001"
    clock.set(local("2026-11-24T07:30"))  # 00:30 UTC on the 24th: same local day, no reset
    assert eng.issue("chung_thuc").ticket.number == "A002"
    clock.set(local("2026-11-24T23:58:59"))
    last = eng.issue("chung_thuc").ticket
    assert last.number == "A003" and last.day == date(2026, 11, 24)
    clock.set(local("2026-11-25T00:00:01"))
    first = eng.issue("chung_thuc").ticket
    assert first.number == "A001" and first.day == date(2026, 11, 25)
    # yesterday's waiting tickets are not called today; yesterday is kept for statistics
    called = eng.call_next(1)
    assert called is not None and called.number == "A001" and called.day == date(2026, 11, 25)
    assert eng.call_next(2) is None
    assert eng.stats(date(2026, 11, 24)).total.tickets == 3
    assert eng.ticket("A003", day=date(2026, 11, 24)).status == TicketStatus.WAITING
    eng.close()
    # a restart on the new day continues the numbering (no duplicate A001)
    eng2, _ = engine_at(always_open(cua_nam()), db, "2026-11-25T00:05")
    assert eng2.issue("chung_thuc").ticket.number == "A002"


def test_restart_continues_numbering(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    eng, _ = engine_at(cua_nam(), db, MONDAY)
    eng.issue("chung_thuc")
    eng.close()
    eng2, _ = engine_at(cua_nam(), db, "2026-11-23T10:00")
    assert eng2.issue("chung_thuc").ticket.number == "A002"


def test_status_snapshot_and_position(engine: QueueEngine) -> None:
    a = [engine.issue("chung_thuc").ticket for _ in range(4)]
    engine.issue("ho_tich", priority=True)
    engine.call_next(1)
    engine.park(a[3].number)
    snap = engine.status()
    svc = snap.service("chung_thuc")
    assert (svc.waiting, svc.parked, svc.in_service, svc.issued_today) == (2, 1, 1, 4)
    assert svc.open_counters == (1, 2, 4)
    assert snap.service("ho_tich").priority_waiting == 1
    counter1 = next(c for c in snap.counters if c.counter == 1)
    assert counter1.current is not None and counter1.current.number == a[0].number
    assert counter1.last_called == a[0].number
    assert engine.position(a[2].number).people_ahead == 1
    assert engine.position(a[0].number).people_ahead == 0
    data = snap.to_json()
    assert data["services"][0]["service"] == "chung_thuc" and data["at"].endswith("+07:00")


def test_stats_per_service_and_counter(engine: QueueEngine) -> None:
    clock = engine.clock
    numbers = [engine.issue("chung_thuc").ticket.number for _ in range(3)]
    for i, counter in enumerate((1, 2)):
        clock.sleep(60 * (i + 1))  # type: ignore[attr-defined]
        engine.call(numbers[i], counter)
        engine.start_serving(numbers[i])
        clock.sleep(120)  # type: ignore[attr-defined]
        engine.done(numbers[i])
    engine.call(numbers[2], 1)
    engine.no_show(numbers[2])
    stats = engine.stats()
    total = stats.total
    assert (total.tickets, total.served, total.no_shows) == (3, 2, 1)
    assert total.service.median_s == 120.0 and total.service.count == 2
    assert total.waiting.count == 3
    by_counter = {c.key: c for c in stats.counters}
    assert by_counter["1"].served == 1 and by_counter["1"].no_shows == 1 and by_counter["2"].served == 1
    assert stats.to_json()["services"][0]["key"] == "chung_thuc"


def test_numbers_are_per_reception_point(tmp_path: Path) -> None:
    from robot.config import load_catalogue_checked, load_centre
    from tests.conftest import PHU_DINH

    centre = load_centre(PHU_DINH, load_catalogue_checked())
    eng, _ = engine_at(centre, tmp_path / "q.sqlite3", MONDAY)
    main = eng.issue("chung_thuc").ticket
    satellite = eng.issue("chung_thuc", point_id="diem-1").ticket
    assert (main.number, main.point) == ("A001", "tru-so-chinh")
    assert (satellite.number, satellite.point) == ("A001", "diem-1")
    assert eng.issue("chung_thuc", point_id="diem-1").ticket.number == "A002"
    called = eng.call_next(1, "diem-1")
    assert called is not None and called.point == "diem-1" and called.number == "A001"
    assert eng.ticket("A001").status == TicketStatus.WAITING  # the main centre's A001 is untouched
    assert {c.key for c in eng.stats().counters} == {"diem-1/1"}
