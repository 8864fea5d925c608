"""The screen part: a Starlette app on uvicorn, in a thread of the robot application.

One screen, one session: the first browser on the screen URL controls it, every other browser (or one
opened with `?mirror=1`) gets a read-only mirror of the same screen. Browsers send small JSON messages
over the WebSocket `/ws` (a touch, the keyboard's text, a navigation); the screen's state lives here and
every change is pushed to every browser as a rendered HTML fragment. A touch goes to the dialog as
`touched(choice)`, typing as `typed(text)`, a dossier code as `scanned(code)`, on one worker thread in
order; the same touch twice within `DOUBLE_TAP_S` counts once, and a second ticket for the service the
session already has a ticket for is never asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from dialogs.catalogue import Catalogue
from robot.config import CentreConfig, ScreenSettings
from robot.web.screen import MAX_INPUT, Renderer, ScreenData, ScreenModel, dossier_text, offer_buttons
from robot.web.search import ProcedureSearch

log = logging.getLogger(__name__)

DOUBLE_TAP_S = 1.0
BUSY_RETRY_S = 0.02  # a turn is running: the buttons are read again this soon
BUSY_PUSH_S = 1.0  # a turn runs this long (guiding): the lines said are shown without waiting for its end
BUSY_POLL_S = 0.1
MAX_MESSAGE = 4096
ENDED_CLEAR_S = 10.0  # a conversation ended: the screen is cleared this long after (or at the idle timeout)
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                                       "style-src 'self'; script-src 'self'; object-src 'none'"}


class ScreenStartError(Exception):
    """The screen cannot be served (for technicians, English)."""


class ScreenHost(Protocol):
    """What the screen needs from the application (robot.app.Application)."""

    centre: CentreConfig
    catalogue: Catalogue

    def subscribe(self, subscriber: Callable[[Any], None]) -> None: ...

    def touched(self, choice: str) -> None: ...

    def typed(self, text: str, *, spoken: bool = False) -> None: ...

    def scanned(self, payload: str) -> None: ...

    def person_arrived(self) -> None: ...

    def end_conversation(self) -> None: ...

    def conversation(self) -> dict[str, Any] | None: ...


class ScreenPart:
    def __init__(self, host: ScreenHost, settings: ScreenSettings,
                 on_state: Callable[[str], None] = lambda state: None):
        from robot.paths import package_folder
        from robot.understander import make_understander

        self.host = host
        self.settings = settings
        self.on_state = on_state
        self.data = ScreenData(host.centre, host.catalogue)
        self.renderer = Renderer(self.data, settings)
        self.search = ProcedureSearch(host.catalogue, make_understander(host.catalogue))
        self.model = ScreenModel()
        self._pending = 0  # inputs handed to the worker and not finished
        self._screens = 1  # a new number each time the screen is cleared (the page drops what it typed)
        self._lock = threading.Lock()  # around the model: feed events come from the application's threads
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen-input")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clients: dict[WebSocket, str] = {}
        self._controller: WebSocket | None = None
        self._push_pending = False
        self._sending: set[asyncio.Task[None]] = set()
        self._busy_since: float | None = None
        self._last_message = ""
        self._last_activity = time.monotonic()
        self._last_action: tuple[str, float] = ("", 0.0)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.pushes = 0
        static = package_folder("robot.web", "static")  # package data of the wheel
        self.app = Starlette(routes=[
            Route("/", self._page),
            WebSocketRoute("/ws", self._socket),
            Mount("/static", app=StaticFiles(directory=static), name="static"),
        ], lifespan=self._lifespan)
        host.subscribe(self._on_event)

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout_s: float = 10.0) -> None:
        settings = self.settings
        sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((settings.host, settings.port))
        except OSError as exc:
            sock.close()
            raise ScreenStartError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from None
        port = sock.getsockname()[1]
        shown = f"[{settings.host}]" if ":" in settings.host else settings.host
        self.url = f"http://{shown}:{port}/"
        # log_config None: uvicorn leaves the application's logging as it is; no access log
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="on", ws="websockets-sansio",
                                timeout_graceful_shutdown=1, ws_ping_interval=5, ws_ping_timeout=5)
        self._server = server = uvicorn.Server(config)
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="screen", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not server.started:
            self.stop()
            raise ScreenStartError(f"the screen server did not start on {self.url}")
        self._state()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._worker.shutdown(wait=True, cancel_futures=True)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        idle = asyncio.create_task(self._watch_idle())
        try:
            yield
        finally:
            idle.cancel()
            for ws in list(self._clients):
                with contextlib.suppress(Exception):
                    await ws.close(1012)  # service restart: the page reconnects by itself

    def _state(self) -> None:
        mirrors = sum(1 for role in self._clients.values() if role == "mirror")
        who = "a kiosk browser" if self._controller is not None else "no browser yet"
        self.on_state(f"ok ({self.url}; {who}{f', {mirrors} mirror(s)' if mirrors else ''}; "
                      f"{self.settings.orientation})")

    # ------------------------------------------------------------------ HTTP and WebSocket

    async def _page(self, request: Request) -> Response:
        mirror = "mirror" in request.query_params
        return HTMLResponse(self.renderer.page(mirror), headers=NO_STORE)

    async def _socket(self, ws: WebSocket) -> None:
        await ws.accept()
        wants_mirror = "mirror" in ws.query_params
        role = "controller" if self._controller is None and not wants_mirror else "mirror"
        if role == "controller":
            self._controller = ws
        self._clients[ws] = role
        self._state()
        try:
            await ws.send_text(json.dumps({"type": "hello", "role": role, "idle_s": self.settings.idle_timeout_s}))
            with self._lock:
                first = self._render_message()
            await ws.send_text(first)
            while True:
                raw = await ws.receive_text()
                if role == "controller":
                    self._message(raw)
                else:
                    log.info("screen: a mirror browser sent a message; ignored")
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self._clients.pop(ws, None)
            if self._controller is ws:
                self._controller = None
            self._state()

    # ------------------------------------------------------------------ messages from the controller

    def _message(self, raw: str) -> None:
        if len(raw) > MAX_MESSAGE:
            log.info("screen: ignored a message of %d characters", len(raw))
            return
        try:
            message = json.loads(raw)
        except ValueError:
            log.info("screen: ignored a message that is not JSON")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            log.info("screen: ignored a message without a type")
            return
        kind = message["type"]
        handler = getattr(self, f"_on_{kind}", None) if kind.isidentifier() and kind in MESSAGE_TYPES else None
        if handler is None:
            log.info("screen: ignored a message of unknown type %r", kind[:40])
            return
        now = time.monotonic()
        self._last_activity = now
        if kind in ("touch", "ask", "lookup", "arrive"):
            signature = f"{kind}:{message.get('choice', '')}"
            last, at = self._last_action
            if signature == last and now - at < DOUBLE_TAP_S:
                log.info("screen: the same %s twice within %.1f s; counted once", kind, DOUBLE_TAP_S)
                return
            self._last_action = (signature, now)
        handler(message)
        self._request_push()

    def _on_touch(self, message: dict[str, Any]) -> None:
        choice = message.get("choice")
        if not isinstance(choice, str) or not self.data.valid_choice(choice):
            log.info("screen: ignored a touch on an unknown choice")
            return
        head, _, rest = choice.partition(":")
        with self._lock:
            model = self.model
            if head == "procedure":
                model.go("procedure", rest.split(":")[0])
            elif head == "take_number" and not rest:
                model.go("take")
            elif head == "lookup_dossier":
                model.go("dossier")
                model.dossier = None
            elif head == "human_help":
                model.go("help")
            elif head == "referral":
                model.go("referral", rest)
            elif head == "centre_hours":
                model.go("hours")
            elif head == "directions":
                model.go("directions", rest)
            elif head == "refreshment":
                model.go("refreshments")
        self._submit(lambda: self._touch(choice))

    def _touch(self, choice: str) -> None:
        """On the input worker: a second ticket for the same service in one session is never asked for."""
        head, _, rest = choice.partition(":")
        if head in ("take_number", "yes") and self._has_ticket_for(rest or None):
            with self._lock:
                self.model.go("ticket")
            return
        self.host.touched(choice)

    def _has_ticket_for(self, procedure: str | None) -> bool:
        with self._lock:
            ticket = self.model.ticket
        if ticket is None:
            return False
        conversation = self.host.conversation()
        if conversation is None or not conversation["active"] or conversation["ticket"] != ticket.get("number"):
            return False
        if procedure is None:
            return conversation["offer"] != "ticket"
        view = self.data.procedures.get(procedure)
        return view is not None and view.service == ticket.get("service")

    def _on_nav(self, message: dict[str, Any]) -> None:
        view, arg = message.get("view"), message.get("arg")
        if arg is not None and not isinstance(arg, str):
            return
        data = self.data
        allowed = {
            "home": arg is None, "search": arg is None, "places": arg is None, "refreshments": arg is None,
            "referrals": arg is None, "field": arg in data.field_ids,
            "directions": arg is not None and data.location_of(arg) is not None,
            "ticket": arg is None and self.model.ticket is not None,  # a read of one attribute
        }
        if not isinstance(view, str) or not allowed.get(view, False):
            log.info("screen: ignored a navigation to an unknown screen")
            return
        with self._lock:
            self.model.go(view, arg)

    def _on_input(self, message: dict[str, Any]) -> None:
        text, seq = message.get("text"), message.get("seq")
        if not isinstance(text, str) or not isinstance(seq, int):
            return
        with self._lock:
            model = self.model
            model.seq = max(model.seq, seq)
            if model.view == "dossier":
                model.text = dossier_text(text)
                return
            if model.view != "search":
                return
            model.text = text[:MAX_INPUT]
            query = model.text
        results = self.search.find(query)
        with self._lock:
            if self.model.text == query:
                self.model.results = results

    def _on_ask(self, message: dict[str, Any]) -> None:
        with self._lock:
            text = self.model.text.strip()
            if not text:
                return
            self.model.heard(text)
        self._submit(lambda: self.host.typed(text))

    def _on_lookup(self, message: dict[str, Any]) -> None:
        with self._lock:
            code, self.model.text = self.model.text, ""
            if not code:
                return
            self.model.go("dossier")
            self.model.awaiting_dossier, self.model.dossier = True, None
        self._submit(lambda: self.host.scanned(code))  # a typed code is looked up as a scanned one

    def _on_arrive(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.model.go("home")
        self._submit(self.host.person_arrived)

    def _on_large(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.model.large = not self.model.large

    def _submit(self, action: Callable[[], None]) -> None:
        """Run on the input worker; until it is done, the screen shows no offer (it would be the previous one)."""
        def run() -> None:
            try:
                action()
            except Exception:
                log.exception("screen: the application failed to handle a touch")
            finally:
                with self._lock:
                    self._pending -= 1
            self._request_push_threadsafe()

        with self._lock:
            self._pending += 1
            self.model.buttons = []
        self._worker.submit(run)

    # ------------------------------------------------------------------ the application's events

    def _on_event(self, event: Any) -> None:
        kind, data = event.kind, event.data
        with self._lock:
            model = self.model
            if kind == "said":
                model.said(event.text, data.get("key"))
            elif kind == "heard":  # the words only when acted on (profanity masked); event.text has none
                if data.get("words"):
                    model.heard(data["words"])
            elif kind == "ticket":
                model.ticket = {k: data.get(k) for k in ("number", "service", "service_name", "counters",
                                                         "people_ahead", "wait_minutes", "printed", "priority")}
                model.go("ticket")
            elif kind == "guide":
                model.guiding = "arrived" not in data
            elif kind == "info" and event.text.startswith("code read by"):
                model.go("dossier")
                model.awaiting_dossier, model.dossier = True, None
            elif kind == "info" and event.text.startswith("dialog session ended"):
                # the goodbye stays on screen a little, then everything is cleared (unless touched meanwhile)
                self._last_activity = time.monotonic() - max(0.0, self.settings.idle_timeout_s - ENDED_CLEAR_S)
                return
            else:
                return
        if not (kind == "said" and data.get("key") == "announce"):  # a counter's call keeps nobody's screen awake
            self._last_activity = time.monotonic()
        self._request_push_threadsafe()

    # ------------------------------------------------------------------ pushing the screen

    def _request_push_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._request_push)

    def _request_push(self) -> None:
        if self._push_pending:
            return
        self._push_pending = True
        asyncio.get_running_loop().call_soon(self._push)

    def _push(self) -> None:
        """Render and send to every browser. While a touch waits for the worker or a turn runs, wait for its end,
        so that what the robot said and what it offers show together; a long turn (a guided walk) shows what is
        said meanwhile, polled every BUSY_POLL_S, without buttons."""
        with self._lock:
            pending = self._pending
        conversation = self.host.conversation() if not pending else None
        now = time.monotonic()
        loop = asyncio.get_running_loop()
        busy = conversation is None
        if busy:
            self._busy_since = self._busy_since or now
            if now - self._busy_since < BUSY_PUSH_S and not self.model.guiding:
                loop.call_later(BUSY_RETRY_S, self._push)
                return
        else:
            self._busy_since = None
        buttons = offer_buttons(conversation, self.data)
        with self._lock:
            if buttons is not None:
                self.model.buttons = buttons
            elif busy:
                self.model.buttons = []
            message = self._render_message()
        if message != self._last_message:
            self._last_message = message
            self.pushes += 1
            for ws in list(self._clients):
                task = loop.create_task(self._send(ws, message))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)
        if busy:  # still running: look again (and show its end)
            loop.call_later(BUSY_POLL_S, self._push)
            return
        self._push_pending = False

    async def _send(self, ws: WebSocket, message: str) -> None:
        try:
            await ws.send_text(message)
        except Exception:
            self._clients.pop(ws, None)

    def _render_message(self) -> str:
        model = self.model
        return json.dumps({"type": "render", "view": model.view, "html": self.renderer.screen(model),
                           "text": model.text, "seq": model.seq, "large": model.large, "screen": self._screens})

    # ------------------------------------------------------------------ idle

    async def _watch_idle(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            if time.monotonic() - self._last_activity < self.settings.idle_timeout_s:
                continue
            self._last_activity = time.monotonic()
            with self._lock:
                if self.model.view == "attract" and not self.model.lines:
                    continue
                self.model = ScreenModel()  # everything the citizen entered or was shown goes
                self._screens += 1
            log.info("screen: idle for %.0f s; back to the attract screen", self.settings.idle_timeout_s)
            self._submit(self._end_conversation)

    def _end_conversation(self) -> None:
        conversation = self.host.conversation()
        if conversation is None or conversation["active"]:
            self.host.end_conversation()
        with self._lock:  # what the robot said while ending is not kept
            self.model = ScreenModel()
            self._screens += 1


MESSAGE_TYPES = frozenset({"touch", "nav", "input", "ask", "lookup", "arrive", "large"})
