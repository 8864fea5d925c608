"""The conversation with one citizen at a time, as an explicit state machine.

Synchronous, event-driven and single-threaded: the application (or the simulator, or a typed
console, or a test) calls `person_arrived()`, `heard(text)`, `silence()`, `scanned(payload)`,
`touched(choice)`, `person_left()` and `tick()`. The manager talks to the world only through the
ports in dialogs/ports.py and reads the time only through `clock_fn`.

States: attract (idle) -> greet -> listen -> understand -> confirm (when unsure, or an offer) ->
act -> anything_else -> farewell -> attract. Waiting states are attract, listen, confirm and
anything_else; the others are passed through inside one call and recorded in `trace`.

Every session ends with a reason: done, timeout, handed_over, aborted or error. Session events
carry the intent and the procedure only, never the citizen's words or a scanned payload.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from dialogs.catalogue import Catalogue
from dialogs.numbers import clock_words, counter_words, minutes_words, number_words, ticket_words
from dialogs.ports import (
    CentreHours,
    CentreInfo,
    DayOpening,
    DossierDesk,
    Guide,
    QueueDesk,
    Refreshments,
    SessionEvents,
    Speaker,
    TicketResult,
)
from dialogs.prompts import ELDER_ADDRESSES, ITEMS, Utterance, addressed, render
from dialogs.understanding import PLACES, QUESTIONS, Intent, Place, Question, Understanding, known

log = logging.getLogger(__name__)


class State(StrEnum):
    ATTRACT = "attract"
    GREET = "greet"
    LISTEN = "listen"
    UNDERSTAND = "understand"
    CONFIRM = "confirm"
    ACT = "act"
    ANYTHING_ELSE = "anything_else"
    FAREWELL = "farewell"


WAITING = frozenset({State.LISTEN, State.CONFIRM, State.ANYTHING_ELSE})
END_REASONS = ("done", "timeout", "handed_over", "aborted", "error")


class Understander(Protocol):
    def understand(self, text: str) -> Understanding: ...


@dataclass(frozen=True)
class ManagerSettings:
    """What the manager needs from the centre's DialogSettings (robot/ builds this)."""

    address: str = "auto"  # "ông/bà" | "anh/chị" | "bác" | "auto" (follow the citizen's words)
    min_confidence: float = 0.6
    silence_timeout_s: float = 8.0
    max_misses: int = 3
    refreshment_item: str = "water"


