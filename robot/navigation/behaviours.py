"""Behaviours the dialog asks for: guide to a counter, point to a place, serve refreshments, go to base.

`Behaviours` composes the navigator, the dispenser and the stock count; what the robot says is
Vietnamese (via `say`), rendered by dialogs.prompts with the citizen's form of address, what it logs
is English. `RobotGuide` and `RobotRefreshments` are the implementations of dialogs.ports.Guide /
Refreshments the application hands to the dialog manager.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from dialogs.numbers import counter_words, number_words
from dialogs.ports import GuideResult
from dialogs.prompts import ITEMS, render
from drivers.dispenser import Dispenser
from drivers.mcu_protocol import LinkError
from robot.config import CentreConfig, ReceptionPoint
from robot.navigation.navigator import Navigator, NavResult
from robot.navigation.planner import UnknownLocation, resolve_place
from robot.navigation.stock import StockTracker

Say = Callable[[str], None]
ShowArrow = Callable[[float, str], None]  # (bearing in degrees relative to the robot's front, CCW positive; label)

MAKE_WAY = render("make_way").text  # said to whoever stands in the way, not to the citizen
ITEM_NAMES = ITEMS
DEFAULT_ADDRESS = "ông/bà"


def direction_words(bearing_deg: float) -> str:
    """Vietnamese words for a direction relative to the robot's front (CCW positive = left)."""
    b = (bearing_deg + 180) % 360 - 180
    side = "bên trái" if b > 0 else "bên phải"
    if abs(b) <= 20:
        return "ngay phía trước"
    if abs(b) <= 70:
        return f"phía trước, {side}"
    if abs(b) <= 110:
        return side
    if abs(b) <= 160:
        return f"phía sau, {side}"
    return "phía sau"


def place_name(point: ReceptionPoint, location: str, counter: int | None) -> str:
    """The place as shown on the screen: 'quầy số 5 (Hộ tịch)', 'nhà vệ sinh'."""
    if counter is not None:
        label = next((c.label for c in point.counters if c.number == counter), "")
        return f"quầy số {counter}" + (f" ({label})" if label else "")
    label = point.floor_map.locations[location].label
    return label[:1].lower() + label[1:] if label else location.replace("_", " ")


def spoken_place(point: ReceptionPoint, location: str, counter: int | None) -> str:
    """The place as said: 'quầy số năm', 'nhà vệ sinh'."""
    return counter_words(counter) if counter is not None else place_name(point, location, None)


@dataclass(frozen=True)
class ServeResult:
    served: bool
    reason: str = ""  # out_of_stock | jam | comm | obstacle | stuck | e_stop | unreachable | fault


