"""`letan service` (issue 14, item 6): the systemd unit of `letan run` and the kiosk screen's autostart entry,
checked by systemd's own `systemd-analyze verify` and by reading their keys; `letan service screen` waits for
the screen to answer, then runs the browser in kiosk mode."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from letan.cli.service_cmd import KIOSK_FLAGS, desktop_quote, screen_url, systemd_quote
from tests.conftest import CUA_NAM

LETAN = [sys.executable, "-m", "letan"]
LETAN_BIN = Path(sys.executable).parent / "letan"


def letan(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LETAN, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def sections(text: str) -> dict[str, list[tuple[str, str]]]:
    """An INI-like file (a unit or a .desktop entry) as section -> [(key, value)]; keys may repeat."""
    out: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            assert line.endswith("]"), line
            current = line[1:-1]
            assert current not in out, f"section {current} twice"
            out[current] = []
            continue
        assert current is not None, f"{line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep and key == key.strip() and key, f"not key=value: {line!r}"
        out[current].append((key, value))
    return out


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def verify(unit: Path) -> None:
    """systemd's own check of a unit file: every key known, every value parsed, ExecStart executable."""
    assert shutil.which("systemd-analyze"), "systemd-analyze (package systemd) is needed to check the unit"
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if unit.name in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_install_writes_a_unit_systemd_accepts_and_an_autostart_entry(tmp_path: Path) -> None:
    out = tmp_path / "units"
    result = letan(tmp_path, "service", "install", "--config", str(CUA_NAM), "--out", str(out))
    assert result.returncode == 0, result.stderr
    unit_path, entry_path = out / "letan.service", out / "letan-screen.desktop"
    verify(unit_path)

    unit = sections(unit_path.read_text(encoding="utf-8"))
    assert set(unit) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert values(service, "ExecStart") == [f"{LETAN_BIN} run --config {CUA_NAM.absolute()}"]
    assert values(service, "Restart") == ["on-failure"]
    assert values(service, "StandardOutput") == ["journal"] and values(service, "StandardError") == ["journal"]
    assert "LETAN_STATE_DIR=/var/lib/letan" in values(service, "Environment")
    assert values(service, "StateDirectory") == ["letan"]
    assert values(service, "User") == ["letan"] and values(service, "Group") == ["letan"]
    assert "dialout" in values(service, "SupplementaryGroups")[0].split()
    assert values(unit["Install"], "WantedBy") == ["multi-user.target"]

    entry = sections(entry_path.read_text(encoding="utf-8"))
    desktop = entry["Desktop Entry"]
    assert values(desktop, "Type") == ["Application"]
    assert values(desktop, "Exec") == [f"{LETAN_BIN} service screen --url http://127.0.0.1:8080/"]
    assert oct(unit_path.stat().st_mode & 0o777) == "0o644"


@pytest.mark.slow
def test_install_prints_both_files_by_default_and_never_overwrites_without_force(tmp_path: Path) -> None:
    result = letan(tmp_path, "service", "install", "--config", str(CUA_NAM))
    assert result.returncode == 0, result.stderr
    assert "[Service]" in result.stdout and "[Desktop Entry]" in result.stdout
    assert list(tmp_path.iterdir()) == []

    out = tmp_path / "units"
    out.mkdir()
    (out / "letan.service").write_text("# mine\n", encoding="utf-8")
    result = letan(tmp_path, "service", "install", "--config", str(CUA_NAM), "--out", str(out))
    assert result.returncode == 2 and "--force" in result.stderr and "Traceback" not in result.stderr
    assert (out / "letan.service").read_text(encoding="utf-8") == "# mine\n"
    assert not (out / "letan-screen.desktop").exists()
    autostart = tmp_path / "autostart"
    result = letan(tmp_path, "service", "install", "--config", str(CUA_NAM), "--out", str(out), "--force",
                   "--autostart-dir", str(autostart))
    assert result.returncode == 0, result.stderr
    verify(out / "letan.service")
    assert (autostart / "letan-screen.desktop").is_file() and not (out / "letan-screen.desktop").exists()


def test_a_file_from_letan_init_gives_the_screen_its_port(tmp_path: Path) -> None:
    made = letan(tmp_path, "init", "--name", "Trung tâm phục vụ hành chính công phường Cửa Mới", "--address", "1",
                 "--out", "centre.yaml")
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "centre.yaml").read_text(encoding="utf-8").replace("port: 8080", "port: 8123")
    (tmp_path / "centre.yaml").write_text(text, encoding="utf-8")
    result = letan(tmp_path, "service", "install", "--config", "centre.yaml")
    assert result.returncode == 0, result.stderr
    assert "screen section" not in result.stderr
    assert f"Exec={LETAN_BIN} service screen --url http://127.0.0.1:8123/" in result.stdout


