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
from dialogs.numbers import counter_words, minutes_words, speakable, ticket_words
from dialogs.ports import DossierDesk, Guide, QueueDesk, Refreshments, SessionEvents, Speaker, TicketResult
from dialogs.prompts import ITEMS, Utterance, addressed, render
from dialogs.understanding import Understanding

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
    question: str | None = None
    service_id: str | None = None
    priority: bool = False


_PARENS = re.compile(r"\s*\([^)]*\)")


def _plain(text: str) -> str:
    """Catalogue text made speakable: no parenthesised notes, amounts as words."""
    return speakable(_PARENS.sub("", text)).strip().rstrip(".")


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
    ):
        self.catalogue = catalogue
        self.understander = understander
        self.speaker = speaker
        self.queue = queue
        self.dossiers = dossiers
        self.guide = guide
        self.refreshments = refreshments
        self.events = events
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
        """A touch-screen choice: 'yes', 'no', 'take_number', 'human_help', 'procedure:<id>',
        'procedure:<id>:<question>', 'directions:<place>', 'refreshment', 'goodbye'."""
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
        assert self.session is not None
        self._enter(State.ACT)
        self._say("hand_over")
        self.events.help_requested(self.session.id, why)
        self._end("handed_over")

    def _anything_else(self) -> None:
        self.misses = 0
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
        self._on_understanding(self.understander.understand(text))

    def _on_scan(self, payload: str) -> None:
        self._enter(State.ACT)
        self.offer = None
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
        if self.settings.address == "auto" and u.address:
            self.address = u.address
        self.priority = self.priority or u.priority
        offer, self.offer = self.offer, None
        if offer is not None and self._answer_offer(offer, u):
            return
        if u.intent == "procedure" and u.procedure and u.confidence >= self.settings.min_confidence:
            self._act_procedure(u.procedure, u.question, u.priority)
        elif u.intent in ("procedure", "unknown") and u.confidence < self.settings.min_confidence and (
            u.procedure or u.alternatives
        ):
            self._confirm_procedures(u)
        elif u.confidence < self.settings.min_confidence and u.intent not in ("yes", "no"):
            self._miss("unclear")
        else:
            self._act(u)

    def _answer_offer(self, offer: Offer, u: Understanding) -> bool:
        """Handle the citizen's answer to an offer; False when they said something else."""
        if offer.kind == "procedures":
            if u.intent == "procedure" and u.procedure in offer.choices:
                self._act_procedure(u.procedure, u.question or offer.question, u.priority or offer.priority)
                return True
            if u.intent == "yes" and len(offer.choices) == 1:
                self._act_procedure(offer.choices[0], offer.question, offer.priority)
                return True
            if u.intent == "no":
                self.misses += 1
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
            if u.intent in ("yes", "take_number") and offer.service_id:
                self._issue(offer.service_id, offer.priority or u.priority)
                return True
            if u.intent == "no":
                self._say("ticket_declined")
                self._anything_else()
                return True
        return False

    def _ask_offer(self, offer: Offer) -> None:
        self.offer = offer
        if offer.kind == "procedures":
            if len(offer.choices) == 1:
                self._say("confirm_one", first=self._name(offer.choices[0]))
            else:
                self._say("confirm_two", first=self._name(offer.choices[0]), second=self._name(offer.choices[1]))
        elif offer.kind == "staff":
            self._say("out_of_scope")
        else:
            self._say("offer_ticket")
        self._enter(State.CONFIRM)

    def _confirm_procedures(self, u: Understanding) -> None:
        choices: list[str] = []
        for proc_id in (u.procedure, *(alt for alt, _ in u.alternatives)):
            if proc_id and proc_id in self.catalogue and proc_id not in choices:
                choices.append(proc_id)
        if not choices:
            self._miss("unclear")
            return
        self._ask_offer(Offer("procedures", tuple(choices[:2]), u.question, priority=u.priority))

    def _act(self, u: Understanding) -> None:
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
        if intent in ("yes", "no"):
            self._miss("unclear")
            return
        if intent == "repeat":
            self._repeat()
            return
        if intent == "greeting":
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
            if u.procedure:
                self._act_procedure(u.procedure, None, u.priority, ticket_now=True)
            else:
                self._pending_ticket = True
                self._say("ask_procedure_for_ticket")
                self._enter(State.LISTEN)
        elif intent == "lookup_dossier":
            self._say("scan_prompt")
            self._enter(State.LISTEN)
        elif intent == "directions":
            self._guide(u)
        elif intent == "refreshment":
            self._refresh()
        else:
            self._miss("unclear")

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

    def _act_procedure(self, procedure_id: str, question: str | None, priority: bool, ticket_now: bool = False) -> None:
        self._enter(State.ACT)
        self._record("procedure" if not ticket_now else "take_number", procedure_id)
        ticket_now = ticket_now or self._pending_ticket
        self._pending_ticket = False
        proc = self.catalogue.get(procedure_id)
        name = proc.short_name
        route = self.queue.route(procedure_id)
        if not route.handled_here:
            self._pending_guide = False
            referral = addressed(route.referral or proc.referral or "", self.address)
            self._say("referral", procedure=name, referral=referral)
            self._anything_else()
            return
        if self._pending_guide and not ticket_now and route.counters:
            self._pending_guide = False
            self._lead("counter", self._counter_serving(route.counters))
            return
        if ticket_now and route.service_id:
            self._issue(route.service_id, priority)
            return
        if question == "documents":
            self._say("documents", procedure=name, documents="; ".join(_plain(d) for d in proc.documents))
        elif question == "fee":
            self._say("fee", procedure=name, fee=_plain(proc.fee))
        elif question == "duration":
            self._say("duration", procedure=name, duration=_plain(proc.processing_time))
        if route.counters and question in (None, "counter"):
            self._say("where", procedure=name, counters=self._counters_text(route.counters))
        if route.service_id:
            self._ask_offer(Offer("ticket", (procedure_id,), service_id=route.service_id, priority=priority))
        else:
            self._anything_else()

    def _issue(self, service_id: str, priority: bool) -> None:
        """Issue a ticket: a priority one when the citizen said anywhere in the session that they may have it."""
        self._enter(State.ACT)
        self._record("take_number")
        priority = priority or self.priority
        result = self.queue.issue(service_id, priority)
        if result.ok and result.number:
            self.ticket_counters = result.counters
            if priority:
                self._say("ticket_priority")
            self._announce_ticket(result)
        else:
            self._say("ticket_refused", reason=addressed(result.refused_reason or "", self.address))
        self._anything_else()

    def _announce_ticket(self, result: TicketResult) -> None:
        assert result.number is not None
        counters = self._counters_text(result.counters) if result.counters else "quầy tiếp nhận"
        self._say("ticket", ticket=ticket_words(result.number), counters=counters)
        if result.people_ahead and result.wait_minutes is not None:
            self._say("ticket_wait", ahead=result.people_ahead, minutes=minutes_words(result.wait_minutes))
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
            procedure = u.procedure or self.session.procedure
            if u.procedure is None and self.ticket_counters:
                counter = self.ticket_counters[0]
            elif procedure is not None:
                route = self.queue.route(procedure)
                if not route.counters:
                    self._act_procedure(procedure, "counter", self.priority)  # says where it is handled
                    return
                counter = self._counter_serving(route.counters)
            else:
                self._pending_guide = True
                self._say("ask_procedure_for_guide")
                self._enter(State.LISTEN)
                return
        self._lead(place, counter)

    def _counter_serving(self, counters: tuple[int, ...]) -> int:
        """One of `counters`: the ticket's counter when it is one of them."""
        return next((c for c in self.ticket_counters if c in counters), counters[0])

    def _lead(self, place: str, counter: int | None) -> None:
        """Guide there. Arrived: the robot is no longer by the citizen's side, so it says goodbye there, the
        session ends (done) and only then it goes back to its base. Pointing keeps the conversation going."""
        self._pending_guide = False
        result = self.guide.guide_to(place, counter, address=self.address)
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

    def _refresh(self) -> None:
        item = self.settings.refreshment_item
        spoken = ITEMS.get(item, item)
        self._say("refreshment" if self.refreshments.dispense(item) else "refreshment_out", item=spoken)
        self._anything_else()


def _touch_understanding(choice: str) -> Understanding:
    """A touch-screen button as an Understanding with full confidence."""
    parts = choice.split(":")
    intent = parts[0]
    if intent == "procedure" and len(parts) >= 2:
        return Understanding("procedure", 1.0, procedure=parts[1], question=parts[2] if len(parts) > 2 else None)
    if intent == "directions" and len(parts) == 2:
        return Understanding("directions", 1.0, place=parts[1])
    if intent in ("yes", "no", "take_number", "human_help", "refreshment", "goodbye", "lookup_dossier", "repeat"):
        return Understanding(intent, 1.0)
    return Understanding("unknown", 0.0)
