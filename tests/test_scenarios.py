"""Every shipped scenario, end to end: simulated devices, the real application, the real broker."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.clock import parse_at
from robot.config import load_catalogue_checked, load_centre
from robot.paths import DEFAULT_CENTRE, SCENARIOS_DIR
from robot.queue.policy import next_opening
from simulator.scenario import load_scenario, run_scenario
from simulator.session import SimOptions, SimSession

SCENARIOS = sorted(SCENARIOS_DIR.glob("*.yaml"))
CATALOGUE = load_catalogue_checked()


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_passes(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    centre = load_centre(scenario.centre_path() or DEFAULT_CENTRE, CATALOGUE)
    start = parse_at(scenario.at, centre.site.tz) if scenario.at else next_opening(centre.opening_hours, centre.now())
    with SimSession(SimOptions(centre=centre, start=start, workdir=tmp_path), CATALOGUE) as session:
        result = run_scenario(session, scenario)
    assert result.ok, "\n".join(result.failures())
