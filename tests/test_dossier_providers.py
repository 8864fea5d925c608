"""The SQLite store with CSV import, and the HTTP provider against the fake provincial service."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from robot.dossier.http_provider import HttpDossierProvider
from robot.dossier.limits import CircuitBreaker, RateLimiter
from robot.dossier.providers import ProviderError, ProviderUnavailable
from robot.dossier.status import Status
from robot.dossier.store import ImportFileError, SqliteDossierStore
from robot.paths import CONFIG_DIR
from simulator.dossier_service import FakeDossierService

CODE = "000.A0.01.H26-210212-9090"
FIELDS = {"ma_ho_so": CODE, "trang_thai": 5, "ten_thu_tuc": "Đăng ký thường trú", "nguoi_nop": "Nguyễn Văn An",
          "ngay_hen_tra": "2026-03-20", "quay": "3", "yeu_cau": "bản sao hợp đồng thuê nhà"}
SAMPLE = CONFIG_DIR / "dossiers-sample.csv"


def test_sample_export_imports_and_id_numbers_are_not_stored(tmp_path: Path) -> None:
    store = SqliteDossierStore(tmp_path / "d.sqlite3")
    report = store.import_csv(SAMPLE)
    assert report.problems == () and report.imported == store.count() == 12
    rec = store.by_code("000.A0.01.H26-260105-0005")
    assert rec is not None and rec.status == Status.NEEDS_DOCUMENTS and rec.counter == 3
    dump = "\n".join(sqlite3.connect(tmp_path / "d.sqlite3").iterdump())
    assert "000000000005" not in dump and "demo9secret" not in dump  # ID column dropped, secrets hashed
    assert store.by_opencps("1009", "demo9secret") is not None
    assert store.by_opencps("1009", "wrong") is None and store.by_opencps("1", "demo9secret") is None
    assert store.by_code("000.A0.01.H26-260105-9999") is None


def test_bad_rows_are_reported_good_rows_kept_and_reimport_updates(tmp_path: Path) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(
        "ma_ho_so,trang_thai,ngay_hen_tra,quay\n"
        f"{CODE},4,20/03/2026,2\n"
        "not-a-code,4,,\n"
        "000.A0.01.H26-210212-0001,12,,\n"
        "000.A0.01.H26-210212-0002,4,31/02/2026,\n"
        "000.A0.01.H26-210212-0003,4,,x\n",
        encoding="utf-8",
    )
    store = SqliteDossierStore(tmp_path / "d.sqlite3")
    report = store.import_csv(csv_file)
    assert report.imported == 1
    assert [(p.line, p.message.split(":")[0]) for p in report.problems] == [
        (3, "ma_ho_so"), (4, "trang_thai"), (5, "ngay_hen_tra"), (6, "quay")]
    csv_file.write_text(f"ma_ho_so,trang_thai\n{CODE},Đã xử lý xong\n", encoding="utf-8")
    assert store.import_csv(csv_file).imported == 1
    rec = store.by_code(CODE)
    assert rec is not None and rec.status == Status.DONE and store.count() == 1


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    store = SqliteDossierStore(tmp_path / "d.sqlite3")
    with pytest.raises(ImportFileError, match="no such file"):
        store.import_csv(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("ma_ho_so,trang_thai\nĐ,1\n".encode("cp1258"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        store.import_csv(latin)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="ma_ho_so"):
        store.import_csv(other)


@pytest.fixture
def service() -> Iterator[FakeDossierService]:
    with FakeDossierService({CODE: FIELDS}, username="robot", password="s3cret",
                            opencps={"4242": ("k3yk3y", CODE)}) as svc:
        yield svc


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def provider(svc: FakeDossierService, **kw: object) -> HttpDossierProvider:
    options: dict[str, object] = {"username": "robot", "password": "s3cret", "timeout_s": 0.5, "retries": 1,
                                  "retry_pause_s": 0.0, "opencps_url_template": svc.opencps_url_template}
    options.update(kw)
    return HttpDossierProvider(svc.url_template, ("127.0.0.1",), **options)  # type: ignore[arg-type]


def test_http_provider_reads_records_and_unknown_is_none(service: FakeDossierService) -> None:
    http = provider(service)
    rec = http.by_code(CODE)
    assert rec is not None and rec.status == Status.NEEDS_DOCUMENTS and rec.requirements.startswith("bản sao")
    assert http.by_code("000.A0.01.H26-210212-0000") is None
    assert http.by_opencps("4242", "k3yk3y") == rec
    assert http.by_opencps("4242", "wrong") is None
    assert service.headers_seen[0]["Authorization"].startswith("Basic ")


def test_http_wrong_credentials_fail_without_retry(service: FakeDossierService) -> None:
    http = provider(service, password="nope")
    with pytest.raises(ProviderError, match="HTTP 401"):
        http.by_code(CODE)
    assert len(service.requests) == 1


def test_http_timeout_is_retried_then_fails_quickly(service: FakeDossierService) -> None:
    service.fault, service.slow_s = "slow", 1.5
    http = provider(service, timeout_s=0.2, retries=1)
    start = time.monotonic()
    with pytest.raises(ProviderError, match="2 attempts"):
        http.by_code(CODE)
    assert time.monotonic() - start < 1.2
    assert len(service.requests) == 2


def test_http_500_then_recovery(service: FakeDossierService) -> None:
    service.fault = "500"
    http = provider(service, retries=2)
    with pytest.raises(ProviderError, match="HTTP 500"):
        http.by_code(CODE)
    assert len(service.requests) == 3
    service.fault = None
    assert http.by_code(CODE) is not None


def test_http_garbage_json_is_an_error(service: FakeDossierService) -> None:
    service.fault = "garbage"
    with pytest.raises(ProviderError, match="not JSON"):
        provider(service).by_code(CODE)


def test_circuit_breaker_stops_calling_a_dead_server(service: FakeDossierService) -> None:
    clock = FakeTime()
    service.fault = "500"
    http = provider(service, retries=0, breaker=CircuitBreaker(2, 30.0, clock))
    for _ in range(2):
        with pytest.raises(ProviderError):
            http.by_code(CODE)
    calls = len(service.requests)
    with pytest.raises(ProviderUnavailable):
        http.by_code(CODE)
    assert len(service.requests) == calls  # answered at once, server not called
    service.fault = None
    clock.now = 31.0  # half-open: one trial call, success closes the circuit
    assert http.by_code(CODE) is not None
    assert http.breaker.state == "closed"


def test_only_allowed_hosts_and_no_redirects(service: FakeDossierService) -> None:
    with pytest.raises(ValueError, match="allowed_hosts"):
        HttpDossierProvider("http://evil.example/api/{code}", ("127.0.0.1",))
    with pytest.raises(ValueError, match="placeholder"):
        HttpDossierProvider("http://127.0.0.1/api/", ("127.0.0.1",))
    with pytest.raises(ValueError, match="http"):
        HttpDossierProvider("file:///etc/{code}", ("",))
    service.fault = "redirect"
    with pytest.raises(ProviderError, match="HTTP 302"):
        provider(service).by_code(CODE)
    assert len(service.requests) == 1


def test_rate_limiter_sliding_minute() -> None:
    clock = FakeTime()
    limiter = RateLimiter(3, clock)
    assert [limiter.allow() for _ in range(4)] == [True, True, True, False]
    clock.now = 59.9
    assert not limiter.allow()
    clock.now = 60.0
    assert limiter.allow()
