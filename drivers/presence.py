"""Is somebody standing in front of the robot? From camera frames or a distance reading.

Detection uses the detectors OpenCV 4.x ships (see PersonDetector), with no downloaded weights.
Frames are looked at and dropped: no image, face or crop is stored or written anywhere, and only
counts leave this module. `PresenceTracker` turns noisy per-frame answers into two edges,
"arrived" and "left", so a person standing there is greeted once, not on every frame.
`PresenceWatcher` does both on frames handed to it (the application's `drivers.camera.CameraFeed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

Edge = Literal["arrived", "left"]
Method = Literal["face", "person", "motion", "yunet"]

# Width the frame is shrunk to before detection (speed); a 640x480 camera frame is halved or so.
DEFAULT_WIDTH_PX: dict[str, int] = {"face": 320, "person": 400, "motion": 320, "yunet": 640}


class PresenceError(Exception):
    """The presence sensor cannot be used (message for technicians)."""


class PersonDetector:
    """Counts people in a BGR or grey frame.

    Methods:
    - "face" (default, a kiosk at the entrance): OpenCV's Haar frontal-face cascade from
      cv2.data; a face of `min_size_px` or more in the full frame (48 px: about 2 m away with a
      640x480 webcam) counts. Somebody walking past sideways is not counted.
    - "person" (a robot seeing people approach from afar): OpenCV's HOG people detector
      (cv2.HOGDescriptor_getDefaultPeopleDetector), whole standing bodies on a grey frame shrunk
      to `max_width_px` (400: a body of about 200 px in a 480-line frame, 5-6 m away).
    - "motion" (fallback that needs no model): MOG2 background subtraction, a foreground region
      of `min_area` of the frame or more. Its background model is a running statistic of the
      empty hall, updated every frame; nothing else is kept.
    - "yunet": cv2.FaceDetectorYN with the YuNet ONNX file given as `model`.
    Haar and HOG are bundled with OpenCV 4.x (the pinned version); OpenCV 5 dropped them, and
    then "face" and "person" raise PresenceError with a message saying so.
    """

    def __init__(self, method: Method = "face", min_size_px: int = 48, max_width_px: int | None = None,
                 min_area: float = 0.04, model: str | None = None):
        if method not in DEFAULT_WIDTH_PX:
            raise PresenceError(f"unknown presence method {method!r}; use one of {', '.join(DEFAULT_WIDTH_PX)}")
        self.method = method
        self.min_size_px = min_size_px
        self.max_width_px = max_width_px if max_width_px is not None else DEFAULT_WIDTH_PX[method]
        self.min_area = min_area
        if method == "face":
            if not hasattr(cv2, "CascadeClassifier") or not getattr(cv2, "data", None):
                raise PresenceError(f"OpenCV {cv2.__version__} has no bundled Haar cascades; "
                                    "install opencv-python-headless 4.x, or use presence method 'motion'")
            path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
            self._cascade = cv2.CascadeClassifier(path)
            if self._cascade.empty():
                raise PresenceError(f"OpenCV face cascade not found at {path}")
        elif method == "person":
            if not hasattr(cv2, "HOGDescriptor_getDefaultPeopleDetector"):
                raise PresenceError(f"OpenCV {cv2.__version__} has no bundled HOG people detector; "
                                    "install opencv-python-headless 4.x, or use presence method 'motion'")
            self._hog = cv2.HOGDescriptor()
            self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        elif method == "yunet":
            if not model:
                raise PresenceError("presence method 'yunet' needs the YuNet ONNX model file")
            try:
                self._yunet = cv2.FaceDetectorYN.create(model, "", (320, 320), 0.8)
            except cv2.error as exc:
                raise PresenceError(f"cannot load YuNet model {model}: {exc}") from None
        else:
            self._subtractor = cv2.createBackgroundSubtractorMOG2(history=300, varThreshold=32, detectShadows=False)

    def count(self, frame: np.ndarray) -> int:
        if frame.ndim not in (2, 3) or frame.size == 0:
            raise ValueError("expected an image array (grey or BGR)")
        scale = min(1.0, self.max_width_px / frame.shape[1])
        if scale < 1.0:
            frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if self.method == "face":
            size = max(24, round(self.min_size_px * scale))  # 24 px is the cascade's own window
            found = self._cascade.detectMultiScale(cv2.equalizeHist(_grey(frame)), 1.1, 5, minSize=(size, size))
            return len(found)
        if self.method == "person":
            bodies, _ = self._hog.detectMultiScale(_grey(frame), winStride=(8, 8), padding=(8, 8), scale=1.05)
            return len(bodies)
        if self.method == "yunet":
            colour = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
            self._yunet.setInputSize((colour.shape[1], colour.shape[0]))
            _, faces = self._yunet.detect(colour)
            return 0 if faces is None else len(faces)
        mask = self._subtractor.apply(frame)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        area = frame.shape[0] * frame.shape[1]
        return sum(1 for c in contours if cv2.contourArea(c) >= self.min_area * area)


def _grey(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


@dataclass
class PresenceTracker:
    """Debounce: 'arrived' after `arrive_s` of continuous detection, 'left' after `leave_s` without."""

    arrive_s: float = 0.5
    leave_s: float = 3.0
    present: bool = False
    _seen_since: float | None = None
    _last_seen: float | None = None

    def update(self, seen: bool, now: float) -> Edge | None:
        if seen:
            self._last_seen = now
            if self._seen_since is None:
                self._seen_since = now
            if not self.present and now - self._seen_since >= self.arrive_s:
                self.present = True
                return "arrived"
            return None
        self._seen_since = None
        if self.present and self._last_seen is not None and now - self._last_seen >= self.leave_s:
            self.present = False
            return "left"
        return None


@dataclass
class DistancePresence:
    """Presence from a distance sensor (metres): near below `near_m`, gone beyond `far_m` (hysteresis)."""

    near_m: float = 1.2
    far_m: float = 1.8
    tracker: PresenceTracker | None = None
    _near: bool = False

    def update(self, distance_m: float | None, now: float) -> Edge | None:
        """`distance_m` None means no echo (nobody in range)."""
        if distance_m is not None and distance_m < self.near_m:
            self._near = True
        elif distance_m is None or distance_m > self.far_m:
            self._near = False
        tracker = self.tracker if self.tracker is not None else self._default()
        return tracker.update(self._near, now)

    def _default(self) -> PresenceTracker:
        self.tracker = PresenceTracker(arrive_s=0.3, leave_s=2.0)
        return self.tracker


class PresenceWatcher:
    """Presence edges from camera frames handed to it (a `drivers.camera.CameraFeed` consumer).

    A frame that differs from the last one looked at is counted by the detector; an unchanged frame
    (a person standing still, the empty hall) gets the last answer without running the detector
    again. The only thing kept is the change gate's 32x24 grey thumbnail of the last frame looked at,
    far too coarse to show a face; the frame itself is dropped. `clock_fn` is the camera's time:
    frames arrive in real time, so the default is the wall clock's monotonic time.
    """

    def __init__(self, detector: PersonDetector, tracker: PresenceTracker, on_edge: Callable[[Edge], None] | None
                 = None, clock_fn: Callable[[], float] = time.monotonic):
        from drivers.scanner import ChangeGate

        self.detector = detector
        self.tracker = tracker
        self.on_edge = on_edge
        self.clock_fn = clock_fn
        self._gate = ChangeGate()
        self._seen = False
        self.frames_counted = 0

    def observe(self, frame: np.ndarray | None) -> Edge | None:
        """One frame (None: the camera gave none, nobody seen) -> an edge or None."""
        if frame is None:
            self._gate.reset()
            self._seen = False
        elif self._gate.changed(_grey(frame)):
            self._seen = self.detector.count(frame) > 0
            self.frames_counted += 1
        return self.tracker.update(self._seen, self.clock_fn())

    def __call__(self, frame: np.ndarray) -> None:
        edge = self.observe(frame)
        if edge is not None and self.on_edge is not None:
            self.on_edge(edge)


class CameraPresence:
    """Reads the presence camera and reports edges; every frame is dropped after counting."""

    def __init__(self, source: str | int, detector: PersonDetector, tracker: PresenceTracker,
                 clock_fn: Callable[[], float]):
        self.capture = cv2.VideoCapture(int(source) if isinstance(source, str) and source.isdigit() else source)
        if not self.capture.isOpened():
            raise PresenceError(f"cannot open presence camera {source!r}")
        self.detector = detector
        self.tracker = tracker
        self.clock_fn = clock_fn
        self._watcher = PresenceWatcher(detector, tracker, clock_fn=clock_fn)

    def poll(self) -> Edge | None:
        ok, frame = self.capture.read()
        return self._watcher.observe(frame if ok else None)

    def close(self) -> None:
        self.capture.release()
