"""`letan web` (issue 18): the calling board, counter consoles, rating tablets and manager page, end to end.

A real mosquitto runs with exactly the files `letan mqtt setup` writes (users, passwords, ACL); the robot side is
the robot's MQTT service with a real queue engine (as tests/test_mqtt_setup.py); `letan web` runs as a process
connected as the `board` user; the pages run in headless Chromium.
Screenshots for docs/staff.md go to $LETAN_SCREENSHOTS (e.g. docs/img) when it is set, else into the test's folder.
"""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import os
import queue
import re
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import wave
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from letan.bench import screen as screen_bench
from letan.bench.web import OffsetClock, listening
from robot.clock import SystemClock
from robot.config import load_centre
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import CounterRating, Stamper
from robot.mqtt.mosquitto import free_port
from robot.mqtt.service import RobotMqtt
from robot.queue import QueueEngine
from robot.web.staff.state import CSV_COLUMNS, figures_csv_rows
from tests.conftest import CUA_NAM
from tests.mosquitto import USERS, MosquittoBroker
from tests.mqtt_support import TZ
from tests.screen_support import shots_dir, wait
from tests.test_mqtt_setup import SetupBroker, letan, setup_broker  # noqa: F401 (a fixture, used by world)
from tests.test_mqtt_tls import make_certificates
from tests.test_run_signals import centre_file as robot_centre_file
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

ROOT = "letan/v1/cua-nam"
NOTICE = 'Giờ làm việc: 7:30 – 17:00 <script>alert("x")</script><b>đậm</b> & “ngoặc”'
BOARD_SIZE = (1920, 1080)
RATING_IDLE_S = 20


@dataclass
class World:
    broker: SetupBroker  # mosquitto with the files `letan mqtt setup` wrote (tests/test_mqtt_setup.py)
    engine: QueueEngine
    robot: RobotMqtt
    web: subprocess.Popen[bytes]
    web_port: int
    web_log: Path

    @property
    def base(self) -> Path:
        return self.broker.out.parent

    @property
    def accounts(self) -> dict[str, str]:
        return self.broker.accounts

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def broker_url(self, user: str) -> str:
        return self.broker.url(user)

    def start_broker(self) -> None:
        log = (self.base / "broker" / "mosquitto.log").open("ab")
        self.broker.process = subprocess.Popen(["mosquitto", "-c", str(self.base / "broker" / "mosquitto.conf")],
                                               stdout=log, stderr=log)
        wait_until(lambda: listening(self.broker.port), "mosquitto to listen", 10)

    def stop_broker(self) -> None:
        self.broker.process.terminate()
        self.broker.process.wait(10)


@pytest.fixture(scope="module")
def world(setup_broker: SetupBroker) -> Iterator[World]:  # noqa: F811 (the fixture imported above)
    base = setup_broker.out.parent
    centre_file = base / "centre.yaml"  # the sample centre with a notice line for the board
    staff = f"staff: {{notice: {json.dumps(NOTICE)}, rating_idle_s: {RATING_IDLE_S}}}\n"
    centre_file.write_text(CUA_NAM.read_text(encoding="utf-8") + staff, encoding="utf-8")
    centre = load_centre(centre_file)
    clock = OffsetClock(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))  # a Monday morning
    engine = QueueEngine(centre, base / "queue.db", clock)
    web_port = free_port()
    web_log = base / "web.log"
    robot = RobotMqtt(centre, clock, broker_url=setup_broker.url("robot"), engine=engine,
                      outbox_path=base / "outbox.db")
    robot.start()
    assert robot.link.wait_connected(5)
    with web_log.open("wb") as log:
        web = subprocess.Popen([sys.executable, "-m", "letan", "web", "--config", str(centre_file), "--port",
                                str(web_port), "--broker", setup_broker.url("board")], stdout=log, stderr=log, cwd=base)
    wait_until(lambda: listening(web_port) or web.poll() is not None, "letan web to listen", 30)
    assert web.poll() is None, web_log.read_text()
    w = World(setup_broker, engine, robot, web, web_port, web_log)
    yield w
    w.web.terminate()
    w.web.wait(10)
    w.robot.stop()
    engine.close()
    logged = web_log.read_text()
    assert not any(password in logged for password in w.accounts.values()), "a password reached the log"


