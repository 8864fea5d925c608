"""`DossierDesk`: a scanned or typed payload in, a Vietnamese answer out (dialogs.ports.DossierDesk).

The payload is never logged: only its kind and the outcome are. A letan ticket is answered by the
injected `ticket_position` (the application wires it to the queue engine). Dossier lookups are
rate-limited per minute; a failing status source gives a polite "try later", never an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dialogs.ports import DossierAnswer
from robot.clock import Clock
from robot.config import DossierSettings
from robot.dossier.extract import DossierCode, OpenCpsKey, TicketScan, extract
from robot.dossier.http_provider import HttpDossierProvider
from robot.dossier.limits import CircuitBreaker, RateLimiter
from robot.dossier.privacy import mask_name
from robot.dossier.providers import DossierProvider, ProviderError
from robot.dossier.status import DossierRecord, describe, is_overdue, status_name
from robot.dossier.store import SqliteDossierStore
from robot.ticket_ref import TicketRef

log = logging.getLogger(__name__)

TicketPosition = Callable[[TicketRef], DossierAnswer | None]

UNREADABLE = ("Dạ, em không đọc được mã này. Ông/bà có thể đọc cho em mã hồ sơ in trên giấy biên nhận,"
              " hoặc em đưa ông/bà đến quầy hướng dẫn để được giúp ạ.")
NOT_FOUND = ("Dạ, em không tìm thấy hồ sơ có mã này. Ông/bà vui lòng kiểm tra lại giấy biên nhận"
             " hoặc hỏi quầy tiếp nhận và trả kết quả ạ.")
UNAVAILABLE = ("Dạ, hệ thống tra cứu hồ sơ đang tạm thời không trả lời. Ông/bà vui lòng thử lại sau ít phút"
               " hoặc hỏi quầy tiếp nhận và trả kết quả ạ.")
BUSY = ("Dạ, em đang nhận quá nhiều yêu cầu tra cứu. Ông/bà vui lòng đợi khoảng một phút rồi quét lại,"
        " hoặc hỏi quầy tiếp nhận và trả kết quả ạ.")
TICKET_UNKNOWN = ("Dạ, em không tìm thấy số thứ tự này trong hàng chờ hôm nay. Ông/bà vui lòng hỏi quầy hướng dẫn"
                  " hoặc lấy số mới ạ.")
TICKET_UNAVAILABLE = "Dạ, em chưa xem được hàng chờ lúc này. Ông/bà vui lòng nhìn màn hình gọi số ạ."


@dataclass(frozen=True)
class LookupResult:
    """The full outcome of a lookup, for the CLI's --json and for displays. No personal data."""

    ok: bool
    kind: str  # dossier | ticket | unreadable | not_found | unavailable
    text: str
    code: str | None = None
    status: int | None = None
    status_name: str | None = None
    overdue: bool | None = None
    appointment: str | None = None
    new_appointment: str | None = None
    applicant: str | None = None  # masked
    ticket: str | None = None

    def answer(self) -> DossierAnswer:
        return DossierAnswer(ok=self.ok, text=self.text, kind=self.kind)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class DossierDesk:
    """Implements dialogs.ports.DossierDesk."""

    def __init__(
        self, provider: DossierProvider, clock: Clock, rate_limiter: RateLimiter,
        ticket_position: TicketPosition | None = None,
    ):
        self.provider = provider
        self.clock = clock
        self.rate_limiter = rate_limiter
        self.ticket_position = ticket_position

    def lookup(self, payload: str) -> DossierAnswer:
        return self.lookup_result(payload).answer()

    def lookup_result(self, payload: str) -> LookupResult:
        found = extract(payload)
        if isinstance(found, TicketScan):
            result = self._ticket(found)
        elif isinstance(found, DossierCode | OpenCpsKey):
            result = self._dossier(found)
        else:
            log.info("scan not understood: %s", found.reason)
            result = LookupResult(False, "unreadable", UNREADABLE)
        log.info("dossier desk: %s lookup -> %s", type(found).__name__, result.kind)
        return result

    def _ticket(self, scan: TicketScan) -> LookupResult:
        if self.ticket_position is None:
            return LookupResult(False, "unavailable", TICKET_UNAVAILABLE, ticket=scan.ref.number)
        try:
            answer = self.ticket_position(scan.ref)
        except Exception as exc:  # the queue engine failing must not break the conversation
            log.warning("ticket position failed: %s", type(exc).__name__)
            return LookupResult(False, "unavailable", TICKET_UNAVAILABLE, ticket=scan.ref.number)
        if answer is None:
            return LookupResult(False, "not_found", TICKET_UNKNOWN, ticket=scan.ref.number)
        return LookupResult(answer.ok, answer.kind, answer.text, ticket=scan.ref.number)

    def _dossier(self, key: DossierCode | OpenCpsKey) -> LookupResult:
        if not self.rate_limiter.allow():
            log.warning("dossier lookups over the per-minute limit")
            return LookupResult(False, "unavailable", BUSY)
        try:
            if isinstance(key, DossierCode):
                record = self.provider.by_code(key.code)
            else:
                record = self.provider.by_opencps(key.dossier_id, key.secret)
        except ProviderError as exc:
            log.warning("dossier provider failed: %s", exc)
            return LookupResult(False, "unavailable", UNAVAILABLE, code=getattr(key, "code", None))
        if record is None:
            return LookupResult(False, "not_found", NOT_FOUND, code=getattr(key, "code", None))
        return self.result_for(record)

    def result_for(self, record: DossierRecord) -> LookupResult:
        today = self.clock.now().date()
        return LookupResult(
            ok=True, kind="dossier", text=describe(record, today), code=record.code, status=int(record.status),
            status_name=status_name(record, today), overdue=is_overdue(record, today),
            appointment=record.appointment.isoformat() if record.appointment else None,
            new_appointment=record.new_appointment.isoformat() if record.new_appointment else None,
            applicant=mask_name(record.applicant) or None,
        )


def build_provider(settings: DossierSettings, db: Path, clock: Clock) -> DossierProvider:
    """The provider named by the centre's dossier settings (`db`: the SQLite store's file). ValueError (English) when
    misconfigured."""
    if settings.provider == "http":
        if not settings.url_template:
            raise ValueError("dossier.url_template is required when dossier.provider is 'http'")
        return HttpDossierProvider(
            settings.url_template, settings.allowed_hosts, opencps_url_template=settings.opencps_url_template,
            timeout_s=settings.timeout_s, retries=settings.retries, username=settings.username,
            password=settings.password, token=settings.token,
            breaker=CircuitBreaker(settings.breaker_failures, settings.breaker_reset_s, clock.monotonic),
            monotonic=clock.monotonic,
        )
    return SqliteDossierStore(db)


def build_desk(
    settings: DossierSettings, db: Path, clock: Clock, ticket_position: TicketPosition | None = None,
) -> DossierDesk:
    """The desk for a centre: `build_desk(centre.dossier, centre.dossier_db_path(), clock, ticket_position)`."""
    provider = build_provider(settings, db, clock)
    return DossierDesk(provider, clock, RateLimiter(settings.rate_limit_per_minute, clock.monotonic), ticket_position)
