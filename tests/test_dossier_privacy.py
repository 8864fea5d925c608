"""Property test: random scanned payloads never crash extraction or lookup, and the citizen ID number
(SGT=) never reaches the logs, the answer, the store or the status service."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robot.clock import SimClock
from robot.dossier.desk import DossierDesk
from robot.dossier.extract import extract
from robot.dossier.http_provider import HttpDossierProvider
from robot.dossier.limits import RateLimiter
from robot.dossier.store import SqliteDossierStore
from robot.paths import CONFIG_DIR
from simulator.dossier_service import FakeDossierService

CLOCK = SimClock(datetime(2026, 1, 6, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
KNOWN_CODES = ["000.A0.01.H26-260105-0005", "000.A0.01.H26-251201-0011", "000.A0.01.H26-260105-0009"]

SCHEMES = ["https://", "http://", "HTTPS://", "", "ftp://"]
HOSTS = ["dichvucong.gov.vn", "dvc.hanoi.gov.vn", "evil.example", "127.0.0.1:9"]
SEPARATORS = ["?", "#/tra-cuu?", "/?", "?x=1&"]
URL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-._~%/"


def _code(rnd: random.Random) -> str:
    if rnd.random() < 0.5:
        return rnd.choice(KNOWN_CODES)
    return (f"{rnd.randrange(1000):03d}.{rnd.choice(['A0', 'G1', '7Z'])}.01.H26-{rnd.randrange(10**6):06d}"
            f"-{rnd.randrange(10**4):04d}")


def _word(rnd: random.Random) -> str:
    return "".join(rnd.choice(URL_CHARS) for _ in range(rnd.randrange(12)))


def build_payload(rnd: random.Random, noise: str) -> tuple[str, str]:
    """(payload, citizen_id): lookup URLs in many shapes, the ID elsewhere, and junk. Two hypothesis draws
    (a seed and a unicode string) per example keep 10,000 examples fast; the seed drives the shape."""
    citizen_id = f"0{rnd.randrange(10**11):011d}"  # 12-digit citizen ID (CCCD)
    mhs = _code(rnd) if rnd.random() < 0.7 else noise[:15]
    params = [f"SGT={citizen_id}", f"MHS={mhs}"] + [f"{_word(rnd)}={_word(rnd)}" for _ in range(rnd.randrange(4))]
    rnd.shuffle(params)
    shape = rnd.randrange(6)
    if shape == 0:
        cut = rnd.randrange(len(noise) + 1)
        payload = noise[:cut] + citizen_id + noise[cut:]
    elif shape == 1:
        secret = "".join(rnd.choice("abcXYZ0189") for _ in range(rnd.randrange(3, 13)))
        payload = f"D-{secret}-{rnd.randrange(10**6)}{rnd.choice(['', '&SGT=', ' '])}{citizen_id}"
    elif shape == 2:
        payload = f"LETAN-T:cua-nam:trung-tam:{rnd.choice(['20260106', citizen_id[:8]])}:A{citizen_id[-3:]}"
    else:
        query = "&".join(params)
        payload = f"{rnd.choice(SCHEMES)}{rnd.choice(HOSTS)}/portaldvc/tra-cuu{rnd.choice(SEPARATORS)}{query}"
    if rnd.random() < 0.3:
        payload = rnd.choice(["", " ", "\r\n", "\t", noise]) + payload + rnd.choice(["", "\r", "\n", noise])
    return payload, citizen_id


payloads = st.tuples(st.integers(0, 2**32 - 1), st.text(max_size=24)).map(
    lambda drawn: build_payload(random.Random(drawn[0]), drawn[1]))


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def logs() -> Iterator[Collect]:
    handler = Collect()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteDossierStore:
    store = SqliteDossierStore(tmp_path_factory.mktemp("privacy") / "dossiers.sqlite3")
    store.import_csv(CONFIG_DIR / "dossiers-sample.csv")
    return store


def check_no_leak(desk: DossierDesk, logs: Collect, payload: str, citizen_id: str) -> None:
    logs.lines.clear()
    found = extract(payload)
    result = desk.lookup_result(payload)
    assert citizen_id not in repr(found)
    assert citizen_id not in str(result.to_json())
    assert not any(citizen_id in line for line in logs.lines)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=payloads)
def test_ten_thousand_payloads_no_crash_no_id_leak(case: tuple[str, str], store: SqliteDossierStore,
                                                  logs: Collect) -> None:
    payload, citizen_id = case
    desk = DossierDesk(store, CLOCK, RateLimiter(10**9, CLOCK.monotonic))
    check_no_leak(desk, logs, payload, citizen_id)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=payloads, fault=st.sampled_from([None, None, "500", "garbage"]))
def test_http_lookups_never_send_the_id(case: tuple[str, str], fault: str | None, logs: Collect,
                                        http_service: FakeDossierService) -> None:
    payload, citizen_id = case
    http_service.fault = fault  # type: ignore[assignment]
    provider = HttpDossierProvider(http_service.url_template, ("127.0.0.1",), timeout_s=1.0, retries=0,
                                   opencps_url_template=http_service.opencps_url_template)
    desk = DossierDesk(provider, CLOCK, RateLimiter(10**9, CLOCK.monotonic))
    check_no_leak(desk, logs, payload, citizen_id)
    seen = " ".join(http_service.requests) + " ".join(str(h) for h in http_service.headers_seen)
    assert citizen_id not in seen


@pytest.fixture(scope="module")
def http_service() -> Iterator[FakeDossierService]:
    fields = {"ma_ho_so": KNOWN_CODES[0], "trang_thai": 4, "nguoi_nop": "Nguyễn Văn An", "ngay_hen_tra": "2026-01-01"}
    with FakeDossierService({KNOWN_CODES[0]: fields}) as service:
        yield service


def test_store_file_never_holds_an_id(store: SqliteDossierStore) -> None:
    data = Path(store.path).read_bytes()
    assert b"000000000005" not in data  # the sample's so_giay_to column is not imported
