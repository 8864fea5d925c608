"""Centre configuration and procedure catalogue: loading, validation and precise error lines."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from robot.config import ConfigError, load_catalogue_checked, load_centre, parse_centre
from robot.paths import DEFAULT_CATALOGUE
from tests.conftest import CUA_NAM, PHU_DINH

REQUIRED_IDS = [
    "khai_sinh",
    "ket_hon",
    "khai_tu",
    "xac_nhan_tinh_trang_hon_nhan",
    "ban_sao_trich_luc_ho_tich",
    "dang_ky_lai_khai_sinh",
    "thay_doi_cai_chinh_ho_tich",
    "nhan_cha_me_con",
    "lien_thong_tre_duoi_6_tuoi",
    "the_bhyt",
    "chung_thuc_ban_sao",
    "chung_thuc_chu_ky",
    "chung_thuc_hop_dong_giao_dich",
    "chung_thuc_di_chuc",
    "dang_ky_thuong_tru",
    "dang_ky_tam_tru",
    "gia_han_tam_tru",
    "tach_ho",
    "khai_bao_tam_vang",
    "ly_lich_tu_phap",
    "tro_cap_xa_hoi_hang_thang",
    "tro_cap_huu_tri_xa_hoi",
    "ho_tro_mai_tang",
    "xac_dinh_muc_do_khuyet_tat",
    "ho_ngheo_can_ngheo",
    "thanh_lap_ho_kinh_doanh",
    "thay_doi_ho_kinh_doanh",
    "cap_gcn_dat_lan_dau",
    "dang_ky_bien_dong_dat",
    "giay_phep_xay_dung_nha_o",
    "can_cuoc_tre_duoi_6_tuoi",
]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue_checked()


@pytest.fixture(scope="module")
def cua_nam_data() -> dict[str, Any]:
    return yaml.safe_load(CUA_NAM.read_text(encoding="utf-8"))


def problems_of(data: Any, catalogue) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_centre(data, catalogue, "centre.yaml")
    return [str(p) for p in info.value.problems]


def test_catalogue_holds_the_31_procedures(catalogue) -> None:
    assert len(REQUIRED_IDS) == 31
    assert set(REQUIRED_IDS) <= set(catalogue.ids())
    for proc in catalogue.procedures:
        assert proc.documents and proc.fee and proc.processing_time
        assert proc.sources["code"] and proc.sources["fee"]


def test_criminal_record_is_referred_to_provincial_police(catalogue) -> None:
    proc = catalogue.get("ly_lich_tu_phap")
    assert not proc.handled_at_commune
    assert proc.referral is not None and "Công an tỉnh" in proc.referral and "VNeID" in proc.referral


@pytest.mark.parametrize("path", [CUA_NAM, PHU_DINH])
def test_sample_centres_load(path: Path, catalogue) -> None:
    centre = load_centre(path, catalogue)
    assert centre.site.timezone == "Asia/Ho_Chi_Minh"
    for point in centre.reception_points:
        graph = point.floor_map.graph()
        for counter in point.counters:
            assert counter.location in graph


def test_phu_dinh_has_main_centre_and_two_points_of_four(catalogue) -> None:
    centre = load_centre(PHU_DINH, catalogue)
    assert [len(p.counters) for p in centre.reception_points[1:]] == [4, 4]
    assert "184 Lưu Hữu Phước" in centre.reception_points[0].address


def test_cua_nam_has_about_eight_counters(catalogue) -> None:
    centre = load_centre(CUA_NAM, catalogue)
    assert len(centre.point().counters) == 8
    assert "29 Quang Trung" in centre.site.address


def test_opening_hours_and_cutoff(catalogue) -> None:
    from datetime import date, time

    centre = load_centre(CUA_NAM, catalogue)
    monday = centre.opening_hours.for_date(date(2026, 11, 23))
    assert monday is not None and monday.morning is not None
    assert monday.morning.cutoff == time(11, 30)
    assert centre.opening_hours.for_date(date(2026, 11, 29)) is None  # Sunday
    assert centre.opening_hours.for_date(date(2026, 9, 2)) is None  # National Day


BAD_CASES = [
    ("bad prefix", lambda d: d["services"][2].__setitem__("prefix", "CC"), "services[2].prefix: found 'CC'"),
    ("duplicate prefix", lambda d: d["services"][1].__setitem__("prefix", "A"), "services[1].prefix: found 'A'"),
    (
        "unknown procedure",
        lambda d: d["services"][0]["procedures"].append("lam_ho_chieu"),
        "services[0].procedures[4]: found 'lam_ho_chieu'; expected a procedure id from the catalogue",
    ),
    ("unknown field", lambda d: d["site"].__setitem__("nmae", "x"), "site.nmae: found an unknown field"),
    ("missing site name", lambda d: d["site"].pop("name"), "site.name: found nothing; expected this field"),
    (
        "bad time zone",
        lambda d: d["site"].__setitem__("timezone", "Asia/Hanoi_City"),
        "site.timezone: found 'Asia/Hanoi_City'; expected unknown time zone",
    ),
    (
        "bad time",
        lambda d: d["opening_hours"]["monday"]["morning"].__setitem__("open", "8h"),
        "opening_hours.monday.morning.open: found '8h'",
    ),
    (
        "closes before opening",
        lambda d: d["opening_hours"]["monday"]["morning"].__setitem__("close", "07:00"),
        "opening_hours.monday.morning: found",
    ),
    (
        "counter with unknown service",
        lambda d: d["reception_points"][0]["counters"][4].__setitem__("services", ["van_hoa"]),
        "reception_points[0].counters[4].services[0]: found 'van_hoa'",
    ),
    (
        "counter location not on map",
        lambda d: d["reception_points"][0]["counters"][0].__setitem__("location", "counter_99"),
        "reception_points[0].counters[0].location: found 'counter_99'",
    ),
    (
        "counter unreachable",
        lambda d: d["reception_points"][0]["floor_map"].__setitem__(
            "edges", [e for e in d["reception_points"][0]["floor_map"]["edges"] if "counter_3" not in e]
        ),
        "reception_points[0].counters[2].location: found 'counter_3' not reachable from 'entrance'",
    ),
    (
        "service without open counter",
        lambda d: [c.__setitem__("open", False) for c in d["reception_points"][0]["counters"] if c["number"] == 5],
        "services[2]: found no open counter for service 'van_hoa_xa_hoi'",
    ),
    (
        "procedure nobody handles",
        lambda d: d["services"][0]["procedures"].remove("chung_thuc_di_chuc"),
        "services: found no service for procedure 'chung_thuc_di_chuc'",
    ),
    ("negative cap", lambda d: d["services"][0].__setitem__("daily_cap", -5), "services[0].daily_cap: found -5"),
    (
        "location outside floor",
        lambda d: d["reception_points"][0]["floor_map"]["locations"]["toilet"].__setitem__("x", 99),
        "reception_points[0].floor_map.locations.toilet: found (99.0, 6.3)",
    ),
    ("unknown robot point", lambda d: d["robot"].__setitem__("point", "tang-2"), "robot.point: found 'tang-2'"),
]


@pytest.mark.parametrize(("label", "mutate", "expected"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_config_gives_precise_problem(label, mutate, expected, cua_nam_data, catalogue) -> None:
    data = copy.deepcopy(cua_nam_data)
    mutate(data)
    problems = problems_of(data, catalogue)
    assert any(p.startswith("centre.yaml: ") and expected in p for p in problems), problems


def test_every_problem_is_reported_not_only_the_first(cua_nam_data, catalogue) -> None:
    data = copy.deepcopy(cua_nam_data)
    data["services"][0]["prefix"] = "a"
    data["services"][1]["daily_cap"] = 0
    problems = problems_of(data, catalogue)
    assert len(problems) == 2


def test_not_a_mapping(catalogue) -> None:
    assert problems_of(["a", "list"], catalogue) == ["centre.yaml: found a list; expected a mapping of centre settings"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "letan", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_cli_config_check_passes_both_samples() -> None:
    for path in (CUA_NAM, PHU_DINH):
        result = run_cli("config", "check", str(path))
        assert result.returncode == 0, result.stderr
        assert "OK" in result.stdout and "referred elsewhere" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("site: [unclosed\n", "invalid YAML"),
        ("site:\n  id: x\n\tname: tab\n", "invalid YAML"),
        (b"\xff\xfe garbage", "not UTF-8"),
        ("", "found a NoneType; expected a mapping"),
    ],
)
def test_cli_rejects_broken_files_without_traceback(tmp_path: Path, content: str | bytes, expected: str) -> None:
    path = tmp_path / "broken.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = run_cli("config", "check", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr and str(path) in result.stderr


@pytest.mark.slow
def test_cli_missing_file(tmp_path: Path) -> None:
    result = run_cli("config", "check", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "no such file" in result.stderr


@pytest.mark.slow
def test_cli_reports_field_path_for_bad_centre(tmp_path: Path, cua_nam_data) -> None:
    data = copy.deepcopy(cua_nam_data)
    data["services"][2]["prefix"] = "7"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("config", "check", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"{path}: services[2].prefix: found '7'; expected String should match pattern '^[A-Z]$'"]


@pytest.mark.slow
def test_broken_catalogue_is_reported(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    data["procedures"][3]["code"] = "1.23"
    path = tmp_path / "procedures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("config", "check", str(CUA_NAM), "--catalogue", str(path))
    assert result.returncode == 2
    assert "procedures[3].code: found '1.23'" in result.stderr


def test_cli_procedures_json() -> None:
    import json

    result = run_cli("procedures", "--json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert {r["id"] for r in rows} >= set(REQUIRED_IDS)
    assert all(set(r) >= {"id", "code", "name", "service_group"} for r in rows)


def test_cli_version_and_help() -> None:
    assert run_cli("--version").stdout.startswith("letan ")
    help_text = run_cli("--help").stdout
    for command in ("config", "procedures", "doctor", "bench"):
        assert command in help_text


@pytest.mark.slow
def test_doctor_sim_profile_is_green() -> None:
    result = run_cli("doctor", "--config", str(CUA_NAM))
    assert result.returncode == 0, result.stdout
    assert "Vietnamese" in result.stdout


@pytest.mark.slow
def test_doctor_real_profile_reports_missing_devices(tmp_path: Path, cua_nam_data) -> None:
    data = copy.deepcopy(cua_nam_data)
    data["devices"]["profile"] = "real"
    data["devices"]["printer"] = {"kind": "serial", "device": "/dev/ttyUSB-printer-missing"}
    data["devices"]["drive"] = {"kind": "zlac8015d", "port": "/dev/ttyUSB-motors-missing"}
    path = tmp_path / "real.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "letan", "doctor", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "/dev/ttyUSB-printer-missing" in result.stdout and "MISSING" in result.stdout
    assert sys.version_info >= (3, 11) and sys.executable
    _ = sys
