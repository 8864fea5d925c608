"""Staff's robot commands (MQTT robot/cmd): a table from action to handler; the reply says what was done
(Vietnamese). ack-alert stays with the MQTT side (robot.mqtt.service)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from dialogs.manager import DialogManager
from robot.mqtt.commands import ROBOT_ACTION_NAMES, Outcome, RobotHandler, stop_reason_words
from robot.mqtt.messages import RobotCommand
from robot.parts.context import PartContext
from robot.parts.motion import Motion

ITEM_WORDS = {"water": "nước", "candy": "kẹo"}
CANNOT_MOVE = "Robot không di chuyển được (không có động cơ hoặc bị tắt)."


class StaffCommands:
    def __init__(self, ctx: PartContext, motion: Motion, *, lock: AbstractContextManager[object],
                 say: Callable[[str], None], abort_conversation: Callable[[], None],
                 manager: Callable[[], DialogManager | None]):
        """say: show and speak a sentence; abort_conversation: end the conversation in progress (a turn of its
        own); manager: the dialog manager, aborted directly while the lock is held."""
        self.manager = manager
        self.ctx = ctx
        self.motion = motion
        self.lock = lock
        self.say = say
        self.abort_conversation = abort_conversation
        self.paused = False
        self.handlers: dict[str, RobotHandler] = {
            "announce": self._announce, "pause": self._pause, "resume": self._resume,
            "go-to-base": self._go_to_base, "dispense": self._dispense, "refill": self._refill,
        }

    def __call__(self, command: RobotCommand) -> Outcome:
        handler = self.handlers.get(command.action)
        if handler is None:
            return Outcome.reject("not_supported",
                                  f"Robot chưa hỗ trợ lệnh {ROBOT_ACTION_NAMES.get(command.action, 'này')}.")
        return handler(command)

    def _announce(self, command: RobotCommand) -> Outcome:
        if not (command.text or "").strip():
            return Outcome.reject("text_required", "Cần nội dung thông báo.")
        self.say(command.text or "")
        return Outcome(True, message="Đã phát thông báo.")

    def _pause(self, command: RobotCommand) -> Outcome:
        self.paused = True
        self.abort_conversation()
        self.ctx.feed.emit("info", "paused by staff")
        self.ctx.changed()
        return Outcome(True, message="Robot đã tạm dừng tiếp dân.")

    def _resume(self, command: RobotCommand) -> Outcome:
        self.paused = False
        self.ctx.feed.emit("info", "resumed by staff")
        self.ctx.changed()
        return Outcome(True, message="Robot tiếp tục tiếp dân.")

    def _go_to_base(self, command: RobotCommand) -> Outcome:
        """Staff send the robot back to its base: the conversation in progress ends (aborted)."""
        behaviours = self.motion.behaviours
        if behaviours is None or not behaviours.can_move:
            return Outcome.reject("cannot_move", CANNOT_MOVE)
        with self.lock:  # never while the robot leads a citizen
            manager = self.manager()
            if manager is not None:
                manager.abort()
            result = behaviours.go_to_base()
        if result is not None and result.arrived:
            return Outcome(True, message="Robot đã về vị trí chờ.")
        reason = result.reason if result is not None else "cannot_move"
        return Outcome.reject(reason or "aborted", f"Robot không về được vị trí chờ ({stop_reason_words(reason)}).")

    def _dispense(self, command: RobotCommand) -> Outcome:
        """Hand out `quantity` items here, or at `location` (a place on the floor map) and come back to base."""
        item, quantity, location = command.item, command.quantity or 1, command.location
        behaviours = self.motion.behaviours
        if item is None:
            return Outcome.reject("item_required", "Cần chọn nước hoặc kẹo.")
        if behaviours is None or behaviours.dispenser is None:
            return Outcome.reject("no_dispenser", "Robot không có máy phát nước, kẹo.")
        if quantity > 20:
            return Outcome.reject("too_many", "Mỗi lần phát tối đa 20.")
        name = ITEM_WORDS.get(item, item)
        if location is not None and location not in behaviours.point.floor_map.locations:
            return Outcome.reject("unknown_location", f"Không có vị trí {location} trên sơ đồ.")
        if location is not None and (not behaviours.can_move or behaviours.navigator is None):
            return Outcome.reject("cannot_move", CANNOT_MOVE)
        served, why = 0, ""
        with self.lock:  # never while the robot talks with or leads a citizen
            if location is not None and behaviours.navigator is not None:
                going = behaviours.navigator.go_to(location)
                if not going.arrived:
                    return Outcome.reject(going.reason or "aborted",
                                          f"Robot không đến được {location} ({stop_reason_words(going.reason)}).")
            for _ in range(quantity):
                result = behaviours.hand_out(item)
                if not result.served:
                    why = result.reason
                    break
                served += 1
            if location is not None:
                behaviours.go_to_base()
        self.ctx.changed()
        if served == quantity:
            return Outcome(True, message=f"Đã phát {served} {name}.")
        return Outcome.reject(why or "failed", f"Đã phát {served}/{quantity} {name} ({stop_reason_words(why)}).")

    def _refill(self, command: RobotCommand) -> Outcome:
        """Staff refilled a bin: the count is `quantity` (default: full); no bin low any more resolves low_stock."""
        item, quantity = command.item, command.quantity
        behaviours = self.motion.behaviours
        if item is None:
            return Outcome.reject("item_required", "Cần chọn nước hoặc kẹo.")
        if behaviours is None or behaviours.dispenser is None or behaviours.stock is None:
            return Outcome.reject("no_dispenser", "Robot không có máy phát nước, kẹo.")
        stock = behaviours.stock
        if quantity is not None and quantity > stock.capacity[item]:
            return Outcome.reject("over_capacity", f"Ngăn {ITEM_WORDS[item]} chứa tối đa {stock.capacity[item]}.")
        stock.refill(item, quantity)
        if not any(stock.left(i) <= stock.low_at < stock.capacity[i] for i in stock.capacity):
            self.ctx.staff.resolve_alert("low_stock")
        self.ctx.changed()
        return Outcome(True, message=f"Đã ghi nhận {stock.left(item)} {ITEM_WORDS[item]}.")
