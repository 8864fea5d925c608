"""The command line (`letan ...`) and the benchmarks (`letan bench`): they sit on top of the application
(robot/) and the simulator (simulator/), which never import them."""
