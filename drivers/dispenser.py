"""Water and candy dispenser on the microcontroller line protocol (see drivers/mcu_protocol.py).

`d water` / `d candy` drops one item; `k` reads the stock sensors (1 = items present in the bin).
The robot's stock count and low-stock alert live in robot/navigation/stock.py; this module only
talks to the device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drivers.mcu_protocol import LinkError, McuLink, SafetyInputs

ITEMS = ("water", "candy")
Outcome = Literal["ok", "empty", "jam", "comm"]


@dataclass(frozen=True)
class DispenseResult:
    item: str
    outcome: Outcome
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class StockSensors:
    water: bool  # True = the bin still has items
    candy: bool

    def present(self, item: str) -> bool:
        return bool(getattr(self, item))


class Dispenser:
    def __init__(self, link: McuLink):
        self.link = link

    def dispense(self, item: str) -> DispenseResult:
        if item not in ITEMS:
            raise ValueError(f"unknown item {item!r}; expected one of {ITEMS}")
        try:
            reply = self.link.request(f"d {item}")
        except LinkError as exc:
            return DispenseResult(item, "comm", str(exc))
        if reply == "ok":
            return DispenseResult(item, "ok")
        if reply == "err empty":
            return DispenseResult(item, "empty")
        if reply == "err jam":
            return DispenseResult(item, "jam")
        return DispenseResult(item, "comm", f"unexpected reply {reply!r}")

    def sensors(self) -> StockSensors:
        """Stock sensors; raises LinkError when the MCU does not answer."""
        reply = self.link.request("k")
        parts = reply.split()
        if len(parts) != 2 or any(p not in ("0", "1") for p in parts):
            raise LinkError(f"stock reply is not two 0/1 flags: {reply!r}")
        return StockSensors(water=parts[0] == "1", candy=parts[1] == "1")

    def safety(self) -> SafetyInputs:
        """E-stop, bumpers and obstacle distance (same MCU)."""
        return self.link.safety()
