"""`letan web`: the calling board, the counter consoles, the rating tablets and the manager page (docs/staff.md).

Fed by MQTT only. The server's own connection (the `board` user, or whatever `--broker` names) reads the queue
topics for the board; every staff login is a broker login: the server connects as that user (counterN for a
counter console or rating tablet, monitor or supervisor for the manager page), so the broker's ACL is what allows
or refuses. Each connection reconnects by itself, and the retained snapshots give the state again at once.

Pages get their state as JSON over a WebSocket and draw it with textContent (nothing received is ever HTML);
counter actions and ratings are POSTed as JSON. Sessions are a random cookie (HttpOnly, SameSite=Strict, Secure
behind TLS), expire after `staff.session_minutes`, and hold the broker connection (so the password is kept only
inside that connection, never in a URL, a page or a log). Ten failed logins for one user lock that user out for
LOCK_S seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from robot.clock import SystemClock
from robot.config import CentreConfig
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import (
    COUNTER_ACTIONS,
    RATINGS,
    CounterCommand,
    CounterRating,
    MessageError,
    RobotCommand,
    Stamper,
    TicketCalled,
    TicketRecalled,
    parse_message,
)
from robot.paths import package_folder
from robot.web.staff.audio import CallAudio
from robot.web.staff.state import CSV_COLUMNS, RATING_WORDS, REASON_WORDS, StaffState, figures_csv_rows

log = logging.getLogger(__name__)

TEMPLATES = package_folder("robot.web.staff", "templates")
STATIC = package_folder("robot.web.staff", "static")
FONTS = package_folder("robot.web", "static")  # the citizen screen's DejaVu fonts (Vietnamese subset)
TICKET = re.compile(r"^[A-Z][0-9]{1,4}$")
SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # a robot id
ALERT_KIND = re.compile(r"^[a-z_]{1,40}$")
MAX_FAILURES = 10
FAILURE_WINDOW_S = 15 * 60
LOCK_S = 60
LOGIN_WAIT_S = 5.0
REPLY_WAIT_S = 5.0
PUSH_EVERY_S = 5.0
MANAGERS = ("monitor", "supervisor")
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
           "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                                      "media-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; "
                                      "frame-ancestors 'none'"}


@dataclass
class Session:
    token: str
    kind: str  # "counter", "rate" or "manager"
    user: str
    counter: int | None
    link: MqttLink
    expires: float
    state: StaffState | None = None  # the manager's own view (its user reads the whole site)
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)  # request id -> reply
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=8))  # the console's last replies


class Throttle:
    """Failed logins per user: after MAX_FAILURES within FAILURE_WINDOW_S, no login for that user for LOCK_S."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = {}

    def locked(self, user: str) -> bool:
        times = self.failures.get(user)
        if not times:
            return False
        now = time.monotonic()
        while times and now - times[0] > FAILURE_WINDOW_S:
            times.popleft()
        return len(times) >= MAX_FAILURES and now - times[-1] < LOCK_S

    def failed(self, user: str) -> None:
        self.failures.setdefault(user, deque(maxlen=MAX_FAILURES * 2)).append(time.monotonic())

    def succeeded(self, user: str) -> None:
        self.failures.pop(user, None)


