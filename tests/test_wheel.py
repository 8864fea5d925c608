"""The distribution (issue 14, item 1): the wheel holds letan's data, and letan installed from it works from a
fresh virtual environment outside the checkout without writing into the checkout or the installed package.

The wheel is built from a copy of the checkout's files (pip would otherwise write build/ and *.egg-info into
the checkout) without network (--no-build-isolation: setuptools of the test extras). The fresh venv sees
the already installed dependencies through a .pth file naming .venv's site-packages; .pth files are not read
from a folder named that way, so the checkout's editable install (a .pth finder) stays out of sight.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]  # the checkout
PACKAGES = ("robot", "letan", "letan_data", "simulator", "dialogs", "drivers")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=timeout)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time (ns)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}  # bytecode is no state


def checkout_state() -> dict[str, dict[str, tuple[int, int]]]:
    """Where letan wrote its state in the checkout before issue 14."""
    return {name: snapshot(ROOT / name) for name in ("var", "out")}


def build_wheel(tmp_path: Path) -> Path:
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT)
    assert listed.returncode == 0, listed.stderr
    source = tmp_path / "source"
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():  # a file deleted in the working tree but still in the index is skipped
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                 "-w", str(dist), str(source)], cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("letan-*.whl")
    return wheel


@pytest.mark.slow
def test_wheel_holds_letan_data(tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(build_wheel(tmp_path)).namelist())
    data = {n for n in names if not n.endswith(".py")}
    expected = {
        "letan_data/procedures.yaml", "letan_data/referrals.yaml", "letan_data/dossiers-sample.csv",
        "letan_data/centres/cua-nam.yaml", "letan_data/centres/phu-dinh.yaml", "letan_data/scenarios/demo.yaml",
        "letan_data/scenarios/conversations/happy_paths.yaml", "letan_data/understanding/tune.yaml",
        "letan_data/understanding/extra.yaml", "letan_data/scenarios/images/receipt-260105-0005.jpg",
        "robot/schemas/queue.ticket.issued.json", "robot/schemas/robot.status.json",
    }
    assert expected <= names, sorted(expected - names)
    # Every data file in git under a package folder is in the wheel (config/ as letan_data/).
    tracked = run(["git", "ls-files", "-z", "config", *PACKAGES], cwd=ROOT)
    assert tracked.returncode == 0, tracked.stderr
    wanted = {re.sub(r"^config/", "letan_data/", name) for name in tracked.stdout.split("\0")
              if name and not name.endswith(".py") and (ROOT / name).is_file()}
    assert wanted - data == set(), f"data files of the checkout missing from the wheel: {sorted(wanted - data)}"


@pytest.mark.slow
def test_installed_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    before = checkout_state()
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       cwd=tmp_path).stdout.strip())
    (purelib / "letan-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                     "-q", str(wheel)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    package_files = {name: snapshot(purelib / name) for name in PACKAGES}

    work = tmp_path / "work"  # the working directory of every command: nothing of the checkout
    work.mkdir()
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(HOME=str(tmp_path / "home"), LETAN_STATE_DIR=str(state), PATH=f"{venv / 'bin'}:{env['PATH']}")
    letan = str(venv / "bin" / "letan")

    where = run([str(python), "-c", "import robot, letan_data, letan.cli; print(robot.__file__); "
                 "print(letan_data.__file__)"], cwd=work, env=env)
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(purelib)) for line in where.stdout.split()), where.stdout

    for centre in ("cua-nam", "phu-dinh"):
        checked = run([letan, "config", "check", str(purelib / "letan_data" / "centres" / f"{centre}.yaml")],
                      cwd=work, env=env)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = run([letan, "procedures"], cwd=work, env=env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "Procedure catalogue (" in listed.stdout and "khai_sinh" in listed.stdout
    demo = run([letan, "sim", "--demo"], cwd=work, env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "PASSED" in demo.stdout and "Ticket printed A001" in demo.stdout
    issued = run([letan, "queue", "issue", "--service", "chung_thuc", "--at", "2026-11-25T09:00"], cwd=work, env=env)
    assert issued.returncode == 0 and issued.stdout.startswith("A001"), issued.stdout + issued.stderr
    assert (state / "cua-nam-queue.sqlite3").is_file()

    assert list(work.iterdir()) == []
    assert {name: snapshot(purelib / name) for name in PACKAGES} == package_files
    assert checkout_state() == before
