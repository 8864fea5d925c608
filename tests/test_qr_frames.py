"""Every payload kind, printed as a QR (or CODE128) and seen in realistic camera frames, decodes back."""

from __future__ import annotations

import pytest

from drivers.scanner import make_decoder, to_gray
from robot.dossier.extract import DossierCode, OpenCpsKey, TicketScan, extract
from simulator.qr_frames import code_image, empty_frame, make_frame

CODE = "000.A0.01.H26-210212-9090"
PAYLOADS = {
    "code": CODE,
    "lookup_url": f"https://dichvucong.hanoi.gov.vn/portaldvc/tra-cuu?SGT=001203004567&MHS={CODE}",
    "opencps": "D-a1B2c3D4e5-123456",
    "ticket": "LETAN-T:cua-nam:trung-tam:20261124:A012",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(PAYLOADS))
@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
def test_each_payload_kind_decodes_from_medium_frames(kind: str, size: tuple[int, int]) -> None:
    zxing = make_decoder("zxing")
    payload = PAYLOADS[kind]
    hits = sum(
        any(d.text == payload and d.format == "qrcode" for d in zxing.decode(to_gray(make_frame(payload, *size,
                                                                                              "medium", seed=s))))
        for s in range(6)
    )
    assert hits >= 5
    found = extract(payload)
    expected = {"code": DossierCode, "lookup_url": DossierCode, "opencps": OpenCpsKey, "ticket": TicketScan}[kind]
    assert isinstance(found, expected)


def test_code128_barcode_of_the_dossier_code() -> None:
    zxing = make_decoder("zxing")
    results = [zxing.decode(to_gray(make_frame(CODE, 1280, 720, "easy", "code128", seed=s))) for s in range(4)]
    assert sum(any(d.text == CODE and d.format == "code128" for d in r) for r in results) >= 3
    assert extract(CODE) == DossierCode(CODE, "code")


@pytest.mark.parametrize("decoder", ["zxing", "pyzbar", "opencv"])
def test_all_decoders_read_an_easy_frame_and_find_nothing_in_an_empty_one(decoder: str) -> None:
    reader = make_decoder(decoder)
    url = PAYLOADS["lookup_url"]
    frames = [make_frame(url, 1280, 720, "easy", seed=s) for s in range(4)]
    assert any(any(d.text == url for d in reader.decode(to_gray(f))) for f in frames)
    assert reader.decode(to_gray(empty_frame(640, 480, seed=1))) == []


@pytest.mark.slow
def test_levels_get_harder() -> None:
    zxing = make_decoder("zxing")
    rates = {}
    for level in ("easy", "hard"):
        frames = [make_frame(PAYLOADS["lookup_url"], 640, 480, level, seed=s) for s in range(10)]
        rates[level] = sum(any(d.text == PAYLOADS["lookup_url"] for d in zxing.decode(to_gray(f))) for f in frames)
    assert rates["easy"] == 10
    assert rates["hard"] < rates["easy"]


def test_frames_are_deterministic_and_realistic() -> None:
    first = make_frame(CODE, 640, 480, "medium", seed=3)
    assert first.shape == (480, 640, 3)
    assert (first == make_frame(CODE, 640, 480, "medium", seed=3)).all()
    assert not (first == make_frame(CODE, 640, 480, "medium", seed=4)).all()
    # Not a clean synthetic image: many grey levels (noise, blur, light falloff).
    assert len({int(v) for v in first[..., 0].ravel()[::7]}) > 100
    assert code_image(CODE).max() == 255