class StaffWeb:
    def __init__(self, centre: CentreConfig, broker: BrokerSettings, *, audio: CallAudio | None = None,
                 login_wait_s: float = LOGIN_WAIT_S):
        self.centre = centre
        self.broker = broker
        self.site = centre.site.id
        self.base = f"{centre.mqtt.topic_root}/{self.site}"
        self.root = centre.mqtt.topic_root
        speech = centre.dialog.speech  # the robot's voice: its voice pack's clips where recorded, espeak-ng else
        self.audio = audio or CallAudio(speech.voice, centre.resolve_path(speech.voice_pack) if speech.voice_pack
                                        else None, speech.announce_repeat)
        self.login_wait_s = login_wait_s
        self.state = StaffState(centre)
        self.boot = uuid.uuid4().hex  # a board that sees another boot does not replay the calls it already has
        self.sessions: dict[str, Session] = {}
        self.throttle = Throttle()
        self.counters = {c.number: c for p in centre.reception_points for c in p.counters}
        self.points = {p.id: p for p in centre.reception_points}
        self.stamp = Stamper(self.site, "staff-web", SystemClock(centre.site.tz))
        self.link = MqttLink(broker, f"letan-web-{self.site}-{uuid.uuid4().hex[:8]}", reconnect_max_s=2)
        self.link.subscribe(f"{self.base}/#", self._feeder(self.state))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._wakers = asyncio.Event()
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.app = Starlette(routes=[
            Route("/", self._index),
            Route("/board", self._board),
            Route("/audio/call/{ticket}/{counter:int}.wav", self._call_audio),
            Route("/counter/{n:int}", self._page_for("counter")),
            Route("/counter/{n:int}/login", self._login_for("counter"), methods=["POST"]),
            Route("/counter/{n:int}/act", self._act, methods=["POST"]),
            Route("/rate/{n:int}", self._page_for("rate")),
            Route("/rate/{n:int}/login", self._login_for("rate"), methods=["POST"]),
            Route("/rate/{n:int}/send", self._rate, methods=["POST"]),
            Route("/manager", self._manager_page),
            Route("/manager/login", self._manager_login, methods=["POST"]),
            Route("/manager/export.csv", self._export),
            Route("/manager/ack", self._ack_alert, methods=["POST"]),
            Route("/logout/{key}", self._logout, methods=["POST"]),
            WebSocketRoute("/ws/board", self._board_socket),
            WebSocketRoute("/ws/counter/{n:int}", self._session_socket("counter")),
            WebSocketRoute("/ws/rate/{n:int}", self._session_socket("rate")),
            WebSocketRoute("/ws/manager", self._session_socket("manager")),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
            Mount("/fonts", app=StaticFiles(directory=FONTS), name="fonts"),
        ], lifespan=self._lifespan)

    # --- MQTT ----------------------------------------------------------------------------------

    def _feeder(self, state: StaffState) -> Callable[[str, bytes], None]:
        def feed(topic: str, payload: bytes) -> None:
            try:
                message = parse_message(payload)
            except MessageError:
                return  # not a letan message (or another version): ignored
            state.apply(message)
            if state is self.state and isinstance(message, (TicketCalled, TicketRecalled)) and message.counter:
                threading.Thread(target=self._prerender, args=(message.ticket, message.counter), daemon=True).start()
            self._notify()
        return feed

    def _prerender(self, ticket: str, counter: int) -> None:
        """Render a call's audio as soon as it is known, so the board's request finds it ready."""
        try:
            self.audio.wav(ticket, counter)
        except Exception:
            log.exception("rendering the call of %s at counter %d failed", ticket, counter)

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._changed.set)

    async def _pulse(self) -> None:
        """Wake every socket at each change and when the server's broker connection comes or goes."""
        connected = None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 1.0)
            now_connected = self.link.connected.is_set()
            if self._changed.is_set() or connected != now_connected:
                self._changed.clear()
                connected = now_connected
                self._wakers.set()
                self._wakers = asyncio.Event()
            self._reap()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._wakers = asyncio.Event()
        self.link.start()
        pulse = asyncio.create_task(self._pulse())
        try:
            yield
        finally:
            pulse.cancel()
            for session in list(self.sessions.values()):
                await asyncio.to_thread(session.link.stop)
            self.sessions.clear()
            await asyncio.to_thread(self.link.stop)

    async def _next_push(self) -> None:
        waker = self._wakers
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waker.wait(), PUSH_EVERY_S)

    # --- sessions ------------------------------------------------------------------------------

    def _reap(self) -> None:
        now = time.monotonic()
        for token, session in list(self.sessions.items()):
            if session.expires <= now:
                del self.sessions[token]
                threading.Thread(target=session.link.stop, daemon=True).start()

    def _cookie(self, kind: str, n: int | None) -> str:
        return f"letan_{kind}" + (f"_{n}" if n is not None else "")

    def _session(self, cookies: dict[str, str], kind: str, n: int | None) -> Session | None:
        token = cookies.get(self._cookie(kind, n))
        session = self.sessions.get(token or "")
        if session is None or session.kind != kind or session.counter != n:
            return None
        if session.expires <= time.monotonic():
            self._reap()
            return None
        return session

    async def _broker_login(self, user: str, password: str, kind: str, n: int | None) -> tuple[Session | None, str]:
        """(session, "") or (None, the Vietnamese reason). A refused login says only that it was refused."""
        if self.throttle.locked(user):
            return None, f"Đăng nhập sai quá nhiều lần. Xin thử lại sau {LOCK_S} giây."
        settings = BrokerSettings(self.broker.host, self.broker.port, user, password, self.broker.tls,
                                  self.broker.ca_file)
        link = MqttLink(settings, f"letan-web-{user}-{uuid.uuid4().hex[:8]}", reconnect_max_s=2)
        session = Session(secrets.token_urlsafe(32), kind, user, n, link,
                          time.monotonic() + self.centre.staff.session_minutes * 60)
        if kind == "manager":
            session.state = StaffState(self.centre)
            link.subscribe(f"{self.base}/#", self._feeder(session.state))
            link.subscribe(f"{self.base}/+/response", self._reply_to(session))  # the robots' replies (ack-alert)
        else:
            link.subscribe(f"{self.base}/counter/{n}/response", self._reply_to(session))
        link.start()
        ok = await asyncio.to_thread(link.wait_connected, self.login_wait_s)
        if not ok:
            refused = link.last_refusal is not None
            await asyncio.to_thread(link.stop)
            if refused:
                self.throttle.failed(user)
                log.info("staff login refused for user %s", user)
                return None, "Sai tên đăng nhập hoặc mật khẩu."
            return None, "Chưa kết nối được máy chủ MQTT. Xin thử lại sau ít phút."
        self.throttle.succeeded(user)
        self.sessions[session.token] = session
        log.info("staff login: user %s (%s)", user, kind)
        return session, ""

    def _reply_to(self, session: Session) -> Callable[[str, bytes], None]:
        def on_reply(topic: str, payload: bytes) -> None:
            try:
                reply = json.loads(payload)
            except ValueError:
                return
            if isinstance(reply, dict) and isinstance(reply.get("request_id"), str):
                session.replies[reply["request_id"]] = reply
                if len(session.replies) > 50:
                    session.replies.pop(next(iter(session.replies)))
            self._notify()
        return on_reply

    def _set_cookie(self, response: Response, request: Request, session: Session) -> None:
        response.set_cookie(self._cookie(session.kind, session.counter), session.token,
                            max_age=int(self.centre.staff.session_minutes * 60), httponly=True, samesite="strict",
                            secure=request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https")

    # --- pages ---------------------------------------------------------------------------------

    def _html(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        page = self.env.get_template(template).render(site=self.centre.site, **context)
        return HTMLResponse(page, status_code=status, headers=HEADERS)

    def _missing(self, what: str) -> HTMLResponse:
        return self._html("missing.html", 404, what=what)

    async def _index(self, request: Request) -> Response:
        return self._html("index.html", counters=sorted(self.counters), points=list(self.points.values()))

    async def _board(self, request: Request) -> Response:
        point = request.query_params.get("point")
        if point is not None and point not in self.points:
            return self._missing("Không có điểm tiếp nhận này.")
        title = self.points[point].name if point else self.centre.site.name
        return self._html("board.html", point=point or "", title=title, notice=self.centre.staff.notice)

    async def _call_audio(self, request: Request) -> Response:
        ticket, counter = str(request.path_params["ticket"]), int(request.path_params["counter"])
        if not TICKET.match(ticket) or counter not in self.counters:
            return Response(status_code=404)
        data = await asyncio.to_thread(self.audio.wav, ticket, counter)
        return Response(data, media_type="audio/wav", headers={"Cache-Control": "max-age=86400"})

    def _page_for(self, kind: str) -> Callable[[Request], Any]:
        async def page(request: Request) -> Response:
            n = int(request.path_params["n"])
            if n not in self.counters:
                return self._missing(f"Không có quầy số {n} tại trung tâm.")
            session = self._session(request.cookies, kind, n)
            if session is None:
                return self._html("login.html", kind=kind, counter=n, user=f"counter{n}", error="",
                                  action=f"/{kind}/{n}/login")
            template = "counter.html" if kind == "counter" else "rate.html"
            return self._html(template, counter=n, reasons=REASON_WORDS, ratings=RATING_WORDS,
                              idle_s=self.centre.staff.rating_idle_s)
        return page

    def _login_for(self, kind: str) -> Callable[[Request], Any]:
        async def login(request: Request) -> Response:
            n = int(request.path_params["n"])
            if n not in self.counters:
                return self._missing(f"Không có quầy số {n} tại trung tâm.")
            form = await self._form(request)
            password = str(form.get("password") or "")
            session, error = await self._broker_login(f"counter{n}", password, kind, n) if password else \
                (None, "Xin nhập mật khẩu.")
            if session is None:
                return self._html("login.html", 401, kind=kind, counter=n, user=f"counter{n}", error=error,
                                  action=f"/{kind}/{n}/login")
            response = RedirectResponse(f"/{kind}/{n}", status_code=303)
            self._set_cookie(response, request, session)
            return response
        return login

    async def _manager_page(self, request: Request) -> Response:
        session = self._session(request.cookies, "manager", None)
        if session is None:
            return self._html("login.html", kind="manager", counter=None, user="", users=MANAGERS, error="",
                              action="/manager/login")
        return self._html("manager.html", can_ack=session.user == "supervisor")  # monitor: reads only

    async def _manager_login(self, request: Request) -> Response:
        form = await self._form(request)
        user, password = str(form.get("user") or ""), str(form.get("password") or "")
        if user not in MANAGERS:
            session, error = None, "Sai tên đăng nhập hoặc mật khẩu."
        else:
            session, error = await self._broker_login(user, password, "manager", None) if password else \
                (None, "Xin nhập mật khẩu.")
        if session is None:
            return self._html("login.html", 401, kind="manager", counter=None, user=user, users=MANAGERS,
                              error=error, action="/manager/login")
        response = RedirectResponse("/manager", status_code=303)
        self._set_cookie(response, request, session)
        return response

    async def _export(self, request: Request) -> Response:
        """The day's figures as CSV (the robot's `queue.stats`: the numbers of `letan queue stats --json`)."""
        session = self._session(request.cookies, "manager", None)
        if session is None:
            return RedirectResponse("/manager", status_code=303)
        assert session.state is not None
        stats = session.state.stats
        if stats is None:
            return self._missing("Chưa có số liệu trong ngày (robot chưa gửi).")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(["" if v is None else v for v in row] for row in figures_csv_rows(stats.figures))
        name = f"letan-{self.site}-{stats.figures['day']}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})

    async def _logout(self, request: Request) -> Response:
        key = str(request.path_params["key"])
        kind, _, number = key.partition("-")
        n = int(number) if number.isdigit() else None
        session = self._session(request.cookies, kind, n)
        if session is not None:
            self.sessions.pop(session.token, None)
            await asyncio.to_thread(session.link.stop)
        response = RedirectResponse(f"/{kind}/{n}" if n is not None else f"/{kind}", status_code=303)
        response.delete_cookie(self._cookie(kind, n))
        return response

    # --- counter actions and ratings -----------------------------------------------------------

    async def _form(self, request: Request) -> dict[str, str]:
        """A login form (application/x-www-form-urlencoded, at most 4 KiB); nothing else is read."""
        if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return {}
        body = await request.body()
        if len(body) > 4096:
            return {}
        try:
            pairs = urllib.parse.parse_qsl(body.decode(), max_num_fields=4)
        except (UnicodeDecodeError, ValueError):
            return {}
        return dict(pairs)

    async def _json_body(self, request: Request) -> dict[str, Any] | None:
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return None
        body = await request.body()
        if len(body) > 2048:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _refuse(self, message: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"status": "rejected", "message": message}, status_code=status, headers=HEADERS)

    async def _act(self, request: Request) -> Response:
        n = int(request.path_params["n"])
        session = self._session(request.cookies, "counter", n)
        if session is None:
            return self._refuse("Phiên đăng nhập đã hết hạn. Xin đăng nhập lại.", 401)
        data = await self._json_body(request)
        action = data.get("action") if data else None
        if action not in COUNTER_ACTIONS:
            return self._refuse("Không có lệnh này.")
        assert data is not None
        ticket = data.get("ticket") if action in ("call", "unpark") else None
        service = data.get("service") if action == "transfer" else None
        if action in ("call", "unpark") and not (isinstance(ticket, str) and TICKET.match(ticket.strip().upper())):
            return self._refuse("Số thứ tự phải là một chữ cái và các chữ số, ví dụ A012.")
        if action == "transfer" and service not in {s.id for s in self.centre.services}:
            return self._refuse("Cần chọn dịch vụ để chuyển số.")
        command = self.stamp.make(CounterCommand, counter=n, request_id=uuid.uuid4().hex, action=action,
                                  ticket=ticket.strip().upper() if isinstance(ticket, str) else None, service=service)
        reply = await self._send(session, command)
        if reply is None:
            entry = {"status": "none", "message": "Không nhận được trả lời (máy chủ MQTT hoặc robot không phản hồi, "
                                                  "hoặc quầy không được phép gửi lệnh này)."}
        else:
            entry = {"status": str(reply.get("status")), "message": str(reply.get("message") or reply.get("reason"))}
        session.log.appendleft(entry)
        self._notify()
        return JSONResponse(entry, headers=HEADERS)

    async def _ack_alert(self, request: Request) -> Response:
        """"Đã xử lý" on the manager page: the staff command `ack-alert` to the alert's robot, published as the
        session's user (supervisor; the broker's ACL lets monitor write nothing, and the server refuses it first)."""
        session = self._session(request.cookies, "manager", None)
        if session is None:
            return self._refuse("Phiên đăng nhập đã hết hạn. Xin đăng nhập lại.", 401)
        if session.user != "supervisor":
            return self._refuse("Tài khoản này chỉ được xem, không xác nhận được cảnh báo.", 403)
        data = await self._json_body(request) or {}
        robot, kind = data.get("robot"), data.get("kind")
        if not (isinstance(robot, str) and SEGMENT.match(robot) and isinstance(kind, str) and ALERT_KIND.match(kind)):
            return self._refuse("Không đọc được cảnh báo cần xác nhận.")
        stamp = Stamper(self.site, robot, self.stamp.clock)
        command = stamp.make(RobotCommand, request_id=uuid.uuid4().hex, action="ack-alert", kind=kind)
        reply = await self._send(session, command)
        if reply is None:
            entry = {"status": "none", "message": "Không nhận được trả lời (máy chủ MQTT hoặc robot không phản hồi)."}
        else:
            entry = {"status": str(reply.get("status")), "message": str(reply.get("message") or reply.get("reason"))}
        log.info("alert %s of robot %s acknowledged by %s: %s", kind, robot, session.user, entry["status"])
        return JSONResponse(entry, headers=HEADERS)

    async def _send(self, session: Session, command: CounterCommand | RobotCommand) -> dict[str, Any] | None:
        """Publish as the session's user; wait for the reply with its request id; resend once (same id)."""
        for _attempt in range(2):
            session.link.client.publish(command.topic(self.root), command.to_json(), qos=1)
            deadline = time.monotonic() + REPLY_WAIT_S
            while time.monotonic() < deadline:
                if command.request_id in session.replies:
                    return session.replies.pop(command.request_id)
                await asyncio.sleep(0.02)
        return None

    async def _rate(self, request: Request) -> Response:
        n = int(request.path_params["n"])
        session = self._session(request.cookies, "rate", n)
        if session is None:
            return self._refuse("Phiên đăng nhập đã hết hạn. Xin đăng nhập lại.", 401)
        data = await self._json_body(request) or {}
        ticket, rating, reason = data.get("ticket"), data.get("rating"), data.get("reason")
        if rating not in RATINGS or reason not in (None, *REASON_WORDS):
            return self._refuse("Không đọc được đánh giá.")
        done = self.state.finished_here(n, ticket) if isinstance(ticket, str) else None
        if done is None:
            return self._refuse("Số này chưa được phục vụ tại quầy, không đánh giá được.", 409)
        if ticket in self.state.ratings:
            return self._refuse("Số này đã được đánh giá. Cảm ơn ông/bà.", 409)
        message = self.stamp.make(CounterRating, counter=n, ticket=ticket, service=done["service"], rating=rating,
                                  reason=reason)
        session.link.client.publish(message.topic(self.root), message.to_json(), qos=1)
        self.state.apply(message)  # asked once: the tablet goes back to its welcome
        self._notify()
        return JSONResponse({"status": "accepted", "message": "Cảm ơn ông/bà đã đánh giá."}, headers=HEADERS)

    # --- sockets -------------------------------------------------------------------------------

    async def _board_socket(self, socket: WebSocket) -> None:
        point = socket.query_params.get("point") or None
        if point is not None and point not in self.points:
            await socket.close(4404)
            return
        await socket.accept()
        await self._stream(socket, lambda: {**self.state.board(point), "online": self.link.connected.is_set(),
                                            "boot": self.boot})

    def _session_socket(self, kind: str) -> Callable[[WebSocket], Any]:
        async def handler(socket: WebSocket) -> None:
            n = socket.path_params.get("n")
            number = int(n) if n is not None else None
            session = self._session(socket.cookies, kind, number)
            if session is None or not _same_origin(socket):
                await socket.close(4401)
                return
            await socket.accept()

            def view() -> dict[str, Any] | None:
                if self._session(socket.cookies, kind, number) is None:
                    return None
                online = session.link.connected.is_set()
                if kind == "manager":
                    assert session.state is not None
                    return {**session.state.manager(), "online": online}
                assert number is not None
                if kind == "counter":
                    return {**self.state.counter(number), "log": list(session.log), "online": online}
                return {"ask": self.state.rateable(number, self.centre.staff.rating_idle_s), "online": online}
            await self._stream(socket, view)
        return handler

    async def _stream(self, socket: WebSocket, view: Callable[[], dict[str, Any] | None]) -> None:
        """Send the view now and after every change (at least every PUSH_EVERY_S); None ends the session."""
        receiver = asyncio.create_task(self._drain(socket))
        try:
            while not receiver.done():
                data = view()
                if data is None:
                    await socket.close(4401)
                    return
                await socket.send_text(json.dumps(data, ensure_ascii=False))
                pushed = asyncio.create_task(self._next_push())
                await asyncio.wait({pushed, receiver}, return_when=asyncio.FIRST_COMPLETED)
                pushed.cancel()
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            receiver.cancel()

    async def _drain(self, socket: WebSocket) -> None:
        """Pages send nothing over the socket; anything received is ignored, a close ends the stream."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    return


def _same_origin(socket: WebSocket) -> bool:
    """A logged-in page's socket opened by a page of this server (a browser sends Origin; another site's page
    must not read a counter's or the manager's state with the staff's cookie)."""
    origin = socket.headers.get("origin")
    return origin is None or urllib.parse.urlsplit(origin).netloc == socket.headers.get("host")
