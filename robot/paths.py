"""Where the project's own files are."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_CATALOGUE = CONFIG_DIR / "procedures.yaml"
CENTRES_DIR = CONFIG_DIR / "centres"
SCENARIOS_DIR = CONFIG_DIR / "scenarios"
DEFAULT_CENTRE = CENTRES_DIR / "cua-nam.yaml"
