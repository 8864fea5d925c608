"""The understander the application uses: the phrase lexicon with the trained classifier beside it
(dialogs/classifier.py), trained once per process from config/understanding/ (docs/understanding.md)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from dialogs.catalogue import Catalogue
from dialogs.classifier import TextClassifier, build_classifier
from dialogs.nlu import Understander
from robot.paths import CONFIG_DIR

TRAINING_DIR = CONFIG_DIR / "understanding"

_lock = threading.Lock()
_trained: dict[tuple[str, str], TextClassifier] = {}


def classifier_for(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> TextClassifier | None:
    """The classifier for this catalogue, trained on first use (about a second) and shared afterwards; None
    when there is no training data (the lexicon then works alone)."""
    if not training_dir.is_dir() or not any(training_dir.glob("*.yaml")):
        return None
    key = (str(training_dir), hashlib.sha256(catalogue.model_dump_json().encode()).hexdigest())
    with _lock:
        if key not in _trained:
            _trained[key] = build_classifier(catalogue, training_dir)
        return _trained[key]


def make_understander(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> Understander:
    return Understander(catalogue, classifier_for(catalogue, training_dir))
