"""Choose the classifier's settings and the thresholds of `combine` by 5-fold cross-validation on the labelled
training sentences (config/understanding/tune.yaml and train-more.yaml): never on the held-out sets.

    .venv/bin/python scripts/tune_understanding.py [--settings]

Each fold trains the classifier on the catalogue, extra.yaml and the other four folds, then scores the fold's
sentences with the lexicon and the classifier combined; the grid's best total is printed with the current one.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

from dialogs.classifier import (
    COMBINATION,
    Combination,
    Settings,
    TextClassifier,
    combine,
    read_labelled,
    training_examples,
)
from dialogs.nlu import Understander
from letan.bench.dialog import EvalItem, load_eval_set
from robot.config import load_catalogue_checked
from robot.paths import CONFIG_DIR

FOLDS = 5
POOL = ("tune.yaml", "train-more.yaml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", action="store_true", help="also try a few classifier settings (slower)")
    args = parser.parse_args()
    training = CONFIG_DIR / "understanding"
    catalogue = load_catalogue_checked()
    lexicon = Understander(catalogue)
    pool: list[EvalItem] = [item for name in POOL if (training / name).is_file()
                            for item in load_eval_set(Path(training / name))]
    fixed = [e for path in sorted(training.glob("*.yaml")) if path.name not in POOL for e in read_labelled(path)]
    said = [lexicon.understand(item.text) for item in pool]
    candidates = [] if args.settings else [Settings()]
    if args.settings:
        candidates += [replace(Settings(), max_features=m) for m in (2000, 4000, 6000, 8000)]
    grid = [Combination(lexicon_sure=a, classifier_sure=b, classifier_alone=c)
            for a, b, c in itertools.product((0.8, 0.86, 0.9, 0.95, 0.98, 1.01), (0.3, 0.4, 0.5, 0.6, 0.8),
                                             (0.2, 0.3, 0.4, 0.5))]
    for settings in candidates:
        probs: list[list[tuple[str, float]]] = [[] for _ in pool]
        for fold in range(FOLDS):
            rest = [item for i, item in enumerate(pool) if i % FOLDS != fold]
            labelled = fixed + [e for item in rest for e in _examples(item)]
            model = TextClassifier(training_examples(catalogue, labelled, settings), settings)
            for i, item in enumerate(pool):
                if i % FOLDS == fold:
                    probs[i] = model.predict(item.text)
        scores = {combination: sum(item.got(combine(s, p, combination)) == item.expected()
                                   for item, s, p in zip(pool, said, probs, strict=True)) for combination in grid}
        best = max(grid, key=lambda c: (scores[c], c == COMBINATION))
        for c in grid:
            if c.lexicon_sure == COMBINATION.lexicon_sure and c.classifier_sure == COMBINATION.classifier_sure:
                print(f"  classifier_alone {c.classifier_alone}: {scores[c]}")
        for sure in sorted({c.lexicon_sure for c in grid}):
            top = max((c for c in grid if c.lexicon_sure == sure), key=lambda c: scores[c])
            print(f"  lexicon_sure {sure}: best {scores[top]}/{len(pool)} with {top}")
        print(f"{settings}\n  current {COMBINATION}: {scores.get(COMBINATION, _score(pool, said, probs))}/{len(pool)}"
              f"\n  best    {best}: {scores[best]}/{len(pool)}")
    return 0


def _score(pool: list[EvalItem], said: list, probs: list) -> int:  # type: ignore[type-arg]
    return sum(item.got(combine(s, p)) == item.expected() for item, s, p in zip(pool, said, probs, strict=True))


def _examples(item: EvalItem) -> list:  # type: ignore[type-arg]
    from dialogs.classifier import _INCOMPLETE, Example, label_of

    label = label_of(item.intent, item.procedure, item.question, item.place, item.topic)
    return [] if label in _INCOMPLETE else [Example(item.text, ((label, 1.0),), sentence=True)]


if __name__ == "__main__":
    sys.exit(main())
