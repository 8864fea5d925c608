"""Dispenser over the MCU protocol (simulated MCU on a pty), stock count and the low-stock alert."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from drivers.dispenser import Dispenser
from drivers.mcu_protocol import McuLink
from robot.config import load_centre
from robot.navigation.behaviours import Behaviours, RobotRefreshments
from robot.navigation.stock import StockTracker
from simulator.motors import SimMcu
from simulator.world import World
from tests.conftest import CUA_NAM


def test_dispensing_until_empty_raises_the_low_stock_alert(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    world = World(centre.point().floor_map, (12.0, 3.0, math.pi / 2), start_time=datetime(2026, 1, 5, tzinfo=UTC))
    sim = SimMcu(world, tmp_path / "mcu", drives_wheels=False, water=5, candy=2)
    link = McuLink(str(sim.path))
    alerts: list[tuple[str, int]] = []
    said: list[str] = []
    stock = StockTracker({"water": 5, "candy": 2}, low_at=2, on_low=lambda item, left: alerts.append((item, left)))
    behaviours = Behaviours(centre, said.append, dispenser=Dispenser(link), stock=stock)
    refreshments = RobotRefreshments(behaviours)
    try:
        results = [refreshments.dispense("water") for _ in range(7)]
        assert results == [True] * 5 + [False] * 2
        assert alerts == [("water", 2)]  # once, when 2 were left
        assert sim.stock["water"] == 0
        assert said == []  # the dialog says how it went, with the citizen's form of address
        assert behaviours.hand_out("water", address="bác").reason == "out_of_stock"
        assert said == ["Xin lỗi bác, hiện cháu hết nước rồi ạ."]
        assert Dispenser(link).sensors().water is False
        # The count says candy is there but the bin is empty: the dispenser's answer wins and alerts.
        sim.stock["candy"] = 0
        assert refreshments.dispense("candy") is False
        assert alerts[-1] == ("candy", 0)
        stock.refill("water")
        sim.stock["water"] = 5
        assert refreshments.dispense("water") is True
        assert stock.left("water") == 4
    finally:
        link.close()
        sim.close()


def test_jammed_dispenser_is_reported(tmp_path: Path) -> None:
    centre = load_centre(CUA_NAM)
    world = World(centre.point().floor_map, (12.0, 3.0, 0.0), start_time=datetime(2026, 1, 5, tzinfo=UTC))
    sim = SimMcu(world, tmp_path / "mcu", drives_wheels=False)
    link = McuLink(str(sim.path))
    try:
        sim.jammed = True
        result = Dispenser(link).dispense("candy")
        assert result.outcome == "jam" and not result.ok
        sim.host.unplug()
        assert Dispenser(link).dispense("candy").outcome == "comm"
    finally:
        link.close()
        sim.close()
