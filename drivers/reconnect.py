"""The reconnect loop shared by the device threads (camera feed, QR scanners): open, use until it fails,
report why, close, wait, open again, until stopped. No error escapes the thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Literal, TypeVar

log = logging.getLogger(__name__)

Device = TypeVar("Device")
LinkState = Literal["ready", "disconnected"]


def describe(exc: BaseException) -> str:
    """The first line of an error, at most 200 characters, for a technician's status line."""
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def keep_open(
    name: str, stop: threading.Event, retry_s: float, open_device: Callable[[], Device],
    use: Callable[[Device], None], close: Callable[[Device], None], set_state: Callable[[LinkState, str], None],
) -> None:
    """Until `stop` is set: `open_device()`, report "ready" and `use` it (it returns when `stop` is set or
    raises when the device is gone); on a failure to open or to use it report "disconnected" with the
    reason; close it (a failing close is logged) and try again after `retry_s`."""
    while not stop.is_set():
        try:
            device = open_device()
        except Exception as exc:
            set_state("disconnected", describe(exc))
            stop.wait(retry_s)
            continue
        set_state("ready", "")
        try:
            use(device)
        except Exception as exc:
            set_state("disconnected", describe(exc))
        finally:
            try:
                close(device)
            except Exception as exc:
                log.debug("%s: close failed: %s", name, describe(exc))
        stop.wait(retry_s)
