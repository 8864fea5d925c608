"""Understanding one utterance: intent, slots, confidence, from weighted phrases.

How it works (all in memory, no I/O after construction):
1. The text is normalised into tokens (dialogs.normalize): NFC, one tone placement, telex/VNI residue
   repaired, abbreviations expanded. A token typed with accents is compared with accents; a token
   typed without them is compared accent-folded (so "làm hộ chiếu" never meets "hỗ trợ").
2. Phrases (the catalogue's procedure keywords and dialogs.lexicon) are found in the tokens; a phrase
   may step over filler words ("bố tôi mới mất" ~ "bố tôi mất"). Longer phrases win where they
   overlap, so "sang tên sổ đỏ" counts for the transfer, not for the first certificate.
3. Each phrase adds its weight to the labels it stands for; a few combinations move the weight to a
   more specific procedure (birth + health card + residence -> the under-6 bundle).
4. When nothing is found, windows of the text are compared with the phrases by edit distance
   (rapidfuzz), for typing and speech-recognition slips ("khai xinh", "tạm chú").
5. The strongest intent wins; confidence grows with the evidence and shrinks with a close runner-up.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from dialogs import lexicon
from dialogs.catalogue import Catalogue
from dialogs.normalize import Token, fold, tokenize
from dialogs.understanding import Understanding

# Intents that are only believed in a short reply ("vâng", "không ạ"), never inside a longer request.
SHORT_REPLY = 4
_MAX_SKIPS = 2
_FUZZY_CUTOFF = 88.0
# Ties between intents go to the first of this order.
_ORDER = (
    "take_number", "lookup_dossier", "procedure", "unknown", "directions", "human_help", "refreshment",
    "repeat", "goodbye", "thanks", "greeting", "no", "yes",
)
_SKIP_FOLDED = frozenset(fold(word) for word in lexicon.SKIP_WORDS)
_FOLDED_NUMBERS = frozenset(fold(word) for word in lexicon.NUMBER_WORDS)
_NON_CONSUMING = ("priority",)


@dataclass(frozen=True)
class _Phrase:
    tokens: tuple[Token, ...]
    labels: tuple[tuple[str, float], ...]
    keys: tuple[str, ...] = ()

    @property
    def consuming(self) -> bool:
        return not all(label.startswith(_NON_CONSUMING) for label, _ in self.labels)


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    phrase: _Phrase
    factor: float = 1.0  # below 1 when some words only sound alike (see sound_key)


def default_weight(phrase_tokens: Sequence[Token]) -> float:
    """A plain phrase counts 2, or 3 with three syllables or more."""
    return 3.0 if len(phrase_tokens) >= 3 else 2.0


_ONSET_SOUNDS = (("ngh", "ng"), ("gh", "g"), ("tr", "ch"), ("gi", "d"), ("r", "d"), ("s", "x"), ("k", "c"))
_FINAL_SOUNDS = (("ng", "n"), ("nh", "n"), ("ch", "t"), ("c", "t"))
# A phrase heard with some words only sounding alike counts this much.
SOUND_ALIKE_FACTOR = 0.75


def sound_key(folded: str) -> str:
    """Fold the spellings that speech recognition and regional speech mix up: tr/ch, s/x, r/d/gi, -n/-ng, -t/-c."""
    for spelled, sound in _ONSET_SOUNDS:
        if folded.startswith(spelled) and len(folded) > len(spelled):
            folded = sound + folded[len(spelled):]
            break
    for spelled, sound in _FINAL_SOUNDS:
        if folded.endswith(spelled) and len(folded) > len(spelled) + 1:
            return folded[: -len(spelled)] + sound
    return folded


def _strength(score: float) -> float:
    return 1.0 - math.exp(-score / 1.5)


def _same(token: Token, expected: Token) -> bool:
    if token.accented:
        return token.text == expected.text
    return token.folded == expected.folded


def _is_skip(token: Token) -> bool:
    return token.text in lexicon.SKIP_WORDS or (not token.accented and token.folded in _SKIP_FOLDED)


def _expand(text: str) -> list[str]:
    """Expand the {family} and {child} placeholders of a phrase."""
    lists = {"{family}": lexicon.FAMILY, "{child}": lexicon.CHILD}
    out = [text]
    for key, words in lists.items():
        out = [variant.replace(key, word, 1) for variant in out for word in (words if key in variant else ("",))]
    return out


class Understander:
    """Turns a citizen's words into an Understanding. Build once; `understand` is pure and fast."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        labelled: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
        token_of: dict[tuple[str, ...], tuple[Token, ...]] = {}

        def add(text: str, label: str, weight: float) -> None:
            for variant in _expand(text):
                tokens = tokenize(variant, lexicon.ABBREVIATIONS)
                if not tokens:
                    continue
                key = tuple(token.text for token in tokens)
                token_of[key] = tokens
                value = weight or default_weight(tokens)
                labelled[key][label] = max(labelled[key].get(label, 0.0), value)

        for proc in catalogue.procedures:
            add(proc.short_name.replace(",", " "), f"procedure:{proc.id}", 0)
            for keyword in proc.keywords:
                weak = keyword.startswith("~")
                add(keyword.lstrip("~"), f"procedure:{proc.id}", 1.0 if weak else 0)
        for text, label, weight in lexicon.PHRASES:
            add(text, label, weight)

        self._by_first: dict[str, list[_Phrase]] = defaultdict(list)
        fuzzy: dict[int, list[tuple[str, _Phrase]]] = defaultdict(list)
        for key, labels in labelled.items():
            tokens = token_of[key]
            phrase = _Phrase(tokens, tuple(sorted(labels.items())), tuple(sound_key(t.folded) for t in tokens))
            self._by_first[phrase.keys[0]].append(phrase)
            folded = " ".join(token.folded for token in phrase.tokens)
            if len(phrase.tokens) >= 2 and len(folded) >= 7 and all(
                label.startswith(("procedure:", "place:", "intent:take_number", "intent:lookup"))
                for label, _ in phrase.labels
            ):
                fuzzy[len(phrase.tokens)].append((folded, phrase))
        self._fuzzy = {size: ([text for text, _ in items], [p for _, p in items]) for size, items in fuzzy.items()}

    # ----------------------------------------------------------------------------------------------
    def understand(self, text: str) -> Understanding:
        tokens = tokenize(text, lexicon.ABBREVIATIONS)
        if not tokens:
            return Understanding(intent="unknown", confidence=0.0)
        matches = self._find(tokens)
        answer = _leading_answer(tokens, matches)
        if answer is not None:
            matches = _without_self_description(matches)
        scores = self._score(matches)
        if not _has_evidence(scores):
            found = matches + self._fuzzy_find(tokens, answer.end if answer is not None else 0)
            scores = self._score(_without_self_description(found) if answer is not None else found)
        return self._decide(tokens, scores, answer)

    # ----------------------------------------------------------------------------------------------
    def _find(self, tokens: Sequence[Token]) -> list[_Match]:
        found: list[_Match] = []
        keys = [sound_key(token.folded) for token in tokens]
        for start, key in enumerate(keys):
            for phrase in self._by_first.get(key, ()):
                matched = _match_at(tokens, keys, start, phrase)
                if matched is not None and (matched[1] == 1.0 or not _is_yes_no_phrase(phrase)):
                    found.append(_Match(start, matched[0], phrase, matched[1]))
        consuming = sorted(
            (m for m in found if m.phrase.consuming), key=lambda m: (-len(m.phrase.tokens), -m.factor, m.start)
        )
        return [m for m in found if not m.phrase.consuming] + _without_overlaps(consuming, len(tokens))

    def _fuzzy_find(self, tokens: Sequence[Token], first: int = 0) -> list[_Match]:
        """Phrases found by edit distance in windows of tokens[first:]. Numbers must agree exactly:
        "bảy mươi tám tuổi" is not a slip for "bảy mươi lăm tuổi"."""
        found: list[_Match] = []
        for size, (choices, phrases) in self._fuzzy.items():
            for start in range(first, len(tokens) - size + 1):
                window = " ".join(token.folded for token in tokens[start:start + size])
                best = process.extractOne(window, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
                if best is not None:
                    phrase = phrases[best[2]]
                    if _numbers(tokens[start:start + size]) != _numbers(phrase.tokens):
                        continue
                    ratio = best[1] / 100.0
                    scaled = _Phrase(phrase.tokens, tuple((label, w * ratio) for label, w in phrase.labels))
                    found.append(_Match(start, start + size, scaled))
        found.sort(key=lambda m: -sum(w for _, w in m.phrase.labels))
        return _without_overlaps(found, len(tokens))

    def _score(self, matches: Iterable[_Match]) -> dict[str, float]:
        scores: dict[str, float] = defaultdict(float)
        sources: dict[str, set[int]] = defaultdict(set)  # label -> the matches that gave it weight
        for number, match in enumerate(matches):
            for label, weight in match.phrase.labels:
                scores[label] += weight * match.factor
                sources[label].add(number)
        # Weak cues alone (a lone "hỗ trợ") do not take part in combinations.
        present = {
            label.removeprefix("procedure:") for label, value in scores.items()
            if label.startswith("procedure:") and value >= 2
        }
        present |= {"@" + label.removeprefix("marker:") for label in scores if label.startswith("marker:")}
        for needed, target, bonus in lexicon.COMBINATIONS:
            if needed <= present and target in self.catalogue:
                labels = [f"marker:{n[1:]}" if n.startswith("@") else f"procedure:{n}" for n in needed]
                if len(set().union(*(sources[label] for label in labels))) < 2:
                    continue  # one ambiguous phrase ("mua bán đất") is not two facts
                total = sum(scores.get(f"procedure:{name}", 0.0) for name in needed if not name.startswith("@"))
                scores[f"procedure:{target}"] = max(scores[f"procedure:{target}"], total + bonus)
        return scores

    def _decide(self, tokens: Sequence[Token], scores: dict[str, float], answer: _Answer | None) -> Understanding:
        procs = sorted(
            ((label.removeprefix("procedure:"), s) for label, s in scores.items() if label.startswith("procedure:")),
            key=lambda item: -item[1],
        )
        places = sorted(
            ((label.removeprefix("place:"), s) for label, s in scores.items() if label.startswith("place:")),
            key=lambda item: -item[1],
        )
        candidates: dict[str, float] = {}
        for label, value in scores.items():
            if label.startswith("intent:"):
                candidates[label.removeprefix("intent:")] = value
        if procs:
            candidates["procedure"] = procs[0][1]
        if places:
            candidates["directions"] = places[0][1]
        if scores.get("out_of_scope") and not any(name in lexicon.TAKES_ANY_DOCUMENT for name, _ in procs):
            candidates["unknown"] = scores["out_of_scope"]
        if places and places[0][0] == "counter" and procs and _counter_number(tokens) is None:
            del candidates["directions"]  # "khai sinh ở quầy nào": a question about the procedure
        courtesies = lexicon.DECLINE_COURTESIES if answer is not None and answer.intent == "no" else ()
        if answer is not None and not _beyond_yes_no(candidates, courtesies):
            # "vâng, bác là người cao tuổi", "không, cảm ơn cháu": the opening yes/no is the answer.
            candidates = {answer.intent: scores[f"intent:{answer.intent}"]}
        elif answer is not None or _content_length(tokens) > SHORT_REPLY or (
            len(candidates) > 1 and _beyond_yes_no(candidates)
        ):
            candidates.pop("yes", None)
            candidates.pop("no", None)
        if candidates.get("yes") and candidates.get("no"):
            candidates.pop("yes" if candidates["no"] >= candidates["yes"] else "no")

        counter = _counter_number(tokens)
        alternatives = _alternatives(procs)
        address = _address(tokens, answer.end if answer is not None else 0)
        common = {"alternatives": alternatives, "address": address, "priority": _priority(tokens, scores)}
        if not candidates:
            return Understanding(intent="unknown", confidence=0.0, counter=counter, **common)  # type: ignore[arg-type]
        ranked = sorted(candidates.items(), key=lambda item: (-item[1], _ORDER.index(item[0])))
        intent, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = _strength(best) * (0.5 + 0.5 * (best - runner_up) / best)
        procedure = question = place = None
        if intent in ("procedure", "take_number", "lookup_dossier", "human_help") and procs:
            procedure = procs[0][0]
            if intent == "procedure":
                second = procs[1][1] if len(procs) > 1 else 0.0
                confidence = min(confidence, _strength(best) * (0.5 + 0.5 * (best - second) / best))
                question = _best_of(scores, "question:")
        if intent == "directions":
            place = places[0][0]
        if intent == "directions" and place != "counter":
            counter = None
        return Understanding(
            intent=intent, confidence=round(confidence, 4), procedure=procedure, question=question, place=place,
            counter=counter, **common,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class _Answer:
    """A reply that opens with yes or no and goes on ("vâng, bác là người cao tuổi")."""

    intent: str  # yes | no
    end: int  # index of the first token after the opening yes/no words


def _leading_answer(tokens: Sequence[Token], matches: Sequence[_Match]) -> _Answer | None:
    """The yes/no the utterance opens with, when more words follow; None otherwise.

    Polite particles and "ok" alone ("dạ, ...", "được rồi, ...") are not an answer, and "có ... không"
    is a question ("có chỗ ngồi không").
    """
    first = next((index for index, token in enumerate(tokens) if not _is_skip(token)), 0)
    by_start = {m.start: m for m in matches if m.phrase.consuming}
    opening = by_start.get(0) or by_start.get(first)
    if opening is None:
        return None
    intents = [label.removeprefix("intent:") for label, _ in opening.phrase.labels
               if label in ("intent:yes", "intent:no")]
    words = " ".join(token.text for token in opening.phrase.tokens)
    if len(intents) != 1 or words in lexicon.WEAK_ANSWERS:
        return None
    end = opening.end
    while end < len(tokens):  # step over more answer words and fillers: "vâng, đúng rồi, bác..."
        if end in by_start and _is_yes_no(by_start[end]):
            end = by_start[end].end
        elif _is_skip(tokens[end]):
            end += 1
        else:
            break
    if end >= len(tokens):
        return None  # a short reply: the usual rules apply
    endings = {fold(word) for word in lexicon.QUESTION_ENDINGS}
    if intents[0] == "yes" and opening.phrase.tokens[0].text == "có" and any(
        token.folded in endings for token in tokens[-2:]
    ):
        return None
    return _Answer(intents[0], end)


def _is_yes_no(match: _Match) -> bool:
    return _is_yes_no_phrase(match.phrase)


def _is_yes_no_phrase(phrase: _Phrase) -> bool:
    """A yes/no phrase: matched only exactly ("có chú" is not "có chứ")."""
    return any(label in ("intent:yes", "intent:no") for label, _ in phrase.labels)


def _without_self_description(matches: Sequence[_Match]) -> list[_Match]:
    """Drop the cues inside what the citizen says about themselves: after "vâng", "tôi là người khuyết
    tật" describes them (priority), it does not ask for the disability procedure."""
    described = [m for m in matches if not m.phrase.consuming]
    return [m for m in matches if not m.phrase.consuming or not any(
        m.start < d.end and d.start < m.end for d in described
    )]


def _numbers(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The number words and digits among tokens, folded."""
    words = _FOLDED_NUMBERS
    return tuple(t.folded for t in tokens if t.text.isdigit() or t.folded in words)


def _match_at(tokens: Sequence[Token], keys: Sequence[str], start: int, phrase: _Phrase) -> tuple[int, float] | None:
    """(end index, factor) of `phrase` found at `start`, stepping over a few filler words, else None.

    A word matches exactly (accents respected as typed) or, at a lower factor, by sound key; at least
    one word of the phrase must match exactly.
    """
    position, skips, exact = start, 0, 0
    for index, want in enumerate(phrase.tokens):
        while position < len(tokens) and keys[position] != phrase.keys[index]:
            if index == 0 or skips >= _MAX_SKIPS or not _is_skip(tokens[position]):
                return None
            position += 1
            skips += 1
        if position >= len(tokens):
            return None
        exact += _same(tokens[position], want)
        position += 1
    if exact == len(phrase.tokens):
        return position, 1.0
    if exact == 0:
        return None
    return position, SOUND_ALIKE_FACTOR


def _without_overlaps(ordered: Iterable[_Match], length: int) -> list[_Match]:
    """Keep matches in the given order of preference, dropping any that overlaps one already kept."""
    taken = [False] * length
    kept = []
    for match in ordered:
        if not any(taken[match.start:match.end]):
            kept.append(match)
            for index in range(match.start, match.end):
                taken[index] = True
    return kept


def _has_evidence(scores: dict[str, float]) -> bool:
    ignored = ("neutral", "priority", "marker:", "intent:yes", "intent:no")
    return any(not label.startswith(ignored) and value > 0 for label, value in scores.items())


def _beyond_yes_no(candidates: dict[str, float], also: Iterable[str] = ()) -> bool:
    """True when some candidate intent is something else than yes, no (or the intents in `also`)."""
    return any(name not in ("yes", "no", *also) for name in candidates)


def _content_length(tokens: Sequence[Token]) -> int:
    return sum(1 for token in tokens if not _is_skip(token))


def _best_of(scores: dict[str, float], prefix: str) -> str | None:
    found = [(label.removeprefix(prefix), value) for label, value in scores.items() if label.startswith(prefix)]
    if not found:
        return None
    return max(found, key=lambda item: item[1])[0]


def _alternatives(procs: Sequence[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    top = procs[:3]
    total = sum(score for _, score in top)
    return tuple((name, round(_strength(score) * score / total, 4)) for name, score in top)


def _address(tokens: Sequence[Token], start: int = 0) -> str | None:
    """The word the citizen uses for themselves: 'cho bác hỏi' -> 'bác'. `start`: where the statement begins
    (after an opening yes/no: 'vâng, bác là người cao tuổi')."""
    for index, token in enumerate(tokens):
        word = token.text if token.accented else _unique_address(token.folded)
        if word not in lexicon.ADDRESS_WORDS:
            continue
        before = tokens[index - 1].text if index else ""
        after = tokens[index + 1].text if index + 1 < len(tokens) else ""
        if before in lexicon.SELF_PREFIX and before != "cho":
            return word  # "giúp bác với"
        opening = index in (0, start) or before in lexicon.SKIP_WORDS or before in lexicon.SELF_PREFIX
        if opening and after in lexicon.SELF_VERBS:
            return word  # "bác muốn hỏi", "cho con hỏi"
    return None


_UNACCENTED_ADDRESS = {"bac": "bác", "ong": "ông", "anh": "anh", "chi": "chị", "chu": "chú", "em": "em", "chau": "cháu"}


def _unique_address(folded: str) -> str | None:
    return _UNACCENTED_ADDRESS.get(folded)


def _priority(tokens: Sequence[Token], scores: dict[str, float]) -> bool:
    if scores.get("priority"):
        return True
    return any(age >= ELDERLY_AGE for age in _ages(tokens))


ELDERLY_AGE = 70


def _ages(tokens: Sequence[Token]) -> list[int]:
    """Ages said before "tuổi": '82 tuổi', 'bảy mươi tám tuổi'."""
    ages = []
    for index, token in enumerate(tokens):
        if token.folded != "tuoi" or index == 0:
            continue
        if tokens[index - 1].text.isdigit():
            ages.append(int(tokens[index - 1].text))
            continue
        start = index
        while start > 0 and index - start < 3 and tokens[start - 1].folded in _FOLDED_NUMBERS:
            start -= 1
        number = _read_number(tokens[start:index])
        if number is not None:
            ages.append(number)
    return ages


def _counter_number(tokens: Sequence[Token]) -> int | None:
    """'quầy số 5', 'quầy năm', 'quầy số mười hai' -> the counter number."""
    for index, token in enumerate(tokens):
        if token.folded not in ("quay", "ban", "cua", "o") or (token.accented and token.text not in (
            "quầy", "bàn", "cửa", "ô",
        )):
            continue
        rest = list(tokens[index + 1:index + 4])
        if rest and rest[0].folded == "so":
            rest = rest[1:]
        number = _read_number(rest)
        if number is not None:
            return number
    return None


def _read_number(tokens: Sequence[Token]) -> int | None:
    if not tokens:
        return None
    if tokens[0].text.isdigit():
        return int(tokens[0].text)
    words = {fold(word): value for word, value in lexicon.NUMBER_WORDS.items()}
    values = []
    for token in tokens:
        value = lexicon.NUMBER_WORDS.get(token.text) if token.accented else words.get(token.folded)
        if value is None:
            break
        values.append(value)
    if not values:
        return None
    if values[0] == 10:  # mười, mười hai
        return 10 + (values[1] if len(values) > 1 and values[1] < 10 else 0)
    if len(values) > 1 and values[1] == 10:  # hai mươi, hai mươi lăm
        return values[0] * 10 + (values[2] if len(values) > 2 and values[2] < 10 else 0)
    return values[0]
