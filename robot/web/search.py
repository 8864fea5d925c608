"""Procedure search for the screen's search box: results as the citizen types.

The text goes through the dialog's own normalisation (dialogs.normalize: telex and VNI residue repaired,
abbreviations expanded, accents folded where none were typed) and understanding (dialogs.nlu): what the
robot would understand from the words comes first, then every procedure or referral topic whose name or
keywords contain the words typed so far (the last word may be unfinished: "chung thuc ban s").
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.catalogue import Catalogue
from dialogs.lexicon import ABBREVIATIONS
from dialogs.manager import Understander
from dialogs.normalize import tokenize

MAX_RESULTS = 6
MAX_QUERY = 100  # characters looked at; the box keeps no more
UNDERSTOOD = 0.3  # what the understander found counts from this confidence on


@dataclass(frozen=True)
class Hit:
    kind: str  # procedure | referral
    id: str
    score: float


def _words(text: str) -> tuple[str, ...]:
    return tuple(token.folded for token in tokenize(text, ABBREVIATIONS))


class ProcedureSearch:
    def __init__(self, catalogue: Catalogue, understander: Understander):
        self.catalogue = catalogue
        self.understander = understander
        self._entries: list[tuple[str, str, tuple[tuple[str, ...], ...]]] = []
        for proc in catalogue.procedures:
            texts = (proc.short_name, proc.name, *(k.lstrip("~") for k in proc.keywords))
            self._entries.append(("procedure", proc.id, tuple(w for w in map(_words, texts) if w)))
        for topic in catalogue.referrals.topics:
            texts = (topic.name, *topic.keywords)
            self._entries.append(("referral", topic.id, tuple(w for w in map(_words, texts) if w)))

    def find(self, text: str) -> list[Hit]:
        text = text[:MAX_QUERY]
        query = _words(text)
        if not query:
            return []
        scores: dict[tuple[str, str], float] = {}
        understood = self.understander.understand(text)
        if understood.procedure and understood.procedure in self.catalogue and understood.confidence >= UNDERSTOOD:
            scores[("procedure", understood.procedure)] = 2.0 + understood.confidence
        # the classifier's guesses on a fragment ("khai s") that understood nothing do not outrank the names typed
        alternatives = understood.alternatives if understood.intent != "unknown" else ()
        for name, score in alternatives:
            if name in self.catalogue and score >= UNDERSTOOD:
                key = ("procedure", name)
                scores[key] = max(scores.get(key, 0.0), 1.0 + score)
        if understood.intent == "referral" and understood.topic:
            scores[("referral", understood.topic)] = 2.0 + understood.confidence
        for kind, ident, phrases in self._entries:
            best = max((_overlap(query, words) for words in phrases), default=0.0)
            if best >= 0.5:
                key = (kind, ident)
                scores[key] = max(scores.get(key, 0.0), best)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        return [Hit(kind, ident, score) for (kind, ident), score in ranked[:MAX_RESULTS]]


def _overlap(query: tuple[str, ...], words: tuple[str, ...]) -> float:
    """Share of the query's words found in `words` (the last query word may be the start of one), with a
    small bonus when the phrase is covered well; 0 when nothing matches."""
    found = 0
    for index, word in enumerate(query):
        last = index == len(query) - 1
        if word in words or (last and len(word) >= 2 and any(w.startswith(word) for w in words)):
            found += 1
    if not found:
        return 0.0
    return found / len(query) + 0.1 * found / len(words)
