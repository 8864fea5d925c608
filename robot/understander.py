"""The understander the application uses: the phrase lexicon with the two trained classifiers beside it (what is
asked for, and what a turn about a procedure asks of it: dialogs/classifier.py), trained from config/understanding/
(docs/understanding.md).

Training takes a few seconds, so each trained model is kept in the cache directory (robot.paths.cache_dir), named
after a hash of everything it was trained from (the catalogue, the training files, the settings and the source of
the dialogs package): a later start with the same inputs loads it in milliseconds; any change trains anew. When
the cache directory cannot be written, the model is trained in memory only."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import yaml

import dialogs
from dialogs.catalogue import Catalogue
from dialogs.classifier import QUESTION_SETTINGS, Settings, TextClassifier, build_classifier, build_question_classifier
from dialogs.nlu import Understander
from robot.paths import CONFIG_DIR, cache_dir

TRAINING_DIR = CONFIG_DIR / "understanding"
# Situations that lead to a procedure or a referral without naming it (issue 12, indirect speech): cues added to
# the catalogue's keywords (`with_situations`).
SITUATIONS = "situations.yaml"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_trained: dict[Path, TextClassifier] = {}


def model_key(catalogue: Catalogue, training_dir: Path, settings: Settings = Settings()) -> str:
    """A hash of everything the classifier is trained from."""
    digest = hashlib.sha256(catalogue.model_dump_json().encode())
    digest.update(repr(settings).encode())
    for path in sorted(training_dir.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for source in sorted(Path(dialogs.__file__).parent.glob("*.py")):  # features, lexicon phrases, training
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:24]


def cache_path(key: str, kind: str = "understanding") -> Path:
    return cache_dir() / f"{kind}-{key}.npz"


def classifier_for(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> TextClassifier | None:
    """The classifier for this catalogue: shared in the process, loaded from the cache directory, or
    trained (and cached); None when there is no training data (the lexicon then works alone)."""
    return _shared(catalogue, training_dir, "understanding", Settings(),
                   lambda: build_classifier(catalogue, training_dir))


def question_classifier_for(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> TextClassifier | None:
    """The classifier of what a turn about a procedure asks (dialogs.classifier.asked_question), shared, cached
    and trained like `classifier_for`."""
    return _shared(catalogue, training_dir, "questions", QUESTION_SETTINGS,
                   lambda: build_question_classifier(training_dir, QUESTION_SETTINGS))


def _shared(catalogue: Catalogue, training_dir: Path, kind: str, settings: Settings,
            build: Callable[[], TextClassifier]) -> TextClassifier | None:
    if not training_dir.is_dir() or not any(training_dir.glob("*.yaml")):
        return None
    path = cache_path(model_key(catalogue, training_dir, settings), kind)
    with _lock:
        if path not in _trained:
            _trained[path] = _load_or_train(path, kind, settings, build)
        return _trained[path]


def _load_or_train(path: Path, kind: str, settings: Settings, build: Callable[[], TextClassifier]) -> TextClassifier:
    if path.is_file():
        try:
            return TextClassifier.load(path, settings)
        except ValueError as error:
            log.warning("%s; training again", error)
    model = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        model.save(partial)
        os.replace(partial, path)  # whole or absent, also with several processes starting at once
    except OSError as error:
        log.info("the trained %s model is not cached (%s)", kind, error)
    return model


def with_situations(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> Catalogue:
    """The catalogue with the situation cues of `training_dir`/situations.yaml added to the keywords of their
    procedures and referral topics (the phrases and the classifier read them like keywords); the catalogue
    itself when there is no such file. ValueError names a procedure or topic the catalogue does not have."""
    path = training_dir / SITUATIONS
    if not path.is_file():
        return catalogue
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    procedures: dict[str, list[str]] = data.get("procedures") or {}
    topics: dict[str, list[str]] = data.get("referrals") or {}
    unknown = sorted(set(procedures) - set(catalogue.ids()))
    unknown += sorted(set(topics) - {topic.id for topic in catalogue.referrals.topics})
    if unknown:
        raise ValueError(f"{path}: no procedure or referral topic {', '.join(unknown)}")

    def more(keywords: tuple[str, ...], cues: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*keywords, *(str(cue) for cue in cues))))

    return catalogue.model_copy(update={
        "procedures": tuple(proc.model_copy(update={"keywords": more(proc.keywords, procedures.get(proc.id, []))})
                            for proc in catalogue.procedures),
        "referrals": catalogue.referrals.model_copy(update={"topics": tuple(
            topic.model_copy(update={"keywords": more(topic.keywords, topics.get(topic.id, []))})
            for topic in catalogue.referrals.topics)}),
    })


def make_understander(catalogue: Catalogue, training_dir: Path = TRAINING_DIR) -> Understander:
    """The phrases and the classifiers, all reading the catalogue with the situation cues of `training_dir`."""
    catalogue = with_situations(catalogue, training_dir)
    return Understander(catalogue, classifier_for(catalogue, training_dir),
                        question_classifier_for(catalogue, training_dir))
