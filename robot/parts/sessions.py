"""Dialog sessions for staff: started (with what started it), ended with the dialog's own reason (done,
timeout, handed_over, aborted, error), intent, procedure, turns and duration; never what the citizen said."""

from __future__ import annotations

from dialogs.manager import END_REASONS
from robot.mqtt.messages import DialogSessionEnded, DialogSessionStarted, RobotAlert
from robot.parts.context import PartContext

CITIZEN_TRIGGERS = ("touch", "voice", "scan")


class SessionTelemetry:
    def __init__(self, ctx: PartContext):
        self.ctx = ctx
        self.in_session = False
        self.turns = 0
        self.input: str | None = None  # the citizen input being handled: touch | voice | scan | presence
        self._started_at = 0.0

    def citizen_input(self, trigger: str) -> None:
        """A citizen's input is about to be handled (under the conversation's lock)."""
        self.input = trigger
        if self.in_session and trigger != "presence":
            self.turns += 1

    def __call__(self, what: str, data: dict[str, str | None]) -> None:
        """FeedSessionEvents' `publish`: started, ended or help."""
        ctx = self.ctx
        if what == "started":
            self.in_session = True
            self._started_at = ctx.clock.monotonic()
            self.turns = 1 if self.input in CITIZEN_TRIGGERS else 0
            # Someone is being served again: whoever asked for a staff member before has been dealt with (not an
            # emergency: whoever reported it ran back to the person; only staff take it out)
            ctx.staff.resolve_alert("help_requested", exact=True)
            trigger = self.input if self.input in CITIZEN_TRIGGERS else "presence"
            ctx.staff.publish(DialogSessionStarted, session_id=data["session"], trigger=trigger)
        elif what == "ended":
            self.in_session = False
            reason = data["reason"] if data["reason"] in END_REASONS else "error"
            duration = round(max(0.0, ctx.clock.monotonic() - self._started_at), 1)
            ctx.staff.publish(DialogSessionEnded, session_id=data["session"], reason=reason, intent=data["intent"],
                              procedure=data["procedure"], turns=self.turns, duration_s=duration)
        elif what == "help":
            # someone fainted, fell...: critical, the others (asked for a person, not understood) a warning
            severity = "critical" if data["reason"] == "urgent" else "warning"
            ctx.staff.publish(RobotAlert, kind="help_requested", reason=data["reason"], severity=severity)
        ctx.changed()
