"""Every call made at a counter (by MQTT, a counter tool, anything writing the queue), said aloud and shown:
a consumer of the application's one queue event reader (robot/queue/reader.py)."""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.announcer import Announcement
from robot.parts.activity import ActivityFeed
from robot.queue import QueueEvent
from robot.voice import Loudspeaker


class CallAnnouncer:
    def __init__(self, feed: ActivityFeed, loudspeaker: Loudspeaker, after: int):
        """after: the id of the last event before the robot started (earlier calls are not said)."""
        self.feed = feed
        self.loudspeaker = loudspeaker
        self._last = after

    def position(self) -> int:
        return self._last

    def take(self, events: Sequence[QueueEvent]) -> None:
        for event in events:
            self._last = event.id
            if event.kind in ("called", "recalled") and event.counter is not None:
                text = Announcement(event.number, event.counter).text
                self.feed.emit("called", text, ticket=event.number, counter=event.counter, service=event.service)
                self.feed.emit("said", text, key="announce")
                self.loudspeaker.call(event.number, event.counter)
