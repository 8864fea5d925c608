"""The result of understanding one utterance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Intent = Literal[
    "procedure", "lookup_dossier", "take_number", "directions", "refreshment", "human_help",
    "greeting", "goodbye", "thanks", "repeat", "yes", "no", "unknown",
]
Question = Literal["documents", "fee", "duration", "counter"]
Place = Literal["toilet", "waiting_area", "photocopy", "parking", "counter", "exit", "online_help"]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Understanding:
    """Intent, slots and confidence for one utterance. Never holds the citizen's words."""

    intent: str
    confidence: float
    procedure: str | None = None
    question: str | None = None
    place: str | None = None
    counter: int | None = None
    # Other likely procedures with their scores, best first (for a clarifying question).
    alternatives: tuple[tuple[str, float], ...] = field(default=())
    # Form of address the citizen used for themselves or expects ("bác", "ông", "bà", "anh", "chị", "cô", "chú").
    address: str | None = None
    # The citizen said they are elderly, disabled, pregnant, with a small child, a person of merit.
    priority: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "procedure": self.procedure,
            "question": self.question,
            "place": self.place,
            "confidence": round(self.confidence, 3),
        }
