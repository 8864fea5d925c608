"""Commands over MQTT: counters' queue commands and staff commands to the robot.

Counter n sends a `CounterCommand` on `{root}/{site}/counter/{n}/cmd`; the queue engine executes
it and a `CounterReply` (accepted, or rejected with a reason code and a Vietnamese message) goes out
on `{root}/{site}/counter/{n}/response` through the outbox. A command that cannot be read (not JSON, an
unknown action, wrong types) is answered there too, `not_json`, `unknown_action` or `invalid_command`.
Messages are Vietnamese only, one text per reason code (REFUSALS, refusal()); the queue engine's English
explanation goes to the log, never into a reply (docs/mqtt.md, "Counter actions"). Staff commands (`RobotCommand` on
`{root}/{site}/{robot}/cmd`: pause/resume, go-to-base, announce, dispense) go to the handlers the
application registers; the answer is a `RobotReply` on `{root}/{site}/{robot}/response`.

Commands are idempotent by request id: the reply is stored with the request id in the outbox
database, in the transaction that queues it; a command seen again gets the stored reply again and
is not executed twice. A counter command's outcome is also stored in the queue database, in the
same transaction as the queue change (`QueueEngine.request`): after a crash between that change and
the reply reaching the outbox, the command delivered again is answered from there, not re-executed.
A staff command that cannot safely be done twice (announce, dispense) is noted in the outbox database
before it runs (`Outbox.start_request`): delivered again after a crash that came between running it and
storing its reply, it is not run again but rejected as `interrupted` (staff check and send a new one).
Pause, resume, go-to-base and refill (the count now in the bin) set a state and are simply run again.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from robot.config import Counter, Service
from robot.mqtt.client import MqttLink
from robot.mqtt.messages import (
    COUNTER_ACTIONS,
    CounterCommand,
    CounterRating,
    CounterReply,
    MessageError,
    QueueStats,
    RobotCommand,
    RobotReply,
    Stamper,
    parse_message,
)
from robot.mqtt.publisher import OutboxPublisher
from robot.queue import (
    CounterBusy,
    DayStats,
    IllegalTransition,
    QueueError,
    Ticket,
    TicketStatus,
    UnknownCounter,
    UnknownPoint,
    UnknownService,
    UnknownTicket,
)
from robot.queue.engine import RequestRecord
from robot.queue.policy import next_status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    reason: str | None = None  # machine code, English
    message: str = ""  # for staff, Vietnamese
    ticket: str | None = None

    @classmethod
    def reject(cls, reason: str, message: str) -> Outcome:
        return cls(False, reason, message)


class CounterDesk(Protocol):
    """What counter commands need from the queue engine (robot.queue.QueueEngine)."""

    def call_next(self, counter: int, point_id: str | None = None) -> Ticket | None: ...

    def call(self, number: str, counter: int, point_id: str | None = None) -> Ticket: ...

    def recall(self, counter: int, point_id: str | None = None) -> Ticket: ...

    def current(self, counter: int, point_id: str | None = None) -> Ticket | None: ...

    def start_serving(self, number: str, point_id: str | None = None) -> Ticket: ...

    def done(self, number: str, point_id: str | None = None) -> Ticket: ...

    def no_show(self, number: str, point_id: str | None = None) -> Ticket: ...

    def park(self, number: str, point_id: str | None = None) -> Ticket: ...

    def unpark(self, number: str, point_id: str | None = None) -> Ticket: ...

    def transfer(self, number: str, service_id: str, point_id: str | None = None) -> Ticket: ...

    def ticket(self, number: str, point_id: str | None = None) -> Ticket: ...

    def counter(self, number: int, point_id: str | None = None) -> Counter: ...

    def service(self, service_id: str) -> Service: ...

    def request(self, request_id: str) -> AbstractContextManager[RequestRecord]: ...

    def rate(self, number: str, counter: int, rating: str, reason: str | None = None,
             point_id: str | None = None) -> bool: ...

    def stats(self, day: date | None = None, point_id: str | None = None) -> DayStats: ...


# Log lines about bad commands are bounded: a hostile payload never fills the log (nor reaches it whole).
LOG_CHARS = 200


def _short(text: str) -> str:
    return text if len(text) <= LOG_CHARS else f"{text[:LOG_CHARS]}... ({len(text)} characters)"


def _topic_counter(topic: str, root: str, site: str) -> int | None:
    """The counter number of `{root}/{site}/counter/{n}/cmd`, None for any other topic."""
    prefix, suffix = f"{root}/{site}/counter/", "/cmd"
    if not (topic.startswith(prefix) and topic.endswith(suffix)):
        return None
    middle = topic[len(prefix):-len(suffix)]
    return int(middle) if middle.isdigit() and len(middle) <= 3 else None


def _reason_code(error: Exception) -> str:
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


# What counter staff read: Vietnamese only. The counter actions by their Vietnamese names (the console's
# words), the ticket statuses and the queue engine's actions.
COUNTER_ACTION_NAMES = {"call-next": "gọi số tiếp", "recall": "gọi lại", "call": "gọi một số", "done": "xong",
                        "no-show": "vắng mặt", "transfer": "chuyển dịch vụ", "serve": "bắt đầu phục vụ",
                        "park": "tạm hoãn", "unpark": "tiếp tục số đã tạm hoãn"}
STATUS_NAMES = {
    TicketStatus.WAITING: "đang chờ", TicketStatus.CALLED: "đã được gọi", TicketStatus.SERVING: "đang được phục vụ",
    TicketStatus.DONE: "đã xong", TicketStatus.NO_SHOW: "đã vắng mặt", TicketStatus.CANCELLED: "đã bị hủy",
    TicketStatus.PARKED: "đang tạm hoãn",
}
QUEUE_ACTION_NAMES = {"call": "gọi", "recall": "gọi lại", "start_serving": "bắt đầu phục vụ", "done": "cho xong",
                      "no_show": "đánh dấu vắng mặt", "cancel": "hủy", "transfer": "chuyển", "park": "tạm hoãn",
                      "unpark": "đưa lại hàng chờ"}

# Reason code -> the Vietnamese text of a refusal that needs no detail. The refusals naming a ticket or a
# counter are made in refusal() and execute_counter_command().
REFUSALS = {
    "not_json": "Không đọc được lệnh: nội dung không đúng định dạng.",
    "invalid_command": "Lệnh thiếu thông tin hoặc có thông tin sai kiểu nên không thực hiện.",
    "unknown_action": "Không có lệnh này. Quầy dùng được các lệnh: "
                      + ", ".join(COUNTER_ACTION_NAMES.values()) + ".",
    "no_waiting_ticket": "Không còn công dân nào đang chờ.",
    "ticket_required": "Cần nhập số thứ tự cần gọi.",
    "service_required": "Cần chọn dịch vụ để chuyển số.",
    "unknown_service": "Không có dịch vụ này tại trung tâm.",
    "unknown_point": "Điểm tiếp nhận này không có trong cấu hình của trung tâm.",
    "queue_error": "Không thực hiện được lệnh này.",
}


def refusal(error: QueueError, desk: CounterDesk, command: CounterCommand, point_id: str | None) -> Outcome:
    """The queue engine refused a counter command: its reason code and a Vietnamese text for the staff. The
    engine's English explanation is logged (bounded), never sent."""
    n, code = command.counter, _reason_code(error)
    log.info("counter %d: %s refused (%s): %s", n, command.action, code, _short(str(error)))
    if isinstance(error, IllegalTransition):
        if next_status(error.action, error.status) is not None:  # allowed from that status: not the reason
            text = (f"Số {error.number} đã thuộc dịch vụ này." if error.action == "transfer"
                    else f"Số {error.number} vừa thay đổi, xin thử lại.")
        else:
            status = STATUS_NAMES.get(error.status, "không ở trạng thái phù hợp")
            text = f"Số {error.number} {status}, không {QUEUE_ACTION_NAMES.get(error.action, 'làm')} được."
    elif isinstance(error, CounterBusy):
        text = f"Quầy {n} còn số {error.current} chưa xong. Xin bấm xong, vắng mặt hoặc chuyển số đó trước."
    elif isinstance(error, UnknownTicket):
        text = (f"Quầy {n} chưa gọi số nào để gọi lại." if command.action == "recall" else
                f"Không tìm thấy số {command.ticket} hôm nay." if command.ticket else "Không tìm thấy số này hôm nay.")
    elif isinstance(error, UnknownCounter):
        text = _counter_refusal(desk, command, point_id)
    elif isinstance(error, UnknownService):
        text = error.citizen_message or REFUSALS["unknown_service"]
    elif isinstance(error, UnknownPoint):
        text = REFUSALS["unknown_point"]
    else:  # closed, daily cap, or a refusal added later: the engine's Vietnamese text, else a plain one
        text = error.citizen_message or REFUSALS["queue_error"]
    return Outcome.reject(code, text)