class Behaviours:
    def __init__(
        self, centre: CentreConfig, say: Say, *, navigator: Navigator | None = None,
        show_arrow: ShowArrow | None = None, dispenser: Dispenser | None = None, stock: StockTracker | None = None,
    ):
        self.centre = centre
        self.point = centre.point()
        self.say = say
        self.navigator = navigator
        self.show_arrow = show_arrow
        self.dispenser = dispenser
        self.stock = stock
        self.base = centre.robot.base or self.point.floor_map.first_of_kind("dock") or "entrance"
        self.log: list[str] = []  # English lines for technicians

    @property
    def can_move(self) -> bool:
        return self.centre.devices.can_move and self.navigator is not None

    def _say(self, key: str, address: str = DEFAULT_ADDRESS, **fields: object) -> None:
        self.say(render(key, address, **fields).text)

    # -- guiding ------------------------------------------------------------------------------
    def guide(self, place: str, counter: int | None = None, return_to_base: bool = True, *,
              address: str = DEFAULT_ADDRESS, with_ticket: bool = True) -> GuideResult:
        """Lead the citizen there (or point when the robot must not move), addressing them with `address`.
        `return_to_base=False` stays at the place (the dialog says goodbye there first)."""
        try:
            location = resolve_place(self.point, place, counter)
        except UnknownLocation as exc:
            self.log.append(f"guide: {exc}")
            self._say("not_on_map", address)
            return GuideResult(False, "unreachable")
        name = place_name(self.point, location, counter)
        spoken = spoken_place(self.point, location, counter)
        if not self.can_move or self.navigator is None:
            self.point_to(location, name, spoken)
            return GuideResult(False, "not_allowed", pointed=True)
        self._say("guide_start", address, place=spoken)
        result = self.navigator.go_to(location, self.centre.navigation.guide_speed_mps)
        self.log.append(f"guide to {location}: {'arrived' if result.arrived else 'aborted ' + result.reason}"
                        f" ({result.detail})")
        if result.arrived:
            arrived = "guide_arrived" if counter is None else (
                "guide_arrived_counter" if with_ticket else "guide_arrived_counter_no_ticket")
            self._say(arrived, address, place=spoken)
            if return_to_base:
                self.go_to_base()
            return GuideResult(True, "")
        self._say("guide_stopped", address)
        self.point_to(location, name, spoken)
        return GuideResult(False, result.reason, pointed=True)

    def guide_to_counter(self, number: int, return_to_base: bool = True, *,
                         address: str = DEFAULT_ADDRESS) -> GuideResult:
        return self.guide("counter", number, return_to_base, address=address)

    def point_to(self, location: str, name: str | None = None, spoken: str | None = None) -> float:
        """Face the place if the robot may turn, show an arrow (labelled `name`) and say where it is (`spoken`).
        Returns the bearing (deg)."""
        fmap = self.point.floor_map
        target = fmap.locations[location]
        name = name or place_name(self.point, location, None)
        spoken = spoken or name
        if self.navigator is not None and self.centre.devices.drive.kind != "none":
            self.navigator.turn_towards(target.x, target.y)
            pose = self.navigator.pose()
            x, y, heading = pose.x, pose.y, pose.theta
        else:
            here = fmap.locations[self.base]
            x, y, heading = here.x, here.y, math.pi / 2
        bearing = math.degrees(math.atan2(target.y - y, target.x - x) - heading)
        bearing = (bearing + 180) % 360 - 180
        if self.show_arrow is not None:
            self.show_arrow(bearing, name)
        distance = math.hypot(target.x - x, target.y - y)
        metres = number_words(max(1, round(distance)))
        self._say("point_to", place=spoken, direction=direction_words(bearing), metres=metres)
        return bearing

    def go_to_base(self) -> NavResult | None:
        """Go back to the base (dock) to wait or charge."""
        if not self.can_move or self.navigator is None:
            return None
        result = self.navigator.go_to(self.base)
        self.log.append(f"base: {'arrived' if result.arrived else 'aborted ' + result.reason} ({result.detail})")
        return result

    # -- refreshments -------------------------------------------------------------------------
    def hand_out(self, item: str, *, address: str = DEFAULT_ADDRESS, speak: bool = True) -> ServeResult:
        """Dispense one item here and now, keeping the stock count, and say how it went (`speak=False` when
        the dialog says it itself, as with RobotRefreshments)."""
        served = self._dispense(item)
        if speak and self.dispenser is not None:
            if served.served or served.reason == "out_of_stock":
                self._say("refreshment" if served.served else "refreshment_out", address,
                          item=ITEM_NAMES.get(item, item))
            else:
                self._say("dispenser_fault", address)
        return served

    def _dispense(self, item: str) -> ServeResult:
        if self.dispenser is None:
            return ServeResult(False, "comm")
        if self.stock is not None and not self.stock.available(item):
            return ServeResult(False, "out_of_stock")
        result = self.dispenser.dispense(item)
        if result.ok:
            if self.stock is not None:
                self.stock.took(item)
            return ServeResult(True)
        if result.outcome == "empty":
            if self.stock is not None:
                self.stock.sensor_empty(item)
            return ServeResult(False, "out_of_stock")
        self.log.append(f"dispense {item}: {result.outcome} {result.detail}")
        return ServeResult(False, result.outcome)

    def serve_refreshments(self, item: str, *, address: str = DEFAULT_ADDRESS) -> ServeResult:
        """Go to the water station, dispense, come back to where the robot was."""
        if not self.can_move or self.navigator is None:
            return self.hand_out(item, address=address)
        origin = self.navigator.location or self.base
        station = self.point.floor_map.first_of_kind("water_station")
        if station is None:
            return self.hand_out(item, address=address)
        going = self.navigator.go_to(station)
        if not going.arrived:
            return ServeResult(False, going.reason)
        served = self.hand_out(item, address=address)
        back = self.navigator.go_to(origin)
        if not back.arrived:
            return ServeResult(False, back.reason)
        return served

    def check_stock_sensors(self) -> None:
        """Trust the bins' sensors over the count when they say empty."""
        if self.dispenser is None or self.stock is None:
            return
        try:
            sensors = self.dispenser.sensors()
        except LinkError as exc:
            self.log.append(f"stock sensors: {exc}")
            return
        for item in ITEM_NAMES:
            if not sensors.present(item) and self.stock.available(item):
                self.stock.sensor_empty(item)


class RobotGuide:
    """dialogs.ports.Guide for the application: leads (or points), stays at the place on arrival; the dialog
    says goodbye there and then calls return_to_base()."""

    def __init__(self, behaviours: Behaviours):
        self.behaviours = behaviours

    def guide_to(self, place: str, counter: int | None = None, address: str = DEFAULT_ADDRESS,
                 with_ticket: bool = True) -> GuideResult:
        return self.behaviours.guide(place, counter, return_to_base=False, address=address, with_ticket=with_ticket)

    def return_to_base(self) -> None:
        self.behaviours.go_to_base()


class RobotRefreshments:
    """dialogs.ports.Refreshments for the application: hand out on the spot, with the stock count. The dialog
    says the outcome with the citizen's form of address, so this says nothing itself."""

    def __init__(self, behaviours: Behaviours):
        self.behaviours = behaviours

    def dispense(self, item: str) -> bool:
        return self.behaviours.hand_out(item, speak=False).served
