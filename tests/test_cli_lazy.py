"""The command line imports a command's module only when it runs (issue 14: fast `letan --version`, `--help`).

Structural tests, not timing tests: which modules a light command imports (python -X importtime), and that
the table of commands in letan/cli/__init__.py says what the modules register.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from letan.cli import COMMANDS
from letan.cli.lazy import module_commands
from robot.config import ConfigError, _fast_load, _LimitedLoader, read_yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "config" / "centres" / "cua-nam.yaml"

# Heavy modules that no light command needs.
HEAVY = ("networkx", "matplotlib", "cv2", "numpy", "paho", "PIL", "simulator", "scipy", "rapidfuzz")


def imported_modules(*args: str) -> set[str]:
    """The modules `python -X importtime -m letan ARGS` imports (top-level package names and full names)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "letan", *args], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    names: set[str] = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            names.update({name, name.split(".")[0]})
    assert "letan" in names  # the import log was read
    return names


def test_version_imports_neither_typer_nor_the_application() -> None:
    names = imported_modules("--version")
    for module in (*HEAVY, "pydantic", "typer", "rich", "robot", "yaml", "dialogs", "drivers"):
        assert module not in names, f"`letan --version` imports {module}"


def test_help_lists_every_command_without_importing_their_modules() -> None:
    names = imported_modules("--help")
    for module in (*HEAVY, "pydantic", "robot", "dialogs", "drivers", "yaml"):
        assert module not in names, f"`letan --help` imports {module}"
    assert not any(name.startswith("letan.cli.") and name != "letan.cli.lazy" for name in names), sorted(
        n for n in names if n.startswith("letan.cli."))


@pytest.mark.slow
def test_queue_status_imports_no_heavy_module(tmp_path: Path) -> None:
    names = imported_modules("queue", "status", "--config", str(SAMPLE), "--db", str(tmp_path / "q.db"))
    for module in (*HEAVY, "pydantic.v1"):
        assert module not in names, f"`letan queue status` imports {module}"
    assert "robot.queue.engine" in names


@pytest.mark.parametrize("args", [
    ("issue", "--service", "chung_thuc", "--at", "2026-12-07T09:00"),
    ("call-next", "--counter", "1", "--at", "2026-12-07T09:01"),
])
def test_queue_changes_import_no_heavy_module(tmp_path: Path, args: tuple[str, ...]) -> None:
    names = imported_modules("queue", *args, "--config", str(SAMPLE), "--db", str(tmp_path / "q.db"))
    for module in HEAVY:
        assert module not in names, f"`letan queue {args[0]}` imports {module}"


@pytest.mark.slow
def test_libyaml_and_the_limited_reader_agree_on_every_shipped_file() -> None:
    files = sorted({*ROOT.glob("config/**/*.yaml"), *ROOT.glob("tests/**/*.yaml")})
    assert len(files) > 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast, data = _fast_load(text)
        assert fast, path
        assert data == yaml.load(text, Loader=_LimitedLoader), path


@pytest.mark.parametrize(("text", "where"), [
    ("site: {id: a}\nsite: {id: b}\n", "line 2, column 1"),  # a key twice: found by libyaml's reading too
    ("a: [1, 2\n", "line 2"),  # not YAML: the pure-Python reader says where
    ("a: " + "[" * 45 + "]" * 45 + "\n", "line 1"),  # too deep: never built by libyaml
    ("a: &x [1]\nb: *x\n", None),  # an alias: read by the limited reader, accepted
])
def test_the_fast_reader_leaves_every_refusal_to_the_limited_one(tmp_path: Path, text: str, where: str | None) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    assert _fast_load(text)[0] is False
    if where is None:
        assert read_yaml(path) == yaml.load(text, Loader=_LimitedLoader)
        return
    with pytest.raises(ConfigError) as caught:
        read_yaml(path)
    assert caught.value.problems[0].path.startswith(where), caught.value.problems


def test_version_is_the_same_with_and_without_typer() -> None:
    from letan.cli import app

    fast = subprocess.run([sys.executable, "-m", "letan", "--version"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    runner = CliRunner().invoke(app, ["--version"])
    assert runner.exit_code == 0 and fast.returncode == 0
    assert fast.stdout == runner.stdout
    assert fast.stdout.startswith("letan ")


@pytest.mark.parametrize("module", sorted({module for module, _ in COMMANDS.values()}))
def test_the_table_says_what_each_module_registers(module: str) -> None:
    registered = module_commands(module)
    listed = {name for name, (mod, _) in COMMANDS.items() if mod == module}
    assert set(registered) == listed, f"letan/cli/{module}.py registers {sorted(registered)}; COMMANDS lists {listed}"
    for name, command in registered.items():
        first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
        assert COMMANDS[name][1] == first_paragraph, f"help of {name!r}: update COMMANDS in letan/cli/__init__.py"


def test_every_command_module_is_in_the_table() -> None:
    modules = {p.stem for p in (ROOT / "letan" / "cli").glob("*.py")} - {"__init__", "common", "lazy"}
    registering = {m for m in modules if "def register(" in (ROOT / "letan" / "cli" / f"{m}.py").read_text()}
    assert registering <= {module for module, _ in COMMANDS.values()}, "add the module's commands to COMMANDS"


def test_help_and_commands_through_the_lazy_group(tmp_path: Path) -> None:
    from letan.cli import app

    runner = CliRunner()
    listing = runner.invoke(app, ["--help"], terminal_width=200)
    assert listing.exit_code == 0
    for name, (_, text) in COMMANDS.items():
        assert name in listing.stdout and text[:40] in listing.stdout
    status = runner.invoke(app, ["queue", "status", "--config", str(SAMPLE), "--db", str(tmp_path / "q.db")])
    assert status.exit_code == 0, status.output
    assert "counter 1: free" in status.stdout
    wrong = runner.invoke(app, ["queu", "status"])
    assert wrong.exit_code == 2 and "queue" in wrong.output


@pytest.mark.slow
def test_bench_cli_measures_the_light_commands_against_bare_python(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "letan", "bench", "--only", "cli", "--quick", "--json", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = {f["name"]: f for f in json.loads(out.read_text(encoding="utf-8"))["figures"]}
    assert set(figures) == {"python -c pass (median)", "letan --version (median)", "letan --help (median)",
                            "letan queue status (median)"}
    for name, figure in figures.items():
        assert figure["suite"] == "cli" and figure["unit"] == "ms" and figure["value"] > 0
        if name != "python -c pass (median)":
            assert figure["target"] == "<= 300 ms" and isinstance(figure["met"], bool)
    assert figures["letan queue status (median)"]["value"] > figures["python -c pass (median)"]["value"]
    assert "letan queue status" in result.stdout
