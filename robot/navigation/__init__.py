"""Navigation: route planning on the floor map, the path follower, behaviours for the dialog.

- planner.py: `plan()`, `plan_from()`, `resolve_place()` (networkx shortest paths)
- follower.py: `PathFollower` (pure per-tick decisions) and `NavStatus`
- navigator.py: `Navigator` (the control loop doing the I/O)
- behaviours.py: guide to a counter, point to, serve refreshments, go to base; `RobotGuide` and
  `RobotRefreshments` implement dialogs.ports.Guide / Refreshments
- stock.py: `StockTracker` with the low-stock alert
"""
