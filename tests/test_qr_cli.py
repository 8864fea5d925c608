"""`letan qr decode`, `letan dossier import` and `letan dossier lookup` as a technician runs them."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
import yaml
from typer.testing import CliRunner

from letan.cli import app
from robot.paths import CONFIG_DIR
from simulator.qr_frames import empty_frame, make_frame
from tests.conftest import CUA_NAM

CODE = "000.A0.01.H26-260105-0005"
URL = f"https://dichvucong.hanoi.gov.vn/tra-cuu?SGT=001203004567&MHS={CODE}"
runner = CliRunner()


@pytest.fixture
def centre_file(tmp_path: Path) -> Path:
    data = yaml.safe_load(CUA_NAM.read_text(encoding="utf-8"))
    data["dossier"] = {"provider": "sqlite", "db": str(tmp_path / "dossiers.sqlite3")}
    data["queue"] = {**data.get("queue", {}), "db": str(tmp_path / "queue.sqlite3")}
    path = tmp_path / "centre.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_qr_decode_prints_one_json_line_per_image(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "receipt.png"), make_frame(URL, 1280, 720, "easy", seed=1))
    cv2.imwrite(str(tmp_path / "empty.jpg"), empty_frame(640, 480))
    (tmp_path / "broken.png").write_bytes(b"not an image")
    result = runner.invoke(app, ["qr", "decode", str(tmp_path / "receipt.png"), str(tmp_path / "empty.jpg"),
                                 str(tmp_path / "broken.png")])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1  # one file could not be read
    assert lines[0]["dossier_code"] == CODE and lines[0]["format"] == "qrcode" and lines[0]["ms"] > 0
    assert "001203004567" not in result.stdout and "SGT=***" in lines[0]["text"]
    assert lines[1]["text"] is None and lines[1]["dossier_code"] is None
    assert lines[2]["text"] is None and "error" in lines[2]
    assert set(lines[1]) == {"file", "text", "format", "dossier_code", "ms"}


def test_qr_decode_with_pyzbar_and_bad_decoder(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "r.png"), make_frame(URL, 1280, 720, "easy", seed=1))
    ok = runner.invoke(app, ["qr", "decode", "--decoder", "pyzbar", str(tmp_path / "r.png")])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["dossier_code"] == CODE
    bad = runner.invoke(app, ["qr", "decode", "--decoder", "magic", str(tmp_path / "r.png")])
    assert bad.exit_code == 2 and "expected one of" in bad.stderr and "Traceback" not in bad.output


def test_dossier_import_and_lookup(centre_file: Path, tmp_path: Path) -> None:
    sample = str(CONFIG_DIR / "dossiers-sample.csv")
    imported = runner.invoke(app, ["dossier", "import", sample, "-c", str(centre_file)])
    assert imported.exit_code == 0 and "Imported 12" in imported.stdout
    said = runner.invoke(app, ["dossier", "lookup", URL, "-c", str(centre_file), "--at", "2026-01-06T09:00"])
    assert said.exit_code == 0 and "Yêu cầu bổ sung giấy tờ" in said.stdout and "001203004567" not in said.output
    as_json = runner.invoke(app, ["dossier", "lookup", "000.A0.01.H26-251201-0011", "--json", "-c", str(centre_file),
                                  "--at", "2026-01-06T09:00"])
    data = json.loads(as_json.stdout)
    assert data["overdue"] is True and data["applicant"] == "Lý V** C" and data["new_appointment"] == "2026-01-20"
    unknown = runner.invoke(app, ["dossier", "lookup", "hello", "-c", str(centre_file)])
    assert unknown.exit_code == 1 and "em không đọc được mã này" in unknown.stdout


def test_dossier_import_problems_and_bad_usage(centre_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ma_ho_so,trang_thai\n000.A0.01.H26-260105-0001,1\nxx,1\n", encoding="utf-8")
    partly = runner.invoke(app, ["dossier", "import", str(bad), "-c", str(centre_file)])
    assert partly.exit_code == 1 and "line 3: ma_ho_so" in partly.stderr and "Imported 1" in partly.stdout
    missing = runner.invoke(app, ["dossier", "import", str(tmp_path / "none.csv"), "-c", str(centre_file)])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    bad_at = runner.invoke(app, ["dossier", "lookup", CODE, "-c", str(centre_file), "--at", "yesterday"])
    assert bad_at.exit_code == 2 and "--at" in bad_at.stderr and "Traceback" not in bad_at.output
