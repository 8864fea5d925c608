"""Screen bench: the citizen's screen of a `letan sim` robot, measured in headless Chromium.

- touch -> screen updated: from the click in the page to the new screen painted (the next animation frame
  after the push), for a touch the screen handles alone (a field's list) and for one that is a dialog turn
  (a procedure: the robot answers and offers a ticket, shown together);
- first paint of the page, and the first screen pushed over the WebSocket (navigation start -> render);
- page weight: everything the browser fetched for the home screen (HTML, CSS, script, fonts).

Needs Debian's chromium and chromium-driver and the selenium package (the test extra).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from letan.bench import BenchReport, median, percentile

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1")
PORTRAIT = (1080, 1920)
PROCEDURES = ("khai_sinh", "ket_hon", "khai_tu")

# Click, then wait for a render of the screen expected and the frame after it; answers the milliseconds between.
TOUCH_JS = """
const done = arguments[arguments.length - 1];
const body = document.body, before = Number(body.dataset.rendered || 0), expected = arguments[1];
const shown = arguments.length > 3 ? arguments[2] : null;  // and this on screen
const target = document.querySelector(arguments[0]);
if (!target) { done(-1); return; }
const observer = new MutationObserver(() => {
  if (Number(body.dataset.rendered || 0) > before && body.dataset.view === expected
      && (!shown || document.querySelector(shown))) {
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0));
  }
});
observer.observe(body, {attributes: true});
const start = performance.now();
target.click();
"""
WEIGHT_JS = """
const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
return entries.map(e => [e.name, e.encodedBodySize || e.transferSize || 0]);
"""


@contextmanager
def chromium(size: tuple[int, int] = PORTRAIT, flags: tuple[str, ...] = ()) -> Iterator[Any]:
    """Headless Chromium through the system chromedriver, on a fresh profile, its viewport exactly `size`; `flags`
    are added to FLAGS."""
    from selenium import webdriver

    with tempfile.TemporaryDirectory(prefix="letan-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (*FLAGS, *flags, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
        try:
            yield driver
        finally:
            driver.quit()


def run(report: BenchReport, quick: bool) -> None:
    from robot.config import load_catalogue_checked, load_centre
    from robot.paths import DEFAULT_CENTRE
    from simulator.session import SimOptions, SimSession

    catalogue = load_catalogue_checked()
    centre = load_centre(DEFAULT_CENTRE, catalogue)
    assert centre.screen is not None, "the sample centre has a screen: section"
    centre = centre.model_copy(update={"screen": centre.screen.model_copy(update={"port": 0})})
    start = datetime(2026, 11, 25, 8, 5, tzinfo=centre.site.tz)
    touches = 10 if quick else 40
    with tempfile.TemporaryDirectory(prefix="letan-bench-screen-") as folder, \
            SimSession(SimOptions(centre=centre, start=start, workdir=Path(folder), screen=True), catalogue) as session:
        assert session.app is not None and session.app.screen is not None, session.app and session.app.parts()
        url = session.app.screen.url
        with chromium() as driver:
            driver.set_script_timeout(10)
            driver.get(url)
            _wait(driver, "return document.body.dataset.role === 'controller' && !!document.body.dataset.rendered")
            paint = driver.execute_script(
                "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null")
            first = float(driver.execute_script("return Number(document.body.dataset.firstRender)"))
            arrive = driver.execute_async_script(TOUCH_JS, "[data-send=arrive]", "home")
            _wait(driver, "return document.fonts.status === 'loaded'")
            weights = driver.execute_script(WEIGHT_JS)  # the home screen's, its bold font included
            local, turn = [], []
            for index in range(touches):
                # another procedure each time: the same touch twice within a second counts once (a double tap)
                procedure = PROCEDURES[index % len(PROCEDURES)]
                local.append(driver.execute_async_script(TOUCH_JS, "[data-nav=field][data-arg=ho_tich]", "field"))
                turn.append(driver.execute_async_script(TOUCH_JS, f"[data-touch='procedure:{procedure}']", "procedure",
                                                       ".offer button"))
                driver.execute_async_script(TOUCH_JS, "[data-nav=home]", "home")
    if min(local + turn) < 0:
        raise RuntimeError("a button to touch was not on the screen")
    report.add("first contentful paint of the page", float(paint or 0), "ms", note="fresh profile, localhost")
    report.add("first screen pushed (navigation start -> render)", first, "ms", target="<= 1000 ms",
               met=first <= 1000)
    report.add("touch -> screen updated, the greeting (attract -> home, one run)", float(arrive), "ms")
    for name, values in (("a field's list", local), ("a procedure: a dialog turn, page, answer and offer", turn)):
        p95 = percentile(values, 95)
        report.add(f"touch -> screen updated p95, {name} ({len(values)} touches)", p95, "ms",
                   target="p95 <= 100 ms", met=p95 <= 100, note=f"median {median(values):.1f} ms")
    total = sum(int(size) for _, size in weights)
    report.add("page weight of the home screen (HTML, CSS, script, fonts)", total / 1024, "KB",
               target="<= 400 KB", met=total <= 400 * 1024, note=f"{len(weights)} requests")


def _wait(driver: Any, script: str, timeout_s: float = 15.0) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout_s, poll_frequency=0.02).until(lambda d: d.execute_script(script))
