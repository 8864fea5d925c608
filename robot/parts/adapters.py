"""robot/ implementations of the dialog's ports (dialogs/ports.py) that show what they do on the feed, and
the stand-ins used when a part is missing."""

from __future__ import annotations

from collections.abc import Callable

from dialogs.catalogue import Catalogue
from dialogs.ports import DossierAnswer, Guide, GuideResult, ProcedureRoute, QueueDesk, TicketResult
from robot.config import CentreConfig
from robot.parts.activity import ActivityFeed
from robot.parts.alerts import AlertKind


class FeedSpeaker:
    """dialogs.ports.Speaker: shows the sentence on the feed, then speaks it through `voice`."""

    def __init__(self, feed: ActivityFeed, voice: Callable[[str, str | None], None] | None = None):
        self.feed = feed
        self.voice = voice

    def say(self, text: str, key: str | None = None) -> None:
        self.feed.emit("said", text, key=key)
        if self.voice is not None:
            try:
                self.voice(text, key)
            except Exception as exc:  # the words are on the screen already
                self.feed.emit("alert", f"speech output failed: {exc}", kind=AlertKind.SPEAKER.value)


class ConfigRoutes:
    """Where a procedure is handled, from the centre configuration (QueueDesk.route)."""

    def __init__(self, centre: CentreConfig, catalogue: Catalogue):
        self.centre = centre
        self.catalogue = catalogue

    def route(self, procedure_id: str) -> ProcedureRoute:
        service = self.centre.service_for_procedure(procedure_id)
        if service is None:
            referral = self.centre.referrals.get(procedure_id)
            if referral is None and procedure_id in self.catalogue:
                referral = self.catalogue.get(procedure_id).referral
            return ProcedureRoute(False, referral=referral)
        counters = tuple(c.number for c in self.centre.counters_for_service(service.id))
        return ProcedureRoute(True, service.id, service.name, counters)


class NoQueue:
    """QueueDesk when the queue engine is not available: routes still work, tickets are refused."""

    def __init__(self, routes: ConfigRoutes, why: str):
        self.routes = routes
        self.why = why

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        return TicketResult(False, refused_reason="Máy lấy số đang tạm dừng, mời ông bà hỏi cán bộ ở bàn hướng dẫn ạ.")

    def route(self, procedure_id: str) -> ProcedureRoute:
        return self.routes.route(procedure_id)

    def standing(self, number: str) -> str | None:
        return None


class FeedQueueDesk:
    """QueueDesk that shows each ticket issued on the feed (number, service, printed or not)."""

    def __init__(self, desk: QueueDesk, feed: ActivityFeed):
        self.desk = desk
        self.feed = feed

    def issue(self, service_id: str, priority: bool = False, procedure: str | None = None) -> TicketResult:
        result = self.desk.issue(service_id, priority, procedure)
        if result.ok:
            self.feed.emit("ticket", f"{result.number} {result.service_name}", number=result.number,
                           service=service_id, priority=priority, printed=result.printed,
                           people_ahead=result.people_ahead, wait_minutes=result.wait_minutes,
                           counters=list(result.counters), service_name=result.service_name)
        else:
            self.feed.emit("info", f"no ticket for {service_id}: refused", service=service_id)
        return result

    def route(self, procedure_id: str) -> ProcedureRoute:
        return self.desk.route(procedure_id)

    def standing(self, number: str) -> str | None:
        return self.desk.standing(number)


class FeedGuide:
    """Guide that shows where the robot led the citizen, and how it ended (`guiding` is True meanwhile)."""

    def __init__(self, guide: Guide, feed: ActivityFeed):
        self.guide = guide
        self.feed = feed
        self.guiding = False

    def guide_to(self, place: str, counter: int | None = None, address: str = "ông/bà",
                 with_ticket: bool = True) -> GuideResult:
        self.feed.emit("guide", f"guiding to {place}{f' {counter}' if counter else ''}", place=place, counter=counter)
        self.guiding = True
        try:
            result = self.guide.guide_to(place, counter, address=address, with_ticket=with_ticket)
        finally:
            self.guiding = False
        text = "arrived" if result.arrived else f"stopped: {result.reason}"
        self.feed.emit("guide", f"{text} ({place}{f' {counter}' if counter else ''})", place=place, counter=counter,
                       arrived=result.arrived, reason=result.reason)
        if not result.arrived and result.reason not in ("", "not_allowed"):
            self.feed.emit("alert", f"navigation aborted: {result.reason}", kind=AlertKind.NAVIGATION_ABORTED.value,
                           reason=result.reason, location=place if counter is None else f"counter {counter}")
        return result

    def return_to_base(self) -> None:
        """After the dialog said goodbye at the place (dialogs.ports.Guide)."""
        self.guide.return_to_base()


class NoDossiers:
    def lookup(self, payload: str) -> DossierAnswer:
        return DossierAnswer(False, "Dạ, hiện em chưa tra cứu được hồ sơ. Mời ông bà hỏi cán bộ ở quầy ạ.",
                             "unavailable")


class NoRefreshments:
    def dispense(self, item: str) -> bool:
        return False


class FeedSessionEvents:
    """SessionEvents on the feed (and, when the bus is up, on MQTT through `publish`)."""

    def __init__(self, feed: ActivityFeed, publish: Callable[[str, dict[str, str | None]], None] | None = None):
        self.feed = feed
        self.publish = publish

    def session_started(self, session_id: str) -> None:
        self.feed.emit("info", "dialog session started", session=session_id)
        if self.publish:
            self.publish("started", {"session": session_id})

    def session_ended(self, session_id: str, reason: str, intent: str | None, procedure: str | None) -> None:
        self.feed.emit("info", f"dialog session ended: {reason}", session=session_id, reason=reason,
                       intent=intent, procedure=procedure)
        if self.publish:
            self.publish("ended", {"session": session_id, "reason": reason, "intent": intent, "procedure": procedure})

    def help_requested(self, session_id: str, reason: str) -> None:
        self.feed.emit("alert", f"citizen needs a staff member ({reason})", kind=AlertKind.HELP_REQUESTED.value,
                       reason=reason)
        if self.publish:
            self.publish("help", {"session": session_id, "reason": reason})
