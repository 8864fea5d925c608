"""Motion: the drive (ZLAC8015D or through the MCU), the MCU's safety and dispenser, the navigator and the
behaviours, giving the dialog its Guide and Refreshments; each walk's status on the feed and, as
navigation.progress, for staff."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from dialogs.ports import Refreshments
from drivers.dispenser import Dispenser
from drivers.drive import DriveBase, DriveError, McuDrive, Zlac8015dDrive
from drivers.mcu_protocol import LinkError, McuLink
from robot.mqtt.messages import NavigationProgress
from robot.navigation.behaviours import MAKE_WAY, Behaviours, RobotGuide, RobotRefreshments
from robot.navigation.follower import NavStatus
from robot.navigation.stock import StockTracker
from robot.parts.adapters import FeedGuide
from robot.parts.alerts import AlertKind
from robot.parts.context import PartContext
from robot.parts.state import PartState
from robot.telemetry import NAV_STATUS, GoalNavigator, ProgressThrottle, remaining_along

log = logging.getLogger(__name__)


def stop_motors(drive: DriveBase) -> None:
    """At stop: the wheels to zero and latched there (a walk in progress gets no further command), then the
    port is closed. If the driver does not answer, its own watchdog and the MCU's stop the wheels."""
    try:
        drive.halt()
    except DriveError as exc:
        log.warning("stopping the motors: %s", exc)
    drive.close()


class Motion:
    def __init__(self, ctx: PartContext):
        self.ctx = ctx
        self.link: McuLink | None = None  # the MCU link (safety, dispenser, battery gauge) when one is configured
        self.navigator: GoalNavigator | None = None
        self.behaviours: Behaviours | None = None
        self.guide: FeedGuide | None = None
        self.walking: str | None = None  # guiding | returning | navigating while the robot moves
        self._goal_id = ""
        self._throttle = ProgressThrottle(1.0)

    def start(self, say: Callable[[str], None]) -> tuple[FeedGuide, Refreshments]:
        ctx = self.ctx
        devices = ctx.centre.devices
        drive_cfg, mcu_cfg = devices.drive, devices.mcu
        link = McuLink(mcu_cfg.port, mcu_cfg.baudrate) if mcu_cfg.port else None
        self.link = link
        if link is not None:
            ctx.closers.append(link.close)
        navigator = None
        try:
            drive: DriveBase | None = None
            if drive_cfg.kind == "zlac8015d" and drive_cfg.port:
                drive = Zlac8015dDrive(drive_cfg.port, baudrate=drive_cfg.baudrate,
                                       wheel_radius_m=drive_cfg.wheel_radius_m, wheel_base_m=drive_cfg.wheel_base_m,
                                       monotonic=ctx.clock.monotonic)
            elif drive_cfg.kind == "mcu" and link is not None:
                drive = McuDrive(link, wheel_radius_m=drive_cfg.wheel_radius_m, wheel_base_m=drive_cfg.wheel_base_m,
                                 monotonic=ctx.clock.monotonic)
            if drive is not None and devices.can_move:
                running = drive
                ctx.closers.append(lambda: stop_motors(running))
                drive.enable()
                point = ctx.centre.point()
                navigator = GoalNavigator(point.floor_map, drive, ctx.clock, ctx.centre.navigation,
                                          safety=link.safety if link is not None else None,
                                          on_status=self._on_status)
                base = ctx.centre.robot.base or point.floor_map.first_of_kind("dock") or "entrance"
                navigator.localise(base)
        except (DriveError, LinkError, OSError) as exc:
            navigator = None
            ctx.parts.report(AlertKind.NAVIGATION, PartState.unavailable(f"{exc}; the robot points the way instead"))
        else:
            if navigator is not None:
                where = drive_cfg.port or mcu_cfg.port
                ctx.parts.report(AlertKind.NAVIGATION, PartState.ok(f"{drive_cfg.kind} {where}"))
            else:
                ctx.parts.report(AlertKind.NAVIGATION,
                                 PartState.ok("no drive configured or can_move false: the robot points the way"))
        refresh = ctx.centre.refreshments
        stock = StockTracker({"water": refresh.water_capacity, "candy": refresh.candy_capacity}, refresh.low_stock,
                             lambda item, left: ctx.feed.emit("alert", f"{item}: {left} left",
                                                              kind=AlertKind.LOW_STOCK.value, reason=f"{left} left",
                                                              item=item))
        self.behaviours = Behaviours(
            ctx.centre, say, navigator=navigator, show_arrow=self._arrow,
            dispenser=Dispenser(link) if link is not None else None, stock=stock,
        )
        if navigator is not None:
            navigator.on_blocked = lambda: say(MAKE_WAY)
        self.navigator = navigator
        self.guide = FeedGuide(RobotGuide(self.behaviours), ctx.feed)
        return self.guide, RobotRefreshments(self.behaviours)

    def _on_status(self, status: NavStatus) -> None:
        """Each status of a walk: on the feed, as navigation progress for staff, in the robot's mode. A walk that
        is not a guide (FeedGuide alerts those) raises navigation_aborted when it stops short."""
        ctx = self.ctx
        ctx.feed.emit("guide", str(status), state=str(status.state), reason=status.reason)
        goal = (self.navigator.goal if self.navigator is not None else None) or "?"
        if status.state == "started":
            self._goal_id = uuid.uuid4().hex[:12]
            guiding = self.guide is not None and self.guide.guiding
            base = self.behaviours.base if self.behaviours is not None else None
            self.walking = "returning" if goal == base else "guiding" if guiding else "navigating"
        self._publish_progress(status, goal)
        if status.state in ("arrived", "aborted"):
            walking, self.walking = self.walking, None
            if status.state == "aborted" and walking != "guiding":
                ctx.feed.emit("alert", f"navigation aborted: {status.reason}", kind=AlertKind.NAVIGATION_ABORTED.value,
                              reason=status.reason, location=goal)
        if status.state in ("started", "arrived", "aborted"):
            ctx.changed()

    def _publish_progress(self, status: NavStatus, goal: str) -> None:
        """navigation.progress: every start, planning, arrival and abort; "going" at most once a second."""
        navigator = self.navigator
        if self.ctx.staff.mqtt is None or navigator is None or not self._throttle.admit(status.state, status.at):
            return
        remaining: float | None = None
        progress = 0.0
        route = navigator.last_route if status.state != "started" else None
        if status.state == "arrived":
            remaining, progress = 0.0, 1.0
        elif route is not None and route.goal == goal and route.length_m > 0:
            pose = navigator.pose()
            remaining = round(remaining_along(route.points, pose.x, pose.y), 2)
            progress = round(min(1.0, max(0.0, 1 - remaining / route.length_m)), 3)
        self.ctx.staff.publish(NavigationProgress, goal_id=self._goal_id, target=goal, status=NAV_STATUS[status.state],
                               progress=progress, remaining_m=remaining, reason=status.reason or None)

    def _arrow(self, bearing: float, label: str) -> None:
        self.ctx.feed.emit("guide", f"arrow on screen: {label}, {bearing:+.0f} degrees", bearing=bearing)

    def motors_state(self) -> str | None:
        """"fault" when the drive reports a fault, else None (the navigation part says the rest)."""
        if self.navigator is not None and self.navigator.drive.faults.any:
            return "fault"
        return None
