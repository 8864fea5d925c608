"""The embedded broker: amqtt 0.12 (MQTT 3.1.1) on 127.0.0.1, started when no broker URL is
configured so the demo and a single-kiosk centre work out of the box. It runs its asyncio loop in
a thread of its own; anonymous clients, loopback only (a centre with staff devices on the network
configures a real broker with users, ACL and TLS)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

from robot.mqtt.client import EMBEDDED_HOST, BrokerSettings

log = logging.getLogger(__name__)


class EmbeddedBrokerError(RuntimeError):
    pass


class EmbeddedBroker:
    def __init__(self, port: int, host: str = EMBEDDED_HOST):
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def settings(self) -> BrokerSettings:
        return BrokerSettings(host=self.host, port=self.port)

    def start(self, timeout: float = 10.0) -> None:
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="letan-embedded-broker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise EmbeddedBrokerError(f"the embedded MQTT broker did not start within {timeout} s")
        if self._error is not None:
            raise EmbeddedBrokerError(
                f"cannot start the embedded MQTT broker on {self.host}:{self.port}: {self._error}"
            ) from None

    def stop(self) -> None:
        if self._loop is None or self._broker is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        try:
            future.result(timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)

    async def _shutdown(self) -> None:
        """Free the port first, then shut down; amqtt's shutdown can hang with clients connected."""
        for server in getattr(self._broker, "_servers", {}).values():
            instance = getattr(server, "instance", None)
            if instance is not None:
                instance.close()  # stop listening now, so the port can be bound again at once
        try:
            await asyncio.wait_for(self._broker.shutdown(), timeout=3)
        except (TimeoutError, Exception) as error:  # the port is already free; say why and go on
            log.warning("embedded MQTT broker shutdown did not finish cleanly: %r", error)
        current = asyncio.current_task()
        leftovers = [task for task in asyncio.all_tasks() if task is not current]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)

    def _run(self) -> None:
        from amqtt.broker import Broker

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        try:
            self._broker = Broker(config, loop=loop)
            loop.run_until_complete(self._broker.start())
        except BaseException as error:  # reported to start()'s caller
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def ensure_embedded_broker(settings: BrokerSettings, configured_url: str | None) -> EmbeddedBroker | None:
    """Start the embedded broker when no broker URL is configured and none listens there yet."""
    if configured_url or port_in_use(settings.host, settings.port):
        return None
    broker = EmbeddedBroker(settings.port, settings.host)
    broker.start()
    return broker