def _counter_refusal(desk: CounterDesk, command: CounterCommand, point_id: str | None) -> str:
    n = command.counter
    try:
        counter = desk.counter(n, point_id)
    except QueueError:
        return f"Quầy {n} không có ở điểm tiếp nhận này."
    if not counter.open:
        return f"Quầy {n} đang đóng trong cấu hình của trung tâm."
    if command.ticket:
        return f"Quầy {n} không phục vụ dịch vụ của số {command.ticket}."
    return f"Quầy {n} không phục vụ dịch vụ này."


def _not_this_counters(desk: CounterDesk, command: CounterCommand, point_id: str | None) -> Outcome | None:
    """A counter acts only on the ticket it called, or (transfer) on a waiting ticket of a service it serves;
    calling a given ticket is checked by the queue (the counter must serve its service). None when allowed."""
    n = command.counter
    if command.ticket is None or command.action in ("call-next", "call", "recall"):
        return None
    current = desk.current(n, point_id)
    if current is not None and current.number == command.ticket:
        return None
    if command.action in ("transfer", "unpark"):  # unpark: a parked ticket of a service the counter serves
        ticket = desk.ticket(command.ticket, point_id)
        movable = (TicketStatus.WAITING, TicketStatus.PARKED) if command.action == "transfer" else (
            TicketStatus.PARKED,)
        if ticket.status in movable and ticket.service in desk.counter(n, point_id).services:
            return None
    return Outcome.reject("not_this_counter", f"Số {command.ticket} không phải số quầy {n} đang phục vụ.")


