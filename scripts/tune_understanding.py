"""Choose the classifier's settings and the thresholds of `combine` by 5-fold cross-validation on the labelled
training sentences (config/understanding/tune.yaml and every train-more*.yaml): never on the held-out sets.

    .venv/bin/python scripts/tune_understanding.py [--settings] [--without train-more2.yaml] [--misses long]

Each fold trains the classifier on the catalogue, extra.yaml and the other four folds, then scores the fold's
sentences with the lexicon and the classifier combined; the grid's best total is printed with the current one,
and the current combination's figure per style. `--without NAME` leaves a pooled file out of both the folds and
the training; `--misses STYLE` prints the held-aside sentences of that style that the current combination gets
wrong (training sentences only).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from dialogs.classifier import (
    _INCOMPLETE,
    COMBINATION,
    Combination,
    Example,
    Settings,
    TextClassifier,
    combine,
    label_of,
    read_labelled,
    training_examples,
)
from dialogs.nlu import Understander
from letan.bench.dialog import EvalItem, load_eval_set
from robot.config import load_catalogue_checked
from robot.paths import CONFIG_DIR
from robot.understander import with_situations

FOLDS = 5
# tune.yaml and every train-more*.yaml: the labelled citizens' sentences (extra.yaml and situations.yaml are
# always trained on)
POOL = ("tune.yaml", *sorted(path.name for path in (CONFIG_DIR / "understanding").glob("train-more*.yaml")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", action="store_true", help="also try a few classifier settings (slower)")
    parser.add_argument("--without", action="append", default=[], metavar="NAME",
                        help="leave this file of config/understanding/ out (folds and training)")
    parser.add_argument("--no-situations", action="store_true", help="without the cues of situations.yaml")
    parser.add_argument("--misses", metavar="STYLE", help="print the missed sentences of this style")
    args = parser.parse_args()
    training = CONFIG_DIR / "understanding"
    catalogue = load_catalogue_checked() if args.no_situations else with_situations(load_catalogue_checked(), training)
    lexicon = Understander(catalogue)
    names = [name for name in POOL if name not in args.without and (training / name).is_file()]
    pool: list[EvalItem] = [item for name in names for item in load_eval_set(Path(training / name))]
    source = [name for name in names for _ in load_eval_set(Path(training / name))]
    fixed = [e for path in sorted(training.glob("*.yaml")) if path.name not in POOL and path.name not in args.without
             for e in read_labelled(path)]
    print(f"pool: {', '.join(names)} ({len(pool)} sentences); always trained on: {len(fixed)} more")
    said = [lexicon.understand(item.text) for item in pool]
    candidates = [] if args.settings else [Settings()]
    if args.settings:
        candidates += [replace(Settings(), max_features=m) for m in (4000, 8000, 12000)]
        candidates += [replace(Settings(), sentence_weight=w) for w in (1.5, 2.0)]
        candidates += [replace(Settings(), word_weight=w) for w in (0.4, 0.8, 1.0)]
        candidates += [replace(Settings(), l2=v) for v in (3e-6, 3e-5)]
        candidates += [replace(Settings(), fragment_cap=c) for c in (40, 100)]
    grid = [Combination(lexicon_sure=a, classifier_sure=b, classifier_alone=c)
            for a, b, c in itertools.product((0.8, 0.86, 0.9, 0.95, 0.98, 1.01), (0.3, 0.4, 0.5, 0.6, 0.8),
                                             (0.2, 0.3, 0.4, 0.5))]
    grid += [replace(COMBINATION, named=a, named_sure=b)
             for a, b in itertools.product((0.7, 0.8, 0.9), (0.0, 0.5, 0.6, 0.7, 0.8, 0.9))]
    if COMBINATION not in grid:
        grid.append(COMBINATION)
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
        for c in grid:
            if (c.lexicon_sure, c.classifier_sure, c.classifier_alone) == (
                    COMBINATION.lexicon_sure, COMBINATION.classifier_sure, COMBINATION.classifier_alone):
                print(f"  named {c.named} named_sure {c.named_sure}: {scores[c]}")
        for sure in sorted({c.lexicon_sure for c in grid}):
            top = max((c for c in grid if c.lexicon_sure == sure), key=lambda c: scores[c])
            print(f"  lexicon_sure {sure}: best {scores[top]}/{len(pool)} with {top}")
        print(f"{settings}\n  current {COMBINATION}: {scores[COMBINATION]}/{len(pool)}"
              f" ({100 * scores[COMBINATION] / len(pool):.1f} %)\n  best    {best}: {scores[best]}/{len(pool)}")
        by_style: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for item, name, s, p in zip(pool, source, said, probs, strict=True):
            got = item.got(combine(s, p))
            for key in (("all files", item.style), (name, item.style)):
                by_style[key][0] += got == item.expected()
                by_style[key][1] += 1
                by_style[key][2] += item.got(s) == item.expected()
            if args.misses == item.style and got != item.expected():
                print(f"    MISS {item.text!r}\n      want {item.expected()} got {got}")
        for (name, style), (right, total, alone) in sorted(by_style.items()):
            print(f"  {name:16} {style:14} {right:4}/{total:<4} {100 * right / total:5.1f} %"
                  f"   (phrases alone {100 * alone / total:5.1f} %)")
    return 0


def _examples(item: EvalItem) -> list[Example]:
    label = label_of(item.intent, item.procedure, item.question, item.place, item.topic)
    return [] if label in _INCOMPLETE else [Example(item.text, ((label, 1.0),), sentence=True)]


if __name__ == "__main__":
    sys.exit(main())
