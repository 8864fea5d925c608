"""The robot's camera: the simulated IP camera (MJPEG over HTTP) read by the real application.

Real channel (HTTP on 127.0.0.1, OpenCV's FFMPEG VideoCapture), real detection (OpenCV's Haar face
cascade on real photos), real QR decoding (zxing-cpp), the real dialog manager and dossier store.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera import CameraFeed, open_capture
from robot.app import Activity, Application
from robot.clock import SimClock
from robot.config import CentreConfig, load_catalogue_checked, load_centre
from robot.dossier.store import SqliteDossierStore
from simulator.camera import SimulatedCamera, hall_scene, person_photo, with_person
from simulator.devices import SAMPLE_DOSSIERS
from simulator.qr_frames import make_frame
from simulator.scenario import Step
from simulator.session import SimOptions, SimSession, StepError
from tests.conftest import CUA_NAM
from tests.waiting import wait_until

CATALOGUE = load_catalogue_checked()
CENTRE = load_centre(CUA_NAM, CATALOGUE)
MORNING = datetime(2026, 11, 25, 8, 5, tzinfo=CENTRE.site.tz)
RECEIPT_URL = "https://dichvucong.hanoi.gov.vn/tra-cuu?SGT=001099012345&MHS=000.A0.01.H26-260105-0009"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _centre(tmp_path: Path, camera: str) -> CentreConfig:
    """Cửa Nam with only a camera (presence + QR codes on the same capture) and files in tmp_path."""
    db = tmp_path / "dossiers.sqlite3"
    SqliteDossierStore(db).import_csv(SAMPLE_DOSSIERS)
    devices = CENTRE.devices
    return CENTRE.model_copy(update={
        "devices": devices.model_copy(update={
            "camera": camera, "presence": "face",
            "scanner": devices.scanner.model_copy(update={"kind": "camera", "device": None}),
            "printer": devices.printer.model_copy(update={"kind": "none"}),
            "drive": devices.drive.model_copy(update={"kind": "none"}),
            "audio": devices.audio.model_copy(update={"output_dir": str(tmp_path / "audio")}),
        }),
        "queue": CENTRE.queue.model_copy(update={"db": str(tmp_path / "queue.sqlite3")}),
        "dossier": CENTRE.dossier.model_copy(update={"provider": "sqlite", "db": str(db)}),
        "mqtt": CENTRE.mqtt.model_copy(update={"url": "mqtt://127.0.0.1:9", "outbox": str(tmp_path / "o.sqlite3")}),
        "screen": None,
    })


class Recorder:
    """The application's events with the wall time they arrived."""

    def __init__(self) -> None:
        self.events: list[tuple[float, Activity]] = []
        self._lock = threading.Lock()

    def __call__(self, event: Activity) -> None:
        with self._lock:
            self.events.append((time.monotonic(), event))

    def matching(self, wanted: Callable[[Activity], bool], since: float = 0.0) -> list[tuple[float, Activity]]:
        with self._lock:
            return [(t, e) for t, e in self.events if t >= since and wanted(e)]

    def wait(self, wanted: Callable[[Activity], bool], since: float, timeout_s: float) -> float:
        """Wall time of the first matching event after `since`; fails the test after timeout_s."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.matching(wanted, since)
            if found:
                return found[0][0]
            time.sleep(0.01)
        seen = [e.text for _, e in self.matching(lambda e: True, since)]
        raise AssertionError(f"nothing matching within {timeout_s} s; seen: {seen}")


def frames_after(feed: CameraFeed, count: int) -> None:
    """Until the feed has handed `count` more frames to the detectors than now."""
    start = feed.frames_used
    wait_until(lambda: feed.frames_used >= start + count, f"{count} more frames from the camera", count + 10)


def greeting(event: Activity) -> bool:
    return event.kind == "said" and str(event.data.get("key")).startswith("greet")


def presence(edge: str) -> Callable[[Activity], bool]:
    return lambda event: event.kind == "info" and event.data.get("presence") == edge


def test_simulated_camera_is_an_mjpeg_stream_videocapture_opens() -> None:
    with SimulatedCamera((1, 2, 3)) as camera:
        capture = open_capture(camera.url)
        try:
            assert capture.getBackendName() == "FFMPEG"
            ok, first = capture.read()
            assert ok and first.shape == (480, 640, 3)
            camera.show_person("astronaut")
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:  # the next frames show the person
                ok, frame = capture.read()
                if ok and float(np.abs(frame.astype(np.int16) - first).mean()) > 20:
                    break
            else:
                raise AssertionError("the scene change never reached the client")
            camera.unplug()
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and capture.read()[0]:
                pass
            assert not capture.read()[0], "frames after unplugging"
        finally:
            capture.release()
        with pytest.raises(OSError, match="cannot open camera"):
            open_capture(camera.url, timeout_s=1)
        camera.replug()
        capture = open_capture(camera.url)
        assert capture.read()[0]
        capture.release()


def test_scenes_show_a_face_only_when_someone_steps_up() -> None:
    from drivers.presence import PersonDetector

    detector = PersonDetector("face")
    hall = hall_scene((1, 2, 3, 4, 5))
    assert detector.count(hall) == 0
    for who in ("astronaut", "grace hopper"):
        assert detector.count(with_person(hall, person_photo(who))) >= 1, who


@pytest.mark.slow
def test_app_greets_once_per_person_seen_by_the_camera_and_reads_a_receipt(tmp_path: Path) -> None:
    """The application opens the simulated camera as an IP camera: greeting from real detection, once per
    person, again for the next person; a receipt QR held up is looked up. Nothing is written."""
    recorder = Recorder()
    with SimulatedCamera((1, 2, 3, 4)) as camera:
        app = Application.from_config(_centre(tmp_path, camera.url), catalogue=CATALOGUE, clock=SimClock(MORNING))
        app.subscribe(recorder)
        with app:
            assert app.parts()["camera"].startswith("ok (http://127.0.0.1"), app.parts()
            assert app.parts()["scanner"] == f"ok (camera {camera.url})"
            feed = app.camera
            assert feed is not None
            frames_after(feed, 5)
            assert not recorder.matching(greeting), "greeted an empty hall"

            shown = time.monotonic()
            camera.show_person("astronaut")
            greeted = recorder.wait(greeting, shown, 6)
            latency = greeted - shown
            frames_after(feed, 25)  # she stands there for 25 more frames (2.5 s at 10 fps): no second greeting
            assert len(recorder.matching(greeting)) == 1

            held = time.monotonic()
            camera.show_code(RECEIPT_URL)  # she holds her receipt up to the camera
            answer = recorder.wait(lambda e: e.kind == "said" and "Đã xử lý xong" in e.text, held, 5)
            camera.lower_paper()
            assert all("001099012345" not in e.text for _, e in recorder.events)

            gone = time.monotonic()
            camera.show_nobody()
            assert not recorder.matching(presence("left")), "reported gone while she stood there"
            left = recorder.wait(presence("left"), gone, 8)
            # The leave delay runs from the last frame her face was seen, which may be while the
            # receipt covered it (before `gone`): bound it from above only.
            assert left - gone <= CENTRE.devices.presence_leave_s + 2.0
            again = time.monotonic()
            camera.show_person("grace hopper")
            recorder.wait(greeting, again, 6)
            assert len(recorder.matching(greeting)) == 2
            watcher = app.presence
        assert feed.status.state == "stopped"
    print(f"camera-to-greeting {latency * 1000:.0f} ms; receipt answered {answer - held:.2f} s after it appeared")
    assert latency < 3.0
    # Nothing kept: the watcher holds counts and a 32x24 thumbnail of the last frame, no image; no file written.
    arrays = [v for holder in (watcher, watcher.detector, watcher.tracker, feed) for v in vars(holder).values()
              if isinstance(v, np.ndarray)]
    assert arrays == []
    assert watcher._gate._last is not None and watcher._gate._last.shape == (24, 32)
    images = [p for p in tmp_path.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp", ".avi")]
    assert images == []


@pytest.mark.slow
def test_unreachable_camera_is_a_part_state_and_an_alert_and_comes_back(tmp_path: Path) -> None:
    port = _closed_port()
    recorder = Recorder()
    app = Application.from_config(_centre(tmp_path, f"http://127.0.0.1:{port}/stream.mjpg"), catalogue=CATALOGUE,
                                  clock=SimClock(MORNING))
    app.subscribe(recorder)
    with app:
        assert app.parts()["camera"].startswith("unavailable: cannot open camera"), app.parts()
        assert recorder.matching(lambda e: e.kind == "alert" and e.data.get("kind") == "camera")
        app.typed("tôi muốn chứng thực bản sao")  # the robot keeps working
        assert recorder.matching(lambda e: e.kind == "said" and "quầy" in e.text)
        with SimulatedCamera((1, 2), port=port) as camera:  # plugged in later: the feed reopens it
            recorder.wait(lambda e: e.kind == "info" and e.text == "camera ready", 0, 6)
            assert app.parts()["camera"].startswith("ok")
            app.typed("không, cảm ơn")
            shown = time.monotonic()
            camera.show_person("grace hopper")
            recorder.wait(presence("arrived"), shown, 6)
    assert app.camera.status.state == "stopped"


@pytest.mark.slow
def test_feed_drops_frames_that_queued_while_a_consumer_was_slow() -> None:
    """A consumer busy for 2 s on one frame then gets the current scene, not the frames buffered meanwhile."""
    with SimulatedCamera((1,), fps=10) as camera:
        seen: list[tuple[float, np.ndarray]] = []
        changed: list[float] = []

        def slow(frame: np.ndarray) -> None:
            seen.append((time.monotonic(), cv2.resize(frame, (32, 24), interpolation=cv2.INTER_AREA)))
            if len(seen) == 1:  # busy for 2 s on this frame: the delay is what the test is about
                time.sleep(1.0)
                camera.show_person("astronaut")  # the scene changes while this consumer is busy
                changed.append(time.monotonic())
                time.sleep(1.0)

        feed = CameraFeed(camera.url, [slow], fps=10)
        assert feed.start(wait_s=5).state == "ready"
        wait_until(lambda: len(seen) > 2, "two frames after the slow one", 10)
        feed.stop()
    person = cv2.resize(with_person(hall_scene((1,)), person_photo("astronaut")), (32, 24),
                        interpolation=cv2.INTER_AREA)

    def shows_person(thumb: np.ndarray) -> bool:
        return float(np.abs(thumb.astype(np.int16) - person).mean()) < 4

    assert not shows_person(seen[0][1])
    assert len(seen) > 2 and shows_person(seen[1][1]), "the first frame after the slow one was a stale one"
    assert seen[1][0] - changed[0] < 1.5
    assert feed.frames_read > feed.frames_used + 5  # the backlog was read and dropped


@pytest.mark.slow
def test_sim_session_arrive_leave_and_scan_through_the_camera(tmp_path: Path) -> None:
    """`/arrive`, `/leave` and `/scan IMAGE` in the simulator go through the camera and the app's detectors."""
    receipt = tmp_path / "receipt.png"
    cv2.imwrite(str(receipt), make_frame("000.A0.01.H26-260105-0005", 640, 480, level="medium", seed=3))
    with SimSession(SimOptions(centre=CENTRE, start=MORNING, workdir=tmp_path / "w"), CATALOGUE) as session:
        assert session.app is not None
        assert session.app.parts()["scanner"].startswith("ok (serial")  # /qr: the handheld scanner
        session.perform(Step(arrive=True))
        said = [o.text for o in session.observations() if o.kind == "said"]
        assert any("rô bốt lễ tân" in s for s in said), said
        session.perform(Step(say="tôi muốn tra cứu hồ sơ"))
        session.perform(Step(scan=str(receipt)))
        wait_until(lambda: any("Yêu cầu bổ sung giấy tờ" in o.text for o in session.observations()
                               if o.kind == "said"), "the receipt held up to the camera looked up", 5)
        session.perform(Step(leave=True))
        assert any(o.data.get("presence") == "left" for o in session.observations())
        assert "showing empty hall" in session.status()["simulated devices"]["camera"]
        blank = tmp_path / "blank.png"
        cv2.imwrite(str(blank), np.full((200, 200, 3), 255, np.uint8))
        with pytest.raises(StepError, match="read no code"):
            session.perform(Step(scan=str(blank)))