def chromium(size: tuple[int, int] = (1280, 900)) -> AbstractContextManager[WebDriver]:
    """Headless Chromium (letan/bench/screen.py's), playing sound without a touch, as the TV's kiosk browser."""
    return screen_bench.chromium(size, ("--autoplay-policy=no-user-gesture-required",))


def text(driver: WebDriver, selector: str) -> str:
    return str(driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", selector))


def login(driver: WebDriver, url: str, password: str, user: str | None = None) -> None:
    driver.get(url)
    if user is not None:
        driver.find_element(By.CSS_SELECTOR, f"#user option[value='{user}']").click()
    field = driver.find_element(By.ID, "password")
    field.send_keys(password)
    field.submit()


def live(driver: WebDriver) -> None:
    """The page has its first state from the server."""
    wait(driver, lambda d: d.execute_script("return document.body.dataset.online") == "1", "the page's state")


def board_waiting(driver: WebDriver, name: str) -> str | None:
    found = driver.execute_script(
        "for (const tr of document.querySelectorAll('#services tr')) {"
        "  if (tr.cells[0].innerText === arguments[0]) return tr.cells[1].innerText; } return null;", name)
    return None if found is None else str(found)


def open_console(driver: WebDriver, world: World, n: int) -> None:
    login(driver, f"{world.url}/counter/{n}", world.accounts[f"counter{n}"])
    wait(driver, lambda d: d.find_elements(By.ID, "btn-next"), "the console")
    live(driver)


def press(driver: WebDriver, button: str, expect: str) -> str:
    """Click a console button; the newest reply line, once it contains `expect`."""
    before = text(driver, "#log")
    driver.find_element(By.ID, button).click()

    def replied(d: WebDriver) -> str | None:
        newest = text(d, "#log li:first-child")
        return newest if expect in newest and text(d, "#log") != before else None
    return str(wait(driver, replied, f"a reply with {expect!r}"))


def drain_counter(world: World, n: int) -> None:
    """Finish whatever counter n has called (tests share one queue)."""
    current = world.engine.current(n)
    if current is not None:
        world.engine.no_show(current.number)


class Client:
    """A plain HTTP client with its own cookies (a second device, or an attacker)."""

    def __init__(self, world: World):
        self.world = world
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: bytes | None = None, content_type: str = "application/x-www-form-urlencoded"
                ) -> tuple[int, str]:
        req = urllib.request.Request(self.world.url + path, data=data, headers={"Content-Type": content_type})
        try:
            with self.opener.open(req, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, path: str, password: str, **extra: str) -> tuple[int, str]:
        return self.request(path, urllib.parse.urlencode({"password": password, **extra}).encode())

    def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, page = self.request(path, json.dumps(body).encode(), "application/json")
        return status, json.loads(page)


# --- the board ----------------------------------------------------------------------------------


def test_a_ticket_issued_appears_in_the_boards_waiting_count(world: World) -> None:
    with chromium(BOARD_SIZE) as board:
        board.get(f"{world.url}/board")
        live(board)
        wait(board, lambda d: board_waiting(d, "Chứng thực") is not None, "the Chứng thực row")
        before = world.engine.status().services[0].waiting
        world.engine.issue("chung_thuc")
        wait(board, lambda d: board_waiting(d, "Chứng thực") == str(before + 1), "the waiting count to go up")
        assert board.execute_script("return document.body.scrollHeight") <= BOARD_SIZE[1]  # one screen, no scroll


