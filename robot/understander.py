"""The understander the application uses: the phrase lexicon with the trained classifier beside it
(dialogs/classifier.py), trained from config/understanding/ (docs/understanding.md).

Training takes a few seconds, so the trained model is kept in the cache directory (robot.paths.cache_dir), named after a
hash of everything it was trained from (the catalogue, the training files, the settings and the source of the
dialogs package): a later start with the same inputs loads it in milliseconds; any change trains anew. When
the cache directory cannot be written, the model is trained in memory only."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

import dialogs
from dialogs.catalogue import Catalogue
from dialogs.classifier import Settings, TextClassifier, build_classifier
from dialogs.nlu import Understander
from robot.paths import CONFIG_DIR, cache_dir

TRAINING_DIR = CONFIG_DIR / "understanding"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_trained: dict[str, TextClassifier] = {}


def model_key(catalogue: Catalogue, training_dir: Path, settings: Settings = Settings()) -> str:
    """A hash of everything the classifier is trained from."""
    digest = hashlib.sha256(catalogue.model_dump_json().encode())
    digest.update(repr(settings).encode())
    for path in sorted(training_dir.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for source in sorted(Path(dialogs.__file__).parent.glob("*.py")):  # features, lexicon phrases, training
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:24]


def cache_path(key: str) -> Path:
    return cache_dir() / f"understanding-{key}.npz"


def classifier_for(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> TextClassifier | None:
    """The classifier for this catalogue: shared in the process, loaded from the cache directory, or
    trained (and cached); None when there is no training data (the lexicon then works alone)."""
    if not training_dir.is_dir() or not any(training_dir.glob("*.yaml")):
        return None
    key = model_key(catalogue, training_dir)
    with _lock:
        if key not in _trained:
            _trained[key] = _load_or_train(catalogue, training_dir, key)
        return _trained[key]


def _load_or_train(catalogue: Catalogue, training_dir: Path, key: str) -> TextClassifier:
    path = cache_path(key)
    if path.is_file():
        try:
            return TextClassifier.load(path)
        except ValueError as error:
            log.warning("%s; training again", error)
    model = build_classifier(catalogue, training_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        model.save(partial)
        os.replace(partial, path)  # whole or absent, also with several processes starting at once
    except OSError as error:
        log.info("the trained understanding model is not cached (%s)", error)
    return model


def make_understander(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> Understander:
    return Understander(catalogue, classifier_for(catalogue, training_dir))
