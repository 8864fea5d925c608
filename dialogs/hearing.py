"""What the robot does with a recognised utterance: act on it only when the recogniser and the lexicon support it.

A recogniser on a kiosk's microphone produces garbage with confidence (espeak-ng's voice through viet-asr is
76 % word errors; one recognition was an obscenity). So an utterance is acted on only when

- the engine's confidence, where it gives one (Vosk: the mean of its word confidences), reaches
  `min_confidence`, and
- enough of its words are words the robot knows (`min_support`): the catalogue's procedure names and
  keywords, the understander's lexicon, the dialog's own words, numbers. "cho" among garbage is not
  "chờ" (the waiting area).

Otherwise the dialog is told that nothing usable was heard (it asks again, then points to the screen). The
recognised words are never logged or published; `masked()` takes the words of `PROFANITY` out of what is
shown on the citizen's screen, and nothing the robot says repeats a citizen's words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dialogs import lexicon
from dialogs.asr import DIALOG_PHRASES, Recognition
from dialogs.catalogue import Catalogue
from dialogs.understanding import Understanding

# Vietnamese obscenities and their chat spellings (lower case, NFC). Never shown, never spoken back.
PROFANITY: frozenset[str] = frozenset({
    "địt", "đụ", "đéo", "lồn", "cặc", "buồi", "đĩ", "đm", "đcm", "dcm", "vcl", "vkl", "clgt", "cmm", "đmm",
    "dmm", "vãi lồn", "đù má", "đụ má", "địt mẹ", "con đĩ", "mẹ mày", "cút", "khốn nạn", "chó chết", "óc chó",
    "ngu", "thằng ngu", "con điếm", "điếm",
})
MASK = "…"
# Answers that are words of any sentence too: alone they answer, in a longer utterance they need company.
YES_NO: frozenset[str] = frozenset({"có", "không", "chưa", "phải", "đúng", "vâng", "dạ", "ừ"})
# Words of any request that carry nothing alone: they count when something the robot knows is also said.
FILLERS: frozenset[str] = frozenset({
    "tôi", "mình", "cho", "của", "với", "và", "là", "được", "gì", "nào", "đâu", "ở", "tới", "đến",
    "đi", "đó", "này", "kia", "làm", "muốn", "cần", "hỏi", "xin", "giúp", "em", "anh", "chị", "bác", "cháu", "ông",
    "bà", "cô", "chú", "con", "nhé", "vậy", "thế", "còn", "nữa", "thì", "ạ", "à", "ơi", "đây", "rồi", "lại", "để",
    "thủ", "tục", "cái", "bao", "nhiêu", "lâu", "mấy", "khi",
})


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def known_phrases(catalogue: Catalogue, extra: Iterable[str] = ()) -> frozenset[tuple[str, ...]]:
    """The phrases the robot can make sense of, as word tuples: procedure names and keywords, the lexicon's
    phrases (relatives and children expanded), the dialog's words, numbers, address words."""
    phrases: list[str] = [*DIALOG_PHRASES, *extra]
    for proc in catalogue.procedures:
        phrases += [proc.short_name, *proc.keywords]
    for topic in catalogue.referrals.topics:
        phrases += list(topic.keywords)
    for phrase, _label, _weight in lexicon.PHRASES:
        if "{family}" in phrase:
            phrases += [phrase.replace("{family}", f) for f in lexicon.FAMILY]
        elif "{child}" in phrase:
            phrases += [phrase.replace("{child}", c) for c in lexicon.CHILD]
        else:
            phrases.append(phrase)
    phrases += [*lexicon.NUMBER_WORDS, *lexicon.ADDRESS_WORDS, *lexicon.ABBREVIATIONS.values()]
    out = {tuple(_words(p)) for p in phrases}
    return frozenset(t for t in out if t and not any(w in PROFANITY for w in t))


