"""The screen's parts without a browser: search as the citizen types, which touches are accepted, the
`screen:` section, and the part's state when its port is taken."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pydantic import ValidationError

from robot.app import Application
from robot.clock import SimClock
from robot.config import ScreenSettings
from robot.understander import make_understander
from robot.web.screen import ScreenData
from robot.web.search import ProcedureSearch
from tests.conftest import bare_centre
from tests.screen_support import CATALOGUE, CENTRE, MORNING

SEARCH = ProcedureSearch(CATALOGUE, make_understander(CATALOGUE))


@pytest.mark.parametrize(("typed", "first"), [
    ("chung thuc ban sao", "chung_thuc_ban_sao"),  # no accents
    ("chuwngs thuwcj banr sao", "chung_thuc_ban_sao"),  # telex
    ("chứng thực bản sao", "chung_thuc_ban_sao"),
    ("khai s", "khai_sinh"),  # as typed so far
    ("dk tam tru", "dang_ky_tam_tru"),  # abbreviation
    ("ket hon", "ket_hon"),
    ("ho chieu", "passport"),  # a referral topic: what the ward does not do
])
def test_search_puts_the_right_result_first(typed: str, first: str) -> None:
    hits = SEARCH.find(typed)
    assert hits and hits[0].id == first


@pytest.mark.parametrize("typed", ["", "   ", "<script>alert(1)</script>", "😀😀", "x" * 5000, "qqqq"])
def test_search_finds_nothing_in_noise(typed: str) -> None:
    assert SEARCH.find(typed) == []


def test_touches_are_checked_against_the_centre() -> None:
    data = ScreenData(CENTRE, CATALOGUE)
    good = ["yes", "no", "take_number", "take_number:khai_sinh", "procedure:khai_sinh", "procedure:khai_sinh:fee",
            "directions:toilet", "directions:counter:3", "refreshment:candy", "referral:passport", "centre_hours"]
    bad = ["", "procedure:", "procedure:nope", "procedure:khai_sinh:salary", "directions:counter:99",
           "directions:kitchen", "refreshment:beer", "referral:moon", "take_number:khai_sinh:x", "__init__", "yes:no"]
    assert [c for c in good if not data.valid_choice(c)] == []
    assert [c for c in bad if data.valid_choice(c)] == []
    assert [label for _, label, _ in data.fields] == ["Hộ tịch", "Chứng thực", "Cư trú", "Đất đai – xây dựng",
                                                       "Chính sách xã hội", "Kinh doanh"]
    assert data.other == ["ly_lich_tu_phap"]  # referred elsewhere: found by the search box
    route = data.floor_map("toilet")["route"]
    assert route.count(",") >= 3


def test_screen_settings() -> None:
    assert ScreenSettings() == ScreenSettings(host="127.0.0.1", port=8080, orientation="portrait", idle_timeout_s=60)
    assert CENTRE.screen is not None and CENTRE.screen.port == 8080
    for wrong in ({"port": 70000}, {"orientation": "sideways"}, {"idle_timeout_s": 0}, {"colour": "red"}):
        with pytest.raises(ValidationError):
            ScreenSettings.model_validate(wrong)


@pytest.mark.slow
def test_a_taken_port_leaves_the_robot_serving(tmp_path: Path) -> None:
    """Another program on the screen's port: the part says so (English, for technicians), the robot serves."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        centre = bare_centre(CENTRE, tmp_path).model_copy(update={"screen": ScreenSettings(port=port)})
        app = Application.from_config(centre, catalogue=CATALOGUE, clock=SimClock(MORNING))
        with app:
            state = app.parts()["screen"]
            assert state.startswith(f"unavailable: cannot listen on 127.0.0.1:{port}"), state
            app.typed("chứng thực bản sao")
            assert app.status()["parts"]["dialog"] == "ok"
            conversation = app.conversation()
            assert conversation is not None and conversation["offer"] == "ticket"


@pytest.mark.slow
def test_no_screen_configured(tmp_path: Path) -> None:
    app = Application.from_config(bare_centre(CENTRE, tmp_path), catalogue=CATALOGUE, clock=SimClock(MORNING))
    with app:
        assert app.parts()["screen"] == "ok (none configured)"


@pytest.mark.slow
def test_letan_sim_prints_the_screen_url_and_serves_it(tmp_path: Path) -> None:
    """`letan sim` (the console) serves the centre's screen and prints its address."""
    import re
    import subprocess
    import sys
    import urllib.request

    from tests.conftest import CUA_NAM

    config = tmp_path / "centre.yaml"
    text = CUA_NAM.read_text(encoding="utf-8")
    assert "port: 8080" in text
    config.write_text(text.replace("port: 8080", "port: 0"), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "letan", "sim", "--config", str(config), "--at", "2026-11-25T08:05",
                             "--workdir", str(tmp_path / "run")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        url = None
        for line in proc.stdout:
            found = re.search(r"Citizen's screen: (http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found.group(1)
                break
        assert url is not None, "no screen address printed"
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode("utf-8")
            assert response.headers["Cache-Control"] == "no-store"
        assert "Chạm vào màn hình hoặc nói với em" in page and "/static/screen.js" in page
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()