def test_install_refuses_a_centre_file_that_does_not_pass_the_check(tmp_path: Path) -> None:
    bad = tmp_path / "centre.yaml"
    bad.write_text("site: {id: Cửa Nam}\n", encoding="utf-8")
    result = letan(tmp_path, "service", "install", "--config", str(bad), "--out", str(tmp_path / "units"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr
    assert not (tmp_path / "units").exists()


def test_paths_with_spaces_and_percent_signs_are_quoted_for_systemd(tmp_path: Path) -> None:
    odd = tmp_path / "my letan 100%"
    odd.mkdir()
    (odd / "letan").symlink_to(LETAN_BIN)
    config = odd / "centre $HOME.yaml"
    shutil.copy(CUA_NAM, config)
    out = tmp_path / "units"
    result = letan(tmp_path, "service", "install", "--config", str(config), "--out", str(out),
                   "--letan", str(odd / "letan"))
    assert result.returncode == 0, result.stderr
    verify(out / "letan.service")  # the executable is found through the quoting: systemd read the path back
    assert systemd_quote(str(config)) == f'"{tmp_path}/my letan 100%%/centre $$HOME.yaml"'
    assert desktop_quote('/opt/a b/"x"') == '"/opt/a b/\\\\"x\\\\""'
    assert desktop_quote("/opt/letan/bin/letan") == "/opt/letan/bin/letan"


def test_the_screen_address_comes_from_the_centre_file_when_it_has_one() -> None:
    assert screen_url(SimpleNamespace(screen=SimpleNamespace(host="127.0.0.1", port=8099))) == (
        "http://127.0.0.1:8099/", None)
    assert screen_url(SimpleNamespace(screen=SimpleNamespace(host="0.0.0.0", port=8080))) == (
        "http://127.0.0.1:8080/", None)
    assert screen_url(SimpleNamespace(screen=SimpleNamespace(host="::1", port=9000)))[0] == "http://[::1]:9000/"
    url, warning = screen_url(SimpleNamespace(screen=SimpleNamespace(host="127.0.0.1", port=0)))
    assert url == "http://127.0.0.1:8080/" and warning is not None and "fixed port" in warning
    url, warning = screen_url(SimpleNamespace(site=None))  # no screen section
    assert url == "http://127.0.0.1:8080/" and warning is not None and "no screen section" in warning


def fake_browser(folder: Path) -> tuple[Path, Path]:
    """Chromium cannot be shown here: a program in its place that writes down its arguments."""
    record = folder / "argv.txt"
    program = folder / "fake-chromium"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n', encoding="utf-8")
    program.chmod(0o755)
    return program, record


def test_screen_waits_for_letan_then_runs_chromium_in_kiosk_mode(tmp_path: Path) -> None:
    program, record = fake_browser(tmp_path)
    with socket.socket() as probe:  # a free port, nothing listening on it yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([*LETAN, "service", "screen", "--url", url, "--chromium", str(program), "--wait", "300"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.poll() is None and not record.exists()  # nothing answers: still waiting, no browser
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(120)
            server.accept()[0].close()  # the screen command's probe
            _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert record.read_text(encoding="utf-8").splitlines() == [*KIOSK_FLAGS, url]
    assert {"--kiosk", "--noerrdialogs", "--disable-translate", "--no-first-run"} <= set(KIOSK_FLAGS)


def test_screen_starts_the_browser_anyway_after_the_wait_and_names_what_is_missing(tmp_path: Path) -> None:
    program, record = fake_browser(tmp_path)
    result = letan(tmp_path, "service", "screen", "--url", "http://127.0.0.1:9/", "--chromium", str(program),
                   "--wait", "0")
    assert result.returncode == 0 and "nothing answers on 127.0.0.1:9" in result.stderr
    assert record.read_text(encoding="utf-8").splitlines()[-1] == "http://127.0.0.1:9/"


@pytest.mark.parametrize(("args", "words"), [
    (["--url", "ftp://x/"], "--url"),
    (["--url", "http://127.0.0.1:99999/"], "--url"),
    (["--chromium", "/nonexistent/chromium"], "no such program"),
])
def test_screen_bad_arguments_give_one_line(tmp_path: Path, args: list[str], words: str) -> None:
    result = letan(tmp_path, "service", "screen", *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
