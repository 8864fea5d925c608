"""The citizen's screen (robot/web) in a real headless Chromium, on the simulated Cửa Nam robot.

Real parts: the application with its simulated devices (ESC/POS printer on a TCP port, QR scanner on a pty),
uvicorn on a real port, Chromium driven by Selenium through the system chromedriver.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from websockets.sync.client import connect

from simulator.session import SimSession
from tests.mosquitto import free_port
from tests.screen_support import (
    CONTRAST_JS,
    SIZES,
    button,
    chromium,
    lines,
    open_home,
    screen_url,
    shots_dir,
    simulated_robot,
    tap,
    text,
    texts,
    view,
    wait,
    wait_view,
)

pytestmark = pytest.mark.slow


def printed_numbers(session: SimSession) -> list[str]:
    return [str(o.data.get("number")) for o in session.observations() if o.kind == "printed"]


def tickets_issued(session: SimSession) -> list[str]:
    return [str(o.data.get("number")) for o in session.observations() if o.kind == "ticket"]


def wait_until(condition: Callable[[], object], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout_s:g} s for {what}"
        time.sleep(0.02)


def test_touch_a_field_a_procedure_then_take_a_number(tmp_path: Path) -> None:
    """Home -> Chứng thực -> chứng thực bản sao -> Lấy số: the ticket comes out of the simulated printer and is
    shown with its counters; what the robot says is on screen with the buttons of its offer."""
    shots = shots_dir(tmp_path)
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        open_home(driver, screen_url(session))
        driver.save_screenshot(str(shots / "screen-home.png"))
        tap(driver, "[data-nav=field][data-arg=chung_thuc]")
        wait_view(driver, "field")
        tap(driver, "[data-touch='procedure:chung_thuc_ban_sao']")
        wait_view(driver, "procedure")
        wait(driver, lambda d: any("quầy số một" in line for line in lines(d)), "the counters said")
        offer = texts(driver, ".offer button")
        assert offer == ["Lấy số", "Không, cảm ơn"]  # shown with the question, in the same render
        page = text(driver, "main") or ""
        assert "Giấy tờ cần mang" in page and "Lệ phí" in page and "Quầy số 1, 2, 4" in page
        driver.save_screenshot(str(shots / "screen-procedure.png"))
        tap(driver, "[data-touch='take_number:chung_thuc_ban_sao']")
        wait_view(driver, "ticket")
        assert text(driver, "#ticket-number") == "A001"
        assert "Quầy số 1, 2, 4" in (text(driver, ".ticket") or "")
        wait_until(lambda: "A001" in printed_numbers(session), "ticket A001 on the simulated printer")
        assert not driver.find_elements(By.ID, "not-printed")
        driver.save_screenshot(str(shots / "screen-ticket.png"))


def test_on_screen_keyboard_finds_the_procedure_as_typed(tmp_path: Path) -> None:
    """'chung thuc ban sao' typed on the on-screen keyboard, without accents: chứng thực bản sao first; telex too."""
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        open_home(driver, screen_url(session))
        tap(driver, "[data-nav=search]")
        wait_view(driver, "search")
        for ch in "chung thuc ban sao":
            tap(driver, "[data-key=space]" if ch == " " else f"[data-key='{ch}']")
        assert text(driver, "#input") == "chung thuc ban sao"

        def first(d: WebDriver) -> str | None:
            return d.execute_script("const e = document.querySelector('.results .result');"
                                    "return e ? e.dataset.touch : null")

        wait(driver, lambda d: first(d) == "procedure:chung_thuc_ban_sao", "chứng thực bản sao first")
        driver.save_screenshot(str(shots_dir(tmp_path) / "screen-search.png"))
        tap(driver, "[data-key=clear]")
        for ch in "dawng kys khai tuwr":
            tap(driver, "[data-key=space]" if ch == " " else f"[data-key='{ch}']")
        wait(driver, lambda d: first(d) == "procedure:khai_tu", "khai tử first for telex 'dawng kys khai tuwr'")


def test_a_request_typed_in_the_console_shows_subtitles_and_buttons(tmp_path: Path) -> None:
    """What the technician types in the console (as if said) shows on the screen with the offer's buttons; a
    request typed on the screen goes through the same understanding."""
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        driver.get(screen_url(session))
        wait_view(driver, "attract")
        assert session.app is not None
        worker = threading.Thread(target=session.app.typed, args=("tôi muốn đăng ký kết hôn",))
        worker.start()
        worker.join()
        wait(driver, lambda d: any("kết hôn làm ở quầy số" in line for line in lines(d)), "the answer as subtitles")
        wait(driver, lambda d: texts(d, ".offer button")
             == ["Lấy số", "Không, cảm ơn"], "the ticket offer as buttons")
        assert view(driver) == "home"  # the conversation woke the screen from its attract screen
        tap(driver, ".offer [data-touch=yes]")
        wait_view(driver, "ticket")
        assert (text(driver, "#ticket-number") or "").startswith("B")
        # typed on the screen (a physical keyboard here) and sent with Enter: the same understanding
        tap(driver, "[data-nav=home]")
        tap(driver, "[data-nav=search]")
        wait_view(driver, "search")
        driver.find_element(By.TAG_NAME, "body").send_keys("khai tu can giay gi\n")
        wait(driver, lambda d: "khai tu can giay gi" in lines(d), "the request, on screen")
        wait(driver, lambda d: any("khai tử" in line and "cần" in line for line in lines(d)[1:]),
             "the papers for khai tử said")


def test_idle_timeout_goes_back_to_attract_and_clears_everything(tmp_path: Path) -> None:
    with simulated_robot(tmp_path / "sim", idle_timeout_s=2) as session, chromium() as driver:
        open_home(driver, screen_url(session))
        tap(driver, "[data-nav=search]")
        for ch in "ket hon":
            tap(driver, "[data-key=space]" if ch == " " else f"[data-key='{ch}']")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".results .result"), "results")
        wait_view(driver, "attract")  # nobody touched it for 2 s
        assert session.app is not None
        conversation = session.app.conversation()
        assert conversation is not None and not conversation["active"]
        assert "ket hon" not in driver.page_source and not lines(driver)
        tap(driver, "[data-send=arrive]")
        wait_view(driver, "home")
        tap(driver, "[data-nav=search]")
        wait_view(driver, "search")
        assert text(driver, "#input") == ""
        kept = driver.execute_script("return [document.cookie, localStorage.length, sessionStorage.length]")
        assert kept == ["", 0, 0]  # nothing of the citizen's kept in the browser


def test_the_page_reconnects_after_the_application_restarts(tmp_path: Path) -> None:
    port = free_port()
    with chromium() as driver:
        with simulated_robot(tmp_path / "first", port) as session:
            open_home(driver, screen_url(session))
        wait(driver, lambda d: "offline" in str(d.find_element(By.TAG_NAME, "body").get_attribute("class")),
             "the page to notice the application stopped")
        with simulated_robot(tmp_path / "second", port) as session:
            wait(driver, lambda d: "offline" not in str(d.find_element(By.TAG_NAME, "body").get_attribute("class")),
                 "the page to reconnect", timeout_s=20)
            wait(driver, lambda d: d.execute_script("return document.body.dataset.role") == "controller",
                 "control of the new application")
            tap(driver, "[data-send=arrive]")
            wait_view(driver, "home")
            assert session.app is not None and "a kiosk browser" in session.app.parts()["screen"]


def test_a_double_tap_issues_one_ticket(tmp_path: Path) -> None:
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        open_home(driver, screen_url(session))
        tap(driver, "[data-nav=field][data-arg=ho_tich]")
        tap(driver, "[data-touch='procedure:khai_sinh']")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".offer button"), "the offer")
        # two taps in the same instant: both messages reach the application (the page does not filter them)
        driver.execute_script("const b = document.querySelector(\"[data-touch='take_number:khai_sinh']\");"
                              "b.click(); b.click();")
        wait_view(driver, "ticket")
        # a later touch, handled after both taps (one input worker, in order): then count the tickets
        tap(driver, "[data-nav=home]")
        wait_view(driver, "home")
        tap(driver, "[data-touch=centre_hours]")
        wait_view(driver, "hours")
        wait(driver, lambda d: any("giờ" in line for line in lines(d)[-2:]), "the hours said")
        assert tickets_issued(session) == ["B001"]
        # and Lấy số again on the same procedure's page shows the same ticket
        tap(driver, "[data-nav=home]")
        wait_view(driver, "home")
        tap(driver, "[data-nav=field][data-arg=ho_tich]")
        tap(driver, "[data-touch='procedure:khai_sinh']")
        wait_view(driver, "procedure")
        tap(driver, "[data-touch='take_number:khai_sinh']")
        wait_view(driver, "ticket")
        assert text(driver, "#ticket-number") == "B001"
        assert tickets_issued(session) == ["B001"]


def test_a_second_browser_gets_a_read_only_mirror(tmp_path: Path) -> None:
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        url = screen_url(session)
        open_home(driver, url)
        kiosk = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.get(url)
        wait(driver, lambda d: d.execute_script("return document.body.dataset.role") == "mirror", "the mirror role")
        wait_view(driver, "home")
        assert button(driver, "#mirror-note").text == "Màn hình xem lại, chỉ xem"
        tap(driver, "[data-nav=places]")  # ignored: a mirror only watches
        driver.switch_to.window(kiosk)
        tap(driver, "[data-nav=refreshments]")
        wait_view(driver, "refreshments")
        mirror = driver.window_handles[1]
        driver.switch_to.window(mirror)
        wait_view(driver, "refreshments")  # followed the kiosk, not its own touch


def test_bad_input_is_escaped_or_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """HTML and script in the search box are shown as text, never run; 5,000 characters are cut; a message that
    is not JSON, of an unknown type or naming an unknown choice is ignored with a log line."""
    caplog.set_level(logging.INFO, logger="robot.web.part")
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        url = screen_url(session)
        open_home(driver, url)
        tap(driver, "[data-nav=search]")
        wait_view(driver, "search")
        attack = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
        driver.find_element(By.TAG_NAME, "body").send_keys(attack)
        wait(driver, lambda d: text(d, "#input") == attack, "the text shown as typed")
        assert driver.execute_script("return window.pwned === undefined && !document.querySelector('#input img')")
        driver.find_element(By.TAG_NAME, "body").send_keys("\n")
        wait(driver, lambda d: any(line for line in lines(d)[1:]), "the robot's answer to it")
        assert driver.execute_script("return window.pwned === undefined")
        # straight to the socket, as a broken or hostile page would (the kiosk keeps control: a mirror here)
        with connect(url.replace("http", "ws") + "ws") as ws:
            assert json.loads(ws.recv())["role"] == "mirror"
        driver.get("about:blank")  # the kiosk page leaves: this client takes control
        wait_until(lambda: "no browser" in session.app.parts()["screen"], "the kiosk page to leave")  # type: ignore
        with connect(url.replace("http", "ws") + "ws") as ws:
            assert json.loads(ws.recv())["role"] == "controller"
            ws.recv()
            for raw in ("not json", json.dumps([1, 2]), json.dumps({"type": "explode"}),
                        json.dumps({"type": "touch", "choice": "procedure:no_such_thing"}),
                        json.dumps({"type": "touch", "choice": "__class__"}),
                        json.dumps({"type": "nav", "view": "field", "arg": "<b>"}),
                        json.dumps({"type": "input", "text": "x" * 5000 + "😀", "seq": 1})):
                ws.send(raw)
            ws.send(json.dumps({"type": "arrive"}))
            seen = ""
            while "view-home" not in seen:
                seen = json.loads(ws.recv(timeout=10)).get("html", "")
        logged = caplog.text
        assert "not JSON" in logged and "unknown type 'explode'" in logged and "unknown choice" in logged
        assert session.app is not None and session.app.parts()["dialog"] == "ok"


@pytest.mark.parametrize("orientation", ["portrait", "landscape", "tablet"])
def test_layouts_are_large_plain_and_fit(tmp_path: Path, orientation: str) -> None:
    """Body text >= 28 px, buttons >= 64 px high, AA contrast, nothing wider than the screen, the home screen
    without scrolling; the same with 'chữ to'. Screenshots of home (and the map) per layout."""
    shots = shots_dir(tmp_path)
    with simulated_robot(tmp_path / "sim", orientation=orientation) as session, chromium(SIZES[orientation]) as driver:
        open_home(driver, screen_url(session))
        assert driver.execute_script("return [innerWidth, innerHeight]") == list(SIZES[orientation])
        for large in (False, True):
            if large:
                tap(driver, "[data-send=large]")
                wait(driver, lambda d: "large" in str(d.find_element(By.TAG_NAME, "body").get_attribute("class")),
                     "chữ to")
            size = driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= (36 if large else 28)
            heights = driver.execute_script(
                "return [...document.querySelectorAll('#screen button')].map(b => b.getBoundingClientRect().height)")
            assert heights and min(heights) >= 64
            assert driver.execute_script("return document.documentElement.scrollWidth <= innerWidth")
            assert driver.execute_script(
                "const m = document.querySelector('main'); return m.scrollHeight <= m.clientHeight + 1"), \
                "the home screen scrolls"
            assert driver.execute_script(CONTRAST_JS) == []
        driver.save_screenshot(str(shots / f"screen-home-{orientation}-large.png"))
        # the longest procedure page (khai sinh, six papers), large text: "Lấy số" in view, the papers scroll
        tap(driver, "[data-nav=field][data-arg=ho_tich]")
        tap(driver, "[data-touch='procedure:khai_sinh']")
        wait_view(driver, "procedure")
        assert driver.execute_script(
            "const b = document.querySelector(\"[data-touch='take_number:khai_sinh']\").getBoundingClientRect();"
            "const m = document.querySelector('main');"
            "return b.top >= 0 && b.bottom <= innerHeight && m.scrollHeight <= m.clientHeight + 1")
        tap(driver, "[data-nav=home]")
        tap(driver, "[data-send=large]")
        tap(driver, "[data-nav=places]")
        tap(driver, "[data-nav=directions][data-arg=toilet]")
        wait_view(driver, "directions")
        assert str(driver.find_element(By.ID, "route").get_attribute("points")).count(",") >= 3
        assert driver.execute_script(CONTRAST_JS) == []
        driver.save_screenshot(str(shots / f"screen-directions-{orientation}.png"))


def test_a_receipt_scanned_or_a_code_typed_shows_the_status(tmp_path: Path) -> None:
    """The QR of a receipt read by the (simulated) scanner, or the code typed on the screen's keyboard: the
    dossier's status in plain words on the dossier screen; the code typed is not kept on screen."""
    from simulator.scenario import Step

    shots = shots_dir(tmp_path)
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        open_home(driver, screen_url(session))
        session.perform(Step(qr="000.A0.01.H26-260105-0004"))
        wait_view(driver, "dossier")
        wait(driver, lambda d: "đang xử lý" in (text(d, "#dossier-answer") or ""), "the status from the scan")
        driver.save_screenshot(str(shots / "screen-dossier.png"))
        tap(driver, "[data-nav=home]")
        tap(driver, "[data-touch=lookup_dossier]")
        wait_view(driver, "dossier")
        for ch in "000.a0.01.h26-260105-0005":
            tap(driver, f"[data-key='{ch}']")
        wait(driver, lambda d: text(d, "#input") == "000.A0.01.H26-260105-0005", "the code as typed, in capitals")
        tap(driver, "[data-send=lookup]")
        wait(driver, lambda d: "bổ sung" in (text(d, "#dossier-answer") or ""), "the status from the typed code")
        assert text(driver, "#input") == ""


