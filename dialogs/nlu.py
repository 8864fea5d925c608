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

import functools
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from dialogs import lexicon
from dialogs.catalogue import Catalogue
from dialogs.classifier import (
    COMBINATION,
    TextClassifier,
    asked_question,
    combine,
    meaning,
    procedure_shares,
    question_text,
    written_out,
)
from dialogs.normalize import Token, fold, is_syllable, tokenize
from dialogs.understanding import (
    INTENTS,
    ITEMS,
    PLACES,
    QUESTIONS,
    Place,
    Question,
    Understanding,
    known,
    one_of,
)

# Intents that are only believed in a short reply ("vâng", "không ạ"), never inside a longer request.
SHORT_REPLY = 4
_MAX_SKIPS = 2
_FUZZY_CUTOFF = 88.0
# Ties between intents go to the first of this order.
_ORDER = (
    "take_number", "lookup_dossier", "procedure", "referral", "unknown", "directions", "human_help", "refreshment",
    "centre_hours", "question", "repeat", "goodbye", "thanks", "greeting", "no", "yes",
)
_TAKES_PROCEDURE = ("take_number", "lookup_dossier", "human_help")
# What a procedure still counts once a combination made it the object of another ("chứng thực bản sao giấy
# khai sinh": khai sinh is what is copied).
OBJECT_FACTOR = 0.5
_SKIP_FOLDED = frozenset(fold(word) for word in lexicon.SKIP_WORDS)
_FOLDED_NUMBERS = frozenset(fold(word) for word in lexicon.NUMBER_WORDS)
_FOLDED_QUESTION_ENDINGS = frozenset(fold(word) for word in lexicon.QUESTION_ENDINGS)
TICKET_IN_HAND = "marker:ticket_in_hand"  # "tôi lấy số rồi" (Understanding.holds_ticket)
MY_TURN = "marker:my_turn"  # "bao giờ tới lượt tôi" (Understanding.asks_turn)
_ASKING = frozenset({"cho", "de", "giup", "gium", "xin"})  # before who takes a ticket: a request ("cho tôi lấy số")
_COMERS_FOLDED = frozenset(fold(word) for word in lexicon.COMERS)
_NON_CONSUMING = ("priority", "urgent", "day:", "follow", "item:", MY_TURN)  # "urgent" and "urgent_now"
# The most confidence a procedure heard only by sound or by spelling distance gets (under the dialog's
# default threshold, so it asks "... phải không ạ?").
INEXACT_CONFIDENCE = 0.55
# Longer input is cut: nobody says more in one turn, and understanding stays fast.
MAX_CHARS = 600
# Below this score a procedure was heard from weak cues only: a follow-up question stays a question.
WEAK_PROCEDURE = 2.0
# A clause of a turn counts as a request of its own from this confidence.
CLAUSE_CONFIDENCE = 0.5
# A ticket asked with what for only hinted: the rest of the turn is read for the procedure from this many syllables
TICKET_HINT_SYLLABLES = 4
# In a turn of this many syllables or more (a story) a clause is a request of its own only when it asks ("... ở
# đây có kẹo không?"); the story's other clauses ("ngồi chờ từ nãy giờ", "thằng cu nhà em ba tuổi") are read
# with the whole turn.
STORY_CLAUSE_SYLLABLES = 20
# Courtesies are not requests of their own beside a request ("..., mà tiện thể cho tôi hỏi ...": "mà" read as
# thanks): the robot is polite in every answer.
_COURTESIES = frozenset({"greeting", "thanks"})
# Share of accented words from which a text counts as typed with accents: its unaccented words are then
# taken as typed ("quay lại" is not "quầy", "cho" is not "chờ").
ACCENTED_TEXT = 0.5


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
    exact: bool = True  # False when found by sound or by edit distance: worth a confirming question


_SPEAKER = frozenset({"toi", "tui", "minh", "bac", "em", "chau", "la", "con"})
_SOMEONE_ELSE = frozenset({"con", "vo", "chong", "bo", "me", "cha", "ong", "ba", "anh", "chi", "nha", "chau", "em",
                           "ma", "ban", "chu", "co", "di", "cau", "thim", "mo", "duong", "u", "bu", "tia"})


# Verbs between the speaker and what describes them ("tôi đi xe lăn", "bác phải chống gậy"), compared as written
# when typed with accents ("dì" is not "đi"); with them, the words that chain two descriptions ("tôi là người khuyết
# tật, đi xe lăn"; not "với", "cùng người": "đi cùng người khuyết tật" tells of a companion).
_DESCRIPTION_VERBS = frozenset({"đi", "ngồi", "phải", "đang", "vẫn", "cũng", "bị", "lại"})
_DESCRIPTION_CHAIN = _DESCRIPTION_VERBS | {"và", "là", "rất", "hơi", "nên", "vì", "mà", "thì"}


def _one_of(token: Token, words: frozenset[str]) -> bool:
    """Whether the token is one of `words` (accented): as written when typed with accents, else folded."""
    return token.text in words if token.accented else token.folded in _folded(words)


