"""Web bench: a call at a counter until its number is on the calling board (`letan web`, docs/staff.md).

A real mosquitto with the documented ACL and a password per user, the robot's MQTT side with a real queue engine
(as `letan run` composes it), `letan web` as its own process connected as `board`, the board in headless
Chromium. Each round: a ticket is issued, counter 2's console (logged in as `counter2`) posts "gọi số tiếp
theo" (the server publishes the command as counter2, the robot calls the ticket and publishes the event, the
server pushes it to the board), and the time runs until the board's page shows the number (wall clock on both
sides, same machine). Also the board page's weight.
"""

from __future__ import annotations

import http.cookiejar
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from letan.bench import BenchReport, median, percentile

USERS = {"robot": "bench-robot", "board": "bench-board", "counter2": "bench-counter2"}
# In the page: the wall-clock time at which each number first showed as the newest call.
WATCH_JS = """
window.shownAt = {};
const box = document.getElementById('now-ticket');
new MutationObserver(() => { const t = box.textContent; if (!(t in window.shownAt)) window.shownAt[t] = Date.now(); })
  .observe(box, {childList: true, characterData: true, subtree: true});
"""


class OffsetClock:
    """Real time's pace from a given moment (a working-day morning: the queue is open)."""

    def __init__(self, start: datetime):
        self.start = start
        self.t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _until(condition: object, what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {timeout_s} s for {what}")
        time.sleep(0.01)


def listening(port: int) -> bool:
    """Something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def run(report: BenchReport, quick: bool) -> None:
    from letan.bench.screen import chromium
    from robot.config import load_centre
    from robot.mqtt.acl import acl_text
    from robot.mqtt.mosquitto import MosquittoBroker, free_port
    from robot.mqtt.service import RobotMqtt
    from robot.paths import DEFAULT_CENTRE
    from robot.queue import QueueEngine

    centre = load_centre(DEFAULT_CENTRE)
    rounds = 8 if quick else 40
    with tempfile.TemporaryDirectory(prefix="letan-bench-web-") as folder:
        base = Path(folder)
        broker = MosquittoBroker(port=free_port(), workdir=base / "broker", users=dict(USERS),
                                 acl=acl_text(centre.site.id, range(1, 9)))
        broker.start()
        clock = OffsetClock(datetime(2026, 11, 30, 8, 0, tzinfo=centre.site.tz))
        engine = QueueEngine(centre, base / "queue.db", clock)
        robot = RobotMqtt(centre, clock, broker_url=broker.url_for("robot"), engine=engine,
                          outbox_path=base / "outbox.db")
        web: subprocess.Popen[bytes] | None = None
        try:
            robot.start()
            port = free_port()
            web = subprocess.Popen([sys.executable, "-m", "letan", "web", "--config", str(DEFAULT_CENTRE), "--port",
                                    str(port), "--broker", broker.url_for("board")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _until(lambda: listening(port), "letan web to listen", 30)
            url = f"http://127.0.0.1:{port}"
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            login = urllib.parse.urlencode({"password": USERS["counter2"]}).encode()
            opener.open(urllib.request.Request(f"{url}/counter/2/login", data=login), timeout=20).read()

            def act(action: str) -> dict[str, str]:
                request = urllib.request.Request(f"{url}/counter/2/act", data=json.dumps({"action": action}).encode(),
                                                 headers={"Content-Type": "application/json"})
                with opener.open(request, timeout=20) as response:
                    return dict(json.loads(response.read()))

            with chromium((1920, 1080)) as driver:
                driver.get(f"{url}/board")
                _until(lambda: driver.execute_script("return document.body.dataset.online") == "1", "the board")
                driver.execute_script(WATCH_JS)
                weights = driver.execute_script(
                    "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType("
                    "'resource')].filter(e => !e.name.includes('/audio/')).map(e => e.encodedBodySize || "
                    "e.transferSize || 0)")
                latencies = []
                for _ in range(rounds):
                    number = engine.issue("chung_thuc").ticket.number
                    started = time.time() * 1000
                    reply = act("call-next")
                    if reply.get("status") != "accepted":
                        raise RuntimeError(f"the call was not accepted: {reply.get('message')}")
                    _until(lambda n=number: driver.execute_script("return window.shownAt[arguments[0]]", n),
                           f"{number} on the board")
                    latencies.append(float(driver.execute_script("return window.shownAt[arguments[0]]", number))
                                     - started)
                    act("done")
        finally:
            if web is not None:
                web.terminate()
                web.wait(10)
            robot.stop()
            engine.close()
            broker.stop()
    p95 = percentile(latencies, 95)
    report.add(f"call at a counter -> number on the board p95 ({rounds} calls)", p95, "ms", target="p95 <= 300 ms",
               met=p95 <= 300, note=f"median {median(latencies):.1f} ms; console POST -> MQTT -> robot -> MQTT -> "
                                    "letan web -> WebSocket -> page")
    total = sum(int(size) for size in weights)
    report.add("page weight of the board (HTML, CSS, scripts, fonts; without the call's audio)", total / 1024, "KB",
               target="<= 400 KB", met=total <= 400 * 1024, note=f"{len(weights)} requests")
