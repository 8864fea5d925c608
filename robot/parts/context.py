"""What every part is built with: the centre, the clock, the feed, the part board, the staff link, the
list of what to close at stop, and `changed` (a part's change may change robot.status)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dialogs.catalogue import Catalogue
from robot.clock import Clock
from robot.config import CentreConfig
from robot.parts.activity import ActivityFeed
from robot.parts.staff_link import StaffLink
from robot.parts.state import PartBoard


@dataclass
class PartContext:
    centre: CentreConfig
    catalogue: Catalogue
    clock: Clock
    feed: ActivityFeed
    parts: PartBoard
    staff: StaffLink
    changed: Callable[[], None]  # publish robot.status if a field changed
    closers: list[Callable[[], None]] = field(default_factory=list)


DEVICE_WAIT_S = 2.0  # at start, how long a device (scanner port, broker) has to answer before it is "unavailable"