def test_a_ticket_that_did_not_print_is_shown_with_its_number(tmp_path: Path) -> None:
    from simulator.scenario import Step

    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        session.perform(Step(fault="printer paper-out"))
        open_home(driver, screen_url(session))
        tap(driver, "[data-touch=take_number]")
        wait_view(driver, "take")
        tap(driver, "[data-nav=field][data-arg=ho_tich]")
        tap(driver, "[data-touch='procedure:khai_sinh']")  # the robot asked which procedure: the ticket at once
        wait_view(driver, "ticket")
        wait(driver, lambda d: "nhớ số B001" in (text(d, "#not-printed") or ""), "the number to remember")
        assert printed_numbers(session) == []


def test_directions_draw_the_route_and_the_robot_leads(tmp_path: Path) -> None:
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        open_home(driver, screen_url(session))
        tap(driver, "[data-nav=places]")
        tap(driver, "[data-nav=directions][data-arg=toilet]")
        wait_view(driver, "directions")
        assert text(driver, "h1") == "Đường đến nhà vệ sinh"
        tap(driver, "[data-touch='directions:toilet']")
        wait(driver, lambda d: any("đi theo" in line for line in lines(d)), "the robot's lead-in on screen")
        wait_until(lambda: any(o.kind == "guide" and o.data.get("arrived") for o in session.observations()),
                   "the robot to arrive", timeout_s=60)


