"""The mosquitto ACL for one site (documented in docs/mqtt.md).

Roles, each a broker user:
- the robot (`robot`): reads and writes everything of its site, and Home Assistant discovery;
- counter n (`counter{n}`): writes only `{root}/{site}/counter/{n}/cmd` and `.../rating` (its rating tablet),
  reads its own counter's replies and the queue (`{root}/{site}/queue/#`);
- `board` (the waiting-room board): reads the queue and the robots' status, writes nothing;
- `monitor`: reads the whole site, writes nothing;
- `supervisor`: reads the whole site and sends staff commands to robots (`{root}/{site}/+/cmd`);
- `admin`: everything (bridges, maintenance).
Only the robot writes robot topics (`{root}/{site}/{robot}/...` except the `cmd` inbox) and queue topics.
"""

from __future__ import annotations

from collections.abc import Iterable


def acl_text(site: str, counters: Iterable[int], *, root: str = "letan/v1", discovery_prefix: str = "homeassistant",
             robot_user: str = "robot", user_prefix: str = "") -> str:
    """mosquitto acl_file text. `site` may be '+' for a broker shared by all sites (usernames then need a prefix)."""
    base = f"{root}/{site}"
    lines = [
        "# letan MQTT ACL (docs/mqtt.md): the robot writes robot and queue topics, counter n commands only",
        "# counter n and reads the queue, the monitor only reads, the supervisor commands robots.",
        f"user {user_prefix}admin",
        "topic readwrite #",
        "",
        f"user {user_prefix}{robot_user}",
        f"topic readwrite {base}/#",
        f"topic readwrite {discovery_prefix}/#",
        "",
        f"user {user_prefix}board",
        f"topic read {base}/queue/#",
        f"topic read {base}/+/status",
        "",
        f"user {user_prefix}monitor",
        f"topic read {base}/#",
        f"topic read {discovery_prefix}/#",
        "",
        f"user {user_prefix}supervisor",
        f"topic read {base}/#",
        f"topic write {base}/+/cmd",
        "",
    ]
    for n in sorted(set(counters)):
        lines += [
            f"user {user_prefix}counter{n}",
            f"topic write {base}/counter/{n}/cmd",
            f"topic write {base}/counter/{n}/rating",
            f"topic read {base}/counter/{n}/#",
            f"topic read {base}/queue/#",
            "",
        ]
    return "\n".join(lines)
