"""Bench suite `dialog`: language understanding latency and accuracy on the labelled evaluation set.

The evaluation set lives in tests/data/nlu_eval.yaml (written by hand, labelled with intent,
procedure, question and place, tagged by style). An utterance counts as right only when all four
labels match exactly. The same functions serve tests/test_nlu_eval.py.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from dialogs.nlu import Understander
from robot.bench import BenchReport, median, percentile
from robot.config import load_catalogue_checked

EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "nlu_eval.yaml"
LABELS = ("intent", "procedure", "question", "place")
LATENCY_TARGET_MS = 5.0
ACCURACY_TARGET = 0.97


@dataclass(frozen=True)
class EvalItem:
    text: str
    style: str
    intent: str
    procedure: str | None = None
    question: str | None = None
    place: str | None = None
    split: str = "dev"

    def expected(self) -> tuple[str | None, ...]:
        return (self.intent, self.procedure, self.question, self.place)


@dataclass(frozen=True)
class Miss:
    item: EvalItem
    got: tuple[str | None, ...]


@dataclass(frozen=True)
class EvalResult:
    total: int
    correct: int
    by_style: dict[str, tuple[int, int]]  # style -> (correct, total)
    misses: tuple[Miss, ...]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def style_accuracy(self, style: str) -> float:
        right, count = self.by_style[style]
        return right / count


def load_eval_set(path: Path = EVAL_SET) -> list[EvalItem]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return [EvalItem(**item) for item in data["items"]]


def evaluate(understander: Understander, items: Sequence[EvalItem]) -> EvalResult:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for item in items:
        result = understander.understand(item.text)
        got = (result.intent, result.procedure, result.question, result.place)
        ok = got == item.expected()
        counts[item.style][0] += ok
        counts[item.style][1] += 1
        if not ok:
            misses.append(Miss(item, got))
    correct = sum(right for right, _ in counts.values())
    by_style = {style: (right, total) for style, (right, total) in sorted(counts.items())}
    return EvalResult(len(items), correct, by_style, tuple(misses))


def run(report: BenchReport, quick: bool) -> None:
    start = time.perf_counter()
    understander = Understander(load_catalogue_checked())
    build_ms = (time.perf_counter() - start) * 1000
    items = load_eval_set()
    texts = [item.text for item in items]

    rounds = 3 if quick else 15
    for text in texts:  # warm-up
        understander.understand(text)
    per_utterance: list[float] = []
    for _ in range(rounds):
        for text in texts:
            begin = time.perf_counter()
            understander.understand(text)
            per_utterance.append((time.perf_counter() - begin) * 1000)
    p95 = percentile(per_utterance, 95)
    report.add("understanding latency per utterance, median", median(per_utterance), "ms",
               note=f"{len(texts)} utterances x {rounds}")
    report.add("understanding latency per utterance, p95", p95, "ms", target=f"<= {LATENCY_TARGET_MS:g} ms",
               met=p95 <= LATENCY_TARGET_MS)
    report.add("understander construction", build_ms, "ms", note="once at start-up")

    overall = evaluate(understander, items)
    report.add("accuracy on the evaluation set, overall", 100 * overall.accuracy, "%",
               target=f">= {100 * ACCURACY_TARGET:g} %", met=overall.accuracy >= ACCURACY_TARGET,
               note=f"{overall.correct}/{overall.total}")
    for style, (right, total) in overall.by_style.items():
        report.add(f"accuracy, style {style}", 100 * right / total, "%", note=f"{right}/{total}")
    for split, note in (("dev", "items the lexicon was tuned on"), ("holdout", "written after tuning, never tuned on")):
        chosen = evaluate(understander, [item for item in items if item.split == split])
        report.add(f"accuracy, {split} items", 100 * chosen.accuracy, "%",
                   note=f"{chosen.correct}/{chosen.total}, {note}")
