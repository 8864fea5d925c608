"""Dossier statuses from the provincial one-stop system's HTTP JSON service.

GET `url_template` with `{code}` replaced (URL-quoted); the answer is one JSON object with the
fields of providers.FIELDS (or {"data": {...}}). 404 = unknown dossier. Only hosts listed in
`allowed_hosts` are contacted; redirects are not followed. Timeouts and 5xx are retried, and a
circuit breaker stops calling a dead server so the robot answers at once instead of freezing.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from robot.dossier.limits import CircuitBreaker
from robot.dossier.providers import ProviderError, ProviderUnavailable, record_from_fields
from robot.dossier.status import DossierRecord

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx becomes an HTTPError: never follow a server to another host


def check_url_template(template: str, allowed_hosts: tuple[str, ...], placeholder: str) -> str:
    """The template's host, if the template is usable; ValueError (English) otherwise."""
    parts = urlsplit(template.replace("{" + placeholder + "}", "X"))
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"url template must start with http:// or https://, found {parts.scheme!r}")
    if "{" + placeholder + "}" not in template:
        raise ValueError(f"url template has no {{{placeholder}}} placeholder")
    host = parts.hostname or ""
    if host not in allowed_hosts:
        raise ValueError(f"host {host!r} of the url template is not in allowed_hosts {list(allowed_hosts)}")
    return host


class HttpDossierProvider:
    """Implements DossierProvider over HTTP."""

    def __init__(
        self, url_template: str, allowed_hosts: tuple[str, ...], *, opencps_url_template: str | None = None,
        timeout_s: float = 3.0, retries: int = 1, username: str | None = None, password: str | None = None,
        token: str | None = None, breaker: CircuitBreaker | None = None,
        monotonic: Callable[[], float] = time.monotonic, retry_pause_s: float = 0.1,
    ):
        check_url_template(url_template, allowed_hosts, "code")
        if opencps_url_template is not None:
            check_url_template(opencps_url_template, allowed_hosts, "id")
        self.url_template = url_template
        self.opencps_url_template = opencps_url_template
        self.allowed_hosts = allowed_hosts
        self.timeout_s = timeout_s
        self.retries = retries
        self.retry_pause_s = retry_pause_s
        self.breaker = breaker or CircuitBreaker(3, 30.0, monotonic)
        self._headers = {"Accept": "application/json", "User-Agent": "letan-dossier/1"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        elif username is not None:
            basic = base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {basic}"
        self._opener = urllib.request.build_opener(_NoRedirect())

    def by_code(self, code: str) -> DossierRecord | None:
        return self._get(self.url_template.replace("{code}", quote(code, safe="")))

    def by_opencps(self, dossier_id: str, secret: str) -> DossierRecord | None:
        if self.opencps_url_template is None:
            return None
        url = self.opencps_url_template.replace("{id}", quote(dossier_id, safe=""))
        return self._get(url, {"X-OpenCPS-Secret": secret})

    def _get(self, url: str, extra_headers: dict[str, str] | None = None) -> DossierRecord | None:
        if (urlsplit(url).hostname or "") not in self.allowed_hosts:  # defence in depth
            raise ProviderError("refused to contact a host that is not in allowed_hosts")
        if not self.breaker.allow():
            raise ProviderUnavailable("dossier service circuit is open after repeated failures")
        last_error = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.retry_pause_s * attempt)
            try:
                fields = self._fetch(url, extra_headers or {})
            except _Retryable as exc:
                last_error = str(exc)
                log.warning("dossier service attempt %d failed: %s", attempt + 1, last_error)
                continue
            except ProviderError:
                self.breaker.failure()
                raise
            self.breaker.success()
            if fields is None:
                return None
            try:
                return record_from_fields(fields)
            except ValueError as exc:
                raise ProviderError(f"dossier service answered an unusable record ({exc})") from None
        self.breaker.failure()
        raise ProviderError(f"dossier service failed after {self.retries + 1} attempts: {last_error}")

    def _fetch(self, url: str, extra_headers: dict[str, str]) -> dict[str, Any] | None:
        request = urllib.request.Request(url, headers={**self._headers, **extra_headers}, method="GET")
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                body = response.read(MAX_BODY_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            if exc.code >= 500:
                raise _Retryable(f"HTTP {exc.code}") from None
            raise ProviderError(f"dossier service refused the request: HTTP {exc.code}") from None
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise _Retryable(f"{type(exc).__name__}: {reason}") from None
        if len(body) > MAX_BODY_BYTES:
            raise ProviderError("dossier service answer is too large")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ProviderError("dossier service answered something that is not JSON") from None
        if isinstance(data, dict) and isinstance(data.get("data"), dict):
            data = data["data"]
        if not isinstance(data, dict):
            raise ProviderError("dossier service answered JSON that is not an object")
        return data


class _Retryable(Exception):
    pass