def test_counter_2_calls_next_and_the_board_shows_and_plays_it(world: World) -> None:
    drain_counter(world, 2)
    issued = world.engine.issue("chung_thuc").ticket.number
    with chromium(BOARD_SIZE) as board, chromium() as console:
        board.get(f"{world.url}/board")
        live(board)
        open_console(console, world, 2)
        wait(console, lambda d: issued in text(d, "#waiting"), "the waiting ticket in the console")
        reply = press(console, "btn-next", "Mời số")
        called = re.search(r"Mời số ([A-Z]\d+) đến quầy 2\.", reply)
        assert called, reply
        number = called.group(1)
        wait(console, lambda d: text(d, "#current-ticket") == number, "the current ticket")
        wait(board, lambda d: text(d, "#now-ticket") == number and text(d, "#now-counter") == "2",
             "the board to show the call")
        wait(board, lambda d: f"{number}@2" in d.execute_script("return window.letanPlayed"), "the call played",
             30)
        assert board.execute_script("return window.letanPlayed").count(f"{number}@2") == 1
        wait(console, lambda d: re.match(r"\d+:\d\d", text(d, "#timer")), "the timer")
        console.save_screenshot(str(shots_dir(world.base) / "staff-counter.png"))
        board.save_screenshot(str(shots_dir(world.base) / "staff-board.png"))
    with urllib.request.urlopen(f"{world.url}/audio/call/{number}/2.wav", timeout=30) as response:
        audio = response.read()
    with wave.open(BytesIO(audio)) as wav:  # chime and the call said twice
        assert wav.getnchannels() == 1 and wav.getnframes() / wav.getframerate() > 3.0


def test_calls_are_played_one_after_another(world: World) -> None:
    for n in (1, 2):
        drain_counter(world, n)
    world.engine.issue("chung_thuc")
    world.engine.issue("chung_thuc")
    with chromium(BOARD_SIZE) as board:
        board.get(f"{world.url}/board")
        live(board)
        board.execute_script(  # count the sounds playing at once: never more than one
            "window.active = 0; window.most = 0; const play = HTMLMediaElement.prototype.play;"
            "HTMLMediaElement.prototype.play = function() {"
            "  this.addEventListener('playing', () => {"
            "    window.active++; window.most = Math.max(window.most, window.active); });"
            "  this.addEventListener('ended', () => { window.active--; }); return play.call(this); };")
        first = world.engine.call_next(1)
        second = world.engine.call_next(2)
        assert first is not None and second is not None
        wait(board, lambda d: len(d.execute_script("return window.letanPlayed")) >= 2, "both calls played", 40)
        assert board.execute_script("return window.letanPlayed")[-2:] == [f"{first.number}@1", f"{second.number}@2"]
        assert board.execute_script("return window.most") == 1


# --- counters -----------------------------------------------------------------------------------


def test_counter_2_cannot_act_for_counter_3(world: World) -> None:
    drain_counter(world, 2)
    attacker = Client(world)
    status, page = attacker.login("/counter/3/login", world.accounts["counter2"])  # the broker refuses
    assert status == 401 and "Sai tên đăng nhập hoặc mật khẩu." in page
    status, _ = attacker.login("/counter/2/login", world.accounts["counter2"])
    assert status == 200  # followed the redirect to counter 2's console
    status, body = attacker.post_json("/counter/3/act", {"action": "call-next"})
    assert status == 401 and body["status"] == "rejected"  # a counter 2 session is nothing at counter 3
    status, body = attacker.post_json("/counter/2/act", {"action": "done"})
    assert status == 200 and body == {"status": "rejected", "message": "Quầy 2 chưa gọi số nào."}
    with chromium() as console:  # the refusal shown in the console, in Vietnamese
        open_console(console, world, 2)
        assert "Quầy 2 chưa gọi số nào." in press(console, "btn-done", "chưa gọi")
        assert "refused" in str(console.find_element(By.CSS_SELECTOR, "#log li:first-child").get_attribute("class"))