def execute_counter_command(desk: CounterDesk, command: CounterCommand, point_id: str | None = None) -> Outcome:
    """Run one counter command on the queue engine; never raises for a queue problem. A counter acts only
    on its own tickets (see _not_this_counters)."""
    n = command.counter
    try:
        refused = _not_this_counters(desk, command, point_id)
        if refused is not None:
            return refused
        if command.action == "call-next":
            called = desk.call_next(n, point_id)
            if called is None:
                return Outcome.reject("no_waiting_ticket", REFUSALS["no_waiting_ticket"])
            return Outcome(True, ticket=called.number, message=f"Mời số {called.number} đến quầy {n}.")
        if command.action == "call":
            if not command.ticket:
                return Outcome.reject("ticket_required", REFUSALS["ticket_required"])
            called = desk.call(command.ticket, n, point_id)
            return Outcome(True, ticket=called.number, message=f"Mời số {called.number} đến quầy {n}.")
        if command.action == "recall":
            called = desk.recall(n, point_id)
            return Outcome(True, ticket=called.number, message=f"Gọi lại số {called.number}.")
        if command.action == "unpark":
            if not command.ticket:
                return Outcome.reject("ticket_required", REFUSALS["ticket_required"])
            back = desk.unpark(command.ticket, point_id)
            return Outcome(True, ticket=back.number, message=f"Số {back.number} đã trở lại hàng chờ.")
        current = desk.current(n, point_id)
        number = command.ticket or (current.number if current else None)
        if number is None:
            return Outcome.reject("no_current_ticket", f"Quầy {n} chưa gọi số nào.")
        if command.action == "done":
            if current is not None and current.number == number and current.status == TicketStatus.CALLED:
                desk.start_serving(number, point_id)
            finished = desk.done(number, point_id)
            return Outcome(True, ticket=finished.number, message=f"Đã xong số {finished.number}.")
        if command.action == "no-show":
            finished = desk.no_show(number, point_id)
            return Outcome(True, ticket=finished.number, message=f"Số {finished.number} vắng mặt.")
        if command.action == "serve":
            serving = desk.start_serving(number, point_id)
            return Outcome(True, ticket=serving.number, message=f"Bắt đầu phục vụ số {serving.number}.")
        if command.action == "park":
            parked = desk.park(number, point_id)
            return Outcome(True, ticket=parked.number, message=f"Đã tạm hoãn số {parked.number}.")
        if command.action == "transfer":
            if not command.service:
                return Outcome.reject("service_required", REFUSALS["service_required"])
            moved = desk.transfer(number, command.service, point_id)
            name = desk.service(command.service).name
            return Outcome(True, ticket=moved.number, message=f"Đã chuyển số {moved.number} sang dịch vụ {name}.")
    except QueueError as error:
        return refusal(error, desk, command, point_id)
    return Outcome.reject("unknown_action", REFUSALS["unknown_action"])


