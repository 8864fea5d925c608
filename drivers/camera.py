"""One camera, its frames shared by whoever looks at them (presence detection, the QR decoder).

`CameraFeed(source, consumers)` opens OpenCV `VideoCapture` on a device index ("0"), a video file
or a URL (an IP camera's MJPEG-over-HTTP or RTSP stream), reads frames in its own thread and hands
each frame to every consumer in turn; then the frame is dropped. No frame is kept or written.

A live stream's frames queue up in buffers while the consumers are busy: frames that come out of
a buffer at once (and frames beyond `fps` a second) are read and dropped unseen, so the consumers
always get a recent frame. A video file or image sequence is played at `fps`, every frame used.
On any failure the feed reports "disconnected" with the reason and reopens the device every
`retry_s`; no error escapes the thread. URLs are opened with open and read timeouts, so a camera
that stops answering is noticed within `timeout_s`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from drivers.reconnect import keep_open

log = logging.getLogger(__name__)

CameraState = Literal["starting", "ready", "disconnected", "stopped"]
FrameConsumer = Callable[[np.ndarray], None]


@dataclass(frozen=True)
class CameraStatus:
    state: CameraState
    detail: str = ""  # English, for technicians


def camera_source(device: str | int) -> str | int:
    """A V4L2 index given as text ("0") becomes an int; paths and URLs stay text."""
    return int(device) if isinstance(device, str) and device.isdigit() else device


def open_capture(device: str | int, timeout_s: float = 5.0) -> Any:
    """An opened `cv2.VideoCapture`, or OSError. URLs get FFMPEG open/read timeouts of `timeout_s`."""
    import cv2

    source = camera_source(device)
    if isinstance(source, str) and "://" in source:
        ms = int(timeout_s * 1000)
        capture = cv2.VideoCapture(source, cv2.CAP_FFMPEG,
                                   [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms])
    else:
        capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        capture.release()
        raise OSError(f"cannot open camera {device!r}")
    return capture


class CameraFeed:
    """Reads `device` in a thread and hands each frame (BGR) to `consumers`, at most `fps` frames a second."""

    def __init__(
        self, device: str | int, consumers: Sequence[FrameConsumer], on_state: Callable[[CameraStatus], None] | None
        = None, *, fps: float = 10.0, retry_s: float = 2.0, timeout_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.device = device
        self.consumers = list(consumers)
        self._on_state = on_state
        self.interval_s = 1.0 / fps
        self.retry_s = retry_s
        self.timeout_s = timeout_s
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = CameraStatus("stopped")
        self._state_changed = threading.Condition()
        self.frames_read = 0
        self.frames_used = 0

    @property
    def status(self) -> CameraStatus:
        return self._status

    def start(self, wait_s: float = 0.0) -> CameraStatus:
        """Start reading; wait up to `wait_s` for the first open to succeed or fail. Returns the state then."""
        if self._thread is None:
            self._stop.clear()
            self._set_state("starting")
            self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
            self._thread.start()
        with self._state_changed:
            self._state_changed.wait_for(lambda: self._status.state != "starting", timeout=wait_s)
        return self._status

    def stop(self, timeout_s: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.timeout_s + 1 if timeout_s is None else timeout_s)
            self._thread = None
        self._set_state("stopped")

    def _set_state(self, state: CameraState, detail: str = "") -> None:
        status = CameraStatus(state, detail)
        if status == self._status:
            return
        with self._state_changed:
            self._status = status
            self._state_changed.notify_all()
        log.info("camera: %s%s", state, f" ({detail})" if detail else "")
        if self._on_state is not None:
            try:
                self._on_state(status)
            except Exception:
                log.exception("camera: state handler failed")

    def _run(self) -> None:
        keep_open("camera", self._stop, self.retry_s, lambda: open_capture(self.device, self.timeout_s),
                  self._read_frames, lambda capture: capture.release(), self._set_state)

    def _read_frames(self, capture: Any) -> None:
        live = is_live(self.device)
        last_read = last_used = -1e9
        while not self._stop.is_set():
            ok, frame = capture.read()
            if not ok or frame is None:
                raise OSError(f"camera {self.device!r} gives no frames (unplugged, stream ended or timed out)")
            self.frames_read += 1
            now = self._monotonic()
            # A live camera's read waits for the next frame; one returned at once waited in a buffer while the
            # consumers were busy (stale: dropped until the backlog is gone). At most `fps` frames are used.
            buffered = now - last_read < 0.25 * self.interval_s
            last_read = now
            if live and (buffered or now - last_used < 0.9 * self.interval_s):
                continue
            last_used = now
            self.frames_used += 1
            for consumer in self.consumers:
                try:
                    consumer(frame)
                except Exception:
                    log.exception("camera: a frame consumer failed")
            del frame
            if not live:  # a file or an image sequence plays at `fps`
                self._stop.wait(self.interval_s)
            last_read = self._monotonic()


def is_live(device: str | int) -> bool:
    """A camera (index, /dev/video*, URL) rather than a video file or an image sequence."""
    source = camera_source(device)
    return isinstance(source, int) or "://" in source or source.startswith("/dev/")
