"""DossierDesk end to end: payload in, Vietnamese answer out, with real SQLite stores and the real queue engine."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from dialogs.numbers import counter_words, ticket_words
from dialogs.ports import DossierAnswer
from robot.clock import FixedClock, SimClock
from robot.config import DossierSettings, load_centre
from robot.dossier.desk import BUSY, UNREADABLE, DossierDesk, build_desk
from robot.dossier.limits import RateLimiter
from robot.dossier.store import SqliteDossierStore
from robot.dossier.ticket_status import queue_ticket_position
from robot.paths import CONFIG_DIR
from robot.queue.engine import QueueEngine
from robot.ticket_ref import TicketRef
from simulator.dossier_service import FakeDossierService
from tests.conftest import CUA_NAM

TZ = load_centre(CUA_NAM).site.tz
MONDAY_9 = datetime(2026, 1, 5, 9, 0, tzinfo=TZ)
SAMPLE = CONFIG_DIR / "dossiers-sample.csv"


@pytest.fixture
def store(tmp_path: Path) -> SqliteDossierStore:
    store = SqliteDossierStore(tmp_path / "dossiers.sqlite3")
    assert not store.import_csv(SAMPLE).problems
    return store


def desk_for(store: SqliteDossierStore, per_minute: int = 100, clock: SimClock | None = None) -> DossierDesk:
    clock = clock or SimClock(MONDAY_9)
    return DossierDesk(store, clock, RateLimiter(per_minute, clock.monotonic))


def test_scanned_receipt_url_gives_status_and_next_step(store: SqliteDossierStore) -> None:
    answer = desk_for(store).lookup(
        "https://dichvucong.hanoi.gov.vn/portaldvc/tra-cuu?SGT=001203004567&MHS=000.A0.01.H26-260105-0005")
    assert answer.ok and answer.kind == "dossier"
    assert "Yêu cầu bổ sung giấy tờ" in answer.text and "quầy số 3" in answer.text
    assert "Vũ V** M" in answer.text and "Vũ Văn Mẫu" not in answer.text
    assert "001203004567" not in answer.text


def test_overdue_dossier_gets_the_apology(store: SqliteDossierStore) -> None:
    result = desk_for(store).lookup_result("000.A0.01.H26-251201-0011")
    assert result.overdue and result.status_name == "Quá hạn" and result.new_appointment == "2026-01-20"
    assert "phiếu xin lỗi và hẹn lại" in result.text and "20/01/2026" in result.text


def test_opencps_key_and_wrong_secret(store: SqliteDossierStore) -> None:
    desk = desk_for(store)
    assert desk.lookup("D-demo4secret-1001").kind == "dossier"
    assert desk.lookup("D-guessing-1001") == desk.lookup("000.A0.01.H26-260105-9999")
    assert desk.lookup("D-guessing-1001").kind == "not_found"


def test_unreadable_payload_offers_help(store: SqliteDossierStore) -> None:
    answer = desk_for(store).lookup("WIFI:S:cafe;T:WPA;P:12345678;;")
    assert answer == DossierAnswer(False, UNREADABLE, "unreadable")
    assert "em không đọc được mã này" in answer.text


def test_rate_limit_per_minute(store: SqliteDossierStore) -> None:
    clock = SimClock(MONDAY_9)
    desk = desk_for(store, per_minute=3, clock=clock)
    answers = [desk.lookup("000.A0.01.H26-260105-0002") for _ in range(4)]
    assert [a.ok for a in answers] == [True, True, True, False] and answers[3].text == BUSY
    assert desk.lookup("nonsense").kind == "unreadable"  # unreadable scans do not hit the store
    clock.advance(60)
    assert desk.lookup("000.A0.01.H26-260105-0002").ok


def test_http_service_down_gives_a_polite_answer(tmp_path: Path) -> None:
    with FakeDossierService({}) as service:
        settings = DossierSettings(provider="http", url_template=service.url_template, allowed_hosts=("127.0.0.1",),
                                   timeout_s=0.3, retries=0, breaker_failures=1)
        desk = build_desk(settings, tmp_path / "dossiers.sqlite3", SimClock(MONDAY_9))
        assert desk.lookup("000.A0.01.H26-260105-0002").kind == "not_found"
        service.fault = "garbage"
        down = desk.lookup("000.A0.01.H26-260105-0002")
        assert down.kind == "unavailable" and "thử lại sau" in down.text
        requests = len(service.requests)
        assert desk.lookup("000.A0.01.H26-260105-0002").kind == "unavailable"
        assert len(service.requests) == requests  # circuit open: the robot answers without waiting
    with pytest.raises(ValueError, match="url_template"):
        build_desk(DossierSettings(provider="http"), tmp_path / "dossiers.sqlite3", SimClock(MONDAY_9))


def test_own_ticket_gives_position_and_wait_from_the_queue_engine(store: SqliteDossierStore, tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    clock = FixedClock(MONDAY_9)
    with QueueEngine(centre, tmp_path / "queue.sqlite3", clock) as engine:
        issued = [engine.issue("chung_thuc") for _ in range(3)]
        desk = DossierDesk(store, clock, RateLimiter(10, clock.monotonic), queue_ticket_position(engine))
        point = centre.point().id
        third = TicketRef(centre.site.id, point, MONDAY_9.date(), issued[2].ticket.number)
        answer = desk.lookup(third.encode())
        assert answer.ok and answer.kind == "ticket"
        assert f"số {ticket_words(issued[2].ticket.number)}" in answer.text
        assert "phía trước còn hai người" in answer.text
        first = TicketRef(centre.site.id, point, MONDAY_9.date(), issued[0].ticket.number)
        counter = centre.counters_for_service("chung_thuc")[0].number
        engine.call_next(counter)
        called = desk.lookup(first.encode())
        assert counter_words(counter) in called.text
        other_site = TicketRef("phu-dinh", point, MONDAY_9.date(), "A001")
        assert desk.lookup(other_site.encode()).kind == "not_found"
        unknown = TicketRef(centre.site.id, point, MONDAY_9.date(), "A999")
        assert desk.lookup(unknown.encode()).kind == "not_found"
        yesterday = TicketRef(centre.site.id, point, datetime(2026, 1, 4).date(), "A001")
        assert "không dùng được hôm nay" in desk.lookup(yesterday.encode()).text


def test_ticket_without_queue_wiring_is_unavailable(store: SqliteDossierStore) -> None:
    answer = desk_for(store).lookup("LETAN-T:cua-nam:trung-tam:20260105:A001")
    assert answer.kind == "unavailable"


def test_logs_name_the_kind_never_the_payload(store: SqliteDossierStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    desk_for(store).lookup("https://x.example/?SGT=079199001234&MHS=000.A0.01.H26-260105-0005")
    assert "DossierCode lookup -> dossier" in caplog.text
    assert "079199001234" not in caplog.text