RobotHandler = Callable[[RobotCommand], Outcome]
ROBOT_ACTION_NAMES = {"pause": "tạm dừng", "resume": "tiếp tục", "go-to-base": "về vị trí chờ",
                      "announce": "phát thông báo", "dispense": "phát nước, kẹo", "refill": "nạp lại nước, kẹo",
                      "ack-alert": "xác nhận đã xử lý cảnh báo"}
# Why a walk or a hand-out stopped (robot.navigation, drivers.dispenser reason codes), in words for staff.
STOP_REASON_WORDS = {
    "obstacle": "có vật cản", "stuck": "robot bị kẹt", "e_stop": "nút dừng khẩn cấp đang bấm",
    "unreachable": "không có đường đi", "fault": "động cơ báo lỗi", "aborted": "lệnh bị hủy",
    "cannot_move": "robot không di chuyển được", "out_of_stock": "hết hàng", "empty": "hết hàng",
    "jam": "máy phát bị kẹt", "comm": "mất liên lạc với máy phát",
}


def stop_reason_words(reason: str | None) -> str:
    """The Vietnamese words for a reason code in a staff reply (never the English code itself)."""
    return STOP_REASON_WORDS.get(reason or "", "lỗi không rõ, kỹ thuật viên xem nhật ký")
# These set a state: harmless to run twice.
REPEATABLE_ACTIONS = frozenset({"pause", "resume", "go-to-base", "refill", "ack-alert"})