def test_a_rating_after_done_is_stored_once_and_published(world: World) -> None:
    drain_counter(world, 2)
    world.engine.issue("chung_thuc")
    seen: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    monitor = MqttLink(BrokerSettings.from_url(world.broker_url("monitor")), "t-monitor", reconnect_max_s=1)
    monitor.subscribe(f"{ROOT}/counter/+/rating", lambda t, p: seen.put(json.loads(p)))
    monitor.start()
    assert monitor.wait_connected(5) and monitor.subscribed.wait(5)
    try:
        with chromium((1280, 800)) as tablet, chromium() as console:
            login(tablet, f"{world.url}/rate/2", world.accounts["counter2"])
            wait(tablet, lambda d: d.execute_script("return document.body.dataset.view") == "welcome", "welcome")
            live(tablet)
            open_console(console, world, 2)
            number = re.search(r"Mời số ([A-Z]\d+)", press(console, "btn-next", "Mời số")).group(1)  # type: ignore
            press(console, "btn-done", "Đã xong")
            wait(tablet, lambda d: d.execute_script("return document.body.dataset.view") == "ask", "the question")
            assert text(tablet, "#ask-ticket") == number
            assert "Ông/bà có hài lòng với việc giải quyết hồ sơ không?" in text(tablet, "#ask")
            tablet.save_screenshot(str(shots_dir(world.base) / "staff-rate.png"))
            tablet.find_element(By.CSS_SELECTOR, "button[data-rating='unsatisfied']").click()
            tablet.find_element(By.CSS_SELECTOR, "button[data-reason='waited_long']").click()
            wait(tablet, lambda d: d.execute_script("return document.body.dataset.view") == "thanks", "thanks")
        published = seen.get(timeout=10)
        assert published["ticket"] == number and published["rating"] == "unsatisfied"
        assert published["reason"] == "waited_long" and published["counter"] == 2
        wait_until(lambda: [r for r in world.engine.ratings() if r["ticket"] == number], "the rating stored", 15)

        tablet_again = Client(world)  # a second rating of the same ticket: refused by the page...
        tablet_again.login("/rate/2/login", world.accounts["counter2"])
        status, body = tablet_again.post_json("/rate/2/send", {"ticket": number, "rating": "very_satisfied"})
        assert status == 409 and body["status"] == "rejected"
        never = world.engine.issue("chung_thuc").ticket.number  # ...and a ticket never served, by the robot
        status, body = tablet_again.post_json("/rate/2/send", {"ticket": never, "rating": "satisfied"})
        assert status == 409 and "chưa được phục vụ" in body["message"]
        link = MqttLink(BrokerSettings.from_url(world.broker_url("counter2")), "t-c2", reconnect_max_s=1)
        link.start()
        assert link.wait_connected(5)
        stamp = Stamper("cua-nam", "tablet", world.engine.clock)
        for ticket, rating in ((never, "satisfied"), (number, "very_satisfied")):  # straight to the robot
            message = stamp.make(CounterRating, counter=2, ticket=ticket, rating=rating)
            link.client.publish(message.topic(), message.to_json(), qos=1).wait_for_publish(5)
        marker = world.engine.issue("chung_thuc").ticket.number  # a rating stored after those two: they were seen
        world.engine.call(marker, 2)
        world.engine.start_serving(marker)
        world.engine.done(marker)
        last = stamp.make(CounterRating, counter=2, ticket=marker, rating="satisfied")
        link.client.publish(last.topic(), last.to_json(), qos=1).wait_for_publish(5)
        wait_until(lambda: any(r["ticket"] == marker for r in world.engine.ratings()), "the marker rating stored", 15)
        link.stop()
        ratings = world.engine.ratings()
        assert [r["rating"] for r in ratings if r["ticket"] == number] == ["unsatisfied"]  # stored once
        assert not [r for r in ratings if r["ticket"] == never]
        at = world.engine.now().isoformat()
        stats = letan("queue", "stats", "--json", "--config", str(CUA_NAM), "--db", str(world.base / "queue.db"),
                      "--at", at, cwd=world.base)
        assert stats.returncode == 0, stats.stderr
        counted = json.loads(stats.stdout)["ratings"]
        assert counted["total"]["unsatisfied"] >= 1 and counted["counters"]["2"]["unsatisfied"] >= 1
    finally:
        monitor.stop()


