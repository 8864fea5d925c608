"""State outside the code (issue 14, item 3): the state directory, relative paths of a centre file, simulator
runs, and the bad input around them (an unwritable state directory, a queue database of a newer letan)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from robot.clock import FixedClock
from robot.config import CentreConfig, load_catalogue_checked, load_centre
from robot.paths import CONFIG_DIR, StateDirError, ensure_state_dir, state_dir
from robot.queue import QueueEngine
from robot.queue.store import SCHEMA_VERSION, NewerSchema
from tests.conftest import CUA_NAM

LETAN = [sys.executable, "-m", "letan"]
WEDNESDAY_9 = "2026-11-25T09:00"


def wednesday(centre: CentreConfig) -> FixedClock:
    return FixedClock(datetime.fromisoformat(WEDNESDAY_9).replace(tzinfo=centre.site.tz))


def letan(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LETAN, *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=timeout)


def test_state_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LETAN_STATE_DIR")
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "letan"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")  # the XDG spec: relative values are invalid
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "letan"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "letan"
    monkeypatch.setenv("LETAN_STATE_DIR", str(tmp_path / "chosen"))
    assert state_dir() == tmp_path / "chosen"
    assert not (tmp_path / "chosen").exists()  # only named; ensure_state_dir creates it
    assert ensure_state_dir() == tmp_path / "chosen" and (tmp_path / "chosen").is_dir()


def test_state_files_default_to_the_state_directory(letan_state_dir: Path) -> None:
    centre = load_centre(CUA_NAM, load_catalogue_checked())
    assert centre.queue_db_path() == letan_state_dir / "cua-nam-queue.sqlite3"
    assert centre.outbox_path() == letan_state_dir / "cua-nam-outbox.sqlite3"
    assert centre.dossier_db_path() == letan_state_dir / "cua-nam-dossiers.sqlite3"


def test_queue_issue_without_db_writes_in_the_state_directory(tmp_path: Path) -> None:
    state = tmp_path / "state"
    proc = letan("queue", "issue", "--service", "chung_thuc", "--at", WEDNESDAY_9, "--config", str(CUA_NAM),
                 cwd=tmp_path, env={"LETAN_STATE_DIR": str(state)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("A001")
    assert sorted(p.name for p in state.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "cua-nam-queue.sqlite3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]  # nothing in the working directory


@pytest.mark.slow
def test_unwritable_state_directory_is_one_line_naming_it(tmp_path: Path) -> None:
    """Root can write anywhere a folder exists: a folder under a regular file cannot exist, for root too."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    state = blocker / "state"
    proc = letan("queue", "issue", "--service", "chung_thuc", "--at", WEDNESDAY_9, "--config", str(CUA_NAM),
                 cwd=tmp_path, env={"LETAN_STATE_DIR": str(state)})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0] == (f"state directory {state} is not writable (Not a directory); "
                        "set LETAN_STATE_DIR to a writable folder")
    proc = letan("run", "--config", str(CUA_NAM), cwd=tmp_path, env={"LETAN_STATE_DIR": str(state)}, timeout=60)
    assert proc.returncode == 2 and str(state) in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    proc = letan("sim", "--demo", "--keep", cwd=tmp_path, env={"LETAN_STATE_DIR": str(state)}, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"state directory {state / 'sim'} is not writable (Not a directory)"), proc.stderr


def test_ensure_state_dir_names_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv("LETAN_STATE_DIR", str(tmp_path / "a-file"))
    with pytest.raises(StateDirError, match=f"^state directory {tmp_path / 'a-file'} is not writable"):
        ensure_state_dir()


@pytest.mark.slow
def test_queue_database_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "newer.sqlite3"
    centre = load_centre(CUA_NAM, load_catalogue_checked())
    QueueEngine(centre, db, wednesday(centre)).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)  # versioned when created
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(NewerSchema, match="newer than this letan"):
        QueueEngine(centre, db, wednesday(centre))
    proc = letan("queue", "issue", "--service", "chung_thuc", "--at", WEDNESDAY_9, "--config", str(CUA_NAM),
                 "--db", str(db), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip() == (f"queue database {db} has schema version {SCHEMA_VERSION + 1}, newer than this "
                                   f"letan's ({SCHEMA_VERSION}): upgrade letan, or use another database (--db)")
    with sqlite3.connect(db) as conn:  # refused, not touched
        assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (0,)


def test_a_database_made_before_versions_is_taken_and_versioned(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    centre = load_centre(CUA_NAM, load_catalogue_checked())
    QueueEngine(centre, db, wednesday(centre)).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 0")
    with QueueEngine(centre, db, wednesday(centre)) as engine:
        assert engine.issue("chung_thuc").ticket.number == "A001"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_relative_paths_of_a_centre_file_resolve_against_its_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    text = CUA_NAM.read_text(encoding="utf-8")
    text, n = re.subn(r"^queue: \{", "queue: {db: data/queue.sqlite3, ", text, flags=re.M)
    assert n == 1
    (site / "ward.yaml").write_text(text, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = letan("queue", "issue", "--service", "chung_thuc", "--at", WEDNESDAY_9,
                 "--config", "../site/ward.yaml", cwd=elsewhere, env={"LETAN_STATE_DIR": str(tmp_path / "state")})
    assert proc.returncode == 0, proc.stderr
    assert (site / "data" / "queue.sqlite3").is_file()
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "state").exists()
    # The same in process, whatever the working directory is later.
    centre = load_centre(Path(os.path.relpath(site / "ward.yaml")), load_catalogue_checked())
    assert centre.queue_db_path() == site / "data" / "queue.sqlite3"
    assert centre.resolve_path("/abs/x.sqlite3") == Path("/abs/x.sqlite3")


def test_the_sample_centres_are_letan_data() -> None:
    """The sample centres write nothing next to themselves: none of their state paths is set."""
    for path in sorted((CONFIG_DIR / "centres").glob("*.yaml")):
        centre = load_centre(path, load_catalogue_checked())
        assert (centre.queue.db, centre.dossier.db, centre.mqtt.outbox) == (None, None, None), path
        assert CONFIG_DIR not in centre.queue_db_path().parents


@pytest.mark.slow
def test_sim_run_is_temporary_unless_kept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {"LETAN_STATE_DIR": str(state)}
    proc = letan("sim", "--demo", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = Path(re.search(r"files in (\S+)", proc.stdout)[1])  # type: ignore[index]
    assert "Ticket printed A001" in proc.stdout and str(folder) in proc.stdout
    assert not folder.exists() and not state.exists()  # removed at exit; nothing kept
    assert sorted(p.name for p in tmp_path.iterdir()) == []

    proc = letan("sim", "--demo", "--keep", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kept = Path(re.search(r"Run files kept in (\S+)", proc.stdout)[1])  # type: ignore[index]
    assert kept.parent == state / "sim" and kept.name.startswith("run-")
    assert (kept / "tickets" / "ticket-0001.png").stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]
