"""`letan speech install-model FILE.zip`: a downloaded Vosk model, checked and put in the state directory."""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import typer

speech_app = typer.Typer(help="Speech recognition: install a Vosk model.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    print(message, file=sys.stderr)
    return typer.Exit(2)


def _model_root(folder: Path) -> Path | None:
    """The folder holding am/ and conf/: the archive's top, or its single top-level folder."""
    candidates = [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]
    return next((c for c in candidates if (c / "am").is_dir() and (c / "conf").is_dir()), None)


def install(archive: Path, models: Path, force: bool = False) -> Path:
    """Unpack `archive` into `models`/<model name>, checking that Vosk loads it; the installed folder.
    ValueError with one line for the technician when it cannot be done."""
    from dialogs.asr import ModelMissing, VoskRecognizer

    if not archive.is_file():
        raise ValueError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise ValueError(f"{archive}: not a zip file (download the model's .zip, e.g. vosk-model-small-vn-0.4.zip)")
    models.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zipped:
        for name in zipped.namelist():
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts:
                raise ValueError(f"{archive}: refuses to unpack {name!r} (outside the model's folder)")
        work = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=models))
        try:
            zipped.extractall(work)
            root = _model_root(work)
            if root is None:
                raise ValueError(f"{archive}: no Vosk model inside (expected a folder with am/ and conf/)")
            name = archive.stem if root == work else root.name
            try:
                VoskRecognizer(root, ["có", "không"])
            except ModelMissing as exc:
                raise ValueError(f"{archive}: {str(exc).split(';')[0]}") from None
            target = models / name
            if target.exists():
                if not force:
                    raise ValueError(f"{target} exists already; add --force to replace it")
                shutil.rmtree(target)
            root.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


@speech_app.command("install-model")
def install_model(
    archive: Path = typer.Argument(..., help="The model's zip file as downloaded (e.g. vosk-model-small-vn-0.4.zip)."),
    force: bool = typer.Option(False, "--force", help="Replace a model of the same name installed before."),
) -> None:
    """Check that Vosk loads the model, unpack it into the state directory's models/ folder and print the line
    for the centre file (the grammar is built from the catalogue at start-up)."""
    from robot.paths import StateDirError, ensure_state_dir

    try:
        models = ensure_state_dir() / "models"
        target = install(archive, models, force)
    except (StateDirError, ValueError, OSError) as exc:
        raise _fail(str(exc)) from None
    print(f"installed {target}")
    print("in the centre file:")
    print(f"  dialog: {{speech: {{engine: vosk, model_path: '{target}'}}}}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.add_typer(speech_app, name="speech")