def test_the_screen_clears_soon_after_the_conversation_ends(tmp_path: Path) -> None:
    """Gọi cán bộ ends the conversation (handed over): its last words stay a moment, then the attract screen,
    long before the idle timeout."""
    with simulated_robot(tmp_path / "sim", idle_timeout_s=600) as session, chromium() as driver:
        open_home(driver, screen_url(session))
        tap(driver, "[data-touch=human_help]")
        wait_view(driver, "help")
        wait(driver, lambda d: len(lines(d)) >= 2, "the robot's answer")
        wait_view_started = time.monotonic()
        wait(driver, lambda d: view(d) == "attract", "the attract screen", timeout_s=20)
        assert time.monotonic() - wait_view_started > 5  # the goodbye was readable for a while
        assert not lines(driver)


def test_every_home_button_opens_its_screen_and_home_is_one_touch_away(tmp_path: Path) -> None:
    expected = {"[data-touch=take_number]": "take", "[data-nav=search]": "search",
                "[data-touch=lookup_dossier]": "dossier", "[data-nav=places]": "places",
                "[data-nav=refreshments]": "refreshments", "[data-touch=centre_hours]": "hours",
                "[data-nav=referrals]": "referrals"}
    with simulated_robot(tmp_path / "sim") as session, chromium() as driver:
        open_home(driver, screen_url(session))
        for selector, name in expected.items():
            tap(driver, selector)
            wait_view(driver, name)
            tap(driver, "[data-nav=home]")
            wait_view(driver, "home")
        tap(driver, "[data-nav=referrals]")
        tap(driver, "[data-touch='referral:passport']")
        wait_view(driver, "referral")
        assert (text(driver, ".referral") or "").startswith("Hộ chiếu làm ở")
        wait(driver, lambda d: any("Dạ, hộ chiếu làm ở" in line for line in lines(d)), "the referral said")
        tap(driver, "[data-nav=home]")
        tap(driver, "[data-touch=centre_hours]")
        wait_view(driver, "hours")
        assert "Thứ hai\t08:00 – 12:00, 13:30 – 17:00" in (text(driver, ".hours") or "")
        tap(driver, "[data-nav=home]")
        tap(driver, "[data-nav=refreshments]")
        assert not any("kẹo" in line for line in lines(driver))
        tap(driver, "[data-touch='refreshment:candy']")
        wait(driver, lambda d: any("kẹo" in line for line in lines(d)), "the candy handed out (or none left), said")
        tap(driver, "[data-nav=home]")
        tap(driver, "[data-touch=human_help]")
        wait_view(driver, "help")
        wait_until(lambda: any(o.kind == "alert" and o.data.get("kind") == "help_requested"
                               for o in session.observations()), "the staff alert")
