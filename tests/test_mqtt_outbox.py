"""The SQLite outbox on its own (real files): sequence numbers are never reused, acknowledged rows are deleted
by runs, and a file made with the older AUTOINCREMENT layout is converted with its rows and numbering."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from robot.mqtt.outbox import Outbox, OutgoingMessage, _runs

MSG = OutgoingMessage("letan/v1/site/robot-1/navigation", b'{"n": 1}')


def test_runs_of_consecutive_numbers() -> None:
    assert _runs([]) == []
    assert _runs([1, 2, 3, 7, 9, 10]) == [(1, 3), (7, 7), (9, 10)]


def test_numbers_are_never_reused_after_the_outbox_empties(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "out.db")
    assert [outbox.add(MSG) for _ in range(3)] == [1, 2, 3]
    outbox.delete([1, 2, 3])
    assert outbox.count() == 0 and outbox.last_seq() == 3
    assert outbox.add(MSG) == 4  # plain rowids would start again at 1
    outbox.delete([4])
    outbox.close()
    again = Outbox(tmp_path / "out.db")  # and after a restart
    assert again.last_seq() == 4 and again.add(MSG) == 5
    again.close()


def test_delete_leaves_rows_not_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "out.db")
    for _ in range(10):
        outbox.add(MSG)
    outbox.delete([2, 3, 4, 7, 3])
    assert [row.seq for row in outbox.pending()] == [1, 5, 6, 8, 9, 10]
    outbox.delete([10])  # the newest: the floor moves, the older rows stay and keep their order
    assert [row.seq for row in outbox.pending()] == [1, 5, 6, 8, 9]
    assert outbox.add(MSG) == 11
    outbox.close()


def test_an_autoincrement_outbox_is_converted_with_its_rows_and_numbering(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
                             qos INTEGER NOT NULL DEFAULT 1, retain INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE cursors (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
        INSERT INTO outbox (topic, payload) VALUES ('a', x'31'), ('b', x'32'), ('c', x'33'), ('d', x'34');
        DELETE FROM outbox WHERE seq IN (1, 4);
        INSERT INTO cursors VALUES ('queue-events', 12);
    """)
    old.commit()
    old.close()
    outbox = Outbox(path)
    assert [(row.seq, row.topic, row.payload) for row in outbox.pending()] == [(2, "b", b"2"), (3, "c", b"3")]
    assert outbox.last_seq() == 4 and outbox.cursor("queue-events") == 12
    assert outbox.add(MSG) == 5  # 4 was used (and acknowledged) before the conversion
    outbox.close()
    schema = sqlite3.connect(path).execute("SELECT sql FROM sqlite_master WHERE name = 'outbox'").fetchone()[0]
    assert "AUTOINCREMENT" not in schema.upper()
