"""`letan init` (issue 14, item 2): a starter centre file that passes `letan config check`, from options or from
questions on stdin; never overwriting a file without --force; bad answers refused with one English line."""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from robot.centre_template import (
    SERVICE_IDS,
    CentreAnswers,
    TemplateError,
    centre_yaml,
    check_site_id,
    parse_services,
    site_id_from_name,
)
from robot.config import Catalogue, load_catalogue_checked, parse_centre

LETAN = [sys.executable, "-m", "letan"]
NAME = "Trung tâm phục vụ hành chính công phường Cửa Mới"
ADDRESS = "12 Tràng Tiền, phường Cửa Mới, Hà Nội"


def letan(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LETAN, *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def config_check(cwd: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return letan(cwd, "config", "check", str(path))


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue_checked()


@pytest.mark.slow
def test_options_write_a_file_that_passes_config_check(tmp_path: Path) -> None:
    result = letan(tmp_path, "init", "--name", NAME, "--address", ADDRESS, "--counters", "5",
                   "--services", "chung_thuc,ho_tich,cong_an_cu_tru")
    assert result.returncode == 0, result.stderr
    written = tmp_path / "cua-moi.yaml"  # the site id comes from the name
    assert written.is_file() and str(written.name) in result.stdout
    check = config_check(tmp_path, written)
    assert check.returncode == 0, check.stderr
    assert "OK" in check.stdout and "cua-moi" in check.stdout

    raw = written.read_bytes()
    assert NAME.encode("utf-8") in raw and ADDRESS.encode("utf-8") in raw  # UTF-8 as it is, not \u escapes
    data = yaml.safe_load(raw.decode("utf-8"))
    assert data["site"] == {"id": "cua-moi", "name": NAME, "address": ADDRESS, "timezone": "Asia/Ho_Chi_Minh"}
    assert [s["id"] for s in data["services"]] == ["chung_thuc", "ho_tich", "cu_tru"]
    assert [s["prefix"] for s in data["services"]] == ["A", "B", "C"]
    counters = data["reception_points"][0]["counters"]
    assert [c["number"] for c in counters] == [1, 2, 3, 4, 5]
    assert {s for c in counters for s in c["services"]} == {"chung_thuc", "ho_tich", "cu_tru"}
    assert data["devices"]["profile"] == "real"
    assert data["screen"]["port"] == 8080
    # Procedures of the services left out are referred, in Vietnamese.
    assert data["referrals"]["ho_tro_mai_tang"].startswith("Trung tâm không")
    # Every top-level section has a comment just above it for the technician.
    lines = raw.decode("utf-8").splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith((" ", "#", "-")):
            assert lines[index - 1].startswith("#"), f"no comment above {line!r}"


@pytest.mark.slow
def test_questions_on_stdin_write_a_file_that_passes_config_check(tmp_path: Path) -> None:
    answers = "\n".join([
        "Trung tâm phục vụ hành chính công xã Đông Anh",  # name
        "",  # site id: the default, from the name
        "Thôn Một, xã Đông Anh, Hà Nội",  # address
        "ho_tich, huong_dan, bogus",  # an unknown service: asked again
        "ho_tich,cu_tru,huong_dan",
        "0",  # not a number of counters: asked again
        "4",
        "sim",
        "",  # file: the default, dong-anh.yaml
    ]) + "\n"
    result = letan(tmp_path, "init", stdin=answers)
    assert result.returncode == 0, result.stderr
    assert "unknown service 'bogus'" in result.stderr and "0 counters" in result.stderr
    assert "Site id, lower-case, used in MQTT topics [dong-anh]" in result.stdout
    written = tmp_path / "dong-anh.yaml"
    check = config_check(tmp_path, written)
    assert check.returncode == 0, check.stderr
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["site"]["name"] == "Trung tâm phục vụ hành chính công xã Đông Anh"
    assert data["site"]["address"] == "Thôn Một, xã Đông Anh, Hà Nội"
    assert [s["id"] for s in data["services"]] == ["ho_tich", "cu_tru", "huong_dan"]
    assert len(data["reception_points"][0]["counters"]) == 4
    assert data["devices"]["profile"] == "sim"
    assert "chung_thuc_ban_sao" in data["referrals"]


def test_input_that_ends_early_writes_nothing(tmp_path: Path) -> None:
    result = letan(tmp_path, "init", stdin=f"{NAME}\n")
    assert "input ended" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_existing_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "centre.yaml"
    target.write_text("# mine, keep me\n", encoding="utf-8")
    flags = ["init", "--name", NAME, "--address", ADDRESS, "--out", str(target)]
    line = one_error_line(letan(tmp_path, *flags))
    assert "already exists" in line and "--force" in line
    assert target.read_text(encoding="utf-8") == "# mine, keep me\n"
    # Asked: refused before any question, whatever is piped in.
    line = one_error_line(letan(tmp_path, "init", "--out", str(target), stdin=f"{NAME}\n\n{ADDRESS}\n\n\n\n"))
    assert "already exists" in line
    assert target.read_text(encoding="utf-8") == "# mine, keep me\n"
    # The default file name (site id) too.
    (tmp_path / "cua-moi.yaml").write_text("x: 1\n", encoding="utf-8")
    assert "already exists" in one_error_line(letan(tmp_path, "init", "--name", NAME, "--address", ADDRESS))
    assert (tmp_path / "cua-moi.yaml").read_text(encoding="utf-8") == "x: 1\n"

    result = letan(tmp_path, *flags, "--force")
    assert result.returncode == 0, result.stderr
    assert config_check(tmp_path, target).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["centre.yaml", "cua-moi.yaml"]  # no temporary left


@pytest.mark.parametrize("site_id", ["Cửa Mới", "CUA-MOI", "-cua-moi", "cua/moi", "cua+moi", "cua#moi", ""])
def test_a_bad_site_id_is_refused_with_one_line(tmp_path: Path, site_id: str) -> None:
    line = one_error_line(letan(tmp_path, "init", "--site-id", site_id, "--name", NAME, "--address", ADDRESS))
    assert line.startswith("error: site id") and "lower-case" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize(("flags", "words"), [
    (["--counters", "0"], "expected 1 to 99"),
    (["--counters", "100"], "expected 1 to 99"),
    (["--services", "chung_thuc,passport"], "unknown service 'passport'"),
    (["--services", " , "], "no services"),
    (["--profile", "robot"], "expected real"),
    (["--name", "  "], "empty"),
    (["--name", "Trung tâm\x07"], "control characters"),
])
def test_other_bad_options_are_refused_with_one_line(tmp_path: Path, flags: list[str], words: str) -> None:
    given = dict(zip(flags[::2], flags[1::2], strict=True))
    args = ["init", "--site-id", "cua-moi", "--name", given.pop("--name", NAME), "--address", ADDRESS]
    line = one_error_line(letan(tmp_path, *args, *itertools.chain.from_iterable(given.items())))
    assert words in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_options_need_a_name_and_an_address(tmp_path: Path) -> None:
    line = one_error_line(letan(tmp_path, "init", "--site-id", "cua-moi"))
    assert "--name and --address missing" in line
    line = one_error_line(letan(tmp_path, "init", "--name", "— —", "--address", ADDRESS))
    assert "give one with --site-id" in line


@pytest.mark.slow
def test_every_choice_of_services_and_counters_passes_the_checks(catalogue: Catalogue) -> None:
    for size in range(1, len(SERVICE_IDS) + 1):
        for services in itertools.combinations(SERVICE_IDS, size):
            for counters in {1, size, size + 2}:
                answers = CentreAnswers("xa-moi", "Trung tâm phục vụ hành chính công xã Mới", "Xã Mới", counters,
                                        services)
                centre = parse_centre(yaml.safe_load(centre_yaml(answers, catalogue, today=date(2026, 12, 4))),
                                      catalogue, "generated")
                assert len(centre.point().counters) == counters
                assert [s.id for s in centre.services] == list(services)


def test_site_ids_from_names_and_the_rule() -> None:
    assert site_id_from_name(NAME) == "cua-moi"
    assert site_id_from_name("Trung tâm phục vụ hành chính công đặc khu Côn Đảo") == "con-dao"
    assert site_id_from_name("UBND phường Đống Đa") == "dong-da"
    for good in ("cua-nam", "phuong-1", "9a"):
        assert check_site_id(good) == good
    with pytest.raises(TemplateError):
        check_site_id("cửa-nam")
    assert parse_services("tu_phap_ho_tich, all") == SERVICE_IDS
    assert parse_services("HUONG_DAN,cong_an_cu_tru") == ("cu_tru", "huong_dan")