@functools.cache
def _folded(words: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


def _speaker_description(tokens: Sequence[Token], start: int) -> int | None:
    """Where the description at `start` begins, with the verbs before it ("tôi [đi] xe lăn", "bác [phải] chống
    gậy"), when it describes the speaker ("tôi bị khuyết tật", "bác già rồi", "tôi là người cao tuổi"); None
    when it describes someone else ("con tôi bị khuyết tật", "bà nhà tôi bị liệt", "má tôi đi xe lăn")."""
    while start > 0 and _one_of(tokens[start - 1], _DESCRIPTION_VERBS):
        start -= 1
    if start == 0:
        return start
    before = [token.folded for token in tokens[max(0, start - 3):start]]
    if before[-1] not in _SPEAKER:
        return None
    if any(word in _SOMEONE_ELSE for word in before[:-1]) or (
            before[-1] == "la" and len(before) >= 2 and before[-2] not in _SPEAKER):
        return None
    return start


def default_weight(phrase_tokens: Sequence[Token]) -> float:
    """A plain phrase counts 2, or 3 with three syllables or more."""
    return 3.0 if len(phrase_tokens) >= 3 else 2.0


_ONSET_SOUNDS = (
    ("ngh", "ng"), ("gh", "g"), ("tr", "ch"), ("gi", "d"), ("r", "d"), ("s", "x"), ("k", "c"), ("l", "n"),
)
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

    def __init__(self, catalogue: Catalogue, classifier: TextClassifier | None = None,
                 questions: TextClassifier | None = None) -> None:
        self.catalogue = catalogue
        self.classifier = classifier  # a trained model beside the phrases (dialogs.classifier), optional
        # ... and one of what a turn about a procedure asks of it, used with the first (dialogs.classifier)
        self.questions = questions
        # the age rule needs both the ward's căn cước for children and the referral for adults
        self._id_cards = CHILD_ID_CARD in catalogue and \
            ADULT_ID_CARD in {topic.id for topic in catalogue.referrals.topics}
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
        for topic in catalogue.referrals.topics:
            for keyword in topic.keywords:
                add(keyword, f"referral:{topic.id}", 4)

        self._by_first: dict[str, list[_Phrase]] = defaultdict(list)
        fuzzy: dict[int, list[tuple[str, _Phrase]]] = defaultdict(list)
        for key, labels in labelled.items():
            tokens = token_of[key]
            phrase = _Phrase(tokens, tuple(sorted(labels.items())), tuple(sound_key(t.folded) for t in tokens))
            self._by_first[phrase.keys[0]].append(phrase)
            folded = " ".join(token.folded for token in phrase.tokens)
            if len(phrase.tokens) >= 2 and len(folded) >= 7 and all(
                label.startswith(("procedure:", "place:", "intent:take_number", "intent:lookup", "referral:"))
                for label, _ in phrase.labels
            ):
                fuzzy[len(phrase.tokens)].append((folded, phrase))
        self._fuzzy = {size: ([text for text, _ in items], [p for _, p in items]) for size, items in fuzzy.items()}

    # ----------------------------------------------------------------------------------------------
    def understand(self, text: str) -> Understanding:
        """What one turn asks (the whole of it: an emergency is read here, never in a clause of it)."""
        return self._read(text, whole_turn=True)

    def _read(self, text: str, whole_turn: bool) -> Understanding:
        tokens, starts, marked = _clause_tokens(text[:MAX_CHARS])
        if not tokens:
            return Understanding(intent="unknown", confidence=0.0)
        matches = _without_some_of(self._find(tokens), tokens, starts)
        answer = _leading_answer(tokens, matches, starts)
        described = _described(tokens, matches)
        # only who the speaker is ("Tôi là người khuyết tật đi xe lăn"): a priority, not the disability procedure
        only_described = _only_described(tokens, described)
        if answer is not None or only_described:
            matches = _without_self_description(matches)
            if answer is not None:
                matches = _without_told_places(tokens, matches, starts, marked)
        elif described:
            # "tôi bị khuyết tật, cho tôi lấy số chứng thực": the disability named in who the speaker is, not asked
            matches = [m for m in matches if not m.phrase.consuming or not described.issuperset(range(m.start, m.end))]
        matches, negation = _negated(tokens, matches, starts)
        scores = self._score(matches)
        if not _has_evidence(scores) and answer is None:
            # words read exactly ("xin cho tôi hỏi", "đã có số thứ tự": neutral) are not read again by edit
            # distance ("xin cho tôi số", "số thứ tự": a ticket); nor the words after an opening yes or no ("Có,
            # lấy cho tôi đi" is no "chỉ tôi đi", "Dạ có, lấy nha" no "lấy nhau")
            read = {i for m in matches if m.phrase.consuming for i in range(m.start, m.end)}
            found = matches + [m for m in _without_some_of(self._fuzzy_find(tokens), tokens, starts)
                               if not read.intersection(range(m.start, m.end))]
            found, more = _negated(tokens, found, starts)
            negation = negation.merged(more)
            matches = _without_self_description(found) if only_described else found
            scores = self._score(matches)
        everywhere = scores  # which item the turn names, in any clause
        unscoped = matches  # the places named where they are asked about (_place_named), in any clause
        matches = _question_scope(tokens, matches, starts, marked)
        scores = self._score(matches)
        exact = {label for match in matches if match.exact for label, _ in match.phrase.labels}
        result = self._decide(tokens, scores, answer, negation, found_in_order(matches), starts)
        if result.procedure is not None and f"procedure:{result.procedure}" not in exact and \
                result.intent in ("procedure", "take_number"):
            # "chứng thựt bản xao", "kai tử": heard only by sound or spelling distance; the dialog confirms
            result = replace(result, confidence=min(result.confidence, INEXACT_CONFIDENCE))
        if self.classifier is None or all(_is_skip(token) or token.text in lexicon.SAYS_NOTHING for token in tokens) \
                or only_described:
            # fillers alone ("ờ thì", "à thì": a hesitation; "tôi muốn", "cho em hỏi": the request is still to come),
            # or only who the speaker is ("tôi đi xe lăn"): nothing for the classifier to read (it heard a yes, a
            # will, a parking place in "xe")
            return self._finished(_looked_up(result, tokens, starts), answer, tokens, starts, matches, whole_turn,
                                   unscoped)
        # Who the citizen is ("tôi bị khuyết tật, ...", "tôi là người cao tuổi, ...") is not what they came for:
        # the classifier reads the turn without the words that described them, and its length is the rest's ("tôi
        # đang mang thai, cho tôi lấy số khai sinh" is no story in which a weak procedure gives way)
        asked = " ".join(t.text for i, t in enumerate(tokens) if i not in described) if described else text
        # the yes or no the turn opens with, unless a later clause ends with a question mark ("Không em ạ, chị chưa
        # lấy số vội, ..., khai sinh cho con cần mang theo những giấy gì?"): then the turn is the question. Not any
        # clause with a question word: "bà không biết gì đâu", "chờ bao lâu cũng được" ask nothing.
        opens_with = answer.intent if answer is not None and not any(start > 0 for start in marked) else None
        combined = combine(result, self.classifier.predict(asked), syllables=len(tokens) - len(described),
                           opens_with=opens_with)
        if combined.intent == "procedure" and not combined.questions and result.intent != "procedure":
            # the classifier named the procedure the phrases missed ("... tạm vắng ..., có cần giấy xác nhận của
            # bệnh viện không?" read as out of scope): the question the phrases heard is still the question
            heard = tuple(dict.fromkeys(one_of(QUESTIONS, label.removeprefix("question:"))
                                        for label in found_in_order(matches) if label.startswith("question:")))
            if heard:
                combined = replace(combined, question=heard[0], questions=heard)
        if combined.intent != result.intent and combined.intent in ("refreshment", "centre_hours"):
            # the classifier heard water asked in a story the phrases read as the way to the waiting area ("ngồi đợi
            # ... cho chị xin chai nước") or as the procedure it tells of ("Tui làm cái tạm trú xong rồi, ... cho tui
            # xin một chai nước suối đi": the clause that names the procedure keeps only its own cues): which item
            # (or day) is still the phrases' to read, the item in the whole turn
            refreshment = combined.intent == "refreshment"
            item = (known(ITEMS, _best_of(everywhere, "item:")) or combined.item) if refreshment else None
            combined = replace(combined, item=item,
                               day=None if refreshment else _best_of(scores, "day:"))
        combined = _looked_up(combined, tokens, starts, result.procedure)
        if combined.intent == "take_number" and combined.procedure is None and answer is None:
            # a procedure named for the ticket in so many words stays, whatever the classifier read in the story
            named = _ticket_named(tokens, matches, starts)
            if named is not None and named in self.catalogue and named not in combined.rejected:
                combined = replace(combined, procedure=named)
            else:
                combined = self._ticket_for(combined, tokens, matches, described)
        if self.questions is not None and combined.intent == "procedure":
            combined = asked_question(combined, self.questions.predict(question_text(asked)),
                                      asked_at_end=_question_at_end(tokens, matches, starts, marked),
                                      syllables=len(tokens) - len(described))
        return self._finished(combined, answer, tokens, starts, matches, whole_turn, unscoped)

    def _ticket_for(self, ticket: Understanding, tokens: Sequence[Token], matches: Sequence[_Match],
                    described: set[int]) -> Understanding:
        """A ticket asked in a turn that only hints what for ("Robot lấy số cho em, em muốn đổi tên đệm của con",
        "bốc giùm em cái số, mai em đi làm mùa vụ trên Đắk Lắk tới tết mới về"): the ticket's words weigh so much
        in the whole turn that the classifier reads a ticket and nothing more; read without them, the rest names
        the procedure. Given only when the classifier is fairly sure, at a confidence the dialog confirms
        ("ông bà muốn lấy số ... phải không ạ?") rather than acts on."""
        assert self.classifier is not None
        if any(label in (MY_TURN, TICKET_IN_HAND) for m in matches for label, _ in m.phrase.labels):
            return ticket  # "còn mấy người nữa thì tới lượt tôi", "tôi lấy số rồi ...": about a ticket held, no new one
        asked = {i for m in matches if _asks_ticket(m.phrase)
                 for i in range(m.start, m.end)}
        rest_tokens = [t for i, t in enumerate(tokens) if i not in asked and i not in described]
        rest = [t.text for t in rest_tokens]
        if len(rest) < TICKET_HINT_SYLLABLES or _only_age(_without_priority(rest_tokens)):
            return ticket  # "bà bảy mươi chín tuổi rồi, cho bà lấy cái số ưu tiên": the age asks for priority only
        label, p = next(((label, p) for label, p in self.classifier.predict(" ".join(rest))
                         if meaning(label).procedure not in ticket.rejected), ("unknown", 0.0))
        procedure = meaning(label).procedure
        if procedure is None or procedure not in self.catalogue or p < COMBINATION.ticket_hint:
            procedure = self._ticket_told(" ".join(t.text for i, t in enumerate(tokens) if i not in described),
                                          ticket.rejected)
            if procedure is None:
                return ticket
        return replace(ticket, procedure=procedure, confidence=min(ticket.confidence, INEXACT_CONFIDENCE))

    def _ticket_told(self, text: str, rejected: Sequence[str]) -> str | None:
        """The procedure the classifier hears beside a ticket in the whole turn, when it hears one more than all the
        others together (`Combination.ticket_told`): "Bấm cho tôi một cái vé xếp hàng, tôi đi xin giấy không tiền
        án cho thằng con" reads as a ticket, and lý lịch tư pháp far before any other procedure."""
        assert self.classifier is not None
        heard = {procedure: p for procedure, p in procedure_shares(
            self.classifier.predict(text, top=len(self.classifier.labels))).items()
            if procedure in self.catalogue and procedure not in rejected}
        if not heard:
            return None
        best, mass = max(heard.items(), key=lambda item: item[1])
        return best if mass >= COMBINATION.ticket_told and mass >= COMBINATION.ticket_told_share * sum(heard.values()) \
            else None

    def _finished(self, understood: Understanding, answer: _Answer | None, tokens: Sequence[Token],
                  starts: frozenset[int], matches: Sequence[_Match], whole_turn: bool,
                  unscoped: Sequence[_Match] = ()) -> Understanding:
        """The last steps of every reading: a ticket asked for a procedure, a yes that asks for the ticket, a căn
        cước by the age said, and (for a whole turn) an emergency."""
        if understood.intent == "procedure" and understood.questions == ("counter",) and \
                _where_to_ticket(tokens, matches):
            # "Tôi đến làm thẻ có ảnh cho thằng bé 10 tuổi, lấy số ở đâu vậy": where to get the ticket, asking for it
            understood = replace(understood, question=None, questions=())
        if understood.intent == "procedure" and understood.procedure and not understood.questions and \
                answer is None and _ticket_asked(tokens, matches, starts):
            # "lấy số khai tử cho bác với, ông nhà mất hôm qua", "..., giờ tôi ra làm giấy khai tử cho ông ấy. Cô cho
            # tôi xin số thứ tự ạ": a ticket asked for before the procedure is named, or in the last clause, is the
            # request, and the procedure what it is for
            understood = replace(understood, intent="take_number")
        understood = self._id_card_by_age(_yes_with_ticket(understood, answer, tokens), tokens, starts)
        understood = _place_named(understood, tokens, starts, unscoped or matches)
        if understood.procedure is None and understood.intent in ("no", "take_number", "unknown") and \
                _holds_ticket(tokens, unscoped or matches):
            # "mình lấy số thứ tự rồi", "tôi lấy số rồi mà chưa thấy gọi": no second ticket; the dialog says how
            # to follow the turn
            understood = replace(understood, intent="no", holds_ticket=True)
        if understood.procedure is None and _asks_turn(tokens, unscoped or matches):
            understood = replace(understood, asks_turn=True)
        return _urgent(understood, tokens, starts, matches) if whole_turn else understood

    def _id_card_by_age(self, result: Understanding, tokens: Sequence[Token],
                        starts: frozenset[int] = frozenset()) -> Understanding:
        """A căn cước for someone whose age was said: the ward's for a child under 14, the police's (a referral)
        from 14 ("làm căn cước cho tôi, tôi 45 tuổi", "căn cước cho bé 5 tuổi"); neither the phrases nor a bag of
        n-grams read the number. Ages on both sides of 14, a bound ("dưới 14 tuổi") and the speaker's own age ("tôi
        35 tuổi") leave it as it was."""
        child = result.intent == "procedure" and result.procedure == CHILD_ID_CARD
        adult = result.intent == "referral" and result.topic == ADULT_ID_CARD
        ages = _holder_ages(tokens, starts)
        if not (child or adult) or not ages or not self._id_cards:
            return result
        if child and min(ages) >= ID_CARD_ADULT_AGE:
            return replace(result, intent="referral", procedure=None, topic=ADULT_ID_CARD, question=None,
                           questions=(), alternatives=())
        if adult and max(ages) < ID_CARD_ADULT_AGE:
            return replace(result, intent="procedure", procedure=CHILD_ID_CARD, topic=None, alternatives=())
        return result

    def understand_turn(self, text: str) -> tuple[Understanding, ...]:
        """Every request of one turn, in order ("khai tử cần giấy gì, với lại chỗ vệ sinh ở đâu" -> the
        procedure with its question, then directions). One item when the turn asks one thing. A yes that asks for
        the ticket is that ticket request here ("dạ có lấy cho tôi một số với lại nhà vệ sinh ở đâu": two requests)."""
        whole = self.understand(text).request()
        clauses = split_clauses(text[:MAX_CHARS])
        if len(clauses) < 2 or whole.urgent:
            return (whole,)  # an emergency is the whole turn's only request
        last = self._read(clauses[-1], whole_turn=False)
        if last.intent == "no" and whole.intent in ("yes", "take_number"):
            return (replace(last, address=whole.address, robot_address=whole.robot_address),)  # "ừ, à mà thôi"
        story = len(_clause_tokens(text[:MAX_CHARS])[0]) >= STORY_CLAUSE_SYLLABLES
        if story and whole.intent in ("yes", "no"):
            return (whole,)  # "Hừm, lấy số hả, thôi khỏi đi em, ...": the story's answer, not its clauses'
        parts: list[Understanding] = []
        for clause in clauses:
            clause_tokens = _clause_tokens(clause)[0]
            if whole.intent != "unknown" and (_only_age(clause_tokens) or _only_described(
                    clause_tokens, _described(clause_tokens, self._find(clause_tokens)))):
                # "Tôi là người khuyết tật đi xe lăn, cho tôi xin một số": the ticket, not the parking; "tôi 65
                # tuổi rồi cho tôi lấy số": the ticket, not a căn cước for the age said
                continue
            part = self._read(clause, whole_turn=False).request()
            if (part.intent in ("unknown", "yes") or part.confidence < CLAUSE_CONFIDENCE) and not (
                    part.asks_turn and not story):
                continue  # but "cho tôi xin cốc nước, còn mấy người nữa thì tới lượt tôi" asks two things
            if story and not _same_request(part, whole) and not _clause_asks(text, clause) \
                    and not self._wants(clause, part):
                continue
            if parts and part.intent == "question" and parts[-1].intent in ("procedure", "question"):
                last = parts[-1]  # "khai tử cần giấy gì, hết bao nhiêu tiền": one procedure, two questions
                questions = tuple(dict.fromkeys((*last.questions, *part.questions)))
                parts[-1] = replace(last, questions=questions, question=questions[0] if questions else None)
                continue
            if parts and _same_request(parts[-1], part):
                continue
            parts.append(part)
        if any(p.intent not in ("yes", "no") for p in parts):
            parts = [p for p in parts if p.intent not in ("yes", "no")]  # "không phải X, tôi cần Y"
        if any(p.intent not in _COURTESIES and p.intent != "goodbye" for p in parts):
            parts = [p for p in parts if p.intent not in _COURTESIES]  # beside a request; "chào em nhé, cảm ơn" stays
            if whole.intent in _COURTESIES and len(parts) == 1 and (parts[0].questions or parts[0].intent in (
                    "take_number", "directions", "refreshment", "lookup_dossier", "human_help", "centre_hours")) \
                    and not _says_done(_clause_tokens(text[:MAX_CHARS])[0]):
                # "cảm ơn cháu, cho bác hỏi lệ phí khai tử": the request, where a bag of n-grams hears the thanks
                return (replace(parts[0], address=whole.address, robot_address=whole.robot_address),)
        if story and parts and whole.intent != "unknown" and not any(_same_request(p, whole) for p in parts):
            parts.insert(0, whole)  # what the story asks for, then what a clause of it asks
        if whole.intent == "procedure" and {p.procedure for p in parts if p.procedure} <= {whole.procedure}:
            parts = _asked_as_a_whole(parts, whole)
        # "lấy số khai tử cho bác với, ông nhà mất hôm qua": the procedure a clause tells of is the ticket's, asked
        # once (a question about it is still answered: "lấy số khai tử, cần giấy gì"); "bà muốn gia hạn tạm trú cho
        # thằng cháu, cháu cho bà bốc một số nha": the ticket the clause asks for is the whole turn's, for gia hạn
        if whole.intent == "take_number" and whole.procedure:
            parts = [replace(p, procedure=whole.procedure) if p.intent == "take_number" and not p.procedure else p
                     for p in parts]
        tickets = {p.procedure for p in parts if p.intent == "take_number" and p.procedure}
        parts = [p for p in parts if not (p.intent == "procedure" and p.procedure in tickets and not p.questions)]
        actionable = {(p.intent, p.procedure, p.place, p.topic) for p in parts}
        if len(parts) < 2 or len(actionable) < 2 or len({p.intent for p in parts}) < 2:
            return (whole,)
        common = {"address": whole.address, "robot_address": whole.robot_address, "priority": whole.priority,
                  "rejected": whole.rejected}
        return tuple(replace(part, **common) for part in parts)  # type: ignore[arg-type]

    def _wants(self, clause: str, part: Understanding) -> bool:
        """A clause of a story in which the citizen says they want a procedure by its name ("Tôi muốn đăng ký khai
        tử cho bà nhà tôi, mà tiện thể cho tôi hỏi nhà vệ sinh ở đâu?"): a request of its own, like a clause that
        asks. A procedure only mentioned ("con tôi đã làm khai sinh rồi"), given up ("tôi định đăng ký kết hôn nhưng
        chưa đủ tuổi nên thôi") or read by the classifier alone ("thằng cu nhà em ba tuổi") is not."""
        if part.intent != "procedure" or part.procedure is None:
            return False
        tokens = _clause_tokens(clause)[0]
        wants = next((index for index, token in enumerate(tokens) if token.text in lexicon.WANTING), None)
        if wants is None or any(token.text in lexicon.NEGATORS for token in tokens):
            return False  # "Tôi định đăng ký kết hôn nhưng chưa đủ tuổi nên thôi, ..."
        label = f"procedure:{part.procedure}"
        return any(match.exact and match.start > wants and any(name == label for name, _ in match.phrase.labels)
                   for match in self._find(tokens))

    # ----------------------------------------------------------------------------------------------
    def _find(self, tokens: Sequence[Token]) -> list[_Match]:
        found: list[_Match] = []
        keys = [sound_key(token.folded) for token in tokens]
        for start, key in enumerate(keys):
            following = _following_keys(tokens, keys, start)
            for phrase in self._by_first.get(key, ()):
                if len(phrase.keys) > 1 and phrase.keys[1] not in following:
                    continue  # what _match_at would find at once, without the call (most phrases, in a long turn)
                matched = _match_at(tokens, keys, start, phrase)
                if matched is not None and (matched[1] == 1.0 or not _is_yes_no_phrase(phrase)):
                    found.append(_Match(start, matched[0], phrase, matched[1], exact=matched[1] == 1.0))
        consuming = sorted(
            (m for m in found if m.phrase.consuming), key=lambda m: (-len(m.phrase.tokens), -m.factor, m.start)
        )
        return [m for m in found if not m.phrase.consuming] + _without_overlaps(consuming, len(tokens))

    def _fuzzy_find(self, tokens: Sequence[Token]) -> list[_Match]:
        """Phrases found by edit distance in windows of tokens. Numbers must agree exactly:
        "bảy mươi tám tuổi" is not a slip for "bảy mươi lăm tuổi"."""
        found: list[_Match] = []
        for size, (choices, phrases) in self._fuzzy.items():
            for start in range(len(tokens) - size + 1):
                window = " ".join(token.folded for token in tokens[start:start + size])
                best = process.extractOne(window, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
                if best is not None:
                    phrase = phrases[best[2]]
                    if _numbers(tokens[start:start + size]) != _numbers(phrase.tokens) or any(
                            _a_book(tokens, start + at, want) for at, want in enumerate(phrase.tokens)) or \
                            _another_paper(tokens, start + size, phrase):
                        continue
                    ratio = best[1] / 100.0
                    scaled = _Phrase(phrase.tokens, tuple((label, w * ratio) for label, w in phrase.labels))
                    found.append(_Match(start, start + size, scaled, exact=False))
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
        objects: set[str] = set()
        for needed, target, bonus in lexicon.COMBINATIONS:
            if needed <= present and target in self.catalogue:
                labels = [f"marker:{n[1:]}" if n.startswith("@") else f"procedure:{n}" for n in needed]
                if len(set().union(*(sources[label] for label in labels))) < 2:
                    continue  # one ambiguous phrase ("mua bán đất") is not two facts
                total = sum(scores.get(f"procedure:{name}", 0.0) for name in needed if not name.startswith("@"))
                scores[f"procedure:{target}"] = max(scores[f"procedure:{target}"], total + bonus)
                objects.update(f"procedure:{n}" for n in needed if not n.startswith("@") and n != target)
        for label in objects:  # a procedure named as the object of another one is no rival reading of it
            scores[label] *= OBJECT_FACTOR
        return scores

    def _decide(self, tokens: Sequence[Token], scores: dict[str, float], answer: _Answer | None,
                negation: _Negation | None = None, ordered: Sequence[str] = (),
                clauses: frozenset[int] = frozenset()) -> Understanding:
        negation = negation or _Negation()
        procs = sorted(
            ((label.removeprefix("procedure:"), s) for label, s in scores.items()
             if label.startswith("procedure:") and label.removeprefix("procedure:") not in negation.rejected),
            key=lambda item: -item[1],
        )
        topics = sorted(
            ((label.removeprefix("referral:"), s) for label, s in scores.items() if label.startswith("referral:")),
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
        takes_any = any(name in lexicon.TAKES_ANY_DOCUMENT for name, _ in procs)
        if scores.get("out_of_scope") and not takes_any:
            candidates["unknown"] = scores["out_of_scope"]
        if topics and not takes_any:
            # another office mentioned in a story about a procedure ("vay ngân hàng ... xin giấy độc thân")
            story = 3.0 if procs and procs[0][1] >= 3 else 0.0
            candidates["referral"] = topics[0][1] - story
        questions = [one_of(QUESTIONS, label.removeprefix("question:")) for label in ordered
                     if label.startswith("question:")]
        questions = list(dict.fromkeys(questions))
        small = ("yes", "no", "greeting", "thanks", "goodbye", "repeat")
        weak_only = bool(procs) and procs[0][1] < WEAK_PROCEDURE
        if questions and (not procs or weak_only) and not places and not topics and not scores.get("out_of_scope") \
                and all(name in small or (weak_only and name == "procedure") for name in candidates):
            # "lệ phí bao nhiêu hả em": a question about the procedure under discussion; a weak cue alone ("mỗi
            # tháng được bao nhiêu tiền") does not make it a question about another procedure
            candidates["question"] = max(scores[f"question:{q}"] for q in questions)
        if questions and procs and not _says_done(tokens):
            for name in _COURTESIES:
                # "cảm ơn em, cho hỏi lệ phí khai tử": the question is the request (not "cảm ơn em, tôi biết lệ phí
                # khai sinh bao nhiêu rồi")
                candidates.pop(name, None)
        declined = max(negation.declined, scores.get("decline", 0.0))
        if declined and all(name in ("yes", "no", "thanks", "greeting") for name in candidates):
            candidates["no"] = max(candidates.get("no", 0.0), declined)  # "tôi không cần lấy số đâu, chỉ hỏi..."
        if scores.get("follow") and _best_of(scores, "day:") and len(candidates) <= 1 and not candidates.get("no"):
            candidates["centre_hours"] = max(candidates.get("centre_hours", 0.0), 2.5)  # "thế chủ nhật thì sao"
        if places and places[0][0] == "counter" and procs and _counter_number(tokens) is None:
            del candidates["directions"]  # "khai sinh ở quầy nào": a question about the procedure
        if answer is not None and answer.intent == "yes" and declined:
            answer = None  # "dạ có, nhưng chưa lấy số vội": the decline is the answer
        courtesies = lexicon.DECLINE_COURTESIES if answer is not None and answer.intent == "no" else ()
        if answer is not None and not _beyond_yes_no(candidates, courtesies):
            # "vâng, bác là người cao tuổi", "không, cảm ơn cháu": the opening yes/no is the answer.
            candidates = {answer.intent: scores[f"intent:{answer.intent}"]}
        elif answer is not None or _content_length(tokens) > SHORT_REPLY or (
            len(candidates) > 1 and _beyond_yes_no(candidates)
        ) or questions:
            candidates.pop("yes", None)  # a question is never a yes: "mấy hôm thì có kết quả?"
            if not declined or _beyond_yes_no(candidates, ("thanks", "greeting", "goodbye")):
                candidates.pop("no", None)
        if candidates.get("yes") and candidates.get("no"):
            candidates.pop("yes" if candidates["no"] >= candidates["yes"] else "no")

        counter = _counter_number(tokens)
        alternatives = _alternatives(procs)
        address = _address(tokens, answer.end if answer is not None else 0, clauses)
        common: dict[str, object] = {
            "alternatives": alternatives, "address": address, "priority": _priority(tokens, scores),
            "robot_address": _robot_address(tokens), "rejected": tuple(sorted(negation.rejected)),
            "item": known(ITEMS, _best_of(scores, "item:")), "day": _best_of(scores, "day:"),
            "follow_on": bool(scores.get("follow")), "declined": bool(declined),
        }
        if not candidates:
            return Understanding(intent="unknown", confidence=0.0, counter=counter, **common)  # type: ignore[arg-type]
        ranked = sorted(candidates.items(), key=lambda item: (-item[1], _ORDER.index(item[0])))
        intent, best = ranked[0]
        # A procedure named with a ticket or a dossier request is that request's object, not a rival reading.
        # A greeting beside a request is its courtesy ("chào cháu, bác muốn hỏi làm giấy khai sinh ..."; not a thanks:
        # "cảm ơn cháu, bác làm khai sinh rồi" may tell what is done)
        rivals = [score for name, score in ranked[1:] if not (name == "procedure" and intent in _TAKES_PROCEDURE)
                  and not (name == "greeting" and intent not in small)]
        runner_up = rivals[0] if rivals else 0.0
        confidence = _strength(best) * (0.5 + 0.5 * (best - runner_up) / best)
        procedure = question = place = topic = None
        asked: tuple[Question, ...] = ()
        if intent in ("procedure", "take_number", "lookup_dossier", "human_help") and procs:
            procedure = procs[0][0]
            if intent == "procedure":
                second = procs[1][1] if len(procs) > 1 else 0.0
                confidence = min(confidence, _strength(best) * (0.5 + 0.5 * (best - second) / best))
                asked = tuple(questions)
                question = _best_of(scores, "question:")
        if intent == "question":
            asked = tuple(questions)
            question = _best_of(scores, "question:")
        if intent == "referral":
            topic = topics[0][0]
        if intent == "directions":
            place = places[0][0]
        if intent == "directions" and place != "counter":
            counter = None
        if intent != "refreshment":
            common["item"] = None
        if intent != "centre_hours":
            common["day"] = None
        if asked:
            question = asked[0]  # answered in the order asked
        return Understanding(
            intent=one_of(INTENTS, intent), confidence=round(confidence, 4), procedure=procedure,
            question=known(QUESTIONS, question), place=known(PLACES, place), counter=counter,
            topic=topic, questions=asked, **common,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class _Answer:
    """A reply that opens with yes or no and goes on ("vâng, bác là người cao tuổi")."""

    intent: str  # yes | no
    end: int  # index of the first token after the opening yes/no words


def _leading_answer(tokens: Sequence[Token], matches: Sequence[_Match],
                    starts: frozenset[int] = frozenset()) -> _Answer | None:
    """The yes/no the utterance opens with, when more words follow; None otherwise.

    Polite particles and "ok" alone ("dạ, ...", "được rồi, ...") are not an answer, and "có ... không"
    is a question ("có chỗ ngồi không"). `starts`: the indexes where a clause starts.
    """
    by_start = {m.start: m for m in matches if m.phrase.consuming}

    def weak(match: _Match) -> bool:
        return " ".join(token.text for token in match.phrase.tokens) in lexicon.WEAK_ANSWERS

    # past fillers, hesitations and weak answers alone: "dạ có, nhờ cháu ...", "ờ có, lấy số giùm chú"
    first = 0
    while first < len(tokens):
        if first in by_start and _is_yes_no(by_start[first]) and weak(by_start[first]):
            first = by_start[first].end
        elif first not in by_start and (_is_skip(tokens[first]) or tokens[first].text in lexicon.HESITATIONS):
            first += 1
        else:
            break
    opening = by_start.get(first)
    if opening is None:
        return None
    intents = [label.removeprefix("intent:") for label, _ in opening.phrase.labels
               if label in ("intent:yes", "intent:no")]
    if len(intents) != 1 or weak(opening):
        return None
    if [token.text for token in opening.phrase.tokens] == ["phải"] and opening.end not in starts and \
            opening.end < len(tokens) and tokens[opening.end].text not in lexicon.BEFORE_NEGATING_SUBJECT:
        # "phải xếp hàng ntn z": must, not yes ("phải, lấy cho tôi một số", "phải tôi là người cao tuổi": yes)
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


def _yes_with_ticket(result: Understanding, answer: _Answer | None, tokens: Sequence[Token] = ()) -> Understanding:
    """A ticket asked for after an opening yes ("Ừ có, lấy cho bác một số đi con, ...", "Dạ có, nhờ cháu lấy giúp
    bác một số ạ") is a yes to the robot's offer in the same words: a yes that asks for the ticket, and for the
    procedure the turn names (Understanding.ticket; the dialog acts on it as that ticket request). Chosen on rounds
    the models had not seen (train-more15* to 18*, each trained without it, where such replies are labelled yes)."""
    if result.intent != "take_number":
        return result
    if (answer is None or answer.intent != "yes") and not _opens_with_yes(tokens):
        return result
    return replace(result, intent="yes", ticket=True)


def _opens_with_yes(tokens: Sequence[Token]) -> bool:
    """Whether a yes word too weak to be an answer alone opens the turn: "Vâng, lấy số cho tôi", "Ờ được, in đi con,
    ...", "Rứa thì có, con lấy giùm" (not "có lấy số không": a question)."""
    first = next((token for token in tokens if not _is_skip(token) and token.text not in lexicon.HESITATIONS
                  and token.text not in lexicon.ANSWER_LEAD_INS), None)
    if first is None or first.text not in lexicon.TICKET_YES_OPENERS:
        return False
    return first.text != "có" or tokens[-1].folded not in _FOLDED_QUESTION_ENDINGS


def _is_yes_no(match: _Match) -> bool:
    return _is_yes_no_phrase(match.phrase)


def _is_yes_no_phrase(phrase: _Phrase) -> bool:
    """A yes/no phrase: matched only exactly ("có chú" is not "có chứ")."""
    return any(label in ("intent:yes", "intent:no") for label, _ in phrase.labels)


def _described(tokens: Sequence[Token], matches: Sequence[_Match]) -> set[int]:
    """The tokens in which the speaker describes themselves, with the verbs before ("tôi [đi xe lăn]"): a priority
    phrase about the speaker, and one chained to such a phrase ("tôi là người khuyết tật, đi xe lăn")."""
    described: set[int] = set()
    for match in sorted(matches, key=lambda m: m.start):
        if not any(label == "priority" for label, _ in match.phrase.labels):
            continue
        last = max(described, default=-1)
        if described and all(_one_of(tokens[i], _DESCRIPTION_CHAIN) or _is_skip(tokens[i])
                              for i in range(last + 1, match.start)):
            described.update(range(last + 1, match.end))
            continue
        start = _speaker_description(tokens, match.start)
        if start is not None:
            described.update(range(start, match.end))
    return described


def _only_age(tokens: Sequence[Token]) -> bool:
    """A clause that only says how old the speaker is ("tôi 65 tuổi", "bác năm nay bảy mươi tuổi rồi")."""
    return bool(_ages_at(tokens)) and all(
        _is_skip(token) or token.text in lexicon.SAYS_NOTHING or token.text.isdigit() or token.folded in _AGE_WORDS
        for token in tokens)


_AGE_WORDS = frozenset({"tuoi", "nam", "nay", "ngoai", "hon", "gan", "da", "roi"}) | _FOLDED_NUMBERS


def _without_priority(tokens: Sequence[Token]) -> list[Token]:
    """The tokens without "ưu tiên" (typed with or without accents) and a "cho" before it ("cho bà ưu tiên")."""
    folded = [token.folded for token in tokens]
    dropped: set[int] = set()
    for index in range(len(folded) - 1):
        if folded[index:index + 2] == ["uu", "tien"]:
            dropped |= {index, index + 1} | ({index - 1} if index and folded[index - 1] == "cho" else set())
    return [token for index, token in enumerate(tokens) if index not in dropped]


def _only_described(tokens: Sequence[Token], described: set[int]) -> bool:
    """A clause that only says who the speaker is ("Tôi là người khuyết tật đi xe lăn", "tôi đang có bầu"): it
    asks for nothing; the turn's priority keeps what it says."""
    return bool(described) and all(
        i in described or _is_skip(token) or token.text in lexicon.SAYS_NOTHING or _one_of(token, _DESCRIPTION_CHAIN)
        for i, token in enumerate(tokens))


def _without_self_description(matches: Sequence[_Match]) -> list[_Match]:
    """Drop the cues inside what the citizen says about themselves: after "vâng", "tôi là người khuyết
    tật" describes them (priority), it does not ask for the disability procedure."""
    described = [m for m in matches if any(label == "priority" for label, _ in m.phrase.labels)]
    return [m for m in matches if not m.phrase.consuming or not any(
        m.start < d.end and d.start < m.end for d in described
    )]


# Words by which a clause asks to go somewhere ("dẫn tôi ra chỗ gửi xe", "tôi muốn đi vệ sinh", "cho hỏi...").
_TO_A_PLACE = frozenset({"dẫn", "chỉ", "đưa", "muốn", "cần", "cho", "xin", "đi", "tìm", "ra", "vào", "lên", "xuống"})
# ... typed without accents: not "cho" (also "chỗ", "chờ": "ba ngoi o ghe cho duoc roi")
_TO_A_PLACE_FOLDED = frozenset(fold(word) for word in _TO_A_PLACE) - {"cho"}
# The shortest clause told after an answer in which a place is only mentioned ("không, nhà vệ sinh" still asks)
_TOLD_CLAUSE = 5


def _without_told_places(tokens: Sequence[Token], matches: Sequence[_Match], starts: frozenset[int],
                         marked: frozenset[int]) -> list[_Match]:
    """After an opening yes or no, a place of the centre mentioned in a clause that neither asks nor asks to go
    there is part of what the citizen tells ("Không cháu ạ, thằng con trai bà nó đang gửi xe ngoài bãi, ...": a
    no, not the way to the car park)."""
    bounds = [*sorted(starts | {0}), len(tokens)]
    told: set[int] = set()
    for begin, end in itertools.pairwise(bounds):
        clause = tokens[begin:end]
        if begin > 0 and len(clause) >= _TOLD_CLAUSE and not _asking(clause, begin in marked) and not any(
                (token.text in _TO_A_PLACE) if token.accented else (token.folded in _TO_A_PLACE_FOLDED)
                for token in clause):
            told.update(range(begin, end))
    return [m for m in matches if m.start not in told or not any(
        label.startswith("place:") for label, _ in m.phrase.labels)]


def _numbers(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The number words and digits among tokens, folded."""
    words = _FOLDED_NUMBERS
    return tuple(t.folded for t in tokens if t.text.isdigit() or t.folded in words)


_DONE = frozenset({"rồi", "xong"})


def _following_keys(tokens: Sequence[Token], keys: Sequence[str], start: int) -> set[str]:
    """The sound keys a phrase's second word may have to match at `start` (`_match_at`): the next token's, and
    past it those of up to _MAX_SKIPS filler words and the word after them."""
    found: set[str] = set()
    for position in range(start + 1, min(len(tokens), start + 2 + _MAX_SKIPS)):
        found.add(keys[position])
        if not _is_skip(tokens[position]):
            break
    return found


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
        if _a_book(tokens, position, want):
            return None
        exact += _same(tokens[position], want)
        position += 1
    if _another_paper(tokens, position, phrase):
        return None
    label = phrase.labels[0][0]
    if label in lexicon.PLACES_NAMED_AS_TYPED and tokens[start].text != phrase.tokens[0].text:
        return None  # "bạn hướng dẫn", "ban huong dan" (typed without accents) are not "bàn hướng dẫn"
    if exact == len(phrase.tokens):
        return position, 1.0
    if exact == 0 or (len(phrase.tokens) == 2 and label.startswith("place:")):
        return None  # "con ra" is not "cổng ra": a two-word place needs both words
    return position, SOUND_ALIKE_FACTOR


# What a ticket's last word names when these follow it: another paper ("xin cái phiếu lý lịch tư pháp", "cho tôi
# xin cái vé gửi xe", "vé số"), not a ticket.
_OTHER_PAPERS = {"phieu": frozenset({"ly", "li"}), "ve": frozenset({"xe", "gui", "so", "may", "tau"})}


def _asks_ticket(phrase: _Phrase) -> bool:
    """Whether the phrase asks for a queue ticket."""
    return any(label == "intent:take_number" for label, _ in phrase.labels)


def _another_paper(tokens: Sequence[Token], end: int, phrase: _Phrase) -> bool:
    """Whether the words after a ticket phrase ending at `end` make its "phiếu" or "vé" another paper."""
    return end < len(tokens) and tokens[end].folded in _OTHER_PAPERS.get(phrase.tokens[-1].folded, ()) and \
        _asks_ticket(phrase)


def _a_book(tokens: Sequence[Token], position: int, want: Token) -> bool:
    """"sổ" typed where a phrase has "số" is a book ("xin cái sổ đỏ", "xét giúp cho cái sổ nghèo"), not a ticket
    number; "sổ thứ tự" is a slip for "số thứ tự"."""
    return tokens[position].text == "sổ" and want.text == "số" and not (
        position + 1 < len(tokens) and tokens[position + 1].folded == "thu")


# A place of the centre named, and what it is taken for when it is not read as the way there: the water corner
# for the robot's own water ("khát khô cả cổ, chỗ nào tự rót nước uống được"), the help desk for a person or a
# counter ("không biết bàn hướng dẫn hay quầy lễ tân nằm ở chỗ nào")
_NAMED_PLACE_OVER: dict[Place, tuple[tuple[str, Place | None], ...]] = {
    "water_station": (("refreshment", None),),
    "help_desk": (("human_help", None), ("directions", "counter")),
}
PLACE_NAMED_CONFIDENCE = 0.8


def _place_named(understood: Understanding, tokens: Sequence[Token], starts: frozenset[int],
                 matches: Sequence[_Match]) -> Understanding:
    """The way to the water corner or the help desk when the turn names it as typed (`lexicon.PLACES_NAMED_AS_TYPED`)
    and asks where in the clause that names it, but was read as what the place offers (water, a person) or as a
    counter. Not when the turn asks the robot for that ("ở đây có cây nước hay cho xin cốc nước", "cô ở bàn hướng
    dẫn đâu rồi, gọi giúp tôi cô ấy"); a procedure, a ticket or another place read in the turn stays."""
    if _asks_for(tokens):
        return understood
    named = {one_of(PLACES, label.removeprefix("place:")) for m in matches
             if m.exact and _where_in_clause(tokens, starts, m)
             for label, _ in m.phrase.labels if label in lexicon.PLACES_NAMED_AS_TYPED}
    for place in named:
        if (understood.intent, understood.place) in _NAMED_PLACE_OVER[place]:
            return replace(understood, intent="directions", place=place, item=None, counter=None,
                           confidence=max(understood.confidence, PLACE_NAMED_CONFIDENCE))
    return understood


def _where_in_clause(tokens: Sequence[Token], starts: frozenset[int], match: _Match) -> bool:
    """A where-word ("ở đâu", "chỗ nào", "nằm phía nào") in the match's clause."""
    begin = max((start for start in starts if start <= match.start), default=0)
    end = min((start for start in starts if start > match.start), default=len(tokens))
    return any(token.text in _WHERE for token in tokens[begin:end])


_WHERE = frozenset({"đâu", "nào", "nằm"})
_ASKS_FOR = frozenset({"xin", "gọi", "kêu"})  # the robot asked for the thing or a person: "cho xin", "gọi giúp"
_ASKS_FOR_FOLDED = frozenset(fold(word) for word in _ASKS_FOR)
_CALLED = frozenset({"so", "ten"})  # "ngồi đợi gọi số", "chờ gọi tên": the counters call, nobody asks


def _asks_for(tokens: Sequence[Token]) -> bool:
    """Whether the turn asks the robot for something or someone ("cho bác xin cốc nước", "gọi giúp tôi cô ấy"),
    as typed or typed without accents ("goi giup"; not "gối"), but not the counters' calling of numbers."""
    return any((token.text in _ASKS_FOR or (token.text == token.folded and token.folded in _ASKS_FOR_FOLDED))
               and not (token.folded == "goi" and index + 1 < len(tokens) and tokens[index + 1].folded in _CALLED)
               for index, token in enumerate(tokens))


def _without_some_of(matches: Sequence[_Match], tokens: Sequence[Token], starts: frozenset[int]) -> list[_Match]:
    """The matches but a ticket phrase ending in "một số" followed in its clause by what there is some of ("cho
    tôi một số thông tin", "lấy giúp em một số giấy tờ": "some", not a ticket; "cho c 1 số, giấy khai sinh..." is
    one)."""
    def some_of(match: _Match) -> bool:
        words, end = match.phrase.tokens, match.end
        return len(words) >= 2 and words[-1].folded == "so" and words[-2].folded in _COUNTS and \
            end < len(tokens) and end not in starts and tokens[end].folded in _SOME_OF and \
            _asks_ticket(match.phrase)

    return [match for match in matches if not some_of(match)]


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


def _asks_turn(tokens: Sequence[Token], matches: Sequence[_Match]) -> bool:
    """The turn asks when the speaker's turn comes ("bao giờ tới lượt tôi", "còn mấy người nữa"), and does not say they
    have no ticket yet ("bao giờ thì tới lượt tôi, tôi chưa có phiếu": a ticket request) nor speak of a dossier ("hồ sơ
    tôi nộp tuần trước mà chưa thấy gọi")."""
    if not any(label == MY_TURN for m in matches for label, _ in m.phrase.labels):
        return False
    return not any((token.folded == "chua" and following.folded in _HOLDING) or
                   (token.folded, following.folded) == ("ho", "so") for token, following in itertools.pairwise(tokens))


# What "chưa" negates in "tôi chưa có phiếu", "chưa lấy số"
_HOLDING = frozenset({"co", "lay", "boc"})


def _holds_ticket(tokens: Sequence[Token], matches: Sequence[_Match]) -> bool:
    """The speaker says they hold a ticket ("tôi lấy số rồi", "mình lấy số thứ tự rồi mà chưa thấy gọi") and asks
    for none: the words open the turn or follow who speaks ("Mấy ông ngồi kia đều có số rồi, còn tôi thì chưa" is
    someone else's), and no other words ask for a ticket ("tôi lấy số rồi, lấy thêm một số cho mẹ tôi")."""
    held = [m for m in matches if any(label == TICKET_IN_HAND for label, _ in m.phrase.labels)]

    def speaker_holds(match: _Match) -> bool:
        if match.start == 0:
            return True
        # "cho tôi lấy số rồi vào hỏi cán bộ": take one, then ask
        before = [token.folded for token in tokens[max(0, match.start - 2):match.start]]
        return tokens[match.start - 1].text in lexicon.COMERS and not (len(before) == 2 and before[0] in _ASKING)

    if not held or not all(speaker_holds(m) for m in held):
        return False
    after = [token.folded for token in tokens[held[-1].end:]]
    for i, word in enumerate(after):
        # "Người vào sau tôi có phiếu rồi mà tôi thì chưa": the speaker has none
        who = after[i - 2] if i >= 2 and after[i - 1] == "thi" else after[i - 1] if i >= 1 else ""
        if word == "chua" and who in _COMERS_FOLDED:
            return False
    inside = {i for m in held for i in range(m.start, m.end)}
    # ("tôi có số rồi, chờ lượt thế nào em": how the calling works, no second ticket)
    return not any(_asks_ticket(m.phrase) and m.start not in inside and
                   all(label != "marker:queue_how" for label, _ in m.phrase.labels) for m in matches)


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


def _address(tokens: Sequence[Token], start: int = 0, clauses: frozenset[int] = frozenset()) -> str | None:
    """The word the citizen uses for themselves: 'cho bác hỏi' -> 'bác'. `start`: where the statement begins
    (after an opening yes/no: 'vâng, bác là người cao tuổi'); `clauses`: where each clause begins. A man who
    says "vợ em" is "anh", a woman who says "chồng em" is "chị"."""
    found = None
    for index, token in enumerate(tokens):
        word = token.text if token.accented else _unique_address(token.folded)
        if word not in lexicon.ADDRESS_WORDS:
            continue
        before = _as_typed(tokens[index - 1]) if index else ""
        after = _as_typed(tokens[index + 1]) if index + 1 < len(tokens) else ""
        if before in _MANY:
            continue  # "mấy cô làm giấy hồi đó ...": the officers, not the speaker
        if before in lexicon.SELF_PREFIX and (before != "cho" or index == 1) and after not in _NOT_SELF_AFTER:
            found = word  # "giúp bác với", "cho bác cốc nước"
            break
        opening = index in (0, start) or index in clauses or before in lexicon.SKIP_WORDS \
            or before in lexicon.SELF_PREFIX
        if opening and after in lexicon.SELF_VERBS:
            found = word  # "bác muốn hỏi", "cho con hỏi"
            break
    if found in ("em", "cháu", "con", None):
        for index, token in enumerate(tokens[:-1]):
            spouse, owner = _as_typed(token), _as_typed(tokens[index + 1])
            if spouse in ("vợ", "chồng") and owner in ("em", "tôi", "tui", "mình", "cháu", "con") and (
                found is not None or owner in ("em", "cháu", "con")
            ):
                return "anh" if spouse == "vợ" else "chị"
    if found is None and not any(_as_typed(token) in _SPEAKER_SAYS_I for token in tokens):
        for index, token in enumerate(tokens[1:], start=1):
            word = token.text if token.accented else _unique_address(token.folded)
            after = _as_typed(tokens[index + 1]) if index + 1 < len(tokens) else ""
            whose = _as_typed(tokens[index - 1])
            owned = whose in _OWNED and (whose, word) != ("con", "cháu")
            if word in lexicon.ADDRESS_WORDS and owned and after not in _NOT_OWNER_AFTER \
                    and after not in lexicon.ADDRESS_WORDS and not _named(tokens, index + 1):
                return word  # "thằng cu nhà em ba tuổi", "con bác đi học xa": whose child, whose house
    return found


# Words before a self word that make it an owner: "nhà em", "con bác", "mẹ cháu", "tới lượt bác" (not "mẹ con tôi",
# "con cháu", "nhà ông bà ngoại": kin named in pairs).
_OWNED = frozenset({"nhà", "con", "vợ", "chồng", "mẹ", "bố", "cha", "má", "gái", "trai", "cu", "lượt"})
# A speaker who says "tôi" tells of others' houses and children ("Tôi mua lại mảnh đất của nhà ông Tư", "Tôi ở nhờ
# nhà bác ruột tôi"); words after an address word that make it someone named or described ("con chú Ba hàng xóm",
# "con gái bà Năm", "nhà bác sĩ Minh", "con em liệt sĩ").
_SPEAKER_SAYS_I = frozenset({"tôi", "tui", "tao"})
_NAMED_AFTER = frozenset({"tư", "út", "cả", "ruột", "họ", "sĩ", "giáo", "cụ", "liệt", "hàng", "xóm", "kế", "nuôi",
                          "trưởng", "tổ", "chủ"})
_NUMBER_NAMES = frozenset({"hai", "ba", "năm", "sáu", "bảy", "tám", "chín", "mười"})  # "chú Ba", not "ba tuổi"
_COUNTED = frozenset({"tuổi", "tháng", "năm", "nay", "ngày", "tuần", "đứa", "người", "lần", "giờ", "mươi", "trăm"})

# Words before an address word that make it several people: "mấy cô", "các chú".
_MANY = frozenset({"mấy", "các", "những"})


def _named(tokens: Sequence[Token], index: int) -> bool:
    """Whether the words from `index` name or describe someone: "Ba hàng xóm", "sĩ Minh"; not "ba tuổi", "năm nay"."""
    word = _as_typed(tokens[index]) if index < len(tokens) else ""
    if word in _NAMED_AFTER:
        return True
    following = _as_typed(tokens[index + 1]) if index + 1 < len(tokens) else ""
    return word in _NUMBER_NAMES and following not in _COUNTED


_NOT_SELF_AFTER = frozenset({"tôi", "em", "mình", "tui", "nhà", "nội", "ngoại", "gái", "trai", "bé", "nhỏ"})
_NOT_OWNER_AFTER = _NOT_SELF_AFTER | {"ấy", "kia", "đó", "ta", "nó"}  # "nhà chị ấy": someone else's


def _as_typed(token: Token) -> str:
    """A token's accented form: as typed, or the one word its unaccented form can be among the few that
    matter here (self words and the verbs after them)."""
    if token.accented:
        return token.text
    return _FOLDED_SELF.get(token.folded, token.text)


_FOLDED_SELF = {fold(word): word for word in (
    *lexicon.SELF_VERBS, *lexicon.SELF_PREFIX, "vợ", "chồng", "tôi", "mình", "ơn", "chào", "nhờ", "bác", "cháu",
) if fold(word) not in ("co", "ba", "do", "chi", "den", "toi")} | {"den": "đến", "toi": "tôi"}


_UNACCENTED_ADDRESS = {"bac": "bác", "ong": "ông", "anh": "anh", "chi": "chị", "chu": "chú", "em": "em", "chau": "cháu"}


def _unique_address(folded: str) -> str | None:
    return _UNACCENTED_ADDRESS.get(folded)


# The longest turn an emergency is read in: a story of a fall or a stroke told for a procedure is no emergency.
URGENT_SYLLABLES = 25
# ... and below this a procedure the classifier alone guessed gives way to it
URGENT_OVER_GUESS = 0.8
URGENT_CONFIDENCE = 0.9
# What a short turn may be read as beside an emergency: "có người bị ngất ngoài kia" opens like a yes; a place of the
# centre is where it happened ("bà ấy bị xỉu ở quầy số 3", "nhà vệ sinh ở đâu, có người bị ngất trong đó")
_URGENT_OVER = frozenset({"unknown", "human_help", "yes", "no", "greeting", "thanks", "repeat", "directions"})
# In the emergency's clause: it happened somewhere else or in the past ("ông bị ngã ở nhà", "hôm qua ... đột quỵ");
# "ở nhà vệ sinh", "ở nhà chờ" are here
_ELSEWHERE = re.compile(" (?:" + "|".join(re.escape(fold(p)) for p in (
    "ở quê", "dưới quê", "ngoài quê", "ở viện", "trong viện", "hôm qua", "hôm kia", "hôm trước", "hôm nọ",
    "bữa trước", "bữa nọ", "tuần trước", "tháng trước", "năm ngoái", "năm trước", "hồi đó", "hồi trước", "hồi năm",
    "trước đây", "ngày xưa", "đã mất", "mất rồi", "không sao", "hết đau", "khỏe rồi", "ưu tiên"))
    + "|o nha(?! (?:ve sinh|cho|cau|xe) ))(?= )")
# Just before it: not, nearly, better ("không bị ngất đâu", "suýt bị ngã", "đỡ khó thở rồi", "mệt muốn xỉu")
_NOT_NOW = frozenset({"không", "chưa", "chẳng", "chả", "suýt", "gần", "muốn", "như", "đỡ", "khỏi", "hết", "sợ",
                      "mệt", "đói", "nóng"})  # ... "mệt xỉu", "đói muốn xỉu", "nóng muốn xỉu": said of the ride
_NOT_NOW_FOLDED = frozenset({"khong", "chua", "chang", "suyt", "muon", "khoi", "het", "met", "doi"})
# A condition (not an event) is an emergency only with a word of here and now ("bác đang bị khó thở, ... gấp");
# "tôi bị khó thở, có được ưu tiên không" asks for priority
_HERE_AND_NOW = tuple(f" {fold(p)} " for p in (
    "đang", "ngoài kia", "trong kia", "đằng kia", "kìa", "ở đây", "chỗ này", "nhanh", "gấp", "ngay", "cứu", "giúp",
    "giùm", "gọi", "tự nhiên", "bỗng", "vừa", "có người"))


def _urgent(understood: Understanding, tokens: Sequence[Token], starts: frozenset[int],
            matches: Sequence[_Match]) -> Understanding:
    """Someone fainted, fell or cannot breathe ("người nhà bà bị ngất ngoài kia, nhanh lên cháu ơi"): staff are
    called at once, unless the turn asks for something else (a procedure, a ticket, the way to the toilet...), is a
    story (a father who "bị ngã giàn giáo" and died: a death to register), or the emergency's clause tells of
    somewhere else or the past, or denies it ("tôi không bị ngã đâu", "suýt bị ngã", "mệt muốn xỉu")."""
    # a procedure only the classifier guessed, unsure, the phrases naming none ("ông cụ té ngã ở nhà chờ rồi": a
    # death to register at 0.58) is no request over the emergency
    guessed = understood.intent == "procedure" and understood.confidence < URGENT_OVER_GUESS and not any(
        label.startswith("procedure:") for match in matches for label, _ in match.phrase.labels)
    if len(tokens) > URGENT_SYLLABLES or (understood.intent not in _URGENT_OVER and not guessed):
        return understood
    said = " " + " ".join(token.folded for token in tokens) + " "
    bounds = [*sorted(starts | {0}), len(tokens)]
    for match in matches:
        labels = {label for label, _ in match.phrase.labels}
        if not match.exact or not labels & {"urgent", "urgent_now"} or (
                match.end - match.start == 1 and not tokens[match.start].accented):
            continue  # "xỉu", "ngất" alone typed without accents: "đợi xíu", "ngạt mũi"
        begin, end = next((b, e) for b, e in itertools.pairwise(bounds) if b <= match.start < e)
        clause = " " + " ".join(token.folded for token in tokens[begin:end]) + " "
        before = tokens[max(begin, match.start - 2):match.start]
        if _ELSEWHERE.search(clause) or any(
                (token.text in _NOT_NOW) if token.accented else (token.folded in _NOT_NOW_FOLDED) for token in before):
            continue
        if "urgent" not in labels and not any(cue in said for cue in _HERE_AND_NOW):
            continue
        return replace(understood, intent="human_help", confidence=max(understood.confidence, URGENT_CONFIDENCE),
                       urgent=True, procedure=None, place=None, counter=None, alternatives=(), ticket=False)
    return understood



def _priority(tokens: Sequence[Token], scores: dict[str, float]) -> bool:
    if scores.get("priority"):
        return True
    return any(age >= ELDERLY_AGE for age in _ages(tokens))


ELDERLY_AGE = 70
# The ward makes the căn cước of a child under 14; from 14 it is the police's (a referral).
CHILD_ID_CARD = "can_cuoc_tre_duoi_6_tuoi"
ADULT_ID_CARD = "adult_id_card"
ID_CARD_ADULT_AGE = 14


def _ages(tokens: Sequence[Token]) -> list[int]:
    """Ages said before "tuổi": '82 tuổi', 'bảy mươi tám tuổi'."""
    return [age for age, _ in _ages_at(tokens)]


# An age typed in chat, after the one whose age it is ("bé 5t", "con trai 16t"; not "chờ 2t", "photo 10t", "nhà 4t")
_AGE_TYPED = re.compile(r"([1-9]\d?)t")
_AGE_HOLDERS = frozenset({"be", "con", "em", "chau", "toi", "tui", "minh", "no", "anh", "chi", "ong", "ba", "bac",
                          "chu", "co", "thang", "dua", "cu", "nay", "nguoi", "trai", "gai"})


def _ages_at(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Each age said with the index of its first word."""
    ages = []
    for index, token in enumerate(tokens):
        typed = _AGE_TYPED.fullmatch(token.text)
        if typed is not None and index > 0 and tokens[index - 1].folded in _AGE_HOLDERS:
            ages.append((int(typed.group(1)), index))  # "bé 5t", "e 13t": an age typed in chat
            continue
        if token.folded != "tuoi" or index == 0:
            continue
        if tokens[index - 1].text.isdigit():
            ages.append((int(tokens[index - 1].text), index - 1))
            continue
        start = index
        while start > 0 and index - start < 3 and tokens[start - 1].folded in _FOLDED_NUMBERS:
            start -= 1
        # "lớp sáu mười một tuổi": "mười" (not the "mươi" of "sáu mươi") begins the age
        start = next((at for at in range(start + 1, index) if tokens[at].text == "mười"), start)
        number = _read_number(tokens[start:index])
        if number is not None:
            ages.append((number, start))
    return ages


# Words before an age that make it a bound, not the age of the one a card is for ("dưới 14 tuổi", "chưa đủ 14
# tuổi"); the speaker's own age ("tôi 35 tuổi") is told apart in _holder_ages.
_NOT_THE_HOLDER = frozenset({"duoi", "tren", "chua", "du", "gan", "hon", "ngoai", "tu", "qua"})


_SELF = frozenset({"toi", "tui", "minh", "tao"})
# Kin before a self word, as typed with accents: "bà nội tôi bảy mươi tuổi", "con tôi năm tuổi", "cháu tôi mới
# năm tuổi" are the kin's ages; "tôi 35 tuổi" opening a clause ("làm căn cước cho con, tôi 35 tuổi") is the
# speaker's.
_KIN = frozenset({"nội", "ngoại", "trai", "gái", "chồng", "vợ", "mẹ", "bố", "bà", "ông", "cha", "má", "dì", "cậu",
                  "thím", "mợ", "dâu", "rể", "con", "cháu", "em"})


def _holder_ages(tokens: Sequence[Token], starts: frozenset[int] = frozenset()) -> list[int]:
    """The ages said of the one a card is for: not a bound ("dưới 14 tuổi") nor the speaker's own ("tôi 35
    tuổi"); `starts`: where each clause begins."""
    def holder(start: int) -> bool:
        before = tokens[start - 1] if start else None
        if before is not None and before.folded in _SELF:
            owner = tokens[start - 2] if start >= 2 and start - 1 not in starts else None
            return owner is not None and owner.accented and owner.text in _KIN
        return before is None or before.folded not in _NOT_THE_HOLDER

    return [age for age, start in _ages_at(tokens) if holder(start)]


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


# ---------------------------------------------------------------------------------------------- turn helpers


def _trust_accents(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """In a text typed with accents, a word without any is a real word as typed ("quay", "cho"), not a
    folded form of every word it could be. Words that are no Vietnamese syllable stay folded."""
    typed = [token for token in tokens if not token.expanded]
    if len(typed) < 3:
        return tokens
    accented = sum(1 for token in typed if token.accented)
    if accented / len(typed) < ACCENTED_TEXT:
        return tokens
    return tuple(
        Token(t.text, t.folded, True) if not t.accented and t.text.isalpha() and is_syllable(t.text) else t
        for t in tokens
    )


@dataclass(frozen=True)
class _Negation:
    """What negation words took away: a request declined ("thôi khỏi lấy số"), procedures rejected."""

    declined: float = 0.0  # weight of the declined request (0: none)
    rejected: frozenset[str] = field(default_factory=frozenset)

    def merged(self, other: _Negation) -> _Negation:
        return _Negation(max(self.declined, other.declined), self.rejected | other.rejected)


_DECLINABLE = ("intent:take_number", "intent:refreshment", "intent:human_help", "place:", "intent:lookup_dossier")


def _clause_tokens(text: str) -> tuple[tuple[Token, ...], frozenset[int], frozenset[int]]:
    """The tokens of a text, the indexes where a clause starts (after a comma, a full stop...): a negation
    word never reaches over punctuation ("không, nhà vệ sinh ở đâu"); and the starts of the clauses that end
    with a question mark."""
    tokens: list[Token] = []
    starts: set[int] = set()
    marked: set[int] = set()
    parts = _PUNCTUATION.split(text)
    for index in range(0, len(parts), 2):
        starts.add(len(tokens))
        if index + 1 < len(parts) and "?" in parts[index + 1]:
            marked.add(len(tokens))
        clause = written_out(parts[index])
        tokens.extend(tokenize(_negations_spelt_out(clause), lexicon.ABBREVIATIONS))
    return _trust_accents(tuple(tokens)), frozenset(starts), frozenset(marked)


def _question_at_end(tokens: Sequence[Token], matches: Sequence[_Match], starts: frozenset[int],
                     marked: frozenset[int]) -> Question | None:
    """The question the phrases read in the last clause of a turn when that clause ends with a question mark
    ("..., bên đó muốn có giấy nói em đang độc thân, em phải làm ở đâu?"): where a story asks."""
    last = max((start for start in starts if start < len(tokens)), default=None)
    if last is None or last not in marked:
        return None
    asked = [label for match in sorted(matches, key=lambda m: m.start) if match.start >= last
             for label, _ in match.phrase.labels if label.startswith("question:")]
    return known(QUESTIONS, asked[0].removeprefix("question:")) if asked else None


# A dossier handed in before (folded words; "ký" is written "kí"): "đã nộp", "có nộp hồ sơ", "nộp ... từ tuần
# trước", "làm hồ sơ ... hồi tháng Bảy", "nộp hồ sơ rồi", "giấy hẹn", "hẹn sáng nay". Not money or tax paid ("đã nộp
# đủ tiền", "nộp thuế đất"), not a time to come ("từ tháng sau").
_AGO = (r"(tu|hoi) (dau (thang|nam|tuan)|hom (qua|kia|truoc|bua|thu \S+)|tuan (truoc|roi)|thang (truoc|roi)|nam ngoai"
        r"|bua (truoc|qua|hom)|sang|chieu|he)|hoi thang \S+|tu thang (?!sau\b|toi\b)\S+|tuan truoc|thang truoc"
        r"|hom qua|hom truoc|hom kia|bua truoc|bua qua|tuan roi|thang roi|nam ngoai|hom bua|bua hom|may hom truoc"
        r"|may bua truoc|cach day(?: \S+){1,2} (ngay|hom|bua|tuan|thang)|(hom|bua) thu \S+")
_HANDING = (r"(?:nop|gui)(?!(?: \S+)? (?:tien|thue|phi|le phi|khoan|xe)\b)|lam ho so|lam don|dang k[iy]"
            r"|xin (?=giay|phieu|xac nhan|cap)")
_HANDED_IN = re.compile(
    rf"\b(da|moi|vua) ({_HANDING})"
    r"|\bco (nop|gui|lam) (ho so|don)\b|\b(da|co) xin\b"
    rf"|\b({_HANDING})(?: \S+){{0,12}} ({_AGO})\b"
    rf"|\b({_AGO})\b(?: \S+){{0,4}} ({_HANDING})"
    r"|\bnop (ho so|don)(?: \S+){0,6} roi\b"
    r"|\b(giay hen|phieu hen|bien nhan|hen lay|hen tra)\b|\bhen (hom nay|bua nay|sang nay|chieu nay|thu)\b")
# ... and not handed back ("bị trả hồ sơ vì thiếu giấy, giờ đem đủ rồi, nộp ở quầy nào": a procedure again)
_HANDED_BACK = re.compile(r"\b(bi tra|tra ve|tra lai|tra ho so|bi tu choi|khong nhan)\b")
# Its state asked, at the end of a clause: "có kết quả chưa", "đã có giấy chưa ạ", "được duyệt chưa", "tới đâu
# rồi", "đang kẹt ở đâu", "vướng chỗ nào", "sao vẫn chưa thấy".
_END = r"(?: (a|ha|em|chi|anh|nhi|vay|chau|bac|chu|co|con|ong|ba|oi|the|ta|nha|ne|day|u|ban|thua|nhe|ay|di))*$"
_STATE_ASKED = re.compile(
    r"\b(co (ket qua|giay|so|the|phieu|quyet dinh|ten|tien)|xong|duyet|k[iy]|ghi nhan|cap|giai quyet|xu ly"
    rf"|xac minh|xac nhan|lanh duoc|nhan duoc|lay duoc|ra so|sang ten)\b(?: \S+){{0,4}} chua{_END}"
    r"|\b(bao gio|khi nao) (thi )?(co|nhan duoc|lay duoc) ket qua\b|\bchua (lanh|nhan)( duoc)? (dong|tien|gi)\b"
    r"|\b(toi|den) (dau|buoc nao|khau nao) roi\b|\b(dang|bi) (ket|nam|vuong) o (dau|buoc nao|khau nao)\b"
    r"|\bdang o (buoc nao|khau nao)\b|\b(den|toi) buoc nao\b|\b(vuong|ket) (cho|o) (nao|dau)\b"
    r"|\b(van|sao) chua (thay|co|nhan|lanh)\b|\bchua thay (tin|gi|goi|bao)\b"
    rf"|(?<!ban )\bsao roi{_END}|\bkiem tra (giup|gium|dum)\b|\btra cuu\b")


def _looked_up(understanding: Understanding, tokens: Sequence[Token], starts: frozenset[int],
               named: str | None = None) -> Understanding:
    """A procedure read in a turn that tells of its dossier handed in before and asks how it stands ("tôi nộp hồ
    sơ cải chính tên cho con tuần trước, ... có kết quả chưa chị"): a lookup, the procedure its object. The phrases
    and the classifier weigh the procedure's words above the few that ask. A lookup the classifier heard keeps the
    procedure the phrases named (`named`: "tra cứu hồ sơ sổ đỏ")."""
    if understanding.intent == "lookup_dossier" and understanding.procedure is None and named is not None:
        return replace(understanding, procedure=named)
    if understanding.intent != "procedure" or not _dossier_asked_after(tokens, starts):
        return understanding
    return replace(understanding, intent="lookup_dossier", question=None, questions=(), alternatives=())


def _dossier_asked_after(tokens: Sequence[Token], starts: frozenset[int]) -> bool:
    """Whether a turn tells of a dossier handed in before and asks how it stands (a lookup, whatever procedure
    it names); not when somebody else asked it ("người ta hỏi đã đăng ký tạm trú chưa")."""
    folded = " ".join(token.folded for token in tokens)
    if not _HANDED_IN.search(folded) or _HANDED_BACK.search(folded):
        return False
    bounds = sorted(starts | {len(tokens)})
    for a, b in itertools.pairwise(bounds):
        clause = " ".join(token.folded for token in tokens[a:b])
        state = _STATE_ASKED.search(clause)
        if state is not None and not _REPORTED.search(clause, 0, state.start()):
            return True
    return False


# Someone else asked it: "đi xin việc mà người ta hỏi đã đăng ký tạm trú chưa" (the citizen asks nothing of it).
_REPORTED = re.compile(r"\b(nguoi ta|ho|cong t[iy]|chu nha|chu tro|truong|co quan|ben do|can bo) (co |cu |lai )?hoi\b")


def _negations_spelt_out(clause: str) -> str:
    """'hk, chưa lấy' -> 'không, chưa lấy': an abbreviation that is also a chat spelling of "không" is "không" as a
    clause of its own, or opening a clause or after someone ("ông em hk có lương hưu") when a verb or particle
    follows; elsewhere its expansion ("nhập hk có cần giấy gì", "sổ hk còn dùng được không", "hk của tôi")."""
    words = clause.split()
    for index, word in enumerate(words):
        if word.lower() not in lexicon.NEGATING_ABBREVIATIONS:
            continue
        following = words[index + 1].lower() if index + 1 < len(words) else None
        subject = index == 0 or words[index - 1].lower() in lexicon.BEFORE_NEGATING_SUBJECT
        if subject and (len(words) == 1 or following in lexicon.BEFORE_NEGATED):
            words[index] = "không"
    last = next((i for i in range(len(words) - 1, -1, -1) if words[i].lower() not in lexicon.AFTER_ASKING_NEGATION),
                None)
    if last and words[last].lower() in lexicon.NEGATING_ABBREVIATIONS and \
            words[last - 1].lower() not in lexicon.HOUSEHOLD_BEFORE:
        words[last] = "không"  # asking at the end of the clause: "có thu phí hk z b"
    return " ".join(words)


_PUNCTUATION = re.compile(r"([,;.!?:\n]+)")
# Words that make a clause a question wherever they stand ("nộp ở quầy nào", "cần mang gì"), and words that do
# at its end ("có cần dịch thuật không", "được chưa").
_ASKING_ANYWHERE = frozenset({"gì", "nào", "đâu", "bao", "mấy", "sao", "hả", "hở", "nhỉ", "nhiêu", "chăng"})
_ASIDES = ("place:", "intent:centre_hours", "intent:refreshment", "item:")
_ASKING_AT_END = frozenset({"không", "chưa", "hông", "hổng", "chứ", "hem"})


def _asking(tokens: Sequence[Token], marked: bool) -> bool:
    """Whether a clause asks something: a question mark after it, a question word in it, or "không"/"chưa" at
    its end (particles after them aside)."""
    if marked:
        return True
    words = [_as_typed(token) if not token.accented else token.text for token in tokens]
    if any(word in _ASKING_ANYWHERE for word in words):
        return True
    content = [word for word, token in zip(words, tokens, strict=True) if not _is_skip(token)]
    return bool(content) and content[-1] in _ASKING_AT_END


def _question_scope(tokens: Sequence[Token], matches: Sequence[_Match], starts: frozenset[int],
                    marked: frozenset[int]) -> list[_Match]:
    """Drop the question cues a long turn says outside its question (issue 12, long turns): in a story of
    several clauses, "mất lâu rồi" or "bà mang theo giấy báo tử" are not the question "làm ở quầy nào?".
    A cue in a clause that asks for a place of the centre is about that place ("à mà chỗ gửi xe ở đâu?"); when
    some clause that asks carries a cue, the cues of the clauses that do not ask are dropped."""
    if len(starts) < 2:
        return list(matches)
    bounds = [*sorted(starts), len(tokens)]
    clause_of: dict[int, int] = {}
    for begin, end in itertools.pairwise(bounds):
        for index in range(begin, end):
            clause_of[index] = begin
    asking = {begin for begin, end in itertools.pairwise(bounds)
              if end > begin and _asking(tokens[begin:end], begin in marked)}

    def only_question(match: _Match) -> bool:
        return all(label.startswith("question:") for label, _ in match.phrase.labels)

    placed = {clause_of[m.start] for m in matches if m.start in clause_of and any(
        label.startswith("place:") and label != "place:counter" for label, _ in m.phrase.labels)}
    named = {clause_of[m.start] for m in matches if m.start in clause_of and any(
        label.startswith("procedure:") and weight >= 2 for label, weight in m.phrase.labels)}
    kept = [m for m in matches if not (only_question(m) and clause_of.get(m.start) in placed)]
    if named:
        # "tôi muốn làm khai tử cho bà, mà tiện thể cho hỏi nhà vệ sinh ở đâu": the turn is about the procedure;
        # the aside in another clause is a request of its own (understand_turn), not a rival reading
        kept = [m for m in kept if clause_of.get(m.start) in named or not all(
            label.startswith(_ASIDES) and label != "place:counter" for label, _ in m.phrase.labels)]
    if any(only_question(m) and clause_of.get(m.start) in asking for m in kept):
        kept = [m for m in kept if not only_question(m) or clause_of.get(m.start) in asking]
    return kept


def _negated(tokens: Sequence[Token], matches: Sequence[_Match],
             starts: frozenset[int] = frozenset()) -> tuple[list[_Match], _Negation]:
    """Drop the requests that a negation word cancels and the procedures rejected in so many words."""
    kept: list[_Match] = []
    declined = 0.0
    rejected: dict[str, int] = {}  # procedure -> the clause where it was last rejected
    named_after: list[tuple[str, int, int]] = []  # procedure, clause, end of each mention kept
    for match in matches:
        labels = [label for label, _ in match.phrase.labels]
        procs = [label.removeprefix("procedure:") for label in labels if label.startswith("procedure:")]
        clause = max((start for start in starts if start <= match.start), default=0)
        view = tokens[clause:]
        start, end = match.start - clause, match.end - clause
        if procs and _rejects(view, start):
            rejected.update((proc, max(clause, rejected.get(proc, -1))) for proc in procs)
            continue
        if any(label.startswith(_DECLINABLE) for label in labels) and _cancels(view, start, end):
            declined = max(declined, 3.0)
            continue
        kept.append(match)
        named_after += [(proc, clause, match.end) for proc in procs]
    # asked for in a later clause ("ở nhà người quen chứ không thuê trọ. Vậy đăng ký tạm trú thì vô quầy nào"):
    # wanted after all; not when the clause tells it is done ("không phải khai sinh, khai sinh thì tôi làm rồi")
    asked_later = {proc for proc, clause, end in named_after if clause > rejected.get(proc, len(tokens))
                   and not {token.text for token in tokens[end:end + 4]} & _DONE}
    return kept, _Negation(declined, frozenset(rejected.keys() - asked_later))


def _before_at(tokens: Sequence[Token], start: int, reach: int = 4) -> list[int]:
    """Where the tokens before `start` stand (nearest first), filler words left out."""
    found: list[int] = []
    index = start - 1
    while index >= 0 and len(found) < reach:
        if not _is_skip(tokens[index]) or tokens[index].text in ("thôi",):
            found.append(index)
        index -= 1
    return found


def _before_tokens(tokens: Sequence[Token], start: int, reach: int = 4) -> list[Token]:
    """The tokens before `start` (nearest first), filler words left out."""
    return [tokens[index] for index in _before_at(tokens, start, reach)]


def _before(tokens: Sequence[Token], start: int, reach: int = 4) -> list[str]:
    """The words before `start` (nearest first), filler words left out."""
    return [token.text for token in _before_tokens(tokens, start, reach)]


# Compared with `_same`: as written when typed with accents ("đầu phải" is not "đâu phải"), without them when typed
# without ("khong phai" is "không phải").
_REJECT_PATTERNS = tuple(tokenize(" ".join(pattern)) for pattern in lexicon.REJECT_PROCEDURE)
_REJECT_GAP = tokenize("làm là đăng ký thủ tục hỏi về cái")


def _rejects(tokens: Sequence[Token], start: int) -> bool:
    """'không phải khai tử', 'không cần làm kết hôn nữa', typed without accents too ('khong phai tach ho'): the
    procedure after these words is not wanted."""
    before = list(reversed(_before_tokens(tokens, start, 4)))
    while before and any(_same(before[-1], word) for word in _REJECT_GAP):
        before.pop()
    return any(len(before) >= len(pattern)
               and all(_same(token, word) for token, word in zip(before[-len(pattern):], pattern, strict=True))
               for pattern in _REJECT_PATTERNS)


# "chưa muốn lấy số", "chưa định lấy số": not wanted yet (where "tôi chưa lấy số" only tells it was not taken)
_NOT_YET_WANTED = frozenset({"muốn", "định"})


def _cancels(tokens: Sequence[Token], start: int, end: int) -> bool:
    """A negation word right before the request, with only gap words between: 'thôi khỏi lấy số',
    'không cần dẫn đâu'. 'chưa' only counts with 'vội', 'cần', 'muốn' or 'định' ('chưa lấy số vội', 'chưa muốn
    lấy số')."""
    after = {token.text for token in tokens[end:end + 3]}
    seen: set[str] = set()
    near = _before_at(tokens, start)
    before = [tokens[index].text for index in near]
    for at, word in enumerate(before):
        if word == "đâu" and seen & lexicon.WANTING_WORDS and near[at] > 0 and \
                tokens[near[at] - 1].text in lexicon.BEFORE_NEGATING_SUBJECT:
            # "tôi đâu có muốn lấy số", "bác đâu có cần lấy số đâu cháu": "đâu" right after a person, before a will,
            # says "not at all" (where "ở đâu lấy số", "em ơi đâu có lấy số hả em" ask where, and "tôi đâu có lấy
            # số được, cháu lấy giùm tôi", "em đâu có in số cho chị" ask for one)
            return True
        if word == "thôi":
            # "thôi lấy số cho tôi", "thôi cho em gặp cán bộ": "well then"; "thôi chưa lấy số": not yet
            if "chưa" in seen:
                return True
            seen.add(word)
            continue
        seen.add(word)
        if word in lexicon.NEGATORS:
            # "sao không cho tôi vào lượt", "sao lại không cho em lấy số", "sao tôi không lấy số được": a complaint
            # that asks, no refusal
            why = before[at + 1:at + 3]
            return not (why[:1] == ["sao"] or (len(why) == 2 and why[1] == "sao" and
                                              (why[0] == "lại" or why[0] in lexicon.COMERS)))
        if word == "chưa" and (after & {"vội", "đâu", "cần"} or "cần" in _before(tokens, start, 2)
                               or seen & _NOT_YET_WANTED):
            return True
        if word not in lexicon.NEGATION_GAP and not (word == "có" and "đâu" in before[at + 1:at + 2]):
            return False
    return False


# Words that ask for a ticket, in its phrase or just before it ("lấy giùm bà ngoại cái số"; not "xếp hàng", "đợi
# đến lượt": told of in "mất cả buổi sáng xếp hàng ở ngân hàng"), and those that ask for nothing else typed
# without accents ("cho so" is as often "cho sổ"); and those that ask only as typed ("giờ chỉ cần cái số thôi", "ấn
# giùm em một số": "can" is as often "căn", "an" "ăn").
_ASKING_VERBS = frozenset({"lay", "boc", "bam", "in", "cho", "xin", "phat"})
_ASKING_AS_TYPED = frozenset({"cần", "ấn"})
_COUNTS = frozenset({"mot", "1", "hai", "2"})
_SOME_OF = frozenset(fold(word) for word in lexicon.SOME_OF)
_TICKET_VERBS = frozenset({"lay", "boc", "bam"})
# How many words before a ticket's words an asking verb may stand ("Lấy giúp chị em tôi một số thứ tự nhé cháu, chị ấy
# ngồi lâu bị đau lưng"; 3 before round 53: +1 on it, the same on rounds 47-52, each scored by models without them)
ASKING_REACH = 5


def _ticket_asked(tokens: Sequence[Token], matches: Sequence[_Match], starts: frozenset[int]) -> bool:
    """Whether the turn asks for a ticket in its last clause, before the phrases name any procedure (the
    classifier read it in the story: "Lấy giùm bà số làm căn cước cho thằng cháu. Nó sáu tuổi, ..."), or after the
    last one they name, followed only by remarks ("..., giờ mình đi khai tử cho ông. ... Cho mình xin số thứ tự
    luôn nha, mình tự biết nộp")."""
    def asks(match: _Match) -> bool:
        words = tokens[match.start:match.end]
        return _read_exactly(match, words) and \
            _asks_ticket(match.phrase) and \
            any(token.folded in _ASKING_VERBS or token.text in _ASKING_AS_TYPED
                for token in tokens[max(0, match.start - ASKING_REACH):match.end]) and \
            (words[0].folded in _TICKET_VERBS or any(token.accented for token in words)) and \
            all(token.text == "số" for token in words if token.folded == "so" and token.accented)  # not "xin sổ"

    named = [m for m in matches if any(label.startswith("procedure:") for label, _ in m.phrase.labels)]
    last = max((start for start in starts if start < len(tokens)), default=0)
    first = min((m.start for m in named), default=len(tokens))
    after = max((m.end for m in named), default=0)
    def begins(match: _Match) -> int:
        """Where the ticket's words begin, in the clause they end in ("... giấy khai sinh, cho em vào lượt":
        "sinh, cho em vào lượt" is read as "xin cho em vào lượt")."""
        return max((start for start in starts if match.start <= start < match.end), default=match.start)

    return any(begins(m) >= last or m.start < first or begins(m) >= after for m in matches if asks(m)) or \
        _ticket_named(tokens, matches, starts) is not None


_WHERE_TO_TICKET = tuple(tuple(tokenize(words)) for words in (
    "ở đâu", "đâu", "chỗ nào", "ở chỗ nào", "máy nào", "ở máy nào", "bàn nào", "ở bàn nào", "quầy nào", "ở quầy nào"))


def _where_to_ticket(tokens: Sequence[Token], matches: Sequence[_Match]) -> bool:
    """Whether the turn asks where a ticket is got, right after the ticket's words: "lấy số ở đâu vậy", "lấy số ở
    máy nào cháu"."""
    for match in matches:
        if not _asks_ticket(match.phrase):
            continue
        after = tokens[match.end:match.end + 3]
        if any(len(after) >= len(where) and all(_same(token, word) for token, word in zip(after, where, strict=False))
               for where in _WHERE_TO_TICKET):
            return True
    return False


def _ticket_named(tokens: Sequence[Token], matches: Sequence[_Match], starts: frozenset[int]) -> str | None:
    """The procedure a ticket is asked for in so many words: named exactly right after the ticket's words, with at
    most "để vào làm" between ("Cho tôi lấy số làm gia hạn tạm trú, tôi còn phải quay lại chỗ làm", "cậu in cho
    tôi một cái số thứ tự để vào làm tách hộ"). A story that names other procedures elsewhere ("lần trước tôi làm
    khai sinh rồi, ...") does not make it one of them, nor words that only sound like one ("cho tui cái số thứ tự
    đi rồi ngồi đợi": "đi rồi" is no death here; "so thu tu de bac vao": "de" is no birth)."""
    tickets = [m for m in matches if m.exact and _asks_ticket(m.phrase)]
    for ticket in tickets:
        for match in sorted(matches, key=lambda m: m.start):
            procs = [label.removeprefix("procedure:") for label, _ in match.phrase.labels
                     if label.startswith("procedure:")]
            if match.exact and procs and match.end - match.start >= 2 and ticket.end <= match.start and \
                    tokens[match.start].folded not in _REQUEST_ENDS and \
                    not any(ticket.end < start <= match.start for start in starts) and \
                    all(token.folded in _TICKET_LINKS for token in tokens[ticket.end:match.start]):
                return procs[0]
    return None


# The particles that end a request ("cho tui cái số thứ tự đi rồi ngồi đợi": "đi rồi" is no death after it).
_REQUEST_ENDS = frozenset(fold(word) for word in ("đi", "nhé", "nha", "với", "rồi"))
# The words between a ticket and the procedure it is for ("số để vào làm tách hộ", "số cho việc đăng ký ...", "số thứ tự
# để vô làm khai tử", "số thứ tự để vào xin phiếu lý lịch tư pháp": round 53, +3 on it, the same on rounds 47-52).
_TICKET_LINKS = frozenset(fold(word) for word in ("làm", "để", "vào", "cho", "về", "việc", "thủ", "tục", "hồ", "sơ",
                                                  "nộp", "xin", "của", "mới", "vô", "mần", "phiếu"))


def _read_exactly(match: _Match, words: Sequence[Token]) -> bool:
    """A phrase read as typed, or one of three words or more whose first two, a ticket verb and "số", are as
    typed: "lấy số cho em" is found as "lấy số chờ" ("cho" sounds like "chờ"; `_find` keeps the longer phrase
    before the exact one), and counts here as the "lấy số" it begins with; or one read as typed after its first
    word, from an asking verb on ("khai sinh, cho em vào lượt" is found as "xin cho em vào lượt")."""
    first = match.phrase.tokens[0]
    return match.exact or (len(match.phrase.tokens) > 2 and first.folded in _TICKET_VERBS
                           and _same(words[0], first) and words[1].text == "số") or \
        (len(words) == len(match.phrase.tokens) > 2 and words[1].folded in _ASKING_VERBS and
         all(word.text == want.text for word, want in zip(words[1:], match.phrase.tokens[1:], strict=True)))


def found_in_order(matches: Sequence[_Match]) -> list[str]:
    """Labels of the matches in the order they were said."""
    return [label for match in sorted(matches, key=lambda m: m.start) for label, _ in match.phrase.labels]


_SEPARATOR = re.compile(
    r"[,;.!?\n]+|\s(?:" + "|".join(re.escape(word) for word in lexicon.TURN_SEPARATORS) + r")\s",
    re.IGNORECASE,
)


def split_clauses(text: str) -> list[str]:
    """The clauses of a turn, at punctuation and linking words ('với lại', 'rồi', 'và', 'còn')."""
    return [clause.strip() for clause in _SEPARATOR.split(f" {text} ") if clause and clause.strip()]


def _clause_asks(text: str, clause: str) -> bool:
    """Whether a clause of `text` asks: a question mark after it, a question word in it, không/chưa at its end."""
    tokens = _clause_tokens(clause)[0]
    after = text.find(clause)
    rest = text[after + len(clause):].lstrip() if after >= 0 else ""
    return _asking(tokens, rest.startswith("?"))


def _asked_as_a_whole(parts: Sequence[Understanding], whole: Understanding) -> list[Understanding]:
    """A turn about one procedure: what it asks about it is the whole turn's reading, where the question
    classifier rules on the story ("Tôi mua lại cái xe máy ..., giấy tờ gì ông ấy cũng đưa đủ rồi, giờ hai bên
    muốn ký giấy mua bán" asks nothing); a clause alone ("giấy tờ gì ông ấy cũng đưa đủ rồi") reads as a
    follow-up question. Requests of other kinds (the way, a ticket) stay as they were."""
    asked: list[Understanding] = []
    for part in parts:
        if part.intent in ("procedure", "question"):
            part = whole if part.intent == "question" else replace(part, question=whole.question,
                                                                   questions=whole.questions)
        if not any(_same_request(earlier, part) for earlier in asked):
            asked.append(part)
    return asked


def _says_done(tokens: Sequence[Token]) -> bool:
    """Whether the turn says something is done or known ("... rồi", "xong"): a thanks there closes."""
    return any(token.text in ("rồi", "xong") for token in tokens)


def _same_request(first: Understanding, second: Understanding) -> bool:
    return (first.intent, first.procedure, first.place, first.topic) == (
        second.intent, second.procedure, second.place, second.topic)


_ROBOT_WORDS = {"cháu": "cháu", "chau": "cháu", "em": "em", "con": "con"}
_ROBOT_BEFORE = frozenset({"ơn", "chào", "nhờ", "hỏi", "giúp", "bảo"})
# ... and the particles that end a question or a request before it, when it is the turn's last word: "bao giờ tới
# lượt tôi hả cháu", "lấy số giùm nhé em", "được không con"
_ROBOT_LAST_AFTER = frozenset({"hả", "à", "nhé", "nha", "nhỉ", "vậy", "hen", "nghen", "không", "chưa", "ha", "nhe",
                               "vay", "khong", "chua", "hông", "hem", "hén"})


def _robot_address(tokens: Sequence[Token]) -> str | None:
    """How the citizen calls the robot: 'cháu ơi', 'cảm ơn em', 'nhờ cháu', 'em cho chị hỏi'."""
    for index, token in enumerate(tokens):
        word = _ROBOT_WORDS.get(token.text if token.accented else token.folded)
        if word is None:
            continue
        after = _as_typed(tokens[index + 1]) if index + 1 < len(tokens) else ""
        before = _as_typed(tokens[index - 1]) if index else ""
        called = bool(tokens[index + 1:index + 2]) and tokens[index + 1].folded == "oi"  # "cháu ơi", "chau oi"
        if called or after == "à" or before in _ROBOT_BEFORE:
            return word
        if index + 1 == len(tokens) and index and (tokens[index - 1].text if tokens[index - 1].accented
                                                   else tokens[index - 1].folded) in _ROBOT_LAST_AFTER:
            return word
        if after == "cho" and index + 2 < len(tokens) and tokens[index + 2].text in lexicon.ADDRESS_WORDS:
            return word  # "em cho chị hỏi"
    return None