def test_serve_park_and_unpark_from_the_console(world: World) -> None:
    for n in (2, 3):
        drain_counter(world, n)
    number = world.engine.issue("ho_tich").ticket.number
    with chromium() as console:
        open_console(console, world, 3)
        assert f"Mời số {number} đến quầy 3." in press(console, "btn-next", "Mời số")
        assert f"Bắt đầu phục vụ số {number}." in press(console, "btn-serve", "Bắt đầu")
        wait(console, lambda d: text(d, "#current-status") == "Đang phục vụ", "the serving status")
        assert world.engine.ticket(number).status == "serving"
        other = Client(world)  # counter 2 cannot set counter 3's citizen aside
        other.login("/counter/2/login", world.accounts["counter2"])
        _, body = other.post_json("/counter/2/act", {"action": "park"})
        assert body == {"status": "rejected", "message": "Quầy 2 chưa gọi số nào."}
        assert f"Đã tạm hoãn số {number}." in press(console, "btn-park", "tạm hoãn")
        wait(console, lambda d: text(d, "#current-ticket") == "—", "the counter free")
        assert world.engine.ticket(number).status == "parked"
        _, body = other.post_json("/counter/2/act", {"action": "unpark", "ticket": number})  # not its service
        assert body["status"] == "rejected" and world.engine.ticket(number).status == "parked"
        console.find_element(By.ID, "call-ticket").send_keys(number.lower())
        assert f"Số {number} đã trở lại hàng chờ." in press(console, "btn-unpark", "trở lại")
        wait(console, lambda d: number in text(d, "#waiting"), "the ticket back in the waiting list")
        assert world.engine.ticket(number).status == "waiting"


def test_a_rating_tablet_left_alone_goes_back_to_its_welcome(world: World) -> None:
    drain_counter(world, 2)
    world.engine.issue("chung_thuc")
    with chromium((1280, 800)) as tablet, chromium() as console:
        login(tablet, f"{world.url}/rate/2", world.accounts["counter2"])
        live(tablet)
        open_console(console, world, 2)
        number = re.search(r"Mời số ([A-Z]\d+)", press(console, "btn-next", "Mời số")).group(1)  # type: ignore
        press(console, "btn-done", "Đã xong")
        wait(tablet, lambda d: d.execute_script("return document.body.dataset.view") == "ask"
             and text(d, "#ask-ticket") == number, "the question")
        asked = time.monotonic()
        wait(tablet, lambda d: d.execute_script("return document.body.dataset.view") == "welcome",
             "the welcome again", RATING_IDLE_S + 10)
        assert time.monotonic() - asked >= RATING_IDLE_S - 1
        tablet.refresh()  # nor does the page ask again when reloaded: the server no longer offers it
        live(tablet)
        assert tablet.execute_script("return document.body.dataset.view") == "welcome", (
            text(tablet, "#ask-ticket"), number, time.monotonic() - asked)


# --- the manager page ---------------------------------------------------------------------------


def test_the_manager_page_shows_queues_counters_and_the_robot(world: World) -> None:
    with chromium((1600, 1200)) as page:
        login(page, f"{world.url}/manager", world.accounts["monitor"], user="monitor")
        wait(page, lambda d: d.find_elements(By.ID, "queues"), "the manager page")
        live(page)
        wait(page, lambda d: "Chứng thực" in text(d, "#queues"), "the queues")
        wait(page, lambda d: "robot-1" in text(d, "#robots") and "Trực tuyến" in text(d, "#robots"), "the robot")
        issued = int(text(page, "#t-issued"))
        world.engine.issue("ho_tich")
        wait(page, lambda d: int(text(d, "#t-issued")) == issued + 1, "today's tickets to go up")
        assert "Quầy" in text(page, "main") and text(page, "#counters").count("\n") >= 7
        wait(page, lambda d: "Tổng" in text(d, "#figures"), "the day's figures")
        wait(page, lambda d: d.execute_script("return document.querySelectorAll('#chart rect.issued').length") >= 1,
             "the chart of the day")
        bars = page.execute_script("return [...document.querySelectorAll('#chart text.count')].map(e => e.textContent)")
        hours = json.loads(letan("queue", "stats", "--json", "--config", str(CUA_NAM), "--db",
                                 str(world.base / "queue.db"), "--at", world.engine.now().isoformat(),
                                 cwd=world.base).stdout)["hours"]
        assert sum(map(int, bars[0::2])) <= sum(h["issued"] for h in hours) and hours
        page.save_screenshot(str(shots_dir(world.base) / "staff-manager.png"))
    manager = Client(world)
    assert manager.login("/manager/login", world.accounts["monitor"], user="monitor")[0] == 200

    def same_as_the_robots_stats() -> list[list[str]] | None:
        status, body = manager.request("/manager/export.csv")
        done = letan("queue", "stats", "--json", "--config", str(CUA_NAM), "--db", str(world.base / "queue.db"),
                     "--at", world.engine.now().isoformat(), cwd=world.base)
        assert done.returncode == 0, done.stderr
        expected = [[str(v) if v is not None else "" for v in row] for row in figures_csv_rows(json.loads(done.stdout))]
        rows = list(csv.reader(io.StringIO(body)))
        return rows if status == 200 and rows[0] == list(CSV_COLUMNS) and rows[1:] == expected else None
    rows = wait_until(same_as_the_robots_stats, "the CSV export to match letan queue stats --json", 15)
    assert rows is not None
    total = dict(zip(rows[0], rows[1], strict=True))
    assert total["scope"] == "total" and int(total["tickets"]) == len(world.engine.tickets())
    assert "ho_tich" in {r[2] for r in rows if r[1] == "service"}
    status, page_text = Client(world).login("/manager/login", world.accounts["monitor"], user="supervisor")
    assert status == 401 and "Sai tên đăng nhập hoặc mật khẩu." in page_text
    status, _ = Client(world).login("/manager/login", world.accounts["supervisor"], user="supervisor")
    assert status == 200
    status, _ = Client(world).login("/manager/login", world.accounts["admin"], user="admin")
    assert status == 401  # only the manager users


