"""The result of understanding one utterance."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar, get_args

Intent = Literal[
    "procedure", "question", "lookup_dossier", "take_number", "directions", "refreshment", "human_help",
    "centre_hours", "referral", "greeting", "goodbye", "thanks", "repeat", "yes", "no", "unknown",
]
Question = Literal["documents", "fee", "duration", "counter"]
# Where a citizen may ask the way to: by voice, or by touch (the screen also offers the help desk and water).
Place = Literal[
    "toilet", "waiting_area", "photocopy", "parking", "counter", "exit", "online_help", "help_desk", "water_station",
]
Item = Literal["water", "candy"]
INTENTS: tuple[Intent, ...] = get_args(Intent)
QUESTIONS: tuple[Question, ...] = get_args(Question)
PLACES: tuple[Place, ...] = get_args(Place)
ITEMS: tuple[Item, ...] = get_args(Item)

Name = TypeVar("Name", bound=str)


def one_of(names: tuple[Name, ...], value: str) -> Name:
    """`value` as one of a Literal's `names` (INTENTS, QUESTIONS...); ValueError when it is none of them."""
    found = known(names, value)
    if found is None:
        raise ValueError(f"{value!r} is not one of {', '.join(names)}")
    return found


def known(names: tuple[Name, ...], value: str | None) -> Name | None:
    """`value` as one of a Literal's `names`, None when it is None or none of them (a touch from the screen)."""
    return next((name for name in names if name == value), None)


@dataclass(frozen=True)
class Understanding:
    """Intent, slots and confidence for one utterance. Never holds the citizen's words.

    intent "question" is a question about a procedure that names none ("lệ phí bao nhiêu hả em?"): the
    dialog answers it about the procedure under discussion. "referral" is a request the ward does not
    handle (`topic`: passport, driving_licence...). "centre_hours": opening hours, lunch, closing.
    """

    intent: Intent
    confidence: float
    procedure: str | None = None
    question: Question | None = None
    place: Place | None = None
    counter: int | None = None
    # Other likely procedures with their scores, best first (for a clarifying question).
    alternatives: tuple[tuple[str, float], ...] = field(default=())
    # Form of address the citizen used for themselves ("bác", "ông", "bà", "anh", "chị", "cô", "chú", "em"...).
    address: str | None = None
    # How the citizen calls the robot ("cháu ơi", "cảm ơn em"): "cháu", "em", "con".
    robot_address: str | None = None
    # The citizen said they are elderly, disabled, pregnant, with a small child, a person of merit.
    priority: bool = False
    item: Item | None = None  # refreshment
    topic: str | None = None  # referral topic
    # Procedures the citizen said they do not want ("không phải khai tử, tôi cần khai sinh").
    rejected: tuple[str, ...] = ()
    # Every question asked, in order ("giấy tờ gì và hết bao nhiêu tiền" -> documents, fee).
    questions: tuple[Question, ...] = ()
    # "thế còn kết hôn thì sao": the same question as before, about another procedure.
    follow_on: bool = False
    # A request was cancelled in the same words ("tôi không cần lấy số, chỉ hỏi..."): do not offer it again.
    declined: bool = False
    # centre_hours: the day asked about ("today", "tomorrow", "monday".."sunday"), None for today.
    day: str | None = None
    # A yes that asks for a ticket in the same words ("Có chứ em, chị muốn lấy số, ..."), for `procedure` when the
    # words name one: the dialog acts on it as that ticket request.
    ticket: bool = False
    # Someone needs help at once (fainted, fell, cannot breathe): intent human_help, and staff are told it is urgent.
    urgent: bool = False
    # A no that says the citizen already holds a ticket ("tôi lấy số rồi", "mình lấy số thứ tự rồi mà chưa thấy
    # gọi"): the dialog tells how to follow their turn rather than only taking the no.
    holds_ticket: bool = False
    # The turn asks when the citizen's turn comes ("bao giờ tới lượt tôi", "còn mấy người nữa"): after a ticket of this
    # conversation the dialog says where it stands in line; without one the turn is what it was read as (a ticket
    # request: "bao giờ thì tới lượt tôi, tôi chưa có phiếu").
    asks_turn: bool = False

    def request(self) -> Understanding:
        """What the dialog acts on: a yes that asks for the ticket in the same words is that ticket request."""
        return replace(self, intent="take_number", ticket=False) if self.intent == "yes" and self.ticket else self

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "intent": self.intent,
            "procedure": self.procedure,
            "question": self.question,
            "place": self.place,
            "confidence": round(self.confidence, 3),
        }
        if self.item:
            out["item"] = self.item
        if self.topic:
            out["topic"] = self.topic
        if self.urgent:
            out["urgent"] = True
        if self.holds_ticket:
            out["holds_ticket"] = True
        if self.asks_turn:
            out["asks_turn"] = True
        return out
