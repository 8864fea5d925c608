"""The staff pages and the waiting-room calling board, served by `letan web` (docs/staff.md).

Fed by MQTT only (the documented `letan/v1/{site}/...` topics): `state` builds what the pages show from the
messages, `audio` renders the spoken calls, `app` is the Starlette app (board, counter consoles, rating tablets,
manager page) and its logins, each a broker user. Imports only robot/ and dialogs/.
"""
