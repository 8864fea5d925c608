"""Presence: OpenCV detection on real photos (never stored), debounced into arrived/left edges.

Photos: scikit-image's astronaut (a face), coffee and brick (no people), matplotlib's Grace Hopper
(a face), and OpenCV's basketball1.png from Debian's opencv-doc (a man standing, head to feet,
indoors, 640x480): none of the scikit-image photos shows a whole standing body for HOG.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import matplotlib.cbook
import numpy as np
import pytest
import skimage.data

from drivers.presence import CameraPresence, DistancePresence, PersonDetector, PresenceError, PresenceTracker

OPENCV_SAMPLES = Path("/usr/share/doc/opencv-doc/examples/data")


def _bgr(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _camera_frame(photo: np.ndarray) -> np.ndarray:
    """The photo as a 640x480 camera would give it: fitted into the frame, grey bars around."""
    height, width = photo.shape[:2]
    scale = min(640 / width, 480 / height)
    fitted = cv2.resize(photo, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    side, top = 640 - fitted.shape[1], 480 - fitted.shape[0]
    return cv2.copyMakeBorder(fitted, top // 2, top - top // 2, side // 2, side - side // 2, cv2.BORDER_CONSTANT,
                              value=(128, 128, 128))


def _astronaut() -> np.ndarray:
    return _camera_frame(_bgr(skimage.data.astronaut()))


def _no_people() -> dict[str, np.ndarray]:
    return {
        "blank": np.full((480, 640, 3), 128, np.uint8),
        "black": np.zeros((480, 640), np.uint8),
        "coffee": _camera_frame(_bgr(skimage.data.coffee())),
        "brick": _camera_frame(skimage.data.brick()),
    }


def _standing_man() -> np.ndarray:
    path = OPENCV_SAMPLES / "basketball1.png"
    assert path.exists(), f"{path} missing: install Debian's opencv-doc (scripts/setup.sh) for its sample photos"
    frame = cv2.imread(str(path))
    assert frame is not None and frame.shape == (480, 640, 3)
    return frame


def test_face_found_in_real_photos_and_not_where_nobody_is() -> None:
    detector = PersonDetector()  # "face" is the default: a kiosk at the entrance
    assert detector.method == "face"
    assert detector.count(_bgr(skimage.data.astronaut())) == 1  # the photo as it is, 512x512
    assert detector.count(_astronaut()) == 1  # the same in a 640x480 frame
    hopper = cv2.imread(str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    assert hopper is not None
    assert detector.count(hopper) == 1
    assert detector.count(cv2.cvtColor(hopper, cv2.COLOR_BGR2GRAY)) == 1  # grey frames too
    assert {name: detector.count(frame) for name, frame in _no_people().items()} == dict.fromkeys(_no_people(), 0)


def test_face_too_small_is_not_counted() -> None:
    """A face far away (below min_size_px in the full frame) is somebody passing, not a visitor."""
    far = cv2.resize(_bgr(skimage.data.astronaut()), (160, 160), interpolation=cv2.INTER_AREA)  # face ~30 px
    frame = np.full((480, 640, 3), 128, np.uint8)
    frame[160:320, 240:400] = far
    assert PersonDetector("face").count(frame) == 0
    assert PersonDetector("face", min_size_px=20, max_width_px=640).count(frame) == 1


def test_person_found_standing_in_a_real_camera_frame() -> None:
    detector = PersonDetector("person")
    assert detector.max_width_px == 400  # run on a shrunk grey frame
    assert detector.count(_standing_man()) >= 1
    assert detector.count(cv2.cvtColor(_standing_man(), cv2.COLOR_BGR2GRAY)) >= 1
    assert {name: detector.count(frame) for name, frame in _no_people().items()} == dict.fromkeys(_no_people(), 0)


def test_motion_sees_somebody_step_into_the_empty_hall() -> None:
    rng = np.random.default_rng(7)
    hall = _camera_frame(_bgr(skimage.data.coffee()))

    def noisy(frame: np.ndarray) -> np.ndarray:  # sensor noise on every camera frame
        return np.clip(frame.astype(np.int16) + rng.integers(-4, 5, frame.shape), 0, 255).astype(np.uint8)

    detector = PersonDetector("motion")
    assert [detector.count(noisy(hall)) for _ in range(40)][-10:] == [0] * 10
    visitor = hall.copy()
    visitor[80:480, 200:500] = cv2.resize(_bgr(skimage.data.astronaut()), (300, 400))  # a real person's pixels
    assert detector.count(noisy(visitor)) >= 1
    detector2 = PersonDetector("motion")
    for _ in range(40):
        detector2.count(noisy(hall))
    fly = hall.copy()
    fly[40:52, 40:52] = 0
    assert detector2.count(noisy(fly)) == 0


def test_methods_and_errors() -> None:
    with pytest.raises(PresenceError, match="YuNet ONNX"):
        PersonDetector("yunet")
    with pytest.raises(PresenceError, match="unknown presence method 'haar'"):
        PersonDetector("haar")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="image array"):
        PersonDetector().count(np.zeros((0, 0), np.uint8))


def _video(path: Path, frames: list[np.ndarray]) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 5.0, (640, 480))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_camera_greets_once_while_they_stand_there_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real frames through cv2.VideoCapture and the face detector, 5 frames a second."""
    face, empty = _astronaut(), _no_people()["coffee"]
    # Arrives and stands 3 s, looking away for 0.4 s in the middle; gone 4 s; comes back 1.6 s.
    frames = [face] * 7 + [empty] * 2 + [face] * 6 + [empty] * 20 + [face] * 8
    source = tmp_path / "camera" / "clip.avi"
    source.parent.mkdir()
    _video(source, frames)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(work))
    monkeypatch.setattr(tempfile, "tempdir", str(work))

    ticks = iter(range(1000))
    camera = CameraPresence(str(source), PersonDetector("face"), PresenceTracker(arrive_s=0.5, leave_s=2.0),
                            clock_fn=lambda: next(ticks) * 0.2)
    edges = []
    for i in range(len(frames) + 3):  # the last polls read past the end: nobody seen
        edge = camera.poll()
        if edge:
            edges.append((edge, i))
    camera.close()

    assert [e for e, _ in edges] == ["arrived", "left", "arrived"]
    assert edges[0][1] == 3  # seen from frame 0, 0.6 s later (>= arrive_s)
    assert edges[1][1] == 14 + 10  # 2 s (leave_s) after the last face, frame 14
    assert edges[2][1] == 35 + 3
    assert list(work.iterdir()) == []  # nothing written where the process works
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["clip.avi"]
    for holder in (camera, camera.detector, camera.tracker):
        kept = [name for name, value in vars(holder).items() if isinstance(value, np.ndarray)]
        assert kept == [], f"{type(holder).__name__} keeps an image: {kept}"


def test_tracker_greets_once_per_person() -> None:
    tracker = PresenceTracker(arrive_s=0.5, leave_s=3.0)
    edges = []
    # 0.1 s frames: a flicker, then someone stands there 10 s with detector dropouts, then leaves.
    pattern = [True, False] + [True] * 10 + [i % 7 != 0 for i in range(90)] + [False] * 40
    for i, seen in enumerate(pattern):
        edge = tracker.update(seen, i * 0.1)
        if edge:
            edges.append((edge, round(i * 0.1, 1)))
    assert [e for e, _ in edges] == ["arrived", "left"]
    assert edges[0][1] == pytest.approx(0.7)


def test_distance_sensor_with_hysteresis() -> None:
    sensor = DistancePresence(near_m=1.2, far_m=1.8)
    readings = [None, 2.5, 1.0, 1.0, 1.0, 1.0, 1.5, 1.5, 1.0] + [2.5] * 30
    edges = [e for i, d in enumerate(readings) if (e := sensor.update(d, i * 0.1))]
    assert edges == ["arrived", "left"]