def support(words: list[str], known: frozenset[tuple[str, ...]]) -> float:
    """The share of `words` that belong to a known phrase found in them; 0 when nothing but a number, forms of
    address, yes or no and fillers is known ("ba lô cho đi ngõ", "mà mù nó vì có lên của anh"), unless the
    utterance is a short answer of known words ("không ạ") or a number read out.

    Words any garble is full of count half: a filler ("ạ", "tôi", "cho") not known, and yes, no or a number word
    known alone. "bà một chó đi có năm" and "mà mù gió đi có anh" (the same espeak audio, recognised on two
    machines) are refused; "bảy mươi tám" and "không một hai" (number words in a row) or digits are a number or a
    code read out."""
    if not words:
        return 0.0
    longest = max((len(t) for t in known), default=1)
    covered = [False] * len(words)
    in_phrase = [False] * len(words)  # in a known phrase of two words or more
    core = False  # something more than a number, a form of address or a filler is known
    fillers = lexicon.SKIP_WORDS | FILLERS
    weak = fillers | set(lexicon.NUMBER_WORDS) | lexicon.ADDRESS_WORDS | YES_NO
    for size in range(1, min(longest, len(words)) + 1):
        for start in range(len(words) - size + 1):
            phrase = tuple(words[start:start + size])
            if phrase in known:
                covered[start:start + size] = [True] * size
                in_phrase[start:start + size] = [size > 1 or x for x in in_phrase[start:start + size]]
                core = core or size > 1 or phrase[0] not in weak
    numeric = [w in lexicon.NUMBER_WORDS or any(ch.isdigit() for ch in w) for w in words]
    read_out = [n and (any(ch.isdigit() for ch in w) or (i > 0 and numeric[i - 1])
                       or (i + 1 < len(words) and numeric[i + 1])) for i, (n, w) in enumerate(zip(numeric, words,
                                                                                                strict=True))]
    covered = [c or r for c, r in zip(covered, read_out, strict=True)]
    if len(words) <= 2 and all(covered):  # a short answer: "có", "không ạ", "bác"
        return 1.0
    if not (core or any(read_out)):
        return 0.0
    alone = YES_NO | lexicon.NUMBER_WORDS.keys()  # known alone, these count half
    return sum(1.0 if c and (p or r or w not in alone) else 0.5 if w in fillers or w in alone else 0.0
               for c, p, r, w in zip(covered, in_phrase, read_out, words, strict=True)) / len(words)


@dataclass(frozen=True)
class Verdict:
    """What was decided about one utterance (no words in it: it may be logged)."""

    accepted: bool
    reason: str  # ok | nothing | low_confidence | unsupported
    words: int
    confidence: float | None
    support: float  # share of the words the robot knows, 0..1

    def describe(self) -> str:
        conf = "none" if self.confidence is None else f"{self.confidence:.2f}"
        action = "acted on" if self.accepted else f"not acted on: {self.reason}"
        return f"speech: {self.words} words, confidence {conf}, {self.support:.0%} known ({action})"


def judge(result: Recognition, known: frozenset[tuple[str, ...]], min_confidence: float = 0.5,
          min_support: float = 0.6) -> Verdict:
    """Decide whether the dialog may act on a recognised utterance."""
    words = _words(result.text)
    if not words:
        return Verdict(False, "nothing", 0, result.confidence, 0.0)
    share = support(words, known)
    if result.confidence is not None and result.confidence < min_confidence:
        return Verdict(False, "low_confidence", len(words), result.confidence, share)
    if share < min_support:
        return Verdict(False, "unsupported", len(words), result.confidence, share)
    return Verdict(True, "ok", len(words), result.confidence, share)


QUICK_SURE = 0.85  # the understander's confidence that lets a partial text end an utterance early
# Intents that often open a longer sentence ("không, tôi cần khai sinh"; "cảm ơn, cho tôi hỏi..."; viet-asr hears
# espeak's "tôi muốn" as "rồi", yes): never enough to end an utterance early.
NOT_QUICK = frozenset({"unknown", "yes", "no", "greeting", "goodbye", "thanks", "repeat"})


def complete_request(text: str, known: frozenset[tuple[str, ...]], understand: Callable[[str], Understanding],
                     min_support: float = 0.6, sure: float = QUICK_SURE) -> bool:
    """Whether a streaming recogniser's partial text is already a whole request the robot would act on: words it
    can support, and a request the understander is sure of ("dù muốn lấy số" take_number 0.93, "nhà vệ sinh ở
    đâu" directions 0.93). The end-pointer then ends the utterance after a short silence instead of the long one;
    "tôi muốn" (unknown), "khai sinh" (0.74) and answers that often open a longer sentence ("có", "không",
    "cảm ơn": NOT_QUICK) keep the long wait, so a citizen pausing mid-sentence is not cut off."""
    words = _words(text)
    if not words or support(words, known) < min_support:
        return False
    understanding = understand(text).request()  # "dạ có lấy số cho tôi": a ticket request
    return understanding.intent not in NOT_QUICK and understanding.confidence >= sure


def masked(text: str) -> str:
    """The text with every profanity (word or phrase, accents or not) replaced by an ellipsis."""
    out = unicodedata.normalize("NFC", text)
    for phrase in sorted(PROFANITY, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", MASK, out, flags=re.IGNORECASE)
    return out
