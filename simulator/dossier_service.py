"""A fake provincial dossier-status HTTP JSON service on localhost, with switchable faults.

GET /api/ho-so/{code} -> 200 {"data": {...fields...}} | 404; GET /api/opencps/{id} with header
X-OpenCPS-Secret -> the same. Credentials: HTTP Basic or Bearer, checked when configured.
Faults (`service.fault`): None, "slow" (sleeps `slow_s` before answering), "500", "garbage" (not JSON),
"redirect" (302 to another host).
Every request path is kept in `requests` so tests can check what was (not) sent.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import unquote

Fault = Literal["slow", "500", "garbage", "redirect"] | None


class FakeDossierService:
    def __init__(
        self, dossiers: Mapping[str, Mapping[str, Any]] | None = None, *, username: str | None = None,
        password: str | None = None, token: str | None = None, opencps: Mapping[str, tuple[str, str]] | None = None,
    ):
        """`dossiers`: code -> fields; `opencps`: OpenCPS id -> (secret, code)."""
        self.dossiers: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (dossiers or {}).items()}
        self.opencps = dict(opencps or {})
        self.username, self.password, self.token = username, password, token
        self.fault: Fault = None
        self.slow_s = 2.0
        self.requests: list[str] = []
        self.headers_seen: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "service not started"
        return int(self._server.server_address[1])

    @property
    def url_template(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/ho-so/{{code}}"

    @property
    def opencps_url_template(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/opencps/{{id}}"

    def start(self) -> FakeDossierService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                service._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-dossier-service", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeDossierService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _authorised(self, header: str | None) -> bool:
        if self.token is not None:
            return header == f"Bearer {self.token}"
        if self.username is not None:
            expected = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode("ascii")
            return header == f"Basic {expected}"
        return True

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        self.requests.append(request.path)
        self.headers_seen.append(dict(request.headers.items()))
        if self.fault == "slow":
            time.sleep(self.slow_s)
        if self.fault == "500":
            return self._send(request, 500, b'{"error": "internal"}')
        if self.fault == "redirect":
            request.send_response(302)
            request.send_header("Location", "http://evil.example/steal")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return None
        if self.fault == "garbage":
            return self._send(request, 200, b"<html>502 Bad Gateway</html>\x00\xff{")
        if not self._authorised(request.headers.get("Authorization")):
            return self._send(request, 401, b'{"error": "unauthorised"}')
        path = request.path.split("?", 1)[0]
        fields: dict[str, Any] | None = None
        if path.startswith("/api/ho-so/"):
            fields = self.dossiers.get(unquote(path.removeprefix("/api/ho-so/")))
        elif path.startswith("/api/opencps/"):
            entry = self.opencps.get(unquote(path.removeprefix("/api/opencps/")))
            if entry is not None and request.headers.get("X-OpenCPS-Secret") == entry[0]:
                fields = self.dossiers.get(entry[1])
        if fields is None:
            return self._send(request, 404, b'{"error": "not found"}')
        return self._send(request, 200, json.dumps({"data": fields}, ensure_ascii=False).encode("utf-8"))

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, code: int, body: bytes) -> None:
        try:
            request.send_response(code)
            request.send_header("Content-Type", "application/json; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)