class CommandService:
    """Subscribes to the command topics of its site and robot; executes on one worker thread, in order."""

    def __init__(self, link: MqttLink, bus: OutboxPublisher, stamp: Stamper, *, desk: CounterDesk | None = None,
                 point_id: str | None = None):
        self.link = link
        self.bus = bus
        self.stamp = stamp
        self.desk = desk
        self.point_id = point_id
        self.handlers: dict[str, RobotHandler] = {}
        self.after_command: Callable[[], None] | None = None  # e.g. the queue bridge's wake: publish the change now
        self._jobs: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="letan-mqtt-commands", daemon=True)
        root, site = bus.topic_root, stamp.site
        self.counter_filter = f"{root}/{site}/counter/+/cmd"
        self.rating_filter = f"{root}/{site}/counter/+/rating"
        self.robot_topic = f"{root}/{site}/{stamp.robot}/cmd"

    def register(self, action: str, handler: RobotHandler) -> None:
        """The application's handler for one staff action (pause, resume, go-to-base, announce, dispense)."""
        self.handlers[action] = handler

    def start(self) -> None:
        self._thread.start()
        if self.desk is not None:
            self.link.subscribe(self.counter_filter, self._enqueue)
            self.link.subscribe(self.rating_filter, self._enqueue)
        self.link.subscribe(self.robot_topic, self._enqueue)

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)

    def _enqueue(self, topic: str, payload: bytes) -> None:
        self._jobs.put((topic, payload))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                self.handle(*job)
            except Exception:
                log.exception("command on %s failed", job[0])
            if self.after_command is not None:
                self.after_command()

    def handle(self, topic: str, payload: bytes) -> None:
        """Execute one command message (also callable directly, e.g. from tests or a local console)."""
        try:
            command = parse_message(payload)
        except MessageError as error:
            self._reject_unreadable(topic, payload, str(error))
            return
        if isinstance(command, CounterCommand) and self.desk is not None:
            self._counter(topic, command)
        elif isinstance(command, CounterRating) and self.desk is not None:
            self._rating(topic, command)
        elif isinstance(command, RobotCommand) and topic == self.robot_topic:
            self._robot(command)
        elif _topic_counter(topic, self.bus.topic_root, self.stamp.site) is not None:
            self._reject_unreadable(topic, payload, f"a {command.TYPE} message is not a counter command")
        else:
            log.warning("ignored a %s message on %s", type(command).__name__, _short(topic))

    def _counter(self, topic: str, command: CounterCommand) -> None:
        """The counter is the one of the topic (the broker's ACL lets each counter write only its own): the
        request id is that counter's, and the answer goes back to it, whatever the payload claims."""
        sender = _topic_counter(topic, self.bus.topic_root, self.stamp.site)
        if sender is None:
            log.warning("ignored a counter command on %s", _short(topic))
            return
        key = f"counter/{sender}/{command.request_id}"
        if self._replay(key):
            return
        if command.counter != sender:
            log.warning("counter %d sent a command naming counter %d: rejected", sender, command.counter)
            outcome = Outcome.reject("counter_mismatch", f"Lệnh gửi từ quầy {sender} nhưng ghi quầy {command.counter}.")
        else:
            outcome = self._execute_once(key, command)
        reply = self.stamp.make(
            CounterReply, counter=sender, request_id=command.request_id, action=command.action,
            status="accepted" if outcome.accepted else "rejected", reason=outcome.reason, message=outcome.message,
            ticket=outcome.ticket,
        )
        self.bus.publish_many([reply], reply_for=key)

    def _rating(self, topic: str, rating: CounterRating) -> None:
        """A satisfaction rating from counter n's tablet (topic `counter/{n}/rating`, which only counter n may
        write): stored once per ticket, only for a ticket this counter finished (docs/staff.md). Not answered:
        the tablet has already thanked the citizen; a refusal is logged (numbers and codes only)."""
        prefix = f"{self.bus.topic_root}/{self.stamp.site}/counter/"
        middle = topic[len(prefix):-len("/rating")] if topic.startswith(prefix) and topic.endswith("/rating") else ""
        if not middle.isdigit() or int(middle) != rating.counter:
            log.warning("ignored a rating on %s naming counter %d", _short(topic), rating.counter)
            return
        assert self.desk is not None
        try:
            stored = self.desk.rate(rating.ticket, rating.counter, rating.rating, rating.reason, self.point_id)
        except QueueError as error:
            log.info("counter %d: rating of %s refused (%s)", rating.counter, rating.ticket, _reason_code(error))
            return
        if not stored:
            log.info("counter %d: %s was already rated; the new rating is not kept", rating.counter, rating.ticket)
            return
        self.bus.publish(self.stamp.make(QueueStats, figures=self.desk.stats().to_json()))  # the day's figures

    def _execute_once(self, key: str, command: CounterCommand) -> Outcome:
        """Execute, and store the outcome with the request id in the queue database in the same transaction as
        the queue change: a command seen again after a crash (before its reply reached the outbox) is answered
        from there and not executed twice."""
        assert self.desk is not None
        with self.desk.request(key) as record:
            if record.previous is not None:
                return Outcome(**record.previous)
            outcome = execute_counter_command(self.desk, command, self.point_id)
            record.outcome = dataclasses.asdict(outcome)
            return outcome

    def _robot(self, command: RobotCommand) -> None:
        key = f"robot/{command.robot}/{command.request_id}"
        if self._replay(key):
            return
        if command.robot != self.stamp.robot:
            outcome = Outcome.reject("wrong_robot", "Lệnh gửi cho robot khác.")
        elif (handler := self.handlers.get(command.action)) is None:
            name = ROBOT_ACTION_NAMES.get(command.action, "này")
            outcome = Outcome.reject("not_supported", f"Robot chưa hỗ trợ lệnh {name}.")
        elif command.action not in REPEATABLE_ACTIONS and not self.bus.outbox.start_request(key):
            log.warning("robot command %s %s was interrupted by a restart: not run again", command.action, key)
            outcome = Outcome.reject("interrupted", "Lệnh này đã bắt đầu trước khi robot khởi động lại nên robot "
                                                    "không làm lại. Xin kiểm tra rồi gửi lệnh mới.")
        else:
            try:
                outcome = handler(command)
            except Exception:  # the handler's failure is the staff's answer, not a crash (the log has it)
                log.exception("robot command %s failed", command.action)
                outcome = Outcome.reject("failed", "Robot gặp lỗi khi thực hiện lệnh; kỹ thuật viên xem nhật ký.")
        reply = self.stamp.make(
            RobotReply, request_id=command.request_id, action=command.action,
            status="accepted" if outcome.accepted else "rejected", reason=outcome.reason, message=outcome.message,
        )
        self.bus.publish_many([reply], reply_for=key)

    def _replay(self, key: str) -> bool:
        stored = self.bus.outbox.reply(key)
        if stored is None:
            return False
        self.bus.publish_raw(stored)
        return True

    def _reject_unreadable(self, topic: str, payload: bytes, problem: str) -> None:
        """A counter command that cannot be executed is answered on the sender's response topic (the counter
        of the topic): `not_json`, `unknown_action` (missing or not one of COUNTER_ACTIONS) or
        `invalid_command` (anything else: wrong types, missing fields, another message type). Its request id and
        action are echoed when usable, else null. The English problem goes to the log only, bounded."""
        log.warning("invalid command on %s: %s", _short(topic), _short(problem))
        sender = _topic_counter(topic, self.bus.topic_root, self.stamp.site)
        if sender is None or not 1 <= sender <= 99:
            return
        fields: dict[str, object] = {}
        try:
            data = json.loads(payload)
        except ValueError:  # not UTF-8 either
            reason = "not_json"
        else:
            fields = data if isinstance(data, dict) else {}
            known = isinstance(data, dict) and fields.get("action") in COUNTER_ACTIONS
            reason = "invalid_command" if known or not isinstance(data, dict) else "unknown_action"
        request_id = fields.get("request_id")
        action = fields.get("action")
        reply = self.stamp.make(
            CounterReply, counter=sender, action=action if action in COUNTER_ACTIONS else None,
            request_id=request_id if isinstance(request_id, str) and 0 < len(request_id) <= 64 else None,
            status="rejected", reason=reason, message=REFUSALS[reason],
        )
        self.bus.publish(reply)