# --- recovery and bad input ---------------------------------------------------------------------


def test_pages_recover_by_themselves_after_a_broker_restart(world: World) -> None:
    drain_counter(world, 2)
    with chromium(BOARD_SIZE) as board, chromium() as console:
        board.get(f"{world.url}/board")
        live(board)
        open_console(console, world, 2)
        world.stop_broker()
        wait(board, lambda d: d.execute_script("return document.body.dataset.online") == "0", "the board offline")
        world.start_broker()
        restarted = time.monotonic()
        wait(board, lambda d: d.execute_script("return document.body.dataset.online") == "1", "the board back", 10)
        number = world.engine.issue("chung_thuc").ticket.number
        wait(board, lambda d: d.execute_script("return document.body.dataset.online") == "1", "the board online")
        wait(console, lambda d: number in text(d, "#waiting"), "the new ticket in the console",
             max(0.5, 10 - (time.monotonic() - restarted)))
        assert time.monotonic() - restarted < 10
        assert "Mời số" in press(console, "btn-next", "Mời số")  # the console's own login reconnected too


def test_bad_input_is_refused_or_escaped(world: World) -> None:
    client = Client(world)
    status, page = client.login("/counter/4/login", "wrong-password")
    assert status == 401 and "Sai tên đăng nhập hoặc mật khẩu." in page
    assert "wrong-password" not in page and "not authorised" not in page.lower()
    status, page = client.request("/counter/99")
    assert status == 404 and "Không có quầy số 99" in page
    status, page = client.request("/board?point=khong-co")
    assert status == 404
    status, _ = client.post_json("/counter/4/act", {"action": "call-next"})
    assert status == 401
    for attempt in range(10):
        status, page = client.login("/counter/7/login", f"guess-{attempt}")
        assert status == 401
    status, page = client.login("/counter/7/login", world.accounts["counter7"])  # even the right one, for now
    assert status == 401 and "thử lại sau" in page
    with chromium(BOARD_SIZE) as board:
        board.get(f"{world.url}/board")
        live(board)
        assert text(board, "#notice") == NOTICE  # shown as text
        assert board.execute_script("return document.querySelectorAll('#notice *').length") == 0
    status, page = client.request("/audio/call/<b>/2.wav")
    assert status == 404

    staff = Client(world)  # a logged-in counter's state is not for another site's page
    assert staff.login("/counter/4/login", world.accounts["counter4"])[0] == 200
    cookie = "; ".join(f"{c.name}={c.value}" for c in staff.jar)
    socket_url = f"ws://127.0.0.1:{world.web_port}/ws/counter/4"
    with ws_connect(socket_url, additional_headers={"Cookie": cookie, "Origin": world.url}) as ours:
        assert json.loads(ours.recv(timeout=10))["counter"] == 4
    with pytest.raises(InvalidStatus) as refused:  # refused before the handshake completes
        ws_connect(socket_url, additional_headers={"Cookie": cookie, "Origin": "http://evil.example"})
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus):  # and without the cookie
        ws_connect(socket_url, additional_headers={"Origin": world.url})


