"""Where letan's files are: its own data (package data) and the state it writes (a state directory).

letan's data (the procedure catalogue, referrals, understanding sets, sample centres, scenarios) is the
folder config/ of the source checkout, installed as the package `letan_data` (pyproject.toml and setup.py
map it); it is found through importlib.resources, so it works from a checkout (editable install) and from an
installed wheel alike. Nothing is ever written there.

What letan writes (queue database, outbox, dossier store, kept simulator runs) goes to the state directory:
$LETAN_STATE_DIR, else $XDG_STATE_HOME/letan, else ~/.local/state/letan (the system service sets
LETAN_STATE_DIR=/var/lib/letan). A centre file may name other places; its relative paths are relative to the
centre file's folder (robot.config.CentreConfig.resolve_path).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DATA_PACKAGE = "letan_data"
STATE_ENV = "LETAN_STATE_DIR"


def data_dir() -> Path:
    """The folder of letan's own data files (config/ of the checkout, or letan_data/ of an installed wheel)."""
    return package_folder(DATA_PACKAGE)


def package_folder(package: str, *parts: str) -> Path:
    """A folder of data files inside one of letan's packages (e.g. robot's schemas), through importlib.resources."""
    root = resources.files(package).joinpath(*parts)
    if not isinstance(root, Path):
        raise RuntimeError(f"letan's package {package} is not a folder on disk ({root})")
    return root


CONFIG_DIR = data_dir()
DEFAULT_CATALOGUE = CONFIG_DIR / "procedures.yaml"
CENTRES_DIR = CONFIG_DIR / "centres"
SCENARIOS_DIR = CONFIG_DIR / "scenarios"
DEFAULT_CENTRE = CENTRES_DIR / "cua-nam.yaml"


class StateDirError(Exception):
    """A folder letan must write to cannot be written (one line for the technician)."""


def state_dir() -> Path:
    """Where letan keeps its state: $LETAN_STATE_DIR, else $XDG_STATE_HOME/letan, else ~/.local/state/letan.

    An absolute path; not created here (ensure_state_dir creates and checks it)."""
    chosen = os.environ.get(STATE_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    xdg = os.environ.get("XDG_STATE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is invalid and ignored
        return Path(xdg) / "letan"
    return Path.home() / ".local" / "state" / "letan"


def writable_dir(folder: Path, what: str = "folder") -> Path:
    """Create `folder` (with its parents) and check that a file can be written in it; StateDirError naming it
    otherwise. Holds for root too (a folder under a regular file, a read-only file system)."""
    import tempfile  # here: light commands start fast

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".letan-write-check-"):
            pass
    except OSError as error:
        why = error.strerror or type(error).__name__
        hint = f"; set {STATE_ENV} to a writable folder" if what == "state directory" else ""
        raise StateDirError(f"{what} {folder} is not writable ({why}){hint}") from None
    return folder


CACHE_ENV = "LETAN_CACHE_DIR"


def cache_dir() -> Path:
    """Where letan keeps what it can make again (the trained understanding model): $LETAN_CACHE_DIR, else
    $XDG_CACHE_HOME/letan, else ~/.cache/letan. Not created here."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "letan"
    return Path.home() / ".cache" / "letan"


def ensure_state_dir() -> Path:
    """The state directory, created and checked writable (StateDirError otherwise)."""
    return writable_dir(state_dir(), "state directory")


def ensure_parent(path: Path) -> Path:
    """`path` after checking that its folder is writable: the state directory when the file is in it, named so in
    the error; another folder (named in a centre file or on the command line) otherwise."""
    folder = path.parent
    state = state_dir()
    what = "state directory" if folder == state or state in folder.parents else "folder"
    writable_dir(folder, what)
    return path


def kept_run_dir(kind: str = "sim") -> Path:
    """A new folder for a kept run: <state dir>/<kind>/run-YYYYmmdd-HHMMSS-PID[-N], created."""
    import time

    base = writable_dir(state_dir() / kind, "state directory")
    stamp = f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    for n in range(1000):
        folder = base / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise StateDirError(f"state directory {base}: no free run folder name for {stamp}")
