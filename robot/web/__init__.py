"""The citizen's touch screen: a web page served by the robot application (docs/screen.md).

Imports only robot/ and dialogs/: `part.ScreenPart` (the Starlette app on uvicorn, one more part of the
application), `screen` (what it shows), `search` (results as the citizen types).
"""
