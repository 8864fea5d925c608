"""Which CPUs letan's threads run on.

CPython runs Python code in one thread at a time (the GIL). When two busy threads, say a publisher and
paho's network thread, sit on different CPUs, every hand-over of the GIL wakes the other CPU through the
kernel, and on a small machine those wake-ups cost more than the work itself: on the 2-CPU test machine the
durable MQTT publisher is about half again as fast with its threads on one CPU as spread over both
(`letan bench --only mqtt` measures both; figures in docs/mqtt.md).

So while the application runs, the interpreter's threads are kept on one CPU (`robot.python_cpu`, default
"auto": the last CPU of a machine with two or more), and the other CPUs are left to the broker, the printer
and sound servers, and to native work: code that runs for long without the GIL (camera detection, speech
recognition and synthesis) is let out onto every CPU for its duration with `native_work()`.

Linux only (sched_setaffinity); elsewhere every function here does nothing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Literal

PythonCpu = int | Literal["auto", "off"]

_lock = threading.Lock()
_pinned: tuple[int, frozenset[int]] | None = None  # (the CPU, the process's CPUs before) while pinned
_users = 0  # pin_interpreter() calls not yet undone (e.g. two Applications in one process)


def supported() -> bool:
    return hasattr(os, "sched_setaffinity") and os.path.isdir("/proc/self/task")


def available_cpus() -> frozenset[int]:
    """The CPUs this process may use (all of them while pinned: the set before pinning)."""
    if _pinned is not None:
        return _pinned[1]
    return frozenset(os.sched_getaffinity(0)) if supported() else frozenset()


def choose_cpu(setting: PythonCpu, cpus: frozenset[int] | None = None) -> int | None:
    """The CPU for the interpreter's threads, or None to leave them where they are.

    Raises ValueError (for the technician, in English) when a CPU number is asked for that this process may not use."""
    cpus = available_cpus() if cpus is None else cpus
    if setting == "off" or not cpus:
        return None
    if setting == "auto":
        return max(cpus) if len(cpus) >= 2 else None
    if setting not in cpus:
        raise ValueError(f"robot.python_cpu: CPU {setting} is not available to letan here "
                         f"(CPUs {', '.join(map(str, sorted(cpus)))}); use one of them, 'auto' or 'off'")
    return setting


def _set_all_threads(cpus: set[int] | frozenset[int]) -> None:
    for tid in os.listdir("/proc/self/task"):
        with suppress(ProcessLookupError):  # the thread ended meanwhile
            os.sched_setaffinity(int(tid), cpus)


def pin_interpreter(cpu: int | None) -> bool:
    """Put every thread of this process on `cpu`; threads started later inherit it. Returns whether it pinned.

    Counted: each successful call needs its `unpin_interpreter()`; the threads get their CPUs back at the last."""
    global _pinned, _users
    if cpu is None or not supported():
        return False
    with _lock:
        before = _pinned[1] if _pinned is not None else frozenset(os.sched_getaffinity(0))
        _set_all_threads({cpu})
        _pinned = (cpu, before)
        _users += 1
    return True


def unpin_interpreter() -> None:
    """Undo one `pin_interpreter`; the last one gives every thread back the CPUs the process had before."""
    global _pinned, _users
    with _lock:
        if _pinned is None:
            return
        _users -= 1
        if _users > 0:
            return
        _set_all_threads(_pinned[1])
        _pinned, _users = None, 0


def pinned_cpu() -> int | None:
    return _pinned[0] if _pinned is not None else None


@contextmanager
def interpreter_on(cpu: int | None) -> Iterator[bool]:
    """`pin_interpreter(cpu)` for the duration of the block (yields whether it pinned)."""
    pinned = pin_interpreter(cpu)
    try:
        yield pinned
    finally:
        if pinned:
            unpin_interpreter()


@contextmanager
def native_work() -> Iterator[None]:
    """Let the calling thread use every CPU while it runs native code that releases the GIL for long
    (an OpenCV detection, a speech decode); it goes back to the interpreter's CPU afterwards."""
    pinned = _pinned
    if pinned is None:
        yield
        return
    os.sched_setaffinity(0, pinned[1])
    try:
        yield
    finally:
        if _pinned is not None:
            os.sched_setaffinity(0, {_pinned[0]})
