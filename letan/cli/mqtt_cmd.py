"""`letan monitor` (live dashboard for centre staff) and `letan counter N` (counter console), over MQTT."""

from __future__ import annotations

import json
import queue
import sys
import time
import uuid
from pathlib import Path

import typer
from rich.live import Live
from rich.markup import escape

from letan.cli.common import CONFIG_OPTION, console, load_centre_or_exit
from robot.clock import SystemClock
from robot.config import CentreConfig
from robot.mqtt.client import BrokerSettings, BrokerUrlError, MqttLink
from robot.mqtt.commands import COUNTER_ACTION_NAMES
from robot.mqtt.dashboard import DashboardState, render
from robot.mqtt.messages import COUNTER_ACTIONS, CounterCommand, MessageError, Stamper, parse_message

BROKER_OPTION = typer.Option(None, "--broker", help="mqtt://[user:pass@]host:port (default: the config's mqtt.url, "
                                                     "else the embedded broker on 127.0.0.1).")


def _settings_or_exit(centre: CentreConfig, broker: str | None) -> BrokerSettings:
    try:
        return BrokerSettings.from_config(centre.mqtt, broker)
    except BrokerUrlError as error:
        print(f"error: {error}", file=sys.stderr)
        raise typer.Exit(2) from None


def _connect_or_exit(link: MqttLink, timeout: float) -> None:
    link.start()
    if not link.wait_connected(timeout):
        reason = link.last_refusal or "no answer"
        print(f"error: cannot connect to the MQTT broker {link.settings.display} ({reason})", file=sys.stderr)
        link.stop()
        raise typer.Exit(1)


def monitor(
    config: Path = CONFIG_OPTION, broker: str | None = BROKER_OPTION,
    seconds: float = typer.Option(0, "--seconds", help="Stop after this many seconds and print the last screen "
                                                       "(0: run until Ctrl+C)."),
) -> None:
    """Live dashboard: waiting per service, last calls per counter, today's totals, robot health, alerts."""
    centre = load_centre_or_exit(config)
    settings = _settings_or_exit(centre, broker)
    root = f"{centre.mqtt.topic_root}/{centre.site.id}"
    inbox: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    link = MqttLink(settings, f"letan-monitor-{uuid.uuid4().hex[:8]}")
    link.subscribe(f"{root}/#", lambda topic, payload: inbox.put(payload))
    _connect_or_exit(link, 10)
    state = DashboardState()
    title = f"{centre.site.name} ({settings.display})"
    deadline = time.monotonic() + seconds if seconds > 0 else None
    try:
        with Live(render(state, title), console=console, refresh_per_second=4, transient=False) as live:
            while deadline is None or time.monotonic() < deadline:
                try:
                    payload = inbox.get(timeout=0.25)
                except queue.Empty:
                    continue
                try:
                    state.apply(parse_message(payload))
                except MessageError:
                    continue  # not a letan message (or another version): ignore
                live.update(render(state, title))
    except KeyboardInterrupt:
        pass
    finally:
        link.stop()


HELP_VI = ("Lệnh: next (gọi số tiếp), recall (gọi lại), call A012 (gọi số), serve (bắt đầu phục vụ), done (xong), "
           "noshow (vắng), transfer DỊCH_VỤ (chuyển), park (tạm hoãn), unpark A012 (tiếp tục), quit (thoát)")
ALIASES = {"n": "call-next", "next": "call-next", "call-next": "call-next", "r": "recall", "recall": "recall",
           "c": "call", "call": "call", "d": "done", "done": "done", "x": "no-show", "noshow": "no-show",
           "no-show": "no-show", "t": "transfer", "transfer": "transfer", "s": "serve", "serve": "serve",
           "p": "park", "park": "park", "u": "unpark", "unpark": "unpark"}


def parse_console_line(line: str) -> tuple[str, str | None] | None:
    """(action, argument) for a console line, or None when it is not a command."""
    words = line.strip().split()
    if not words or words[0].lower() not in ALIASES:
        return None
    action = ALIASES[words[0].lower()]
    argument = words[1] if len(words) > 1 else None
    if action in ("call", "unpark") and argument:
        argument = argument.upper()
    return action, argument


def counter(
    number: int = typer.Argument(..., help="Counter number (quầy)."),
    config: Path = CONFIG_OPTION, broker: str | None = BROKER_OPTION,
    timeout: float = typer.Option(5.0, "--timeout", help="Seconds to wait for each reply."),
) -> None:
    """Counter console: call next, recall, call a number, done, no-show, transfer. Reads a terminal or piped stdin."""
    centre = load_centre_or_exit(config)
    desks = [c for p in centre.reception_points for c in p.counters]
    if number not in {c.number for c in desks}:
        print(f"error: counter {number} is not in {config}; expected one of {sorted({c.number for c in desks})}",
              file=sys.stderr)
        raise typer.Exit(2)
    settings = _settings_or_exit(centre, broker)
    root = centre.mqtt.topic_root
    stamp = Stamper(centre.site.id, f"counter-{number}", SystemClock(centre.site.tz))
    replies: queue.SimpleQueue[dict[str, object]] = queue.SimpleQueue()
    link = MqttLink(settings, f"letan-counter{number}-{uuid.uuid4().hex[:8]}")
    link.subscribe(f"{root}/{centre.site.id}/counter/{number}/response", lambda t, p: replies.put(json.loads(p)))
    _connect_or_exit(link, 10)
    time.sleep(0.2)  # let the subscription settle before the first command
    interactive = sys.stdin.isatty()
    failures = 0
    if interactive:
        console.print(f"Quầy {number} — {centre.site.name}. {HELP_VI}")
    try:
        for line in sys.stdin:
            if line.strip().lower() in ("q", "quit", "exit"):
                break
            parsed = parse_console_line(line)
            if parsed is None:
                if line.strip():
                    console.print(f"Không hiểu lệnh {line.strip()!r}. {HELP_VI}")
                continue
            action, argument = parsed
            assert action in COUNTER_ACTIONS
            command = stamp.make(CounterCommand, counter=number, request_id=uuid.uuid4().hex, action=action,
                                 ticket=argument if action in ("call", "unpark") else None,
                                 service=argument if action == "transfer" else None)
            reply = _send(link, command, root, replies, timeout)
            if reply is None:
                failures += 1
                console.print(f"Không nhận được trả lời cho lệnh {COUNTER_ACTION_NAMES[action]} "
                              "(máy chủ MQTT hoặc robot không phản hồi).")
            else:  # the robot's Vietnamese message (its reason code only if it sent none)
                mark = "OK" if reply.get("status") == "accepted" else "TỪ CHỐI"
                console.print(f"[{mark}] {escape(str(reply.get('message') or reply.get('reason')))}")
    except KeyboardInterrupt:
        pass
    finally:
        link.stop()
    if failures:
        raise typer.Exit(1)


def _send(link: MqttLink, command: CounterCommand, root: str, replies: queue.SimpleQueue[dict[str, object]],
          timeout: float) -> dict[str, object] | None:
    """Send, wait for the reply with this request id; resend once (same request id: executed at most once)."""
    for _attempt in range(2):
        link.client.publish(command.topic(root), command.to_json(), qos=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = replies.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if reply.get("request_id") == command.request_id:
                return reply
    return None


def register(app: typer.Typer) -> None:
    """Add this module's commands to the letan app."""
    app.command("monitor")(monitor)
    app.command("counter")(counter)
