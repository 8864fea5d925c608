"""Presence: OpenCV detection on frames (never stored), debounced into arrived/left edges."""

from __future__ import annotations

import cv2
import matplotlib.cbook
import numpy as np
import pytest

from drivers.presence import DistancePresence, PersonDetector, PresenceError, PresenceTracker


def _hall(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(90, 110, (480, 640, 3), dtype=np.uint8)


def test_motion_detector_sees_a_person_sized_figure_and_not_the_empty_hall() -> None:
    rng = np.random.default_rng(7)
    detector = PersonDetector("motion")
    assert [detector.count(_hall(rng)) for _ in range(40)][-10:] == [0] * 10
    person = _hall(rng)
    cv2.ellipse(person, (320, 120), (45, 55), 0, 0, 360, (40, 60, 150), -1)  # head
    cv2.rectangle(person, (250, 175), (390, 470), (30, 30, 30), -1)  # body
    assert detector.count(person) >= 1
    small = _hall(rng)
    cv2.circle(small, (50, 50), 6, (0, 0, 0), -1)  # a fly, not a person
    detector2 = PersonDetector("motion")
    for _ in range(40):
        detector2.count(_hall(rng))
    assert detector2.count(small) == 0


def test_face_method_needs_what_this_opencv_has() -> None:
    photo = cv2.imread(str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    assert photo is not None
    if hasattr(cv2, "CascadeClassifier"):  # OpenCV 4.x bundles the Haar cascades
        assert PersonDetector("face").count(photo) == 1
    else:  # OpenCV 5 moved them out: a clear message, not a crash
        with pytest.raises(PresenceError, match="no bundled Haar cascades"):
            PersonDetector("face")
    with pytest.raises(PresenceError, match="YuNet ONNX"):
        PersonDetector("yunet")


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
