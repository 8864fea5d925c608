"""The application's parts, each with one concern; robot/app.py composes them (README, "Folders").

activity.py (the feed of what the robot did), state.py (typed part states), alerts.py (alert kinds and
their staff alerts), staff_link.py (the MQTT side as parts use it), adapters.py (the dialog's ports on the
feed), voice_out.py (speech output), listening.py (speech input), printer.py (ticket printer and desk),
motion.py (drive, navigation, dispenser), sensors.py (QR scanner and camera), bus.py (MQTT start-up),
services.py (CPU, queue, dossiers, dialog, screen), sessions.py (dialog session telemetry),
status.py (robot.status heartbeat, battery and printer checks), staff_commands.py (robot/cmd handlers),
announcer.py (counters' calls said aloud)."""
