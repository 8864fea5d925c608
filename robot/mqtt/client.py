"""The paho-mqtt 2.x connection: broker settings from a URL or the config, connect_async + loop thread,
QoS 1, a retained Last Will, TLS and username/password; and consumers' duplicate filter."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MessageState

from robot.config import MqttSettings, redact_url
from robot.mqtt.messages import Message

log = logging.getLogger(__name__)

EMBEDDED_HOST = "127.0.0.1"
EMBEDDED_PORT = 1883


class BrokerUrlError(ValueError):
    """A --broker URL or mqtt.url that cannot be used (English, for technicians)."""


@dataclass(frozen=True)
class BrokerSettings:
    host: str = EMBEDDED_HOST
    port: int = EMBEDDED_PORT
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: str | None = None

    @classmethod
    def from_url(cls, url: str) -> BrokerSettings:
        """Parse ``mqtt://[user:pass@]host[:port]`` (or ``mqtts://`` for TLS, default port 8883)."""
        try:
            parts = urlsplit(url.strip())
            parts.hostname  # noqa: B018  (raises for a malformed IPv6 host)
        except ValueError as error:
            raise BrokerUrlError(
                f"broker URL {_redact(url)!r}: {error}; expected mqtt://[user:pass@]host:port") from None
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise BrokerUrlError(f"broker URL {_redact(url)!r}: expected mqtt://[user:pass@]host:port")
        if not parts.hostname:
            raise BrokerUrlError(f"broker URL {_redact(url)!r} has no host")
        tls = parts.scheme in ("mqtts", "ssl")
        try:
            port = parts.port or (8883 if tls else 1883)
        except ValueError:
            raise BrokerUrlError(f"broker URL {_redact(url)!r}: the port must be a number 1-65535") from None
        if parts.path not in ("", "/") or parts.query:
            raise BrokerUrlError(f"broker URL {_redact(url)!r}: expected no path or query after host:port")
        return cls(
            host=parts.hostname, port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None, tls=tls,
        )

    @classmethod
    def from_config(cls, mqtt_settings: MqttSettings, override_url: str | None = None) -> BrokerSettings:
        """The broker to use: --broker URL, else mqtt.url, else the embedded broker on 127.0.0.1.

        Username/password/TLS from the config apply unless the URL names them."""
        url = override_url or mqtt_settings.url
        base = cls.from_url(url) if url else cls(port=mqtt_settings.embedded_port)
        return replace(
            base,
            username=base.username or mqtt_settings.username,
            password=base.password or mqtt_settings.password,
            tls=base.tls or mqtt_settings.tls,
            ca_file=mqtt_settings.ca_file,
        )

    @property
    def display(self) -> str:
        """The URL without the password, for logs and screens."""
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


def _redact(url: str) -> str:
    """The URL without its password, also when it does not parse, cut to a readable length."""
    url = redact_url(url)
    return url if len(url) <= 120 else url[:120] + "..."


MessageHandler = Callable[[str, bytes], None]


class MqttLink:
    """One paho client: connects in the background, reconnects by itself, re-subscribes on every connect.

    `will` is published (retained) by the broker if the connection drops without a DISCONNECT.
    `on_connect_hooks` run in the loop thread after each successful connect (e.g. publish 'online').
    """

    def __init__(
        self, settings: BrokerSettings, client_id: str, *, clean_session: bool = True,
        will: Message | None = None, topic_root: str = "letan/v1", max_inflight: int = 100,
        reconnect_max_s: float = 5.0,
    ):
        self.settings = settings
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean_session, protocol=mqtt.MQTTv311,
        )
        if settings.username:
            self.client.username_pw_set(settings.username, settings.password)
        if settings.tls:
            self.client.tls_set(ca_certs=settings.ca_file)
        if will is not None:
            self.client.will_set(will.topic(topic_root), will.to_json(), qos=1, retain=True)
        self.client.max_inflight_messages_set(max_inflight)
        self.client.reconnect_delay_set(min_delay=1, max_delay=max(1, int(reconnect_max_s)))
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # set when the broker has acknowledged a SUBSCRIBE
        self.last_refusal: str | None = None
        self.connect_failures = 0  # attempts that reached no broker (connection refused, host unreachable)
        self.on_connect_hooks: list[Callable[[], None]] = []
        self._subscriptions: dict[str, tuple[int, MessageHandler]] = {}
        self._lock = threading.Lock()
        self._live = False  # connected and subscriptions sent (set with _lock held)
        self._generation = 0  # +1 at every connect and disconnect
        self._resent_in = -1  # the generation in which paho had re-sent what it kept from before a reconnect
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_connect_fail = self._on_connect_fail

    def start(self) -> None:
        self.client.connect_async(self.settings.host, self.settings.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.connected.clear()

    def wait_connected(self, timeout: float) -> bool:
        """True once connected; False after `timeout` or as soon as the broker refuses the login."""
        deadline = time.monotonic() + timeout
        while not self.connected.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
            if self.last_refusal is not None or time.monotonic() >= deadline:
                return False
        return True

    def ready_for_new_messages(self) -> bool:
        """Connected, and paho has re-sent what it held from before the reconnect.

        paho marks the client connected before its CONNACK handler re-sends the messages it kept; a new
        publish in between would overtake them. So wait until none is left in the 're-send' state
        (this reads paho's message table under paho's own lock)."""
        if not self.connected.is_set():
            return False
        generation = self._generation
        if self._resent_in == generation:
            return True  # checked once since this connect: new messages are sent as they come
        with self.client._out_message_mutex:
            waiting = any(m.state == MessageState.MQTT_MS_PUBLISH for m in self.client._out_messages.values())
        if not waiting:
            self._resent_in = generation  # a reconnect meanwhile has a new generation: checked again
        return not waiting

    def subscribe(self, topic_filter: str, handler: MessageHandler, qos: int = 1) -> None:
        with self._lock:
            self._subscriptions[topic_filter] = (qos, handler)
            live = self._live  # under the lock: _on_connect either sees this filter or we subscribe now
        if live:
            self.client.subscribe(topic_filter, qos)

    def publish_now(self, message: Message, topic_root: str) -> None:
        """Publish outside the outbox: only for state that is re-sent on every connect (availability)."""
        self.client.publish(message.topic(topic_root), message.to_json(), qos=1, retain=message.retain)

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object) -> None:
        if getattr(reason, "is_failure", False):
            self.last_refusal = str(reason)
            log.warning("broker %s refused the connection: %s", self.settings.display, reason)
            return
        self.last_refusal = None
        self._generation += 1
        with self._lock:
            subs = list(self._subscriptions.items())
            self._live = True
        for topic_filter, (qos, _handler) in subs:
            client.subscribe(topic_filter, qos)
        for hook in self.on_connect_hooks:
            hook()
        self.connected.set()

    def _on_connect_fail(self, client: mqtt.Client, userdata: object) -> None:
        self.connect_failures += 1

    def _on_disconnect(
        self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object,
    ) -> None:
        with self._lock:
            self._live = False
        self._generation += 1
        self.connected.clear()

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            handlers = [h for f, (_q, h) in self._subscriptions.items() if mqtt.topic_matches_sub(f, msg.topic)]
        for handler in handlers:
            try:
                handler(msg.topic, bytes(msg.payload))
            except Exception:  # one bad message must not stop the loop thread
                log.exception("handler for %s failed", msg.topic)


class Deduplicator:
    """Remembers the last `capacity` event ids: consumers drop messages they have already seen."""

    def __init__(self, capacity: int = 100_000):
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._seen:
                self._seen.move_to_end(event_id)
                return False
            self._seen[event_id] = None
            if len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True
