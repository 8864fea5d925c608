"""Realistic camera frames of a receipt or ticket carrying a QR code or a CODE128 barcode.

A printed code (white paper, quiet zone) lies on a textured desk/hand background, seen by a
kiosk camera: perspective skew from holding the paper at an angle, defocus blur, sensor noise,
uneven light (a window on one side, a shadow) and JPEG compression. Three levels:

| level  | code height in frame | tilt (perspective)  | blur sigma px | noise sigma | light falloff | JPEG q |
|--------|----------------------|---------------------|---------------|-------------|---------------|--------|
| easy   | 40-55 %              | up to 8 degrees     | 0-0.6         | 2-4         | 10 %          | 90     |
| medium | 30-45 %              | 8-22 degrees        | 0.6-1.2       | 4-8         | 35 %          | 75     |
| hard   | 20-30 %              | 22-35 degrees       | 1.0-1.6       | 8-14        | 60 % + shadow | 55     |

"Medium" is a citizen holding a receipt 30-50 cm from a 720p kiosk camera, tilted, slightly out
of focus, in an unevenly lit hall. "Hard" is at the edge of what a person would tolerate (far,
steep, blurred, half in shadow). Sizes in the table are relative to the frame's shorter side, so
a 640x480 frame shows the same scene with fewer pixels per module than a 1280x720 one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import zxingcpp

Level = Literal["easy", "medium", "hard"]
LEVELS: tuple[Level, ...] = ("easy", "medium", "hard")
Symbology = Literal["qr", "code128"]


@dataclass(frozen=True)
class LevelParams:
    size: tuple[float, float]  # code height as a share of the frame's shorter side
    tilt_deg: tuple[float, float]
    blur: tuple[float, float]
    noise: tuple[float, float]
    falloff: float
    shadow: bool
    jpeg_quality: int


PARAMS: dict[Level, LevelParams] = {
    "easy": LevelParams((0.40, 0.55), (0.0, 8.0), (0.0, 0.6), (2.0, 4.0), 0.10, False, 90),
    "medium": LevelParams((0.30, 0.45), (8.0, 22.0), (0.6, 1.2), (4.0, 8.0), 0.35, False, 75),
    "hard": LevelParams((0.20, 0.30), (22.0, 35.0), (1.0, 1.6), (8.0, 14.0), 0.60, True, 55),
}


def code_image(payload: str, symbology: Symbology = "qr") -> np.ndarray:
    """The printed code as a grayscale image on white paper with a quiet zone (1 px per module)."""
    fmt = zxingcpp.BarcodeFormat.QRCode if symbology == "qr" else zxingcpp.BarcodeFormat.Code128
    barcode = zxingcpp.create_barcode(payload, fmt)
    image = np.asarray(barcode.to_image(scale=1, add_quiet_zones=True), dtype=np.uint8)
    if symbology == "code128":
        bars = np.repeat(image[:1], max(12, image.shape[1] // 5), axis=0)  # bars a fifth as tall as wide
        image = np.asarray(cv2.copyMakeBorder(bars, 4, 4, 0, 0, cv2.BORDER_CONSTANT, value=255), dtype=np.uint8)
    return image


def _background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    base = rng.uniform(70, 150)
    coarse = rng.normal(0, 18, (max(2, height // 40), max(2, width // 40)))
    texture = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    grain = rng.normal(0, 6, (height, width))
    return np.clip(base + texture + grain, 0, 255).astype(np.float32)


def _tilt_quad(rng: np.random.Generator, w: float, h: float, tilt_deg: float) -> np.ndarray:
    """Corners of a w x h rectangle turned by `tilt_deg` about a random axis in the paper plane, seen in
    perspective, plus a small in-plane rotation. Returned as 4x2 float32, centred on (0, 0)."""
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    axis_angle = rng.uniform(0, np.pi)
    axis = np.array([np.cos(axis_angle), np.sin(axis_angle), 0.0])
    rot, _ = cv2.Rodrigues(axis * np.radians(tilt_deg))
    spin = np.radians(rng.uniform(-12, 12))
    rz = np.array([[np.cos(spin), -np.sin(spin), 0], [np.sin(spin), np.cos(spin), 0], [0, 0, 1]])
    points = corners @ rot.T @ rz.T
    distance = 2.2 * max(w, h)  # camera distance: moderate perspective
    scale = distance / (distance + points[:, 2])
    return (points[:, :2] * scale[:, None]).astype(np.float32)


def make_frame(
    payload: str, width: int = 1280, height: int = 720, level: Level = "medium",
    symbology: Symbology = "qr", seed: int = 0,
) -> np.ndarray:
    """A BGR camera frame (uint8, height x width x 3) showing `payload` as a printed code."""
    params = PARAMS[level]
    rng = np.random.default_rng(seed)
    code = code_image(payload, symbology).astype(np.float32)
    # Paper: the code plus a white margin, as on a receipt.
    margin = max(4, code.shape[0] // 6)
    paper = cv2.copyMakeBorder(code, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=245.0)
    ph, pw = paper.shape[:2]
    code_h = rng.uniform(*params.size) * min(width, height)
    if symbology == "code128":
        code_h = min(code_h * 0.5, 0.8 * width * code.shape[0] / code.shape[1])
    target_h = code_h * ph / code.shape[0]
    target_w = target_h * pw / ph
    if target_w > 0.9 * width:  # a long barcode must still fit the frame
        target_w, target_h = 0.9 * width, 0.9 * width * ph / pw
    quad = _tilt_quad(rng, target_w, target_h, rng.uniform(*params.tilt_deg))
    span = quad.max(axis=0) - quad.min(axis=0)
    centre_x = rng.uniform(span[0] / 2 + 2, max(span[0] / 2 + 3, width - span[0] / 2 - 2))
    centre_y = rng.uniform(span[1] / 2 + 2, max(span[1] / 2 + 3, height - span[1] / 2 - 2))
    quad += np.array([centre_x, centre_y], dtype=np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(paper, matrix, (width, height), flags=cv2.INTER_AREA, borderValue=-1.0)
    mask = cv2.warpPerspective(np.ones_like(paper), matrix, (width, height), flags=cv2.INTER_LINEAR)
    frame = _background(rng, width, height)
    frame = frame * (1 - mask) + np.where(warped < 0, 0, warped) * mask
    # Uneven light: a linear falloff from a random side, and for "hard" a soft shadow band.
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ramp = ((xs / width - 0.5) * np.cos(angle) + (ys / height - 0.5) * np.sin(angle)) + 0.5
    frame *= 1.0 - params.falloff * np.clip(ramp, 0, 1)
    if params.shadow:
        edge = rng.uniform(0.3, 0.7) * width
        shadow = 1.0 - 0.35 / (1 + np.exp(-(xs - edge) / (0.03 * width)))
        frame *= shadow
    sigma = rng.uniform(*params.blur)
    if sigma > 0.05:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    frame += rng.normal(0, rng.uniform(*params.noise), frame.shape).astype(np.float32)
    gray = np.clip(frame, 0, 255).astype(np.uint8)
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, params.jpeg_quality])
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR) if ok else None
    return np.asarray(decoded if decoded is not None else bgr, dtype=np.uint8)


def empty_frame(width: int = 1280, height: int = 720, seed: int = 0) -> np.ndarray:
    """A frame of the hall with no code in it (nobody in front of the camera)."""
    rng = np.random.default_rng(seed)
    gray = _background(rng, width, height)
    gray += rng.normal(0, 4, gray.shape).astype(np.float32)
    return cv2.cvtColor(np.clip(gray, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def write_frames(folder: Path, frames: list[np.ndarray]) -> str:
    """Write frames as a PNG sequence that `cv2.VideoCapture` plays; returns the pattern to open."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"frame_{index:04d}.png"), frame)
    return str(folder / "frame_%04d.png")
