"""The local dossier store: a SQLite file filled from the one-stop system's CSV export.

Import is all-or-nothing per file for the good rows (one transaction); each bad row is reported
with its line number and the reason, and the good rows are still imported. Re-importing a newer
export updates the dossiers it names. Citizen ID numbers and other unknown columns are not stored.
"""

from __future__ import annotations

import csv
import hmac
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from robot.dossier.providers import record_from_fields, secret_digest
from robot.dossier.status import DossierRecord, Status

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    procedure TEXT NOT NULL DEFAULT '',
    applicant TEXT NOT NULL DEFAULT '',
    received_on TEXT,
    appointment TEXT,
    new_appointment TEXT,
    delay_reason TEXT NOT NULL DEFAULT '',
    counter INTEGER,
    requirements TEXT NOT NULL DEFAULT '',
    opencps_id TEXT UNIQUE,
    opencps_secret_sha256 TEXT
);
"""
_COLUMNS = ("code, status, procedure, applicant, received_on, appointment, new_appointment, delay_reason, "
            "counter, requirements")


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str  # English; never quotes personal fields

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    imported: int
    problems: tuple[RowProblem, ...] = field(default=())


class ImportFileError(Exception):
    """The CSV file cannot be read at all (English, for technicians)."""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class SqliteDossierStore:
    """Implements DossierProvider from a SQLite file."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10.0)
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def put(self, record: DossierRecord, opencps_id: str | None = None, opencps_secret: str | None = None) -> None:
        with self._connect() as conn:
            self._put(conn, record, opencps_id, opencps_secret)

    @staticmethod
    def _put(conn: sqlite3.Connection, rec: DossierRecord, opencps_id: str | None, secret: str | None) -> None:
        conn.execute(
            f"INSERT OR REPLACE INTO dossiers ({_COLUMNS}, opencps_id, opencps_secret_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.code, int(rec.status), rec.procedure, rec.applicant, _iso(rec.received_on), _iso(rec.appointment),
             _iso(rec.new_appointment), rec.delay_reason, rec.counter, rec.requirements, opencps_id or None,
             secret_digest(secret) if secret else None),
        )

    def import_csv(self, csv_path: Path) -> ImportReport:
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except FileNotFoundError:
            raise ImportFileError(f"{csv_path}: no such file") from None
        except UnicodeDecodeError:
            raise ImportFileError(f"{csv_path}: not UTF-8 text (export the CSV as UTF-8)") from None
        except (OSError, csv.Error) as exc:
            raise ImportFileError(f"{csv_path}: cannot read ({exc})") from None
        if rows and "ma_ho_so" not in rows[0]:
            raise ImportFileError(f"{csv_path}: no 'ma_ho_so' column; expected the columns of the export")
        problems: list[RowProblem] = []
        imported = 0
        with self._connect() as conn:
            for index, row in enumerate(rows):
                line = index + 2  # header is line 1
                if None in row:
                    problems.append(RowProblem(line, "more values than columns"))
                    continue
                try:
                    record = record_from_fields(row)
                except ValueError as exc:
                    problems.append(RowProblem(line, str(exc)))
                    continue
                opencps_id = (row.get("opencps_id") or "").strip() or None
                if opencps_id is not None and not opencps_id.isdigit():
                    problems.append(RowProblem(line, "opencps_id: expected digits"))
                    continue
                try:
                    self._put(conn, record, opencps_id, (row.get("opencps_secret") or "").strip() or None)
                except sqlite3.IntegrityError:
                    problems.append(RowProblem(line, "opencps_id: already used by another dossier"))
                    continue
                imported += 1
        return ImportReport(imported, tuple(problems))

    def count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0])

    def by_code(self, code: str) -> DossierRecord | None:
        with self._connect() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM dossiers WHERE code = ?", (code,)).fetchone()
        return self._record(row) if row else None

    def by_opencps(self, dossier_id: str, secret: str) -> DossierRecord | None:
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS}, opencps_secret_sha256 FROM dossiers WHERE opencps_id = ?", (dossier_id,)
            ).fetchone()
        if row is None or row[-1] is None or not hmac.compare_digest(row[-1], secret_digest(secret)):
            return None
        return self._record(row[:-1])

    @staticmethod
    def _record(row: tuple[object, ...]) -> DossierRecord:
        code, status, procedure, applicant, received, appointment, new_appt, reason, counter, needs = row
        return DossierRecord(
            code=str(code), status=Status(int(str(status))), procedure=str(procedure), applicant=str(applicant),
            received_on=_day(received if isinstance(received, str) else None),
            appointment=_day(appointment if isinstance(appointment, str) else None),
            new_appointment=_day(new_appt if isinstance(new_appt, str) else None),
            delay_reason=str(reason), counter=int(str(counter)) if counter is not None else None,
            requirements=str(needs),
        )
