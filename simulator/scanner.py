"""A simulated serial (USB-CDC) QR scanner on a pseudo-terminal.

The application opens `path` (a stable symlink, like /dev/serial/by-id/...) with pyserial exactly as
it would open a real scanner. `scan(text)` sends the text with the configured suffix (CR, LF or
CRLF); `unplug()` closes the pty and removes the link (reads then fail as on a real unplug);
`replug()` creates a new pty behind the same link.
"""

from __future__ import annotations

import os
import tty
from pathlib import Path
from typing import Literal

LineEnding = Literal["\r", "\n", "\r\n"]
ENDINGS: dict[str, LineEnding] = {"CR": "\r", "LF": "\n", "CRLF": "\r\n"}


class PtyScanner:
    def __init__(self, link: Path, line_ending: LineEnding = "\r"):
        self.link = link
        self.line_ending = line_ending
        self._master: int | None = None
        self.replug()

    @property
    def path(self) -> str:
        return str(self.link)

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def replug(self) -> None:
        if self._master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation: bytes pass as a USB-CDC device sends them
        slave_name = os.ttyname(slave)
        os.close(slave)
        self._master = master
        tmp = self.link.with_name(self.link.name + ".tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(slave_name)
        tmp.replace(self.link)

    def unplug(self) -> None:
        self.link.unlink(missing_ok=True)
        if self._master is not None:
            os.close(self._master)
            self._master = None

    def scan(self, text: str, line_ending: LineEnding | None = None) -> None:
        self.send((text + (line_ending or self.line_ending)).encode("utf-8"))

    def send(self, data: bytes) -> None:
        """Raw bytes, for split writes and garbage."""
        if self._master is None:
            raise RuntimeError("scanner is unplugged")
        os.write(self._master, data)

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> PtyScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
