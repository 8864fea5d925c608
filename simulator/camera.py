"""A simulated IP camera: an MJPEG-over-HTTP stream on 127.0.0.1 showing a scene the technician sets.

The application opens it exactly as it opens a real IP camera, with OpenCV's `VideoCapture` on
`http://127.0.0.1:PORT/stream.mjpg` (`multipart/x-mixed-replace`, one JPEG per part, as cheap IP
cameras and ESP32-CAM boards serve it). What the camera sees:

- the empty hall: a plain scene of the centre's counters (wall, signs "Quầy N", desks, floor);
- a person stepping up: a real photo (scikit-image's astronaut, matplotlib's Grace Hopper, taken in
  turn so the next citizen is someone else) cut out with a soft oval and placed in front of the hall;
- a receipt or ticket held up close: an image file, or a frame rendered by `simulator.qr_frames`
  for a payload, filling the view (the citizen's face is hidden behind the paper meanwhile).

Frames go out at `fps` (10 by default); a scene is JPEG-encoded once, when it is set. Nothing the
camera shows is written to disk. `unplug()` stops the server (clients see the stream end and the
port refuses connections); `replug()` serves again on the same port.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cv2
import numpy as np

BOUNDARY = b"letanframe"
STREAM_PATH = "/stream.mjpg"
PEOPLE = ("astronaut", "grace hopper")
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


class CameraError(Exception):
    """The simulated camera cannot show what was asked (message for the technician)."""


# ---------------------------------------------------------------------------------------------
# Scenes (pure functions of their inputs: BGR uint8 arrays)


def hall_scene(counters: tuple[int, ...] = (1, 2, 3), width: int = 640, height: int = 480) -> np.ndarray:
    """The empty hall seen from the robot: a wall with a sign per counter, desks, a tiled floor."""
    from PIL import Image, ImageDraw, ImageFont

    horizon = int(height * 0.62)
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    wall = np.array([205, 222, 232], np.float32) * (0.92 + 0.08 * ys[:horizon])[..., None]  # BGR, soft light
    floor = np.array([150, 160, 168], np.float32) * (0.75 + 0.25 * ys[horizon:])[..., None]
    frame = np.concatenate([np.broadcast_to(wall, (horizon, width, 3)),
                            np.broadcast_to(floor, (height - horizon, width, 3))]).astype(np.uint8).copy()
    for x in range(-width, 2 * width, 80):  # floor tiles in perspective
        cv2.line(frame, (width // 2 + (x - width // 2) // 4, horizon), (x, height), (132, 140, 148), 1)
    for y in (horizon + 20, horizon + 55, horizon + 110):
        cv2.line(frame, (0, y), (width, y), (132, 140, 148), 1)
    shown = counters[:6] or (1,)
    slot = width // len(shown)
    desk_top = horizon - 50
    for index, _ in enumerate(shown):
        x0 = index * slot + slot // 8
        cv2.rectangle(frame, (x0, desk_top), (x0 + slot * 3 // 4, horizon + 10), (96, 120, 150), -1)  # desk
        cv2.rectangle(frame, (x0, desk_top), (x0 + slot * 3 // 4, desk_top + 8), (70, 90, 120), -1)
        cv2.rectangle(frame, (x0 + slot // 8, 60), (x0 + slot * 5 // 8, 110), (150, 70, 20), -1)  # sign
    image = Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image)
    font: Any = ImageFont.truetype(str(FONT), 18) if FONT.exists() else ImageFont.load_default()
    for index, number in enumerate(shown):
        x0 = index * slot + slot // 8
        draw.text((x0 + slot * 3 // 8, 85), f"Quầy {number}", fill=(255, 255, 255), font=font, anchor="mm")
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def person_photo(name: str) -> np.ndarray:
    """A real photo of a person (BGR): 'astronaut' (scikit-image) or 'grace hopper' (matplotlib)."""
    if name == "astronaut":
        import skimage.data

        return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    if name == "grace hopper":
        import matplotlib.cbook

        photo = cv2.imread(str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
        if photo is None:
            raise CameraError("matplotlib's grace_hopper.jpg sample is missing")
        return photo
    raise CameraError(f"unknown person {name!r}; expected one of {', '.join(PEOPLE)}")


def with_person(scene: np.ndarray, photo: np.ndarray, height_share: float = 0.85) -> np.ndarray:
    """`photo` composited in front of `scene`, bottom centre, cut out with a soft oval (someone stepping up)."""
    height, width = scene.shape[:2]
    ph = int(height * height_share)
    pw = min(width, int(ph * photo.shape[1] / photo.shape[0]))
    person = cv2.resize(photo, (pw, ph), interpolation=cv2.INTER_AREA).astype(np.float32)
    mask = np.zeros((ph, pw), np.float32)
    cv2.ellipse(mask, (pw // 2, ph * 3 // 5), (pw * 9 // 20, ph * 3 // 5), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(2.0, pw / 40))[..., None]
    x0, y0 = (width - pw) // 2, height - ph
    out = scene.astype(np.float32)
    region = out[y0:y0 + ph, x0:x0 + pw]
    out[y0:y0 + ph, x0:x0 + pw] = region * (1 - mask) + person * mask
    return np.clip(out, 0, 255).astype(np.uint8)


def held_up(scene: np.ndarray, paper: np.ndarray, share: float = 0.92) -> np.ndarray:
    """`paper` (a receipt photo or a QR frame) held up close: fitted into `share` of the view, centred."""
    height, width = scene.shape[:2]
    if paper.ndim == 2:
        paper = cv2.cvtColor(paper, cv2.COLOR_GRAY2BGR)
    elif paper.shape[2] == 4:
        paper = cv2.cvtColor(paper, cv2.COLOR_BGRA2BGR)
    scale = min(share * width / paper.shape[1], share * height / paper.shape[0])
    pw, ph = max(1, int(paper.shape[1] * scale)), max(1, int(paper.shape[0] * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    fitted = cv2.resize(paper, (pw, ph), interpolation=interpolation)
    out = scene.copy()
    x0, y0 = (width - pw) // 2, (height - ph) // 2
    out[y0:y0 + ph, x0:x0 + pw] = fitted
    return out


# ---------------------------------------------------------------------------------------------
# The camera


@dataclass(frozen=True)
class Showing:
    """What the camera shows now: 'empty hall', 'person: astronaut', 'receipt: file.png'..."""

    label: str
    person: str | None = None
    paper: str | None = None


class SimulatedCamera:
    """An IP camera on 127.0.0.1 serving MJPEG at `url`; `show_*` change the scene."""

    def __init__(self, counters: tuple[int, ...] = (1, 2, 3), *, width: int = 640, height: int = 480,
                 fps: float = 10.0, port: int = 0, jpeg_quality: int = 85):
        self.width, self.height, self.fps = width, height, fps
        self.jpeg_quality = jpeg_quality
        self.host = "127.0.0.1"
        self.port = port
        self._hall = hall_scene(counters, width, height)
        self._lock = threading.Lock()
        self._jpeg = b""
        self._person: np.ndarray | None = None
        self._arrivals = 0
        self.showing = Showing("empty hall")
        self.frames_sent = 0
        self.scene_changes = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._render(self._hall, Showing("empty hall"))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{STREAM_PATH}"

    @property
    def plugged(self) -> bool:
        return self._server is not None

    # ------------------------------------------------------------------ server

    def start(self) -> SimulatedCamera:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = ThreadingHTTPServer((self.host, self.port), self._handler())
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="sim-camera", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # every stream loop ends: clients see the end of the stream
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)

    unplug = stop

    def replug(self) -> None:
        self.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # no access log on the console
                return

            def do_GET(self) -> None:
                if self.path.split("?")[0] != STREAM_PATH:
                    self.send_error(404, f"the camera streams at {STREAM_PATH}")
                    return
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}")
                self.send_header("Cache-Control", "no-cache, no-store")
                self.send_header("Connection", "close")
                self.end_headers()
                camera._stream(self.wfile)

        return Handler

    def _stream(self, out: Any) -> None:
        interval = 1.0 / self.fps
        next_at = time.monotonic()
        try:
            while not self._stopping.is_set():
                with self._lock:
                    jpeg = self._jpeg
                out.write(b"--" + BOUNDARY + b"\r\nContent-Type: image/jpeg\r\nContent-Length: "
                          + str(len(jpeg)).encode() + b"\r\n\r\n" + jpeg + b"\r\n")
                out.flush()
                self.frames_sent += 1
                next_at += interval
                self._stopping.wait(max(0.0, next_at - time.monotonic()))
                next_at = max(next_at, time.monotonic() - interval)  # a stalled client does not get a burst
        except (BrokenPipeError, ConnectionResetError, OSError):
            return  # the client went away

    # ------------------------------------------------------------------ scenes

    def _render(self, frame: np.ndarray, showing: Showing) -> None:
        ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise CameraError("cannot encode the frame as JPEG")
        with self._lock:
            self._jpeg = data.tobytes()
            self.showing = showing
            self.scene_changes += 1

    def _scene(self) -> np.ndarray:
        return self._hall if self._person is None else with_person(self._hall, self._person)

    def show_nobody(self) -> None:
        """The empty hall: whoever stood there walked away."""
        self._person = None
        self._render(self._hall, Showing("empty hall"))

    def show_person(self, name: str | None = None) -> str:
        """A person steps up (the next of PEOPLE in turn unless named). Returns who."""
        who = name or PEOPLE[self._arrivals % len(PEOPLE)]
        self._person = person_photo(who)
        self._arrivals += 1
        self._render(self._scene(), Showing(f"person: {who}", person=who))
        return who

    def show_image(self, path: Path) -> None:
        """A receipt or ticket photo held up close to the camera."""
        paper = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if paper is None:
            raise CameraError(f"cannot read an image from {path}")
        self._render(held_up(self._scene(), paper), Showing(f"paper: {path.name}", self.showing.person, str(path)))

    def show_code(self, payload: str, level: str = "easy", seed: int = 0) -> None:
        """A printed QR code of `payload` held up, as `simulator.qr_frames` renders it for this camera's size."""
        from simulator.qr_frames import LEVELS, make_frame

        if level not in LEVELS:
            raise CameraError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
        frame = make_frame(payload, self.width, self.height, level=level, seed=seed)
        self._render(frame, Showing("paper: a printed code", self.showing.person, "code"))

    def lower_paper(self) -> None:
        """The citizen lowers the paper: the scene behind it again."""
        who = self.showing.person
        self._render(self._scene(), Showing(f"person: {who}" if who else "empty hall", person=who))

    def status(self) -> str:
        state = "plugged" if self.plugged else "unplugged"
        return f"{self.url} ({state}, {self.fps:g} fps, showing {self.showing.label})"

    def __enter__(self) -> SimulatedCamera:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
