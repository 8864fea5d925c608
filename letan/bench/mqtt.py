"""MQTT figures: events/s through the durable outbox vs plain paho QoS 1 (one event per publish() call, and
publish_many() batches as the queue bridge writes them), publish-to-subscriber latency through mosquitto on
loopback, and the time to drain an outbox of 100,000 events after an outage.

Measured as the robot runs: the interpreter's threads on one CPU (robot/cpu.py, robot.python_cpu "auto"), the
broker free on every CPU; the one-event-per-call figure is measured again with the threads spread over every CPU
(python_cpu "off"), for comparison."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from letan.bench import BenchReport, median, percentile
from robot import cpu
from robot.clock import SystemClock
from robot.mqtt.client import BrokerSettings, MqttLink
from robot.mqtt.messages import NavigationProgress, Stamper
from robot.mqtt.mosquitto import MosquittoBroker, free_port, mosquitto_available
from robot.mqtt.outbox import Outbox
from robot.mqtt.publisher import OutboxPublisher, outgoing

STAMP = Stamper("bench", "robot-1", SystemClock(ZoneInfo("Asia/Ho_Chi_Minh")))


def _event(i: int) -> NavigationProgress:
    return STAMP.make(NavigationProgress, goal_id=str(i), target="quay-3", status="going", progress=0.5)


def _stack(broker: MosquittoBroker, path: Path, client_id: str,
           synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> tuple[MqttLink, Outbox, OutboxPublisher]:
    link = MqttLink(BrokerSettings(port=broker.port), client_id)
    outbox = Outbox(path, synchronous)
    bus = OutboxPublisher(link, outbox, window=100)
    link.start()
    bus.start()
    if not link.wait_connected(10):
        raise RuntimeError("cannot connect to the bench's mosquitto")
    return link, outbox, bus


def _close(link: MqttLink, outbox: Outbox, bus: OutboxPublisher) -> None:
    bus.stop()
    link.stop()
    outbox.close()


def _in_threads(messages: list[NavigationProgress], threads: int, send: Callable[[NavigationProgress], object]) -> None:
    """Publish `messages` from `threads` threads at once (each its own share, in order)."""
    if threads == 1:
        for m in messages:
            send(m)
        return
    workers = [threading.Thread(target=lambda part=messages[i::threads]: [send(m) for m in part])
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def _rate_outbox(broker: MosquittoBroker, work: Path, n: int, run: int, threads: int, batch: int = 1,
                 synchronous: Literal["NORMAL", "FULL"] = "NORMAL", tag: str = "") -> tuple[float, float]:
    """Events/s from Message objects until every one is PUBACKed and deleted; and events per commit.

    `batch` 1: bus.publish() per event; more: bus.publish_many() with `batch` events per call (one thread)."""
    messages = [_event(i) for i in range(n)]
    name = f"{tag}{synchronous}-{threads}-{batch}-{run}"
    link, outbox, bus = _stack(broker, work / f"rate-{name}.db", f"bench-outbox-{name}", synchronous)
    try:
        start = time.perf_counter()
        if batch == 1:
            _in_threads(messages, threads, bus.publish)
        else:
            for first in range(0, n, batch):
                bus.publish_many(messages[first:first + batch])
        if not bus.flush(120):
            raise RuntimeError("outbox not drained")
        return n / (time.perf_counter() - start), n / max(1, bus.commits)
    finally:
        _close(link, outbox, bus)


def _rate_plain(broker: MosquittoBroker, n: int, run: int, threads: int, tag: str = "") -> float:
    """The same messages with plain paho QoS 1 (encoded in the timed part too), until every one is PUBACKed."""
    messages = [_event(i) for i in range(n)]
    link = MqttLink(BrokerSettings(port=broker.port), f"bench-plain-{tag}{threads}-{run}")
    acked = threading.Semaphore(0)
    link.client.on_publish = lambda *args: acked.release()
    link.start()
    if not link.wait_connected(10):
        raise RuntimeError("cannot connect to the bench's mosquitto")
    try:
        start = time.perf_counter()
        _in_threads(messages, threads, lambda m: link.client.publish(m.topic(), m.to_json(), qos=1))
        for _ in range(n):
            if not acked.acquire(timeout=60):
                raise RuntimeError("missing PUBACKs")
        return n / (time.perf_counter() - start)
    finally:
        link.stop()


def _latency(broker: MosquittoBroker, work: Path, n: int) -> list[float]:
    sent: dict[str, float] = {}
    latencies: list[float] = []
    done = threading.Event()
    sub = MqttLink(BrokerSettings(port=broker.port), "bench-latency-sub")

    def received(topic: str, payload: bytes) -> None:
        import json

        event_id = json.loads(payload)["event_id"]
        latencies.append((time.perf_counter() - sent[event_id]) * 1000)
        if len(latencies) >= n:
            done.set()

    sub.subscribe("letan/v1/bench/#", received)
    sub.start()
    sub.wait_connected(10)
    time.sleep(0.2)
    link, outbox, bus = _stack(broker, work / "latency.db", "bench-latency-pub")
    try:
        for i in range(n):
            event = _event(i)
            sent[event.event_id] = time.perf_counter()
            bus.publish(event)
            time.sleep(0.002)
        done.wait(30)
    finally:
        _close(link, outbox, bus)
        sub.stop()
    return latencies


def _drain(broker: MosquittoBroker, work: Path, n: int) -> float:
    path = work / "drain.db"
    outbox = Outbox(path)
    batch = [outgoing(_event(i), "letan/v1") for i in range(1000)]
    for _ in range(n // len(batch)):
        outbox.add_many(batch)  # written during the outage
    outbox.close()
    start = time.perf_counter()
    link, outbox, bus = _stack(broker, path, "bench-drain")
    try:
        if not bus.flush(600):
            raise RuntimeError("outbox not drained")
        return time.perf_counter() - start
    finally:
        _close(link, outbox, bus)


# (label, publisher threads, events per call): one event per publish() call is the figure the target is
# about; publish_many() batches are how the queue bridge writes the events it reads from the queue's log.
MODES = (
    ("one publisher thread, publish() one event per call", 1, 1),
    ("one publisher thread, publish_many() batches of 10 events", 1, 10),
    ("one publisher thread, publish_many() batches of 100 events", 1, 100),
    ("4 publisher threads, publish() one event per call", 4, 1),
)
FULL_MODES = (
    ("one publisher thread, publish() one event per call", 1, 1),
    ("4 publisher threads, publish() one event per call", 4, 1),
    ("one publisher thread, publish_many() batches of 100 events", 1, 100),
)


def _rates(broker: MosquittoBroker, work: Path, n: int, repeats: int, threads: int, batch: int,
           tag: str) -> tuple[list[float], list[float], list[float]]:
    """Durable and plain rates, interleaved so that both see the same machine load; and events per commit."""
    durable, plain, per_commit = [], [], []
    for r in range(repeats):
        rate, events_per_commit = _rate_outbox(broker, work, n, r, threads, batch, tag=tag)
        durable.append(rate)
        per_commit.append(events_per_commit)
        plain.append(_rate_plain(broker, n, r, threads, tag=tag))
    return durable, plain, per_commit


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:,.0f}" for v in values)


def run(report: BenchReport, quick: bool) -> None:
    if not mosquitto_available():
        report.problems.append("mqtt: mosquitto is not installed (scripts/setup.sh)")
        return
    n = 5_000 if quick else 20_000
    repeats = 3
    drain_n = 20_000 if quick else 100_000
    cpus = cpu.available_cpus()
    chosen = cpu.choose_cpu("auto", cpus)
    where = (f"Python threads on CPU {chosen} of {len(cpus)} as `letan run` keeps them (robot.python_cpu: auto)"
             if chosen is not None else "one CPU")
    with tempfile.TemporaryDirectory(prefix="letan-bench-mqtt-") as tmp:
        work = Path(tmp)
        broker = MosquittoBroker(port=free_port(), workdir=work / "mosquitto", persistence=False)
        broker.start()  # before pinning: the broker, like the centre's, may use every CPU
        try:
            with cpu.interpreter_on(chosen):
                _pinned(report, broker, work, n, repeats, drain_n, quick, where)
            if chosen is not None:
                # The same one-event-per-call figure with the threads free to move between CPUs, for comparison.
                label = "one publisher thread, publish() one event per call, threads on every CPU (python_cpu: off)"
                durable, plain, _ = _rates(broker, work, n, repeats, 1, 1, "spread")
                report.add(f"events/s with the durable SQLite outbox, {label}", median(durable), "events/s",
                           note=f"median of {repeats} runs of {n} events; runs {_runs(durable)}; "
                                f"{median(durable) / median(plain):.0%} of plain paho below")
                report.add(f"events/s with plain paho QoS 1 (no outbox), {label}", median(plain), "events/s",
                           note=f"runs interleaved with the above: {_runs(plain)}")
        finally:
            broker.stop()


def _pinned(report: BenchReport, broker: MosquittoBroker, work: Path, n: int, repeats: int, drain_n: int,
            quick: bool, where: str) -> None:
    for label, threads, batch in MODES:
        durable, plain, per_commit = _rates(broker, work, n, repeats, threads, batch, "pinned")
        report.add(f"events/s with the durable SQLite outbox, {label} (until all PUBACKed)",
                   median(durable), "events/s", target=">= 5000", met=median(durable) >= 5000,
                   note=f"median of {repeats} runs of {n} events, QoS 1, WAL synchronous=NORMAL, {where}, "
                        f"{median(per_commit):.1f} events per transaction; runs {_runs(durable)}; "
                        f"{median(durable) / median(plain):.0%} of plain paho below")
        report.add(f"events/s with plain paho QoS 1 (no outbox), same messages as: {label}", median(plain),
                   "events/s", note=f"one client.publish() per event, same broker and CPU, runs interleaved with "
                                    f"the above: {_runs(plain)}")
    for label, threads, batch in FULL_MODES:
        full = [_rate_outbox(broker, work, n // 4, r, threads, batch, "FULL") for r in range(repeats)]
        report.add(f"events/s with the outbox in synchronous=FULL (fsync per commit), {label}",
                   median([rate for rate, _ in full]), "events/s",
                   note=f"median of {repeats} runs of {n // 4} events; "
                        f"{median([b for _, b in full]):.1f} events per transaction (per fsync)")
    lat = _latency(broker, work, 500 if quick else 2000)
    report.add("latency publish-to-subscriber p50 (outbox + mosquitto loopback)", percentile(lat, 50), "ms")
    report.add("latency publish-to-subscriber p99 (outbox + mosquitto loopback)", percentile(lat, 99), "ms",
               note=f"{len(lat)} events, one every 2 ms")
    seconds = _drain(broker, work, drain_n)
    report.add(f"time to drain an outbox of {drain_n:,} events after an outage", seconds, "s",
               note=f"{drain_n / seconds:,.0f} events/s; started {datetime.now():%H:%M}")
