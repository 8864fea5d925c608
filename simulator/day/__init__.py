"""A simulated working day at a centre: citizens arrive, talk to the robot, take tickets, counters serve.

Everything goes through the real parts: each citizen's typed utterance goes to the real dialog manager
(with the real understander), whose queue desk is the real queue engine on a SQLite file; counters call
the next ticket on the same engine. The calendar (when the centre opens, when issuing stops) is the queue
policy's (robot/queue/policy.py).

- `plan.py`: the day's plan (arrivals, procedures, utterances, service times, no-shows) from a seeded
  random generator, and the what-if centre with other counters. Pure.
- `conversation.py`: one citizen at the robot's real dialog, and what came of it.
- `run.py`: the day on a simulated clock moved from event to event (`simulate_day`, `run_day`,
  `run_day_report`).
- `kpis.py`: each visit and the day's figures. Pure.
- `report.py`: summary.md, the PNG chart, kpis.json and the lines `letan sim day` prints.
"""

from simulator.day.kpis import DayKpis, DayRun, Visit, compute_kpis, queue_lengths
from simulator.day.plan import Citizen, DayPlan, plan_day, procedure_mix, with_counters
from simulator.day.report import DayReport
from simulator.day.run import DayError, run_day, run_day_report, scratch_dir, simulate_day

__all__ = [
    "Citizen", "DayError", "DayKpis", "DayPlan", "DayReport", "DayRun", "Visit", "compute_kpis", "plan_day",
    "procedure_mix", "queue_lengths", "run_day", "run_day_report", "scratch_dir", "simulate_day", "with_counters",
]