@dataclass(frozen=True)
class DialogSession:
    """One conversation. `reason` is set when it ended."""

    id: str
    started_at: float
    intent: str | None = None
    procedure: str | None = None
    reason: str | None = None
    ended_at: float | None = None

    @property
    def active(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Offer:
    """A question the robot asked and waits an answer to (the confirm state)."""

    kind: str  # procedures | staff | ticket
    choices: tuple[str, ...] = ()  # procedure ids, best first
    question: Question | None = None
    service_id: str | None = None
    priority: bool = False
    ticket: bool = False  # procedures: the citizen asked for a ticket ("lấy số chứng thực" heard unsure)
    lead_to: int | None = None  # ticket: then lead the citizen to this counter (asked to be led there)
    questions: tuple[Question, ...] = ()


# A dossier code typed or read out: "000.A0.01.H26-260105-0009", "H26-260105-0009", "260105-0009".
_DOSSIER_CODE = re.compile(r"[0-9A-Za-z.]*\d{6}-\d{3,5}\b|\b\d{3}\.[0-9A-Za-z.]+-[0-9-]+")
_DIGIT_WORDS = {"không": "0", "một": "1", "mốt": "1", "hai": "2", "ba": "3", "bốn": "4", "tư": "4", "năm": "5",
                "lăm": "5", "sáu": "6", "bảy": "7", "bẩy": "7", "tám": "8", "chín": "9", "gạch": "-", "chấm": "."}
# Two procedures both named ("khai sinh với kết hôn làm ở quầy nào") when the second scores this much or more.
BOTH_NAMED = 0.3
# Documents spoken one by one up to this many; more are summarised ("cần bốn loại giấy tờ: ...").
SPOKEN_DOCUMENTS = 2
# What "bao giờ tới lượt tôi", "còn mấy người nữa thì tới lượt tôi" are read as (a ticket request, nothing, a no): after
# a ticket of this conversation they ask where it stands in line (Understanding.asks_turn). A question or a dossier
# lookup stays one ("tới lượt tôi rồi thì đi quầy nào", "nộp hồ sơ rồi bao giờ mới gọi báo kết quả").
_ABOUT_THE_TURN = frozenset({"take_number", "unknown", "no"})
WEEKDAY_NAMES = ("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật")


def dossier_code_in(text: str) -> str | None:
    """The dossier code in what the citizen typed or said ('mã hồ sơ của tôi là 000.A0.01.H26-260105-0009';
    digits read as words: 'hai sáu không một không năm gạch không không không chín'), else None."""
    found = _DOSSIER_CODE.search(text)
    if found:
        return found.group(0).strip(".")
    digits: list[str] = []
    for word in text.lower().split():
        value = _DIGIT_WORDS.get(word.strip(",.;"))
        if value is None:
            if len(digits) >= 10:
                break
            digits = []
            continue
        digits.append(value)
    spoken = "".join(digits).strip("-.")
    if sum(ch.isdigit() for ch in spoken) >= 10 and "-" in spoken:
        return spoken
    return None


def _day_name(day: DayOpening, is_today: bool) -> str:
    return "hôm nay" if is_today else WEEKDAY_NAMES[day.weekday]


def _sessions_words(day: DayOpening) -> str:
    names = ("buổi sáng", "buổi chiều")
    parts = []
    for index, (opens, closes) in enumerate(day.sessions):
        name = names[index] if len(day.sessions) == 2 else ("buổi sáng" if opens < "12:00" else "buổi chiều")
        parts.append(f"{name} từ {clock_words(opens)} đến {clock_words(closes)}")
    return ", ".join(parts)


def hours_sentences(hours: CentreHours) -> list[str]:
    """Opening hours said for a citizen: the day asked about, the lunch break, the next opening when closed."""
    asked = hours.asked
    day = _day_name(asked, hours.is_today)
    out: list[str] = []
    if not asked.sessions:
        why = " vì là ngày nghỉ lễ" if asked.holiday else ""
        out.append(f"Dạ, {day} trung tâm không làm việc{why} ạ.")
    else:
        out.append(f"Dạ, {day} trung tâm làm việc {_sessions_words(asked)} ạ.")
        if len(asked.sessions) == 2:
            out.append(f"Nghỉ trưa từ {clock_words(asked.sessions[0][1])} đến {clock_words(asked.sessions[1][0])}.")
        if asked.last_ticket:
            out.append(f"Máy lấy số phát số cuối lúc {clock_words(asked.last_ticket)}.")
        if hours.is_today and asked.sessions[-1][1] <= hours.now:
            out.append("Hôm nay đã hết giờ làm việc rồi ạ.")
    if hours.next_open is not None and (not asked.sessions or (hours.is_today and asked.sessions[-1][1] <= hours.now)):
        nxt = hours.next_open
        out.append(f"Trung tâm mở cửa lại vào {WEEKDAY_NAMES[nxt.weekday]}, từ {clock_words(nxt.sessions[0][0])}.")
    return out


class DialogManager:
    def __init__(
        self,
        catalogue: Catalogue,
        understander: Understander,
        *,
        speaker: Speaker,
        queue: QueueDesk,
        dossiers: DossierDesk,
        guide: Guide,
        refreshments: Refreshments,
        events: SessionEvents,
        settings: ManagerSettings = ManagerSettings(),
        clock_fn: Callable[[], float] = time.monotonic,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex[:12],
        centre: CentreInfo | None = None,
        referrals: dict[str, str] | None = None,
    ):
        self.catalogue = catalogue
        self.understander = understander
        self.speaker = speaker
        self.queue = queue
        self.dossiers = dossiers
        self.guide = guide
        self.refreshments = refreshments
        self.events = events
        self.centre = centre
        # Where to go for what the ward does not do: topic id -> citizen text (the catalogue's, or the centre's).
        self.referrals = {t.id: t.where for t in catalogue.referrals.topics} | (referrals or {})
        self.settings = settings
        self.clock_fn = clock_fn
        self.new_id = new_id
        self.state = State.ATTRACT
        self.session: DialogSession | None = None
        self.trace: deque[State] = deque([State.ATTRACT], maxlen=500)
        self.person_present = False
        self.misses = 0
        self.offer: Offer | None = None
        self.deadline: float | None = None
        self.address = "ông/bà" if settings.address == "auto" else settings.address
        self.last_said: tuple[Utterance, ...] = ()
        self._turn: list[Utterance] = []
        self._pending_ticket = False
        self._pending_guide = False  # asked which procedure, to lead the citizen to its counter
        self.priority = False  # the citizen said they are elderly, disabled, pregnant... (this session)
        self.ticket_counters: tuple[int, ...] = ()  # counters of the ticket issued in this session
        self._waited_in = State.ATTRACT
        self._reset_context()

    def _reset_context(self) -> None:
        """What the session remembers: the procedure under discussion, the last question, what was rejected."""
        self.current: str | None = None  # the procedure under discussion
        self.last_question: Question | None = None
        self.rejected: set[str] = set()
        self.ticket_number: str | None = None
        self.ticket_declined = False  # said no to a ticket: not offered again before leading to a counter
        self.last_item: str | None = None  # the refreshment handed out ("cho bé thêm một cái nữa")
        self._pending_questions: tuple[Question, ...] = ()  # asked before the procedure was named
        self._awaiting_code = False  # asked for a QR code or a dossier code
        self._more = False  # more requests of the same turn follow: keep offers for the end of the turn
        self._deferred: Offer | None = None
        self._deferred_anything_else = False

    # ------------------------------------------------------------------ events from the world

    @property
    def listening(self) -> bool:
        """True when the robot waits for the citizen (the application may open the microphone)."""
        return self.state in WAITING

    def person_arrived(self) -> None:
        """Presence edge: someone approached. Greets once per person."""
        if self.person_present:
            return
        self.person_present = True
        if self.state is State.ATTRACT:
            self._guarded(self._greet)

    def person_left(self) -> None:
        """Presence edge: nobody there any more. Ends a session they walked away from."""
        self.person_present = False
        if self.session is not None and self.session.active:
            self._end("done" if self.session.intent else "aborted")

    def heard(self, text: str) -> None:
        """Recognised or typed text ('' when the recogniser got nothing usable)."""
        if self.state is State.ATTRACT:
            self._start()
        if self.state not in WAITING:
            return
        self._guarded(self._on_text, text.strip())

    def touched(self, choice: str) -> None:
        """A touch-screen choice: 'yes', 'no', 'take_number', 'take_number:<procedure id>', 'human_help',
        'procedure:<id>', 'procedure:<id>:<question>', 'directions:<place>', 'directions:counter:<n>',
        'refreshment', 'refreshment:<water|candy>', 'referral:<topic>', 'centre_hours', 'goodbye'."""
        if self.state is State.ATTRACT:
            self._start()
        if self.state not in WAITING:
            return
        self._guarded(self._on_understanding, _touch_understanding(choice))

    def scanned(self, payload: str) -> None:
        """A QR code or barcode was read. The payload is passed on, never kept or logged."""
        if self.state is State.ATTRACT:
            self._start()
        self._guarded(self._on_scan, payload)

    def silence(self) -> None:
        """The citizen said nothing before the listen timeout."""
        if self.state in WAITING:
            self._guarded(self._on_silence)

    def tick(self) -> None:
        """Time passes: raise a silence when the listen deadline has gone by."""
        if self.state in WAITING and self.deadline is not None and self.clock_fn() >= self.deadline:
            self.silence()

    def played(self) -> None:
        """The robot's last sentence (or a counter's call) has just finished playing: the listen timeout counts
        from now, not from when the text was produced. The application holds `tick()` back while it plays."""
        if self.state in WAITING:
            self.deadline = self.clock_fn() + self.settings.silence_timeout_s

    def abort(self) -> None:
        """Stop the conversation now (emergency stop, staff took over)."""
        if self.session is not None and self.session.active:
            self._end("aborted")

    # ------------------------------------------------------------------ state machine

    def _enter(self, state: State) -> None:
        self.state = state
        self.trace.append(state)
        self.deadline = self.clock_fn() + self.settings.silence_timeout_s if state in WAITING else None

    def _say(self, key: str, **fields: object) -> None:
        utterance = render(key, self.address, **fields)
        self._turn.append(utterance)
        self.speaker.say(utterance.text, utterance.key)

    def _say_text(self, text: str) -> None:
        """A sentence another part wrote for "ông/bà" (a dossier answer), said with this citizen's address."""
        utterance = Utterance(addressed(text, self.address))
        self._turn.append(utterance)
        self.speaker.say(utterance.text, None)

    def _flush_turn(self) -> None:
        if self._turn:
            self.last_said = tuple(self._turn)
            self._turn = []

    def _guarded(self, handler: Callable[..., None], *args: object) -> None:
        try:
            handler(*args)
        except Exception:
            log.exception("dialog failed in state %s", self.state.value)
            self._fail()
        finally:
            self._flush_turn()

    def _fail(self) -> None:
        session = self.session
        if session is None or not session.active:
            self._enter(State.ATTRACT)
            return
        try:
            self._say("error")
            self.events.help_requested(session.id, "error")
        except Exception:
            log.exception("could not report a dialog failure")
        self._end("error")

    def _start(self) -> None:
        self.session = DialogSession(self.new_id(), self.clock_fn())
        self.misses = 0
        self.offer = None
        self._pending_ticket = self._pending_guide = False
        self.priority = False
        self.ticket_counters = ()
        self.last_said = ()
        self._reset_context()
        if self.settings.address == "auto":
            self.address = "ông/bà"
        self.events.session_started(self.session.id)
        self._enter(State.LISTEN)

    def _greet(self) -> None:
        self._start()
        self._enter(State.GREET)
        self._say("greet")
        self._enter(State.LISTEN)

    def _end(self, reason: str) -> None:
        session = self.session
        if session is None or not session.active:
            return
        self.session = replace(session, reason=reason, ended_at=self.clock_fn())
        self.offer = None
        self._pending_ticket = self._pending_guide = False
        self.events.session_ended(session.id, reason, session.intent, session.procedure)
        self._enter(State.ATTRACT)

    def _farewell(self, key: str = "farewell", reason: str = "done") -> None:
        self._enter(State.FAREWELL)
        self._say(key)
        self._end(reason)

    def _hand_over(self, why: str) -> None:
        """Staff are called and the conversation ends. why: asked, urgent (someone fainted, fell...), unclear..."""
        assert self.session is not None
        self._enter(State.ACT)
        self._say("hand_over_urgent" if why == "urgent" else "hand_over")
        self.events.help_requested(self.session.id, why)
        self._end("handed_over")

    def _standing(self) -> str | None:
        """Where this conversation's ticket stands in line now, from the queue; None when that is not known."""
        assert self.ticket_number is not None
        try:
            return self.queue.standing(self.ticket_number)
        except Exception as error:  # the queue failing must not break the conversation: the general answer is said
            log.warning("ticket standing failed: %s", type(error).__name__)
            return None

    def _anything_else(self) -> None:
        self.misses = 0
        if self._more:
            self._deferred_anything_else = True
            self._enter(State.ANYTHING_ELSE)
            return
        self._deferred_anything_else = False  # asked now, once for the turn
        self._say("anything_else")
        self._enter(State.ANYTHING_ELSE)

    def _record(self, intent: str, procedure: str | None = None) -> None:
        assert self.session is not None
        self.session = replace(self.session, intent=intent, procedure=procedure or self.session.procedure)

    def _miss(self, kind: str) -> None:
        """kind: 'silence' or 'unclear'. Reprompts change as misses grow; then give up politely."""
        self.misses += 1
        if self.misses >= self.settings.max_misses:
            if kind == "silence":
                self._farewell(reason="timeout")
            else:
                self._hand_over("not_understood")
            return
        offer = self.offer
        if offer is not None and offer.kind == "procedures" and len(offer.choices) == 2:
            first, second = (self._name(p) for p in offer.choices)
            self._say("confirm_again", first=first, second=second)
            self._enter(State.CONFIRM)
            return
        if offer is not None:
            self._ask_offer(offer)
            return
        self._say(f"reprompt_{kind}.{min(self.misses, 3)}")
        self._enter(State.LISTEN)

    # ------------------------------------------------------------------ handlers

    def _on_silence(self) -> None:
        if self.state is State.ANYTHING_ELSE:
            self._farewell()
        else:
            self._miss("silence")

    def _on_text(self, text: str) -> None:
        self._waited_in = self.state
        self._enter(State.UNDERSTAND)
        if not text:
            self._miss("unclear")
            return
        code = dossier_code_in(text) if len(text) < 300 else None
        if code is not None:
            self._on_scan(code)  # the code goes to the lookup only, never into a log or an event
            return
        turn = getattr(self.understander, "understand_turn", None)
        parts: tuple[Understanding, ...] = turn(text) if turn is not None else (self.understander.understand(text),)
        self._on_parts(parts)

    def _on_parts(self, parts: tuple[Understanding, ...]) -> None:
        """The requests of one turn in order; offers and "anything else?" wait for the end of the turn. An
        emergency is the turn's only request."""
        parts = tuple(p for p in parts if p.urgent)[:1] or parts
        self._deferred, self._deferred_anything_else = None, False
        for index, part in enumerate(parts):
            if self.session is None or not self.session.active:
                return
            self._more = index < len(parts) - 1
            try:
                if index and self.state is not State.UNDERSTAND:
                    self._waited_in = self.state
                    self._enter(State.UNDERSTAND)
                self._on_understanding(part)
            finally:
                self._more = False
        if self.session is None or not self.session.active:
            return
        if self._deferred is not None and self.offer is None:
            self._ask_offer(self._deferred)
        elif self._deferred_anything_else and self.offer is None and self.state is State.ANYTHING_ELSE:
            self._say("anything_else")
        self._deferred, self._deferred_anything_else = None, False

    def _on_scan(self, payload: str) -> None:
        self._enter(State.ACT)
        self.offer = None
        self._awaiting_code = False
        self._record("lookup_dossier")
        answer = self.dossiers.lookup(payload)
        self._say_text(answer.text)
        self._anything_else()

    def _on_understanding(self, u: Understanding) -> None:
        if self.state is not State.UNDERSTAND:
            self._waited_in = self.state
            self._enter(State.UNDERSTAND)
        if u.procedure is not None and u.procedure not in self.catalogue:
            u = replace(u, procedure=None, intent="unknown" if u.intent == "procedure" else u.intent)
        if self.settings.address == "auto":
            self.address = _pair_address(self.address, u.address, u.robot_address)
        self.priority = self.priority or u.priority
        if u.declined and u.intent != "no":
            self.ticket_declined = True
        if u.rejected:
            self.rejected.update(u.rejected)
            if self.current in self.rejected:
                self.current = None
        if u.procedure in self.rejected:  # asked again for what they said they do not want: not acted on
            u = replace(u, procedure=None) if u.intent != "procedure" else replace(
                u, procedure=None, intent="unknown" if not u.alternatives else u.intent, confidence=0.0)
        if u.alternatives:
            u = replace(u, alternatives=tuple(a for a in u.alternatives if a[0] not in self.rejected))
        offer, self.offer = self.offer, None
        if u.urgent:
            # "người nhà bà bị ngất ngoài kia": whatever was asked before, staff now
            self._record("human_help")
            self._hand_over("urgent")
            return
        # without a ticket of this conversation, only a turn read as nothing else ("em ơi trước tôi còn mấy người"): a
        # no stays a no ("không lấy đâu, còn mấy người nữa cũng không chờ nổi"), a ticket request a ticket request
        turn = u.procedure is None and u.asks_turn and (
            u.intent in _ABOUT_THE_TURN if self.ticket_number is not None else u.intent == "unknown")
        if (u.intent == "no" and u.holds_ticket) or turn:
            # "tôi lấy số rồi mà chưa thấy gọi", "em ơi trước tôi còn mấy người": whatever was offered, no second
            # ticket; how to follow the turn. After a ticket of this conversation, "còn mấy người nữa", "bao giờ tới
            # lượt tôi" (read as a ticket request), "tôi lấy số rồi mà chưa thấy gọi": where it stands now
            self._enter(State.ACT)
            self._pending_ticket = False
            self.ticket_declined = True
            standing = self._standing() if self.ticket_number is not None else None
            if standing is not None:
                self._say_text(standing)
            elif self.ticket_number is not None:
                self._say("ticket_in_hand_known", ticket=ticket_words(self.ticket_number))
            else:
                self._say("ticket_in_hand")
            self._anything_else()
            return
        # "Có chứ em, chị muốn lấy số, ...": at the ticket offer the same as a yes; at the first prompt a ticket
        # request (for which procedure?); "Ừ, lấy cho tôi một số kết hôn luôn đi" a ticket for kết hôn anywhere
        u = u.request()
        if offer is not None and self._answer_offer(offer, u):
            return
        sure = u.confidence >= self.settings.min_confidence
        if u.intent == "procedure" and u.procedure and u.follow_on and not u.questions and self.last_question:
            u = replace(u, question=self.last_question, questions=(self.last_question,))  # "thế còn kết hôn?"
        if u.intent == "procedure" and u.procedure and sure:
            self._act_procedure(u.procedure, _asked(u) or self._pending_questions, u.priority)
        elif u.intent == "question" and sure:
            self._answer_question(_asked(u), offer)
        elif u.intent == "take_number" and u.procedure and not sure:
            self._ask_offer(Offer("procedures", (u.procedure,), priority=u.priority, ticket=True))
        elif u.intent == "procedure" and not sure and _asked(u) == ("counter",) and len(u.alternatives) >= 2 \
                and u.alternatives[1][1] >= BOTH_NAMED:
            self._where_each(tuple(name for name, _ in u.alternatives[:2]))  # "khai sinh với kết hôn ở quầy nào"
        elif u.intent in ("procedure", "unknown") and not sure and (u.procedure or u.alternatives):
            self._confirm_procedures(u)
        elif u.intent == "unknown" and u.priority and u.confidence == 0.0:
            # only who the citizen is ("tôi đi xe lăn", "tôi là người khuyết tật"): heard, and what for is asked
            self._say("ask_procedure_priority")
            self._enter(State.LISTEN)
        elif not sure and u.intent not in ("yes", "no"):
            self._miss("unclear")
        else:
            self._act(u, offer)

    def _answer_offer(self, offer: Offer, u: Understanding) -> bool:
        """Handle the citizen's answer to an offer; False when they said something else."""
        if offer.kind == "procedures":
            asked = _asked(u) or offer.questions or ((offer.question,) if offer.question else ())
            if u.intent == "procedure" and u.procedure in offer.choices:
                self._act_procedure(u.procedure, asked, u.priority or offer.priority, ticket_now=offer.ticket)
                return True
            if u.intent in ("yes", "take_number") and len(offer.choices) == 1:
                self._act_procedure(offer.choices[0], asked, offer.priority or u.priority, ticket_now=offer.ticket)
                return True
            if u.intent == "no":
                self.misses += 1
                self.rejected.update(offer.choices if len(offer.choices) == 1 else ())
                self._say("confirm_rejected")
                self._enter(State.LISTEN)
                return True
            unsure = u.intent == "procedure" and u.confidence < self.settings.min_confidence
            if u.intent in ("yes", "repeat") or unsure:
                self.offer = offer
                self._miss("unclear")
                return True
            return False
        if offer.kind == "staff":
            if u.intent in ("yes", "human_help"):
                self._hand_over("out_of_scope")
                return True
            if u.intent == "no":
                self._say("staff_declined")
                self._enter(State.LISTEN)
                return True
            return False
        if offer.kind == "ticket":
            if u.intent in ("yes", "take_number") and offer.service_id and (
                u.procedure is None or u.procedure in offer.choices
            ):
                self._issue(offer.service_id, offer.priority or u.priority, lead_to=offer.lead_to)
                return True
            if u.intent == "no":
                if offer.lead_to is not None:
                    self.ticket_declined = True
                    self._lead("counter", offer.lead_to, with_ticket=False)
                    return True
                self.ticket_declined = True
                self._say("ticket_declined")
                self._anything_else()
                return True
            if u.intent == "question" and offer.choices:
                # "mấy hôm thì có kết quả?" at the ticket offer: answered first, then the offer again
                self._act_procedure(offer.choices[0], _asked(u), offer.priority or u.priority)
                return True
        return False

    def _ask_offer(self, offer: Offer) -> None:
        if self._more:
            self._deferred = offer  # asked once the other requests of the turn are answered
            self._enter(State.CONFIRM)
            return
        self.offer = offer
        if offer.kind == "procedures":
            if len(offer.choices) == 1 and offer.ticket:
                self._say("confirm_ticket_one", first=self._name(offer.choices[0]))
            elif len(offer.choices) == 1:
                self._say("confirm_one", first=self._name(offer.choices[0]))
            else:
                self._say("confirm_two", first=self._name(offer.choices[0]), second=self._name(offer.choices[1]))
        elif offer.kind == "staff":
            self._say("out_of_scope")
        elif offer.lead_to is not None and offer.choices:
            self._say("offer_ticket_before_guide", procedure=self._name(offer.choices[0]))
        else:
            self._say("offer_ticket")
        self._enter(State.CONFIRM)

    def _confirm_procedures(self, u: Understanding) -> None:
        choices: list[str] = []
        for proc_id in (u.procedure, *(alt for alt, _ in u.alternatives)):
            if proc_id and proc_id in self.catalogue and proc_id not in choices and proc_id not in self.rejected:
                choices.append(proc_id)
        if not choices:
            self._miss("unclear")
            return
        self._ask_offer(Offer("procedures", tuple(choices[:2]), u.question, priority=u.priority,
                              questions=u.questions))

    def _act(self, u: Understanding, offer: Offer | None = None) -> None:
        assert self.session is not None
        intent = u.intent
        if intent == "unknown":
            self._record("unknown")
            self.misses += 1
            if self.misses >= self.settings.max_misses:
                self._hand_over("out_of_scope")
            else:
                self._ask_offer(Offer("staff"))
            return
        if intent == "no" and self._pending_guide:
            self._pending_guide = False  # does not know the procedure: the help desk will
            self._enter(State.ACT)
            self._lead("help_desk", None)
            return
        if intent in ("yes", "no") and self._waited_in is State.ANYTHING_ELSE:
            if intent == "no":
                self._farewell()
            else:
                self._say("listen")
                self._enter(State.LISTEN)
            return
        if intent == "no":
            # "không cần nữa", "thôi khỏi lấy số": whatever was asked or offered is dropped
            self._pending_ticket = self._pending_guide = self._awaiting_code = False
            self._pending_questions = ()
            self._say("declined")
            self._anything_else()
            return
        if intent == "yes":
            self._miss("unclear")
            return
        if intent == "repeat":
            self._repeat()
            return
        if intent == "greeting":
            if self.session.intent is not None:
                self._farewell()  # "thôi chào em nhé" after being helped: a goodbye
                return
            self._say("greeting_reply")
            self._enter(State.LISTEN)
            return
        if intent == "thanks":
            self._farewell("thanks_reply")
            return
        if intent == "goodbye":
            self._farewell()
            return
        self._enter(State.ACT)
        self._record(intent, u.procedure)
        if intent == "human_help":
            self._hand_over("asked")
        elif intent == "take_number":
            procedure = u.procedure or self._current_for_ticket(offer)
            if procedure:
                self._act_procedure(procedure, (), u.priority, ticket_now=True)
            else:
                self._pending_ticket = True
                self._say("ask_procedure_for_ticket")
                self._enter(State.LISTEN)
        elif intent == "lookup_dossier":
            self._awaiting_code = True
            self._say("scan_prompt")
            self._enter(State.LISTEN)
        elif intent == "directions":
            self._guide(u)
        elif intent == "refreshment":
            self._refresh(u.item)
        elif intent == "centre_hours":
            self._hours(u.day)
        elif intent == "referral":
            self._referral(u.topic)
        else:
            self._miss("unclear")

    def _where_each(self, procedures: tuple[str, ...]) -> None:
        """Where each of several procedures asked about together is handled."""
        self._enter(State.ACT)
        for procedure in procedures:
            route = self.queue.route(procedure)
            if route.handled_here and route.counters:
                self._say("where", procedure=self._name(procedure), counters=self._counters_text(route.counters))
            else:
                self._say("referral", procedure=self._name(procedure), referral=addressed(
                    self.catalogue.get(procedure).citizen.referral or route.referral or "", self.address))
        self._anything_else()

    def _current_for_ticket(self, offer: Offer | None) -> str | None:
        """The procedure a bare "lấy số cho tôi" is about: the one under discussion."""
        if offer is not None and offer.kind == "ticket" and offer.choices:
            return offer.choices[0]
        return self.current

    def _answer_question(self, questions: tuple[Question, ...], offer: Offer | None) -> None:
        """A question that names no procedure: about the one under discussion, else ask which."""
        procedure = self.current
        if offer is not None and offer.kind in ("ticket", "procedures") and offer.choices and procedure is None:
            procedure = offer.choices[0]
        if procedure is None:
            self._pending_questions = questions
            self._say("ask_procedure_for_question")
            self._enter(State.LISTEN)
            return
        self._act_procedure(procedure, questions, self.priority)

    def _repeat(self) -> None:
        waiting = next((s for s in reversed(self.trace) if s in WAITING), State.LISTEN)
        if not self.last_said:
            self._say("nothing_to_repeat")
        for utterance in self.last_said:
            self._turn.append(utterance)
            self.speaker.say(utterance.text, utterance.key)
        self._enter(waiting)

    def _name(self, procedure_id: str) -> str:
        return self.catalogue.get(procedure_id).short_name

    @staticmethod
    def _counters_text(counters: tuple[int, ...]) -> str:
        return " hoặc ".join(counter_words(c) for c in counters)

    def _act_procedure(self, procedure_id: str, questions: tuple[Question, ...] | Question | None, priority: bool,
                       ticket_now: bool = False) -> None:
        if isinstance(questions, str):
            questions = (questions,)
        questions = tuple(q for q in (questions or ()) if q)
        self._enter(State.ACT)
        self._record("procedure" if not ticket_now else "take_number", procedure_id)
        self.current = procedure_id
        self._pending_questions = ()
        if questions:
            self.last_question = questions[-1]
        ticket_now = ticket_now or self._pending_ticket
        self._pending_ticket = False
        proc = self.catalogue.get(procedure_id)
        name = proc.short_name
        route = self.queue.route(procedure_id)
        if not route.handled_here:
            self._pending_guide = False
            referral = addressed(proc.citizen.referral or route.referral or proc.referral or "", self.address)
            self._say("referral", procedure=name, referral=referral)
            self._anything_else()
            return
        # "cho tôi lấy số" ... "khai sinh cần giấy gì vậy em": the papers, then the ticket (or the way) asked for
        self._say_answers(procedure_id, questions)
        if self._pending_guide and not ticket_now and route.counters:
            self._pending_guide = False
            self._guide_to_counter(procedure_id, self._counter_serving(route.counters))
            return
        if ticket_now and route.service_id:
            self._issue(route.service_id, priority)
            return
        if route.counters and (not questions or "counter" in questions):
            self._say("where", procedure=name, counters=self._counters_text(route.counters))
        if route.service_id and self.ticket_number is None and not (self.ticket_declined and questions):
            self._ask_offer(Offer("ticket", (procedure_id,), service_id=route.service_id, priority=priority))
        else:
            self._anything_else()

    def _say_answers(self, procedure_id: str, questions: tuple[Question, ...]) -> None:
        """The papers, the fee and the time a procedure takes, as asked (where it is done is said with the ticket or
        the offer)."""
        proc = self.catalogue.get(procedure_id)
        for question in questions:
            if question == "documents":
                self._say_documents(procedure_id)
            elif question == "fee":
                self._say("fee", procedure=proc.short_name, fee=proc.citizen.fee)
            elif question == "duration":
                self._say("duration", procedure=proc.short_name, duration=proc.citizen.duration)

    def _say_documents(self, procedure_id: str) -> None:
        """Two papers or fewer are said in full; more as a count and their short names (the full list, with
        every condition, is on the screen and the ticket)."""
        proc = self.catalogue.get(procedure_id)
        documents = proc.citizen.documents
        if len(documents) <= SPOKEN_DOCUMENTS:
            spoken = " và ".join(_document_words(d.text[:1].lower() + d.text[1:], d.when) for d in documents)
            self._say("documents", procedure=proc.short_name, documents=spoken)
            return
        required = [d.short for d in documents if not d.when]
        extra = [_document_words(d.short, d.when) for d in documents if d.when]
        if not required:
            required, extra = [_document_words(d.short, d.when) for d in documents], []
        listed = _and_list(required)
        if len(required) == 1:
            self._say("documents_one_more", procedure=proc.short_name, documents=listed, extra=_and_list(extra, "hoặc"))
        elif extra:
            self._say("documents_summary_more", procedure=proc.short_name, count=number_words(len(required)),
                      documents=listed, extra=_and_list(extra, "hoặc"))
        else:
            self._say("documents_summary", procedure=proc.short_name, count=number_words(len(required)),
                      documents=listed)

    def _issue(self, service_id: str, priority: bool, lead_to: int | None = None) -> None:
        """Issue a ticket: a priority one when the citizen said anywhere in the session that they may have it."""
        self._enter(State.ACT)
        self._record("take_number")
        priority = priority or self.priority
        result = self.queue.issue(service_id, priority, self.current)
        if result.ok and result.number:
            self.ticket_counters = result.counters
            self.ticket_number = result.number
            if priority:
                self._say("ticket_priority")
            self._announce_ticket(result)
            if lead_to is not None:
                self._lead("counter", self._counter_serving((lead_to,)))
                return
        else:
            self._say("ticket_refused", reason=addressed(result.refused_reason or "", self.address))
        self._anything_else()

    def _announce_ticket(self, result: TicketResult) -> None:
        assert result.number is not None
        counters = self._counters_text(result.counters) if result.counters else "quầy tiếp nhận"
        self._say("ticket", ticket=ticket_words(result.number), counters=counters)
        if result.people_ahead and result.wait_minutes is not None:
            self._say("ticket_wait", ahead=number_words(result.people_ahead),
                      minutes=minutes_words(result.wait_minutes))
        elif result.people_ahead == 0:
            self._say("ticket_no_wait")
        if not result.printed:
            self._say("ticket_not_printed")

    def _guide(self, u: Understanding) -> None:
        place = u.place or ("counter" if u.counter or u.procedure else None)
        if place is None:
            self._miss("unclear")
            return
        counter = u.counter
        if place == "counter" and counter is None:
            # "quầy" without a number: a counter of this session's ticket or procedure, never a guess.
            assert self.session is not None
            procedure = u.procedure or self.current
            if u.procedure is None and self.ticket_counters:
                counter = self.ticket_counters[0]
            elif procedure is not None:
                route = self.queue.route(procedure)
                if not route.counters:
                    self._act_procedure(procedure, "counter", self.priority)  # says where it is handled
                    return
                self._guide_to_counter(procedure, self._counter_serving(route.counters))
                return
            else:
                self._pending_guide = True
                self._say("ask_procedure_for_guide")
                self._enter(State.LISTEN)
                return
        self._lead(place, counter, with_ticket=place != "counter" or self.ticket_number is not None)

    def _guide_to_counter(self, procedure_id: str, counter: int) -> None:
        """Lead to a procedure's counter; without a ticket, first offer one (the counter serves by number)."""
        route = self.queue.route(procedure_id)
        if self.ticket_number is None and route.service_id and not self.ticket_declined:
            self._ask_offer(Offer("ticket", (procedure_id,), service_id=route.service_id, priority=self.priority,
                                  lead_to=counter))
            return
        self._lead("counter", counter, with_ticket=self.ticket_number is not None)

    def _counter_serving(self, counters: tuple[int, ...]) -> int:
        """One of `counters`: the ticket's counter when it is one of them."""
        return next((c for c in self.ticket_counters if c in counters), counters[0])

    def _lead(self, place: Place, counter: int | None, with_ticket: bool = True) -> None:
        """Guide there. Arrived: the robot is no longer by the citizen's side, so it says goodbye there, the
        session ends (done) and only then it goes back to its base. Pointing keeps the conversation going."""
        self._pending_guide = False
        result = self.guide.guide_to(place, counter, address=self.address, with_ticket=with_ticket)
        if result.arrived:
            self._enter(State.FAREWELL)
            self._say("guide_goodbye")
            self._end("done")
            self.person_present = False  # left at the counter: the next person at the base is greeted
            self.guide.return_to_base()
            return
        if not result.pointed:
            self._say("guide_failed")
        self._anything_else()

    def _refresh(self, item: str | None = None) -> None:
        item = item or self.last_item or self.settings.refreshment_item
        self.last_item = item
        spoken = ITEMS.get(item, item)
        self._say("refreshment" if self.refreshments.dispense(item) else "refreshment_out", item=spoken)
        self._anything_else()

    def _hours(self, day: str | None) -> None:
        if self.centre is None:
            self._say("hours_unknown")
        else:
            for sentence in hours_sentences(self.centre.hours(day)):
                self._say_text(sentence)
        self._anything_else()

    def _referral(self, topic: str | None) -> None:
        where = self.referrals.get(topic or "")
        if where is None:
            self._ask_offer(Offer("staff"))
            return
        where = addressed(where, self.address)
        if where[:1].isupper() and where[1:2].islower():  # "Dạ, hộ chiếu làm ở ...", but "Dạ, VNeID ..."
            where = where[0].lower() + where[1:]
        self._say("referral_topic", where=where)
        self._anything_else()


def _asked(u: Understanding) -> tuple[Question, ...]:
    """The questions of an utterance, in the order asked."""
    return u.questions or ((u.question,) if u.question else ())


def _and_list(words: list[str], last: str = "và") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def _document_words(text: str, when: str | None) -> str:
    return f"{text} {when}" if when else text


def _pair_address(current: str, citizen: str | None, robot: str | None) -> str:
    """How to address the citizen, from how they call themselves and the robot (the robot's own word then
    follows from it: dialogs.prompts.self_word). Never the same word for both."""
    if citizen in ("bác", "ông", "bà", "cô", "chú", "anh", "chị"):
        return citizen
    if citizen in ("em", "cháu", "con"):
        return "anh/chị"  # calls themself younger: a polite "anh chị", the robot stays "em"
    if robot in ("cháu", "con") and current not in ELDER_ADDRESSES - {"ông/bà"}:
        return "bác"  # "cháu ơi": the robot is "cháu" to an elder
    return current


# Touches that are an intent alone ("yes", the "Lấy số" of the current procedure...).
_BARE_TOUCHES: tuple[Intent, ...] = ("yes", "no", "take_number", "human_help", "refreshment", "goodbye",
                                     "lookup_dossier", "repeat", "centre_hours")


def _touch_understanding(choice: str) -> Understanding:
    """A touch-screen button as an Understanding with full confidence."""
    parts = choice.split(":")
    intent = parts[0]
    if intent == "procedure" and len(parts) >= 2:
        return Understanding("procedure", 1.0, procedure=parts[1], question=known(QUESTIONS, parts[2])
                             if len(parts) > 2 else None)
    if intent == "directions" and len(parts) == 2 and (place := known(PLACES, parts[1])) is not None:
        return Understanding("directions", 1.0, place=place)
    if intent == "directions" and len(parts) == 3 and parts[1] == "counter" and parts[2].isdigit():
        return Understanding("directions", 1.0, place="counter", counter=int(parts[2]))
    if intent == "take_number" and len(parts) == 2:  # the "Lấy số" button of a procedure's page
        return Understanding("take_number", 1.0, procedure=parts[1])
    if intent == "refreshment" and len(parts) == 2 and parts[1] in ITEMS:
        return Understanding("refreshment", 1.0, item="candy" if parts[1] == "candy" else "water")
    if intent == "referral" and len(parts) == 2:
        return Understanding("referral", 1.0, topic=parts[1])
    bare = known(_BARE_TOUCHES, intent)
    if bare is not None:
        return Understanding(bare, 1.0)
    return Understanding("unknown", 0.0)