def test_the_pages_are_served_over_tls(world: World, tmp_path: Path) -> None:
    ca, cert, key = make_certificates(tmp_path / "tls")
    bad = letan("web", "--config", str(CUA_NAM), "--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(key),
                cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    port = free_port()
    with (tmp_path / "web.log").open("wb") as log:
        web = subprocess.Popen([sys.executable, "-m", "letan", "web", "--config", str(CUA_NAM), "--port", str(port),
                                "--broker", world.broker_url("board"), "--tls-cert", str(cert), "--tls-key", str(key)],
                               stdout=log, stderr=log, cwd=tmp_path)
    try:
        wait_until(lambda: listening(port) or web.poll() is not None, "letan web over TLS to listen", 30)
        context = ssl.create_default_context(cafile=str(ca))
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                             urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(f"https://127.0.0.1:{port}/board", timeout=20) as page:
            assert page.status == 200 and "now-ticket" in page.read().decode()
        login = urllib.parse.urlencode({"password": world.accounts["counter2"]}).encode()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any) -> None:
                return None
        direct = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            direct.open(urllib.request.Request(f"https://127.0.0.1:{port}/counter/2/login", data=login), timeout=20)
        cookie = redirected.value.headers["Set-Cookie"]
        redirected.value.close()
        assert redirected.value.code == 303 and "Secure" in cookie and "HttpOnly" in cookie
        # the same patience as the page requests above (20 s): a loaded CI machine once took over 10 s to answer
        with ws_connect(f"wss://127.0.0.1:{port}/ws/board", ssl=context, open_timeout=30) as board:
            assert "services" in json.loads(board.recv(timeout=10))
    finally:
        web.terminate()
        web.wait(10)


def test_letan_run_announces_a_call_from_the_web_console_once(fresh_mosquitto: MosquittoBroker,
                                                              tmp_path: Path) -> None:
    """The robot application itself (letan run, devices none, speech to WAV files) with letan web on one broker."""
    config = robot_centre_file(tmp_path, fresh_mosquitto, always_open=True)
    centre = load_centre(config)
    env = {**os.environ, "LETAN_STATE_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    port = free_port()
    robot = subprocess.Popen([sys.executable, "-m", "letan", "run", "--config", str(config)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(robot.stdout or []), daemon=True)
    reader.start()
    web = subprocess.Popen([sys.executable, "-m", "letan", "web", "--config", str(config), "--port", str(port),
                            "--broker", fresh_mosquitto.url_for("board")], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env)
    engine = QueueEngine(centre, centre.queue_db_path(), SystemClock(centre.site.tz))
    try:
        wait_until(lambda: any("letan running" in line for line in lines), "letan run to start", 60)
        wait_until(lambda: listening(port), "letan web to listen", 30)
        console = Client(World(None, engine, None, web, port, tmp_path / "web.log"))  # type: ignore[arg-type]
        assert console.login("/counter/2/login", USERS["counter2"])[0] == 200
        said = tmp_path / "audio"
        calls = []
        for _ in range(3):
            number = engine.issue("chung_thuc").ticket.number
            _, reply = console.post_json("/counter/2/act", {"action": "call-next"})
            assert reply == {"status": "accepted", "message": f"Mời số {number} đến quầy 2."}, reply
            calls.append(number)
            wait_until(lambda: len(list(said.glob("utterance-*.wav"))) >= len(calls), "the robot's call", 30)
            console.post_json("/counter/2/act", {"action": "done"})
        # One file per call (said twice in it). The robot says calls in order, so when the third call's file is
        # there, a second saying of the first two would be there too.
        assert len(list(said.glob("utterance-*.wav"))) == 3
    finally:
        engine.close()
        web.terminate()
        web.wait(10)
        robot.terminate()
        robot.wait(10)
        reader.join(timeout=5)
    assert "Traceback" not in "".join(lines)
