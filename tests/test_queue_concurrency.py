"""Several processes issuing into one SQLite file: unique, gap-free numbers, even through kill -9."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import time
from functools import cache
from pathlib import Path

import pytest

from robot.clock import FixedClock
from robot.config import CentreConfig
from robot.queue import QueueEngine
from tests.test_queue_support import always_open, cua_nam, local
from tests.waiting import wait_until

AT = "2026-11-23T09:00"


@cache
def _centre() -> CentreConfig:
    return always_open(cua_nam(), daily_cap=9999, wrap=9999, digits=4)


def _issue_many(db: str, count: int, start_flag: object) -> None:
    engine = QueueEngine(_centre(), Path(db), FixedClock(local(AT)))
    start_flag.wait()  # type: ignore[attr-defined]
    for i in range(count):
        engine.issue("chung_thuc", priority=(i % 7 == 0))
    engine.close()


def _issue_forever(db: str) -> None:
    engine = QueueEngine(_centre(), Path(db), FixedClock(local(AT)))
    while True:
        engine.issue("chung_thuc")


def _numbers(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT number FROM tickets WHERE service = 'chung_thuc'")]


@pytest.mark.slow
def test_four_processes_issue_2000_unique_gap_free_tickets(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    _centre()  # loaded once, before forking
    QueueEngine(_centre(), db, FixedClock(local(AT))).close()  # create the schema once
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    workers = [ctx.Process(target=_issue_many, args=(str(db), 500, go)) for _ in range(4)]
    for worker in workers:
        worker.start()
    go.set()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    numbers = _numbers(db)
    assert len(numbers) == 2000
    assert sorted(numbers) == [f"A{n:04d}" for n in range(1, 2001)]
    engine = QueueEngine(_centre(), db, FixedClock(local(AT)))
    events = engine.events_after(0, 5000)
    assert [e.number for e in events if e.kind == "issued"] == [t.number for t in engine.tickets()]
    assert engine.issue("chung_thuc").ticket.number == "A2001"


@pytest.mark.slow
def test_kill_9_while_issuing_never_duplicates_or_loses_a_committed_ticket(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    _centre()  # loaded once, before forking
    QueueEngine(_centre(), db, FixedClock(local(AT))).close()
    ctx = multiprocessing.get_context("fork")
    seen: list[str] = []
    for round_no in range(8):
        worker = ctx.Process(target=_issue_forever, args=(str(db),))
        worker.start()
        before = len(seen)
        wait_until(lambda before=before: len(_numbers(db)) > before, "the worker issuing", 30)
        time.sleep(0.01 * round_no)  # then the kill falls a little later each round: the moment is what varies
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        worker.join()
        # every ticket committed before the kill is still there, readable, and numbers run without gaps
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        engine = QueueEngine(_centre(), db, FixedClock(local(AT)))
        tickets = engine.tickets()
        numbers = [t.number for t in tickets]
        assert numbers[: len(seen)] == seen
        assert numbers == [f"A{n:04d}" for n in range(1, len(numbers) + 1)]
        issued_events = [e.number for e in engine.events_after(0, 100000) if e.kind == "issued"]
        assert issued_events == numbers
        seen = numbers
        engine.close()
    assert len(seen) > 8
    engine = QueueEngine(_centre(), db, FixedClock(local(AT)))
    assert engine.issue("chung_thuc").ticket.number == f"A{len(seen) + 1:04d}"


def test_threads_sharing_one_engine(tmp_path: Path) -> None:
    import threading

    engine = QueueEngine(_centre(), tmp_path / "q.sqlite3", FixedClock(local(AT)))
    numbers: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(50):
            number = engine.issue("ho_tich").ticket.number
            with lock:
                numbers.append(number)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"B{n:04d}" for n in range(1, 201)]
    engine.close()
