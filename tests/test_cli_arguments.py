"""Issue 13: no command prints a traceback for any time or broker URL argument; a bad one exits 2 with one
line, and a password in a URL is never echoed."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robot.clock import AT_YEARS, parse_at
from robot.mqtt.client import BrokerSettings, BrokerUrlError

LETAN = [sys.executable, "-m", "letan"]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "S3cretPw"


@pytest.mark.slow
@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=40), st.datetimes().map(datetime.isoformat),
                 st.datetimes(timezones=st.timezones()).map(datetime.isoformat)))
def test_parse_at_returns_a_usable_time_or_a_value_error(value: str) -> None:
    try:
        moment = parse_at(value, TZ)
    except ValueError:
        return
    assert moment.year in AT_YEARS and moment.tzinfo is not None
    moment.astimezone(ZoneInfo("UTC"))  # no overflow later on


@pytest.mark.slow
@settings(max_examples=400, deadline=None, derandomize=True)
@given(scheme=st.sampled_from(["mqtt", "mqtts", "ftp", "", "tcp"]), host=st.text(max_size=20),
       port=st.one_of(st.none(), st.integers(-10, 100_000).map(str), st.text(max_size=6)))
def test_broker_urls_parse_or_give_a_broker_url_error_without_the_password(scheme: str, host: str,
                                                                          port: str | None) -> None:
    url = f"{scheme}://robot:{SECRET}@{host}" + (f":{port}" if port is not None else "")
    try:
        settings_ = BrokerSettings.from_url(url)
    except BrokerUrlError as error:
        assert SECRET not in str(error)
        return
    assert 1 <= settings_.port <= 65535 and settings_.host


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["queue", "issue", "--service", "chung_thuc", "--at", "9999-12-31T20:00"],
    ["queue", "issue", "--service", "chung_thuc", "--at", "0001-01-01T00:00:00+14:00"],
    ["queue", "status", "--at", "not a time"],
    ["dossier", "lookup", "260105-0009", "--at", "9999-12-31T20:00"],
    ["queue", "issue", "--service", "chung_thuc", "--broker", f"mqtt://robot:{SECRET}@[::1"],
    ["monitor", "--broker", f"mqtt://robot:{SECRET}@[::1"],
    ["counter", "1", "--broker", f"mqtt://robot:{SECRET}@[::1"],
    ["sim", "--script", "config/scenarios/demo.yaml", "--broker", f"mqtt://robot:{SECRET}@[::1"],
    ["sim", "--script", "config/scenarios/demo.yaml", "--at", "9999-12-31T20:00"],
    ["run", "--broker", "ftp://x"],
    ["run", "--broker", f"mqtt://robot:{SECRET}@host:99999"],
])
def test_bad_times_and_urls_exit_2_with_one_line(args: list[str], tmp_path: Path) -> None:
    if args[0] == "queue":
        args = [*args, "--db", str(tmp_path / "q.db")]
    done = subprocess.run([*LETAN, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          cwd=Path(__file__).resolve().parents[1])
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output and SECRET not in output
    assert 0 < len(done.stderr.strip().splitlines()) <= 3, done.stderr
