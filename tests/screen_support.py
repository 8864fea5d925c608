"""Helpers for the screen tests: the simulated robot with its screen, and headless Chromium driven by Selenium."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from letan.bench.screen import PORTRAIT, chromium  # the same headless Chromium as `letan bench --only screen`
from robot.config import CentreConfig, load_catalogue_checked, load_centre
from simulator.session import SimOptions, SimSession
from tests.conftest import CUA_NAM

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)
SIZES = {"portrait": PORTRAIT, "landscape": (1920, 1080), "tablet": (800, 1280)}
__all__ = ["chromium"]
WAIT_S = 15.0


def screen_centre(port: int = 0, **screen: Any) -> CentreConfig:
    assert CENTRE.screen is not None
    return CENTRE.model_copy(update={"screen": CENTRE.screen.model_copy(update={"port": port, **screen})})


@contextmanager
def simulated_robot(workdir: Path, port: int = 0, **screen: Any) -> Iterator[SimSession]:
    """The simulated Cửa Nam robot with its screen on `port` (0: a free one)."""
    options = SimOptions(centre=screen_centre(port, **screen), start=MORNING, workdir=workdir, screen=True)
    with SimSession(options, CATALOGUE) as session:
        yield session


def screen_url(session: SimSession) -> str:
    assert session.app is not None and session.app.screen is not None, session.app and session.app.parts()
    return str(session.app.screen.url)


def wait(driver: WebDriver, condition: Callable[[WebDriver], Any], what: str, timeout_s: float = WAIT_S) -> Any:
    return WebDriverWait(driver, timeout_s, poll_frequency=0.02).until(condition, f"waited for {what}")


def view(driver: WebDriver) -> str:
    return str(driver.execute_script("return document.body.dataset.view || ''"))


def wait_view(driver: WebDriver, name: str) -> None:
    wait(driver, lambda d: view(d) == name, f"the {name} screen")


def button(driver: WebDriver, selector: str) -> WebElement:
    return wait(driver, lambda d: _visible(d, selector), f"button {selector}")


def _visible(driver: WebDriver, selector: str) -> WebElement | None:
    found = [e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]
    return found[0] if found else None


def tap(driver: WebDriver, selector: str) -> None:
    """Click the element (found again when a push replaced it in between)."""
    for _ in range(5):
        try:
            button(driver, selector).click()
            return
        except Exception as exc:  # a render replaced the element between finding and clicking it
            if "stale" not in str(exc).lower():
                raise
    raise AssertionError(f"could not click {selector}")


def lines(driver: WebDriver) -> list[str]:
    """The subtitles (read in the page: a push may replace the elements at any time)."""
    return list(driver.execute_script("return [...document.querySelectorAll('.talk .line')].map(e => e.innerText)"))


def text(driver: WebDriver, selector: str) -> str | None:
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : null",
                                 selector)


def texts(driver: WebDriver, selector: str) -> list[str]:
    return list(driver.execute_script("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText)",
                                      selector))


def open_home(driver: WebDriver, url: str) -> None:
    driver.get(url)
    wait(driver, lambda d: d.execute_script("return document.body.dataset.role") == "controller", "the controller role")
    wait_view(driver, "attract")
    tap(driver, "[data-send=arrive]")
    wait_view(driver, "home")


def shots_dir(tmp_path: Path) -> Path:
    """Screenshots go to LETAN_SCREENSHOTS (e.g. docs/img) when set, else into the test's folder."""
    folder = Path(os.environ.get("LETAN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Contrast of every visible text against its effective background (WCAG 2.x relative luminance).
CONTRAST_JS = """
function lum(c) { const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(x => { x /= 255;
  return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
function bg(e) { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
  const a = c.match(/[\\d.]+/g); if (a && (a.length < 4 || Number(a[3]) > 0.5)) return c; } return 'rgb(255,255,255)'; }
const worst = [];
for (const e of document.querySelectorAll('#screen *')) {
  if (!e.offsetParent || ![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const a = lum(getComputedStyle(e).color), b = lum(bg(e));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) worst.push([e.textContent.trim().slice(0, 40), ratio.toFixed(2)]);
}
return worst;
"""
